//! The `analysis` layer: what the heap model means.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod histogram;
pub mod summary;

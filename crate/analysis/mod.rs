//! The `analysis` layer: what the heap model means.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod dominators;
pub mod dominators_report;
pub mod fields;
pub mod heap;
pub mod histogram;
pub mod summary;

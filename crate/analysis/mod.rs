//! The `analysis` layer: what the heap model means.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod dominators_report;
pub mod duplicate_strings;
pub mod fields;
pub mod finalizers;
pub mod histogram;
pub mod inspect;
pub mod objects;
pub mod paths;
pub mod refstats;
pub mod summary;
pub mod suspects;
pub mod threads;
pub mod unreachable;

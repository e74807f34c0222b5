//! The `analysis` layer: what the heap model means.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
// Values read from the file decide lengths and indices here: every access is checked,
// or carries an `#[expect]` on the smallest item that says why each index is in range.

pub mod class;
pub mod class_loaders;
pub mod collection;
pub mod collections;
pub mod compare;
pub mod dominator_groups;
pub mod dominators_report;
pub mod duplicate_strings;
pub mod fields;
pub mod finalizers;
pub mod histogram;
pub mod histogram_groups;
pub mod immediate_dominators;
pub mod inspect;
pub mod objects;
pub mod paths;
pub mod refstats;
pub mod report;
pub mod retained_set;
pub mod secrets;
pub mod summary;
pub mod suspects;
pub mod threads;
pub mod unreachable;

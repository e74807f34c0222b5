//! The `graph` layer: passes 2 and 3 over the file, which turn pass 1's index
//! ([`crate::model`]) into the analysed [`Heap`]: the reference graphs, the dominator tree
//! and retained sizes. [`Build`] runs every pass (bytes in, heap out); the analyses
//! ([`crate::analysis`]) read the finished heap.
//!
//! - [`build`]: the pass driver and what it owns between passes;
//! - [`refs`]: the references passes (forward and reverse graphs, captured fields);
//! - [`dominators`]: reachability, Semi-NCA and retained sizes, with their memory schedule;
//! - [`heap`]: the finished heap and the object-level queries every analysis builds on;
//! - [`parallel`]: passes 2 and 3 on several threads (native builds);
//! - [`retained`]: the retained set of several objects (marking around them).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
// Values read from the file decide lengths and indices here: every access is checked,
// or carries an `#[expect]` on the smallest item that says why each index is in range.

pub mod build;
pub mod dominators;
pub mod heap;
#[cfg(not(target_family = "wasm"))]
pub mod parallel;
pub mod refs;
pub mod retained;

pub use build::{Build, BuildError, Built, Finished, Options, PassInfo, Plan, Progress};
pub use heap::Heap;

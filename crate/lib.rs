//! Heapscope: a Java heap-dump (HPROF) analyzer.
#![deny(missing_docs)]

pub mod analysis;
pub mod format;
pub mod load;
pub mod model;
pub mod session;
#[cfg(target_family = "wasm")]
pub mod wasm;

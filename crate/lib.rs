//! Heapscope: a Java heap-dump (HPROF) analyzer.
//!
//! Layers, each depending only on those before it:
//! [`text`] (shared formatting) → [`format`] (HPROF records) → [`model`] (pass 1: the
//! compact index) → [`graph`] (passes 2 and 3: references, dominators, retained sizes) →
//! [`analysis`] (reports over a finished heap) → [`query`] (the one list of what can be
//! asked, and the session that answers) → the front ends: the `heapscope` CLI
//! (`crate/cli/`) and the browser module (`wasm`).
#![deny(missing_docs)]
// The library reports through its return values: it prints nothing (the wasm module must
// not write to the console, the CLI decides what goes to stdout).
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod analysis;
pub mod format;
pub mod graph;
pub mod model;
pub mod query;
pub mod text;
#[cfg(target_family = "wasm")]
pub mod wasm;

//! Heapscope's fuzz targets: what each feeds to the library and what it asserts.
//!
//! Every target is a thin `fuzz_targets/NAME.rs` calling `NAME::check(data)` from a module
//! of this crate. The checks live here, not in the target files, because
//! `tests/fuzz_regressions.rs` (in the main crate, run by `cargo test`) includes the same
//! modules with `#[path]` and replays every saved crash input through them.
//!
//! Adding a target (for example `analysis`, over dominators, paths and finalizers):
//! 1. write `src/analysis.rs` with `pub fn check(data: &[u8]) -> Outcome`, using
//!    [`counting_alloc::measure`] for the memory bound and [`parse::run`] for pass 1;
//! 2. add `fuzz_targets/analysis.rs` (three lines, as `parse.rs`) and a `[[bin]]` entry
//!    in `Cargo.toml`;
//! 3. in `tests/fuzz_regressions.rs`, include the module with `#[path]` and replay its
//!    regression inputs (name them `NAME-*.bin` there and dispatch on the prefix); its
//!    seeds are built there too (`seeds()`, written by `fuzz/run.sh NAME`: the `parse`
//!    seeds, which are valid dumps, suit a target that starts from pass 1).

pub mod counting_alloc;
pub mod parse;

//! Heapscope's fuzz targets: what each feeds to the library and what it asserts.
//!
//! Every target is a thin `fuzz_targets/NAME.rs` calling `NAME::check(data)` from a module
//! of this crate. The checks live here, not in the target files, because
//! `tests/fuzz_regressions.rs` (in the main crate, run by `cargo test`) includes the same
//! modules with `#[path]` and replays every saved crash input through them.
//!
//! Targets: `parse` (the decoder, pass 1, histogram, summary) and `analysis` (the full
//! session and its queries, on what pass 1 accepts).
//!
//! Adding a target `NAME`:
//! 1. write `src/NAME.rs` with `pub fn check(data: &[u8]) -> …`, using
//!    [`counting_alloc::measure`] for the memory bound and [`parse::run`] for pass 1;
//! 2. add `fuzz_targets/NAME.rs` (three lines, as `parse.rs`) and a `[[bin]]` entry
//!    in `Cargo.toml`;
//! 3. in `tests/fuzz_regressions.rs`, include the module with `#[path]` and replay its
//!    regression inputs (name them `NAME-*.bin` there and dispatch on the prefix); its
//!    seeds are built there too (`seeds()`, written by `fuzz/run.sh NAME`: the `parse`
//!    seeds, which are valid dumps, suit a target that starts from pass 1).

pub mod analysis;
pub mod counting_alloc;
pub mod parse;

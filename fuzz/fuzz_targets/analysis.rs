#![no_main]
//! What pass 1 accepts, through the full analysis and its queries.
//! See `heapscope_fuzz::analysis` for what is asserted.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    heapscope_fuzz::analysis::check(data);
});

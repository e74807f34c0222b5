#![no_main]
//! Arbitrary bytes through the decoder, pass 1, the histogram and the summary.
//! See `heapscope_fuzz::parse` for what is asserted.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    heapscope_fuzz::parse::check(data);
});

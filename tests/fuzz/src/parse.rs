//! The `parse` target: arbitrary bytes through `format::Decoder` and pass 1
//! (`model::index::Indexer`), then `Indexer::finish`, the histogram and the summary.
//!
//! Asserted for every input (a failed assertion is a panic, which the fuzzer reports):
//! - nothing panics, aborts or hangs (the fuzzer's `-timeout` catches hangs);
//! - a failure is one `HprofError` whose message is a single non-empty line and whose
//!   offset lies inside the input (or its decompressed stream);
//! - the same bytes pushed as two slices, split at a point derived from the input, give the
//!   identical outcome (summary and histogram, or the same error): a record straddling two
//!   pushes changes nothing;
//! - on success the histogram's totals equal the summary's objects and shallow bytes, and
//!   with the object table, so do its length and the sum of its objects' sizes (a path
//!   independent of the per-class counts both totals are made of);
//! - the heap never holds more than [`memory_bound`] bytes during a run.
//!
//! `per_object` (the object table, as the full analysis builds it) is on or off depending
//! on the input, so both modes are fuzzed.

use crate::counting_alloc::measure;
use heapscope::analysis::histogram::histogram;
use heapscope::analysis::summary::summary;
use heapscope::format::{Decoder, HprofError};
use heapscope::model::index::{Index, Indexer};

/// Fixed part of the memory bound: the gzip decoder (a 256 KiB output buffer and a ~43 KiB
/// inflater), the hash tables' first allocations, and the transient vectors of one
/// CLASS_DUMP parse (up to 65 535 statics × 24 B + 65 535 fields × 16 B ≈ 2.6 MB, sized by
/// u16 counts) fit many times over.
pub const FIXED_BYTES: usize = 32 << 20;

/// Proportional part of the memory bound, per byte of (decompressed) input. Real dumps take
/// 1.1–2.5 bytes per byte (the fixtures and corpus dumps, with or without the object
/// table). The most found per byte is a dump whose every 17-byte INSTANCE_DUMP names its own
/// missing class: ~1.2 KB per placeholder class (the class vectors of pass 1 with their
/// doubling slack, `Indexer::finish`'s renumbered copies, the class table's name maps, the
/// histogram rows and this check's `Debug` text) make 71 bytes per byte
/// (`tests/hostile.rs`, `every_object_of_its_own_missing_class`); a 3000-class hierarchy
/// takes 30. 128 leaves room above those and is still nothing like an allocation driven by
/// a length field, which asks for gigabytes from four bytes.
pub const BYTES_PER_INPUT_BYTE: usize = 128;

/// The most heap a run may use for an input of `len` bytes (decompressed length for gzip).
pub fn memory_bound(len: u64) -> usize {
    let len = usize::try_from(len).unwrap_or(usize::MAX);
    len.saturating_mul(BYTES_PER_INPUT_BYTE)
        .saturating_add(FIXED_BYTES)
}

/// Bound on the heap for gzip input, whose decompressed size is not known up front: deflate
/// expands at most ~1032×. The real bound (on the decompressed size) is checked after the
/// run; this one only keeps a runaway allocation from taking the machine down first.
const GZIP_HARD_LIMIT: usize = 1 << 30;

/// What one run produced, in comparable form.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Pass 1 succeeded: the summary and the histogram (`Debug` text).
    Parsed {
        /// Objects in the dump (from the summary).
        objects: u64,
        /// Their total shallow size.
        shallow_bytes: u64,
        /// `analysis::summary::summary` of the index.
        summary: String,
        /// `analysis::histogram::histogram` of the index.
        histogram: String,
    },
    /// The error that ended the run.
    Failed(HprofError),
}

impl Outcome {
    /// One line: the error message, or `ok` with the number and size of the objects.
    pub fn describe(&self) -> String {
        match self {
            Outcome::Parsed {
                objects,
                shallow_bytes,
                ..
            } => format!("ok: {objects} objects, {shallow_bytes} bytes"),
            Outcome::Failed(e) => format!("error: {e}"),
        }
    }
}

/// Pushes `slices` in order through a decoder and an indexer and finishes both. Returns the
/// index (or the first error) and the length of the HPROF stream seen (decompressed for
/// gzip).
pub fn index(slices: &[&[u8]], per_object: bool) -> (Result<Index, HprofError>, u64) {
    let mut decoder = Decoder::new(per_object);
    let mut indexer = Indexer::new(per_object);
    let mut result = Ok(());
    for s in slices {
        result = decoder.push(s, &mut indexer);
        if result.is_err() {
            break;
        }
    }
    if result.is_ok() {
        result = decoder.finish(&mut indexer);
    }
    let seen = decoder.stream_bytes();
    (result.and_then(|()| indexer.finish()), seen)
}

/// Runs [`index`], then the histogram and the summary, under the memory bound; checks the
/// invariants that hold for a single run. Returns the outcome and the stream length.
pub fn run(slices: &[&[u8]], per_object: bool) -> (Outcome, u64) {
    let input: usize = slices.iter().map(|s| s.len()).sum();
    let gzip = slices
        .iter()
        .flat_map(|s| s.iter())
        .take(2)
        .eq([0x1f, 0x8b].iter());
    let limit = if gzip {
        GZIP_HARD_LIMIT
    } else {
        memory_bound(input as u64)
    };
    let ((outcome, seen), peak) = measure(limit, || {
        let (r, seen) = index(slices, per_object);
        let outcome = match r {
            Ok(ix) => {
                let s = summary(&ix);
                let h = histogram(&ix);
                assert_eq!(h.total_instances, s.objects, "histogram vs summary objects");
                assert_eq!(
                    h.total_shallow_bytes, s.shallow_bytes,
                    "histogram vs summary bytes"
                );
                if let Some(table) = &ix.objects {
                    assert_eq!(table.len() as u64, s.objects, "object table vs summary");
                    let sizes: u64 = (0..table.len() as u32).map(|i| table.size(i)).sum();
                    assert_eq!(sizes, s.shallow_bytes, "object sizes vs summary bytes");
                }
                Outcome::Parsed {
                    objects: s.objects,
                    shallow_bytes: s.shallow_bytes,
                    summary: format!("{s:?}"),
                    histogram: format!("{h:?}"),
                }
            }
            Err(e) => Outcome::Failed(e),
        };
        (outcome, seen)
    });
    let stream = seen.max(input as u64);
    assert!(
        peak <= memory_bound(stream),
        "peak heap {peak} B exceeds the bound {} B for {stream} input bytes",
        memory_bound(stream)
    );
    if let Outcome::Failed(e) = &outcome {
        let msg = e.to_string();
        assert!(!msg.is_empty() && !msg.contains('\n'), "message: {msg:?}");
        assert!(
            e.offset <= stream,
            "error offset {} past the end ({stream}): {msg}",
            e.offset
        );
    }
    (outcome, stream)
}

/// Derives the run's choices from the input: whether to build the object table, and where
/// to split the input for the two-slice run.
pub fn choices(data: &[u8]) -> (bool, usize) {
    let h = data
        .iter()
        .rev()
        .take(8)
        .fold(data.len() as u64 ^ 0xcbf2_9ce4_8422_2325, |a, &b| {
            (a ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
    let split = usize::try_from((h >> 1) % (data.len() as u64 + 1)).unwrap_or(0);
    (h & 1 == 1, split)
}

/// The fuzz target's body: one run over the whole input, one over two slices, compared.
pub fn check(data: &[u8]) -> Outcome {
    let (per_object, split) = choices(data);
    let (whole, _) = run(&[data], per_object);
    let (head, tail) = data.split_at(split);
    let (halves, _) = run(&[head, tail], per_object);
    assert_eq!(
        whole, halves,
        "pushing the input as two slices split at {split} changed the outcome"
    );
    whole
}

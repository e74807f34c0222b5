//! The `analysis` target: what pass 1 accepts goes through the whole `Session` — the
//! reference passes, dominators and retained sizes — and then its queries: dominator
//! children, the inspector, paths to GC roots (to an object and to a class), Finalizers,
//! leak suspects, threads and reference statistics.
//!
//! Asserted for every input: nothing panics or hangs; every failure (of the analysis or
//! of a query) is an `HprofError` with a one-line message; the summary after the full
//! analysis has pass 1's object count and shallow bytes; the heap stays under
//! [`memory_bound`]. The input is pushed in slices of a size derived from it.

use crate::counting_alloc::measure;
use heapscope::analysis::paths::PathOptions;
use heapscope::format::HprofError;
use heapscope::session::{Options, Session, run_in_memory};

/// The full analysis keeps more per object than pass 1 (references, dominator tree,
/// retained sizes, reverse edges): the bound is twice `parse`'s.
pub fn memory_bound(len: u64) -> usize {
    crate::parse::memory_bound(len).saturating_mul(2)
}

/// Bound for gzip input while it runs (see `parse`); checked on the real size after.
const GZIP_HARD_LIMIT: usize = 2 << 30;

fn clean<T>(what: &str, r: Result<T, HprofError>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(e) => {
            let msg = e.to_string();
            assert!(!msg.is_empty() && !msg.contains('\n'), "{what}: {msg:?}");
            None
        }
    }
}

fn object_id(hex: &str) -> Option<u64> {
    u64::from_str_radix(hex.trim_start_matches("0x"), 16).ok()
}

/// Runs the analysis and every query; returns a one-line outcome.
fn analyze(data: &[u8], chunk: usize) -> String {
    let mut s = Session::new(Options::default());
    s.set_source(Box::new(data.to_vec()));
    if let Err(e) = run_in_memory(&mut s, data, chunk) {
        let msg = e.to_string();
        assert!(!msg.is_empty() && !msg.contains('\n'), "analysis: {msg:?}");
        return format!("error: {msg}");
    }
    // A successful analysis always has a summary; without one, `check` could not compare
    // the object count with pass 1's.
    let summary = s
        .summary()
        .cloned()
        .expect("the analysis succeeded but gave no summary");
    let opts = PathOptions {
        max_explore: 10_000,
        ..PathOptions::default()
    };
    let mut ids = Vec::new();
    if let Some((top, _)) = clean("dominators", s.dominator_children(None, 4)) {
        ids.extend(top.iter().filter_map(|n| object_id(&n.object.object)));
        if let Some(first) = ids.first().copied()
            && let Some((kids, _)) = clean("children", s.dominator_children(Some(first), 4))
        {
            ids.extend(kids.iter().filter_map(|n| object_id(&n.object.object)));
        }
    }
    for &id in &ids {
        clean("inspect", s.inspect(id, 64));
        clean("paths to object", s.paths_to_object(id, &opts));
    }
    let class = s
        .histogram()
        .and_then(|h| h.classes.first())
        .map(|r| r.name.clone());
    if let Some(name) = class {
        clean("paths to class", s.paths_to_class(&name, &opts));
    }
    clean("finalizers", s.finalizers().map(|_| ()));
    clean("suspects", s.suspects());
    clean("threads", s.threads(16));
    clean("reference statistics", s.reference_stats());
    format!(
        "ok: {} objects, {} bytes, {} dominator children looked at",
        summary.objects,
        summary.shallow_bytes,
        ids.len()
    )
}

/// The fuzz target's body.
pub fn check(data: &[u8]) -> String {
    let (per_object, split) = crate::parse::choices(data);
    // Only what pass 1 accepts is worth the full analysis.
    let (pass1, stream) = crate::parse::run(&[data], per_object);
    let crate::parse::Outcome::Parsed { objects, .. } = pass1 else {
        return pass1.describe();
    };
    let chunk = split.max(1);
    let gzip = data.starts_with(&[0x1f, 0x8b]);
    let limit = if gzip {
        GZIP_HARD_LIMIT
    } else {
        memory_bound(data.len() as u64)
    };
    let (outcome, peak) = measure(limit, || analyze(data, chunk));
    assert!(
        peak <= memory_bound(stream),
        "peak heap {peak} B exceeds the bound {} B for {stream} input bytes",
        memory_bound(stream)
    );
    if outcome.starts_with("ok") {
        assert!(
            outcome.starts_with(&format!("ok: {objects} objects")),
            "pass 1 found {objects} objects; the full analysis: {outcome}"
        );
    }
    outcome
}

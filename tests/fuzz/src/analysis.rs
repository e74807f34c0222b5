//! The `analysis` target: what pass 1 accepts goes through the whole `Session` — the
//! reference passes, dominators and retained sizes — and then every kind of query
//! (`Query::NAMES`): dominator children, the inspector, paths to GC roots (to an object and
//! to a class), Finalizers, leak suspects, threads, reference statistics, the whole report.
//!
//! Asserted for every input: nothing panics or hangs; every failure (of the analysis or
//! of a query) has a one-line message; the summary after the full
//! analysis has pass 1's object count and shallow bytes; the heap stays under
//! [`memory_bound`]. The input is pushed in slices of a size derived from it.

use crate::counting_alloc::measure;
use heapscope::analysis::dominators_report::DomChildren;
use heapscope::analysis::histogram::Histogram;
use heapscope::analysis::summary::Summary;
use heapscope::query::{ObjectId, Options, Query, QueryError, Session, run_in_memory};

/// The full analysis keeps more per object than pass 1 (references, dominator tree,
/// retained sizes, reverse edges): the bound is twice `parse`'s.
pub fn memory_bound(len: u64) -> usize {
    crate::parse::memory_bound(len).saturating_mul(2)
}

/// Bound for gzip input while it runs (see `parse`); checked on the real size after.
const GZIP_HARD_LIMIT: usize = 2 << 30;

fn clean<T>(what: &str, r: Result<T, QueryError>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(e) => {
            let msg = e.to_string();
            assert!(!msg.is_empty() && !msg.contains('\n'), "{what}: {msg:?}");
            None
        }
    }
}

fn object_id(hex: &str) -> Option<ObjectId> {
    heapscope::text::parse_hex_id(hex).map(ObjectId)
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
    let summary: Summary = s
        .ask(&Query::Summary {})
        .expect("the analysis succeeded but gave no summary");
    let children = |s: &mut Session, parent| {
        s.ask::<DomChildren>(&Query::DominatorChildren { parent, limit: 4 })
    };
    let mut ids = Vec::new();
    if let Some(top) = clean("dominators", children(&mut s, None)) {
        ids.extend(top.nodes.iter().filter_map(|n| object_id(&n.object.object)));
        if let Some(first) = ids.first().copied()
            && let Some(kids) = clean("children", children(&mut s, Some(first)))
        {
            ids.extend(
                kids.nodes
                    .iter()
                    .filter_map(|n| object_id(&n.object.object)),
            );
        }
    }
    let mut queries = Vec::new();
    for &id in &ids {
        queries.push(Query::Inspect {
            object: id,
            max_items: 64,
        });
        queries.push(Query::Paths {
            object: Some(id),
            class: None,
            include_weak: false,
        });
        queries.push(Query::RetainedSet {
            object: Some(id),
            class: None,
            top: Some(4),
        });
        queries.push(Query::ImmediateDominators {
            object: Some(id),
            class: None,
            skip: Vec::new(),
            top: 4,
        });
    }
    let class = s
        .ask::<Histogram>(&Query::Histogram {
            top: Some(1),
            by_retained: false,
        })
        .ok()
        .and_then(|h| h.classes.first().map(|r| r.name.clone()));
    if let Some(name) = class {
        queries.push(Query::Paths {
            object: None,
            class: Some(name.clone()),
            include_weak: true,
        });
        queries.push(Query::RetainedSet {
            object: None,
            class: Some(name.clone()),
            top: Some(4),
        });
        queries.push(Query::ImmediateDominators {
            object: None,
            class: Some(name.clone()),
            skip: vec!["java.*".into()],
            top: 4,
        });
        queries.push(Query::Class { name: name.clone() });
        queries.push(Query::Instances {
            class: name,
            limit: 8,
        });
    }
    // Every other kind of query, with its defaults.
    for kind in Query::NAMES {
        if let Ok(q) = Query::from_json(&format!(r#"{{"kind":"{kind}"}}"#)) {
            queries.push(q);
        }
    }
    for q in &queries {
        clean(q.name(), s.query(q));
    }
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

//! The retained set as a report (Eclipse MAT's "Show Retained Set" with its precise
//! retained size; `heapscope retained-set`): what a garbage collection would free if all
//! the given objects went — one object, or every instance of a class — as a histogram.
//! The set itself is [`crate::graph::retained`]'s.

use super::histogram::{HistogramRow, of_objects};
use crate::graph::Heap;
use crate::graph::retained::retained_set;
use serde::Serialize;

/// `heapscope retained-set --json`.
#[derive(Clone, Debug, Serialize)]
pub struct RetainedSetReport {
    /// The given objects (one object, or every instance of the classes named).
    pub objects: u64,
    /// Of them, those no GC root reaches: garbage already, so not in the set.
    pub unreachable_objects: u64,
    /// Objects in the retained set (the reachable given objects included).
    pub retained_objects: u64,
    /// Their shallow bytes: the precise retained size.
    pub retained_bytes: u64,
    /// Eclipse MAT's minimum retained size: the retained sizes of the given objects that no
    /// other given object dominates (for a class, the histogram's retained column; for one
    /// object, its retained size). `retained_bytes` is never less.
    pub minimum_retained_bytes: u64,
    /// The set by class (`name`, `instances`, `shallow_bytes`), largest first; only the
    /// first rows when a top was asked for.
    pub classes: Vec<HistogramRow>,
    /// Classes in the set, in all.
    pub total_classes: u64,
}

/// The retained set of `objects` by class, the first `top` classes (all without).
/// 16 bytes per class, and the set's bit per reachable object while it runs.
pub fn retained_set_report(heap: &Heap, objects: &[u32], top: Option<u32>) -> RetainedSetReport {
    let set = retained_set(heap, objects);
    let mut h = of_objects(heap, set.iter(heap));
    if let Some(n) = top {
        h.classes.truncate(n as usize);
    }
    let mut given = objects.to_vec();
    given.sort_unstable();
    given.dedup();
    let total = given.len() as u64;
    RetainedSetReport {
        objects: total,
        unreachable_objects: total - set.given_reachable,
        retained_objects: set.objects,
        retained_bytes: set.bytes,
        minimum_retained_bytes: set.minimum_bytes,
        classes: h.classes,
        total_classes: h.total_classes,
    }
}

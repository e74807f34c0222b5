//! The unreachable objects histogram (Eclipse MAT's "Unreachable Objects Histogram"): the
//! objects no GC root reaches, by class — what the next garbage collection would free. The
//! dominator tree and retained sizes leave them out, so the heap's shallow size exceeds the
//! reachable heap by exactly their bytes; this says which classes those bytes are.

use super::histogram::{Histogram, HistogramRow, from_rows};
use crate::graph::Heap;
use serde::Serialize;

/// The unreachable objects by class (`heapscope unreachable --json`): the histogram's
/// fields (`classes`, `total_instances`, `total_shallow_bytes`) over unreachable objects.
#[derive(Clone, Debug, Serialize)]
pub struct Unreachable {
    /// Rows, largest shallow size first.
    #[serde(flatten)]
    pub histogram: Histogram,
}

/// Counts every object the dominator computation did not reach. One pass over the object
/// table; 16 bytes per class.
pub fn unreachable(heap: &Heap) -> Unreachable {
    let classes = &heap.index.classes;
    let mut counts = vec![(0u64, 0u64); classes.len()];
    for x in 0..heap.object_count() as u32 {
        if heap.pre(x).is_none()
            && let Some(c) = counts.get_mut(heap.class_of(x) as usize)
        {
            c.0 += 1;
            c.1 += heap.shallow(x);
        }
    }
    let rows = counts
        .into_iter()
        .enumerate()
        .filter(|(_, (n, _))| *n > 0)
        .map(|(i, (instances, shallow_bytes))| HistogramRow {
            class: i as u32,
            name: classes.name(i as u32).to_string(),
            instances,
            shallow_bytes,
            retained_bytes: None,
        })
        .collect();
    Unreachable {
        histogram: from_rows(rows),
    }
}

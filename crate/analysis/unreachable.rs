//! The unreachable objects histogram (Eclipse MAT's "Unreachable Objects Histogram"): the
//! objects no GC root reaches, by class — what the next garbage collection would free. The
//! dominator tree and retained sizes leave them out, so the heap's shallow size exceeds the
//! reachable heap by exactly their bytes; this says which classes those bytes are.

use super::histogram::{Histogram, of_objects};
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
    let unreached = (0..heap.object_count() as u32).filter(|&x| heap.pre(x).is_none());
    Unreachable {
        histogram: of_objects(heap, unreached),
    }
}

//! The class histogram: instances and shallow bytes per class, from pass 1 alone.

use crate::graph::Heap;
use crate::model::index::{Index, class_bytes};
use serde::Serialize;

/// One histogram row.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct HistogramRow {
    /// Class index.
    #[serde(skip)]
    pub class: u32,
    /// Java class name.
    pub name: String,
    /// Number of instances (for `java.lang.Class`, the class objects).
    pub instances: u64,
    /// Total shallow size in bytes.
    pub shallow_bytes: u64,
    /// Retained bytes of the class's instances (Eclipse MAT's "retained heap": the sum
    /// over instances not dominated by another instance of the class); present once the
    /// dominator tree is computed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retained_bytes: Option<u64>,
}

/// The histogram, sorted by shallow bytes descending (then name).
#[derive(Clone, Debug, Serialize)]
pub struct Histogram {
    /// Rows with at least one instance.
    pub classes: Vec<HistogramRow>,
    /// Sum of instances.
    pub total_instances: u64,
    /// Sum of shallow bytes.
    pub total_shallow_bytes: u64,
    /// Classes with instances (`classes` may hold only the first rows; the text says how
    /// many there are in all; not in the JSON, whose contract predates it).
    #[serde(skip)]
    pub total_classes: u64,
}

/// Computes the histogram of an index.
pub fn histogram(index: &Index) -> Histogram {
    from_rows(
        index
            .classes
            .classes
            .iter()
            .zip(&index.counts)
            .enumerate()
            .filter(|(_, (_, k))| k.count > 0)
            .map(|(i, (c, k))| HistogramRow {
                class: i as u32,
                name: c.name.clone(),
                instances: k.count,
                shallow_bytes: class_bytes(&index.model, c, k),
                retained_bytes: None,
            })
            .collect(),
    )
}

/// The histogram of some of a heap's objects (an unreachable part, a retained set): their
/// instances and shallow bytes by class. 16 bytes per class while it counts.
pub fn of_objects(heap: &Heap, objects: impl IntoIterator<Item = u32>) -> Histogram {
    let classes = &heap.index.classes;
    let mut counts = vec![(0u64, 0u64); classes.len()];
    for x in objects {
        if let Some(c) = counts.get_mut(heap.class_of(x) as usize) {
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
    from_rows(rows)
}

/// A histogram of `rows` (one per class), sorted by shallow bytes descending, then name.
pub fn from_rows(mut rows: Vec<HistogramRow>) -> Histogram {
    rows.sort_by(|a, b| {
        b.shallow_bytes
            .cmp(&a.shallow_bytes)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.class.cmp(&b.class))
    });
    Histogram {
        total_instances: rows.iter().map(|r| r.instances).sum(),
        total_shallow_bytes: rows.iter().map(|r| r.shallow_bytes).sum(),
        total_classes: rows.len() as u64,
        classes: rows,
    }
}

/// The histogram with retained bytes per class.
pub fn with_retained(heap: &Heap) -> Histogram {
    let mut h = histogram(&heap.index);
    for r in &mut h.classes {
        r.retained_bytes = Some(
            heap.class_retained
                .get(r.class as usize)
                .copied()
                .unwrap_or(0),
        );
    }
    h
}

/// Sorts rows by retained bytes, largest first, then by shallow bytes, then by name.
pub fn sort_by_retained(h: &mut Histogram) {
    h.classes.sort_by(|a, b| {
        b.retained_bytes
            .cmp(&a.retained_bytes)
            .then(b.shallow_bytes.cmp(&a.shallow_bytes))
            .then(a.name.cmp(&b.name))
    });
}

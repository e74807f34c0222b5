//! Reference statistics: for Soft, Weak, Phantom and Final references, how many there are,
//! how many distinct objects they refer to, and what those referents retain; and how many
//! referents are reachable *only* through references of that strength (MAT's "only softly
//! retained" and friends), found by a strong-path search per referent (sampled).

use super::fields::REFERENT;
use super::paths::{Exclusions, shortest_path};
use crate::graph::Heap;
use serde::Serialize;

/// Referents searched per kind for "only reachable through this kind".
pub const MAX_CHECKED: usize = 2000;

/// Statistics of one kind of reference.
#[derive(Clone, Debug, Serialize)]
pub struct RefKindStats {
    /// `soft`, `weak`, `phantom`, `final`, `other`.
    pub kind: &'static str,
    /// Reference objects of this kind.
    pub references: u64,
    /// Distinct non-null referents.
    pub referents: u64,
    /// Their shallow bytes.
    pub referents_shallow_bytes: u64,
    /// Sum of their retained sizes.
    pub referents_retained_bytes: u64,
    /// Referents checked for a strong path.
    pub checked: u64,
    /// Of those, referents with no strong path from a GC root (only reachable through
    /// references).
    pub only_through_references: u64,
}

/// Reference statistics by kind (`heapscope references --json`).
#[derive(Clone, Debug, Serialize)]
pub struct References {
    /// One entry per kind present.
    pub references: Vec<RefKindStats>,
}

/// Statistics for every kind present.
pub fn reference_stats(heap: &Heap) -> Vec<RefKindStats> {
    let classes = &heap.index.classes;
    let kinds: [(&str, Vec<bool>); 4] = [
        (
            "soft",
            classes.subclasses_of_name("java.lang.ref.SoftReference"),
        ),
        (
            "weak",
            classes.subclasses_of_name("java.lang.ref.WeakReference"),
        ),
        (
            "phantom",
            classes.subclasses_of_name("java.lang.ref.PhantomReference"),
        ),
        (
            "final",
            classes.subclasses_of_name("java.lang.ref.FinalReference"),
        ),
    ];
    let mut lists: Vec<(&'static str, Vec<u32>, Vec<u32>)> = kinds
        .iter()
        .map(|(k, _)| (*k, Vec::new(), Vec::new()))
        .collect();
    lists.push(("other", Vec::new(), Vec::new()));
    for &(r, v) in heap.captures.all(REFERENT) {
        let c = heap.class_of(r) as usize;
        let slot = kinds
            .iter()
            .position(|(_, set)| set.get(c).copied().unwrap_or(false))
            .unwrap_or(kinds.len());
        if let Some(e) = lists.get_mut(slot) {
            e.1.push(r);
            if v != crate::model::captures::NO_OBJECT {
                e.2.push(v as u32);
            }
        }
    }
    let ex = Exclusions::new(heap, false);
    lists
        .into_iter()
        .filter(|(_, refs, _)| !refs.is_empty())
        .map(|(kind, refs, mut referents)| {
            referents.sort_unstable();
            referents.dedup();
            let step = (referents.len() / MAX_CHECKED).max(1);
            let sample: Vec<u32> = referents
                .iter()
                .step_by(step)
                .take(MAX_CHECKED)
                .copied()
                .collect();
            let only = sample
                .iter()
                .filter(|&&r| {
                    heap.pre(r).is_some() && shortest_path(heap, &ex, r, 200_000, None).is_none()
                })
                .count() as u64;
            RefKindStats {
                kind,
                references: refs.len() as u64,
                referents: referents.len() as u64,
                referents_shallow_bytes: referents.iter().map(|&r| heap.shallow(r)).sum(),
                referents_retained_bytes: referents.iter().map(|&r| heap.retained(r)).sum(),
                checked: sample.len() as u64,
                only_through_references: only,
            }
        })
        .collect()
}

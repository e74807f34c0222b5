//! Immediate dominators (Eclipse MAT's "Immediate Dominators"; `heapscope
//! immediate-dominators`): for a set of objects — every instance of a class, or one object —
//! the objects that keep them alive, each being the nearest object every path from the GC
//! roots to them passes through, grouped by the dominator's class.
//!
//! Like MAT's `-skip`, dominators whose class matches a pattern (`java.*`) can be passed
//! over: the walk goes up the dominator tree to the first dominator of another class, so
//! that the answer names the application's class that holds the JDK's collections.
//! Objects dominated only by the GC roots as a whole (no single object keeps them alive)
//! are counted in a `<GC roots>` row.

use super::objects::{ObjRef, obj_ref_plain};
use crate::graph::Heap;
use crate::model::bits::{self, get as bit, set as set_bit};
use crate::model::hash::IdHashMap;
use serde::Serialize;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// The class name of the row of objects no single object dominates.
pub const GC_ROOTS: &str = "<GC roots>";

/// One dominator object of a row.
#[derive(Clone, Debug, Serialize)]
pub struct DominatorObject {
    /// The dominator.
    #[serde(flatten)]
    pub object: ObjRef,
    /// How many of the given objects it immediately dominates (after skipping).
    pub objects: u64,
}

/// The dominators of one class.
#[derive(Clone, Debug, Serialize)]
pub struct DominatorRow {
    /// The dominators' class (`<GC roots>`: no single object).
    pub class: String,
    /// Set on the `<GC roots>` row only.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub gc_roots: bool,
    /// Distinct dominator objects of this class (0 on the `<GC roots>` row).
    pub dominators: u64,
    /// Given objects they immediately dominate.
    pub objects: u64,
    /// The shallow bytes of those given objects.
    pub dominated_shallow_bytes: u64,
    /// The dominators' shallow bytes (0 on the `<GC roots>` row).
    pub shallow_bytes: u64,
    /// What the row's dominators keep alive together: the retained sizes of those that no
    /// other dominator of the row dominates (a list's nodes, each dominating the next,
    /// count once: the first node's size). 0 on the `<GC roots>` row.
    pub retained_bytes: u64,
    /// The dominators with the largest retained sizes, largest first.
    pub top: Vec<DominatorObject>,
    /// Dominators left out of `top`.
    pub more: u64,
}

/// `heapscope immediate-dominators --json`.
#[derive(Clone, Debug, Serialize)]
pub struct ImmediateDominators {
    /// The given objects (one object, or every instance of the classes named).
    pub objects: u64,
    /// Of them, those no GC root reaches (no dominator: in no row).
    pub unreachable_objects: u64,
    /// The class-name patterns passed over (`*` matches any run of characters).
    pub skip: Vec<String>,
    /// By dominator class, largest retained first; the `<GC roots>` row last. Their
    /// `objects` add up to `objects` less `unreachable_objects`.
    pub rows: Vec<DominatorRow>,
}

/// Whether `text` matches `pattern`, where `*` matches any run of characters (none
/// included) and every other character itself. Linear in practice (one backtrack point).
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut i, mut j) = (0usize, 0usize);
    // After the last `*`: where it stood in the pattern, and where it started matching.
    let mut star: Option<(usize, usize)> = None;
    while j < t.len() {
        match p.get(i) {
            Some('*') => {
                star = Some((i, j));
                i += 1;
            }
            Some(c) if Some(c) == t.get(j) => {
                i += 1;
                j += 1;
            }
            _ => match star {
                Some((si, sj)) => {
                    // Let the star take one more character.
                    i = si + 1;
                    j = sj + 1;
                    star = Some((si, sj + 1));
                }
                None => return false,
            },
        }
    }
    p.get(i..)
        .is_some_and(|rest| rest.iter().all(|&c| c == '*'))
}

/// The immediate dominators of `objects` (distinct) by class, passing over dominators
/// whose class name matches one of `skip`; `top` dominator objects listed per row.
///
/// Memory: a byte per class (skipped or not); 8 B per object (its dominator, sorted) and
/// 4 B per distinct dominator; `top` dominators per row; a cache of the walks past skipped
/// dominators (~12 B per skipped dominator met), so that a long chain of skipped objects (a
/// linked list) is walked once, not once per object; while the rows' retained sizes are
/// added up, 4 B + 2 bits per reachable object ([`covered`]). All freed on return.
pub fn immediate_dominators(
    heap: &Heap,
    objects: &[u32],
    skip: &[String],
    top: usize,
) -> ImmediateDominators {
    let classes = &heap.index.classes;
    let skipped: Vec<bool> = (0..classes.len() as u32)
        .map(|c| {
            let name = classes.name(c);
            skip.iter().any(|p| glob(p, name))
        })
        .collect();
    let dom = &heap.dom;
    let idom = |p: u32| dom.idom.get(p as usize).copied().unwrap_or(0);
    let is_skipped = |p: u32| {
        dom.vertex
            .get(p as usize)
            .and_then(|&x| skipped.get(heap.class_of(x) as usize))
            .copied()
            .unwrap_or(false)
    };
    // Skipped dominator (preorder) → the first dominator above it not skipped (0: none).
    let mut resolved: IdHashMap<u32, u32> = IdHashMap::default();
    let mut walk: Vec<u32> = Vec::new();
    // (dominator's preorder, 0 for the GC roots; object) pairs, sorted: 8 B per object.
    let mut pairs: Vec<u64> = Vec::with_capacity(objects.len());
    let mut unreachable = 0u64;
    for &o in objects {
        let Some(p) = heap.pre(o) else {
            unreachable += 1;
            continue;
        };
        let mut d = idom(p);
        if !skip.is_empty() {
            walk.clear();
            while d != 0 && is_skipped(d) {
                if let Some(&r) = resolved.get(&d) {
                    d = r;
                    break;
                }
                walk.push(d);
                d = idom(d);
            }
            for &w in &walk {
                resolved.insert(w, d);
            }
        }
        pairs.push((u64::from(d) << 32) | u64::from(o));
    }
    drop(resolved);
    pairs.sort_unstable();
    let dominator = |pair: u64| (pair >> 32) as u32;
    let mut distinct: Vec<u32> = pairs.iter().map(|&x| dominator(x)).collect();
    distinct.dedup();
    let covered = covered(heap, &distinct);
    drop(distinct);
    // Rows by the dominators' class, each with its `top` largest dominators so far (a
    // min-heap by retained size, then objects kept, then object order reversed).
    type Ranked = Reverse<(u64, u64, Reverse<u32>)>;
    let mut rows: IdHashMap<u32, (DominatorRow, BinaryHeap<Ranked>)> = IdHashMap::default();
    let mut roots_row: Option<DominatorRow> = None;
    for group in pairs.chunk_by(|a, b| dominator(*a) == dominator(*b)) {
        let Some(&first) = group.first() else {
            continue;
        };
        let d = dominator(first);
        let n = group.len() as u64;
        let bytes: u64 = group.iter().map(|&x| heap.shallow(x as u32)).sum();
        let Some(&x) = dom.vertex.get(d as usize).filter(|_| d != 0) else {
            roots_row = Some(DominatorRow {
                class: GC_ROOTS.into(),
                gc_roots: true,
                dominators: 0,
                objects: n,
                dominated_shallow_bytes: bytes,
                shallow_bytes: 0,
                retained_bytes: 0,
                top: Vec::new(),
                more: 0,
            });
            continue;
        };
        let c = heap.class_of(x);
        let retained = dom.retained.get(d);
        let (row, best) = rows.entry(c).or_insert_with(|| {
            let row = DominatorRow {
                class: classes.name(c).to_string(),
                gc_roots: false,
                dominators: 0,
                objects: 0,
                dominated_shallow_bytes: 0,
                shallow_bytes: 0,
                retained_bytes: 0,
                top: Vec::new(),
                more: 0,
            };
            (row, BinaryHeap::new())
        });
        row.dominators += 1;
        row.objects += n;
        row.dominated_shallow_bytes += bytes;
        row.shallow_bytes += heap.shallow(x);
        if !bit(&covered, d) {
            row.retained_bytes += retained;
        }
        best.push(Reverse((retained, n, Reverse(x))));
        if best.len() > top {
            best.pop();
        }
    }
    let mut out: Vec<(u32, DominatorRow)> = rows
        .into_iter()
        .map(|(c, (mut row, best))| {
            // Ascending by Reverse: largest first.
            row.top = best
                .into_sorted_vec()
                .into_iter()
                .map(|Reverse((_, n, Reverse(x)))| DominatorObject {
                    object: obj_ref_plain(heap, x),
                    objects: n,
                })
                .collect();
            row.more = row.dominators - row.top.len() as u64;
            (c, row)
        })
        .collect();
    out.sort_by(|(ca, a), (cb, b)| {
        b.retained_bytes
            .cmp(&a.retained_bytes)
            .then(b.objects.cmp(&a.objects))
            .then_with(|| a.class.cmp(&b.class))
            .then(ca.cmp(cb))
    });
    let mut rows: Vec<DominatorRow> = out.into_iter().map(|(_, r)| r).collect();
    rows.extend(roots_row);
    ImmediateDominators {
        objects: objects.len() as u64,
        unreachable_objects: unreachable,
        skip: skip.to_vec(),
        rows,
    }
}

/// The dominators (`dominators`: distinct preorder numbers; 0, the GC roots, ignored) that
/// another dominator of the same class dominates, as a bit per reachable object. One sweep
/// in preorder finds each object's nearest dominator among them (4 B per reachable object,
/// and a bit for membership, freed on return); from each one, the walk up those nearest
/// ones stops at the first of its class, and is remembered per (object passed, class) so
/// that no stretch is walked twice for a class.
fn covered(heap: &Heap, dominators: &[u32]) -> Vec<u64> {
    let dom = &heap.dom;
    let n = dom.vertex.len();
    let mut out = bits::empty(n);
    if dominators.iter().filter(|&&d| d != 0).count() < 2 {
        return out;
    }
    let mut member = bits::empty(n);
    for &d in dominators.iter().filter(|&&d| d != 0) {
        set_bit(&mut member, d);
    }
    let is_member = |p: u32| bit(&member, p);
    // nearest[p]: p's nearest strict dominator among the members (0: none).
    let mut nearest = vec![0u32; n];
    for (p, &i) in dom.idom.iter().enumerate().skip(1) {
        let up = if i != 0 && is_member(i) {
            i
        } else {
            nearest.get(i as usize).copied().unwrap_or(0)
        };
        if let Some(x) = nearest.get_mut(p) {
            *x = up;
        }
    }
    let class = |p: u32| {
        dom.vertex
            .get(p as usize)
            .map_or(u32::MAX, |&x| heap.class_of(x))
    };
    let mut memo: IdHashMap<u64, bool> = IdHashMap::default();
    let mut walked: Vec<u64> = Vec::new();
    for &d in dominators.iter().filter(|&&d| d != 0) {
        let c = class(d);
        let mut e = nearest.get(d as usize).copied().unwrap_or(0);
        walked.clear();
        let found = loop {
            if e == 0 {
                break false;
            }
            let key = (u64::from(e) << 32) | u64::from(c);
            if let Some(&r) = memo.get(&key) {
                break r;
            }
            if class(e) == c {
                break true;
            }
            walked.push(key);
            e = nearest.get(e as usize).copied().unwrap_or(0);
        };
        for &k in &walked {
            memo.insert(k, found);
        }
        if found {
            set_bit(&mut out, d);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn glob_matches_runs_and_literals() {
        assert!(glob("java.*", "java.util.HashMap"));
        assert!(glob("java.*", "java."));
        assert!(!glob("java.*", "javax.swing.JFrame"));
        assert!(glob("javax.*", "javax.swing.JFrame"));
        assert!(glob("*Map", "java.util.HashMap"));
        assert!(!glob("*Map", "java.util.HashMap$Node"));
        assert!(glob("*Map*", "java.util.HashMap$Node[]"));
        assert!(glob("java.util.HashMap", "java.util.HashMap"));
        assert!(!glob("java.util.HashMap", "java.util.HashMap$Node"));
        assert!(glob("*", ""));
        assert!(!glob("a*b*c", "aXbY"));
        assert!(glob("a*b*c", "aXbYc"));
        assert!(glob("**a", "ba"));
    }
}

//! The dominator tree as a report: the top of the tree, N children per level
//! ([`dominator_tree`]); one node's children at a time ([`children`]); a class's biggest
//! instances by retained size ([`biggest_instances`]).

use super::objects::{ObjRef, obj_ref_plain};
use crate::graph::Heap;
use serde::Serialize;

/// One node of the reported tree: the object (its fields inline, without a value) and
/// children.
#[derive(Clone, Debug, Serialize)]
pub struct DomNode {
    /// The object.
    #[serde(flatten)]
    pub object: ObjRef,
    /// Children shown (largest first).
    pub children: Vec<DomNode>,
}

/// The reported tree.
#[derive(Clone, Debug, Serialize)]
pub struct DomTree {
    /// The largest objects dominated only by the super-root (the GC roots' side).
    pub roots: Vec<DomNode>,
    /// Reachable heap bytes (the super-root's retained size).
    pub reachable_bytes: u64,
    /// Objects not reachable from any GC root.
    pub unreachable_objects: u64,
    /// Their shallow bytes.
    pub unreachable_bytes: u64,
}

/// A node for object `obj` without children.
pub fn node(heap: &Heap, obj: u32) -> DomNode {
    DomNode {
        object: obj_ref_plain(heap, obj),
        children: Vec::new(),
    }
}

/// The top `top` children per node, `depth` levels deep (iterative).
pub fn dominator_tree(heap: &Heap, top: usize, depth: usize) -> DomTree {
    // Build level by level: (path of child positions, object).
    let mut roots: Vec<DomNode> = Vec::new();
    let mut frontier: Vec<(Vec<usize>, u32)> = Vec::new();
    for (i, c) in heap.children(None).into_iter().take(top).enumerate() {
        roots.push(node(heap, c));
        frontier.push((vec![i], c));
    }
    for _ in 1..depth {
        let mut next = Vec::new();
        for (path, obj) in frontier {
            let kids: Vec<u32> = heap.children(Some(obj)).into_iter().take(top).collect();
            let Some(parent) = at(&mut roots, &path) else {
                continue;
            };
            for (i, c) in kids.into_iter().enumerate() {
                parent.children.push(node(heap, c));
                let mut p = path.clone();
                p.push(i);
                next.push((p, c));
            }
        }
        frontier = next;
    }
    DomTree {
        roots,
        reachable_bytes: heap.reachable_bytes(),
        unreachable_objects: heap.unreachable.0,
        unreachable_bytes: heap.unreachable.1,
    }
}

fn at<'a>(roots: &'a mut [DomNode], path: &[usize]) -> Option<&'a mut DomNode> {
    let (&first, rest) = path.split_first()?;
    let mut n = roots.get_mut(first)?;
    for &i in rest {
        n = n.children.get_mut(i)?;
    }
    Some(n)
}

/// One node's children in the dominator tree, and the totals that put them in scale.
#[derive(Clone, Debug, Serialize)]
pub struct DomChildren {
    /// Children, largest retained first (without their own children).
    pub nodes: Vec<DomNode>,
    /// Children left out.
    pub more: u64,
    /// Reachable heap bytes (the tree's total).
    pub reachable_bytes: u64,
    /// Objects not reachable from a GC root (not in the tree).
    pub unreachable_objects: u64,
    /// Their shallow bytes.
    pub unreachable_bytes: u64,
}

/// The children of `parent` (`None`: the GC roots' side, the tree's top level), largest
/// retained first, at most `limit`.
pub fn children(heap: &Heap, parent: Option<u32>, limit: usize) -> DomChildren {
    let kids = heap.children(parent);
    let more = kids.len().saturating_sub(limit) as u64;
    DomChildren {
        nodes: kids
            .into_iter()
            .take(limit)
            .map(|c| node(heap, c))
            .collect(),
        more,
        reachable_bytes: heap.reachable_bytes(),
        unreachable_objects: heap.unreachable.0,
        unreachable_bytes: heap.unreachable.1,
    }
}

/// A class's biggest instances.
#[derive(Clone, Debug, Serialize)]
pub struct Instances {
    /// Instances, largest retained first.
    pub nodes: Vec<DomNode>,
    /// Instances in all.
    pub total: u64,
}

/// The instances of the classes named `name`, largest retained first, at most `limit`.
pub fn biggest_instances(heap: &Heap, name: &str, limit: usize) -> Instances {
    let mut all: Vec<(u64, u32)> = heap
        .instances_of(heap.index.classes.by_name(name))
        .into_iter()
        .map(|o| (heap.retained(o), o))
        .collect();
    let total = all.len() as u64;
    let by_size = |a: &(u64, u32), b: &(u64, u32)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
    if all.len() > limit {
        all.select_nth_unstable_by(limit, by_size);
        all.truncate(limit);
    }
    all.sort_unstable_by(by_size);
    Instances {
        nodes: all.into_iter().map(|(_, o)| node(heap, o)).collect(),
        total,
    }
}

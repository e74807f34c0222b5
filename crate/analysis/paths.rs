//! Shortest paths from GC roots to objects, merged into a tree (Eclipse MAT's "merge
//! shortest paths to GC roots").
//!
//! Each target's path is found by a breadth-first search backwards over the referrers
//! graph (bounded by `max_explore`), so the first GC root met is a nearest one. By default
//! the search ignores the references that do not keep an object alive in the way that
//! matters to a leak hunt: `Reference.referent` of every `java.lang.ref.Reference`
//! (Soft, Weak, Phantom, Final) and the links of the Finalizer list (`Finalizer.next`,
//! `prev`, and the static `unfinalized`). The merged tree counts how many targets each
//! node leads to; runs of nodes of one class linked by one field (a linked list's `next`)
//! collapse into one node with a repeat count.

use super::fields::{FINALIZER_NEXT, FINALIZER_PREV, REFERENT};
use super::objects::{ObjRef, describe_slot, obj_ref, outgoing};
use super::threads::{local_of, thread_name};
use crate::format::{ByteSource, HprofError};
use crate::graph::Heap;
use crate::graph::dominators::NONE;
use crate::model::hash::IdHashMap;
use serde::Serialize;
use std::collections::{HashMap, VecDeque};

/// Objects visited per target by default (see [`PathOptions::max_explore`]).
pub const MAX_EXPLORE: usize = 2_000_000;

/// How to search.
#[derive(Clone, Copy, Debug)]
pub struct PathOptions {
    /// Also follow `Reference.referent` and Finalizer list links.
    pub include_weak: bool,
    /// At most this many targets get a path (evenly sampled when there are more).
    pub max_targets: usize,
    /// At most this many objects are visited per target.
    pub max_explore: usize,
    /// Children shown per node of the merged tree.
    pub max_children: usize,
}

impl Default for PathOptions {
    fn default() -> Self {
        PathOptions {
            include_weak: false,
            max_targets: 5000,
            max_explore: MAX_EXPLORE,
            max_children: 25,
        }
    }
}

/// Which references the search ignores.
pub struct Exclusions {
    include_weak: bool,
    reference: Vec<bool>,
    finalizer: Vec<bool>,
    finalizer_class_objects: Vec<u32>,
}

impl Exclusions {
    /// The exclusions for `heap`.
    pub fn new(heap: &Heap, include_weak: bool) -> Self {
        let classes = &heap.index.classes;
        Exclusions {
            include_weak,
            reference: classes.subclasses_of_name("java.lang.ref.Reference"),
            finalizer: classes.subclasses_of_name("java.lang.ref.Finalizer"),
            finalizer_class_objects: classes.by_name("java.lang.ref.Finalizer").to_vec(),
        }
    }

    /// Whether the reference `from → to` is ignored.
    #[inline]
    pub fn excluded(&self, heap: &Heap, from: u32, to: u32) -> bool {
        if self.include_weak {
            return false;
        }
        let c = heap.class_of(from) as usize;
        if self.reference.get(c).copied().unwrap_or(false)
            && heap.captures.get_ref(REFERENT, from) == Some(to)
        {
            return true;
        }
        if self.finalizer.get(c).copied().unwrap_or(false)
            && (heap.captures.get_ref(FINALIZER_NEXT, from) == Some(to)
                || heap.captures.get_ref(FINALIZER_PREV, from) == Some(to))
        {
            return true;
        }
        // `Finalizer.unfinalized`: the Finalizer class object's reference to a Finalizer.
        self.finalizer_class_objects.contains(&from)
            && self
                .finalizer
                .get(heap.class_of(to) as usize)
                .copied()
                .unwrap_or(false)
    }
}

/// The shortest path from a GC root to `target` (root first), or `None` if the search
/// found none within `max_explore` objects, or `avoid` blocks every path.
pub fn shortest_path(
    heap: &Heap,
    ex: &Exclusions,
    target: u32,
    max_explore: usize,
    avoid: Option<u32>,
) -> Option<Vec<u32>> {
    let pt = heap.pre(target)?;
    if Some(target) == avoid {
        return None;
    }
    let dom = &heap.dom;
    // next[q] = the object q leads to on the way to the target.
    let mut next: IdHashMap<u32, u32> = IdHashMap::default();
    next.insert(pt, NONE);
    let mut queue = VecDeque::from([pt]);
    let mut preds = Vec::new();
    // Every queued vertex is a preorder number: the target's, or a referrer's.
    let object = |p: u32| dom.vertex.get(p as usize).copied();
    while let Some(x) = queue.pop_front() {
        let Some(xo) = object(x) else {
            continue;
        };
        let mut root = false;
        preds.clear();
        dom.referrers.for_each(x, |q| {
            if q == 0 {
                root = true;
            } else {
                preds.push(q);
            }
        });
        if root {
            let mut path = vec![xo];
            let mut cur = x;
            while let Some(&n) = next.get(&cur) {
                if n == NONE {
                    break;
                }
                path.extend(object(n));
                cur = n;
            }
            return Some(path);
        }
        for &q in &preds {
            if next.contains_key(&q) {
                continue;
            }
            let Some(qo) = object(q) else {
                continue;
            };
            if Some(qo) == avoid || ex.excluded(heap, qo, xo) {
                continue;
            }
            if next.len() >= max_explore {
                return None;
            }
            next.insert(q, x);
            queue.push_back(q);
        }
    }
    None
}

/// At most `max` of `items` (all of them if `max` is 0), evenly spread: item
/// `⌊i · len / max⌋` for each `i < max`.
pub fn sample_evenly(items: &[u32], max: usize) -> Vec<u32> {
    if items.len() > max && max > 0 {
        let step = items.len() as f64 / max as f64;
        (0..max)
            .filter_map(|i| items.get((i as f64 * step) as usize).copied())
            .collect()
    } else {
        items.to_vec()
    }
}

/// A step of a path from a GC root: an object with how it is reached. A node of the
/// merged tree (`PathNode`) is one, and so is a step of a single path flattened from the
/// tree (the class loaders' paths to a duplicate class).
#[derive(Clone, Debug, Serialize)]
pub struct PathStep {
    /// The object (the first of a collapsed run).
    #[serde(flatten)]
    pub object: ObjRef,
    /// The field of the previous step that refers to this object (`None` at GC roots).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// GC root kinds, at the top level.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gc_roots: Vec<&'static str>,
    /// For a root held by a thread's frame: `'thread name' at Class.method`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub held_by: Option<String>,
    /// Objects of the same class linked by the same field, collapsed into this step
    /// (1: no collapse).
    pub repeat: u32,
}

/// A node of the merged path tree.
#[derive(Clone, Debug, Serialize)]
pub struct PathNode {
    /// The object and how it is reached.
    #[serde(flatten)]
    pub step: PathStep,
    /// Targets whose path goes through this node.
    pub targets: u64,
    /// Children (at most `max_children`, most targets first).
    pub children: Vec<PathNode>,
    /// Children left out.
    #[serde(skip_serializing_if = "is_zero")]
    pub more_children: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The merged path tree.
#[derive(Clone, Debug, Serialize)]
pub struct PathTree {
    /// Targets asked for.
    pub targets: u64,
    /// Targets searched (a sample when there are more than `max_targets`).
    pub searched: u64,
    /// Targets with a path.
    pub found: u64,
    /// Targets that are unreachable, or whose search hit its limit.
    pub not_found: u64,
    /// Whether `Reference.referent` and Finalizer links were followed.
    pub include_weak: bool,
    /// The GC roots the paths start from, most targets first.
    pub roots: Vec<PathNode>,
    /// GC roots left out of `roots`.
    pub more_roots: u64,
}

/// Output nesting is capped at this depth (after collapsing runs), so that serializing a
/// pathological path never recurses deeply; deeper nodes are counted in `more_children`.
pub const MAX_DEPTH: usize = 100;

struct Trie {
    obj: u32,
    count: u64,
    children: Vec<usize>,
}

/// Merged shortest paths from GC roots to `targets`.
pub fn merged_paths(
    heap: &Heap,
    src: &mut dyn ByteSource,
    targets: &[u32],
    opts: &PathOptions,
) -> Result<PathTree, HprofError> {
    let ex = Exclusions::new(heap, opts.include_weak);
    let sample = sample_evenly(targets, opts.max_targets);
    let mut nodes: Vec<Trie> = vec![Trie {
        obj: NONE,
        count: 0,
        children: Vec::new(),
    }];
    let mut index: HashMap<(usize, u32), usize> = HashMap::new();
    let mut found = 0u64;
    for &t in &sample {
        let Some(path) = shortest_path(heap, &ex, t, opts.max_explore, None) else {
            continue;
        };
        found += 1;
        let mut at = 0usize;
        if let Some(root) = nodes.first_mut() {
            root.count += 1;
        }
        for &o in &path {
            let next = match index.get(&(at, o)) {
                Some(&n) => n,
                None => {
                    nodes.push(Trie {
                        obj: o,
                        count: 0,
                        children: Vec::new(),
                    });
                    let n = nodes.len() - 1;
                    if let Some(parent) = nodes.get_mut(at) {
                        parent.children.push(n);
                    }
                    index.insert((at, o), n);
                    n
                }
            };
            if let Some(node) = nodes.get_mut(next) {
                node.count += 1;
            }
            at = next;
        }
    }
    let mut fields = FieldNamer::default();
    let (roots, more_roots) = build_nodes(heap, src, &nodes, opts.max_children, &mut fields)?;
    Ok(PathTree {
        targets: targets.len() as u64,
        searched: sample.len() as u64,
        found,
        not_found: sample.len() as u64 - found,
        include_weak: opts.include_weak,
        roots,
        more_roots,
    })
}

/// Names references, reading each referring object's record once.
#[derive(Default)]
pub struct FieldNamer {
    cache: HashMap<u32, Vec<(u32, u32)>>,
}

impl FieldNamer {
    /// The field through which `from` refers to `to`.
    pub fn name(
        &mut self,
        heap: &Heap,
        src: &mut dyn ByteSource,
        from: u32,
        to: u32,
    ) -> Result<String, HprofError> {
        if !self.cache.contains_key(&from) {
            if self.cache.len() > 50_000 {
                self.cache.clear();
            }
            let refs = outgoing(heap, src, from, u32::MAX)?;
            self.cache.insert(from, refs);
        }
        Ok(self
            .cache
            .get(&from)
            .and_then(|refs| refs.iter().find(|&&(_, t)| t == to))
            .map_or_else(|| "?".into(), |&(slot, _)| describe_slot(heap, from, slot)))
    }
}

/// Turns the trie into output nodes, breadth-first with an explicit work list (no
/// recursion), collapsing runs of one class linked by one field.
fn build_nodes(
    heap: &Heap,
    src: &mut dyn ByteSource,
    nodes: &[Trie],
    max_children: usize,
    names: &mut FieldNamer,
) -> Result<(Vec<PathNode>, u64), HprofError> {
    // Output arena: (node, children indices in the arena).
    let mut out: Vec<(PathNode, Vec<usize>)> = Vec::new();
    // Work: (trie node, parent trie object, parent arena index or MAX for top level, depth)
    let mut work: VecDeque<(usize, u32, usize, usize)> = VecDeque::new();
    let mut top: Vec<usize> = Vec::new();
    // Trie indices are positions in `nodes`, each pushed before it was referred to.
    let count = |i: usize| nodes.get(i).map_or(0, |n| n.count);
    let sorted = |ch: &[usize]| {
        let mut v = ch.to_vec();
        v.sort_by(|&a, &b| count(b).cmp(&count(a)).then(a.cmp(&b)));
        v
    };
    let root_children = sorted(nodes.first().map_or(&[], |n| n.children.as_slice()));
    for &c in root_children.iter().take(max_children) {
        work.push_back((c, NONE, usize::MAX, 0));
    }
    let more_top = root_children.len().saturating_sub(max_children) as u64;
    while let Some((t, parent_obj, parent_slot, depth)) = work.pop_front() {
        let Some(start) = nodes.get(t) else {
            continue;
        };
        let obj = start.obj;
        let field = if parent_obj == NONE {
            None
        } else {
            Some(names.name(heap, src, parent_obj, obj)?)
        };
        // Collapse a run: single child, same class, same field.
        let mut end = start;
        let mut repeat = 1u32;
        let class = heap.class_of(obj);
        while let &[c] = end.children.as_slice() {
            let Some(child) = nodes.get(c) else {
                break;
            };
            let co = child.obj;
            if heap.class_of(co) != class || field.is_none() {
                break;
            }
            let f = names.name(heap, src, end.obj, co)?;
            if Some(&f) != field.as_ref() {
                break;
            }
            end = child;
            repeat += 1;
        }
        let mut gc_roots: Vec<&'static str> = if parent_obj == NONE {
            heap.roots_of(obj).iter().map(|r| r.kind.name()).collect()
        } else {
            Vec::new()
        };
        gc_roots.sort_unstable();
        gc_roots.dedup();
        let kids = sorted(&end.children);
        let held_by = if parent_obj == NONE {
            local_of(heap, obj).map(|(t, m)| {
                format!(
                    "'{}'{}",
                    thread_name(heap, src, t),
                    m.map(|m| format!(" at {m}")).unwrap_or_default()
                )
            })
        } else {
            None
        };
        let node = PathNode {
            step: PathStep {
                object: obj_ref(heap, src, obj),
                field,
                gc_roots,
                held_by,
                repeat,
            },
            targets: start.count,
            children: Vec::new(),
            more_children: if depth + 1 >= MAX_DEPTH {
                kids.len() as u64
            } else {
                kids.len().saturating_sub(max_children) as u64
            },
        };
        out.push((node, Vec::new()));
        let me = out.len() - 1;
        if parent_slot == usize::MAX {
            top.push(me);
        } else if let Some(p) = out.get_mut(parent_slot) {
            p.1.push(me);
        }
        if depth + 1 < MAX_DEPTH {
            for &c in kids.iter().take(max_children) {
                work.push_back((c, end.obj, me, depth + 1));
            }
        }
    }
    // Assemble bottom-up: children always come after their parent in `out`.
    let mut built: Vec<Option<PathNode>> = out.iter().map(|_| None).collect();
    let take = |built: &mut Vec<Option<PathNode>>, k: usize| built.get_mut(k)?.take();
    for (i, (mut node, kids)) in out.into_iter().enumerate().rev() {
        node.children = kids.iter().filter_map(|&k| take(&mut built, k)).collect();
        if let Some(b) = built.get_mut(i) {
            *b = Some(node);
        }
    }
    let roots: Vec<PathNode> = top.iter().filter_map(|&i| take(&mut built, i)).collect();
    Ok((roots, more_top))
}

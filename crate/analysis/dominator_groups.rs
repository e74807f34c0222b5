//! The dominator tree grouped by class (Eclipse MAT's "Group by class" in the dominator
//! tree): at a level, the objects the level's nodes immediately dominate, one row per
//! class, with their count and summed shallow and retained sizes. Objects at one depth of
//! the dominator tree have disjoint retained sets, so a group's retained sum is exact: it
//! is what would be freed if every object of the group were gone.
//!
//! A group is named by its path of class names from a starting node (the GC roots' side,
//! or one object): `[C]` is the objects of class `C` the start immediately dominates,
//! `[C, D]` the objects of class `D` that objects of `[C]` immediately dominate, and so on
//! ([`group`]). Classes of the same name (defined by several loaders) make one group: the
//! name is what the path says. Class objects group under `java.lang.Class`.
//!
//! Nothing is kept between queries. A query walks `idom` once per level of its path (4 B
//! per reachable object read, nothing written per object); while it runs it holds the
//! level's objects (4 B each), a bit per reachable object for the membership test, and an
//! accumulator per (group, class) pair.

use super::dominators_report::{DomNode, node};
use super::objects::{ObjRef, obj_ref_plain};
use crate::graph::Heap;
use crate::model::hash::IdHashMap;
use serde::Serialize;

/// A (tag, class) pair as one hash key.
fn key(tag: u32, class: u32) -> u64 {
    u64::from(tag) << 32 | u64::from(class)
}

/// Objects of one class at one place in the dominator tree: count and summed sizes.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ClassSum {
    /// The class's Java name (`java.lang.Class` for class objects).
    pub class: String,
    /// Objects.
    pub objects: u64,
    /// Their shallow bytes.
    pub shallow_bytes: u64,
    /// Their retained bytes (exact: the objects' retained sets are disjoint).
    pub retained_bytes: u64,
}

/// A group of the grouped dominator tree, with the groups of the level below it.
#[derive(Clone, Debug, Serialize)]
pub struct ClassGroup {
    /// Class, objects and sums.
    #[serde(flatten)]
    pub sum: ClassSum,
    /// The group's largest object (by retained size).
    pub largest: ObjRef,
    /// The objects the group's objects immediately dominate, grouped by class, largest
    /// retained first (the first `top` of them in a tree; none below its last level).
    pub children: Vec<ClassGroup>,
    /// Groups of the level below left out of `children`.
    pub more_children: u64,
}

/// `heapscope dominators --group-by class`: the dominator tree's top levels, grouped.
#[derive(Clone, Debug, Serialize)]
pub struct GroupedDomTree {
    /// What the rows are grouped by: `class`.
    pub group_by: &'static str,
    /// The objects only the GC roots as a whole keep alive (the tree's top level), grouped
    /// by class, largest retained first.
    pub groups: Vec<ClassGroup>,
    /// Top-level groups left out of `groups`.
    pub more_groups: u64,
    /// Reachable heap bytes (the tree's total).
    pub reachable_bytes: u64,
    /// Objects not reachable from any GC root (not in the tree).
    pub unreachable_objects: u64,
    /// Their shallow bytes.
    pub unreachable_bytes: u64,
}

/// One group of the tree as the page asks for it (`dominator_group`): the group's sums,
/// its objects (a page of them) and the groups of the level below.
#[derive(Clone, Debug, Serialize)]
pub struct DomGroup {
    /// The starting object (absent: the GC roots' side, the tree's top).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Class names from the start to the group (empty: the start itself).
    pub path: Vec<String>,
    /// The group (absent for an empty path).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<ClassSum>,
    /// The objects the group's objects (the start's, for an empty path) immediately
    /// dominate, grouped by class, largest retained first (at most `group_limit`; their
    /// own `children` are empty: ask with a longer path).
    pub groups: Vec<ClassGroup>,
    /// Groups left out.
    pub more_groups: u64,
    /// The group's objects, largest retained first (at most `limit`; none for an empty
    /// path).
    pub nodes: Vec<DomNode>,
    /// Objects left out.
    pub more: u64,
    /// Reachable heap bytes (the tree's total).
    pub reachable_bytes: u64,
    /// Objects not reachable from any GC root (not in the tree).
    pub unreachable_objects: u64,
    /// Their shallow bytes.
    pub unreachable_bytes: u64,
}

/// A set of vertices at one depth of the dominator tree (preorder numbers), each tagged
/// with the group it belongs to: 8 B per member, plus a bit per reachable object when it
/// has more than one member.
struct Level {
    /// Members in ascending preorder.
    members: Vec<u32>,
    /// The group of each member (parallel to `members`).
    tags: Vec<u32>,
    /// Membership bits by preorder (empty for fewer than two members).
    bits: Vec<u64>,
}

impl Level {
    /// The super-root alone (the tree's top).
    fn root() -> Level {
        Level {
            members: vec![0],
            tags: vec![0],
            bits: Vec::new(),
        }
    }

    /// A level from (preorder, tag) pairs in any order.
    fn new(heap: &Heap, mut pairs: Vec<(u32, u32)>) -> Level {
        pairs.sort_unstable();
        let (members, tags): (Vec<u32>, Vec<u32>) = pairs.into_iter().unzip();
        let mut bits = Vec::new();
        if members.len() > 1 {
            bits = crate::model::bits::empty(heap.dom.idom.len());
            for &p in &members {
                crate::model::bits::set(&mut bits, p);
            }
        }
        Level {
            members,
            tags,
            bits,
        }
    }

    /// The tag of vertex `p`, if it is a member.
    fn tag(&self, p: u32) -> Option<u32> {
        if self.bits.is_empty() {
            return match (self.members.first(), self.tags.first()) {
                (Some(&m), Some(&t)) if m == p => Some(t),
                _ => None,
            };
        }
        if !crate::model::bits::get(&self.bits, p) {
            return None;
        }
        let i = self.members.binary_search(&p).ok()?;
        self.tags.get(i).copied()
    }

    /// Calls `f(w, tag)` for every vertex `w` a member immediately dominates. The
    /// super-root's children are kept (largest first); below, one pass over `idom` from the
    /// first member on (dominated vertices come after their dominator in preorder).
    fn for_each_child(&self, heap: &Heap, mut f: impl FnMut(u32, u32)) {
        let dom = &heap.dom;
        if self.members.first() == Some(&0) && self.members.len() == 1 {
            let tag = self.tags.first().copied().unwrap_or(0);
            for &w in &dom.top {
                f(w, tag);
            }
            return;
        }
        let Some(&first) = self.members.first() else {
            return;
        };
        for (w, &d) in dom.idom.iter().enumerate().skip(first as usize + 1) {
            if d >= first
                && let Some(t) = self.tag(d)
            {
                f(w as u32, t);
            }
        }
    }
}

/// Per class index, the class index that stands for its name (the first with that name),
/// so that same-named classes group together: 4 B per class.
fn canonical_classes(heap: &Heap) -> Vec<u32> {
    let classes = &heap.index.classes;
    (0..classes.len() as u32)
        .map(|c| {
            classes
                .by_name(classes.name(c))
                .first()
                .copied()
                .unwrap_or(c)
        })
        .collect()
}

/// Sums of one group while a level is scanned: ~40 B per (group, class) pair.
#[derive(Clone, Copy, Default)]
struct Acc {
    objects: u64,
    shallow: u64,
    retained: u64,
    /// The largest object: (retained, preorder).
    largest: (u64, u32),
}

impl Acc {
    fn add(&mut self, heap: &Heap, p: u32) {
        let r = heap.dom.retained.get(p);
        let obj = vertex(heap, p);
        self.objects += 1;
        self.shallow += heap.shallow(obj);
        self.retained += r;
        if self.objects == 1 || larger((r, p), self.largest) {
            self.largest = (r, p);
        }
    }
}

/// Whether (retained, preorder) `a` comes before `b`: larger retained first, then the
/// earlier preorder (the order of [`Heap::children`]).
fn larger(a: (u64, u32), b: (u64, u32)) -> bool {
    a.0 > b.0 || (a.0 == b.0 && a.1 < b.1)
}

fn vertex(heap: &Heap, p: u32) -> u32 {
    heap.dom.vertex.get(p as usize).copied().unwrap_or(0)
}

/// The canonical class of vertex `p`.
fn class_at(heap: &Heap, canon: &[u32], p: u32) -> u32 {
    let c = heap.class_of(vertex(heap, p));
    canon.get(c as usize).copied().unwrap_or(c)
}

/// A group row (without children) from its class and sums.
fn group_row(heap: &Heap, class: u32, a: &Acc) -> ClassGroup {
    ClassGroup {
        sum: ClassSum {
            class: heap.index.classes.name(class).to_string(),
            objects: a.objects,
            shallow_bytes: a.shallow,
            retained_bytes: a.retained,
        },
        largest: obj_ref_plain(heap, vertex(heap, a.largest.1)),
        children: Vec::new(),
        more_children: 0,
    }
}

/// Orders groups: larger retained first, then more objects, then the name.
fn by_size(heap: &Heap, a: &(u32, Acc), b: &(u32, Acc)) -> std::cmp::Ordering {
    b.1.retained
        .cmp(&a.1.retained)
        .then(b.1.objects.cmp(&a.1.objects))
        .then_with(|| {
            heap.index
                .classes
                .name(a.0)
                .cmp(heap.index.classes.name(b.0))
        })
        .then(a.0.cmp(&b.0))
}

/// The children of `level`'s members grouped by (tag, class): per tag, the groups sorted
/// largest first.
fn group_children(heap: &Heap, canon: &[u32], level: &Level) -> IdHashMap<u32, Vec<(u32, Acc)>> {
    let mut acc: IdHashMap<u64, Acc> = IdHashMap::default();
    level.for_each_child(heap, |w, tag| {
        acc.entry(key(tag, class_at(heap, canon, w)))
            .or_default()
            .add(heap, w);
    });
    let mut by_tag: IdHashMap<u32, Vec<(u32, Acc)>> = IdHashMap::default();
    for (k, a) in acc {
        by_tag
            .entry((k >> 32) as u32)
            .or_default()
            .push((k as u32, a));
    }
    for v in by_tag.values_mut() {
        v.sort_by(|a, b| by_size(heap, a, b));
    }
    by_tag
}

/// The dominator tree's top `depth` levels grouped by class, the `top` largest groups of
/// each level under each group. Two passes over `idom` per level below the first.
pub fn grouped_tree(heap: &Heap, top: usize, depth: usize) -> GroupedDomTree {
    let canon = canonical_classes(heap);
    // The groups made so far, each with its parent's index (none: the top level), in the
    // order made: a parent before its children, siblings largest first.
    let mut made: Vec<(Option<usize>, ClassGroup)> = Vec::new();
    let mut more_groups = 0;
    // The level being expanded: its members' tags are indices into `made` (+ 1; 0 is the
    // super-root).
    let mut level = Level::root();
    for d in 0..depth {
        let groups = group_children(heap, &canon, &level);
        // The groups kept at this level: (parent tag, class) → their index + 1.
        let mut kept: IdHashMap<u64, u32> = IdHashMap::default();
        let mut tags: Vec<u32> = groups.keys().copied().collect();
        tags.sort_unstable();
        for tag in tags {
            let Some(list) = groups.get(&tag) else {
                continue;
            };
            let left = list.len().saturating_sub(top) as u64;
            let parent = (tag as usize).checked_sub(1);
            match parent.and_then(|i| made.get_mut(i)) {
                Some((_, g)) => g.more_children = left,
                None => more_groups = left,
            }
            for (class, a) in list.iter().take(top) {
                made.push((parent, group_row(heap, *class, a)));
                kept.insert(key(tag, *class), made.len() as u32);
            }
        }
        if d + 1 == depth || kept.is_empty() {
            break;
        }
        let mut next = Vec::new();
        level.for_each_child(heap, |w, tag| {
            if let Some(&t) = kept.get(&key(tag, class_at(heap, &canon, w))) {
                next.push((w, t));
            }
        });
        level = Level::new(heap, next);
    }
    // Assemble: children were made after their parents, so taking the groups from the
    // last one down, each group's children are complete (in reverse) when it is taken.
    let mut slots: Vec<Option<ClassGroup>> = Vec::with_capacity(made.len());
    let mut parents = Vec::with_capacity(made.len());
    for (p, g) in made {
        parents.push(p);
        slots.push(Some(g));
    }
    let mut roots = Vec::new();
    for i in (0..slots.len()).rev() {
        let Some(mut g) = slots.get_mut(i).and_then(Option::take) else {
            continue;
        };
        g.children.reverse();
        match parents
            .get(i)
            .copied()
            .flatten()
            .and_then(|p| slots.get_mut(p))
        {
            Some(Some(parent)) => parent.children.push(g),
            _ => roots.push(g),
        }
    }
    roots.reverse();
    GroupedDomTree {
        group_by: "class",
        groups: roots,
        more_groups,
        reachable_bytes: heap.reachable_bytes(),
        unreachable_objects: heap.unreachable.0,
        unreachable_bytes: heap.unreachable.1,
    }
}

/// The group at `path` below `parent` (`None`: the GC roots' side), its `limit` largest
/// objects and its children grouped by class (`group_limit` of them). `None` when the
/// path names no objects (or `parent` is unreachable).
pub fn group(
    heap: &Heap,
    parent: Option<u32>,
    path: &[String],
    limit: usize,
    group_limit: usize,
) -> Option<DomGroup> {
    let canon = canonical_classes(heap);
    let classes = &heap.index.classes;
    let mut level = match parent {
        None => Level::root(),
        Some(o) => Level::new(heap, vec![(heap.pre(o)?, 0)]),
    };
    let mut sums = None;
    for name in path {
        let wanted: Vec<u32> = classes
            .by_name(name)
            .iter()
            .filter_map(|&c| canon.get(c as usize).copied())
            .collect();
        let mut members = Vec::new();
        let mut acc = Acc::default();
        level.for_each_child(heap, |w, _| {
            if wanted.contains(&class_at(heap, &canon, w)) {
                members.push((w, 0));
                acc.add(heap, w);
            }
        });
        if members.is_empty() {
            return None;
        }
        sums = Some(ClassSum {
            class: name.clone(),
            objects: acc.objects,
            shallow_bytes: acc.shallow,
            retained_bytes: acc.retained,
        });
        level = Level::new(heap, members);
    }
    // The group's objects, largest first.
    let (nodes, more) = if path.is_empty() {
        (Vec::new(), 0)
    } else {
        let mut objs: Vec<(u64, u32)> = level
            .members
            .iter()
            .map(|&p| (heap.dom.retained.get(p), p))
            .collect();
        let order = |a: &(u64, u32), b: &(u64, u32)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
        let more = objs.len().saturating_sub(limit) as u64;
        if objs.len() > limit {
            objs.select_nth_unstable_by(limit, order);
            objs.truncate(limit);
        }
        objs.sort_unstable_by(order);
        (
            objs.into_iter()
                .map(|(_, p)| node(heap, vertex(heap, p)))
                .collect(),
            more,
        )
    };
    let list = group_children(heap, &canon, &level)
        .remove(&0)
        .unwrap_or_default();
    let more_groups = list.len().saturating_sub(group_limit) as u64;
    Some(DomGroup {
        parent: parent.map(|o| obj_ref_plain(heap, o).object),
        path: path.to_vec(),
        group: sums,
        groups: list
            .iter()
            .take(group_limit)
            .map(|(c, a)| group_row(heap, *c, a))
            .collect(),
        more_groups,
        nodes,
        more,
        reachable_bytes: heap.reachable_bytes(),
        unreachable_objects: heap.unreachable.0,
        unreachable_bytes: heap.unreachable.1,
    })
}

/// The objects `obj` immediately dominates, grouped by class, largest retained first, at
/// most `top` classes (a leak suspect's accumulated objects).
pub fn dominated_by_class(heap: &Heap, obj: u32, top: usize) -> Vec<ClassSum> {
    let Some(p) = heap.pre(obj) else {
        return Vec::new();
    };
    let canon = canonical_classes(heap);
    let level = Level::new(heap, vec![(p, 0)]);
    group_children(heap, &canon, &level)
        .remove(&0)
        .unwrap_or_default()
        .iter()
        .take(top)
        .map(|(c, a)| group_row(heap, *c, a).sum)
        .collect()
}

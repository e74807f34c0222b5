//! The analyzed heap: pass 1's index plus references, dominators and retained sizes, and
//! the queries every view builds on (an object's class, sizes, dominator, children,
//! referrers, GC roots).
//!
//! Memory kept for queries, per object: the object table (~11 B), `pre` (4 B), and per
//! reachable object `vertex` (4), `idom` (4), `retained` (4; 8 for heaps of 32 GiB and
//! more), and the reverse graph (4 + 4 per reference): 31 B per object + 4 B per reference.
//! A node's dominator-tree children are found by scanning `idom` (the top level is kept).

use super::dominators::{NONE, Retained};
use crate::model::bits;
use crate::model::captures::Captures;
use crate::model::classes::ClassInfo;
use crate::model::csr::Csr;
use crate::model::index::Index;
use crate::model::objects::ObjectTable;
use crate::model::refs::Resolver;
use crate::model::roots::RootSet;

pub use crate::model::roots::Root;

/// Dominator results.
pub struct Dominance {
    /// Object → preorder number (`NONE` when unreachable).
    pub pre: Vec<u32>,
    /// Preorder → object (`vertex[0]`: the super-root).
    pub vertex: Vec<u32>,
    /// Preorder → preorder of the immediate dominator (0: the super-root).
    pub idom: Vec<u32>,
    /// Preorder → retained bytes (`retained[0]`: the reachable heap).
    pub retained: Retained,
    /// Reverse graph in preorder space (who refers to whom), super-root edges included,
    /// each list starting with the DFS parent.
    pub referrers: Csr,
    /// The super-root's children (preorder), largest retained first.
    pub top: Vec<u32>,
}

/// The analyzed heap: what [`Build`](super::build::Build) produces and every analysis reads.
pub struct Heap {
    /// Pass 1's index (with its object table), and every diagnostic of every pass.
    pub index: Index,
    /// GC roots resolved to objects: the records, the super-root's targets, the threads'
    /// locals, the root classes ([`RootSet::root_classes`]: the referrers graph leaves out
    /// their instances' references to them, and [`Heap::referrers`] adds them back).
    pub roots: RootSet,
    /// Fields captured in the references pass.
    pub captures: Captures,
    /// Dominators, retained sizes, referrers.
    pub dom: Dominance,
    /// Retained bytes per class: Eclipse MAT's "retained heap" of the class's instances —
    /// the sum over instances that no other instance of the class dominates.
    pub class_retained: Vec<u64>,
    /// Objects the GC roots do not reach: count and shallow bytes.
    pub unreachable: (u64, u64),
    /// References in the graph (object to object, including instance → class).
    pub references: u64,
}

impl Heap {
    /// The object table.
    pub fn objects(&self) -> &ObjectTable {
        // The session only builds a Heap from an index with an object table.
        self.index
            .objects
            .as_ref()
            .unwrap_or_else(|| ObjectTable::empty_static())
    }

    /// Number of objects.
    pub fn object_count(&self) -> usize {
        self.objects().len()
    }

    /// The ID (address) of an object.
    pub fn id_of(&self, obj: u32) -> u64 {
        let classes = &self.index.classes;
        if obj < classes.object_count {
            classes.get(obj).map_or(0, |c| c.id)
        } else {
            self.objects().ids.id_of(obj).unwrap_or(0)
        }
    }

    /// The object with this ID.
    pub fn object_by_id(&self, id: u64) -> Option<u32> {
        Resolver::new(self.objects(), &self.index.classes).resolve(id)
    }

    /// Class index of an object.
    pub fn class_of(&self, obj: u32) -> u32 {
        self.objects()
            .class_of
            .get(obj as usize)
            .unwrap_or(u32::MAX)
    }

    /// Class of an object.
    pub fn class_info(&self, obj: u32) -> Option<&ClassInfo> {
        self.index.classes.get(self.class_of(obj))
    }

    /// Java name of an object's class; for class objects, `class Name`.
    pub fn describe_class(&self, obj: u32) -> String {
        let classes = &self.index.classes;
        if obj < classes.object_count {
            return format!("class {}", classes.name(obj));
        }
        classes.name(self.class_of(obj)).to_string()
    }

    /// Shallow size.
    pub fn shallow(&self, obj: u32) -> u64 {
        self.objects().size(obj)
    }

    /// Preorder number, if reachable.
    pub fn pre(&self, obj: u32) -> Option<u32> {
        self.dom
            .pre
            .get(obj as usize)
            .copied()
            .filter(|&p| p != NONE)
    }

    /// Retained size (0 when unreachable).
    pub fn retained(&self, obj: u32) -> u64 {
        self.pre(obj).map_or(0, |p| self.dom.retained.get(p))
    }

    /// Total reachable heap (the super-root's retained size).
    pub fn reachable_bytes(&self) -> u64 {
        self.dom.retained.get(0)
    }

    /// Immediate dominator; `None` for objects dominated only by the super-root and for
    /// unreachable objects.
    pub fn idom(&self, obj: u32) -> Option<u32> {
        let p = self.pre(obj)?;
        match *self.dom.idom.get(p as usize)? {
            0 => None,
            d => self.dom.vertex.get(d as usize).copied(),
        }
    }

    /// Objects immediately dominated by `obj` (`None`: by the super-root), largest first.
    /// Below the top level this scans `idom` (one pass over 4 bytes per reachable object).
    pub fn children(&self, obj: Option<u32>) -> Vec<u32> {
        let dom = &self.dom;
        let object = |p: u32| dom.vertex.get(p as usize).copied();
        let mut kids: Vec<u32> = match obj {
            None => return dom.top.iter().filter_map(|&c| object(c)).collect(),
            Some(o) => match self.pre(o) {
                // Dominated vertices come after their dominator in preorder.
                Some(p) => (dom.idom.iter().enumerate())
                    .skip(p as usize + 1)
                    .filter(|&(_, &d)| d == p)
                    .map(|(w, _)| w as u32)
                    .collect(),
                None => return Vec::new(),
            },
        };
        kids.sort_by(|&a, &b| {
            dom.retained
                .get(b)
                .cmp(&dom.retained.get(a))
                .then(a.cmp(&b))
        });
        kids.into_iter().filter_map(object).collect()
    }

    /// Objects that refer to `obj` (reachable ones), each once, in preorder.
    pub fn referrers(&self, obj: u32) -> Vec<u32> {
        let Some(p) = self.pre(obj) else {
            return Vec::new();
        };
        let mut v = Vec::new();
        self.dom.referrers.for_each(p, |q| {
            if q != 0 {
                v.push(q);
            }
        });
        if bits::get(&self.roots.root_classes, obj) {
            // The instances' references to their class, left out of the graph.
            v.extend(
                self.instances_of(&[obj])
                    .into_iter()
                    .filter_map(|x| self.pre(x)),
            );
        }
        v.sort_unstable();
        v.dedup();
        v.into_iter()
            .filter_map(|q| self.dom.vertex.get(q as usize).copied())
            .collect()
    }

    /// The instances of the classes `classes` (class indices), in object order; class
    /// objects are not instances here. One pass over the object table.
    pub fn instances_of(&self, classes: &[u32]) -> Vec<u32> {
        if classes.is_empty() {
            return Vec::new();
        }
        let o = self.objects();
        (o.class_objects..o.len() as u32)
            .filter(|&x| {
                o.class_of
                    .get(x as usize)
                    .is_some_and(|c| classes.contains(&c))
            })
            .collect()
    }

    /// The GC roots that name `obj`.
    pub fn roots_of(&self, obj: u32) -> Vec<&Root> {
        self.roots.of(obj).collect()
    }
}

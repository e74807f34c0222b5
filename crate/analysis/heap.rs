//! The analyzed heap: pass 1's index plus references, dominators and retained sizes, and
//! the queries every view builds on (an object's class, sizes, dominator, children,
//! referrers, GC roots).
//!
//! Memory kept for queries, per object: the object table (~11 B), `pre` (4 B), and per
//! reachable object `vertex` (4), `idom` (4), `retained` (8), the dominator tree's child
//! lists (8), and the reverse graph (4 + 4 per reference).

use super::dominators::{
    Dfs, NONE, ReverseSink, dfs, distinct_roots, retained_sizes, reverse_ends, semi_nca,
};
use crate::format::heap_dump::roots::{GcRoot, RootKind};
use crate::format::{ErrorKind, HprofError};
use crate::model::captures::Captures;
use crate::model::classes::ClassInfo;
use crate::model::csr::{Csr, CsrBuilder};
use crate::model::diagnostics::Diagnostics;
use crate::model::index::Index;
use crate::model::objects::ObjectTable;
use crate::model::refs::Resolver;

/// A GC root resolved to an object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Root {
    /// The rooted object.
    pub object: u32,
    /// Its kind.
    pub kind: RootKind,
    /// Thread serial (0 if none).
    pub thread_serial: u32,
    /// Frame number / stack depth / trace serial (`u32::MAX` if none).
    pub frame: u32,
}

/// Resolves the dump's GC roots; counts roots naming IDs outside the dump.
pub fn resolve_roots(index: &Index, diags: &mut Diagnostics) -> Vec<Root> {
    let Some(objects) = index.objects.as_ref() else {
        return Vec::new();
    };
    let r = Resolver::new(objects, &index.classes);
    let mut out = Vec::with_capacity(index.roots.len());
    for g in &index.roots {
        let GcRoot {
            kind,
            object_id,
            thread_serial,
            frame,
        } = *g;
        match r.resolve(object_id) {
            Some(object) => out.push(Root {
                object,
                kind,
                thread_serial,
                frame,
            }),
            None => diags.bump("root_to_missing_object", None),
        }
    }
    out
}

/// Dominator results.
pub struct Dominance {
    /// Object → preorder number (`NONE` when unreachable).
    pub pre: Vec<u32>,
    /// Preorder → object (`vertex[0]`: the super-root).
    pub vertex: Vec<u32>,
    /// Preorder → preorder of the immediate dominator (0: the super-root).
    pub idom: Vec<u32>,
    /// Preorder → retained bytes (`retained[0]`: the reachable heap).
    pub retained: Vec<u64>,
    /// Dominator tree child lists, preorder space, children sorted by retained size
    /// (largest first).
    pub children: Csr,
    /// Reverse graph in preorder space (who refers to whom), super-root edges included.
    pub referrers: Csr,
}

/// The analyzed heap.
pub struct Heap {
    /// Pass 1's index (with its object table).
    pub index: Index,
    /// GC roots, resolved.
    pub roots: Vec<Root>,
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
    /// Index diagnostics plus those of the later passes.
    pub diagnostics: Diagnostics,
}

/// State between the references pass and the reverse pass.
pub struct AfterForward {
    /// The index.
    pub index: Index,
    /// Resolved roots.
    pub roots: Vec<Root>,
    /// Root objects, each once.
    pub root_objects: Vec<u32>,
    /// The DFS numbering.
    pub dfs: Dfs,
    /// Running ends of the reverse lists.
    pub ends: Vec<u32>,
    /// Captured fields.
    pub captures: Captures,
    /// References counted.
    pub references: u64,
    /// Diagnostics so far.
    pub diagnostics: Diagnostics,
}

fn too_many() -> HprofError {
    HprofError::new(
        0,
        ErrorKind::TooLarge {
            detail: "more than 4 294 967 295 references".into(),
        },
    )
}

/// After pass 2: numbers the reachable objects and sizes the reverse graph; the forward
/// graph is dropped.
pub fn after_forward(
    index: Index,
    fwd: Csr,
    captures: Captures,
    references: u64,
    mut diagnostics: Diagnostics,
    tick: &mut dyn FnMut(&str, u64, u64),
) -> Result<AfterForward, HprofError> {
    let roots = resolve_roots(&index, &mut diagnostics);
    let strong: Vec<u32> = roots
        .iter()
        .filter(|r| r.kind.is_strong())
        .map(|r| r.object)
        .collect();
    let n = fwd.nodes() as u64;
    let dfs = dfs(&fwd, &strong, &mut |d| tick("reachability", d, n));
    let root_objects = distinct_roots(&strong, &dfs);
    let ends = reverse_ends(&fwd, &dfs, &root_objects).map_err(|_| too_many())?;
    drop(fwd);
    Ok(AfterForward {
        index,
        roots,
        root_objects,
        dfs,
        ends,
        captures,
        references,
        diagnostics,
    })
}

/// State while the reverse pass streams: the index and `pre` are lent to the pass.
pub struct DuringReverse {
    /// Resolved roots.
    pub roots: Vec<Root>,
    /// Preorder → object.
    pub vertex: Vec<u32>,
    /// DFS parents.
    pub parent: Vec<u32>,
    /// Captured fields.
    pub captures: Captures,
    /// References counted.
    pub references: u64,
    /// Diagnostics so far.
    pub diagnostics: Diagnostics,
}

impl AfterForward {
    /// Splits into the reverse pass's sink, the index (for the pass visitor), and the rest.
    pub fn into_reverse(self) -> (ReverseSink, Index, DuringReverse) {
        let AfterForward {
            index,
            roots,
            root_objects,
            dfs,
            ends,
            captures,
            references,
            diagnostics,
        } = self;
        let Dfs {
            pre,
            vertex,
            parent,
        } = dfs;
        (
            ReverseSink::new(pre, ends, &root_objects),
            index,
            DuringReverse {
                roots,
                vertex,
                parent,
                captures,
                references,
                diagnostics,
            },
        )
    }
}

impl DuringReverse {
    /// After pass 3: dominators, retained sizes, per-class retained sizes.
    pub fn finish(
        self,
        index: Index,
        pre: Vec<u32>,
        referrers: Csr,
        tick: &mut dyn FnMut(&str, u64, u64),
    ) -> Heap {
        let DuringReverse {
            roots,
            vertex,
            parent,
            captures,
            references,
            diagnostics,
        } = self;
        let n = vertex.len() as u64;
        let idom = semi_nca(&referrers, parent, &mut |d| tick("dominators", d, n));
        let empty = ObjectTable::empty();
        let objects = index.objects.as_ref().unwrap_or(&empty);
        let retained = retained_sizes(&idom, &vertex, |x| objects.sizes.get(x));
        let children = child_lists(&idom, &retained);
        let class_retained =
            class_retained(&children, &vertex, &retained, objects, index.classes.len());
        let mut unreachable = (0u64, 0u64);
        for (x, &p) in pre.iter().enumerate() {
            if p == NONE {
                unreachable.0 += 1;
                unreachable.1 += objects.sizes.get(x as u32);
            }
        }
        Heap {
            index,
            roots,
            captures,
            dom: Dominance {
                pre,
                vertex,
                idom,
                retained,
                children,
                referrers,
            },
            class_retained,
            unreachable,
            references,
            diagnostics,
        }
    }
}

/// Dominator tree child lists (preorder space), children sorted by retained size.
fn child_lists(idom: &[u32], retained: &[u64]) -> Csr {
    let n = idom.len();
    let mut count = vec![0u32; n + 1];
    for &d in idom.iter().skip(1) {
        count[d as usize + 1] += 1;
    }
    for i in 1..=n {
        count[i] += count[i - 1];
    }
    let mut fill = count.clone();
    let mut list = vec![0u32; n.saturating_sub(1)];
    for (w, &d) in idom.iter().enumerate().skip(1) {
        let at = &mut fill[d as usize];
        list[*at as usize] = w as u32;
        *at += 1;
    }
    for v in 0..n {
        let (a, b) = (count[v] as usize, count[v + 1] as usize);
        list[a..b].sort_unstable_by(|&x, &y| {
            retained[y as usize]
                .cmp(&retained[x as usize])
                .then(x.cmp(&y))
        });
    }
    let mut b = CsrBuilder::new(n);
    for v in 0..n {
        for &c in &list[count[v] as usize..count[v + 1] as usize] {
            b.push(c);
        }
        b.next_node();
    }
    b.finish().unwrap_or_else(|_| Csr {
        offsets: vec![0; n + 1],
        entries: Default::default(),
    })
}

/// Per class, the sum of the retained sizes of its instances that are not dominated by
/// another instance of the class (a walk of the dominator tree with a per-class count of
/// open instances).
fn class_retained(
    children: &Csr,
    vertex: &[u32],
    retained: &[u64],
    objects: &ObjectTable,
    classes: usize,
) -> Vec<u64> {
    let mut out = vec![0u64; classes];
    let mut open = vec![0u32; classes];
    let class_of = |p: u32| -> usize {
        vertex
            .get(p as usize)
            .and_then(|&x| objects.class_of.get(x as usize))
            .map_or(usize::MAX, |&c| c as usize)
    };
    // (preorder vertex, next child position, end)
    let mut stack: Vec<(u32, u64, u64)> = Vec::new();
    let (a, b) = children.bounds(0);
    stack.push((0, a, b));
    while let Some(top) = stack.last_mut() {
        if top.1 < top.2 {
            let c = children.entries.get(top.1);
            top.1 += 1;
            let k = class_of(c);
            if let Some(o) = open.get_mut(k) {
                if *o == 0 {
                    out[k] += retained[c as usize];
                }
                *o += 1;
            }
            let (a, b) = children.bounds(c);
            stack.push((c, a, b));
        } else {
            let (v, _, _) = stack.pop().unwrap_or((0, 0, 0));
            if v != 0
                && let Some(o) = open.get_mut(class_of(v))
            {
                *o -= 1;
            }
        }
    }
    out
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
            .copied()
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
        self.objects().sizes.get(obj)
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
        self.pre(obj).map_or(0, |p| self.dom.retained[p as usize])
    }

    /// Total reachable heap (the super-root's retained size).
    pub fn reachable_bytes(&self) -> u64 {
        self.dom.retained.first().copied().unwrap_or(0)
    }

    /// Immediate dominator; `None` for objects dominated only by the super-root and for
    /// unreachable objects.
    pub fn idom(&self, obj: u32) -> Option<u32> {
        let p = self.pre(obj)?;
        match self.dom.idom[p as usize] {
            0 => None,
            d => self.dom.vertex.get(d as usize).copied(),
        }
    }

    /// Objects immediately dominated by `obj` (`None`: by the super-root), largest first.
    pub fn children(&self, obj: Option<u32>) -> Vec<u32> {
        let p = match obj {
            None => 0,
            Some(o) => match self.pre(o) {
                Some(p) => p,
                None => return Vec::new(),
            },
        };
        let mut v = Vec::new();
        self.dom
            .children
            .for_each(p, |c| v.push(self.dom.vertex[c as usize]));
        v
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
        v.sort_unstable();
        v.dedup();
        v.into_iter().map(|q| self.dom.vertex[q as usize]).collect()
    }

    /// The GC roots that name `obj`.
    pub fn roots_of(&self, obj: u32) -> Vec<&Root> {
        self.roots.iter().filter(|r| r.object == obj).collect()
    }
}

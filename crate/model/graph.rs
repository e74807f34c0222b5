//! The references pass: streams the dump again and reports every object's outgoing
//! references (see [`super::refs`] for their order) to an [`EdgeSink`], object by object in
//! index order. Pass 2 collects them into the forward [`Csr`]; the dominator computation
//! streams them once more into the reverse graph.
//!
//! One kind of reference is counted but left out of both graphs: an object's reference to
//! its class when that class object is itself a GC root the super-root points to (a system
//! class; `RootSet::root_classes`). Such an edge changes no object's reachability and no
//! dominator: any path through it can start at the class instead. The class's referrers
//! are then its instances, which the queries rebuild from the object table. On the 1 GB
//! benchmark dump this removes 4 bytes per instance of a system class from each graph.

use super::captures::Captures;
use super::classes::ClassTable;
use super::csr::{Csr, CsrBuilder, TooManyEdges};
use super::diagnostics::Diagnostics;
use super::hash::IdHashMap;
use super::index::Index;
use super::objects::ObjectTable;
use super::refs::{Resolver, class_refs, instance_refs};
use super::roots::bit;
use crate::format::heap_dump::arrays::{ObjArrayHeader, PrimArrayHeader};
use crate::format::heap_dump::instance::Instance;
use crate::format::primitives::IdList;
use crate::format::{ErrorKind, HprofError, Visitor};

/// Receives references, grouped by source object in index order.
pub trait EdgeSink {
    /// Object `obj`'s references follow (every object is announced, in index order).
    fn object(&mut self, obj: u32);
    /// A reference from the current object to `dst`.
    fn edge(&mut self, dst: u32);
}

/// The pass-2/3 visitor. It owns the index while the pass runs and returns it at the end.
pub struct RefPass<S: EdgeSink> {
    index: Index,
    /// Thread objects ahead and the objects their frames hold (emitted after the thread's
    /// fields), by descending thread: the last is the next one the pass meets (objects come
    /// in index order), so most objects cost one comparison, not a lookup.
    locals: Vec<(u32, Vec<u32>)>,
    /// Class objects that are GC roots ([`super::roots::RootSet::root_classes`]): the instance → class
    /// references into them are counted but not passed to the sink.
    root_classes: Vec<u64>,
    id_size: u8,
    next: u32,
    sink: S,
    captures: Option<Captures>,
    /// Oddities met (dangling references, length mismatches).
    pub diagnostics: Diagnostics,
    /// References that resolved.
    pub edges: u64,
}

/// What a finished pass returns.
pub struct RefPassResult<S> {
    /// The index, given back.
    pub index: Index,
    /// The sink.
    pub sink: S,
    /// Captured fields.
    pub captures: Option<Captures>,
    /// Oddities met.
    pub diagnostics: Diagnostics,
    /// References that resolved.
    pub edges: u64,
}

fn parts(index: &Index) -> Option<(&ObjectTable, &ClassTable)> {
    Some((index.objects.as_ref()?, &index.classes))
}

impl<S: EdgeSink> RefPass<S> {
    /// A pass over the dump indexed by `index`, which must have its object table (else the
    /// index is given back).
    pub fn new(
        index: Index,
        locals: IdHashMap<u32, Vec<u32>>,
        root_classes: Vec<u64>,
        sink: S,
        captures: Option<Captures>,
    ) -> Result<Self, Box<Index>> {
        let Some((_, classes)) = parts(&index) else {
            return Err(Box::new(index));
        };
        let next = classes.object_count;
        let mut locals: Vec<(u32, Vec<u32>)> = locals.into_iter().collect();
        locals.sort_unstable_by_key(|&(t, _)| std::cmp::Reverse(t));
        let mut pass = RefPass {
            id_size: index.header.id_size,
            index,
            locals,
            root_classes,
            next,
            sink,
            captures,
            diagnostics: Diagnostics::default(),
            edges: 0,
        };
        pass.class_objects();
        Ok(pass)
    }

    /// Class objects come first and their references are all in the class table.
    fn class_objects(&mut self) {
        let Some((objects, classes)) = parts(&self.index) else {
            return;
        };
        let resolver = Resolver::new(objects, classes);
        let jlc = classes
            .by_name("java.lang.Class")
            .first()
            .copied()
            .unwrap_or(u32::MAX);
        let mut dangling = 0u64;
        for c in 0..classes.object_count {
            self.sink.object(c);
            let sink = &mut self.sink;
            let edges = &mut self.edges;
            class_refs(&resolver, c, jlc, |_, id, t| match t {
                Some(t) => {
                    sink.edge(t);
                    *edges += 1;
                }
                None if id != 0 => dangling += 1,
                None => {}
            });
        }
        self.diagnostics.add("dangling_reference", dangling, None);
    }

    #[inline]
    fn begin(&mut self) -> u32 {
        let obj = self.next;
        self.next += 1;
        self.sink.object(obj);
        obj
    }

    #[inline]
    fn class_edge(&mut self, obj: u32) {
        let Some((objects, classes)) = parts(&self.index) else {
            return;
        };
        let class = objects.class_of.get(obj as usize).unwrap_or(u32::MAX);
        if let Some(t) = Resolver::new(objects, classes).class_object(class) {
            if !bit(&self.root_classes, t) {
                self.sink.edge(t);
            }
            self.edges += 1;
        }
    }

    /// Ends the pass: checks that it met the objects pass 1 counted.
    pub fn finish(self) -> Result<RefPassResult<S>, HprofError> {
        let n = self.index.objects.as_ref().map_or(0, |o| o.len());
        if self.next as usize != n {
            return Err(HprofError::new(
                0,
                ErrorKind::Malformed {
                    what: "file",
                    detail: "the file changed between passes (object counts differ)",
                },
            ));
        }
        Ok(RefPassResult {
            index: self.index,
            sink: self.sink,
            captures: self.captures,
            diagnostics: self.diagnostics,
            edges: self.edges,
        })
    }
}

impl<S: EdgeSink> Visitor for RefPass<S> {
    fn instance(&mut self, offset: u64, r: &Instance<'_>) {
        let obj = self.begin();
        let Some((objects, classes)) = parts(&self.index) else {
            return;
        };
        let resolver = Resolver::new(objects, classes);
        let class = objects.class_of.get(obj as usize).unwrap_or(u32::MAX);
        let sink = &mut self.sink;
        let mut dangling = 0u64;
        let mut edges = 0u64;
        let skip_class = bit(&self.root_classes, class);
        let ok = instance_refs(&resolver, class, r.data, self.id_size, |k, id, t| match t {
            Some(t) => {
                if k != 0 || !skip_class {
                    sink.edge(t);
                }
                edges += 1;
            }
            None if id != 0 => dangling += 1,
            None => {}
        });
        self.edges += edges;
        // A thread's frame locals follow its fields (references `<Java local>`).
        while self.locals.last().is_some_and(|&(t, _)| t < obj) {
            self.locals.pop();
        }
        if self.locals.last().is_some_and(|&(t, _)| t == obj)
            && let Some((_, held)) = self.locals.pop()
        {
            for l in held {
                self.sink.edge(l);
                self.edges += 1;
            }
        }
        if dangling > 0 {
            self.diagnostics
                .add("dangling_reference", dangling, Some(offset));
        }
        if !ok && classes.get(class).is_some_and(|c| c.dumped) {
            self.diagnostics
                .bump("instance_length_mismatch", Some(offset));
        }
        if let Some(c) = &mut self.captures {
            c.record(obj, class, r.data, self.id_size, |id| resolver.resolve(id));
        }
    }

    fn obj_array(&mut self, _offset: u64, _r: &ObjArrayHeader) -> bool {
        let obj = self.begin();
        self.class_edge(obj);
        true
    }

    fn obj_array_elements(&mut self, ids: IdList<'_>) {
        let Some((objects, classes)) = parts(&self.index) else {
            return;
        };
        let resolver = Resolver::new(objects, classes);
        let mut dangling = 0u64;
        for id in ids.iter() {
            if id == 0 {
                continue;
            }
            match resolver.resolve(id) {
                Some(t) => {
                    self.sink.edge(t);
                    self.edges += 1;
                }
                None => dangling += 1,
            }
        }
        self.diagnostics.add("dangling_reference", dangling, None);
    }

    fn prim_array(&mut self, _offset: u64, _r: &PrimArrayHeader) -> bool {
        let obj = self.begin();
        self.class_edge(obj);
        false
    }
}

/// Collects the forward graph.
pub struct ForwardSink {
    builder: CsrBuilder,
    started: bool,
}

impl ForwardSink {
    /// A sink for `nodes` objects.
    pub fn new(nodes: usize) -> Self {
        ForwardSink {
            builder: CsrBuilder::new(nodes),
            started: false,
        }
    }

    /// The forward graph.
    pub fn finish(mut self) -> Result<Csr, TooManyEdges> {
        if self.started {
            self.builder.next_node();
        }
        self.builder.finish()
    }
}

impl EdgeSink for ForwardSink {
    #[inline]
    fn object(&mut self, _obj: u32) {
        if self.started {
            self.builder.next_node();
        }
        self.started = true;
    }
    #[inline]
    fn edge(&mut self, dst: u32) {
        self.builder.push(dst);
    }
}

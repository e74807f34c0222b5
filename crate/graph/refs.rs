//! The references passes (2 and 3): stream the dump again and report every object's
//! outgoing references (see [`crate::model::refs`] for their order) to an [`EdgeSink`],
//! object by object in index order. Pass 2 collects them into the forward [`Csr`]
//! ([`ForwardSink`]); pass 3 streams them once more into the reverse graph
//! ([`super::dominators::ReverseSink`]).
//!
//! The index and the roots are not owned by a pass: [`Build`](super::build::Build) owns
//! them from pass 1 to the finished heap and lends them to a [`RefPass`] for each slice of
//! the file; what a pass accumulates lives in its [`RefState`].
//!
//! One kind of reference is counted but left out of both graphs: an object's reference to
//! its class when that class object is itself a GC root the super-root points to (a system
//! class; `RootSet::root_classes`). Such an edge changes no object's reachability and no
//! dominator: any path through it can start at the class instead. The class's referrers
//! are then its instances, which the queries rebuild from the object table. On the 1 GB
//! benchmark dump this removes 4 bytes per instance of a system class from each graph.

use crate::format::heap_dump::arrays::{ObjArrayHeader, PrimArrayHeader};
use crate::format::heap_dump::instance::Instance;
use crate::format::primitives::IdList;
use crate::format::{Decoder, ErrorKind, HprofError, Visitor};
use crate::model::bits;
use crate::model::captures::Captures;
use crate::model::csr::{Csr, CsrBuilder, TooManyEdges};
use crate::model::diagnostics::Diagnostics;
use crate::model::index::Index;
use crate::model::objects::ObjectTable;
use crate::model::refs::{Resolver, class_refs, instance_refs};
use crate::model::roots::RootSet;

/// Receives references, grouped by source object in index order.
pub trait EdgeSink {
    /// Object `obj`'s references follow (every object is announced, in index order).
    fn object(&mut self, obj: u32);
    /// A reference from the current object to `dst`.
    fn edge(&mut self, dst: u32);
}

/// What one references pass has met so far: where it is, and what it counted.
#[derive(Debug, Default)]
pub struct RefState {
    /// The next object the pass will meet (objects come in index order).
    next: u32,
    /// Position in `RootSet::locals` (ascending threads) of the next thread ahead.
    next_thread: usize,
    /// Oddities met (dangling references, length mismatches).
    pub diagnostics: Diagnostics,
    /// References that resolved, including those left out of the graphs (instance →
    /// GC-root class) and the `<Java local>` ones.
    pub edges: u64,
}

impl RefState {
    /// The state of a stretch of the file whose first object is `obj` (a parallel pass).
    #[cfg(not(target_family = "wasm"))]
    pub(super) fn starting_at(obj: u32) -> Self {
        RefState {
            next: obj,
            ..RefState::default()
        }
    }

    /// The next object the pass will meet.
    #[cfg(not(target_family = "wasm"))]
    pub(super) fn next_object(&self) -> u32 {
        self.next
    }

    /// Takes in what a stretch read in parallel met (the stretches in file order): its
    /// references and diagnostics, and the objects up to `next`.
    #[cfg(not(target_family = "wasm"))]
    pub(super) fn absorb(&mut self, next: u32, stretch: &RefState) {
        self.next = next;
        self.edges += stretch.edges;
        self.diagnostics.merge(&stretch.diagnostics);
    }
}

/// What a references pass reads: pass 1's index and the resolved roots.
#[derive(Clone, Copy)]
pub struct RefInput<'a> {
    /// The index, with its object table.
    pub index: &'a Index,
    /// The object table of `index`.
    pub objects: &'a ObjectTable,
    /// The roots resolved from `index`.
    pub roots: &'a RootSet,
    /// Leave out instances' references to classes that are GC roots (see the module doc).
    /// Off only to build a complete graph (tests).
    pub skip_root_class_edges: bool,
}

impl<'a> RefInput<'a> {
    /// The input for a pass over the dump `index` describes. An index without its object
    /// table (pass 1 of a histogram-only analysis) gives a pass that meets no object, which
    /// [`RefPass::check_complete`] reports.
    pub fn new(index: &'a Index, roots: &'a RootSet) -> Self {
        RefInput {
            objects: index
                .objects
                .as_ref()
                .unwrap_or_else(|| ObjectTable::empty_static()),
            index,
            roots,
            skip_root_class_edges: true,
        }
    }
}

/// The pass-2/3 visitor for one slice of the file: borrows the input and the pass's state,
/// sink and captures.
pub struct RefPass<'a, S: EdgeSink> {
    input: RefInput<'a>,
    state: &'a mut RefState,
    sink: &'a mut S,
    captures: Option<&'a mut Captures>,
}

impl<'a, S: EdgeSink> RefPass<'a, S> {
    /// The visitor for the next slice.
    pub fn new(
        input: RefInput<'a>,
        state: &'a mut RefState,
        sink: &'a mut S,
        captures: Option<&'a mut Captures>,
    ) -> Self {
        RefPass {
            input,
            state,
            sink,
            captures,
        }
    }

    fn resolver(&self) -> Resolver<'a> {
        Resolver::new(self.input.objects, &self.input.index.classes)
    }

    /// Starts a pass: class objects come first, and their references are all in the class
    /// table (no record of the file holds them).
    pub fn start(&mut self) {
        let classes = &self.input.index.classes;
        let resolver = self.resolver();
        let jlc = classes
            .by_name("java.lang.Class")
            .first()
            .copied()
            .unwrap_or(u32::MAX);
        let mut dangling = 0u64;
        for c in 0..classes.object_count {
            self.sink.object(c);
            let sink = &mut *self.sink;
            let edges = &mut self.state.edges;
            class_refs(&resolver, c, jlc, |_, id, t| match t {
                Some(t) => {
                    sink.edge(t);
                    *edges += 1;
                }
                None if id != 0 => dangling += 1,
                None => {}
            });
        }
        self.state.next = classes.object_count;
        self.state
            .diagnostics
            .add("dangling_reference", dangling, None);
    }

    #[inline]
    fn begin(&mut self) -> u32 {
        let obj = self.state.next;
        self.state.next += 1;
        self.sink.object(obj);
        obj
    }

    #[inline]
    fn skips_class_edge(&self, class_object: u32) -> bool {
        self.input.skip_root_class_edges && bits::get(&self.input.roots.root_classes, class_object)
    }

    /// Object `obj`'s class index (`u32::MAX` past the table: pass 1 counted fewer).
    #[inline]
    fn class_of(&self, obj: u32) -> u32 {
        self.input
            .objects
            .class_of
            .get(obj as usize)
            .unwrap_or(u32::MAX)
    }

    #[inline]
    fn class_edge(&mut self, obj: u32) {
        let class = self.class_of(obj);
        if let Some(t) = self.resolver().class_object(class) {
            if !self.skips_class_edge(t) {
                self.sink.edge(t);
            }
            self.state.edges += 1;
        }
    }

    /// Ends a pass: checks that it met the objects pass 1 counted.
    pub fn check_complete(&self) -> Result<(), HprofError> {
        if self.state.next as usize != self.input.objects.len() {
            return Err(HprofError::new(
                0,
                ErrorKind::Malformed {
                    what: "file",
                    detail: "the file changed between passes (object counts differ)",
                },
            ));
        }
        Ok(())
    }

    /// A thread's frame locals follow its fields (references `<Java local>`).
    fn locals(&mut self, obj: u32) {
        let locals = &self.input.roots.locals;
        while locals
            .get(self.state.next_thread)
            .is_some_and(|&(t, _)| t < obj)
        {
            self.state.next_thread += 1;
        }
        if let Some((t, held)) = locals.get(self.state.next_thread)
            && *t == obj
        {
            for &l in held {
                self.sink.edge(l);
            }
            self.state.edges += held.len() as u64;
            self.state.next_thread += 1;
        }
    }
}

impl<S: EdgeSink> Visitor for RefPass<'_, S> {
    fn instance(&mut self, offset: u64, r: &Instance<'_>) {
        let obj = self.begin();
        let resolver = self.resolver();
        let classes = &self.input.index.classes;
        let class = self.class_of(obj);
        let id_size = self.input.index.header.id_size;
        let skip_class = self.skips_class_edge(class);
        let sink = &mut *self.sink;
        let mut dangling = 0u64;
        let mut edges = 0u64;
        let ok = instance_refs(&resolver, class, r.data, id_size, |k, id, t| match t {
            Some(t) => {
                if k != 0 || !skip_class {
                    sink.edge(t);
                }
                edges += 1;
            }
            None if id != 0 => dangling += 1,
            None => {}
        });
        self.state.edges += edges;
        self.locals(obj);
        if dangling > 0 {
            self.state
                .diagnostics
                .add("dangling_reference", dangling, Some(offset));
        }
        if !ok && classes.get(class).is_some_and(|c| c.dumped) {
            self.state
                .diagnostics
                .bump("instance_length_mismatch", Some(offset));
        }
        if let Some(c) = self.captures.as_deref_mut() {
            c.record(obj, class, r.data, id_size, |id| resolver.resolve(id));
        }
    }

    fn obj_array(&mut self, _offset: u64, _r: &ObjArrayHeader) -> bool {
        let obj = self.begin();
        self.class_edge(obj);
        true
    }

    fn obj_array_elements(&mut self, ids: IdList<'_>) {
        let resolver = self.resolver();
        let mut dangling = 0u64;
        for id in ids.iter() {
            if id == 0 {
                continue;
            }
            match resolver.resolve(id) {
                Some(t) => {
                    self.sink.edge(t);
                    self.state.edges += 1;
                }
                None => dangling += 1,
            }
        }
        self.state
            .diagnostics
            .add("dangling_reference", dangling, None);
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

/// The forward graph of a whole in-memory dump, built outside any [`Build`](super::build::Build):
/// for tests that check the analysis against an independently built graph.
/// `skip_root_class_edges` as in [`RefInput`].
pub fn forward_graph(
    bytes: &[u8],
    index: &Index,
    roots: &RootSet,
    skip_root_class_edges: bool,
) -> Result<(Csr, RefState), HprofError> {
    let mut input = RefInput::new(index, roots);
    input.skip_root_class_edges = skip_root_class_edges;
    let mut state = RefState::default();
    let mut sink = ForwardSink::new(input.objects.len());
    let mut decoder = Decoder::new(false);
    let mut pass = RefPass::new(input, &mut state, &mut sink, None);
    pass.start();
    decoder.push(bytes, &mut pass)?;
    decoder.finish(&mut pass)?;
    pass.check_complete()?;
    Ok((sink.finish()?, state))
}

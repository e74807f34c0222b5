//! [`Build`]: the file's bytes in, the analysed [`Heap`] out. Both front ends (the CLI
//! reading a file, the browser worker reading `File.slice`s) drive it through the same
//! protocol, by way of the query session:
//!
//! ```text
//! while let Some(pass) = build.begin_pass() {    // which pass, and how many there are
//!     for chunk in file { build.push(chunk)?; }  // the whole file, in order, any sizes
//!     build.end_pass(&mut progress)?;           // the computation that follows the pass
//! }
//! let finished = build.finish()?;               // the heap, or pass 1's index alone
//! ```
//!
//! The passes, and what each leaves behind:
//! 1. `index` (pass 1, [`crate::model::index`]): classes, strings, roots, threads, the
//!    object table. The plan of the full analysis is known here; a histogram-only build, or
//!    one whose plan exceeds the memory limit, ends with the index.
//! 2. `references` ([`super::refs`]): the forward graph and the captured fields; then the
//!    reachable objects are numbered in DFS preorder (`reachability`) and the forward
//!    graph's memory is recycled for the reverse graph.
//! 3. `referrers`: the reverse graph, filled in preorder space; then `dominators` (Semi-NCA)
//!    and `retained sizes` ([`super::dominators`]).
//!
//! The build owns the index, the resolved roots and the diagnostics from pass 1 to the
//! finished heap: each pass borrows them ([`super::refs::RefInput`]). Diagnostics are
//! counted once: pass 1's and the roots' in the index, pass 2's merged into them; pass 3
//! meets the same references again and only checks that it met as many.

use super::dominators::{
    Dfs, NONE, ReverseSink, class_tops_in, dfs, parent_first, retained_sizes_in, semi_nca_in,
};
use super::heap::{Dominance, Heap};
use super::refs::{ForwardSink, RefInput, RefPass, RefState};
use crate::format::gzip::Checkpoint;
use crate::format::{Damage, Decoder, ErrorKind, HprofError};
use crate::model::captures::{CaptureSpec, Captures};
use crate::model::csr::{Chunked, Csr, TooManyEdges};
use crate::model::index::{Index, Indexer};
use crate::model::objects::ObjectTable;
use crate::model::roots::{RootSet, resolve as resolve_roots};

/// What the caller wants built.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Stop after pass 1 (the histogram: no per-object memory).
    pub histogram_only: bool,
    /// Refuse the full analysis (keeping pass 1's index) when its predicted peak memory
    /// exceeds this many bytes: a browser tab has 4 GiB of wasm memory at most.
    pub memory_limit: Option<u64>,
    /// Fail on a damaged dump (cut short, or corrupt from some point on) instead of
    /// analysing what it holds up to the damage ([`crate::format::Decoder::recovering`]).
    pub strict: bool,
}

/// What the full analysis will cost, predicted after pass 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Plan {
    /// Objects.
    pub objects: u64,
    /// Upper bound of references (reference slots plus one class link per object).
    pub references_bound: u64,
    /// Predicted peak bytes of the full analysis.
    pub peak_bytes: u64,
}

/// Predicted peak bytes for `objects` and `references` (see the README's memory table;
/// checked against measured peaks by the benchmark).
pub fn predict_peak(objects: u64, references: u64) -> u64 {
    objects * PEAK_BYTES_PER_OBJECT + references * PEAK_BYTES_PER_REFERENCE + (64 << 20)
}

/// Peak bytes per object of the full analysis (the Semi-NCA phase): the object table
/// (6 B with the ID bitmap, 9 B with keys), 20 B of analysis arrays, and classes, strings
/// and captured fields (~1 B). Measured (1 GB dump, 15.3 M objects, 48.8 M references):
/// 603 MB = 26.7 B per object after 4 B per reference.
pub const PEAK_BYTES_PER_OBJECT: u64 = 32;
/// Peak bytes per reference.
pub const PEAK_BYTES_PER_REFERENCE: u64 = 4;

/// A pass over the file, as announced by [`Build::begin_pass`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PassInfo {
    /// Short name shown to the user (`index`, `references`, `referrers`).
    pub name: &'static str,
    /// 1-based number of this pass.
    pub number: u32,
    /// Passes expected in all.
    pub of: u32,
}

/// A progress report. Each computation between passes reports its start (`done` and
/// `total` 0), then every 2^20 objects.
#[derive(Clone, Debug)]
pub struct Progress<'a> {
    /// Phase name (`reachability` after pass 2, `dominators` and `retained sizes` after
    /// pass 3).
    pub phase: &'a str,
    /// Work done, in the phase's unit.
    pub done: u64,
    /// Total work (0 when unknown).
    pub total: u64,
}

/// What went wrong while building.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The dump cannot be read: what was being read, and where.
    #[error("{0}")]
    Dump(#[from] HprofError),
    /// The build was driven out of order (a bug of the front end, not the dump's fault).
    #[error("internal error: {0} (a bug in Heapscope, not a problem with the dump)")]
    Misuse(&'static str),
}

/// A graph too large for u32 offsets, as the error the user sees (`?` turns one into the
/// other wherever a CSR is finished).
impl From<TooManyEdges> for HprofError {
    fn from(_: TooManyEdges) -> Self {
        HprofError::new(
            0,
            ErrorKind::TooLarge {
                detail: "more than 4 294 967 295 references".into(),
            },
        )
    }
}

impl From<TooManyEdges> for BuildError {
    fn from(e: TooManyEdges) -> Self {
        BuildError::Dump(e.into())
    }
}

/// What a build produced.
pub enum Built {
    /// Pass 1 only: a histogram-only build, or a full analysis refused for its memory.
    Index(Box<Index>),
    /// The full analysis.
    Heap(Box<Heap>),
}

impl Built {
    /// Pass 1's index (with every diagnostic of the passes that ran).
    pub fn index(&self) -> &Index {
        match self {
            Built::Index(i) => i,
            Built::Heap(h) => &h.index,
        }
    }
}

/// A finished build: the result, and what the session needs to go on.
pub struct Finished {
    /// The heap or the index.
    pub built: Built,
    /// The cost of the full analysis (after pass 1).
    pub plan: Option<Plan>,
    /// Why the full analysis was not run (memory limit).
    pub refused: Option<String>,
    /// For a gzip dump analysed in full: the inflater snapshots pass 1 took, for random
    /// access ([`crate::format::gzip::GzipRandomReader`]).
    pub gzip: Option<Vec<Checkpoint>>,
    /// Where the dump is damaged, when it is and the build read what was there.
    pub damage: Option<Damage>,
}

/// Pass 2 under way.
struct References {
    index: Index,
    roots: RootSet,
    state: RefState,
    sink: ForwardSink,
    captures: Captures,
}

/// Between passes 2 and 3: the reachable objects numbered, the reverse graph sized.
struct Numbered {
    index: Index,
    roots: RootSet,
    dfs: Dfs,
    /// The forward graph's entries, recycled for the reverse graph.
    storage: Chunked,
    captures: Captures,
    /// References pass 2 met.
    edges: u64,
}

/// Pass 3 under way.
struct Referrers {
    index: Index,
    roots: RootSet,
    state: RefState,
    sink: ReverseSink,
    /// Preorder → object.
    vertex: Vec<u32>,
    /// Preorder → DFS parent.
    parent: Vec<u32>,
    captures: Captures,
    /// References pass 2 met (pass 3 must meet as many).
    edges: u64,
}

impl References {
    /// The visitor for the next slice of pass 2.
    fn pass(&mut self) -> RefPass<'_, ForwardSink> {
        RefPass::new(
            RefInput::new(&self.index, &self.roots),
            &mut self.state,
            &mut self.sink,
            Some(&mut self.captures),
        )
    }
}

impl Referrers {
    /// The visitor for the next slice of pass 3.
    fn pass(&mut self) -> RefPass<'_, ReverseSink> {
        RefPass::new(
            RefInput::new(&self.index, &self.roots),
            &mut self.state,
            &mut self.sink,
            None,
        )
    }
}

enum Stage {
    /// Nothing read yet.
    Start,
    /// Pass 1 under way.
    Indexing(Box<Indexer>),
    /// Pass 1 done; the references pass comes next.
    Indexed(Box<Index>),
    References(Box<References>),
    Numbered(Box<Numbered>),
    Referrers(Box<Referrers>),
    /// Nothing more to read.
    Done(Built),
    /// An error ended the build.
    Failed,
}

/// One build of one dump (see the module doc).
pub struct Build {
    options: Options,
    captures: &'static [CaptureSpec],
    /// The current pass's decoder.
    decoder: Option<Decoder>,
    stage: Stage,
    plan: Option<Plan>,
    refused: Option<String>,
    gzip: Option<Vec<Checkpoint>>,
    /// Where pass 1 found the dump damaged (the later passes must stop at the same place).
    damage: Option<Damage>,
    /// The current pass was read by [`Build::read_in_parallel`], not pushed.
    parallel: bool,
}

const NO_PASS: &str = "bytes pushed outside a pass (call begin_pass first)";

impl Build {
    /// A build that has read nothing yet; the references pass captures the fields of
    /// `captures` (what the analyses read for many objects).
    pub fn new(options: Options, captures: &'static [CaptureSpec]) -> Self {
        Build {
            options,
            captures,
            decoder: None,
            stage: Stage::Start,
            plan: None,
            refused: None,
            gzip: None,
            damage: None,
            parallel: false,
        }
    }

    /// The cost of the full analysis, known after pass 1.
    pub fn plan(&self) -> Option<Plan> {
        self.plan
    }

    /// Why the full analysis was refused (the predicted peak exceeded the memory limit).
    pub fn refused(&self) -> Option<&str> {
        self.refused.as_deref()
    }

    /// Whether pass 1 found the dump damaged (the later passes must then be pushed the
    /// file as it is, to stop where pass 1 did).
    pub fn found_damage(&self) -> bool {
        self.damage.is_some()
    }

    /// Whether every pass ran (then [`Build::finish`] gives the result).
    pub fn is_done(&self) -> bool {
        matches!(self.stage, Stage::Done(_))
    }

    fn passes(&self) -> u32 {
        if self.options.histogram_only { 1 } else { 3 }
    }

    /// Starts the next pass; `None` when nothing more is to be read (or the build failed).
    pub fn begin_pass(&mut self) -> Option<PassInfo> {
        if self.decoder.is_some() {
            return None; // a pass is under way: end it first
        }
        self.parallel = false;
        let stage = std::mem::replace(&mut self.stage, Stage::Failed);
        let (next, pass) = match stage {
            Stage::Start => {
                // Per-object memory only serves the full analysis.
                let full = !self.options.histogram_only;
                (
                    Stage::Indexing(Box::new(Indexer::new(full))),
                    Some(("index", 1)),
                )
            }
            Stage::Indexed(index) => match self.references(*index) {
                Ok(r) => (Stage::References(Box::new(r)), Some(("references", 2))),
                Err(index) => (Stage::Done(Built::Index(index)), None),
            },
            Stage::Numbered(n) => (
                Stage::Referrers(Box::new(referrers(*n))),
                Some(("referrers", 3)),
            ),
            other => (other, None),
        };
        self.stage = next;
        let (name, number) = pass?;
        // Class objects' references come from the class table, before any record.
        match &mut self.stage {
            Stage::References(r) => r.pass().start(),
            Stage::Referrers(r) => r.pass().start(),
            _ => {}
        }
        // Gzip snapshots (for random access) are taken in pass 1 of a full analysis.
        let decoder = Decoder::new(number == 1 && !self.options.histogram_only);
        self.decoder = Some(if self.options.strict {
            decoder
        } else {
            decoder.recovering()
        });
        Some(PassInfo {
            name,
            number,
            of: self.passes(),
        })
    }

    /// Resolves the roots and prepares pass 2 (the index must have its object table: else
    /// it is given back, and the build ends with it).
    fn references(&self, mut index: Index) -> Result<References, Box<Index>> {
        let Some(n) = index.objects.as_ref().map(|o| o.len()) else {
            return Err(Box::new(index));
        };
        let mut diagnostics = std::mem::take(&mut index.diagnostics);
        let roots = resolve_roots(&index, &mut diagnostics);
        index.diagnostics = diagnostics;
        let captures = Captures::new(
            self.captures,
            &index.classes,
            &index.strings,
            index.header.id_size,
        );
        Ok(References {
            index,
            roots,
            state: RefState::default(),
            sink: ForwardSink::new(n),
            captures,
        })
    }

    /// Feeds the next bytes of the file in the current pass.
    pub fn push(&mut self, bytes: &[u8]) -> Result<(), BuildError> {
        let r = self.feed(bytes);
        if r.is_err() {
            self.fail();
        }
        r
    }

    fn feed(&mut self, bytes: &[u8]) -> Result<(), BuildError> {
        let decoder = self.decoder.as_mut().ok_or(BuildError::Misuse(NO_PASS))?;
        match &mut self.stage {
            Stage::Indexing(ix) => decoder.push(bytes, ix.as_mut())?,
            Stage::References(r) => decoder.push(bytes, &mut r.pass())?,
            Stage::Referrers(r) => decoder.push(bytes, &mut r.pass())?,
            _ => return Err(BuildError::Misuse(NO_PASS)),
        }
        Ok(())
    }

    /// Reads the current pass from `src` on `how.threads` threads instead of having it pushed,
    /// when the pass allows it, with more than one thread: pass 1 of a plain dump whose
    /// records are all in order ([`crate::model::parallel`]), and the references passes (2
    /// and 3) of a plain, undamaged dump ([`super::parallel`]). Returns whether it did; if
    /// not, the caller pushes the file as usual (also after a part of pass 1 was read: it
    /// starts again). `progress` is told the file offset read up to. Then
    /// [`Build::end_pass`] as after pushing.
    #[cfg(not(target_family = "wasm"))]
    pub fn read_in_parallel(
        &mut self,
        src: &dyn crate::format::source::SharedSource,
        how: super::parallel::Parallel,
        progress: &mut dyn FnMut(u64),
    ) -> Result<bool, BuildError> {
        if how.threads < 2 || self.damage.is_some() || self.gzip.is_some() || self.decoder.is_none()
        {
            return Ok(false);
        }
        let r = match &mut self.stage {
            Stage::Indexing(ix) => parallel_index(ix, src, how, progress),
            Stage::References(r) => parallel_references(r, src, how, progress),
            Stage::Referrers(r) => parallel_referrers(r, src, how, progress),
            _ => return Ok(false),
        };
        match r {
            Ok(done) => {
                self.parallel = done;
                Ok(done)
            }
            Err(e) => {
                self.fail();
                Err(e.into())
            }
        }
    }

    fn fail(&mut self) {
        self.stage = Stage::Failed;
        self.decoder = None;
    }

    /// Ends the current pass (the whole file was pushed) and runs the computation that
    /// follows it, reporting its progress to `progress`.
    pub fn end_pass(&mut self, progress: &mut dyn FnMut(&Progress<'_>)) -> Result<(), BuildError> {
        let r = self.end(progress);
        if r.is_err() {
            self.fail();
        }
        r
    }

    fn end(&mut self, progress: &mut dyn FnMut(&Progress<'_>)) -> Result<(), BuildError> {
        let mut decoder = self
            .decoder
            .take()
            .ok_or(BuildError::Misuse("end_pass without a pass under way"))?;
        let mut tick = |phase: &str, done: u64, total: u64| {
            progress(&Progress { phase, done, total });
        };
        let stage = std::mem::replace(&mut self.stage, Stage::Failed);
        self.stage = match stage {
            Stage::Indexing(mut ix) => {
                if !self.parallel {
                    decoder.finish(ix.as_mut())?;
                    self.damage = decoder.damage().cloned();
                }
                let index = ix.finish()?;
                if let Some(d) = &self.damage
                    && objects_in(&index) == 0
                {
                    // Damaged before its first object: nothing to analyse.
                    return Err(d.error.clone().into());
                }
                self.after_index(index, &mut decoder)
            }
            Stage::References(mut r) => {
                let mut pass = r.pass();
                if !self.parallel {
                    decoder.finish(&mut pass)?;
                    self.same_damage(&decoder)?;
                }
                pass.check_complete()?;
                Stage::Numbered(Box::new(number(*r, self.damage.is_some(), &mut tick)?))
            }
            Stage::Referrers(mut r) => {
                let mut pass = r.pass();
                if !self.parallel {
                    decoder.finish(&mut pass)?;
                    self.same_damage(&decoder)?;
                }
                pass.check_complete()?;
                Stage::Done(Built::Heap(Box::new(dominate(*r, &mut tick)?)))
            }
            other => {
                self.stage = other;
                return Err(BuildError::Misuse("end_pass without a pass under way"));
            }
        };
        Ok(())
    }

    /// A later pass must stop where pass 1 did: the same bytes give the same damage.
    fn same_damage(&self, decoder: &Decoder) -> Result<(), HprofError> {
        let at = |d: Option<&Damage>| d.map(|d| d.error.offset);
        if at(decoder.damage()) == at(self.damage.as_ref()) {
            Ok(())
        } else {
            Err(HprofError::new(
                0,
                ErrorKind::Malformed {
                    what: "file",
                    detail: "the file changed between passes (it is damaged at another place)",
                },
            ))
        }
    }

    /// After pass 1: the plan, and whether the full analysis goes on.
    fn after_index(&mut self, index: Index, decoder: &mut Decoder) -> Stage {
        let objects = objects_in(&index);
        let references_bound = index.stats.ref_slots + u64::from(index.classes.object_count) * 4;
        let plan = Plan {
            objects,
            references_bound,
            peak_bytes: predict_peak(objects, references_bound),
        };
        self.plan = Some(plan);
        let too_big = self
            .options
            .memory_limit
            .is_some_and(|l| plan.peak_bytes > l);
        if too_big {
            self.refused = Some(format!(
                "this dump has {} objects and up to {} references: the full analysis would \
                 need about {} MiB, more than the {} MiB available here. The histogram is \
                 complete; use the native CLI (heapscope) for the rest.",
                plan.objects,
                plan.references_bound,
                plan.peak_bytes >> 20,
                self.options.memory_limit.unwrap_or(0) >> 20
            ));
        }
        if self.options.histogram_only || too_big {
            // Nothing will read the file again: the gzip snapshots go with the decoder.
            Stage::Done(Built::Index(Box::new(index)))
        } else {
            if decoder.is_gzip() {
                self.gzip = Some(decoder.take_gzip_checkpoints());
            }
            Stage::Indexed(Box::new(index))
        }
    }

    /// The result, once [`Build::begin_pass`] said there is nothing more to read.
    pub fn finish(self) -> Result<Finished, BuildError> {
        match self.stage {
            Stage::Done(built) => Ok(Finished {
                built,
                plan: self.plan,
                refused: self.refused,
                gzip: self.gzip,
                damage: self.damage,
            }),
            _ => Err(BuildError::Misuse("finish before every pass was read")),
        }
    }
}

/// Pass 1 on several threads (see [`Build::read_in_parallel`]): the indexer is replaced by
/// the one the threads filled; a file read on one thread is pushed to the one there is.
#[cfg(not(target_family = "wasm"))]
fn parallel_index(
    ix: &mut Box<Indexer>,
    src: &dyn crate::format::source::SharedSource,
    how: super::parallel::Parallel,
    progress: &mut dyn FnMut(u64),
) -> Result<bool, HprofError> {
    let bytes = how
        .stretch_bytes
        .unwrap_or(crate::model::parallel::STRETCH_BYTES);
    let read = crate::model::parallel::index(ix.per_object(), src, how.threads, bytes, progress)?;
    Ok(read.map(|read| **ix = read).is_some())
}

/// Pass 2 on several threads (see [`Build::read_in_parallel`]): the pieces' references go
/// to the forward sink in file order, their captured fields are appended.
#[cfg(not(target_family = "wasm"))]
fn parallel_references(
    r: &mut References,
    src: &dyn crate::format::source::SharedSource,
    how: super::parallel::Parallel,
    progress: &mut dyn FnMut(u64),
) -> Result<bool, HprofError> {
    let References {
        index,
        roots,
        state,
        sink,
        captures,
    } = r;
    let stretches = stretches_of(index, how);
    if stretches.is_empty() {
        return Ok(false);
    }
    let template = captures.empty_like();
    super::parallel::run(
        &stretches,
        RefInput::new(index, roots),
        None,
        Some(&template),
        src,
        how.threads,
        |mut piece| {
            piece.for_each(|obj, refs| {
                super::refs::EdgeSink::object(sink, obj);
                for &t in refs {
                    super::refs::EdgeSink::edge(sink, t);
                }
            });
            state.absorb(piece.state.next_object(), &piece.state);
            if let Some(c) = piece.captures.as_mut() {
                captures.append(c);
            }
            Ok(())
        },
        progress,
    )?;
    Ok(true)
}

/// Pass 3 on several threads (see [`Build::read_in_parallel`]): the threads map the
/// references to preorder numbers with the sink's `pre`, lent to them for the pass.
#[cfg(not(target_family = "wasm"))]
fn parallel_referrers(
    r: &mut Referrers,
    src: &dyn crate::format::source::SharedSource,
    how: super::parallel::Parallel,
    progress: &mut dyn FnMut(u64),
) -> Result<bool, HprofError> {
    let Referrers {
        index,
        roots,
        state,
        sink,
        ..
    } = r;
    let stretches = stretches_of(index, how);
    if stretches.is_empty() {
        return Ok(false);
    }
    let pre = sink.lend_pre();
    let r = super::parallel::run(
        &stretches,
        RefInput::new(index, roots),
        Some(&pre),
        None,
        src,
        how.threads,
        |piece| {
            piece.for_each(|obj, refs| {
                if let Some(&source) = pre.get(obj as usize)
                    && source != NONE
                {
                    for &t in refs {
                        sink.premapped(t, source);
                    }
                }
            });
            state.absorb(piece.state.next_object(), &piece.state);
            Ok(())
        },
        progress,
    );
    sink.give_back_pre(pre);
    r.map(|()| true)
}

/// The stretches passes 2 and 3 are cut into: at pass 1's checkpoints, sized for the
/// heap-dump records' bytes and the threads.
#[cfg(not(target_family = "wasm"))]
fn stretches_of(index: &Index, how: super::parallel::Parallel) -> Vec<super::parallel::Stretch> {
    let heap_bytes = index
        .files
        .segments
        .iter()
        .map(|&(s, e)| e.saturating_sub(s))
        .sum();
    super::parallel::stretches(
        &index.files,
        index.classes.object_count,
        how.stretch_for(heap_bytes),
    )
}

/// Objects pass 1 found: instances, arrays and class objects.
fn objects_in(index: &Index) -> u64 {
    index.stats.instances
        + index.stats.obj_arrays
        + index.stats.prim_arrays
        + u64::from(index.classes.object_count)
}

/// After pass 2: pass 2's diagnostics join the index's; the reachable objects are numbered
/// and the reverse graph sized; the forward graph's memory is kept for it. `damaged`: a
/// damaged dump without GC roots gets assumed ones (an intact dump without roots has none:
/// everything in it is unreachable, as the dump says).
fn number(
    r: References,
    damaged: bool,
    tick: &mut dyn FnMut(&str, u64, u64),
) -> Result<Numbered, HprofError> {
    let References {
        mut index,
        mut roots,
        state,
        sink,
        captures,
    } = r;
    index.diagnostics.merge(&state.diagnostics);
    let fwd = sink.finish()?;
    if damaged && roots.dominator_roots.is_empty() && fwd.nodes() > 0 {
        roots.dominator_roots = assumed_roots(&fwd, index.classes.object_count);
        index
            .diagnostics
            .add("gc_roots_assumed", roots.dominator_roots.len() as u64, None);
    }
    // Announce the phase: its own reports come every 2^20 objects only.
    tick("reachability", 0, 0);
    let n = fwd.nodes() as u64;
    let dfs = dfs(&fwd, &roots.dominator_roots, &mut |d| {
        tick("reachability", d, n)
    })?;
    // The forward lists' memory becomes the reverse lists' (same size, give or take the
    // references of unreachable objects and the roots).
    let storage = fwd.entries;
    drop(fwd.offsets);
    Ok(Numbered {
        index,
        roots,
        dfs,
        storage,
        captures,
        edges: state.edges,
    })
}

/// GC roots for a dump that has none (its roots were in the part of a damaged dump that
/// was lost): every class object, and every object no reference names. The graphs keep
/// every instance → class reference in this case (no class was a root when pass 2 ran),
/// so `RootSet::root_classes` stays empty. 4 bytes per object while it runs.
fn assumed_roots(fwd: &Csr, class_objects: u32) -> Vec<u32> {
    let n = fwd.nodes();
    let mut referred = vec![false; n];
    for x in 0..n as u32 {
        fwd.for_each(x, |t| {
            if let Some(r) = referred.get_mut(t as usize) {
                *r = true;
            }
        });
    }
    (0..n as u32)
        .filter(|&x| x < class_objects || !referred.get(x as usize).copied().unwrap_or(true))
        .collect()
}

/// Prepares pass 3: the reverse sink takes `pre`, the list ends and the recycled memory.
fn referrers(n: Numbered) -> Referrers {
    let Numbered {
        index,
        roots,
        dfs,
        storage,
        captures,
        edges,
    } = n;
    let Dfs {
        pre,
        vertex,
        parent,
        ends,
    } = dfs;
    let sink = ReverseSink::new(pre, ends, &roots.dominator_roots, storage);
    Referrers {
        index,
        roots,
        state: RefState::default(),
        sink,
        vertex,
        parent,
        captures,
        edges,
    }
}

/// After pass 3: dominators, retained sizes, per-class retained sizes (see the memory
/// schedule in [`super::dominators`]). Pass 3's diagnostics are pass 2's again: dropped.
fn dominate(r: Referrers, tick: &mut dyn FnMut(&str, u64, u64)) -> Result<Heap, HprofError> {
    let Referrers {
        index,
        roots,
        state,
        sink,
        vertex,
        parent,
        captures,
        edges,
    } = r;
    let changed = HprofError::new(
        0,
        ErrorKind::Malformed {
            what: "file",
            detail: "the file changed between passes (reference counts differ)",
        },
    );
    if state.edges != edges {
        return Err(changed);
    }
    let (pre, referrers) = sink.finish();
    let mut referrers = referrers.ok_or(changed)?;
    tick("dominators", 0, 0);
    parent_first(&mut referrers, &parent);
    let n = vertex.len() as u64;
    // Arrays whose job is done lend their memory to the next ones (see `refill`).
    let (idom, spare) = semi_nca_in(&referrers, parent, pre, &mut |d| tick("dominators", d, n));
    let objects = index
        .objects
        .as_ref()
        .unwrap_or_else(|| ObjectTable::empty_static());
    let class_of = |p: u32| {
        vertex
            .get(p as usize)
            .and_then(|&x| objects.class_of.get(x as usize))
            .unwrap_or(u32::MAX)
    };
    tick("retained sizes", 0, 0);
    let (tops, spare) = class_tops_in(&idom, class_of, index.classes.len(), spare);
    let retained = retained_sizes_in(&idom, &vertex, |x| objects.size(x), spare);
    let mut class_retained = vec![0u64; index.classes.len()];
    for p in crate::model::bits::ones(&tops) {
        if let Some(c) = class_retained.get_mut(class_of(p) as usize) {
            *c += retained.get(p);
        }
    }
    drop(tops);
    let mut pre = vec![NONE; objects.len()];
    for (p, &x) in vertex.iter().enumerate().skip(1) {
        if let Some(slot) = pre.get_mut(x as usize) {
            *slot = p as u32;
        }
    }
    let mut top: Vec<u32> = (1..idom.len() as u32)
        .filter(|&w| idom.get(w as usize) == Some(&0))
        .collect();
    top.sort_by(|&a, &b| retained.get(b).cmp(&retained.get(a)).then(a.cmp(&b)));
    let mut unreachable = (0u64, 0u64);
    for (x, &p) in pre.iter().enumerate() {
        if p == NONE {
            unreachable.0 += 1;
            unreachable.1 += objects.size(x as u32);
        }
    }
    Ok(Heap {
        index,
        roots,
        captures,
        dom: Dominance {
            pre,
            vertex,
            idom,
            retained,
            referrers,
            top,
        },
        class_retained,
        unreachable,
        references: edges,
    })
}

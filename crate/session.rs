//! One analysis of one dump, driven by whoever holds the file: the CLI (reading a file)
//! or the browser worker (reading `File.slice`s). Both run the same protocol:
//!
//! ```text
//! while let Some(pass) = session.begin_pass() {   // which pass, and how many there are
//!     for chunk in file { session.push(chunk)?; }  // the whole file, in order, any sizes
//!     session.end_pass()?;                        // computation between passes
//! }
//! session.summary(); session.histogram(); ...      // queries, once ready
//! ```
//!
//! The session decides how many passes a dump needs; the caller only streams the file from
//! the start each time. Progress of the computations between passes is reported through
//! the callback given to [`Session::set_progress`].

use crate::analysis::dominators::ReverseSink;
use crate::analysis::dominators_report::{DomNode, node};
use crate::analysis::fields::CAPTURES;
use crate::analysis::finalizers::{FinalizerReport, finalizers};
use crate::analysis::heap::{AfterForward, DuringReverse, Heap, after_forward};
use crate::analysis::histogram::{Histogram, histogram, with_retained};
use crate::analysis::inspect::{ObjectView, inspect};
use crate::analysis::paths::{PathOptions, PathTree, merged_paths};
use crate::analysis::refstats::{RefKindStats, reference_stats};
use crate::analysis::summary::{Summary, summary};
use crate::analysis::suspects::{SuspectsReport, suspects};
use crate::analysis::threads::{ThreadView, threads};
use crate::format::gzip::{Checkpoint, GzipRandomReader};
use crate::format::{ByteSource, ErrorKind, HprofError};
use crate::load::Pass;
use crate::model::captures::Captures;
use crate::model::diagnostics::Diagnostics;
use crate::model::graph::{ForwardSink, RefPass};
use crate::model::index::{Index, Indexer};
use crate::model::roots::{RootSet, resolve as resolve_roots};

/// What the caller wants computed.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Stop after the histogram (one pass, no per-object memory).
    pub histogram_only: bool,
    /// Refuse the full analysis (keeping the histogram) when its predicted peak memory
    /// exceeds this many bytes: a browser tab has 4 GiB of wasm memory at most.
    pub memory_limit: Option<u64>,
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

/// An object ID written `0x…` in hex (`0X` too), the form reports give and the browser
/// takes.
pub fn parse_hex_id(s: &str) -> Option<u64> {
    let h = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X"))?;
    u64::from_str_radix(h, 16).ok()
}

/// An object ID as typed on a command line: `0x…` hex or a decimal number, spaces around
/// it ignored.
pub fn parse_id(s: &str) -> Option<u64> {
    let t = s.trim();
    parse_hex_id(t).or_else(|| t.parse().ok())
}

/// A pass over the file, as announced by [`Session::begin_pass`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PassInfo {
    /// Short name shown to the user (`index`, `references`).
    pub name: &'static str,
    /// 1-based number of this pass.
    pub number: u32,
    /// Passes expected in all (may grow if the session finds it needs more).
    pub of: u32,
}

/// A progress report. Each computation between passes reports its start (`done` and
/// `total` 0), then every 2^20 objects.
#[derive(Clone, Debug)]
pub struct Progress<'a> {
    /// Phase name (`reachability` after pass 2, `dominators` after pass 3).
    pub phase: &'a str,
    /// Work done, in the phase's unit.
    pub done: u64,
    /// Total work (0 when unknown).
    pub total: u64,
}

/// A progress callback.
pub type ProgressFn = Box<dyn FnMut(&Progress<'_>)>;

enum Stage {
    /// Nothing read yet.
    Start,
    /// Streaming pass 1.
    Indexing(Box<Pass<Indexer>>),
    /// Pass 1 done; the references pass comes next (unless histogram-only).
    Indexed(Box<Index>),
    /// Streaming pass 2 (references → forward graph).
    References(Box<(Pass<RefPass<ForwardSink>>, RootSet)>),
    /// Pass 2 done: reachable objects numbered, reverse graph sized.
    Forwarded(Box<AfterForward>),
    /// Streaming pass 3 (references → reverse graph).
    Reverse(Box<(Pass<RefPass<ReverseSink>>, DuringReverse)>),
    /// Histogram-only analysis complete.
    HistogramDone(Box<Index>),
    /// Full analysis complete.
    Ready(Box<Heap>),
    /// An error ended the session.
    Failed,
}

/// One analysis session.
pub struct Session {
    options: Options,
    stage: Stage,
    summary: Option<Summary>,
    histogram: Option<Histogram>,
    progress: Option<ProgressFn>,
    /// Random access to the file (set by the caller), wrapped for gzip.
    source: Option<Box<dyn ByteSource>>,
    /// Whether pass 1 found gzip, and the inflater snapshots it recorded (kept for the full
    /// analysis only: nothing else reads the file again).
    gzip: Option<Vec<Checkpoint>>,
    finalizers: Option<FinalizerReport>,
    plan: Option<Plan>,
    /// Why the full analysis was not run (memory limit).
    refused: Option<String>,
}

fn no_object(id: u64) -> HprofError {
    HprofError::new(0, ErrorKind::NoObject { id })
}

fn internal(detail: &'static str) -> HprofError {
    HprofError::new(
        0,
        ErrorKind::Malformed {
            what: "session",
            detail,
        },
    )
}

/// The analyzed heap, or the error of a query asked too early.
fn ready(stage: &Stage) -> Result<&Heap, HprofError> {
    match stage {
        Stage::Ready(h) => Ok(h),
        _ => Err(HprofError::new(0, ErrorKind::NotReady)),
    }
}

impl Session {
    /// A session that has read nothing yet.
    pub fn new(options: Options) -> Self {
        Session {
            options,
            stage: Stage::Start,
            summary: None,
            histogram: None,
            progress: None,
            source: None,
            gzip: None,
            finalizers: None,
            plan: None,
            refused: None,
        }
    }

    /// The cost of the full analysis, known after pass 1.
    pub fn plan(&self) -> Option<Plan> {
        self.plan
    }

    /// Why the full analysis was refused (the predicted peak exceeded the memory limit);
    /// the summary and histogram are still available.
    pub fn refused(&self) -> Option<&str> {
        self.refused.as_deref()
    }

    /// The dominator tree's children of `parent` (an object ID; `None` for the GC roots'
    /// side), largest retained first, at most `limit`, with the number left out.
    pub fn dominator_children(
        &self,
        parent: Option<u64>,
        limit: usize,
    ) -> Result<(Vec<DomNode>, u64), HprofError> {
        let heap = self.ready()?;
        let p = match parent {
            Some(id) => Some(heap.object_by_id(id).ok_or_else(|| no_object(id))?),
            None => None,
        };
        let kids = heap.children(p);
        let more = kids.len().saturating_sub(limit) as u64;
        Ok((
            kids.into_iter()
                .take(limit)
                .map(|c| node(heap, c))
                .collect(),
            more,
        ))
    }

    /// Gives the session random access to the file, for queries that re-read records
    /// (inspector, paths, Finalizer and thread reports). Pass the file's raw bytes: gzip is
    /// handled here with the snapshots pass 1 recorded.
    pub fn set_source(&mut self, src: Box<dyn ByteSource>) {
        self.source = Some(src);
        self.wrap_source();
    }

    fn wrap_source(&mut self) {
        if self.gzip.is_some()
            && let Some(raw) = self.source.take()
        {
            let cps = self.gzip.take().unwrap_or_default();
            self.source = Some(Box::new(GzipRandomReader::new(raw, cps)));
        }
    }

    /// The heap, for a query.
    fn ready(&self) -> Result<&Heap, HprofError> {
        ready(&self.stage)
    }

    /// The heap and the source, for a query.
    fn parts(&mut self) -> Result<(&Heap, &mut dyn ByteSource), HprofError> {
        let heap = ready(&self.stage)?;
        let src = self
            .source
            .as_deref_mut()
            .ok_or_else(|| internal("no random access to the file (set_source)"))?;
        Ok((heap, src))
    }

    /// The Finalizer report (computed on first use).
    pub fn finalizers(&mut self) -> Result<&FinalizerReport, HprofError> {
        if self.finalizers.is_none() {
            let (heap, src) = self.parts()?;
            let r = finalizers(heap, src)?;
            self.finalizers = Some(r);
        }
        self.finalizers
            .as_ref()
            .ok_or_else(|| internal("finalizer report missing"))
    }

    /// Everything about the object with this ID.
    pub fn inspect(&mut self, id: u64, max_items: u32) -> Result<ObjectView, HprofError> {
        let (heap, src) = self.parts()?;
        let obj = heap.object_by_id(id).ok_or_else(|| no_object(id))?;
        inspect(heap, src, obj, max_items)
    }

    /// Merged shortest paths from GC roots to the object with this ID.
    pub fn paths_to_object(&mut self, id: u64, opts: &PathOptions) -> Result<PathTree, HprofError> {
        let (heap, src) = self.parts()?;
        let obj = heap.object_by_id(id).ok_or_else(|| no_object(id))?;
        merged_paths(heap, src, &[obj], opts)
    }

    /// Merged shortest paths from GC roots to every instance of the classes named `name`.
    pub fn paths_to_class(
        &mut self,
        name: &str,
        opts: &PathOptions,
    ) -> Result<PathTree, HprofError> {
        let (heap, src) = self.parts()?;
        let targets = heap.instances_of(heap.index.classes.by_name(name));
        merged_paths(heap, src, &targets, opts)
    }

    /// The instances of the classes named `name`, largest retained first, at most
    /// `limit`, with the number of instances in all.
    pub fn biggest_instances(
        &self,
        name: &str,
        limit: usize,
    ) -> Result<(Vec<DomNode>, u64), HprofError> {
        let heap = self.ready()?;
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
        Ok((all.into_iter().map(|(_, o)| node(heap, o)).collect(), total))
    }

    /// Leak suspects (uses the Finalizer report).
    pub fn suspects(&mut self) -> Result<SuspectsReport, HprofError> {
        self.finalizers()?;
        let f = self.finalizers.take();
        let r = {
            let (heap, src) = self.parts()?;
            suspects(heap, src, f.as_ref())
        };
        self.finalizers = f;
        r
    }

    /// Reference statistics by kind.
    pub fn reference_stats(&self) -> Result<Vec<RefKindStats>, HprofError> {
        Ok(reference_stats(self.ready()?))
    }

    /// Threads with stacks and locals.
    pub fn threads(&mut self, max_locals: usize) -> Result<Vec<ThreadView>, HprofError> {
        let (heap, src) = self.parts()?;
        Ok(threads(heap, src, max_locals))
    }

    /// Sets the callback for progress of the computations between passes.
    pub fn set_progress(&mut self, f: ProgressFn) {
        self.progress = Some(f);
    }

    fn passes(&self) -> u32 {
        if self.options.histogram_only { 1 } else { 3 }
    }

    /// Starts the next pass; `None` when the analysis is complete (or failed).
    pub fn begin_pass(&mut self) -> Option<PassInfo> {
        let of = self.passes();
        let stage = std::mem::replace(&mut self.stage, Stage::Failed);
        let (next, info) = match stage {
            Stage::Start => {
                // Per-object memory and gzip snapshots only serve the full analysis.
                let full = !self.options.histogram_only;
                (
                    Stage::Indexing(Box::new(Pass::new(Indexer::new(full), full))),
                    Some(("index", 1)),
                )
            }
            Stage::Indexed(index) => {
                let captures = Captures::new(
                    CAPTURES,
                    &index.classes,
                    &index.strings,
                    index.header.id_size,
                );
                let n = index.objects.as_ref().map_or(0, |o| o.len());
                let mut diags = Diagnostics::default();
                let roots = resolve_roots(&index, &mut diags);
                let mut index = *index;
                index.diagnostics.merge(&diags);
                match RefPass::new(
                    index,
                    roots.locals.clone(),
                    roots.root_classes.clone(),
                    ForwardSink::new(n),
                    Some(captures),
                ) {
                    Ok(refs) => (
                        Stage::References(Box::new((Pass::new(refs, false), roots))),
                        Some(("references", 2)),
                    ),
                    Err(index) => (Stage::HistogramDone(index), None),
                }
            }
            Stage::Forwarded(after) => {
                let (sink, index, during) = after.into_reverse();
                let locals = during.roots.locals.clone();
                let root_classes = during.roots.root_classes.clone();
                match RefPass::new(index, locals, root_classes, sink, None) {
                    Ok(refs) => (
                        Stage::Reverse(Box::new((Pass::new(refs, false), during))),
                        Some(("referrers", 3)),
                    ),
                    Err(index) => (Stage::HistogramDone(index), None),
                }
            }
            other => (other, None),
        };
        self.stage = next;
        info.map(|(name, number)| PassInfo { name, number, of })
    }

    /// Feeds the next bytes of the file in the current pass.
    pub fn push(&mut self, bytes: &[u8]) -> Result<(), HprofError> {
        let r = match &mut self.stage {
            Stage::Indexing(pass) => pass.push(bytes),
            Stage::References(b) => b.0.push(bytes),
            Stage::Reverse(b) => b.0.push(bytes),
            _ => Ok(()),
        };
        if r.is_err() {
            self.stage = Stage::Failed;
        }
        r
    }

    /// Ends the current pass (the whole file was pushed) and runs what follows it.
    pub fn end_pass(&mut self) -> Result<(), HprofError> {
        let stage = std::mem::replace(&mut self.stage, Stage::Failed);
        let mut progress = self.progress.take();
        let mut tick = |phase: &str, done: u64, total: u64| {
            if let Some(f) = &mut progress {
                f(&Progress { phase, done, total });
            }
        };
        let next = match stage {
            Stage::Indexing(pass) => {
                let (ix, mut d) = pass.finish()?;
                let index = ix.finish()?;
                let s = summary(&index);
                let references_bound =
                    index.stats.ref_slots + u64::from(index.classes.object_count) * 4;
                let plan = Plan {
                    objects: s.objects,
                    references_bound,
                    peak_bytes: predict_peak(s.objects, references_bound),
                };
                self.summary = Some(s);
                self.histogram = Some(histogram(&index));
                self.plan = Some(plan);
                let too_big = self
                    .options
                    .memory_limit
                    .is_some_and(|l| plan.peak_bytes > l);
                if too_big {
                    self.refused = Some(format!(
                        "this dump has {} objects and up to {} references: the full analysis \
                         would need about {} MiB, more than the {} MiB available here. The \
                         histogram is complete; use the native CLI (heapscope) for the rest.",
                        plan.objects,
                        plan.references_bound,
                        plan.peak_bytes >> 20,
                        self.options.memory_limit.unwrap_or(0) >> 20
                    ));
                }
                if self.options.histogram_only || too_big {
                    // No query will read the file: the gzip snapshots go with the decoder.
                    Stage::HistogramDone(Box::new(index))
                } else {
                    if d.is_gzip() {
                        self.gzip = Some(d.take_gzip_checkpoints());
                        self.wrap_source();
                    }
                    Stage::Indexed(Box::new(index))
                }
            }
            Stage::References(b) => {
                let (pass, roots) = *b;
                let (refs, _) = pass.finish()?;
                let r = refs.finish()?;
                let fwd = r.sink.finish()?;
                let mut diagnostics = r.index.diagnostics.clone();
                diagnostics.merge(&r.diagnostics);
                let captures = r.captures.ok_or_else(|| internal("captures missing"))?;
                // Announce the phase: its own reports come every 2^20 objects only.
                tick("reachability", 0, 0);
                Stage::Forwarded(Box::new(after_forward(
                    r.index,
                    fwd,
                    captures,
                    r.edges,
                    diagnostics,
                    roots,
                    &mut tick,
                )?))
            }
            Stage::Reverse(b) => {
                let (pass, during) = *b;
                let (refs, _) = pass.finish()?;
                let r = refs.finish()?;
                let (pre, rev) = r.sink.finish();
                let rev = rev.ok_or_else(|| internal("the file changed between passes"))?;
                tick("dominators", 0, 0);
                let heap = during.finish(r.index, pre, rev, &mut tick);
                self.histogram = Some(with_retained(&heap));
                // Pass 1's summary stands; only the diagnostics grew since.
                if let Some(s) = &mut self.summary {
                    s.diagnostics = heap.diagnostics.list();
                }
                Stage::Ready(Box::new(heap))
            }
            other => other,
        };
        self.progress = progress;
        self.stage = next;
        Ok(())
    }

    /// The summary (after pass 1).
    pub fn summary(&self) -> Option<&Summary> {
        self.summary.as_ref()
    }

    /// The class histogram (after pass 1; with retained sizes once the analysis is done).
    pub fn histogram(&self) -> Option<&Histogram> {
        self.histogram.as_ref()
    }

    /// The index (after pass 1).
    pub fn index(&self) -> Option<&Index> {
        match &self.stage {
            Stage::Indexed(i) | Stage::HistogramDone(i) => Some(i),
            Stage::Ready(h) => Some(&h.index),
            Stage::Forwarded(a) => Some(&a.index),
            _ => None,
        }
    }

    /// The analyzed heap (after the last pass).
    pub fn heap(&self) -> Option<&Heap> {
        match &self.stage {
            Stage::Ready(h) => Some(h),
            _ => None,
        }
    }

    /// Takes the analyzed heap out of the session.
    pub fn into_heap(self) -> Option<Heap> {
        match self.stage {
            Stage::Ready(h) => Some(*h),
            _ => None,
        }
    }
}

/// Runs every pass of `session` over an in-memory file, in slices of `chunk` bytes.
pub fn run_in_memory(session: &mut Session, bytes: &[u8], chunk: usize) -> Result<(), HprofError> {
    while session.begin_pass().is_some() {
        for c in bytes.chunks(chunk.max(1)) {
            session.push(c)?;
        }
        session.end_pass()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_ids_parse_as_each_caller_takes_them() {
        assert_eq!(parse_hex_id("0xfc03c2e0"), Some(0xfc03_c2e0));
        assert_eq!(parse_hex_id("0XFC"), Some(0xfc));
        for bad in ["252", " 0xfc", "0x", "0xzz", "fc", ""] {
            assert_eq!(parse_hex_id(bad), None, "{bad:?}");
        }
        assert_eq!(parse_id(" 0xfc\n"), Some(0xfc));
        assert_eq!(parse_id("252"), Some(252));
        for bad in ["0x", "0xzz", "fc", "", "-1"] {
            assert_eq!(parse_id(bad), None, "{bad:?}");
        }
    }
}

//! One analysis of one dump, driven by whoever holds the file: the CLI (reading a file) or
//! the browser worker (reading `File.slice`s). The session runs the passes through its
//! [`Build`] (see [`crate::graph::build`] for the protocol), then answers [`Query`]s:
//!
//! ```text
//! while let Some(pass) = session.begin_pass() {   // which pass, and how many there are
//!     for chunk in file { session.push(chunk)?; }  // the whole file, in order, any sizes
//!     session.end_pass()?;                        // the computation between passes
//! }
//! session.query(&Query::Summary {})?;            // once every pass was read
//! ```
//!
//! Queries that read values re-read records through the random access the caller gives
//! ([`Session::set_source`]; gzip is handled here with pass 1's inflater snapshots).

use super::{AnalyzeReport, Answer, HistogramTotals, Query, QueryError};
use crate::analysis::class::{class_report, objects_of};
use crate::analysis::class_loaders::class_loaders;
use crate::analysis::collections::{Filter, collections};
use crate::analysis::compare::compare;
use crate::analysis::dominator_groups::{group, grouped_tree};
use crate::analysis::dominators_report::{biggest_instances, children, dominator_tree};
use crate::analysis::duplicate_strings::duplicate_strings;
use crate::analysis::fields::CAPTURES;
use crate::analysis::finalizers::{FinalizerReport, finalizers};
use crate::analysis::histogram::{Histogram, histogram, sort_by_retained, with_retained};
use crate::analysis::histogram_groups::{GroupedHistogram, grouped_histogram};
use crate::analysis::immediate_dominators::immediate_dominators;
use crate::analysis::inspect::{Page, inspect_page};
use crate::analysis::paths::{PathOptions, merged_paths};
use crate::analysis::refstats::{RefKindStats, References, reference_stats};
use crate::analysis::report::{DumpReport, Full, dump_report};
use crate::analysis::retained_set::retained_set_report;
use crate::analysis::secrets::secrets;
use crate::analysis::summary::{Damaged, GraphSummary, Summary, damaged, graph_summary, summary};
use crate::analysis::suspects::{SuspectsReport, suspects};
use crate::analysis::threads::{Threads, threads};
use crate::analysis::unreachable::unreachable;
use crate::format::ByteSource;
use crate::format::gzip::{Checkpoint, GzipRandomReader};
use crate::graph::{Build, BuildError, Built, Heap, Options, PassInfo, Plan, Progress};

/// A progress callback: the computations between passes, and the phases of a query.
pub type ProgressFn = Box<dyn FnMut(&Progress<'_>)>;

/// What the session knows once every pass was read.
struct Ready {
    built: Built,
    summary: Summary,
    histogram: Histogram,
    plan: Option<Plan>,
    refused: Option<String>,
    /// The Finalizer report, kept once computed (suspects and analyze read it too).
    finalizers: Option<FinalizerReport>,
    /// The leak suspects, kept once computed (the page asks for them, then for the report
    /// a comparison keeps).
    suspects: Option<SuspectsReport>,
}

enum State {
    Building(Box<Build>),
    Ready(Box<Ready>),
    /// An error ended the passes.
    Failed,
}

/// One analysis session.
pub struct Session {
    state: State,
    progress: Option<ProgressFn>,
    /// Random access to the file (set by the caller), wrapped for gzip once pass 1 said so.
    source: Option<Box<dyn ByteSource>>,
    /// Pass 1's inflater snapshots, until the source they serve is set.
    gzip: Option<Vec<Checkpoint>>,
    /// The memory the analysis may use (a query that needs memory of its own beyond the
    /// analysis' plan is refused above it).
    memory_limit: Option<u64>,
}

impl Session {
    /// A session that has read nothing yet.
    pub fn new(options: Options) -> Self {
        Session {
            state: State::Building(Box::new(Build::new(options, CAPTURES))),
            progress: None,
            source: None,
            gzip: None,
            memory_limit: options.memory_limit,
        }
    }

    /// Sets the callback for the progress of the computations between passes and of the
    /// queries' phases.
    pub fn set_progress(&mut self, f: ProgressFn) {
        self.progress = Some(f);
    }

    /// Gives the session random access to the file, for queries that re-read records
    /// (inspector, paths, Finalizer and thread reports). Pass the file's raw bytes: gzip is
    /// handled here.
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

    /// Starts the next pass; `None` when every pass was read (the session is then ready
    /// for queries) or the passes failed.
    pub fn begin_pass(&mut self) -> Option<PassInfo> {
        let State::Building(build) = &mut self.state else {
            return None;
        };
        if let Some(pass) = build.begin_pass() {
            return Some(pass);
        }
        let state = std::mem::replace(&mut self.state, State::Failed);
        if let State::Building(build) = state
            && let Ok(finished) = build.finish()
        {
            self.gzip = finished.gzip;
            self.wrap_source();
            let built = finished.built;
            let mut summary = summary(built.index());
            summary.damaged = finished
                .damage
                .as_ref()
                .map(|d| Box::new(damaged(built.index(), d, matches!(built, Built::Heap(_)))));
            let histogram = match &built {
                Built::Heap(heap) => with_retained(heap),
                Built::Index(index) => histogram(index),
            };
            self.state = State::Ready(Box::new(Ready {
                built,
                summary,
                histogram,
                plan: finished.plan,
                refused: finished.refused,
                finalizers: None,
                suspects: None,
            }));
        }
        None
    }

    /// Whether pass 1 found the dump damaged, while the passes run (see
    /// [`crate::graph::Build::found_damage`]).
    pub fn found_damage(&self) -> bool {
        match &self.state {
            State::Building(build) => build.found_damage(),
            _ => self.damaged().is_some(),
        }
    }

    /// Feeds the next bytes of the file in the current pass.
    pub fn push(&mut self, bytes: &[u8]) -> Result<(), BuildError> {
        match &mut self.state {
            State::Building(build) => build.push(bytes),
            _ => Err(BuildError::Misuse("bytes pushed after the last pass")),
        }
    }

    /// Reads the current pass from `src` on `how.threads` threads instead of having it pushed,
    /// when the pass allows it; returns whether it did (else push the file as usual). See
    /// [`crate::graph::Build::read_in_parallel`]. `progress` is told the offset read up to.
    #[cfg(not(target_family = "wasm"))]
    pub fn read_in_parallel(
        &mut self,
        src: &dyn crate::format::source::SharedSource,
        how: crate::graph::parallel::Parallel,
        progress: &mut dyn FnMut(u64),
    ) -> Result<bool, BuildError> {
        let State::Building(build) = &mut self.state else {
            return Err(BuildError::Misuse("bytes read after the last pass"));
        };
        let r = build.read_in_parallel(src, how, progress);
        if r.is_err() {
            self.state = State::Failed;
        }
        r
    }

    /// Ends the current pass (the whole file was pushed) and runs what follows it.
    pub fn end_pass(&mut self) -> Result<(), BuildError> {
        let State::Building(build) = &mut self.state else {
            return Err(BuildError::Misuse("end_pass after the last pass"));
        };
        let progress = &mut self.progress;
        let r = build.end_pass(&mut |p| {
            if let Some(f) = progress {
                f(p);
            }
        });
        if r.is_err() {
            self.state = State::Failed;
        }
        r
    }

    /// Whether every pass was read and queries can be answered.
    pub fn is_ready(&self) -> bool {
        matches!(self.state, State::Ready(_))
    }

    /// The cost of the full analysis, known after pass 1.
    pub fn plan(&self) -> Option<Plan> {
        match &self.state {
            State::Building(b) => b.plan(),
            State::Ready(r) => r.plan,
            State::Failed => None,
        }
    }

    /// Why the full analysis was refused (the predicted peak exceeded the memory limit);
    /// the summary and histogram are still available.
    pub fn refused(&self) -> Option<&str> {
        match &self.state {
            State::Building(b) => b.refused(),
            State::Ready(r) => r.refused.as_deref(),
            State::Failed => None,
        }
    }

    /// What a damaged dump lost, when the passes read it up to its damage.
    pub fn damaged(&self) -> Option<&Damaged> {
        match &self.state {
            State::Ready(r) => r.summary.damaged.as_deref(),
            _ => None,
        }
    }

    /// The analysed heap, once the full analysis ran.
    pub fn heap(&self) -> Option<&Heap> {
        match &self.state {
            State::Ready(r) => match &r.built {
                Built::Heap(h) => Some(h),
                Built::Index(_) => None,
            },
            _ => None,
        }
    }

    /// Takes the analysed heap out of the session.
    pub fn into_heap(self) -> Option<Heap> {
        match self.state {
            State::Ready(r) => match r.built {
                Built::Heap(h) => Some(*h),
                Built::Index(_) => None,
            },
            _ => None,
        }
    }

    /// Answers `q` (checked first: [`Query::check`]).
    pub fn query(&mut self, q: &Query) -> Result<Answer, QueryError> {
        q.check()?;
        let Session {
            state,
            progress,
            source,
            memory_limit,
            ..
        } = self;
        let State::Ready(ready) = state else {
            return Err(QueryError::NotReady);
        };
        let mut phase = |name: &str| {
            if let Some(f) = progress {
                f(&Progress {
                    phase: name,
                    done: 0,
                    total: 0,
                });
            }
        };
        if let Some(&first) = q.phases().first() {
            phase(first);
        }
        // The answers that pass 1 gives.
        match q {
            Query::Summary {} => return Ok(Answer::Summary(ready.summary.clone())),
            Query::Histogram {
                top,
                by_retained: false,
            } => return Ok(Answer::Histogram(top_rows(ready.histogram.clone(), *top))),
            Query::GroupedHistogram {
                group_by,
                top,
                by_retained: false,
            } => {
                let heap = match &ready.built {
                    Built::Heap(h) => Some(h.as_ref()),
                    Built::Index(_) => None,
                };
                let g = grouped_histogram(ready.built.index(), &ready.histogram, heap, *group_by);
                return Ok(Answer::GroupedHistogram(top_groups(g, *top)));
            }
            // A dump too large for the full analysis still has its histogram.
            Query::Report { file } if matches!(ready.built, Built::Index(_)) => {
                let mut r = dump_report(&ready.summary, &ready.histogram, None);
                r.file.clone_from(file);
                return Ok(Answer::Report(Box::new(r)));
            }
            Query::Compare { reports, file } if matches!(ready.built, Built::Index(_)) => {
                let mut r = dump_report(&ready.summary, &ready.histogram, None);
                r.file.clone_from(file);
                phase("compare");
                let mut all = reports.clone();
                all.push(r);
                return Ok(Answer::Compare(Box::new(compare(&all))));
            }
            _ => {}
        }
        let Ready {
            built,
            summary,
            histogram,
            refused,
            finalizers: finalizer_report,
            suspects: suspects_report,
            plan,
        } = ready.as_mut();
        let heap: &Heap = match &*built {
            Built::Heap(heap) => heap,
            Built::Index(_) => {
                return Err(refused
                    .clone()
                    .map_or(QueryError::NotReady, QueryError::Refused));
            }
        };
        let object =
            |id: super::ObjectId| heap.object_by_id(id.0).ok_or(QueryError::NoObject(id.0));
        // One object, or every object of the classes of a name (as the histogram counts).
        let select = |id: &Option<super::ObjectId>, class: &Option<String>| match (id, class) {
            (Some(id), _) => object(*id).map(|o| vec![o]),
            (None, Some(name)) => Ok(objects_of(heap, heap.index.classes.by_name(name))),
            (None, None) => Ok(Vec::new()),
        };
        let src = source.as_deref_mut().ok_or_else(|| {
            QueryError::Internal("no random access to the file (set_source)".into())
        })?;
        Ok(match q {
            Query::Summary {} => Answer::Summary(summary.clone()),
            Query::Histogram { top, .. } => {
                let mut h = histogram.clone();
                sort_by_retained(&mut h);
                Answer::Histogram(top_rows(h, *top))
            }
            Query::Analyze { top } => {
                let caches = (&mut *finalizer_report, &mut *suspects_report);
                let FullParts {
                    graph,
                    references,
                    report,
                } = full_report(heap, src, summary, histogram, caches, &mut phase)?;
                let (Some(finalizers), Some(suspects)) = (
                    finalizer_report.as_ref().cloned(),
                    suspects_report.as_ref().cloned(),
                ) else {
                    return Err(QueryError::Internal(
                        "the full analysis' reports vanished".into(),
                    ));
                };
                let mut classes = histogram.clone();
                sort_by_retained(&mut classes);
                let histogram_totals = HistogramTotals {
                    instances: classes.total_instances,
                    shallow_bytes: classes.total_shallow_bytes,
                    classes: classes.total_classes,
                };
                classes.classes.truncate(*top as usize);
                Answer::Analyze(Box::new(AnalyzeReport {
                    summary: summary.clone(),
                    graph,
                    suspects,
                    finalizers,
                    references,
                    top_retained_classes: classes.classes,
                    dominators: dominator_tree(heap, *top as usize, 1).roots,
                    histogram_totals,
                    report,
                }))
            }
            Query::DominatorTree { top, depth } => {
                Answer::DominatorTree(dominator_tree(heap, *top as usize, *depth as usize))
            }
            Query::DominatorChildren { parent, limit } => {
                let parent = parent.map(object).transpose()?;
                Answer::DominatorChildren(children(heap, parent, *limit as usize))
            }
            Query::Instances { class, limit } => {
                Answer::Instances(biggest_instances(heap, class, *limit as usize))
            }
            Query::Finalizers {} => Answer::Finalizers(Box::new(
                cached_finalizers(finalizer_report, heap, src)?.clone(),
            )),
            Query::Paths {
                object: id,
                class,
                include_weak,
            } => {
                let opts = PathOptions {
                    include_weak: *include_weak,
                    ..PathOptions::default()
                };
                let targets = match (id, class) {
                    (Some(id), _) => vec![object(*id)?],
                    (None, Some(name)) => heap.instances_of(heap.index.classes.by_name(name)),
                    (None, None) => Vec::new(),
                };
                Answer::Paths(merged_paths(heap, src, &targets, &opts)?)
            }
            Query::Inspect {
                object: id,
                max_items,
                offset,
                referrers_offset,
            } => {
                let page = Page {
                    offset: *offset,
                    referrers_offset: *referrers_offset,
                    limit: *max_items,
                };
                Answer::Inspect(Box::new(inspect_page(heap, src, object(*id)?, &page)?))
            }
            Query::Suspects {} => Answer::Suspects(
                cached_suspects(finalizer_report, suspects_report, heap, src)?.clone(),
            ),
            Query::References {} => Answer::References(References {
                references: reference_stats(heap),
            }),
            Query::Threads { max_locals } => Answer::Threads(Threads {
                threads: threads(heap, src, *max_locals as usize),
            }),
            Query::Unreachable { top } => {
                let mut u = unreachable(heap);
                u.histogram = top_rows(u.histogram, *top);
                Answer::Unreachable(u)
            }
            Query::Collections { class, holder, top } => {
                let filter = Filter {
                    class: class.as_deref(),
                    holder: holder.as_deref(),
                    top: *top as usize,
                };
                Answer::Collections(Box::new(collections(heap, src, &filter)?))
            }
            Query::ImmediateDominators {
                object: id,
                class,
                skip,
                top,
            } => Answer::ImmediateDominators(immediate_dominators(
                heap,
                &select(id, class)?,
                skip,
                *top as usize,
            )),
            Query::RetainedSet {
                object: id,
                class,
                top,
            } => {
                let objects = select(id, class)?;
                room_for_retained_set(heap, &objects, *memory_limit, *plan)?;
                Answer::RetainedSet(retained_set_report(heap, &objects, *top))
            }
            Query::Class { name } => Answer::Class(class_report(heap, src, name)),
            Query::GroupedDominatorTree { top, depth } => {
                Answer::GroupedDominatorTree(grouped_tree(heap, *top as usize, *depth as usize))
            }
            Query::DominatorGroup {
                parent,
                path,
                limit,
                group_limit,
            } => {
                let start = parent.map(object).transpose()?;
                let g = group(heap, start, path, *limit as usize, *group_limit as usize);
                Answer::DominatorGroup(g.ok_or_else(|| {
                    QueryError::BadArgument(format!(
                        "the dominator tree has no objects at {} below {}",
                        path.join(" → "),
                        parent.map_or_else(|| "the GC roots".to_string(), |p| p.to_string())
                    ))
                })?)
            }
            Query::GroupedHistogram { group_by, top, .. } => Answer::GroupedHistogram(top_groups(
                grouped_histogram(&heap.index, histogram, Some(heap), *group_by),
                *top,
            )),
            Query::DuplicateStrings { min_count, top } => {
                Answer::DuplicateStrings(duplicate_strings(heap, src, *min_count, *top as usize)?)
            }
            Query::ClassLoaders {} => Answer::ClassLoaders(class_loaders(heap, src)?),
            Query::HtmlReport {
                include_values,
                file_name,
            } => {
                use super::report::{DOMINATOR_ROWS, ReportParts, THREAD_LOCALS, html};
                let finalizers = cached_finalizers(finalizer_report, heap, src)?.clone();
                phase("suspects");
                let suspects = suspects(heap, src, Some(&finalizers))?;
                phase("threads");
                let threads = threads(heap, src, THREAD_LOCALS as usize);
                phase("report");
                let mut classes = histogram.clone();
                sort_by_retained(&mut classes);
                classes.classes.truncate(super::report::HISTOGRAM_ROWS);
                Answer::HtmlReport(html(&ReportParts {
                    file_name,
                    include_values: *include_values,
                    summary,
                    graph: &graph_summary(heap),
                    histogram: &classes,
                    dominators: &dominator_tree(heap, DOMINATOR_ROWS, 2),
                    suspects: &suspects,
                    finalizers: &finalizers,
                    threads: &threads,
                }))
            }
            Query::Secrets {} => Answer::Secrets(secrets(heap, src)?),
            Query::Report { file } => {
                let caches = (&mut *finalizer_report, &mut *suspects_report);
                let mut r = full_report(heap, src, summary, histogram, caches, &mut phase)?.report;
                r.file.clone_from(file);
                Answer::Report(Box::new(r))
            }
            Query::Compare { reports, file } => {
                let caches = (&mut *finalizer_report, &mut *suspects_report);
                let mut r = full_report(heap, src, summary, histogram, caches, &mut phase)?.report;
                r.file.clone_from(file);
                phase("compare");
                let mut all = reports.clone();
                all.push(r);
                Answer::Compare(Box::new(compare(&all)))
            }
        })
    }
}

impl Session {
    /// Answers `q` with its answer's payload typed (`let r: FinalizerReport =
    /// session.ask(&Query::Finalizers {})?`).
    pub fn ask<T: TryFrom<Answer, Error = Answer>>(&mut self, q: &Query) -> Result<T, QueryError> {
        T::try_from(self.query(q)?).map_err(|_| {
            QueryError::Internal(format!(
                "the answer to {} is not of the type asked",
                q.name()
            ))
        })
    }
}

/// The compact report of a fully analysed dump, with the figures it was made of that
/// `analyze` shows as well (the Finalizer and suspects reports stay in their caches).
struct FullParts {
    graph: GraphSummary,
    references: Vec<RefKindStats>,
    report: DumpReport,
}

/// The compact report of a fully analysed dump (the phases of `analyze`, `report` and
/// `compare`).
fn full_report(
    heap: &Heap,
    src: &mut dyn ByteSource,
    summary: &Summary,
    histogram: &Histogram,
    (fin, sus): (&mut Option<FinalizerReport>, &mut Option<SuspectsReport>),
    mut phase: impl FnMut(&str),
) -> Result<FullParts, QueryError> {
    cached_finalizers(fin, heap, src)?;
    phase("suspects");
    let suspects = cached_suspects(fin, sus, heap, src)?;
    let finalizers = fin
        .as_ref()
        .ok_or_else(|| QueryError::Internal("the Finalizer report vanished".into()))?;
    phase("reference stats");
    let references = reference_stats(heap);
    phase("report");
    let graph = graph_summary(heap);
    let report = dump_report(
        summary,
        histogram,
        Some(Full {
            graph: &graph,
            finalizers,
            suspects,
            references: &references,
        }),
    );
    Ok(FullParts {
        graph,
        references,
        report,
    })
}

/// The leak suspects, computed on first use.
fn cached_suspects<'a>(
    fin: &mut Option<FinalizerReport>,
    cache: &'a mut Option<SuspectsReport>,
    heap: &Heap,
    src: &mut dyn ByteSource,
) -> Result<&'a SuspectsReport, QueryError> {
    if cache.is_none() {
        let f = cached_finalizers(fin, heap, src)?;
        *cache = Some(suspects(heap, src, Some(f))?);
    }
    cache
        .as_ref()
        .ok_or_else(|| QueryError::Internal("the leak suspects vanished".into()))
}

/// The Finalizer report, computed on first use.
fn cached_finalizers<'a>(
    cache: &'a mut Option<FinalizerReport>,
    heap: &Heap,
    src: &mut dyn ByteSource,
) -> Result<&'a FinalizerReport, QueryError> {
    if cache.is_none() {
        *cache = Some(finalizers(heap, src)?);
    }
    cache
        .as_ref()
        .ok_or_else(|| QueryError::Internal("the Finalizer report vanished".into()))
}

/// Refuses a retained set whose working memory (the forward graph it builds for the
/// question) would take the analysis past the memory limit: the page's module would run
/// out of memory instead of answering.
fn room_for_retained_set(
    heap: &Heap,
    objects: &[u32],
    limit: Option<u64>,
    plan: Option<Plan>,
) -> Result<(), QueryError> {
    let reachable = objects.iter().filter(|&&x| heap.pre(x).is_some()).count() as u64;
    let need = crate::graph::retained::working_bytes(heap, reachable);
    match (limit, plan) {
        (Some(limit), Some(plan)) if need > 0 && plan.peak_bytes.saturating_add(need) > limit => {
            Err(QueryError::Refused(format!(
                "the precise retained set of {reachable} objects needs about {} MiB more (a \
                 forward graph of the heap: 4 bytes per object and per reference), beyond the \
                 {} MiB available here; the native CLI (heapscope retained-set) has no such \
                 limit",
                need >> 20,
                limit >> 20
            )))
        }
        _ => Ok(()),
    }
}

/// The histogram's first `top` rows (all without `top`); the totals still cover every class.
fn top_rows(mut h: Histogram, top: Option<u32>) -> Histogram {
    if let Some(n) = top {
        h.classes.truncate(n as usize);
    }
    h
}

/// The grouped histogram's first `top` top-level groups (all without `top`).
fn top_groups(mut g: GroupedHistogram, top: Option<u32>) -> GroupedHistogram {
    if let Some(n) = top {
        g.more_groups = g.groups.len().saturating_sub(n as usize) as u64;
        g.groups.truncate(n as usize);
    }
    g
}

/// Runs every pass of `session` over an in-memory file, in slices of `chunk` bytes, and
/// (unless the caller gave one) gives the session a copy of the bytes for random access.
pub fn run_in_memory(session: &mut Session, bytes: &[u8], chunk: usize) -> Result<(), BuildError> {
    if session.source.is_none() {
        session.set_source(Box::new(bytes.to_vec()));
    }
    while session.begin_pass().is_some() {
        for c in bytes.chunks(chunk.max(1)) {
            session.push(c)?;
        }
        session.end_pass()?;
    }
    if session.is_ready() {
        Ok(())
    } else {
        Err(BuildError::Misuse("the passes ended without a result"))
    }
}

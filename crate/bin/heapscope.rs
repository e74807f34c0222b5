//! `heapscope`: the native command-line analyzer.
//!
//! Only results go to stdout; progress (on a terminal) and errors go to stderr. Bad input
//! exits with status 1 and one line naming what was being read and its byte offset.

mod hugepages;
mod reader;

use clap::{Parser, Subcommand};
use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets};
use heapscope::analysis::dominators_report::{DomNode, DomTree, dominator_tree};
use heapscope::analysis::finalizers::human;
use heapscope::analysis::histogram::Histogram;
use heapscope::analysis::paths::{PathNode, PathOptions};
use heapscope::analysis::refstats::RefKindStats;
use heapscope::format::source::FileSource;
use heapscope::format::{ByteSource, HprofError};
use heapscope::session::{Options, Session};
use indicatif::{ProgressBar, ProgressStyle};
use reader::Chunks;
use std::cell::RefCell;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

#[global_allocator]
static ALLOCATOR: hugepages::HugePages = hugepages::HugePages;

/// Prints to stdout; a closed pipe (`heapscope … | head`) ends the program quietly.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout().lock(), $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
        }
    }};
}

#[derive(Parser)]
#[command(
    name = "heapscope",
    version,
    about = "Analyze Java heap dumps (HPROF, also .hprof.gz) without loading them whole",
    long_about = "Analyze Java heap dumps (HPROF, plain or gzip-compressed) by streaming them.\n\
                  Results go to stdout (tables, or JSON with --json); progress goes to stderr\n\
                  on a terminal. Bad input exits with status 1 and one line naming what was\n\
                  being read and at which byte offset."
)]
struct Cli {
    /// No progress bar.
    #[arg(long, short, global = true)]
    quiet: bool,
    /// One JSON line per phase on stderr: {"phase","wall_ms","peak_rss_bytes"} (the
    /// process's memory high-water mark at the phase's end; null where unknown).
    #[arg(long, global = true)]
    timings: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The full report in one run: summary, graph, leak suspects, Finalizer analysis,
    /// references by kind, top retained classes and the top of the dominator tree.
    Analyze {
        /// The heap dump (.hprof or .hprof.gz).
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Classes and dominator-tree entries shown.
        #[arg(long, default_value_t = 20)]
        top: usize,
    },
    /// What the dump is: format, id size, object and class counts, heap size, GC roots.
    Summary {
        /// The heap dump (.hprof or .hprof.gz).
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Instances and shallow bytes per class, largest first.
    Histogram {
        /// The heap dump (.hprof or .hprof.gz).
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Only the N largest classes (totals still cover all).
        #[arg(long)]
        top: Option<usize>,
        /// Add retained bytes per class (runs the full analysis: three passes).
        #[arg(long)]
        retained: bool,
    },
    /// Why java.lang.ref.Finalizer objects hold memory: referents, queue, holders, timers.
    Finalizers {
        /// The heap dump (.hprof or .hprof.gz).
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Merged shortest paths from GC roots to an object or to every instance of a class.
    Path {
        /// The heap dump (.hprof or .hprof.gz).
        file: PathBuf,
        /// Object ID (address), e.g. 0xfc03c2e0.
        #[arg(long, conflicts_with = "class", required_unless_present = "class")]
        object: Option<String>,
        /// Class name in Java form, e.g. java.util.HashMap or byte[].
        #[arg(long)]
        class: Option<String>,
        /// Also follow Reference.referent and the Finalizer list links.
        #[arg(long)]
        include_weak: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Leak suspects: what retains more than 10 % of the heap, where it accumulates, and
    /// the Finalizer finding.
    Suspects {
        /// The heap dump (.hprof or .hprof.gz).
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Soft, weak, phantom and final references: counts and what their referents retain.
    References {
        /// The heap dump (.hprof or .hprof.gz).
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Threads: names, stacks, and the objects their frames hold, with retained sizes.
    Threads {
        /// The heap dump (.hprof or .hprof.gz).
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// One object: fields, elements, string value, referrers, dominator, GC roots.
    Inspect {
        /// The heap dump (.hprof or .hprof.gz).
        file: PathBuf,
        /// Object ID (address), e.g. 0xfc03c2e0.
        object: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// The dominator tree: what keeps the most memory alive, level by level.
    Dominators {
        /// The heap dump (.hprof or .hprof.gz).
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Children shown per node.
        #[arg(long, default_value_t = 10)]
        top: usize,
        /// Levels shown.
        #[arg(long, default_value_t = 2)]
        depth: usize,
    },
}

/// Groups digits: `1 234 567`.
fn grouped(n: u64) -> String {
    heapscope::format::error::group_digits(n)
}

enum Failure {
    Input(HprofError),
    Io(String),
}

impl From<HprofError> for Failure {
    fn from(e: HprofError) -> Self {
        Failure::Input(e)
    }
}

struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    fn new(quiet: bool, total: u64, phase: &str) -> Self {
        if quiet || !std::io::stderr().is_terminal() {
            return Progress { bar: None };
        }
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template(
                "{msg:>10} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_message(phase.to_string());
        Progress { bar: Some(bar) }
    }
    fn set(&self, pos: u64) {
        if let Some(b) = &self.bar {
            b.set_position(pos);
        }
    }
    fn done(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

/// `--timings`: each phase's wall time and the memory high-water mark at its end, as one
/// JSON line on stderr when the next phase starts (or at [`Timings::finish`]).
struct Timings {
    on: bool,
    current: Option<(String, Instant)>,
}

thread_local! {
    static TIMINGS: RefCell<Timings> = const { RefCell::new(Timings { on: false, current: None }) };
}

impl Timings {
    /// Turns the reports on.
    fn enable() {
        TIMINGS.with(|t| t.borrow_mut().on = true);
    }

    /// Ends the current phase, if any, and starts `name` (nothing if it is already current).
    fn enter(name: &str) {
        TIMINGS.with(|t| {
            let mut t = t.borrow_mut();
            if !t.on || t.current.as_ref().is_some_and(|(c, _)| c == name) {
                return;
            }
            t.report();
            t.current = Some((name.to_string(), Instant::now()));
        });
    }

    /// Ends the current phase.
    fn finish() {
        TIMINGS.with(|t| {
            let mut t = t.borrow_mut();
            t.report();
            t.current = None;
        });
    }

    fn report(&self) {
        if let Some((name, start)) = &self.current {
            let wall_ms = (start.elapsed().as_secs_f64() * 1e4).round() / 10.0;
            let peak = peak_rss_bytes().map_or("null".to_string(), |b| b.to_string());
            eprintln!(
                "{{\"phase\":{},\"wall_ms\":{wall_ms},\"peak_rss_bytes\":{peak}}}",
                serde_json::Value::from(name.as_str())
            );
        }
    }
}

/// The process's resident-set high-water mark (Linux `VmHWM`), if known.
fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse::<u64>()
        .ok()?;
    Some(kib * 1024)
}

/// Runs every pass the session asks for (one for `histogram_only`, else the full
/// analysis), each streaming the file.
fn analyze_file(path: &Path, quiet: bool, options: Options) -> Result<Session, Failure> {
    let cannot_open = |e| Failure::Io(format!("cannot open {}: {e}", path.display()));
    let src = FileSource::open(path).map_err(cannot_open)?;
    let total = src.len();
    let mut session = Session::new(options);
    if !options.histogram_only {
        // Only the full analysis's queries read the file again.
        session.set_source(Box::new(src));
    }
    let show = !quiet && std::io::stderr().is_terminal();
    session.set_progress(Box::new(move |p| {
        Timings::enter(p.phase);
        if show {
            eprint!(
                "\r{:>12} {:>5.1}%",
                p.phase,
                100.0 * p.done as f64 / p.total.max(1) as f64
            );
        }
    }));
    while let Some(pass) = session.begin_pass() {
        Timings::enter(pass.name);
        let progress = Progress::new(
            quiet,
            total,
            &format!("{} {}/{}", pass.name, pass.number, pass.of),
        );
        let mut chunks = Chunks::new(std::fs::File::open(path).map_err(cannot_open)?);
        let mut done = 0u64;
        while let Some(buf) = chunks.next_chunk() {
            let buf =
                buf.map_err(|e| Failure::Io(format!("cannot read {}: {e}", path.display())))?;
            session.push(&buf)?;
            done += buf.len() as u64;
            chunks.recycle(buf);
            progress.set(done);
        }
        progress.done();
        // The read buffers go before the computations that follow a pass (its peak).
        drop(chunks);
        session.end_pass()?;
        if show {
            eprint!("\r{:>30}\r", "");
        }
    }
    Ok(session)
}

/// The full analysis.
const FULL: Options = Options {
    histogram_only: false,
    memory_limit: None,
};

/// Pass 1 only: the summary and the histogram.
const HISTOGRAM: Options = Options {
    histogram_only: true,
    memory_limit: None,
};

/// A result the session always has once its passes ran (a bug otherwise).
fn incomplete() -> Failure {
    Failure::Io("analysis incomplete".into())
}

fn print_json<T: serde::Serialize>(v: &T) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    let r = serde_json::to_writer_pretty(&mut out, v)
        .map_err(std::io::Error::from)
        .and_then(|_| writeln!(out));
    match r {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        r => r.map_err(|e| Failure::Io(e.to_string())),
    }
}

fn table() -> Table {
    let mut t = Table::new();
    t.load_style(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled);
    t
}

fn right(s: String) -> Cell {
    Cell::new(s).set_alignment(CellAlignment::Right)
}

fn print_histogram(h: &Histogram, top: Option<usize>) {
    let mut t = table();
    t.set_header(vec![
        right("instances".into()),
        right("shallow".into()),
        right("bytes".into()),
        Cell::new("class"),
    ]);
    let with_retained = h
        .classes
        .first()
        .is_some_and(|r| r.retained_bytes.is_some());
    if with_retained {
        t.set_header(vec![
            right("instances".into()),
            right("shallow".into()),
            right("retained".into()),
            right("retained bytes".into()),
            Cell::new("class"),
        ]);
    }
    for r in h.classes.iter().take(top.unwrap_or(usize::MAX)) {
        let mut row = vec![right(grouped(r.instances)), right(human(r.shallow_bytes))];
        match r.retained_bytes {
            Some(b) => row.extend([right(human(b)), right(grouped(b))]),
            None => row.push(right(grouped(r.shallow_bytes))),
        }
        row.push(Cell::new(&r.name));
        t.add_row(row);
    }
    let mut total = vec![
        right(grouped(h.total_instances)),
        right(human(h.total_shallow_bytes)),
    ];
    if with_retained {
        total.extend([right(String::new()), right(String::new())]);
    } else {
        total.push(right(grouped(h.total_shallow_bytes)));
    }
    total.push(Cell::new(format!("total ({} classes)", h.classes.len())));
    t.add_row(total);
    out!("{t}");
}

/// Largest retained first, then largest shallow, then by name.
fn sort_by_retained(h: &mut Histogram) {
    h.classes.sort_by(|a, b| {
        b.retained_bytes
            .cmp(&a.retained_bytes)
            .then(b.shallow_bytes.cmp(&a.shallow_bytes))
            .then(a.name.cmp(&b.name))
    });
}

fn print_references(r: &[RefKindStats]) {
    let mut t = table();
    t.set_header(vec![
        Cell::new("kind"),
        right("references".into()),
        right("referents".into()),
        right("shallow".into()),
        right("retained".into()),
        right("only via refs".into()),
    ]);
    for k in r {
        t.add_row(vec![
            Cell::new(k.kind),
            right(grouped(k.references)),
            right(grouped(k.referents)),
            right(human(k.referents_shallow_bytes)),
            right(human(k.referents_retained_bytes)),
            right(format!("{} of {}", k.only_through_references, k.checked)),
        ]);
    }
    out!("{t}");
}

/// The dominator tree as a table, children indented below their parent, and the totals.
fn print_dominators(tree: &DomTree) {
    let total = tree.reachable_bytes.max(1);
    let mut t = table();
    t.set_header(vec![
        right("retained".into()),
        right("%".into()),
        right("shallow".into()),
        Cell::new("object"),
    ]);
    let mut stack: Vec<(&DomNode, usize)> = tree.roots.iter().rev().map(|n| (n, 0)).collect();
    while let Some((n, level)) = stack.pop() {
        t.add_row(vec![
            right(human(n.object.retained_bytes)),
            right(format!(
                "{:.1}",
                100.0 * n.object.retained_bytes as f64 / total as f64
            )),
            right(human(n.object.shallow_bytes)),
            Cell::new(format!(
                "{}{} {}",
                "  ".repeat(level),
                n.object.class,
                n.object.object
            )),
        ]);
        stack.extend(n.children.iter().rev().map(|c| (c, level + 1)));
    }
    out!("{t}");
    out!(
        "reachable heap {}; {} unreachable objects ({}) are not in the tree",
        human(tree.reachable_bytes),
        grouped(tree.unreachable_objects),
        human(tree.unreachable_bytes)
    );
}

fn run(cli: Cli) -> Result<(), Failure> {
    if cli.timings {
        Timings::enable();
    }
    let r = run_command(cli);
    Timings::finish();
    r
}

fn run_command(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Analyze { file, json, top } => {
            let mut session = analyze_file(&file, cli.quiet, FULL)?;
            Timings::enter("finalizers");
            let finalizers = session.finalizers()?.clone();
            Timings::enter("suspects");
            let suspects = session.suspects()?;
            Timings::enter("reference stats");
            let references = session.reference_stats()?;
            Timings::enter("report");
            let heap = session.heap().ok_or_else(incomplete)?;
            let mut classes = session.histogram().cloned().ok_or_else(incomplete)?;
            sort_by_retained(&mut classes);
            let dominators = dominator_tree(heap, top, 1);
            let objects = heap.object_count() as u64;
            let graph = Graph {
                objects,
                references: heap.references,
                gc_roots: heap.roots.len() as u64,
                reachable_objects: objects - dominators.unreachable_objects,
                reachable_bytes: dominators.reachable_bytes,
                unreachable_objects: dominators.unreachable_objects,
                unreachable_bytes: dominators.unreachable_bytes,
            };
            if json {
                classes.classes.truncate(top);
                return print_json(&AnalyzeReport {
                    summary: session.summary(),
                    graph,
                    suspects: &suspects,
                    finalizers: &finalizers,
                    references: &references,
                    top_retained_classes: &classes.classes,
                    dominators: &dominators.roots,
                });
            }
            out!(
                "{}: {} objects ({} reachable, {}), {} references, {} GC roots",
                file.display(),
                grouped(graph.objects),
                grouped(graph.reachable_objects),
                human(graph.reachable_bytes),
                grouped(graph.references),
                grouped(graph.gc_roots)
            );
            if suspects.suspects.is_empty() {
                out!(
                    "No leak suspect: nothing retains more than {:.0} % of the heap.",
                    100.0 * suspects.threshold
                );
            }
            for (i, s) in suspects.suspects.iter().enumerate() {
                out!("Suspect {}: {}", i + 1, s.description);
            }
            if finalizers.finalizers > 0 {
                out!(
                    "{} Finalizers retain {} ({:.1} % of the heap); {} queued for finalization.",
                    grouped(finalizers.finalizers),
                    human(finalizers.retained_bytes),
                    100.0 * finalizers.heap_share,
                    grouped(finalizers.queued)
                );
                for h in finalizers.holders.iter().take(3) {
                    out!("  {}", h.summary);
                }
            }
            out!("");
            print_references(&references);
            out!("");
            print_histogram(&classes, Some(top));
            out!("");
            print_dominators(&dominators);
            Ok(())
        }
        Command::Summary { file, json } => {
            let session = analyze_file(&file, cli.quiet, HISTOGRAM)?;
            Timings::enter("summary");
            let s = session.summary().ok_or_else(incomplete)?;
            if json {
                return print_json(s);
            }
            let mut t = table();
            let rows: Vec<(&str, String)> = vec![
                ("file", file.display().to_string()),
                ("format", s.format.clone()),
                ("id size", s.id_size.to_string()),
                ("timestamp (ms)", s.timestamp_ms.to_string()),
                ("objects", grouped(s.objects)),
                ("  instances", grouped(s.instances)),
                ("  object arrays", grouped(s.object_arrays)),
                ("  primitive arrays", grouped(s.primitive_arrays)),
                ("classes", grouped(s.classes)),
                (
                    "shallow heap",
                    format!(
                        "{} ({} bytes)",
                        human(s.shallow_bytes),
                        grouped(s.shallow_bytes)
                    ),
                ),
                (
                    "layout",
                    format!(
                        "{}-byte header, {}-byte references{}, {} field layout",
                        s.size_model.header_bytes,
                        s.size_model.reference_bytes,
                        if s.compressed_oops {
                            " (compressed oops)"
                        } else {
                            ""
                        },
                        s.size_model.field_layout
                    ),
                ),
            ];
            for (k, v) in rows {
                t.add_row(vec![Cell::new(k), Cell::new(v)]);
            }
            for (k, n) in &s.gc_roots {
                t.add_row(vec![
                    Cell::new(format!("GC roots: {k}")),
                    Cell::new(grouped(*n)),
                ]);
            }
            out!("{t}");
            for d in &s.diagnostics {
                out!("note: {} × {} — {}", grouped(d.count), d.key, d.help);
            }
            Ok(())
        }
        Command::Histogram {
            file,
            json,
            top,
            retained,
        } => {
            let session = analyze_file(&file, cli.quiet, if retained { FULL } else { HISTOGRAM })?;
            if !retained {
                Timings::enter("histogram");
            }
            let mut h = session.histogram().cloned().ok_or_else(incomplete)?;
            if retained {
                sort_by_retained(&mut h);
            }
            if json {
                if let Some(n) = top {
                    h.classes.truncate(n);
                }
                return print_json(&h);
            }
            print_histogram(&h, top);
            Ok(())
        }
        Command::Finalizers { file, json } => {
            let mut session = analyze_file(&file, cli.quiet, FULL)?;
            Timings::enter("finalizers");
            let r = session.finalizers()?;
            if json {
                return print_json(r);
            }
            out!(
                "{} Finalizers: {} shallow, {} retained ({:.1} % of the heap)",
                grouped(r.finalizers),
                human(r.shallow_bytes),
                human(r.retained_bytes),
                100.0 * r.heap_share
            );
            out!(
                "{} referents: {} shallow, {} retained",
                grouped(r.referents),
                human(r.referents_shallow_bytes),
                human(r.referents_retained_bytes)
            );
            let mut t = table();
            t.set_header(vec![
                right("referents".into()),
                right("shallow".into()),
                right("retained".into()),
                Cell::new("class"),
            ]);
            for c in r.referents_by_class.iter().take(15) {
                t.add_row(vec![
                    right(grouped(c.instances)),
                    right(human(c.shallow_bytes)),
                    right(human(c.retained_bytes)),
                    Cell::new(&c.name),
                ]);
            }
            out!("{t}");
            out!(
                "finalization queue: {} waiting{}",
                grouped(r.queued),
                r.queue_length
                    .map(|l| format!(" (queueLength {l})"))
                    .unwrap_or_default()
            );
            for c in r.queued_by_class.iter().take(5) {
                out!("  {} {}", grouped(c.instances), c.name);
            }
            for th in &r.finalizer_threads {
                out!("finalizer thread '{}':", th.name);
                for f in th.frames.iter().take(12) {
                    out!("  at {} ({})", f.method, f.location);
                    for l in &f.locals {
                        out!(
                            "      holds {} {} ({} retained)",
                            l.class,
                            l.object,
                            human(l.retained_bytes)
                        );
                    }
                }
            }
            for o in &r.in_processing {
                out!("being finalized: {} {}", o.class, o.object);
            }
            out!("holders:");
            for h in &r.holders {
                out!("  {}", h.summary);
            }
            for tq in &r.timers {
                out!(
                    "timer {}: {} tasks, {} cancelled, head {} due in {}",
                    tq.thread.as_deref().unwrap_or("(no thread)"),
                    tq.tasks,
                    tq.cancelled_tasks,
                    tq.head_task_class.as_deref().unwrap_or("-"),
                    tq.head_task_due_in_ms
                        .map(|ms| format!("{:.0} s", ms as f64 / 1000.0))
                        .unwrap_or_else(|| "-".into())
                );
                if let Some(a) = &tq.advice {
                    out!("  {a}");
                }
            }
            Ok(())
        }
        Command::Path {
            file,
            object,
            class,
            include_weak,
            json,
        } => {
            let opts = PathOptions {
                include_weak,
                ..PathOptions::default()
            };
            let id = object.as_deref().map(parse_id).transpose()?;
            let mut session = analyze_file(&file, cli.quiet, FULL)?;
            Timings::enter("paths");
            let tree = match (id, class) {
                (Some(id), _) => session.paths_to_object(id, &opts)?,
                (None, Some(c)) => session.paths_to_class(&c, &opts)?,
                (None, None) => return Err(Failure::Io("give --object or --class".into())),
            };
            if json {
                return print_json(&tree);
            }
            out!(
                "{} target(s), {} searched, {} with a path, {} without{}",
                tree.targets,
                tree.searched,
                tree.found,
                tree.not_found,
                if tree.include_weak {
                    ""
                } else {
                    " (weak/soft/phantom/final referents and Finalizer links ignored)"
                }
            );
            for line in path_lines(&tree.roots, tree.more_roots) {
                out!("{line}");
            }
            Ok(())
        }
        Command::Suspects { file, json } => {
            let mut session = analyze_file(&file, cli.quiet, FULL)?;
            Timings::enter("suspects");
            let r = session.suspects()?;
            if json {
                return print_json(&r);
            }
            if r.suspects.is_empty() {
                out!(
                    "No suspect: nothing retains more than {:.0} % of the {} reachable heap.",
                    100.0 * r.threshold,
                    human(r.reachable_bytes)
                );
            }
            for (i, s) in r.suspects.iter().enumerate() {
                out!("Suspect {}: {}", i + 1, s.description);
                if !s.path_from_root.is_empty() {
                    out!("  path from a GC root:");
                    for st in &s.path_from_root {
                        out!(
                            "    {}{} {}",
                            st.field
                                .as_ref()
                                .map(|f| format!(".{f} → "))
                                .unwrap_or_default(),
                            st.object.class,
                            st.object.object
                        );
                    }
                }
            }
            Ok(())
        }
        Command::References { file, json } => {
            let session = analyze_file(&file, cli.quiet, FULL)?;
            Timings::enter("references");
            let r = session.reference_stats()?;
            if json {
                return print_json(&serde_json::json!({ "references": r }));
            }
            print_references(&r);
            Ok(())
        }
        Command::Threads { file, json } => {
            let mut session = analyze_file(&file, cli.quiet, FULL)?;
            Timings::enter("threads");
            let threads = session.threads(20)?;
            if json {
                return print_json(&serde_json::json!({ "threads": threads }));
            }
            for th in &threads {
                out!(
                    "'{}' {} {} (locals retain {})",
                    th.name,
                    th.object.class,
                    th.object.object,
                    human(th.locals_retained_bytes)
                );
                for f in &th.frames {
                    out!("    at {} ({})", f.method, f.location);
                    for l in &f.locals {
                        out!(
                            "        local {} {} ({} retained)",
                            l.class,
                            l.object,
                            human(l.retained_bytes)
                        );
                    }
                }
            }
            Ok(())
        }
        Command::Inspect { file, object, json } => {
            let id = parse_id(&object)?;
            let mut session = analyze_file(&file, cli.quiet, FULL)?;
            Timings::enter("inspect");
            let v = session.inspect(id, 100)?;
            if json {
                return print_json(&v);
            }
            out!(
                "{} {} ({}): shallow {}, retained {}{}",
                v.this.class,
                v.this.object,
                v.kind,
                human(v.this.shallow_bytes),
                human(v.this.retained_bytes),
                v.this
                    .value
                    .as_ref()
                    .map(|s| format!(", value \"{s}\""))
                    .unwrap_or_default()
            );
            if !v.gc_roots.is_empty() {
                out!("GC root: {}", v.gc_roots.join(", "));
            }
            if let Some(d) = &v.dominator {
                out!("dominator: {} {}", d.class, d.object);
            }
            for f in v.statics.iter().chain(&v.fields) {
                let extra = f
                    .object
                    .as_ref()
                    .map(|o| {
                        format!(
                            " {}{}",
                            o.class,
                            o.value
                                .as_ref()
                                .map(|s| format!(" \"{s}\""))
                                .unwrap_or_default()
                        )
                    })
                    .unwrap_or_default();
                out!(
                    "  {} {}.{} = {}{}",
                    f.ty,
                    f.declaring,
                    f.name,
                    f.value,
                    extra
                );
            }
            if let Some(n) = v.length {
                out!("  length {n}");
            }
            for e in &v.elements {
                out!(
                    "  [{}] = {}{}",
                    e.index,
                    e.value,
                    e.object
                        .as_ref()
                        .map(|o| format!(" {}", o.class))
                        .unwrap_or_default()
                );
            }
            out!("referrers ({}):", v.referrers_total);
            for r in &v.referrers {
                out!("  {} {} .{}", r.object.class, r.object.object, r.field);
            }
            Ok(())
        }
        Command::Dominators {
            file,
            json,
            top,
            depth,
        } => {
            let session = analyze_file(&file, cli.quiet, FULL)?;
            let heap = session.heap().ok_or_else(incomplete)?;
            Timings::enter("dominator tree");
            let tree = dominator_tree(heap, top, depth);
            if json {
                return print_json(&tree);
            }
            print_dominators(&tree);
            Ok(())
        }
    }
}

/// `heapscope analyze --json`, keys in this order.
#[derive(serde::Serialize)]
struct AnalyzeReport<'a, S, F, R, C, D> {
    summary: Option<&'a heapscope::analysis::summary::Summary>,
    graph: Graph,
    suspects: &'a S,
    finalizers: &'a F,
    references: &'a R,
    top_retained_classes: &'a C,
    dominators: &'a D,
}

/// The object graph the analysis built.
#[derive(serde::Serialize)]
struct Graph {
    objects: u64,
    /// Object-to-object references, including each object's reference to its class.
    references: u64,
    gc_roots: u64,
    reachable_objects: u64,
    reachable_bytes: u64,
    unreachable_objects: u64,
    unreachable_bytes: u64,
}

fn parse_id(s: &str) -> Result<u64, Failure> {
    heapscope::session::parse_id(s).ok_or_else(|| {
        Failure::Io(format!(
            "not an object ID: {s} (use 0x… hex or a decimal number)"
        ))
    })
}

/// The text of a path tree below its header: one line per node, indented by level, and a
/// `… N more` line after each list of children (and of roots) that was cut short.
fn path_lines(roots: &[PathNode], more_roots: u64) -> Vec<String> {
    let mut lines = Vec::new();
    let mut stack: Vec<(&PathNode, usize)> = roots.iter().rev().map(|n| (n, 0)).collect();
    // (level, count) of "more children" notes to print after a node's children.
    let mut more: Vec<(usize, u64)> = Vec::new();
    while let Some((n, level)) = stack.pop() {
        let field = n
            .field
            .as_ref()
            .map(|f| format!(".{f} "))
            .unwrap_or_default();
        let roots = if n.gc_roots.is_empty() {
            String::new()
        } else {
            let by = n
                .held_by
                .as_ref()
                .map(|h| format!(" in {h}"))
                .unwrap_or_default();
            format!(" [GC root: {}{by}]", n.gc_roots.join(", "))
        };
        let repeat = if n.repeat > 1 {
            format!(" ×{}", n.repeat)
        } else {
            String::new()
        };
        let value = n
            .object
            .value
            .as_ref()
            .map(|v| format!(" \"{v}\""))
            .unwrap_or_default();
        lines.push(format!(
            "{}{field}{} {}{value}{repeat}{roots}  ({} target{}, retains {})",
            "  ".repeat(level),
            n.object.class,
            n.object.object,
            n.targets,
            if n.targets == 1 { "" } else { "s" },
            human(n.object.retained_bytes)
        ));
        stack.extend(n.children.iter().rev().map(|c| (c, level + 1)));
        if n.more_children > 0 {
            more.push((level + 1, n.more_children));
        }
        // Every list that ends here (the next node is shallower) gets its note.
        while let Some(&(l, m)) = more.last()
            && stack.last().is_none_or(|&(_, next)| next < l)
        {
            lines.push(format!("{}… {m} more", "  ".repeat(l)));
            more.pop();
        }
    }
    if more_roots > 0 {
        lines.push(format!("… {more_roots} more"));
    }
    lines
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
        Err(Failure::Io(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use heapscope::analysis::inspect::ObjRef;

    fn node(id: &str, children: Vec<PathNode>, more_children: u64) -> PathNode {
        PathNode {
            object: ObjRef {
                object: id.into(),
                class: "C".into(),
                shallow_bytes: 16,
                retained_bytes: 16,
                value: None,
            },
            field: None,
            gc_roots: Vec::new(),
            held_by: None,
            repeat: 1,
            targets: 1,
            children,
            more_children,
        }
    }

    #[test]
    fn every_cut_list_gets_its_note_where_it_ends() {
        // a's and b's child lists end together (at c), then d follows at the top.
        let c = node("0xc", Vec::new(), 0);
        let b = node("0xb", vec![c], 2);
        let a = node("0xa", vec![b], 3);
        let d = node("0xd", Vec::new(), 0);
        let lines = path_lines(&[a, d], 4);
        let shape: Vec<String> = lines
            .iter()
            .map(|l| l.split("  (").next().unwrap_or(l).replace("C ", ""))
            .collect();
        assert_eq!(
            shape,
            [
                "0xa",
                "  0xb",
                "    0xc",
                "    … 2 more",
                "  … 3 more",
                "0xd",
                "… 4 more"
            ]
        );
        // Lists still open at the end of the tree are closed too.
        let e = node("0xe", vec![node("0xf", Vec::new(), 1)], 5);
        let lines = path_lines(&[e], 0);
        assert_eq!(lines[2..], ["    … 1 more", "  … 5 more"]);
    }
}

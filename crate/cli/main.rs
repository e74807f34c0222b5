//! `heapscope`: the native command-line analyzer. Each subcommand is a
//! [`Query`](heapscope::query::Query): the file is analysed (the passes the query needs),
//! the query answered, and the answer printed as JSON (`--json`, the answer itself) or as
//! text ([`render`]).
//!
//! Only results go to stdout; progress (on a terminal) and errors go to stderr. Bad input
//! exits with status 1 and one line naming what was being read and its byte offset.

mod hugepages;
mod progress;
mod reader;
mod render;

use clap::{Parser, Subcommand, ValueEnum};
use heapscope::analysis::histogram_groups::Grouping;
use heapscope::format::source::FileSource;
use heapscope::format::{ByteSource, HprofError};
use heapscope::graph::BuildError;
use heapscope::query::{Options, Query, QueryError, Session, defaults};
use progress::{PassBar, Timings};
use reader::Chunks;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: hugepages::HugePages = hugepages::HugePages;

#[derive(Parser)]
#[command(
    name = "heapscope",
    version,
    about = "Analyze Java heap dumps (HPROF, also .hprof.gz) without loading them whole",
    long_about = "Analyze Java heap dumps (HPROF, plain or gzip-compressed) by streaming them.\n\
                  Results go to stdout (tables, or JSON with --json); progress goes to stderr\n\
                  on a terminal. Bad input exits with status 1 and one line naming what was\n\
                  being read and at which byte offset. A damaged dump (cut short, or corrupt\n\
                  from some point on) is analysed up to the damage: the results go to stdout,\n\
                  one warning line saying what was lost to stderr, and the exit status is 3\n\
                  (--strict refuses it instead)."
)]
struct Cli {
    /// No progress bar.
    #[arg(long, short, global = true)]
    quiet: bool,
    /// One JSON line per phase on stderr: {"phase","wall_ms","peak_rss_bytes"} (the
    /// process's memory high-water mark at the phase's end; null where unknown).
    #[arg(long, global = true)]
    timings: bool,
    /// Refuse a damaged dump (exit status 1) instead of analysing what it holds up to the
    /// damage (exit status 3).
    #[arg(long, global = true)]
    strict: bool,
    /// Threads reading the references passes (2 and 3) of the full analysis [default: the
    /// cores available]; 1 reads every pass on one thread. The results are the same
    /// whatever the number. A gzip dump is inflated on one thread, beside the parsing.
    #[arg(long, global = true, value_parser = clap::value_parser!(u32).range(1..=1024))]
    threads: Option<u32>,
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
        #[arg(long, default_value_t = defaults::ANALYZE_TOP)]
        top: u32,
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
        top: Option<u32>,
        /// Add retained bytes per class (runs the full analysis: three passes).
        #[arg(long)]
        retained: bool,
        /// Group the classes: `package` (a tree; an array class goes with its element's
        /// package, arrays of primitives under <primitive arrays>, classes without a
        /// package under <default package>) or `loader` (one row per class loader object,
        /// <bootstrap> for the bootstrap loader; the loaders' classes are named with
        /// --retained). Retained sizes of groups are minimum retained sizes (a lower bound).
        #[arg(long, value_enum, default_value_t = HistogramGroupBy::Class)]
        group_by: HistogramGroupBy,
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
    /// One object: fields, elements, string value, referrers, dominator, GC roots; a
    /// collection's entries.
    Inspect {
        /// The heap dump (.hprof or .hprof.gz).
        file: PathBuf,
        /// Object ID (address), e.g. 0xfc03c2e0.
        object: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// The first array element or collection entry listed.
        #[arg(long, default_value_t = 0)]
        offset: u64,
        /// Elements, entries and referrers listed.
        #[arg(long, default_value_t = defaults::INSPECT_ITEMS)]
        limit: u32,
        /// The first referrer listed.
        #[arg(long, default_value_t = 0)]
        referrers_offset: u64,
    },
    /// The JDK collections (HashMap, ArrayList, …): sizes, capacities, fill ratios and the
    /// bytes unused capacity wastes, by class and by the field that holds them.
    Collections {
        /// The heap dump (.hprof or .hprof.gz).
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Only collections of this class, e.g. java.util.HashMap.
        #[arg(long)]
        class: Option<String>,
        /// Only collections held by this field, as the report names it (Class.field).
        #[arg(long)]
        holder: Option<String>,
        /// Holder rows and single collections shown.
        #[arg(long, default_value_t = defaults::COLLECTIONS_TOP)]
        top: u32,
    },
    /// Objects no GC root reaches, by class: what the next garbage collection would free
    /// (left out of the dominator tree and retained sizes).
    Unreachable {
        /// The heap dump (.hprof or .hprof.gz).
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Only the N largest classes (totals still cover all).
        #[arg(long)]
        top: Option<u32>,
    },
    /// Who keeps objects alive: the immediate dominators of an object or of every instance
    /// of a class, by the dominators' class (Eclipse MAT's "Immediate Dominators").
    ImmediateDominators {
        /// The heap dump (.hprof or .hprof.gz).
        file: PathBuf,
        /// Object ID (address), e.g. 0xfc03c2e0.
        #[arg(long, conflicts_with = "class", required_unless_present = "class")]
        object: Option<String>,
        /// Class name in Java form (every instance of every class of that name).
        #[arg(long)]
        class: Option<String>,
        /// Pass over dominators whose class matches one of these comma-separated patterns
        /// ('*' matches any run of characters), up the dominator tree: e.g. java.*,javax.*
        #[arg(long, value_delimiter = ',')]
        skip: Vec<String>,
        /// Dominator objects listed per class.
        #[arg(long, default_value_t = defaults::DOMINATOR_OBJECTS)]
        top: u32,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// What a garbage collection would free if an object or every instance of a class
    /// went: the precise retained size and the retained set by class (Eclipse MAT's "Show
    /// Retained Set").
    RetainedSet {
        /// The heap dump (.hprof or .hprof.gz).
        file: PathBuf,
        /// Object ID (address), e.g. 0xfc03c2e0.
        #[arg(long, conflicts_with = "class", required_unless_present = "class")]
        object: Option<String>,
        /// Class name in Java form (every instance of every class of that name).
        #[arg(long)]
        class: Option<String>,
        /// Only the N largest classes of the set (totals still cover all).
        #[arg(long)]
        top: Option<u32>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// A class: instances, shallow and retained size, class object, superclasses, class
    /// loader, static fields, direct subclasses (each class of that name).
    Class {
        /// The heap dump (.hprof or .hprof.gz).
        file: PathBuf,
        /// Class name in Java form, e.g. java.util.HashMap or byte[].
        name: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Strings with the same value: how many copies, the bytes every copy but one wastes,
    /// and the fields holding them (reachable strings).
    #[command(name = "duplicate-strings")]
    DuplicateStrings {
        /// The heap dump (.hprof or .hprof.gz).
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Values held by at least N strings.
        #[arg(long, default_value_t = defaults::DUPLICATE_MIN_COUNT)]
        min_count: u32,
        /// Values listed, most wasted first (totals still cover all).
        #[arg(long, default_value_t = defaults::DUPLICATE_STRINGS_TOP)]
        top: u32,
    },
    /// Class loaders: the classes each defines, their instances and what they keep alive;
    /// classes defined by several loaders, with what keeps each copy alive.
    Classloaders {
        /// The heap dump (.hprof or .hprof.gz).
        file: PathBuf,
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
        #[arg(long, default_value_t = defaults::DOMINATOR_TOP)]
        top: u32,
        /// Levels shown.
        #[arg(long, default_value_t = defaults::DOMINATOR_DEPTH)]
        depth: u32,
        /// Group each level's objects by class (one row per class with the objects' count
        /// and summed sizes; the next level holds what they dominate, grouped again).
        #[arg(long, value_enum)]
        group_by: Option<DominatorGroupBy>,
    },
}

/// What `histogram --group-by` takes.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum HistogramGroupBy {
    // One row per class (the plain histogram).
    Class,
    // Java packages, as a tree.
    Package,
    // Class loader objects.
    Loader,
}

/// What `dominators --group-by` takes.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DominatorGroupBy {
    // The objects' class.
    Class,
}

impl Command {
    /// The dump, whether JSON was asked for, and the query the subcommand asks.
    fn query(self) -> Result<(PathBuf, bool, Query), Failure> {
        Ok(match self {
            Command::Analyze { file, json, top } => (file, json, Query::Analyze { top }),
            Command::Summary { file, json } => (file, json, Query::Summary {}),
            Command::Histogram {
                file,
                json,
                top,
                retained,
                group_by,
            } => {
                let group_by = match group_by {
                    HistogramGroupBy::Class => None,
                    HistogramGroupBy::Package => Some(Grouping::Package),
                    HistogramGroupBy::Loader => Some(Grouping::Loader),
                };
                let query = match group_by {
                    None => Query::Histogram {
                        top,
                        by_retained: retained,
                    },
                    Some(group_by) => Query::GroupedHistogram {
                        group_by,
                        top,
                        by_retained: retained,
                    },
                };
                (file, json, query)
            }
            Command::Finalizers { file, json } => (file, json, Query::Finalizers {}),
            Command::Path {
                file,
                object,
                class,
                include_weak,
                json,
            } => {
                let object = object.as_deref().map(object_id).transpose()?;
                (
                    file,
                    json,
                    Query::Paths {
                        object,
                        class,
                        include_weak,
                    },
                )
            }
            Command::Suspects { file, json } => (file, json, Query::Suspects {}),
            Command::References { file, json } => (file, json, Query::References {}),
            Command::Threads { file, json } => (
                file,
                json,
                Query::Threads {
                    max_locals: defaults::THREAD_LOCALS,
                },
            ),
            Command::Inspect {
                file,
                object,
                json,
                offset,
                limit,
                referrers_offset,
            } => (
                file,
                json,
                Query::Inspect {
                    object: object_id(&object)?,
                    max_items: limit,
                    offset,
                    referrers_offset,
                },
            ),
            Command::Collections {
                file,
                json,
                class,
                holder,
                top,
            } => (file, json, Query::Collections { class, holder, top }),
            Command::Dominators {
                file,
                json,
                top,
                depth,
                group_by,
            } => match group_by {
                None => (file, json, Query::DominatorTree { top, depth }),
                Some(DominatorGroupBy::Class) => {
                    (file, json, Query::GroupedDominatorTree { top, depth })
                }
            },
            Command::Unreachable { file, json, top } => (file, json, Query::Unreachable { top }),
            Command::ImmediateDominators {
                file,
                object,
                class,
                skip,
                top,
                json,
            } => {
                let object = object.as_deref().map(object_id).transpose()?;
                let query = Query::ImmediateDominators {
                    object,
                    class,
                    skip,
                    top,
                };
                (file, json, query)
            }
            Command::RetainedSet {
                file,
                object,
                class,
                top,
                json,
            } => {
                let object = object.as_deref().map(object_id).transpose()?;
                (file, json, Query::RetainedSet { object, class, top })
            }
            Command::Class { file, name, json } => (file, json, Query::Class { name }),
            Command::DuplicateStrings {
                file,
                json,
                min_count,
                top,
            } => (file, json, Query::DuplicateStrings { min_count, top }),
            Command::Classloaders { file, json } => (file, json, Query::ClassLoaders {}),
        })
    }
}

/// Why the CLI stops, each worded for the person at the terminal (all exit with status 1).
enum Failure {
    /// The dump cannot be read: what was being read, and where.
    Dump(HprofError),
    /// The question cannot be answered (no such object, a bad argument).
    Query(QueryError),
    /// The file cannot be opened or read, or the output written.
    Io(String),
}

impl From<HprofError> for Failure {
    fn from(e: HprofError) -> Self {
        Failure::Dump(e)
    }
}

impl From<QueryError> for Failure {
    fn from(e: QueryError) -> Self {
        match e {
            QueryError::Dump(e) => Failure::Dump(e),
            e => Failure::Query(e),
        }
    }
}

impl From<BuildError> for Failure {
    fn from(e: BuildError) -> Self {
        QueryError::from(e).into()
    }
}

/// An object ID as typed (`0x…` hex or decimal).
fn object_id(s: &str) -> Result<heapscope::query::ObjectId, Failure> {
    heapscope::text::parse_id(s)
        .map(heapscope::query::ObjectId)
        .ok_or_else(|| {
            Failure::Query(QueryError::BadArgument(format!(
                "not an object ID: {s} (use 0x… hex or a decimal number)"
            )))
        })
}

/// Runs every pass the session asks for (pass 1 only unless `full`), each streaming the
/// file.
fn analyze_file(
    path: &Path,
    quiet: bool,
    full: bool,
    strict: bool,
    threads: usize,
) -> Result<Session, Failure> {
    let cannot_open = |e| Failure::Io(format!("cannot open {}: {e}", path.display()));
    let src = FileSource::open(path).map_err(cannot_open)?;
    let total = src.len();
    let gzip = {
        let mut magic = [0u8; 2];
        let mut f = std::fs::File::open(path).map_err(cannot_open)?;
        std::io::Read::read_exact(&mut f, &mut magic).is_ok()
            && heapscope::format::gzip::is_gzip(&magic)
    };
    let mut session = Session::new(Options {
        histogram_only: !full,
        memory_limit: None,
        strict,
    });
    if full {
        // Only the full analysis's queries read the file again.
        session.set_source(Box::new(src));
    }
    let show = !quiet && std::io::stderr().is_terminal();
    session.set_progress(Box::new(move |p| {
        Timings::enter(p.phase);
        if show && p.total > 0 {
            eprint!(
                "\r{:>12} {:>5.1}%",
                p.phase,
                100.0 * p.done as f64 / p.total as f64
            );
        }
    }));
    while let Some(pass) = session.begin_pass() {
        Timings::enter(pass.name);
        let bar = PassBar::new(
            quiet,
            total,
            &format!("{} {}/{}", pass.name, pass.number, pass.of),
        );
        if full && threads > 1 {
            let shared = FileSource::open(path).map_err(cannot_open)?;
            if session.read_in_parallel(
                &shared,
                heapscope::graph::parallel::Parallel::new(threads),
                &mut |at| bar.set(at),
            )? {
                bar.done();
                session.end_pass()?;
                if show {
                    eprint!("\r{:>30}\r", "");
                }
                continue;
            }
        }
        let file = std::fs::File::open(path).map_err(cannot_open)?;
        // With threads, after pass 1 of an intact gzip dump, the reading thread inflates it
        // too: the session is pushed the decompressed stream, and inflating overlaps with
        // parsing.
        let inflate = threads > 1 && pass.number > 1 && gzip && !session.found_damage();
        let mut chunks = if inflate {
            Chunks::inflating(file)
        } else {
            Chunks::new(file)
        };
        let mut done = 0u64;
        while let Some(buf) = chunks.next_chunk() {
            let buf =
                buf.map_err(|e| Failure::Io(format!("cannot read {}: {e}", path.display())))?;
            session.push(&buf)?;
            done += buf.len() as u64;
            chunks.recycle(buf);
            bar.set(if inflate {
                chunks.file_bytes_read()
            } else {
                done
            });
        }
        bar.done();
        // The read buffers go before the computations that follow a pass (its peak).
        drop(chunks);
        session.end_pass()?;
        if show {
            eprint!("\r{:>30}\r", "");
        }
    }
    Ok(session)
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

fn print_lines(lines: &[String]) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    for l in lines {
        match writeln!(out, "{l}") {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
            r => r.map_err(|e| Failure::Io(e.to_string()))?,
        }
    }
    Ok(())
}

/// How a run that printed its results ended.
enum Outcome {
    /// The dump was read whole.
    Complete,
    /// The dump was read up to its damage.
    Damaged,
}

fn run(cli: Cli) -> Result<Outcome, Failure> {
    if cli.timings {
        Timings::enable();
    }
    let r = run_command(cli);
    Timings::finish();
    r
}

fn run_command(cli: Cli) -> Result<Outcome, Failure> {
    let (file, json, query) = cli.command.query()?;
    query.check()?;
    let threads = match cli.threads {
        Some(n) => n as usize,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let mut session = analyze_file(
        &file,
        cli.quiet,
        query.needs_full_analysis(),
        cli.strict,
        threads,
    )?;
    let answer = session.query(&query)?;
    if json {
        print_json(&answer)?;
    } else {
        print_lines(&render::text(&answer, &file))?;
    }
    Ok(match session.damaged() {
        Some(d) => {
            eprintln!("warning: {}", render::damage_line(d));
            Outcome::Damaged
        }
        None => Outcome::Complete,
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(Outcome::Complete) => ExitCode::SUCCESS,
        Ok(Outcome::Damaged) => ExitCode::from(3),
        Err(Failure::Dump(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
        Err(Failure::Query(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
        Err(Failure::Io(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

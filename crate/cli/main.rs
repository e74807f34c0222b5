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
#[cfg(target_os = "linux")]
mod spill;
#[cfg(not(target_os = "linux"))]
#[path = "spill_none.rs"]
mod spill;

use clap::{Parser, Subcommand, ValueEnum};
use heapscope::analysis::histogram_groups::Grouping;
use heapscope::analysis::report::{DumpReport, REPORT_VERSION};
use heapscope::format::source::FileSource;
use heapscope::format::{ByteSource, HprofError};
use heapscope::graph::BuildError;
use heapscope::query::{Answer, Options, Query, QueryError, Session, defaults};
use progress::{PassBar, Timings};
use reader::Chunks;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[cfg(target_os = "linux")]
#[global_allocator]
static ALLOCATOR: spill::Store = spill::Store;
#[cfg(not(target_os = "linux"))]
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
    /// One JSON line per phase on stderr: {"phase","wall_ms","user_ms","sys_ms","peak_rss_bytes"}
    /// (user and system CPU time of all threads during the phase; the process's memory
    /// high-water mark at the phase's end; null where unknown), and
    /// "spilled_bytes" once anything was spilled (the most bytes of spill files at once).
    #[arg(long, global = true)]
    timings: bool,
    /// Refuse a damaged dump (exit status 1) instead of analysing what it holds up to the
    /// damage (exit status 3).
    #[arg(long, global = true)]
    strict: bool,
    /// The memory the analysis may use (e.g. 512M, 4G; K, M, G, T are powers of 1024).
    /// When the analysis' predicted peak exceeds it, its large arrays live in temporary
    /// files (--spill-dir) and the resident set is kept within it. Default: the memory
    /// the system has available (MemAvailable, or the cgroup's limit), less a tenth.
    #[arg(long, global = true, value_name = "SIZE", value_parser = parse_size)]
    max_memory: Option<u64>,
    /// Where the spill files go (default: the system's temporary directory, or /var/tmp
    /// when that one is held in memory). They have no names and vanish when heapscope
    /// ends, however it ends.
    #[arg(long, global = true, value_name = "DIR")]
    spill_dir: Option<PathBuf>,
    /// Threads reading the dump's passes: the index (pass 1) and the references passes (2
    /// and 3) of the full analysis [default: the cores available]; 1 reads every pass on
    /// one thread. The results are the same whatever the number. A gzip dump is inflated
    /// on one thread, beside the parsing; a damaged dump's index is read on one thread.
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
    /// What grew between two or more dumps of one JVM: classes, trends, suspects.
    ///
    /// Classes by growth (new and gone), trends of the headline figures (heap, Finalizers,
    /// the finalization queue, cancelled Timer tasks, …), suspects matched by their path
    /// from the GC root, warnings when the dumps do not look alike. Each argument is a
    /// dump (analysed one at a time: one heap in memory at once) or a saved
    /// `heapscope analyze --json` report; the dumps are ordered by their own timestamps.
    /// A file that cannot be read is left out with a warning (exit status 3), as long as
    /// two remain; `--strict` refuses it instead.
    Compare {
        /// Dumps (.hprof, .hprof.gz) or saved `analyze --json` reports, two or more.
        #[arg(required = true, num_args = 2.., value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Classes the text lists, most grown first (the JSON has every class).
        #[arg(long, default_value_t = defaults::COMPARE_TOP)]
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
    /// Values that look like secrets (keys, tokens, passwords), masked, each with the field
    /// chain from its nearest holder.
    ///
    /// PEM private keys, JWTs, cloud access keys (AWS, GitHub, Google), passwords in URLs,
    /// bearer tokens, and text held by fields or map keys named like password, passwd,
    /// passphrase, secret, token, credential(s), authorization, apiKey. Each with its kind,
    /// the class and field chain from its nearest holder, and the value masked (a few
    /// characters at each end; never printed whole). Reachable objects only.
    Secrets {
        /// The heap dump (.hprof or .hprof.gz).
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
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
    /// A shareable report: one self-contained HTML file, without values unless asked.
    ///
    /// The overview and findings, histogram, dominator tree, leak suspects with their
    /// paths, Finalizer and Timer diagnosis, and threads with their frames, in one HTML file
    /// that opens offline in any browser and loads nothing. Without --include-values it
    /// holds no field values and no String contents: class, field, method and thread names,
    /// object IDs, counts and sizes only (thread names are chosen by the application and
    /// can carry data).
    #[command(
        after_help = "Without -o, the HTML goes to stdout when stdout is a pipe or a file, and is refused on a terminal."
    )]
    Report {
        /// The heap dump (.hprof or .hprof.gz).
        file: PathBuf,
        /// Write the HTML to this file (replaced if it exists).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Also write values: the text of Strings on paths and in thread frames, and the
        /// due times of Timer tasks. Share such a report only where the dump may go.
        #[arg(long)]
        include_values: bool,
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
    /// Write a copy of the dump with its values replaced by zeros, to share it.
    ///
    /// The copy has the same records, objects, references, GC roots, threads and stack
    /// traces; every primitive array (so all String text), the string literals of the
    /// symbol table, and the primitive fields and statics of classes outside the JDK (of
    /// every class with --level full) are zeros. With --names, the names of classes,
    /// fields, methods, source files and threads outside the JDK are replaced too, by
    /// placeholders, and the map back to the real names is written to its own file. Each
    /// file is written to a temporary name next to it and renamed when complete: a
    /// failure (a damaged dump is refused) leaves no file behind.
    Redact {
        /// The heap dump (.hprof or .hprof.gz).
        input: PathBuf,
        /// Where the copy goes (gzip when the input is, or with --gzip).
        output: PathBuf,
        /// basic: primitive arrays, and primitive values declared by classes outside the
        /// JDK (java., javax., jdk., sun., com.sun. keep theirs); full: every primitive
        /// value too.
        #[arg(long, value_enum, default_value_t = RedactLevel::Basic)]
        level: RedactLevel,
        /// Write the copy gzip-compressed even when the input is not.
        #[arg(long)]
        gzip: bool,
        /// Replace the names of classes, packages, fields, methods, source files and
        /// threads outside the JDK by placeholders that keep their shape
        /// (com/acme/Invoice$Line → p1/p2/C1$C2, field f1, method m1, S1.java, thread t1).
        /// Names a JDK class uses as well stay.
        #[arg(long)]
        names: bool,
        /// Where the map from placeholders to the real names goes (JSON; default: OUTPUT
        /// followed by .names.json). When the file exists, its placeholders are used again
        /// and new names get new ones: a series of dumps redacted with one map keeps the
        /// same placeholders. The map holds the real names: keep it private, never share it
        /// with the copy.
        #[arg(long, value_name = "PATH", requires = "names")]
        names_map: Option<PathBuf>,
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

/// What `redact --level` takes.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum RedactLevel {
    // Primitive arrays and the values of classes outside the JDK.
    Basic,
    // Primitive arrays and every primitive value.
    Full,
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
            Command::Report {
                file,
                include_values,
                ..
            } => {
                let file_name = report_file_name(&file);
                (
                    file,
                    false,
                    Query::HtmlReport {
                        include_values,
                        file_name,
                    },
                )
            }
            Command::Secrets { file, json } => (file, json, Query::Secrets {}),
            Command::Compare { .. } => {
                return Err(Failure::Io("compare reads several files".into()));
            }
            Command::Redact { .. } => {
                return Err(Failure::Io("redact is not a query".to_string()));
            }
        })
    }
}

/// The name the report gives the dump: the file's name without its directory (the page
/// knows no more of it, and both write the same bytes).
fn report_file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Where `heapscope report` writes: the file of `-o`, or stdout when it is not a terminal.
fn report_output(output: Option<&Path>) -> Result<Option<PathBuf>, Failure> {
    match output {
        Some(p) => Ok(Some(p.to_path_buf())),
        None if std::io::stdout().is_terminal() => Err(Failure::Io(
            "the report is an HTML file: write it with -o FILE (or redirect stdout to a file)"
                .into(),
        )),
        None => Ok(None),
    }
}

/// Writes the report's HTML to `output` (whole, once it is complete, so that a failed run
/// leaves no partial file) or to stdout.
fn write_report(html: &str, output: Option<&Path>) -> Result<(), Failure> {
    match output {
        Some(p) => std::fs::write(p, html)
            .map_err(|e| Failure::Io(format!("cannot write {}: {e}", p.display()))),
        None => {
            let mut out = std::io::stdout().lock();
            match out.write_all(html.as_bytes()).and_then(|_| out.flush()) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
                r => r.map_err(|e| Failure::Io(e.to_string())),
            }
        }
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

impl Failure {
    /// The same failure, its message starting with the file it is about (when several
    /// files are read, as `compare` does). Errors that already name it are kept.
    fn naming(self, file: &Path) -> Failure {
        let name = file.display().to_string();
        let message = self.to_string();
        if message.contains(&name) {
            self
        } else {
            Failure::Io(format!("{name}: {message}"))
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Dump(e) => write!(f, "{e}"),
            Failure::Query(e) => write!(f, "{e}"),
            Failure::Io(e) => write!(f, "{e}"),
        }
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

/// A size as typed: bytes, or a number with K, M, G or T (powers of 1024; `MiB`, `MB`
/// and `m` are read the same).
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let digits = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(digits);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("not a size: {s} (e.g. 512M, 4G)"))?;
    let unit = unit.trim().to_ascii_uppercase();
    let shift = match unit.trim_end_matches("IB").trim_end_matches('B') {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        "T" => 40,
        _ => return Err(format!("not a size: {s} (units: K, M, G, T)")),
    };
    let bytes = number * (1u64 << shift) as f64;
    if !(1.0..=(u64::MAX / 2) as f64).contains(&bytes) {
        return Err(format!("not a size: {s}"));
    }
    Ok(bytes as u64)
}

/// The default cap: what the system has available, less a tenth (at least 64 MiB).
fn default_cap() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kib = |key: &str| {
        meminfo
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().strip_suffix("kB"))
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    let mut available = kib("MemAvailable:").or_else(|| kib("MemFree:"))? * 1024;
    // A cgroup (v2) limit, when the process runs under one.
    if let Some(dir) = std::fs::read_to_string("/proc/self/cgroup")
        .ok()
        .and_then(|c| {
            c.lines()
                .find_map(|l| l.strip_prefix("0::"))
                .map(str::to_string)
        })
    {
        let read = |f: &str| {
            std::fs::read_to_string(format!("/sys/fs/cgroup{}/{f}", dir.trim()))
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        if let (Some(max), Some(current)) = (read("memory.max"), read("memory.current")) {
            available = available.min(max.saturating_sub(current));
        }
    }
    Some((available - available / 10).max(64 << 20))
}

/// Sets the memory cap and the spill store; `None` when there is none (an unknown default
/// on another system, or a default temporary directory that cannot take files).
fn set_cap(max_memory: Option<u64>, spill_dir: Option<PathBuf>) -> Result<Option<u64>, Failure> {
    let Some(cap) = max_memory.or_else(default_cap) else {
        return Ok(None);
    };
    let given = spill_dir.is_some();
    let dir = spill_dir.unwrap_or_else(|| {
        let tmp = std::env::temp_dir();
        let var_tmp = PathBuf::from("/var/tmp");
        if spill::in_memory(&tmp) && var_tmp.is_dir() && !spill::in_memory(&var_tmp) {
            var_tmp
        } else {
            tmp
        }
    });
    match spill::configure(cap, &dir) {
        Ok(()) => Ok(Some(cap)),
        Err(e) if given || max_memory.is_some() => Err(Failure::Io(e)),
        // The default directory unusable: the analysis runs in memory, as without a cap.
        Err(_) => Ok(None),
    }
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
                "\r{:>12} {:>5.1}%{}",
                p.phase,
                100.0 * p.done as f64 / p.total as f64,
                progress::spilled_note()
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
        if threads > 1 {
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
            eprint!("\r{:>60}\r", "");
        }
        if pass.number == 1 {
            // The plan is known: the arrays to come spill, or none does.
            let peak = session.plan().map_or(0, |p| p.peak_bytes);
            spill::plan_known(peak);
            if show && spill::forced() {
                eprintln!(
                    "memory: the analysis needs about {} MiB, more than --max-memory {} MiB: \
                     its large arrays go to temporary files in {}",
                    peak >> 20,
                    spill::cap() >> 20,
                    spill::dir_name()
                );
            }
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

/// `heapscope redact`: one pass over the file, the copy written as it goes to a
/// temporary file beside `output`, renamed at the end (removed on failure).
fn redact(
    input: &Path,
    output: &Path,
    level: RedactLevel,
    gzip: bool,
    names: Option<&Path>,
    quiet: bool,
) -> Result<Outcome, Failure> {
    use heapscope::format::redact::{Level, Redactor};
    let cannot_open = |e| Failure::Io(format!("cannot open {}: {e}", input.display()));
    let total = std::fs::metadata(input).map_err(cannot_open)?.len();
    let file = std::fs::File::open(input).map_err(cannot_open)?;
    // The names map is read (when it exists) before anything is written.
    let map = names.map(read_names_map).transpose()?;
    let tmp = partial_name(output)?;
    let cannot_write =
        |e: std::io::Error| Failure::Io(format!("cannot write {}: {e}", output.display()));
    let mut out = std::io::BufWriter::with_capacity(
        1 << 20,
        std::fs::File::create(&tmp).map_err(cannot_write)?,
    );
    let level = match level {
        RedactLevel::Basic => Level::Basic,
        RedactLevel::Full => Level::Full,
    };
    let mut r = match map {
        Some(map) => Redactor::with_names(level, gzip, map),
        None => Redactor::new(level, gzip),
    };
    let bar = PassBar::new(quiet, total, "redact");
    let copy = || -> Result<(), Failure> {
        let mut chunks = Chunks::new(file);
        let mut buf_out = Vec::new();
        let mut done = 0u64;
        while let Some(buf) = chunks.next_chunk() {
            let buf =
                buf.map_err(|e| Failure::Io(format!("cannot read {}: {e}", input.display())))?;
            buf_out.clear();
            r.push(&buf, &mut buf_out)?;
            out.write_all(&buf_out).map_err(cannot_write)?;
            done += buf.len() as u64;
            chunks.recycle(buf);
            bar.set(done);
        }
        buf_out.clear();
        r.finish(&mut buf_out)?;
        out.write_all(&buf_out).map_err(cannot_write)?;
        out.flush().map_err(cannot_write)?;
        Ok(())
    };
    let result = copy();
    bar.done();
    drop(out);
    // With --names, the map goes to its own temporary name; both are renamed once both
    // are complete.
    let map_tmp = match (&result, names, r.name_map()) {
        (Ok(()), Some(path), Some(map)) => match write_partial(path, &map.to_json()) {
            Ok(t) => Some((t, path)),
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(e);
            }
        },
        _ => None,
    };
    let renamed = result.and_then(|()| {
        if let Some((t, path)) = &map_tmp {
            std::fs::rename(t, path)
                .map_err(|e| Failure::Io(format!("cannot write {}: {e}", path.display())))?;
        }
        std::fs::rename(&tmp, output).map_err(cannot_write)
    });
    match renamed {
        Ok(()) => Ok(Outcome::Complete),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            if let Some((t, _)) = &map_tmp {
                let _ = std::fs::remove_file(t);
            }
            Err(e)
        }
    }
}

/// The temporary name a file is written to before it is renamed to `path`: hidden, next
/// to it, with the process ID.
fn partial_name(path: &Path) -> Result<PathBuf, Failure> {
    let name = path
        .file_name()
        .ok_or_else(|| Failure::Io(format!("not a file name: {}", path.display())))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".{}.partial", std::process::id()));
    Ok(path.with_file_name(tmp_name))
}

/// Writes `bytes` to `path`'s temporary name; returns that name.
fn write_partial(path: &Path, bytes: &[u8]) -> Result<PathBuf, Failure> {
    let tmp = partial_name(path)?;
    std::fs::write(&tmp, bytes).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Failure::Io(format!("cannot write {}: {e}", path.display()))
    })?;
    Ok(tmp)
}

/// The names map at `path` (`redact --names-map`): empty when there is no such file yet;
/// a file that is not such a map is an error naming it.
fn read_names_map(path: &Path) -> Result<heapscope::format::redact_names::NameMap, Failure> {
    use heapscope::format::redact_names::{NameKind, NameMap};
    let text = match std::fs::read(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(NameMap::new()),
        Err(e) => return Err(Failure::Io(format!("cannot read {}: {e}", path.display()))),
    };
    let bad = |why: String| {
        Failure::Io(format!(
            "{} is not a names map of heapscope redact --names: {why}",
            path.display()
        ))
    };
    let v: serde_json::Value = serde_json::from_slice(&text).map_err(|e| bad(e.to_string()))?;
    let obj = v
        .as_object()
        .ok_or_else(|| bad("not a JSON object".to_string()))?;
    if obj.get("version").and_then(serde_json::Value::as_u64) != Some(1) {
        return Err(bad("no \"version\": 1".to_string()));
    }
    let mut map = NameMap::new();
    for (section, entries) in obj {
        if section == "version" {
            continue;
        }
        let kind = NameKind::from_section(section)
            .ok_or_else(|| bad(format!("unknown section {section:?}")))?;
        let entries = entries
            .as_object()
            .ok_or_else(|| bad(format!("{section} is not an object")))?;
        for (placeholder, name) in entries {
            let name = name
                .as_str()
                .ok_or_else(|| bad(format!("{section}.{placeholder} is not a string")))?;
            map.assign(kind, placeholder, name).map_err(bad)?;
        }
    }
    Ok(map)
}

/// The threads `--threads` asks for (default: the cores available).
fn threads(asked: Option<u32>) -> usize {
    match asked {
        Some(n) => n as usize,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    }
}

fn run_command(cli: Cli) -> Result<Outcome, Failure> {
    // A report is written to a file (or a pipe): where, decided before the analysis runs.
    let report_to = match &cli.command {
        Command::Report { output, .. } => Some(report_output(output.as_deref())?),
        _ => None,
    };
    if let Command::Compare { files, json, top } = &cli.command {
        set_cap(cli.max_memory, cli.spill_dir.clone())?;
        return compare(
            files,
            *json,
            *top,
            cli.quiet,
            cli.strict,
            threads(cli.threads),
        );
    }
    if let Command::Redact {
        input,
        output,
        level,
        gzip,
        names,
        names_map,
    } = &cli.command
    {
        Timings::enter("redact");
        let map = names.then(|| {
            names_map.clone().unwrap_or_else(|| {
                let mut p = output.clone().into_os_string();
                p.push(".names.json");
                PathBuf::from(p)
            })
        });
        return redact(input, output, *level, *gzip, map.as_deref(), cli.quiet);
    }
    let (file, json, query) = cli.command.query()?;
    query.check()?;
    set_cap(cli.max_memory, cli.spill_dir)?;
    let threads = threads(cli.threads);
    let mut session = analyze_file(
        &file,
        cli.quiet,
        query.needs_full_analysis(),
        cli.strict,
        threads,
    )?;
    let mut answer = session.query(&query)?;
    if let Answer::Analyze(r) = &mut answer {
        // A saved report names its dump (what `heapscope compare` shows for it).
        r.report.file = file.display().to_string();
    }
    if let (Some(to), Answer::HtmlReport(html)) = (&report_to, &answer) {
        write_report(html, to.as_deref())?;
    } else if json {
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

/// Whether a file is a saved JSON report rather than a dump (its first non-blank byte).
fn is_json(path: &Path) -> Result<bool, Failure> {
    use std::io::Read;
    let mut head = [0u8; 64];
    let mut f = std::fs::File::open(path)
        .map_err(|e| Failure::Io(format!("cannot open {}: {e}", path.display())))?;
    let n = f
        .read(&mut head)
        .map_err(|e| Failure::Io(format!("cannot read {}: {e}", path.display())))?;
    Ok(head
        .get(..n)
        .unwrap_or_default()
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        == Some(&b'{'))
}

/// A saved report: `heapscope analyze --json` output (its `report`), or a report alone
/// (`heapscope compare`'s page export keeps them so).
fn read_report(path: &Path) -> Result<DumpReport, Failure> {
    let bad = |e: String| Failure::Io(format!("{}: not a heapscope report: {e}", path.display()));
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Io(format!("cannot read {}: {e}", path.display())))?;
    let mut v: serde_json::Value = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let v = match v.get_mut("report").map(serde_json::Value::take) {
        Some(r) => r,
        None if v.get("report_version").is_some() => v,
        None => {
            return Err(bad(
                "no \"report\" (save the output of `heapscope analyze --json`)".into(),
            ));
        }
    };
    let version = v.get("report_version").and_then(|x| x.as_u64());
    if version != Some(u64::from(REPORT_VERSION)) {
        return Err(bad(format!(
            "report version {}, this heapscope reads version {REPORT_VERSION}",
            version.map_or("unknown".into(), |x| x.to_string())
        )));
    }
    serde_json::from_value(v).map_err(|e| bad(e.to_string()))
}

/// `heapscope compare`: each file's report in turn (a dump's heap dropped before the next
/// is read), then the comparison.
fn compare(
    files: &[PathBuf],
    json: bool,
    top: u32,
    quiet: bool,
    strict: bool,
    threads: usize,
) -> Result<Outcome, Failure> {
    let mut reports = Vec::with_capacity(files.len());
    let mut outcome = Outcome::Complete;
    // Dumps that could not be read: left out, unless `--strict`, so that one bad file in a
    // series does not cost the others' analyses.
    let mut left_out = Vec::new();
    for file in files {
        let name = file.display().to_string();
        match compare_report(file, &name, quiet, strict, threads) {
            Ok((report, damaged)) => {
                if damaged {
                    outcome = Outcome::Damaged;
                }
                reports.push(report);
            }
            Err(e) if strict => return Err(e.naming(file)),
            Err(e) => {
                let e = e.naming(file);
                eprintln!("warning: left out of the comparison: {e}");
                left_out.push(e.to_string());
                outcome = Outcome::Damaged;
            }
        }
    }
    if reports.len() < 2 {
        return Err(Failure::Io(format!(
            "{} of the {} files could be read: a comparison needs two",
            reports.len(),
            files.len()
        )));
    }
    Timings::enter("compare");
    let mut comparison = heapscope::analysis::compare::compare(&reports);
    comparison.warnings.extend(
        left_out
            .into_iter()
            .map(|e| format!("left out of the comparison: {e}")),
    );
    if json {
        print_json(&comparison)?;
    } else {
        print_lines(&render::comparison_text(&comparison, top as usize))?;
    }
    Ok(outcome)
}

/// One argument of `heapscope compare`: a saved report, or a dump analysed (its heap
/// dropped before the next is read). `true` with it when the dump was damaged.
fn compare_report(
    file: &Path,
    name: &str,
    quiet: bool,
    strict: bool,
    threads: usize,
) -> Result<(DumpReport, bool), Failure> {
    if is_json(file)? {
        return Ok((read_report(file)?, false));
    }
    let mut session = analyze_file(file, quiet, true, strict, threads)?;
    let mut report: DumpReport = session.ask(&Query::Report {
        file: name.to_string(),
    })?;
    if report.file.is_empty() {
        report.file = name.to_string();
    }
    let damaged = session.damaged().map(|d| {
        eprintln!("warning: {}: {}", file.display(), render::damage_line(d));
    });
    Ok((report, damaged.is_some()))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(Outcome::Complete) => ExitCode::SUCCESS,
        Ok(Outcome::Damaged) => ExitCode::from(3),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

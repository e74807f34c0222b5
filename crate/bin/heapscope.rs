//! `heapscope`: the native command-line analyzer.
//!
//! Only results go to stdout; progress (on a terminal) and errors go to stderr. Bad input
//! exits with status 1 and one line naming what was being read and its byte offset.

use clap::{Parser, Subcommand};
use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets};
use heapscope::analysis::histogram::{Histogram, histogram};
use heapscope::analysis::summary::summary;
use heapscope::format::{HprofError, Visitor};
use heapscope::load::Pass;
use heapscope::model::index::{Index, Indexer};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

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
    },
}

/// Formats bytes for people: `1.5 MiB`.
fn human(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
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

/// `--timings`: reports each phase's wall time and the memory high-water mark so far.
struct Timings {
    on: bool,
    start: Instant,
}

impl Timings {
    fn new(on: bool) -> Self {
        Timings {
            on,
            start: Instant::now(),
        }
    }

    /// Ends the current phase (started at the previous call) and starts the next.
    fn phase(&mut self, name: &str) {
        if self.on {
            let wall_ms = (self.start.elapsed().as_secs_f64() * 1e4).round() / 10.0;
            let peak = peak_rss_bytes().map_or("null".to_string(), |b| b.to_string());
            eprintln!(
                "{{\"phase\":{},\"wall_ms\":{wall_ms},\"peak_rss_bytes\":{peak}}}",
                serde_json::Value::from(name)
            );
        }
        self.start = Instant::now();
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

/// Streams `path` through a pass, with progress.
fn stream_file<V: Visitor>(
    path: &Path,
    visitor: V,
    quiet: bool,
    phase: &str,
) -> Result<(V, heapscope::format::Decoder), Failure> {
    let mut file = std::fs::File::open(path)
        .map_err(|e| Failure::Io(format!("cannot open {}: {e}", path.display())))?;
    let total = file.metadata().map(|m| m.len()).unwrap_or(0);
    let progress = Progress::new(quiet, total, phase);
    let mut pass = Pass::new(visitor, false);
    let mut buf = vec![0u8; 8 << 20];
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| Failure::Io(format!("cannot read {}: {e}", path.display())))?;
        if n == 0 {
            break;
        }
        pass.push(&buf[..n])?;
        progress.set(pass.consumed());
    }
    let r = pass.finish();
    progress.done();
    Ok(r?)
}

fn index_file(path: &Path, quiet: bool, per_object: bool) -> Result<Index, Failure> {
    let (ix, _) = stream_file(path, Indexer::new(per_object), quiet, "indexing")?;
    Ok(ix.finish()?)
}

fn print_json<T: serde::Serialize>(v: &T) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, v).map_err(|e| Failure::Io(e.to_string()))?;
    writeln!(out).map_err(|e| Failure::Io(e.to_string()))
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
    for r in h.classes.iter().take(top.unwrap_or(usize::MAX)) {
        t.add_row(vec![
            right(grouped(r.instances)),
            right(human(r.shallow_bytes)),
            right(grouped(r.shallow_bytes)),
            Cell::new(&r.name),
        ]);
    }
    t.add_row(vec![
        right(grouped(h.total_instances)),
        right(human(h.total_shallow_bytes)),
        right(grouped(h.total_shallow_bytes)),
        Cell::new(format!("total ({} classes)", h.classes.len())),
    ]);
    println!("{t}");
}

fn run(cli: Cli) -> Result<(), Failure> {
    let mut timings = Timings::new(cli.timings);
    match cli.command {
        Command::Summary { file, json } => {
            let index = index_file(&file, cli.quiet, false)?;
            timings.phase("index");
            let s = summary(&index);
            timings.phase("summary");
            if json {
                return print_json(&s);
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
            println!("{t}");
            for d in &s.diagnostics {
                println!("note: {} × {} — {}", grouped(d.count), d.key, d.help);
            }
            Ok(())
        }
        Command::Histogram { file, json, top } => {
            let index = index_file(&file, cli.quiet, false)?;
            timings.phase("index");
            let mut h = histogram(&index);
            timings.phase("histogram");
            if json {
                if let Some(n) = top {
                    h.classes.truncate(n);
                }
                return print_json(&h);
            }
            print_histogram(&h, top);
            Ok(())
        }
    }
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

//! Golden files: the output of every CLI command on two dumps (and of the CLI's errors),
//! compared with the files recorded under `tests/golden/`, so that a change above the
//! parser can show that no output changed.
//!
//! To record (or accept) the current outputs instead of comparing:
//!
//!     HEAPSCOPE_UPDATE_GOLDEN=1 cargo test --release --test golden
//!
//! That runs every command twice and refuses to record an output that differs between the
//! two runs; it also deletes golden files that no case produces any more.
//!
//! Layout: `tests/golden/<dump-stem>/<case>.json` (stdout, compared as parsed JSON),
//! `<case>.txt` (stdout, compared line by line) and `<case>.err` (exit status and stderr,
//! and stdout when the case has no file of its own for it). A case without an `.err` file
//! must exit 0 with nothing on stderr. `tests/golden/cli/` holds what needs no dump: help,
//! version, argument errors, unreadable files.
//!
//! Normalization: the CLI runs in the repository root with relative paths, so what it echoes
//! (the `analyze` text's first line, `summary`'s file row, `cannot open …`) is the same on
//! every machine. The repository's absolute path is deliberately not replaced in the output:
//! the fixture's heap itself holds the string `/work/main/tests/fixtures/timer_finalizer.hprof`
//! (a system property of the JVM that wrote it), which such a replacement would corrupt when
//! the test runs in a checkout at that path. Files written at test time live in a temporary
//! directory, printed as `<tmp>`; `--timings` lines keep their phases, their figures become
//! `<ms>` and `<bytes>`.

mod common;
use common::*;
use serde_json::Value;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// What stdout is compared as.
#[derive(Clone, Copy, PartialEq)]
enum Out {
    /// `<case>.json`, compared as parsed values.
    Json,
    /// `<case>.txt`, compared line by line.
    Text,
    /// No file of its own: stdout goes into `<case>.err` with the status and stderr.
    InErr,
}

/// How the case must end.
#[derive(Clone, Copy, PartialEq)]
enum Expect {
    /// Exit 0, nothing on stderr.
    Ok,
    /// Exit 0; stderr (normalized) recorded in `<case>.err`.
    OkWithStderr,
    /// A non-zero exit; status, stderr and any stdout recorded in `<case>.err`.
    Fails,
}

struct Case {
    /// `tests/golden/<dir>/`.
    dir: String,
    /// The file stem.
    name: String,
    /// The arguments after `--quiet`.
    args: Vec<String>,
    out: Out,
    expect: Expect,
}

impl Case {
    fn stdout_file(&self) -> Option<PathBuf> {
        let ext = match self.out {
            Out::Json => "json",
            Out::Text => "txt",
            Out::InErr => return None,
        };
        Some(golden_dir(&self.dir).join(format!("{}.{ext}", self.name)))
    }

    fn err_file(&self) -> Option<PathBuf> {
        (self.expect != Expect::Ok || self.out == Out::InErr)
            .then(|| golden_dir(&self.dir).join(format!("{}.err", self.name)))
    }

    fn label(&self) -> String {
        format!(
            "{}/{} (heapscope --quiet {})",
            self.dir,
            self.name,
            self.args.join(" ")
        )
    }
}

fn golden_dir(dir: &str) -> PathBuf {
    repo().join("tests/golden").join(dir)
}

/// A path as the CLI gets it: relative to the repository root, where it runs.
fn rel(p: &Path) -> String {
    p.strip_prefix(repo())
        .unwrap_or_else(|_| panic!("{} is not under the repository", p.display()))
        .to_string_lossy()
        .into_owned()
}

/// The file stem for a command line: `histogram --retained --top 50` →
/// `histogram--retained--top-50`; characters other than `[A-Za-z0-9._-]` become `_`.
fn stem(words: &[&str]) -> String {
    let mut s = String::new();
    for (i, w) in words.iter().enumerate() {
        if i > 0 && !w.starts_with("--") {
            s.push('-');
        }
        s.extend(w.chars().map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        }));
    }
    s
}

struct Cases(Vec<Case>);

impl Cases {
    fn add(&mut self, dir: &str, name: &str, args: &[&str], out: Out, expect: Expect) {
        self.0.push(Case {
            dir: dir.to_string(),
            name: name.to_string(),
            args: args.iter().map(|s| s.to_string()).collect(),
            out,
            expect,
        });
    }

    /// `command FILE options…` as text and with `--json`; named after the command and
    /// options.
    fn both(&mut self, dir: &str, file: &str, cmd: &[&str]) {
        let name = stem(cmd);
        let mut args = vec![cmd[0], file];
        args.extend(&cmd[1..]);
        self.add(dir, &name, &args, Out::Text, Expect::Ok);
        args.push("--json");
        self.add(dir, &name, &args, Out::Json, Expect::Ok);
    }

    /// An error on `command FILE options…`, named `name`.
    fn fails(&mut self, dir: &str, name: &str, args: &[&str]) {
        self.add(dir, name, args, Out::InErr, Expect::Fails);
    }
}

/// Every command on one dump; `objects` are inspected, `paths` traced with `path --object`
/// (and also with `--include-weak` where marked), `class` traced with `path --class` (and
/// with `--include-weak`).
struct Dump<'a> {
    stem: &'a str,
    file: String,
    class: &'a [&'a str],
    objects: &'a [&'a str],
    paths: &'a [(&'a str, bool)],
    /// Objects inspected with options (pages of elements, entries, referrers).
    pages: &'a [&'a [&'a str]],
    /// An object ID no object has.
    absent: &'a str,
}

fn dump_cases(c: &mut Cases, d: &Dump) {
    let (dir, f) = (d.stem, d.file.as_str());
    for cmd in [
        &["summary"][..],
        &["histogram"],
        &["histogram", "--top", "30"],
        &["histogram", "--retained", "--top", "50"],
        &["analyze"],
        &["analyze", "--top", "5"],
        &["finalizers"],
        &["suspects"],
        &["references"],
        &["threads"],
        &["dominators"],
        &["dominators", "--top", "5", "--depth", "3"],
        &["unreachable"],
        &["unreachable", "--top", "5"],
        &["dominators", "--group-by", "class"],
        &[
            "dominators",
            "--group-by",
            "class",
            "--top",
            "5",
            "--depth",
            "3",
        ],
        &["histogram", "--group-by", "package", "--retained"],
        &["histogram", "--group-by", "loader"],
        &[
            "histogram",
            "--group-by",
            "loader",
            "--retained",
            "--top",
            "3",
        ],
        &["collections"],
        &["collections", "--top", "5"],
        &["duplicate-strings", "--top", "20"],
        &["duplicate-strings", "--min-count", "5", "--top", "5"],
        &["secrets"],
        &["classloaders"],
    ] {
        c.both(dir, f, cmd);
    }
    for class in d.class {
        c.both(dir, f, &["path", "--class", class]);
        c.both(dir, f, &["path", "--class", class, "--include-weak"]);
    }
    // A class the dump does not have: an empty result, not an error.
    c.both(dir, f, &["path", "--class", "no.such.Class"]);
    // The class page, the retained set and the immediate dominators of the same classes.
    for class in d.class {
        c.both(dir, f, &["class", class]);
        c.both(dir, f, &["retained-set", "--class", class, "--top", "10"]);
        c.both(dir, f, &["immediate-dominators", "--class", class]);
        c.both(
            dir,
            f,
            &[
                "immediate-dominators",
                "--class",
                class,
                "--skip",
                "java.*,javax.*",
            ],
        );
    }
    c.both(dir, f, &["class", "no.such.Class"]);
    if let Some(id) = d.objects.first() {
        c.both(dir, f, &["retained-set", "--object", id]);
        c.both(dir, f, &["immediate-dominators", "--object", id]);
    }
    for &(id, weak_too) in d.paths {
        c.both(dir, f, &["path", "--object", id]);
        if weak_too {
            c.both(dir, f, &["path", "--object", id, "--include-weak"]);
        }
    }
    for id in d.objects {
        c.both(dir, f, &["inspect", id]);
    }
    for args in d.pages {
        let mut cmd = vec!["inspect"];
        cmd.extend(args.iter());
        c.both(dir, f, &cmd);
    }
    c.fails(dir, "error-inspect-bad-id", &["inspect", f, "0xzz"]);
    c.fails(dir, "error-inspect-absent-id", &["inspect", f, d.absent]);
    c.fails(
        dir,
        "error-inspect-absent-id--json",
        &["inspect", f, d.absent, "--json"],
    );
    c.fails(
        dir,
        "error-path--object-absent-id",
        &["path", f, "--object", d.absent],
    );
}

/// Where the files written at test time go (shown as `<tmp>`). The process ID is padded so
/// that the path has one length whatever the ID: text tables size their columns by it.
fn tmp_dir() -> PathBuf {
    std::env::temp_dir().join(format!("heapscope-golden-{:010}", std::process::id()))
}

/// Cut points in the fixture `timer_finalizer.hprof` (its header is 31 bytes; the records
/// were listed with their offsets when these were chosen), and what each cuts.
const FIXTURE_CUTS: &[(usize, &str)] = &[
    (0, "empty file"),
    (20, "inside the file header"),
    (31, "right after the header: no records"),
    (1_000, "inside an early UTF8 record"),
    (
        1_431_450,
        "inside the first LOAD_CLASS record (at 1 431 441)",
    ),
    (1_466_620, "inside a FRAME record (at 1 466 607)"),
    (
        1_468_290,
        "inside the first HEAP_DUMP_SEGMENT, in its first CLASS_DUMP",
    ),
    (3_000_000, "inside a PRIM_ARRAY_DUMP of the third segment"),
    (5_442_949, "after the last segment, without HEAP_DUMP_END"),
    (5_442_953, "inside the HEAP_DUMP_END record header"),
];

/// The corpus dump (gzip) cut in the middle of its deflate stream.
const CORPUS_GZ_CUT: usize = 1_500_000;

fn all_cases(tmp: &Path) -> Cases {
    let mut c = Cases(Vec::new());
    let fixture_file = rel(&fixture("timer_finalizer.hprof"));
    let corpus_file = rel(&corpus("openjdk_jdk11_04_x64.hprof.gz"));

    dump_cases(
        &mut c,
        &Dump {
            stem: "timer_finalizer",
            file: fixture_file.clone(),
            // 2150 instances: 2000 kept by the Timer's queue, 150 by a static list; with
            // --include-weak two of those are reached through Finalizer.unfinalized.
            class: &["Fixtures$PgStatement"],
            objects: &[
                // Fixtures$PgStatement: fields byte[] buffer, String sql, int id; the
                // `class` suspect's biggest instance, OPEN_STATEMENTS[0], has a Finalizer.
                "0xfd9694e8",
                // Its `sql` String: "SELECT * FROM orders WHERE id = 2000".
                "0xfd969560",
                // Its `buffer`, a byte[1024] (a primitive array).
                "0xfd969578",
                // java.util.TimerTask[2048]: the Timer's queue array, the accumulation
                // point of the Finalizer holder (an object array).
                "0xffd3e4d0",
                // class Fixtures: statics OPEN_STATEMENTS, sharedTimer, KEEP (a class).
                "0xfc038be0",
                // java.util.TimerThread 'PostgreSQL-JDBC-SharedTimer-1': a GC root
                // (java_frame, thread_object) with a String name among many fields.
                "0xfc03c3d8",
            ],
            paths: &[
                // A Fixtures$PgStatement held by a cancelled task in the Timer's queue.
                ("0xfc03c8c0", true),
                // OPEN_STATEMENTS[148]: with --include-weak its shortest path goes through
                // Finalizer.unfinalized instead.
                ("0xfd994408", true),
            ],
            pages: &[
                // Fixtures.OPEN_STATEMENTS: an ArrayList of 150 statements; its last page.
                &["0xfc03a148", "--offset", "145", "--limit", "10"],
                // The Timer's queue array (TimerTask[2048]) from element 2000.
                &["0xffd3e4d0", "--offset", "2000", "--limit", "3"],
            ],
            absent: "0x12345678",
        },
    );
    // The cancelled tasks: one dominator (the queue's array), passed over with --skip; the
    // retained set of a task class and of its superclass's page.
    for cmd in [
        &["immediate-dominators", "--class", "Fixtures$CancelTask"][..],
        &[
            "immediate-dominators",
            "--class",
            "Fixtures$CancelTask",
            "--skip",
            "java.*",
        ],
        &["retained-set", "--class", "Fixtures$CancelTask"],
        &["class", "java.util.TimerTask"],
    ] {
        c.both("timer_finalizer", &fixture_file, cmd);
    }
    // The series of three dumps of one JVM (given out of order: compare orders them by
    // their timestamps).
    let series: Vec<String> = ["series3", "series1", "series2"]
        .iter()
        .map(|s| rel(&fixture(&format!("{s}.hprof.gz"))))
        .collect();
    let mut args = vec!["compare"];
    args.extend(series.iter().map(String::as_str));
    c.add("series", "compare", &args, Out::Text, Expect::Ok);
    args.push("--json");
    c.add("series", "compare", &args, Out::Json, Expect::Ok);
    // The collections fixture: its duplicated strings, its plugin class in two loaders.
    let collections_file = rel(&fixture("collections.hprof"));
    for cmd in [&["duplicate-strings", "--top", "10"][..], &["classloaders"]] {
        c.both("collections", &collections_file, cmd);
    }
    // The secrets fixture: a secret of every kind, masked, with its holder chain.
    c.both("secrets", &rel(&fixture("secrets.hprof")), &["secrets"]);
    // A decimal ID (0xfd9694e8).
    c.add(
        "timer_finalizer",
        "inspect-decimal-4254504168",
        &["inspect", &fixture_file, "4254504168"],
        Out::Text,
        Expect::Ok,
    );
    // --timings: the phases on stderr (figures normalized), stdout unchanged.
    c.add(
        "timer_finalizer",
        "timings-summary",
        &["--timings", "summary", &fixture_file, "--json"],
        Out::Json,
        Expect::OkWithStderr,
    );
    c.add(
        "timer_finalizer",
        "timings-analyze",
        &["--timings", "analyze", &fixture_file],
        Out::Text,
        Expect::OkWithStderr,
    );
    for &(cut, _) in FIXTURE_CUTS {
        let p = tmp.join(format!("timer_finalizer-cut-{cut}.hprof"));
        let p = p.to_string_lossy();
        // Opened up to the damage (exit 3 past the first heap-dump record), and refused
        // with --strict.
        c.fails(
            "timer_finalizer",
            &format!("error-truncated-at-{cut}"),
            &["summary", &p],
        );
        c.fails(
            "timer_finalizer",
            &format!("error-truncated-at-{cut}--strict"),
            &["--strict", "summary", &p],
        );
    }
    let p = tmp.join("timer_finalizer-cut-3000000.hprof");
    let p = p.to_string_lossy();
    c.fails(
        "timer_finalizer",
        "error-truncated-at-3000000-analyze--json",
        &["analyze", &p, "--json"],
    );

    dump_cases(
        &mut c,
        &Dump {
            stem: "openjdk_jdk11_04_x64",
            file: corpus_file.clone(),
            // 70 modules: 67 with a path, 3 without; --include-weak changes the paths.
            class: &["java.lang.Module"],
            objects: &[
                // org.eclipse.mat.tests.CreateCollectionDump: the `main` thread's local,
                // 5.1 MiB retained; fields s1 "My String" and s2 (non-ASCII) among others.
                "0xe0c2aaa8",
                // Its s2: "My String with e-acute é and Greek Delta Δ" (a UTF-16 String).
                "0xe11be5a0",
                // java.lang.Thread 'main': the object suspect, a thread_object root.
                "0xe0c2ac98",
                // java.lang.String[599]: ZoneInfoFile.regions (an object array).
                "0xe29bea88",
                // class sun.util.calendar.ZoneInfoFile: primitive and object statics, the
                // first top-level entry of the dominator tree after the main thread.
                "0xffe065a0",
            ],
            paths: &[
                // The String s2 above: main thread → local → field.
                ("0xe11be5a0", false),
                // A java.lang.invoke.MethodType: ten steps through method handles, seven
                // through MethodType.internTable's weak entry with --include-weak.
                ("0xe0c3bc60", true),
            ],
            pages: &[
                // MAT's CreateCollectionDump: a HashMap of 341 strings (hash table order),
                // a LinkedHashMap (insertion order) from entry 100, a TreeMap (key order),
                // a LinkedList's last entries.
                &["0xe0fe2e40", "--limit", "5"],
                &["0xe0f7f878", "--offset", "100", "--limit", "5"],
                &["0xe10d9768", "--limit", "5"],
                &["0xe0cd9a60", "--offset", "336", "--limit", "10"],
                // ZoneInfoFile.regions (String[599]): its last page.
                &["0xe29bea88", "--offset", "595", "--limit", "10"],
                // HashSet.PRESENT (a java.lang.Object, the value of every HashSet entry):
                // its referrers from the 100th.
                &["0xe0c13278", "--referrers-offset", "100", "--limit", "3"],
            ],
            absent: "0x12345678",
        },
    );
    for strict in [false, true] {
        let mut args = vec!["summary"];
        let name = if strict {
            args.insert(0, "--strict");
            format!("error-truncated-gzip-at-{CORPUS_GZ_CUT}--strict")
        } else {
            format!("error-truncated-gzip-at-{CORPUS_GZ_CUT}")
        };
        let cut = tmp
            .join("openjdk_jdk11_04_x64-cut.hprof.gz")
            .to_string_lossy()
            .into_owned();
        args.push(&cut);
        c.fails("openjdk_jdk11_04_x64", &name, &args);
    }

    // Without a dump.
    let cli = "cli";
    c.add(cli, "help", &["--help"], Out::Text, Expect::Ok);
    c.add(cli, "help-short", &["-h"], Out::Text, Expect::Ok);
    c.add(cli, "help-command", &["help"], Out::Text, Expect::Ok);
    c.add(cli, "version", &["--version"], Out::Text, Expect::Ok);
    c.add(cli, "version-short", &["-V"], Out::Text, Expect::Ok);
    for cmd in [
        "summary",
        "histogram",
        "analyze",
        "finalizers",
        "suspects",
        "references",
        "threads",
        "dominators",
        "path",
        "inspect",
        "unreachable",
        "collections",
        "immediate-dominators",
        "retained-set",
        "class",
        "duplicate-strings",
        "secrets",
        "classloaders",
        "compare",
        "redact",
    ] {
        c.add(
            cli,
            &format!("help-{cmd}"),
            &[cmd, "--help"],
            Out::Text,
            Expect::Ok,
        );
    }
    let f = fixture_file.as_str();
    c.fails(cli, "error-no-command", &[]);
    c.fails(cli, "error-unknown-command", &["leaks", f]);
    c.fails(cli, "error-no-file", &["summary"]);
    c.fails(cli, "error-compare-one-file", &["compare", f]);
    c.fails(
        cli,
        "error-compare-not-a-report",
        &["compare", f, "Cargo.toml"],
    );
    c.fails(
        cli,
        "error-histogram--top-not-a-number",
        &["histogram", f, "--top", "x"],
    );
    c.fails(cli, "error-path-without-class-or-object", &["path", f]);
    c.fails(
        cli,
        "error-duplicate-strings--min-count-1",
        &["duplicate-strings", f, "--min-count", "1"],
    );
    c.fails(
        cli,
        "error-path--class-and--object",
        &[
            "path",
            f,
            "--class",
            "Fixtures$PgStatement",
            "--object",
            "0xfd9694e8",
        ],
    );
    c.fails(cli, "error-inspect-without-id", &["inspect", f]);
    c.fails(
        cli,
        "error-retained-set-without-class-or-object",
        &["retained-set", f],
    );
    c.fails(
        cli,
        "error-histogram--group-by-unknown",
        &["histogram", f, "--group-by", "module"],
    );
    c.fails(
        cli,
        "error-dominators--group-by-package",
        &["dominators", f, "--group-by", "package"],
    );
    c.fails(
        cli,
        "error-missing-file",
        &["summary", "no-such-dump.hprof"],
    );
    c.fails(
        cli,
        "error-missing-file--json",
        &["analyze", "no-such-dump.hprof", "--json"],
    );
    c.fails(cli, "error-directory", &["summary", &tmp.to_string_lossy()]);
    for name in ["not-a-dump.txt", "not-a-dump.bin", "not-a-dump.txt.gz"] {
        let p = tmp.join(name);
        c.fails(
            cli,
            &format!("error-{}", stem(&[name])),
            &["summary", &p.to_string_lossy()],
        );
    }
    c
}

/// Writes the inputs the error cases read.
fn write_inputs(tmp: &Path) {
    std::fs::create_dir_all(tmp).expect("temp dir");
    let dump = read(&fixture("timer_finalizer.hprof"));
    assert_eq!(
        dump.len(),
        5_442_958,
        "the fixture changed: choose new cut points"
    );
    for &(cut, _) in FIXTURE_CUTS {
        let p = tmp.join(format!("timer_finalizer-cut-{cut}.hprof"));
        std::fs::write(&p, &dump[..cut]).expect("write");
    }
    let gz = read(&corpus("openjdk_jdk11_04_x64.hprof.gz"));
    std::fs::write(
        tmp.join("openjdk_jdk11_04_x64-cut.hprof.gz"),
        &gz[..CORPUS_GZ_CUT],
    )
    .expect("write");
    let text = b"This is not a heap dump.\nJust text.\n";
    std::fs::write(tmp.join("not-a-dump.txt"), text).expect("write");
    std::fs::write(tmp.join("not-a-dump.txt.gz"), gzip(text)).expect("write");
    let junk: Vec<u8> = (0u32..4096)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(tmp.join("not-a-dump.bin"), junk).expect("write");
}

/// What one run printed, normalized.
#[derive(PartialEq)]
struct Outcome {
    status: String,
    stdout: String,
    stderr: String,
}

fn run(case: &Case, tmp: &str) -> Outcome {
    let out = Command::new(env!("CARGO_BIN_EXE_heapscope"))
        .current_dir(repo())
        .arg("--quiet")
        .args(&case.args)
        .output()
        .expect("run heapscope");
    let status = match out.status.code() {
        Some(c) => c.to_string(),
        None => format!("killed ({})", out.status),
    };
    let norm = |b: &[u8]| String::from_utf8_lossy(b).replace(tmp, "<tmp>");
    Outcome {
        status,
        stdout: norm(&out.stdout),
        stderr: normalize_timings(&norm(&out.stderr)),
    }
}

/// `{"phase":"index","wall_ms":33.3,"user_ms":30.1,"sys_ms":2.9,"peak_rss_bytes":19439616}`
/// → `{"phase":"index","wall_ms":<ms>,"user_ms":<ms>,"sys_ms":<ms>,"peak_rss_bytes":<bytes>}`;
/// other lines unchanged.
fn normalize_timings(stderr: &str) -> String {
    let mut s = String::new();
    for line in stderr.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        let parsed = serde_json::from_str::<Value>(body).ok();
        let timing = parsed.as_ref().and_then(|v| {
            let o = v.as_object()?;
            let keys_ok = o.len() == 5
                && ["wall_ms", "user_ms", "sys_ms", "peak_rss_bytes"]
                    .iter()
                    .all(|k| o.contains_key(*k));
            keys_ok.then_some(())?;
            o.get("phase")?.as_str()
        });
        match timing {
            Some(phase) => {
                s += &format!(
                    "{{\"phase\":{},\"wall_ms\":<ms>,\"user_ms\":<ms>,\"sys_ms\":<ms>,\
                     \"peak_rss_bytes\":<bytes>}}",
                    Value::from(phase)
                );
                s += &line[body.len()..];
            }
            None => s += line,
        }
    }
    s
}

/// The `.err` file of an outcome.
fn err_text(case: &Case, o: &Outcome) -> String {
    let mut s = format!("exit status: {}\n--- stderr\n{}", o.status, o.stderr);
    if case.out == Out::InErr && !o.stdout.is_empty() {
        if !s.ends_with('\n') {
            s.push('\n');
        }
        s += "--- stdout\n";
        s += &o.stdout;
    }
    s
}

/// What is wrong with an outcome regardless of the golden files.
fn check_expectation(case: &Case, o: &Outcome) -> Option<String> {
    match case.expect {
        Expect::Ok | Expect::OkWithStderr if o.status != "0" => Some(format!(
            "exited with status {} (expected 0); stderr:\n{}",
            o.status, o.stderr
        )),
        Expect::Ok if !o.stderr.is_empty() => Some(format!(
            "printed on stderr (expected nothing):\n{}",
            o.stderr
        )),
        Expect::Fails if o.status == "0" => Some(format!(
            "exited with status 0 (expected an error); stderr:\n{}",
            o.stderr
        )),
        _ if case.out == Out::Json => serde_json::from_str::<Value>(&o.stdout)
            .err()
            .map(|e| format!("stdout is not JSON: {e}")),
        _ => None,
    }
}

// ----- comparison -----

const MAX_JSON_CHANGES: usize = 100;
const MAX_DIFF_LINES: usize = 40;

/// A value, short, for a change list.
fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 100 {
        format!("{}…", s.chars().take(100).collect::<String>())
    } else {
        s
    }
}

fn key_path(path: &str, k: &str) -> String {
    let plain = !k.is_empty()
        && !k.starts_with(|c: char| c.is_ascii_digit())
        && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        format!("{path}.{k}")
    } else {
        format!("{path}[{}]", Value::from(k))
    }
}

/// Every difference between `a` (recorded) and `b` (now) as `path: old -> new`,
/// `path: added …`, `path: removed …`.
fn json_diff(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, va) in x {
                let p = key_path(path, k);
                match y.get(k) {
                    Some(vb) => json_diff(&p, va, vb, out),
                    None => out.push(format!("{p}: removed {}", short(va))),
                }
            }
            for (k, vb) in y {
                if !x.contains_key(k) {
                    out.push(format!("{}: added {}", key_path(path, k), short(vb)));
                }
            }
        }
        (Value::Array(x), Value::Array(y)) => array_diff(path, x, y, out),
        _ if a == b => {}
        _ => out.push(format!("{path}: {} -> {}", short(a), short(b))),
    }
}

/// Arrays of equal length are compared element by element. Otherwise the elements are
/// aligned (longest common subsequence of equal elements), and what lies between two
/// aligned elements is compared pairwise, the rest reported as added (at its new index) or
/// removed (at its old index).
fn array_diff(path: &str, x: &[Value], y: &[Value], out: &mut Vec<String>) {
    let at = |i: usize| format!("{path}[{i}]");
    if x.len() == y.len() {
        for (i, (a, b)) in x.iter().zip(y).enumerate() {
            json_diff(&at(i), a, b, out);
        }
        return;
    }
    let pairs = align(x, y, |a, b| a == b);
    let (mut i, mut j) = (0, 0);
    for (mi, mj) in pairs.into_iter().chain([(x.len(), y.len())]) {
        while i < mi && j < mj {
            json_diff(&at(j), &x[i], &y[j], out);
            i += 1;
            j += 1;
        }
        for (k, v) in x[i..mi].iter().enumerate() {
            out.push(format!("{}: removed {}", at(i + k), short(v)));
        }
        for (k, v) in y[j..mj].iter().enumerate() {
            out.push(format!("{}: added {}", at(j + k), short(v)));
        }
        (i, j) = (mi + 1, mj + 1);
    }
}

/// The index pairs of a longest common subsequence of `x` and `y` (common prefix and
/// suffix first; when what is left is too big, only those).
fn align<T>(x: &[T], y: &[T], eq: impl Fn(&T, &T) -> bool) -> Vec<(usize, usize)> {
    let pre = x.iter().zip(y).take_while(|(a, b)| eq(a, b)).count();
    let suf = x[pre..]
        .iter()
        .rev()
        .zip(y[pre..].iter().rev())
        .take_while(|(a, b)| eq(a, b))
        .count();
    let (xm, ym) = (&x[pre..x.len() - suf], &y[pre..y.len() - suf]);
    let mut pairs: Vec<(usize, usize)> = (0..pre).map(|i| (i, i)).collect();
    let (n, m) = (xm.len(), ym.len());
    if n > 0 && m > 0 && n * m <= 4_000_000 {
        // lcs[i][j]: the LCS length of xm[i..] and ym[j..].
        let w = m + 1;
        let mut lcs = vec![0u32; (n + 1) * w];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[i * w + j] = if eq(&xm[i], &ym[j]) {
                    lcs[(i + 1) * w + j + 1] + 1
                } else {
                    lcs[(i + 1) * w + j].max(lcs[i * w + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n && j < m {
            if eq(&xm[i], &ym[j]) {
                pairs.push((pre + i, pre + j));
                i += 1;
                j += 1;
            } else if lcs[(i + 1) * w + j] >= lcs[i * w + j + 1] {
                i += 1;
            } else {
                j += 1;
            }
        }
    }
    pairs.extend((0..suf).map(|k| (x.len() - suf + k, y.len() - suf + k)));
    pairs
}

/// A unified-style diff of the first differences between two texts.
fn text_diff(a: &str, b: &str) -> String {
    let x: Vec<&str> = a.lines().collect();
    let y: Vec<&str> = b.lines().collect();
    let pairs = align(&x, &y, |a, b| a == b);
    // Edit script: (tag, line) with ' ', '-', '+', plus old and new line numbers.
    let mut ops: Vec<(char, &str, usize, usize)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    for (mi, mj) in pairs.into_iter().chain([(x.len(), y.len())]) {
        ops.extend((i..mi).map(|k| ('-', x[k], k, j)));
        ops.extend((j..mj).map(|k| ('+', y[k], mi, k)));
        if mi < x.len() {
            ops.push((' ', x[mi], mi, mj));
        }
        (i, j) = (mi + 1, mj + 1);
    }
    let changed = ops.iter().filter(|o| o.0 != ' ').count();
    if changed == 0 {
        // Only the line endings differ (a final newline, `\r`).
        return format!(
            "  (the lines are equal; the texts differ in line endings: {} vs {} bytes)\n",
            a.len(),
            b.len()
        );
    }
    const CONTEXT: usize = 2;
    let mut s = String::new();
    let mut shown = 0;
    let mut k = 0;
    while k < ops.len() && shown < MAX_DIFF_LINES {
        if ops[k].0 == ' ' {
            k += 1;
            continue;
        }
        // A hunk: from CONTEXT lines before this change to CONTEXT lines after the last
        // change that is at most 2 * CONTEXT lines further.
        let start = k.saturating_sub(CONTEXT);
        let mut end = k;
        let mut e = k;
        while e < ops.len() && e <= end + 2 * CONTEXT {
            if ops[e].0 != ' ' {
                end = e;
            }
            e += 1;
        }
        let stop = (end + CONTEXT + 1).min(ops.len());
        let (_, _, oa, ob) = ops[start];
        let _ = writeln!(s, "  @@ -{} +{} @@", oa + 1, ob + 1);
        for op in &ops[start..stop] {
            if shown >= MAX_DIFF_LINES {
                break;
            }
            let _ = writeln!(s, "  {}{}", op.0, op.1);
            shown += 1;
        }
        k = stop;
    }
    let left = ops[k.min(ops.len())..]
        .iter()
        .filter(|o| o.0 != ' ')
        .count();
    if left > 0 {
        let _ = writeln!(s, "  … and {left} more changed lines ({changed} in all)");
    }
    s
}

/// Compares a recorded file with what was printed; `None` when equal.
fn compare(file: &Path, json: bool, now: &str) -> Option<String> {
    let rel_name = rel(file);
    let Ok(recorded) = std::fs::read_to_string(file) else {
        return Some(format!(
            "{rel_name}: missing golden file (record it with HEAPSCOPE_UPDATE_GOLDEN=1)\n"
        ));
    };
    if json {
        let a: Value = match serde_json::from_str(&recorded) {
            Ok(v) => v,
            Err(e) => return Some(format!("{rel_name}: the golden file is not JSON: {e}\n")),
        };
        let b: Value = serde_json::from_str(now).ok()?; // reported by check_expectation
        let mut changes = Vec::new();
        json_diff("$", &a, &b, &mut changes);
        if changes.is_empty() {
            return None;
        }
        let mut s = format!("{rel_name}: {} changed field(s)\n", changes.len());
        for c in changes.iter().take(MAX_JSON_CHANGES) {
            let _ = writeln!(s, "  {c}");
        }
        if changes.len() > MAX_JSON_CHANGES {
            let _ = writeln!(s, "  … and {} more", changes.len() - MAX_JSON_CHANGES);
        }
        Some(s)
    } else if recorded == now {
        None
    } else {
        Some(format!(
            "{rel_name}: differs (- recorded, + now)\n{}",
            text_diff(&recorded, now)
        ))
    }
}

/// Runs a case; returns its problems (empty when it matches), and in update mode writes
/// its files.
fn check(case: &Case, update: bool, tmp: &str) -> Vec<String> {
    let o = run(case, tmp);
    let mut problems = Vec::new();
    if update {
        let again = run(case, tmp);
        if again != o {
            problems.push(format!(
                "not deterministic: two runs printed different output (status {} / {}, \
                 stdout {} / {} bytes, stderr equal: {}); not recorded",
                o.status,
                again.status,
                o.stdout.len(),
                again.stdout.len(),
                o.stderr == again.stderr
            ));
            return problems;
        }
    }
    if let Some(p) = check_expectation(case, &o) {
        problems.push(p);
        if update {
            return problems;
        }
    }
    let files = [
        case.stdout_file()
            .map(|f| (f, o.stdout.clone(), case.out == Out::Json)),
        case.err_file().map(|f| (f, err_text(case, &o), false)),
    ];
    for (file, text, json) in files.into_iter().flatten() {
        if update {
            std::fs::create_dir_all(file.parent().expect("dir")).expect("mkdir");
            std::fs::write(&file, text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        } else if let Some(d) = compare(&file, json, &text) {
            problems.push(d);
        }
    }
    problems
}

#[test]
fn every_command_matches_its_golden_files() {
    let update = std::env::var_os("HEAPSCOPE_UPDATE_GOLDEN").is_some_and(|v| v == "1");
    let tmp = tmp_dir();
    write_inputs(&tmp);
    let tmp_str = tmp.to_string_lossy().into_owned();
    let cases = all_cases(&tmp).0;

    // Every case has its own files.
    let mut names: Vec<PathBuf> = cases
        .iter()
        .flat_map(|c| [c.stdout_file(), c.err_file()])
        .flatten()
        .collect();
    let n = names.len();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), n, "two cases write the same golden file");

    // The cases run in parallel (each is a process); the report keeps the cases' order.
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Vec<String>)>> = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(case) = cases.get(i) else { break };
                    let p = check(case, update, &tmp_str);
                    results.lock().expect("lock").push((i, p));
                }
            });
        }
    });
    let _ = std::fs::remove_dir_all(&tmp);
    let mut results = results.into_inner().expect("lock");
    results.sort_by_key(|r| r.0);
    assert_eq!(results.len(), cases.len(), "a case did not run");

    // Golden files no case produces.
    let mut stale = Vec::new();
    for dir in std::fs::read_dir(repo().join("tests/golden"))
        .into_iter()
        .flatten()
    {
        let dir = dir.expect("dir entry").path();
        for f in std::fs::read_dir(&dir).into_iter().flatten() {
            let f = f.expect("dir entry").path();
            if names.binary_search(&f).is_err() {
                stale.push(f);
            }
        }
    }

    let mut report = String::new();
    let mut failed = 0;
    for (i, problems) in &results {
        if problems.is_empty() {
            continue;
        }
        failed += 1;
        let _ = writeln!(report, "== {}", cases[*i].label());
        for p in problems {
            report += p;
            if !p.ends_with('\n') {
                report.push('\n');
            }
        }
        report.push('\n');
    }
    for f in &stale {
        if update {
            std::fs::remove_file(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        } else {
            let _ = writeln!(
                report,
                "== {}: no case produces this golden file (HEAPSCOPE_UPDATE_GOLDEN=1 deletes it)\n",
                rel(f)
            );
            failed += 1;
        }
    }
    assert!(
        report.is_empty(),
        "{failed} of {} golden cases failed{}:\n\n{report}",
        cases.len(),
        if update {
            " (nothing recorded for them)"
        } else {
            " (if the change is intended: HEAPSCOPE_UPDATE_GOLDEN=1 cargo test --release --test golden)"
        }
    );
    if update {
        eprintln!("recorded {} golden files for {} cases", n, cases.len());
    }
}

// The comparison itself, on small inputs.

#[test]
fn json_changes_are_listed_by_path() {
    let a = serde_json::json!({"suspects": [{"retained_bytes": 2345, "kind": "class"}],
                               "gone": 1, "list": [1, 2, 3]});
    let b = serde_json::json!({"suspects": [{"retained_bytes": 2400, "kind": "class"}],
                               "new key": true, "list": [1, 9, 2, 3]});
    let mut out = Vec::new();
    json_diff("$", &a, &b, &mut out);
    assert_eq!(
        out,
        [
            "$.gone: removed 1",
            "$.list[1]: added 9",
            "$.suspects[0].retained_bytes: 2345 -> 2400",
            "$[\"new key\"]: added true",
        ]
    );
}

#[test]
fn text_changes_are_shown_as_a_short_diff() {
    let a = "one\ntwo\nthree\nfour\nfive\nsix\n";
    let b = "one\ntwo\nTHREE\nfour\nfive\nsix\nseven\n";
    let d = text_diff(a, b);
    assert_eq!(
        d,
        "  @@ -1 +1 @@\n   one\n   two\n  -three\n  +THREE\n   four\n   five\n   six\n  +seven\n"
    );
}

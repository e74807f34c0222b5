//! Helpers shared by the integration tests: where the data is, and the JVM's own
//! histograms as truth.
#![allow(dead_code)]

use heapscope::analysis::histogram::Histogram;
use std::collections::HashMap;
use std::path::PathBuf;

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A file of `../shared/corpus/` (the real dumps from public test suites).
pub fn corpus(name: &str) -> PathBuf {
    let p = repo().join("../shared/corpus").join(name);
    assert!(
        p.exists(),
        "corpus file {} is missing: the tests read ../shared/corpus/ beside the repository",
        p.display()
    );
    p
}

/// A committed fixture of `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

/// The single fixture dumps, one per scenario and layout (the three `series` dumps are
/// `tests/compare.rs`'s).
pub const FIXTURES: [&str; 9] = [
    "basic.hprof",
    "basic_noccp.hprof",
    "basic_nocoops.hprof",
    "basic_parallel_gz.hprof.gz",
    "collections.hprof",
    "http_sessions.hprof",
    "secrets.hprof",
    "static_map_finalizer.hprof",
    "timer_finalizer.hprof",
];

/// The corpus dumps.
pub const CORPUS: [&str; 6] = [
    "hprof-32.bin",
    "hprof-64.bin",
    "oracle_jdk8_05_x64.hprof",
    "sun_jdk6_18_x32.hprof",
    "sun_jdk6_30_x64_compressedOops.hprof",
    "openjdk_jdk11_04_x64.hprof.gz",
];

/// Every fixture and corpus dump.
pub fn every_dump() -> Vec<PathBuf> {
    FIXTURES
        .iter()
        .map(|f| fixture(f))
        .chain(CORPUS.iter().map(|f| corpus(f)))
        .collect()
}

/// Reads a file whole.
pub fn read(p: &PathBuf) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// `bytes` as one gzip member (fast compression).
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use flate2::{Compression, write::GzEncoder};
    use std::io::Write;
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(bytes).expect("gzip");
    e.finish().expect("gzip")
}

/// Inflates gzip bytes (every member).
pub fn gunzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("gunzip");
    out
}

/// A dump's bytes, inflated when gzip.
pub fn plain(p: &PathBuf) -> Vec<u8> {
    let raw = read(p);
    if raw.starts_with(&[0x1f, 0x8b]) {
        gunzip(&raw)
    } else {
        raw
    }
}

/// The facts a fixture scenario recorded (counts the Java program knows).
pub fn facts(name: &str) -> serde_json::Value {
    let p = fixture(&format!("{name}.facts.json"));
    serde_json::from_slice(&read(&p)).expect("facts json")
}

/// JVM class names (`[Ljava.lang.String;`, `[[I`) in Java form.
///
/// This is deliberately not `heapscope::model::names::java_class_name`: it turns the
/// JVM's histogram (the independent truth the tests compare with) into names, so a bug in
/// the library's conversion must not be copied onto both sides of the comparison.
pub fn jvm_name(n: &str) -> String {
    let dims = n.bytes().take_while(|&c| c == b'[').count();
    if dims == 0 {
        return n.to_string();
    }
    let e = &n[dims..];
    let base = match e {
        "Z" => "boolean".to_string(),
        "C" => "char".to_string(),
        "F" => "float".to_string(),
        "D" => "double".to_string(),
        "B" => "byte".to_string(),
        "S" => "short".to_string(),
        "I" => "int".to_string(),
        "J" => "long".to_string(),
        _ => {
            // One `L` and one `;` (a class may be named `LFoo`).
            let e = e.strip_prefix('L').unwrap_or(e);
            e.strip_suffix(';').unwrap_or(e).to_string()
        }
    };
    format!("{base}{}", "[]".repeat(dims))
}

/// Parses a `jmap -histo` / `GC.class_histogram` table: name → (instances, bytes). Rows of
/// JVM metadata (`<methodKlass>`) are skipped; module suffixes are dropped. Several classes
/// of one name (several loaders) are summed.
pub fn jvm_histogram(p: &PathBuf) -> HashMap<String, (u64, u64)> {
    let text = String::from_utf8(read(p)).expect("utf8");
    let mut out: HashMap<String, (u64, u64)> = HashMap::new();
    for line in text.lines() {
        let mut parts: Vec<&str> = line.split_whitespace().collect();
        if parts.first().is_some_and(|p| p.ends_with(':')) {
            parts.remove(0);
        }
        if parts.len() < 3 {
            continue;
        }
        let (Ok(c), Ok(b)) = (parts[0].parse::<u64>(), parts[1].parse::<u64>()) else {
            continue;
        };
        if parts[2].starts_with('<') {
            continue;
        }
        let e = out.entry(jvm_name(parts[2])).or_default();
        e.0 += c;
        e.1 += b;
    }
    out
}

/// Our histogram by name (classes of one name summed).
pub fn by_name(h: &Histogram) -> HashMap<String, (u64, u64)> {
    let mut m: HashMap<String, (u64, u64)> = HashMap::new();
    for r in &h.classes {
        let e = m.entry(r.name.clone()).or_default();
        e.0 += r.instances;
        e.1 += r.shallow_bytes;
    }
    m
}

/// Outcome of comparing a histogram with the JVM's, as Eclipse MAT's tests do.
#[derive(Debug, Default)]
pub struct Comparison {
    /// Instance classes whose per-instance size equals the JVM's.
    pub instance_classes_exact: usize,
    /// Array classes with equal instance counts whose total bytes equal the JVM's.
    pub array_classes_exact: usize,
    /// Array classes skipped because the instance counts differ (taken at another time).
    pub arrays_count_differs: usize,
    /// JVM classes not in the dump.
    pub missing: usize,
    /// What disagreed.
    pub mismatches: Vec<String>,
}

/// Compares: every instance class must have the JVM's per-instance size; every array class
/// whose instance count agrees must have the JVM's total bytes. `java.lang.Class` is left
/// out (mirror sizes vary with statics; see the README).
pub fn compare(ours: &Histogram, jvm: &HashMap<String, (u64, u64)>) -> Comparison {
    let ours = by_name(ours);
    let mut c = Comparison::default();
    for (name, &(jc, jb)) in jvm {
        if name == "java.lang.Class" || jc == 0 {
            continue;
        }
        let Some(&(oc, ob)) = ours.get(name) else {
            c.missing += 1;
            continue;
        };
        if name.ends_with("[]") {
            if jc != oc {
                c.arrays_count_differs += 1;
            } else if jb == ob {
                c.array_classes_exact += 1;
            } else {
                c.mismatches
                    .push(format!("{name}: jvm {jc} × {jb} B, ours {oc} × {ob} B"));
            }
        } else if jb * oc == ob * jc {
            c.instance_classes_exact += 1;
        } else {
            c.mismatches.push(format!(
                "{name}: jvm {} B/instance, ours {} B/instance",
                jb as f64 / jc as f64,
                ob as f64 / oc as f64
            ));
        }
    }
    c.mismatches.sort();
    c
}

use heapscope::analysis::dominators_report::DomNode;
use heapscope::analysis::finalizers::FinalizerReport;
use heapscope::analysis::inspect::ObjectView;
use heapscope::analysis::paths::{PathOptions, PathTree};
use heapscope::analysis::refstats::RefKindStats;
use heapscope::analysis::summary::Summary;
use heapscope::analysis::suspects::SuspectsReport;
use heapscope::analysis::threads::ThreadView;
use heapscope::query::{ObjectId, Query, QueryError, Session};

/// The session's answers, typed, as the tests ask for them (each one [`Session::ask`]).
pub trait Ask {
    /// `Query::Summary`.
    fn summary(&mut self) -> Result<Summary, QueryError>;
    /// `Query::Histogram` (every row).
    fn histogram(&mut self) -> Result<Histogram, QueryError>;
    /// `Query::Finalizers`.
    fn finalizers(&mut self) -> Result<FinalizerReport, QueryError>;
    /// `Query::Suspects`.
    fn suspects(&mut self) -> Result<SuspectsReport, QueryError>;
    /// `Query::Threads`.
    fn threads(&mut self, max_locals: u32) -> Result<Vec<ThreadView>, QueryError>;
    /// `Query::References`.
    fn reference_stats(&mut self) -> Result<Vec<RefKindStats>, QueryError>;
    /// `Query::Inspect`.
    fn inspect(&mut self, id: u64, max_items: u32) -> Result<ObjectView, QueryError>;
    /// `Query::Instances`: the nodes and the count of all instances.
    fn biggest_instances(
        &mut self,
        class: &str,
        limit: u32,
    ) -> Result<(Vec<DomNode>, u64), QueryError>;
    /// `Query::Paths` to one object (the query takes `include_weak` of the options; the
    /// others must be the defaults).
    fn paths_to_object(&mut self, id: u64, opts: &PathOptions) -> Result<PathTree, QueryError>;
    /// `Query::Paths` to a class's instances (as `paths_to_object`).
    fn paths_to_class(&mut self, class: &str, opts: &PathOptions) -> Result<PathTree, QueryError>;
}

impl Ask for Session {
    fn summary(&mut self) -> Result<Summary, QueryError> {
        self.ask(&Query::Summary {})
    }
    fn histogram(&mut self) -> Result<Histogram, QueryError> {
        self.ask(&Query::Histogram {
            top: None,
            by_retained: false,
        })
    }
    fn finalizers(&mut self) -> Result<FinalizerReport, QueryError> {
        self.ask(&Query::Finalizers {})
    }
    fn suspects(&mut self) -> Result<SuspectsReport, QueryError> {
        self.ask(&Query::Suspects {})
    }
    fn threads(&mut self, max_locals: u32) -> Result<Vec<ThreadView>, QueryError> {
        self.ask::<heapscope::analysis::threads::Threads>(&Query::Threads { max_locals })
            .map(|t| t.threads)
    }
    fn reference_stats(&mut self) -> Result<Vec<RefKindStats>, QueryError> {
        self.ask::<heapscope::analysis::refstats::References>(&Query::References {})
            .map(|r| r.references)
    }
    fn inspect(&mut self, id: u64, max_items: u32) -> Result<ObjectView, QueryError> {
        self.ask(&Query::Inspect {
            object: ObjectId(id),
            max_items,
            offset: 0,
            referrers_offset: 0,
        })
    }
    fn biggest_instances(
        &mut self,
        class: &str,
        limit: u32,
    ) -> Result<(Vec<DomNode>, u64), QueryError> {
        self.ask::<heapscope::analysis::dominators_report::Instances>(&Query::Instances {
            class: class.into(),
            limit,
        })
        .map(|i| (i.nodes, i.total))
    }
    fn paths_to_object(&mut self, id: u64, opts: &PathOptions) -> Result<PathTree, QueryError> {
        assert_default_limits(opts);
        self.ask(&Query::Paths {
            object: Some(ObjectId(id)),
            class: None,
            include_weak: opts.include_weak,
        })
    }
    fn paths_to_class(&mut self, class: &str, opts: &PathOptions) -> Result<PathTree, QueryError> {
        assert_default_limits(opts);
        self.ask(&Query::Paths {
            object: None,
            class: Some(class.into()),
            include_weak: opts.include_weak,
        })
    }
}

fn assert_default_limits(opts: &PathOptions) {
    let d = PathOptions::default();
    assert_eq!(
        (opts.max_targets, opts.max_explore, opts.max_children),
        (d.max_targets, d.max_explore, d.max_children),
        "a query takes the default path limits"
    );
}

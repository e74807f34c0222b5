//! The references passes read on several threads (`--threads`) give exactly what one
//! thread gives: the CLI's `analyze --json` byte for byte on every fixture and corpus dump
//! (gzip ones included, which are read on one thread), and the library's graphs when the
//! dump is cut at every checkpoint and read a few bytes at a time.

mod common;
use common::*;
use heapscope::format::HprofError;
use heapscope::format::source::SharedSource;
use heapscope::graph::parallel::Parallel;
use heapscope::query::{Options, Query, Session, run_in_memory};
use std::path::PathBuf;
use std::process::Command;

fn analyze(path: &PathBuf, threads: &str) -> (Option<i32>, Vec<u8>) {
    let out = Command::new(env!("CARGO_BIN_EXE_heapscope"))
        .args(["analyze", "--json", "--threads", threads])
        .arg(path)
        .output()
        .expect("run heapscope");
    (out.status.code(), out.stdout)
}

#[test]
fn analyze_json_is_the_same_with_one_thread_and_four() {
    for dump in every_dump() {
        let (code1, one) = analyze(&dump, "1");
        let (code4, four) = analyze(&dump, "4");
        assert_eq!(code1, Some(0), "{}", dump.display());
        assert_eq!(code4, Some(0), "{}", dump.display());
        assert!(one.len() > 1000, "{}: a report", dump.display());
        assert!(
            one == four,
            "{}: --threads 4 differs from --threads 1",
            dump.display()
        );
    }
}

/// The bytes of a dump, read at most `max` at a time (so that every read ends inside a
/// record somewhere).
struct Sliced<'a> {
    bytes: &'a [u8],
    max: usize,
}

impl SharedSource for Sliced<'_> {
    fn read_shared(&self, offset: u64, buf: &mut [u8]) -> Result<usize, HprofError> {
        let n = buf.len().min(self.max);
        self.bytes
            .read_shared(offset, buf.get_mut(..n).expect("in range"))
    }
}

/// All of `bytes`, read as asked.
fn whole(bytes: &[u8]) -> Sliced<'_> {
    Sliced {
        bytes,
        max: usize::MAX,
    }
}

/// Runs a full analysis of `bytes`, passes 2 and 3 read by `how` from `src`; returns
/// whether they were read in parallel.
fn parallel_session(bytes: &[u8], src: &dyn SharedSource, how: Parallel) -> (Session, bool) {
    let mut s = Session::new(Options::default());
    s.set_source(Box::new(bytes.to_vec()));
    let mut parallel = true;
    while let Some(pass) = s.begin_pass() {
        let read = s
            .read_in_parallel(src, how, &mut |_| {})
            .expect("parallel pass");
        if pass.number > 1 {
            parallel &= read;
        } else {
            assert!(!read, "pass 1 is pushed");
        }
        if !read {
            s.push(bytes).expect("push");
        }
        s.end_pass().expect("end pass");
    }
    assert!(s.is_ready());
    (s, parallel)
}

fn report(s: &mut Session) -> String {
    let answer = s.query(&Query::Analyze { top: 50 }).expect("analyze");
    serde_json::to_string(&answer).expect("json")
}

#[test]
fn stretches_at_every_checkpoint_read_in_small_slices_give_the_same_graphs() {
    for dump in every_dump() {
        let name = dump.display().to_string();
        if name.ends_with(".gz") {
            continue;
        }
        let bytes = read(&dump);
        let mut one = Session::new(Options::default());
        run_in_memory(&mut one, &bytes, 1 << 20).expect("one thread");
        // A stretch per checkpoint (64 objects); reads of 4093 bytes end inside records.
        let src = Sliced {
            bytes: &bytes,
            max: 4093,
        };
        let how = Parallel {
            threads: 3,
            stretch_bytes: Some(1),
        };
        let (mut many, parallel) = parallel_session(&bytes, &src, how);
        assert!(parallel, "{name}: passes 2 and 3 read in parallel");
        let (h1, h2) = (one.heap().expect("heap"), many.heap().expect("heap"));
        assert!(h1.references > 1000, "{name}");
        assert_eq!(h1.references, h2.references, "{name}");
        let (r1, r2) = (&h1.dom.referrers, &h2.dom.referrers);
        assert_eq!(r1.offsets, r2.offsets, "{name}: reverse graph");
        assert_eq!(r1.len(), r2.len(), "{name}");
        assert!(
            (0..r1.len()).all(|i| r1.entries.get(i) == r2.entries.get(i)),
            "{name}: reverse graph entries"
        );
        assert_eq!(h1.dom.idom, h2.dom.idom, "{name}: dominators");
        for key in [
            "java.lang.ref.Reference.referent",
            "java.lang.ref.Reference.next",
        ] {
            assert_eq!(h1.captures.all(key), h2.captures.all(key), "{name}: {key}");
        }
        assert_eq!(
            format!("{:?}", h1.index.diagnostics.list()),
            format!("{:?}", h2.index.diagnostics.list()),
            "{name}: diagnostics"
        );
        assert_eq!(report(&mut one), report(&mut many), "{name}: report");
    }
}

#[test]
fn a_gzip_dump_and_one_thread_are_read_by_pushing() {
    let plain = read(&fixture("basic.hprof"));
    let (_, parallel) = parallel_session(&plain, &whole(&plain), Parallel::new(1));
    assert!(!parallel, "one thread: pushed");
    let gz = read(&fixture("basic_parallel_gz.hprof.gz"));
    let (_, parallel) = parallel_session(&gz, &whole(&gz), Parallel::new(4));
    assert!(!parallel, "gzip: pushed (inflating is sequential)");
}

#[test]
fn a_file_that_changed_between_passes_is_refused() {
    // Pass 1 reads the dump; passes 2 and 3 a copy with one object record's bytes changed
    // into another kind of record: the parallel pass reports it instead of a wrong graph.
    let bytes = read(&fixture("basic.hprof"));
    let mut changed = bytes.clone();
    let index = heapscope::model::index_bytes(&bytes, false).expect("index");
    let at = index.files.checkpoints[index.files.checkpoints.len() / 2] as usize;
    changed[at] = 0xEE; // not a sub-record tag
    let mut s = Session::new(Options::default());
    s.set_source(Box::new(bytes.clone()));
    s.begin_pass().expect("pass 1");
    s.push(&bytes).expect("push");
    s.end_pass().expect("pass 1 ends");
    s.begin_pass().expect("pass 2");
    let r = s.read_in_parallel(&whole(&changed), Parallel::new(2), &mut |_| {});
    let e = r.expect_err("the changed file is refused");
    let msg = e.to_string();
    let offset = msg
        .split("at offset ")
        .nth(1)
        .and_then(|r| r.split(':').next())
        .map(|n| n.replace(' ', ""));
    assert_eq!(offset, Some(at.to_string()), "{msg}");
    assert!(msg.contains("tag 0xEE"), "{msg}");
}

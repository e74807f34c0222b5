//! The passes read on several threads (`--threads`) give exactly what one thread gives:
//! the CLI's `summary --json`, `histogram --json` and `analyze --json` byte for byte on
//! every fixture and corpus dump (gzip ones included, which are read on one thread), and
//! the library's index and graphs when the dump is cut at every heap-dump record and
//! every checkpoint and read a few bytes at a time.

mod common;
use common::*;
use heapscope::format::HprofError;
use heapscope::format::source::SharedSource;
use heapscope::graph::parallel::Parallel;
use heapscope::query::{Options, Query, Session, run_in_memory};
use std::path::Path;
use std::process::Command;

fn run(command: &str, path: &Path, threads: &str) -> (Option<i32>, Vec<u8>) {
    let out = Command::new(env!("CARGO_BIN_EXE_heapscope"))
        .args([command, "--json", "--threads", threads])
        .arg(path)
        .output()
        .expect("run heapscope");
    (out.status.code(), out.stdout)
}

/// `command --json` gives the same bytes and exit status with one thread and four.
fn same_with_one_thread_and_four(command: &str, dump: &Path, status: i32) {
    let (code1, one) = run(command, dump, "1");
    let (code4, four) = run(command, dump, "4");
    assert_eq!(code1, Some(status), "{command} {}", dump.display());
    assert_eq!(code4, Some(status), "{command} {}", dump.display());
    assert!(one.len() > 500, "{command} {}: a report", dump.display());
    assert!(
        one == four,
        "{command} {}: --threads 4 differs from --threads 1",
        dump.display()
    );
}

#[test]
fn summary_histogram_and_analyze_json_are_the_same_with_one_thread_and_four() {
    for dump in every_dump() {
        for command in ["summary", "histogram", "analyze"] {
            same_with_one_thread_and_four(command, &dump, 0);
        }
    }
}

#[test]
fn damaged_dumps_are_the_same_with_one_thread_and_four() {
    // Cut short, and corrupt in the middle of a heap-dump record: pass 1 finds it on one
    // thread, as without threads, and the analysis reads what is before the damage.
    let bytes = read(&fixture("basic.hprof"));
    let index = heapscope::model::index_bytes(&bytes, false).expect("index");
    let at = index.files.checkpoints[index.files.checkpoints.len() / 2] as usize;
    let mut corrupt = bytes.clone();
    corrupt[at] = 0xEE; // not a sub-record tag
    let dir = std::env::temp_dir().join(format!("heapscope-threads-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for (name, dump) in [
        ("cut.hprof", &bytes[..bytes.len() * 2 / 3]),
        ("corrupt.hprof", &corrupt),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, dump).expect("write");
        for command in ["summary", "histogram", "analyze"] {
            same_with_one_thread_and_four(command, &path, 3);
        }
    }
    std::fs::remove_dir_all(&dir).expect("remove temp dir");
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

/// How the passes of a session were read.
#[derive(Debug, PartialEq, Eq)]
struct Read {
    /// Pass 1 on several threads.
    index: bool,
    /// Passes 2 and 3 on several threads.
    references: bool,
}

/// Runs a full analysis of `bytes`, the passes read by `how` from `src` where they can be;
/// returns which were.
fn parallel_session(bytes: &[u8], src: &dyn SharedSource, how: Parallel) -> (Session, Read) {
    let mut s = Session::new(Options::default());
    s.set_source(Box::new(bytes.to_vec()));
    let mut parallel = Read {
        index: false,
        references: true,
    };
    while let Some(pass) = s.begin_pass() {
        let read = s
            .read_in_parallel(src, how, &mut |_| {})
            .expect("parallel pass");
        if pass.number > 1 {
            parallel.references &= read;
        } else {
            parallel.index = read;
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

/// The dump `bytes` with its heap-dump records cut into records of at most `max` bytes of
/// sub-records (at least one each), of the same kind: a dump with many records, as JVMs
/// write large dumps, whatever the dump.
fn resegment(bytes: &[u8], max: usize) -> Vec<u8> {
    use heapscope::format::heap_dump::{Extent, class_dump::parse_class_dump, extent};
    let nul = bytes.iter().position(|&b| b == 0).expect("header");
    let id_size = bytes[nul + 4];
    let mut pos = nul + 13;
    let mut out = bytes[..pos].to_vec();
    while pos < bytes.len() {
        let tag = bytes[pos];
        let len = u32::from_be_bytes(bytes[pos + 5..pos + 9].try_into().expect("u4")) as usize;
        let body = &bytes[pos + 9..pos + 9 + len];
        if tag != 0x0C && tag != 0x1C {
            out.extend_from_slice(&bytes[pos..pos + 9 + len]);
            pos += 9 + len;
            continue;
        }
        let mut cuts = vec![0];
        let mut at = 0;
        while at < body.len() {
            let b = &body[at..];
            at += match extent(b, id_size).expect("sub-record") {
                Extent::Object { header, body } => header + body as usize,
                Extent::Other(n) => n as usize,
                Extent::ClassDump => {
                    let (rest, _) = parse_class_dump(id_size)(&b[1..]).expect("class dump");
                    b.len() - rest.len()
                }
                Extent::NeedMore => panic!("a sub-record past its record"),
            };
            if at - cuts.last().expect("a cut") > max || at == body.len() {
                cuts.push(at);
            }
        }
        for w in cuts.windows(2) {
            out.push(tag);
            out.extend_from_slice(&bytes[pos + 1..pos + 5]);
            out.extend_from_slice(&((w[1] - w[0]) as u32).to_be_bytes());
            out.extend_from_slice(&body[w[0]..w[1]]);
        }
        pos += 9 + len;
    }
    out
}

fn json(s: &mut Session, q: Query) -> String {
    serde_json::to_string(&s.query(&q).expect("query")).expect("json")
}

/// The same index from the passes read by `one` and by `many`: heap-dump records and
/// checkpoints (object records in file order), object IDs and classes in order, roots,
/// counts, and the summary and histogram as the CLI prints them.
fn same_index(one: &mut Session, many: &mut Session, name: &str) {
    let (i1, i2) = (
        &one.heap().expect("heap").index,
        &many.heap().expect("heap").index,
    );
    assert!(i1.files.segments.len() > 1, "{name}");
    assert_eq!(
        i1.files.segments, i2.files.segments,
        "{name}: heap-dump records"
    );
    assert_eq!(
        i1.files.checkpoints, i2.files.checkpoints,
        "{name}: checkpoints"
    );
    let (o1, o2) = (
        i1.objects.as_ref().expect("objects"),
        i2.objects.as_ref().expect("objects"),
    );
    assert_eq!(o1.len(), o2.len(), "{name}");
    assert!(
        (0..o1.len() as u32).all(|x| o1.ids.id_of(x) == o2.ids.id_of(x)
            && o1.class_of.get(x as usize) == o2.class_of.get(x as usize)
            && o1.size(x) == o2.size(x)),
        "{name}: objects in order"
    );
    assert_eq!(
        format!("{:?}", i1.roots),
        format!("{:?}", i2.roots),
        "{name}: roots"
    );
    assert_eq!(
        format!("{:?}", i1.counts),
        format!("{:?}", i2.counts),
        "{name}: counts"
    );
    for q in [
        Query::Summary {},
        Query::Histogram {
            top: None,
            by_retained: false,
        },
    ] {
        assert_eq!(json(one, q.clone()), json(many, q), "{name}");
    }
}

#[test]
fn stretches_at_every_record_and_checkpoint_read_in_small_slices_give_the_same_index_and_graphs() {
    for dump in every_dump() {
        let name = dump.display().to_string();
        if name.ends_with(".gz") {
            continue;
        }
        let file = read(&dump);
        // The dump as it is (the corpus dumps have one heap-dump record: pass 1 is then
        // pushed), and cut into records of 16 KiB.
        for (bytes, records) in [
            (file.clone(), "as is"),
            (resegment(&file, 16 << 10), "16 KiB"),
        ] {
            let name = format!("{name} ({records})");
            let mut one = Session::new(Options::default());
            run_in_memory(&mut one, &bytes, 1 << 20).expect("one thread");
            // A stretch per heap-dump record in pass 1, per checkpoint (64 objects) in
            // passes 2 and 3; reads of 4093 bytes end inside records.
            let src = Sliced {
                bytes: &bytes,
                max: 4093,
            };
            let how = Parallel {
                threads: 3,
                stretch_bytes: Some(1),
            };
            let (mut many, parallel) = parallel_session(&bytes, &src, how);
            let records = one.heap().expect("heap").index.files.segments.len();
            assert_eq!(
                parallel,
                Read {
                    index: records > 1,
                    references: true
                },
                "{name}: passes read in parallel"
            );
            if records > 1 {
                same_index(&mut one, &mut many, &name);
            }
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
}

#[test]
fn a_gzip_dump_and_one_thread_are_read_by_pushing() {
    let pushed = Read {
        index: false,
        references: false,
    };
    let plain = read(&fixture("basic.hprof"));
    let (_, parallel) = parallel_session(&plain, &whole(&plain), Parallel::new(1));
    assert_eq!(parallel, pushed, "one thread: pushed");
    let gz = read(&fixture("basic_parallel_gz.hprof.gz"));
    let (_, parallel) = parallel_session(&gz, &whole(&gz), Parallel::new(4));
    assert_eq!(parallel, pushed, "gzip: pushed (inflating is sequential)");
}

/// A file that gets shorter once `shrunk` is set: reads past `at` find its end.
struct Shrinking<'a> {
    bytes: &'a [u8],
    at: usize,
    shrunk: std::sync::atomic::AtomicBool,
}

impl SharedSource for Shrinking<'_> {
    fn read_shared(&self, offset: u64, buf: &mut [u8]) -> Result<usize, HprofError> {
        let shrunk = self.shrunk.load(std::sync::atomic::Ordering::Relaxed);
        let bytes = if shrunk {
            &self.bytes[..self.at]
        } else {
            self.bytes
        };
        bytes.read_shared(offset, buf)
    }
}

#[test]
fn a_file_that_gets_shorter_during_pass_one_is_refused() {
    // The file is whole when pass 1 walks its records, and loses its second half once the
    // first stretch is merged: a thread reading a stretch there finds the end of the file.
    let bytes = resegment(&read(&fixture("basic.hprof")), 16 << 10);
    let src = Shrinking {
        bytes: &bytes,
        at: bytes.len() / 2,
        shrunk: false.into(),
    };
    let how = Parallel {
        threads: 2,
        stretch_bytes: Some(1),
    };
    let mut s = Session::new(Options::default());
    s.begin_pass().expect("pass 1");
    let r = s.read_in_parallel(&src, how, &mut |_| {
        src.shrunk.store(true, std::sync::atomic::Ordering::Relaxed)
    });
    let e = r.expect_err("refused");
    assert!(
        e.to_string()
            .contains("the file got shorter while it was read"),
        "{e}"
    );
    let offset: u64 = e
        .to_string()
        .split("at offset ")
        .nth(1)
        .and_then(|r| r.split(':').next())
        .map(|n| n.replace(' ', ""))
        .expect("an offset")
        .parse()
        .expect("a number");
    assert!(offset >= src.at as u64, "{e}");
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

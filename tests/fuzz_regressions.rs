//! The fuzz targets' checks (`parse`, `analysis`), run by `cargo test`:
//! - every input the fuzzer found a bug with (`tests/fuzz_regressions/`) is replayed through
//!   the same check as the fuzz target (`tests/fuzz/src/parse.rs`, included below), and must now
//!   give the outcome recorded for it in `EXPECTED`;
//! - the fuzzer's seed inputs (tiny dumps built with `HprofWriter`, pieces of the fixtures,
//!   a corpus dump) pass the check too. With `HEAPSCOPE_FUZZ_SEEDS=DIR` set, this test also
//!   writes them to DIR: `tests/fuzz/run.sh` builds its seed corpus that way.
//!
//! The check includes the fuzz target's counting allocator: the measured runs are
//! serialized by `LOCK` so that the two tests' allocations do not mix.

#[path = "fuzz/src/analysis.rs"]
mod analysis;
#[path = "fuzz/src/counting_alloc.rs"]
mod counting_alloc;
#[path = "fuzz/src/parse.rs"]
mod parse;

mod common;
use common::*;
use heapscope::format::Visitor;
use heapscope::format::heap_dump::arrays::{ObjArrayHeader, PrimArrayHeader};
use heapscope::format::heap_dump::class_dump::ClassDump;
use heapscope::format::heap_dump::instance::Instance;
use heapscope::format::tags::{BasicType, SubTag, Tag};
use heapscope::format::writer::HprofWriter;
use std::sync::Mutex;

static LOCK: Mutex<()> = Mutex::new(());

/// Regression inputs and the outcome each gives now (`Outcome::describe`). Every file of
/// `tests/fuzz_regressions/` must be listed here and in its README; its name starts with
/// the fuzz target that found it (`parse-`, `analysis-`).
const EXPECTED: &[(&str, &str)] = &[
    (
        "parse-class-dump-past-segment.bin",
        "error: CLASS_DUMP at offset 85 runs past the end of its heap-dump segment",
    ),
    (
        "parse-not-hprof-sliced.bin",
        "error: not an HPROF heap dump at offset 0: unrecognized binary data (first bytes: 01 00 00)",
    ),
];

#[test]
fn fuzz_regressions_replay_cleanly() {
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let dir = repo().join("tests/fuzz_regressions");
    let readme = String::from_utf8(read(&dir.join("README.md"))).expect("utf8");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("tests/fuzz_regressions")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n != "README.md")
        .collect();
    files.sort();
    let listed: Vec<&str> = EXPECTED.iter().map(|(f, _)| *f).collect();
    assert_eq!(files, listed, "files vs EXPECTED");
    for (file, expected) in EXPECTED {
        assert!(
            readme.contains(&format!("`{file}`")),
            "{file} is not described in tests/fuzz_regressions/README.md"
        );
        let data = read(&dir.join(file));
        let got = match file.split('-').next() {
            Some("parse") => parse::check(&data).describe(),
            Some("analysis") => analysis::check(&data),
            _ => panic!("{file}: the name does not start with a fuzz target"),
        };
        assert_eq!(&got, expected, "{file}");
    }
}

/// Boundaries found by a pass over a dump: top-level records and heap objects (with their
/// IDs, class objects included).
#[derive(Default)]
struct Offsets {
    records: Vec<(Tag, u64, u32)>,
    objects: Vec<u64>,
    ids: Vec<(u64, u64)>,
    id_size: u8,
}

impl Visitor for Offsets {
    fn record(&mut self, tag: Tag, offset: u64, len: u32) {
        self.records.push((tag, offset, len));
    }
    fn class_dump(&mut self, offset: u64, r: &ClassDump) {
        self.objects.push(offset);
        self.ids.push((offset, r.id));
    }
    fn header(&mut self, h: &heapscope::format::Header) {
        self.id_size = h.id_size;
    }
    fn instance(&mut self, offset: u64, r: &Instance<'_>) {
        self.objects.push(offset);
        self.ids.push((offset, r.id));
    }
    fn obj_array(&mut self, offset: u64, r: &ObjArrayHeader) -> bool {
        self.objects.push(offset);
        self.ids.push((offset, r.id));
        false
    }
    fn prim_array(&mut self, offset: u64, r: &PrimArrayHeader) -> bool {
        self.objects.push(offset);
        self.ids.push((offset, r.id));
        false
    }
}

/// A small valid dump cut out of a real one: its header, its first non-heap records (up
/// to `records` bytes), and, in one HEAP_DUMP_SEGMENT, the sub-records of its first segment
/// in the byte ranges `windows` (relative to the segment body, moved to object
/// boundaries), a ROOT_UNKNOWN for every 8th object kept, class objects included, starting
/// with the first of each window (so that the full analysis has a graph to work on even in
/// a window of class dumps only), then HEAP_DUMP_END.
fn piece(bytes: &[u8], records: usize, windows: &[(f64, usize)]) -> Vec<u8> {
    let mut o = Offsets::default();
    let mut p = heapscope::format::StreamParser::new();
    p.push(bytes, &mut o).expect("fixture parses");
    let first = o.records.first().map_or(0, |r| r.1) as usize;
    let mut out = bytes[..first].to_vec();
    let heap = |t: Tag| t == Tag::HPROF_HEAP_DUMP || t == Tag::HPROF_HEAP_DUMP_SEGMENT;
    for &(tag, off, len) in &o.records {
        if heap(tag) || tag == Tag::HPROF_HEAP_DUMP_END || out.len() > records {
            continue;
        }
        out.extend_from_slice(&bytes[off as usize..off as usize + 9 + len as usize]);
    }
    let &(_, seg, len) = o
        .records
        .iter()
        .find(|r| heap(r.0))
        .expect("a heap segment");
    let (start, end) = (seg + 9, seg + 9 + u64::from(len));
    let bounds: Vec<u64> = o
        .objects
        .iter()
        .copied()
        .filter(|&x| x > start && x < end)
        .chain([end])
        .collect();
    let at = |x: u64| bounds[bounds.partition_point(|&b| b < x).min(bounds.len() - 1)];
    let mut body = Vec::new();
    for &(from, size) in windows {
        let a = if from == 0.0 {
            start
        } else {
            at(start + ((end - start) as f64 * from) as u64)
        };
        let b = at(a + size as u64);
        body.extend_from_slice(&bytes[a as usize..b as usize]);
        for &(_, id) in o.ids.iter().filter(|x| x.0 >= a && x.0 < b).step_by(8) {
            body.push(SubTag::HPROF_GC_ROOT_UNKNOWN.0);
            body.extend_from_slice(&id.to_be_bytes()[8 - usize::from(o.id_size)..]);
        }
    }
    out.push(Tag::HPROF_HEAP_DUMP_SEGMENT.0);
    out.extend_from_slice(&0u32.to_be_bytes());
    out.extend_from_slice(&(body.len() as u32).to_be_bytes());
    out.extend_from_slice(&body);
    out.extend_from_slice(&[Tag::HPROF_HEAP_DUMP_END.0, 0, 0, 0, 0, 0, 0, 0, 0]);
    out
}

/// A tiny dump with one of everything: strings, classes with fields and statics of every
/// type, instances, arrays of every element type, every root kind, frames and traces.
fn tiny(w: &mut HprofWriter) -> Vec<u8> {
    let types = [
        BasicType::OBJECT,
        BasicType::BOOLEAN,
        BasicType::CHAR,
        BasicType::FLOAT,
        BasicType::DOUBLE,
        BasicType::BYTE,
        BasicType::SHORT,
        BasicType::INT,
        BasicType::LONG,
    ];
    w.utf8(1, "java/lang/Object")
        .utf8(2, "Thing")
        .utf8(3, "[LThing;")
        .utf8(4, "f")
        .utf8(5, "main")
        .load_class(1, 0x100, 1)
        .load_class(2, 0x110, 2)
        .load_class(3, 0x120, 3)
        .frame(0x500, 5, 5, 5, 2, 42)
        .trace(1, 1, &[0x500])
        .start_thread(1, 0x1000, 1, 5);
    let fields: Vec<(u64, BasicType)> = types.iter().map(|&t| (4, t)).collect();
    let statics: Vec<(u64, BasicType, u64)> = types.iter().map(|&t| (4, t, 7)).collect();
    w.class_dump(0x100, 0, 0, 16, &[], &[])
        .class_dump(0x110, 0x100, 0, 64, &statics, &fields)
        .class_dump(0x120, 0x100, 0, 16, &[], &[]);
    let values: Vec<(BasicType, u64)> = types.iter().map(|&t| (t, 0x1000)).collect();
    let data = w.fields(&values);
    w.instance(0x1000, 0x110, &data)
        .instance(0x1080, 0x110, &data)
        .obj_array(0x1100, 0x120, &[0x1000, 0, 0x1080]);
    let mut id = 0x1200;
    for t in &types[1..] {
        let n = 3u32;
        let size = t.size_in_dump(w.id_size()).unwrap_or(1);
        w.prim_array(id, *t, n, &vec![0x5a; n as usize * usize::from(size)]);
        id += 0x40;
    }
    w.root_simple(SubTag::HPROF_GC_ROOT_UNKNOWN, 0x1000)
        .root_jni_global(0x1000, 0x9)
        .root_frame(SubTag::HPROF_GC_ROOT_JNI_LOCAL, 0x1000, 1, 0)
        .root_frame(SubTag::HPROF_GC_ROOT_JAVA_FRAME, 0x1080, 1, 0)
        .root_simple(SubTag::HPROF_GC_ROOT_STICKY_CLASS, 0x100)
        .root_simple(SubTag::HPROF_GC_ROOT_MONITOR_USED, 0x1080)
        .root_thread(0x1000, 1, 1);
    let mut b = Vec::new();
    w.push_id(&mut b, 0x1100);
    b.extend_from_slice(&1u32.to_be_bytes());
    let mut native = vec![SubTag::HPROF_GC_ROOT_NATIVE_STACK.0];
    native.extend_from_slice(&b);
    let mut block = vec![SubTag::HPROF_GC_ROOT_THREAD_BLOCK.0];
    block.extend_from_slice(&b);
    w.raw_sub(&native).raw_sub(&block).heap_dump_end();
    w.finish()
}

/// Android's 1.0.3 extensions: HEAP_DUMP_INFO, PRIMITIVE_ARRAY_NODATA, its root kinds.
fn android() -> Vec<u8> {
    let mut w = HprofWriter::with_format("JAVA PROFILE 1.0.3", 4, 0);
    w.utf8(1, "app")
        .utf8(2, "java/lang/Object")
        .load_class(1, 0x10, 2);
    w.class_dump(0x10, 0, 0, 8, &[], &[]);
    let mut info = vec![SubTag::HPROF_HEAP_DUMP_INFO.0];
    info.extend_from_slice(&0x41u32.to_be_bytes());
    w.push_id(&mut info, 1);
    w.raw_sub(&info).instance(0x100, 0x10, &[]);
    let mut nodata = vec![SubTag::HPROF_PRIMITIVE_ARRAY_NODATA_DUMP.0];
    w.push_id(&mut nodata, 0x200);
    nodata.extend_from_slice(&0u32.to_be_bytes());
    nodata.extend_from_slice(&1000u32.to_be_bytes());
    nodata.push(BasicType::INT.0);
    w.raw_sub(&nodata);
    for t in [0x89u8, 0x8A, 0x8B, 0x8C, 0x8D, 0x90] {
        w.root_simple(SubTag(t), 0x100);
    }
    w.root_frame(SubTag::HPROF_ROOT_JNI_MONITOR, 0x100, 1, 2);
    w.heap_dump_end();
    w.finish()
}

fn gzip(parts: &[&[u8]]) -> Vec<u8> {
    use flate2::{Compression, write::GzEncoder};
    use std::io::Write;
    let mut out = Vec::new();
    for p in parts {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(p).expect("gzip");
        out.extend(e.finish().expect("gzip"));
    }
    out
}

/// The seed inputs of the `parse` target, by file name.
fn seeds() -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = Vec::new();
    let t8 = tiny(&mut HprofWriter::new(8));
    let t4 = tiny(&mut HprofWriter::new(4));
    let mut w = HprofWriter::with_format("JAVA PROFILE 1.0.1", 4, 0);
    w.begin_heap(Tag::HPROF_HEAP_DUMP);
    let whole_heap = tiny(&mut w);
    v.push(("gzip-tiny".into(), gzip(&[&t4])));
    let (a, b) = t8.split_at(t8.len() / 2);
    v.push(("gzip-two-members".into(), gzip(&[a, b])));
    v.push(("tiny-id8".into(), t8));
    v.push(("tiny-id4".into(), t4));
    v.push(("tiny-heap-dump-1.0.1".into(), whole_heap));
    v.push(("android-1.0.3".into(), android()));
    let hprof32 = read(&corpus("hprof-32.bin"));
    v.push((
        "hprof-32-piece".into(),
        piece(&hprof32, 4096, &[(0.0, 8192)]),
    ));
    v.push(("hprof-32".into(), hprof32));
    for name in ["basic.hprof", "timer_finalizer.hprof", "basic_noccp.hprof"] {
        let bytes = read(&fixture(name));
        let stem = name.trim_end_matches(".hprof");
        v.push((
            format!("{stem}-start"),
            piece(&bytes, 8192, &[(0.0, 16384)]),
        ));
        v.push((
            format!("{stem}-middle"),
            piece(&bytes, 4096, &[(0.0, 8192), (0.5, 16384)]),
        ));
        v.push((format!("{stem}-prefix"), bytes[..4096].to_vec()));
    }
    let gz = read(&fixture("basic_parallel_gz.hprof.gz"));
    v.push(("basic_parallel_gz-prefix".into(), gz[..8192].to_vec()));
    v
}

#[test]
fn fuzz_seeds_pass_the_parse_check() {
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let seeds = seeds();
    for (name, data) in &seeds {
        let outcome = parse::check(data).describe();
        let full = analysis::check(data);
        eprintln!("{name}: {} bytes: {outcome}; {full}", data.len());
        // The prefixes are cut short; every other seed is a valid dump.
        for o in [&outcome, &full] {
            assert_eq!(
                o.starts_with("ok"),
                !name.ends_with("-prefix"),
                "{name}: {o}"
            );
        }
        // Every valid seed has GC roots (`piece` adds some in every window): the queries
        // on dominator children (the inspector, paths to an object) run on it.
        if !name.ends_with("-prefix") {
            let looked: usize = full
                .strip_suffix(" dominator children looked at")
                .and_then(|s| s.rsplit_once(", "))
                .and_then(|(_, n)| n.parse().ok())
                .unwrap_or_else(|| panic!("{name}: {full}"));
            assert!(looked > 0, "{name}: no object to inspect: {full}");
        }
    }
    if let Some(dir) = std::env::var_os("HEAPSCOPE_FUZZ_SEEDS") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("seed dir");
        for (name, data) in &seeds {
            std::fs::write(dir.join(name), data).expect("write seed");
        }
    }
}

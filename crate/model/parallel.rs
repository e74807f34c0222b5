//! Pass 1 on several threads (native builds only: the browser's build pushes the file
//! through the [`Indexer`], and this module is not compiled into it).
//!
//! The calling thread first walks the top-level record headers (9 bytes each, the bodies
//! of heap-dump records skipped) and checks that the file is whole: an HPROF header, every
//! record of a known kind and within the file, a heap dump, and HEAP_DUMP_END after
//! segments. In file order, the heap-dump records are grouped into stretches of whole
//! records of at least `stretch_bytes` (JVMs write records of about 1 MB, and no
//! sub-record crosses the end of its record); the records between them (strings, classes,
//! frames, traces) form runs. Each thread takes a stretch, reads it (`pread`) and parses
//! it into what the indexer reads of its sub-records (a `Piece`: the decoding, most of
//! the pass's own time); the calling thread reads the runs itself and hands the runs and
//! the pieces to the [`Indexer`] in file order: the calls, in the order, that pushing
//! the file makes, so the index, the histogram and the diagnostics are the same.
//!
//! Anything out of the ordinary (gzip, a file that is not HPROF, cut short, with an
//! unknown or oversized record or a single heap-dump record, a record that does not
//! parse) and the caller reads the pass on one thread, from the start: damaged dumps are
//! opened and reported as they always are. A file that gets shorter while it is read is
//! refused.
//!
//! Memory: each thread's read buffer (`READ_BYTES`), and the pieces of at most
//! `2 × threads` stretches read ahead of the merge: 32 bytes per object (`Obj`), plus
//! the class dumps and GC roots as parsed, at most [`MAX_PIECE_OBJECTS`] objects per piece.
//! The 1 GB benchmark dump has 70 bytes of file per object: a 1 MiB stretch's piece is
//! about 0.5 MiB, a few MiB in flight in all.

use super::hash::IdHashMap;
use super::index::Indexer;
use crate::format::header::parse_header;
use crate::format::heap_dump::arrays::{ObjArrayHeader, PrimArrayHeader};
use crate::format::heap_dump::class_dump::ClassDump;
use crate::format::heap_dump::instance::Instance;
use crate::format::heap_dump::roots::GcRoot;
use crate::format::primitives::u32_at;
use crate::format::source::{SharedSource, read_range};
use crate::format::stream::MAX_RECORD_BYTES;
use crate::format::tags::{BasicType, Tag};
use crate::format::{ErrorKind, Header, HprofError, StreamParser, Visitor};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::channel;
use std::sync::{Arc, Condvar, Mutex};

/// Bytes of heap-dump records per stretch when the caller does not say: a JVM's record
/// or two, small enough that the pieces in flight stay small.
pub const STRETCH_BYTES: u64 = 1 << 20;

/// Bytes a thread reads at a time.
const READ_BYTES: usize = 1 << 20;

/// Objects a piece may hold (32 MiB of `Obj`): a stretch with more (one huge heap-dump
/// record of small objects) sends the pass to one thread.
pub const MAX_PIECE_OBJECTS: usize = 1 << 20;

/// A top-level heap-dump record (HEAP_DUMP or HEAP_DUMP_SEGMENT).
#[derive(Clone, Copy, Debug)]
struct Segment {
    tag: Tag,
    /// File offset of its record header.
    start: u64,
    /// Body length.
    len: u32,
}

impl Segment {
    fn body(&self) -> (u64, u64) {
        let start = self.start + 9;
        (start, start + u64::from(self.len))
    }
}

/// A part of the file, in order: a run of other records, read by the calling thread, or
/// a stretch of heap-dump records (`segments[first..first + count]`), read by a thread.
#[derive(Clone, Copy, Debug)]
enum Job {
    Records { start: u64, end: u64 },
    Stretch { first: usize, count: usize },
}

impl Job {
    /// Where it ends in the file (for progress).
    fn end(&self, segments: &[Segment]) -> u64 {
        match *self {
            Job::Records { end, .. } => end,
            Job::Stretch { first, count } => segments
                .get((first + count).saturating_sub(1))
                .map_or(0, |s| s.body().1),
        }
    }
}

/// The file's layout, from the walk over its record headers.
struct Layout {
    header: Header,
    segments: Vec<Segment>,
    jobs: Vec<Job>,
}

/// A window of the file for the walk: record headers are read 64 KiB at a time.
struct Window<'a> {
    src: &'a dyn SharedSource,
    at: u64,
    buf: Vec<u8>,
    len: usize,
}

impl<'a> Window<'a> {
    fn new(src: &'a dyn SharedSource) -> Self {
        Window {
            src,
            at: 0,
            buf: vec![0; 64 << 10],
            len: 0,
        }
    }

    /// Up to `n` bytes (at most 64 KiB) at `at`: fewer only at the end of the file.
    fn get(&mut self, at: u64, n: usize) -> Result<&[u8], HprofError> {
        let inside = at >= self.at && at + n as u64 <= self.at + self.len as u64;
        if !inside {
            self.at = at;
            self.len = read_full(self.src, at, &mut self.buf)?;
        }
        let from = usize::try_from(at - self.at).unwrap_or(usize::MAX);
        let to = (from + n).min(self.len);
        Ok(self.buf.get(from..to).unwrap_or_default())
    }

    /// Whether the file has a byte at `at`.
    fn has(&mut self, at: u64) -> Result<bool, HprofError> {
        Ok(!self.get(at, 1)?.is_empty())
    }
}

/// Reads at `at` until `buf` is full or the file ends; returns the bytes read.
fn read_full(src: &dyn SharedSource, at: u64, buf: &mut [u8]) -> Result<usize, HprofError> {
    let mut done = 0;
    while let Some(rest) = buf.get_mut(done..).filter(|r| !r.is_empty()) {
        let n = src.read_shared(at + done as u64, rest)?;
        if n == 0 {
            break;
        }
        done += n;
    }
    Ok(done)
}

/// Walks the record headers of `src` (see the module doc); `None` when the file is not
/// one this module reads, has fewer than two stretches, or cannot be read (the pass is
/// then pushed, and says why it cannot be read as it always did).
fn walk(src: &dyn SharedSource, stretch_bytes: u64) -> Option<Layout> {
    walk_or_fail(src, stretch_bytes).ok().flatten()
}

fn walk_or_fail(src: &dyn SharedSource, stretch_bytes: u64) -> Result<Option<Layout>, HprofError> {
    let mut head = [0u8; 1024];
    let n = read_full(src, 0, &mut head)?;
    let head = head.get(..n).unwrap_or_default();
    if crate::format::gzip::is_gzip(head) {
        return Ok(None);
    }
    let Ok(Some((header, header_len))) = parse_header(head) else {
        return Ok(None);
    };
    let mut win = Window::new(src);
    let mut pos = header_len as u64;
    let mut segments: Vec<Segment> = Vec::new();
    let mut jobs = Vec::new();
    // The run or stretch being gathered: a run from its start, or a stretch from its first
    // segment with its bytes.
    let mut run: Option<u64> = None;
    let mut stretch: Option<(usize, u64)> = None;
    let mut segment_open = false;
    loop {
        let h = win.get(pos, 9)?;
        if h.is_empty() {
            break; // the end of the file, between records
        }
        let (Some(&t), true) = (h.first(), h.len() == 9) else {
            return Ok(None); // cut short
        };
        let tag = Tag(t);
        let len = u32_at(h, 5);
        let end = pos + 9 + u64::from(len);
        if len > 0 && !win.has(end - 1)? {
            return Ok(None); // cut short
        }
        if tag == Tag::HPROF_HEAP_DUMP || tag == Tag::HPROF_HEAP_DUMP_SEGMENT {
            if let Some(start) = run.take() {
                jobs.push(Job::Records { start, end: pos });
            }
            segments.push(Segment {
                tag,
                start: pos,
                len,
            });
            let (first, bytes) = stretch.get_or_insert((segments.len() - 1, 0));
            *bytes += u64::from(len);
            if *bytes >= stretch_bytes {
                let count = segments.len() - *first;
                jobs.push(Job::Stretch {
                    first: *first,
                    count,
                });
                stretch = None;
            }
            segment_open = tag == Tag::HPROF_HEAP_DUMP_SEGMENT;
        } else {
            let plain = if tag == Tag::HPROF_HEAP_DUMP_END {
                segment_open = false;
                len == 0
            } else {
                tag.name().is_some() && len <= MAX_RECORD_BYTES
            };
            if !plain {
                return Ok(None); // trailing data, an unknown or oversized record
            }
            if let Some((first, _)) = stretch.take() {
                jobs.push(Job::Stretch {
                    first,
                    count: segments.len() - first,
                });
            }
            run.get_or_insert(pos);
        }
        pos = end;
    }
    if let Some(start) = run {
        jobs.push(Job::Records { start, end: pos });
    }
    if let Some((first, _)) = stretch {
        jobs.push(Job::Stretch {
            first,
            count: segments.len() - first,
        });
    }
    let stretches = jobs
        .iter()
        .filter(|j| matches!(j, Job::Stretch { .. }))
        .count();
    if segments.is_empty() || segment_open || stretches < 2 {
        return Ok(None);
    }
    Ok(Some(Layout {
        header,
        segments,
        jobs,
    }))
}

/// What the indexer reads of an object record: 32 bytes.
#[derive(Clone, Copy, Debug)]
struct Obj {
    /// File offset of the record.
    offset: u64,
    id: u64,
    /// Class index when `resolved`, else class ID; for a primitive array, its element type.
    class: u64,
    /// Array length (0 for an instance).
    len: u32,
    kind: Kind,
    /// Whether `class` is the class index the class ID maps to.
    resolved: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Instance,
    ObjArray,
    PrimArray,
}

/// A sub-record other than an object, or the start of a heap-dump record, placed before
/// the object of a piece it precedes in the file.
#[derive(Debug)]
enum Other {
    Record(Segment),
    Root(GcRoot),
    Class(u64, Box<ClassDump>),
    Info(u32, u64),
}

/// What a thread parsed of a stretch: its objects in order, and the other items with the
/// number of objects before each.
#[derive(Debug, Default)]
struct Piece {
    objects: Vec<Obj>,
    others: Vec<(usize, Other)>,
}

/// Parses a stretch into its piece, looking class IDs up in `classes` (the indexer's
/// [`Indexer::class_ids`] as it was when the stretch began: an ID found there maps to the
/// same class when the piece is merged; one not found is looked up then).
struct Recorder<'a> {
    piece: Piece,
    classes: &'a IdHashMap<u64, u32>,
}

impl Recorder<'_> {
    #[inline]
    fn class(&self, id: u64) -> (u64, bool) {
        match self.classes.get(&id) {
            Some(&c) => (u64::from(c), true),
            None => (id, false),
        }
    }

    fn other(&mut self, o: Other) {
        self.piece.others.push((self.piece.objects.len(), o));
    }
}

impl Visitor for Recorder<'_> {
    fn gc_root(&mut self, r: &GcRoot) {
        self.other(Other::Root(*r));
    }

    fn class_dump(&mut self, offset: u64, r: &ClassDump) {
        self.other(Other::Class(offset, Box::new(r.clone())));
    }

    fn heap_dump_info(&mut self, heap_id: u32, name_id: u64) {
        self.other(Other::Info(heap_id, name_id));
    }

    fn instance(&mut self, offset: u64, r: &Instance<'_>) {
        let (class, resolved) = self.class(r.class_id);
        self.piece.objects.push(Obj {
            offset,
            id: r.id,
            class,
            len: 0,
            kind: Kind::Instance,
            resolved,
        });
    }

    fn obj_array(&mut self, offset: u64, r: &ObjArrayHeader) -> bool {
        let (class, resolved) = self.class(r.class_id);
        self.piece.objects.push(Obj {
            offset,
            id: r.id,
            class,
            len: r.length,
            kind: Kind::ObjArray,
            resolved,
        });
        false
    }

    fn prim_array(&mut self, offset: u64, r: &PrimArrayHeader) -> bool {
        self.piece.objects.push(Obj {
            offset,
            id: r.id,
            class: u64::from(r.elem.0),
            len: r.length,
            kind: Kind::PrimArray,
            resolved: false,
        });
        false
    }
}

impl Piece {
    /// Gives the piece to the indexer as the parser gave the records: the same calls in
    /// the same order (instances without their field data and stack serials, which the
    /// indexer does not read; objects whose class the thread looked up, with it).
    fn replay(&self, ix: &mut Indexer) {
        // The other items by position (not a `Peekable`, which moves the items about).
        let mut k = 0;
        let at = |k: usize| self.others.get(k).map_or(usize::MAX, |o| o.0);
        let mut next = at(0);
        for (i, o) in self.objects.iter().enumerate() {
            while next <= i {
                if let Some((_, other)) = self.others.get(k) {
                    give(other, ix);
                }
                k += 1;
                next = at(k);
            }
            match o.kind {
                Kind::Instance if o.resolved => ix.instance_of(o.offset, o.id, o.class as u32),
                Kind::ObjArray if o.resolved => {
                    ix.obj_array_of(o.offset, o.id, o.len, o.class as u32);
                }
                Kind::Instance => ix.instance(
                    o.offset,
                    &Instance {
                        id: o.id,
                        stack_serial: 0,
                        class_id: o.class,
                        data: &[],
                    },
                ),
                Kind::ObjArray => {
                    ix.obj_array(
                        o.offset,
                        &ObjArrayHeader {
                            id: o.id,
                            stack_serial: 0,
                            length: o.len,
                            class_id: o.class,
                        },
                    );
                }
                Kind::PrimArray => {
                    ix.prim_array(
                        o.offset,
                        &PrimArrayHeader {
                            id: o.id,
                            stack_serial: 0,
                            length: o.len,
                            elem: BasicType(o.class as u8),
                        },
                    );
                }
            }
        }
        for (_, other) in self.others.get(k..).unwrap_or_default() {
            give(other, ix);
        }
    }
}

fn give(other: &Other, ix: &mut Indexer) {
    match other {
        Other::Record(s) => ix.record(s.tag, s.start, s.len),
        Other::Root(r) => ix.gc_root(r),
        Other::Class(offset, c) => ix.class_dump(*offset, c),
        Other::Info(heap, name) => ix.heap_dump_info(*heap, *name),
    }
}

/// Why a stretch was not read.
enum Fail {
    /// It does not parse, or holds too many objects: the pass goes to one thread.
    OneThread,
    /// The file could not be read, or got shorter.
    Error(HprofError),
}

impl From<HprofError> for Fail {
    fn from(e: HprofError) -> Self {
        Fail::Error(e)
    }
}

fn shorter(at: u64) -> HprofError {
    HprofError::new(
        at,
        ErrorKind::Malformed {
            what: "file",
            detail: "the file got shorter while it was read",
        },
    )
}

/// Reads and parses the heap-dump records `segs`, looking class IDs up in `classes`.
fn read_stretch(
    segs: &[Segment],
    id_size: u8,
    classes: &IdHashMap<u64, u32>,
    src: &dyn SharedSource,
    buf: &mut [u8],
) -> Result<Piece, Fail> {
    let mut rec = Recorder {
        piece: Piece::default(),
        classes,
    };
    for s in segs {
        rec.other(Other::Record(*s));
        let (start, end) = s.body();
        let mut parser = StreamParser::resume_in_heap(start, end, id_size);
        let short = read_range(src, (start, end), buf, |chunk| {
            parser.push(chunk, &mut rec).map_err(|_| Fail::OneThread)?;
            if rec.piece.objects.len() > MAX_PIECE_OBJECTS {
                return Err(Fail::OneThread);
            }
            Ok(true)
        })?;
        if let Some(at) = short {
            return Err(Fail::Error(shorter(at)));
        }
        if !parser.at_item_boundary() || parser.position() != end {
            return Err(Fail::OneThread);
        }
    }
    Ok(rec.piece)
}

/// Reads the run of records from `start` to `end` into the indexer, on the calling
/// thread; `false` when they do not parse.
fn read_records(
    ix: &mut Indexer,
    (start, end): (u64, u64),
    id_size: u8,
    src: &dyn SharedSource,
    buf: &mut [u8],
) -> Result<bool, HprofError> {
    let mut parser = StreamParser::resume_in_records(start, id_size);
    let mut parsed = true;
    let short = read_range::<HprofError>(src, (start, end), buf, |chunk| {
        parsed = parser.push(chunk, ix).is_ok();
        Ok(parsed)
    })?;
    if let Some(at) = short {
        return Err(shorter(at));
    }
    Ok(parsed && parser.at_item_boundary() && parser.position() == end)
}

/// Pass 1 over `src` on `threads` threads (see the module doc), heap-dump records cut
/// into stretches of at least `stretch_bytes`: the indexer that pushing the whole file
/// to a new `Indexer::new(per_object)` would give, before its `finish`; `None` when the
/// pass must be pushed instead (one thread asked, or a file out of the ordinary).
/// `progress` is told the file offset read up to.
pub fn index(
    per_object: bool,
    src: &dyn SharedSource,
    threads: usize,
    stretch_bytes: u64,
    progress: &mut dyn FnMut(u64),
) -> Result<Option<Indexer>, HprofError> {
    if threads < 2 {
        return Ok(None);
    }
    let Some(layout) = walk(src, stretch_bytes.max(1)) else {
        return Ok(None);
    };
    let mut ix = Indexer::new(per_object);
    ix.header(&layout.header);
    let read = run(&layout, src, threads, &mut ix, progress)?;
    Ok(read.then_some(ix))
}

/// Reads the jobs of `layout` on `threads` threads and merges them into `ix` in file
/// order; `false` when a part did not parse (then `ix` holds a part of the file only).
fn run(
    layout: &Layout,
    src: &dyn SharedSource,
    threads: usize,
    ix: &mut Indexer,
    progress: &mut dyn FnMut(u64),
) -> Result<bool, HprofError> {
    let Layout {
        header,
        segments,
        jobs,
    } = layout;
    let id_size = header.id_size;
    // Pieces read ahead of the merge, at most.
    let window = 2 * threads;
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let merged = Mutex::new(0usize);
    let moved = Condvar::new();
    // The class IDs known to the indexer, for the threads to look up (a new copy whenever
    // the merge added some: while the class dumps are read, at the start).
    let classes = Mutex::new(Arc::new(ix.class_ids().clone()));
    let mut published = ix.class_ids().len();
    let (tx, rx) = channel::<(usize, Result<Piece, Fail>)>();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, stop, merged, moved, classes) = (&next, &stop, &merged, &moved, &classes);
            scope.spawn(move || {
                let mut buf = vec![0u8; READ_BYTES];
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    let Job::Stretch { first, count } = *job else {
                        continue; // the calling thread reads runs
                    };
                    {
                        let mut m = merged.lock().unwrap_or_else(|e| e.into_inner());
                        while i >= *m + window && !stop.load(Ordering::Relaxed) {
                            m = moved.wait(m).unwrap_or_else(|e| e.into_inner());
                        }
                    }
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let segs = segments.get(first..first + count).unwrap_or_default();
                    let known = Arc::clone(&classes.lock().unwrap_or_else(|e| e.into_inner()));
                    let r = read_stretch(segs, id_size, &known, src, &mut buf);
                    if tx.send((i, r)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let finish = |r: Result<bool, HprofError>| {
            stop.store(true, Ordering::Relaxed);
            let _guard = merged.lock().unwrap_or_else(|e| e.into_inner());
            moved.notify_all();
            r
        };
        let mut buf = vec![0u8; READ_BYTES];
        let mut waiting: BTreeMap<usize, Result<Piece, Fail>> = BTreeMap::new();
        for (want, job) in jobs.iter().enumerate() {
            match *job {
                Job::Records { start, end } => {
                    match read_records(ix, (start, end), id_size, src, &mut buf) {
                        Ok(true) => {}
                        r => return finish(r),
                    }
                }
                Job::Stretch { .. } => {
                    let piece = loop {
                        if let Some(r) = waiting.remove(&want) {
                            break r;
                        }
                        let Ok((i, r)) = rx.recv() else {
                            return finish(Err(HprofError::new(
                                0,
                                ErrorKind::Malformed {
                                    what: "file",
                                    detail: "a thread of the parallel pass stopped",
                                },
                            )));
                        };
                        waiting.insert(i, r);
                    };
                    match piece {
                        Ok(piece) => {
                            piece.replay(ix);
                            if ix.class_ids().len() != published {
                                published = ix.class_ids().len();
                                let copy = Arc::new(ix.class_ids().clone());
                                *classes.lock().unwrap_or_else(|e| e.into_inner()) = copy;
                            }
                        }
                        Err(Fail::OneThread) => return finish(Ok(false)),
                        Err(Fail::Error(e)) => return finish(Err(e)),
                    }
                }
            }
            progress(job.end(segments));
            let mut m = merged.lock().unwrap_or_else(|e| e.into_inner());
            *m = want + 1;
            moved.notify_all();
        }
        finish(Ok(true))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::tags::SubTag;
    use crate::format::writer::HprofWriter;
    use crate::model::index::Index;

    /// A dump whose heap-dump records are small (a few objects each), with records of other
    /// kinds between them, a class dumped after its instances, objects of a class without a
    /// dump, and GC roots among the objects: every path of the merge.
    fn dump() -> Vec<u8> {
        let mut w = HprofWriter::new(8);
        for (id, s) in [(1, "A"), (2, "B"), (3, "f"), (4, "C")] {
            w.utf8(id, s);
        }
        w.load_class(1, 0x100, 1).load_class(2, 0x200, 2);
        w.set_segment_limit(300);
        let long = BasicType::LONG;
        w.class_dump(0x100, 0, 0, 8, &[], &[(3, long)]).class_dump(
            0x200,
            0x100,
            0,
            16,
            &[],
            &[(3, long)],
        );
        let mut id = 0x10_000u64;
        for k in 0..400u64 {
            id += 16 + 8 * (k % 5);
            match k % 7 {
                0 => w.prim_array(
                    id,
                    BasicType::INT,
                    (k % 9) as u32,
                    &vec![0; 4 * (k % 9) as usize],
                ),
                1 => w.obj_array(id, 0x200, &[0x100, 0]),
                2 => w
                    .root_simple(SubTag::HPROF_GC_ROOT_STICKY_CLASS, 0x100)
                    .instance(id, 0x100, &[0; 8]),
                3 => w.instance(id, 0x300, &[]),
                _ => w.instance(id, 0x200, &[0; 16]),
            };
            if k == 150 {
                // Strings and a class between heap-dump records; the class dumped later.
                w.utf8(5, "D").load_class(3, 0x300, 4);
            }
            if k == 250 {
                w.class_dump(0x300, 0x100, 0, 8, &[], &[(3, long)]);
            }
        }
        w.heap_dump_end().finish()
    }

    /// A dump in memory, read as a file.
    struct Bytes<'a>(&'a [u8]);

    impl SharedSource for Bytes<'_> {
        fn read_shared(&self, offset: u64, buf: &mut [u8]) -> Result<usize, HprofError> {
            self.0.read_shared(offset, buf)
        }
    }

    /// Pushes `bytes` through an indexer as the single-threaded pass does.
    fn pushed(bytes: &[u8]) -> Index {
        crate::model::index_bytes(bytes, true).expect("pushed")
    }

    fn ids(index: &Index) -> Vec<Option<u64>> {
        let t = index.objects.as_ref().expect("objects");
        (0..t.class_of.len() as u32)
            .map(|i| t.ids.id_of(i))
            .collect()
    }

    #[test]
    fn the_pieces_reach_the_indexer_in_file_order() {
        let bytes = dump();
        let one = pushed(&bytes);
        let src = &Bytes(&bytes);
        for (threads, stretch) in [(2, 1), (3, 700), (4, 5000)] {
            let ix = index(true, src, threads, stretch, &mut |_| {})
                .expect("reads")
                .expect("read on several threads");
            let many = ix.finish().expect("finish");
            assert!(one.files.segments.len() > 20, "many heap-dump records");
            assert_eq!(one.files.segments, many.files.segments);
            // Object records in file order: the checkpoints (every 64th object's offset)
            // and the object IDs by index are the same.
            assert!(one.files.checkpoints.is_sorted());
            assert_eq!(one.files.checkpoints, many.files.checkpoints);
            assert_eq!(ids(&one), ids(&many));
            assert_eq!(format!("{:?}", one.roots), format!("{:?}", many.roots));
            assert_eq!(format!("{:?}", one.counts), format!("{:?}", many.counts));
            let list = |i: &Index| format!("{:?}", i.diagnostics.list());
            assert_eq!(list(&one), list(&many));
            assert!(
                list(&one).contains("class_dump_after_instances"),
                "{}",
                list(&one)
            );
            assert_eq!(one.stats.instances, many.stats.instances);
            assert_eq!(one.stats.ref_slots, many.stats.ref_slots);
            assert_eq!(one.model, many.model);
        }
    }

    #[test]
    fn a_file_out_of_the_ordinary_is_left_to_one_thread() {
        let bytes = dump();
        let read = |b: &[u8], threads| {
            index(true, &Bytes(b), threads, 1, &mut |_| {})
                .expect("no error")
                .is_some()
        };
        assert!(read(&bytes, 2));
        assert!(!read(&bytes, 1), "one thread");
        assert!(!read(&bytes[..bytes.len() - 40], 2), "cut short");
        let gz = {
            use std::io::Write;
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(&bytes).expect("gzip");
            e.finish().expect("gzip")
        };
        assert!(!read(&gz, 2), "gzip");
        // A sub-record tag in the middle changed into no tag: damaged, pushed.
        let one = pushed(&bytes);
        let at = one.files.checkpoints[one.files.checkpoints.len() / 2] as usize;
        let mut damaged = bytes.clone();
        damaged[at] = 0xEE;
        assert!(!read(&damaged, 2), "damaged");
    }
}

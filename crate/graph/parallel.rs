//! The references passes (2 and 3) on several threads (native builds only; the browser's
//! build reads every pass through [`Build::push`](super::build::Build::push), and this
//! module is not compiled into it).
//!
//! Pass 1 mapped the file ([`FileMap`]): where each heap-dump segment lies, and where every
//! 64th non-class object starts, so that the objects from there on have known numbers.
//! The object records between the segments' starts are cut at those checkpoints into
//! stretches of up to about [`STRETCH_BYTES`] (a large segment into many stretches, small
//! segments several to a stretch; a stretch may cross from one segment into the next).
//! Each thread reads a stretch of its own (`pread`), parses it, and resolves its
//! references: the ID lookups, and in pass 3 the preorder numbers, which are most of a
//! pass's time. The calling thread takes the stretches' results in file order and feeds
//! them to the pass's sink, so the graphs, the captured fields and the diagnostics are
//! exactly those of the single-threaded pass.
//!
//! Memory: each thread's read buffer ([`READ_BYTES`]), and the results of at most
//! `2 × threads` stretches waiting to be merged: per stretch, 4 bytes per object and per
//! reference, about a third of the stretch's size on the benchmark dumps (a few MiB in all).

use super::dominators::NONE;
use super::refs::{EdgeSink, RefInput, RefPass, RefState};
use crate::format::source::{SharedSource, read_range};
use crate::format::{ErrorKind, HprofError, StreamParser};
use crate::model::captures::Captures;
use crate::model::index::{CHECKPOINT_EVERY, FileMap};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::channel;
use std::sync::{Condvar, Mutex};

/// Bytes of the file per stretch, at most (a stretch ends at the first checkpoint past
/// them): large enough that merging a stretch costs little next to reading it.
pub const STRETCH_BYTES: u64 = 4 << 20;

/// Bytes per stretch, at least.
const MIN_STRETCH_BYTES: u64 = 64 << 10;

/// How the references passes are read on several threads.
#[derive(Clone, Copy, Debug)]
pub struct Parallel {
    /// Threads reading stretches (the calling thread merges their results).
    pub threads: usize,
    /// Bytes per stretch; `None`: the heap data's size over 32 stretches per thread,
    /// between 64 KiB and [`STRETCH_BYTES`] (a small dump is still cut into enough
    /// stretches to keep every thread busy).
    pub stretch_bytes: Option<u64>,
}

impl Parallel {
    /// `threads` threads, stretches sized by the dump.
    pub fn new(threads: usize) -> Self {
        Parallel {
            threads,
            stretch_bytes: None,
        }
    }

    /// Bytes per stretch for heap data of `heap_bytes`.
    pub fn stretch_for(&self, heap_bytes: u64) -> u64 {
        self.stretch_bytes.unwrap_or_else(|| {
            (heap_bytes / (self.threads.max(1) as u64 * 32)).clamp(MIN_STRETCH_BYTES, STRETCH_BYTES)
        })
    }
}

/// Bytes a thread reads at a time.
const READ_BYTES: usize = 1 << 20;

/// A part of the file read by one thread: from a checkpoint to the next stretch's, or to
/// the end of the last heap-dump segment.
#[derive(Clone, Copy, Debug)]
pub struct Stretch {
    /// File offset of its first object record.
    start: u64,
    /// Where the heap-dump segment holding `start` ends.
    segment_end: u64,
    /// File offset where the next stretch starts.
    end: u64,
    /// Index of its first object.
    first: u32,
    /// Objects in it (`None` for the last: the objects left).
    objects: Option<u32>,
}

/// Cuts the file mapped in `files` into stretches of at least `bytes` (see the module
/// doc); the first object of the first stretch is object `class_objects` (class objects
/// come first in the index, and are in no record). Empty when the file has no objects
/// outside classes, or a map that does not hold together (the caller then reads the pass
/// on one thread).
pub fn stretches(files: &FileMap, class_objects: u32, bytes: u64) -> Vec<Stretch> {
    let mut out: Vec<Stretch> = Vec::new();
    let Some(&(_, last_end)) = files.segments.last() else {
        return out;
    };
    let every = u64::from(CHECKPOINT_EVERY);
    let mut begin: Option<(usize, u64)> = None;
    for (j, &at) in files.checkpoints.iter().enumerate() {
        let Some((k, start)) = begin else {
            begin = Some((j, at));
            continue;
        };
        if at < start {
            return Vec::new();
        }
        if at - start >= bytes {
            let Some(s) = stretch(
                files,
                class_objects,
                k,
                start,
                at,
                Some((j - k) as u64 * every),
            ) else {
                return Vec::new();
            };
            out.push(s);
            begin = Some((j, at));
        }
    }
    if let Some((k, start)) = begin {
        match stretch(files, class_objects, k, start, last_end.max(start), None) {
            Some(s) => out.push(s),
            None => return Vec::new(),
        }
    }
    out
}

/// The stretch from checkpoint `k` (at `start`) to `end`.
fn stretch(
    files: &FileMap,
    class_objects: u32,
    k: usize,
    start: u64,
    end: u64,
    objects: Option<u64>,
) -> Option<Stretch> {
    let (_, segment_end) = files.segment_of(start)?;
    let first = u64::from(class_objects) + k as u64 * u64::from(CHECKPOINT_EVERY);
    Some(Stretch {
        start,
        segment_end,
        end,
        first: u32::try_from(first).ok()?,
        objects: match objects {
            Some(n) => Some(u32::try_from(n).ok()?),
            None => None,
        },
    })
}

/// What a thread found in one stretch: the references of its objects, in order.
pub struct Piece {
    /// Index of its first object.
    pub first: u32,
    /// Where each object's references start in `targets` (one per object).
    pub starts: Vec<u32>,
    /// The references (object indices; preorder numbers when the pass maps them, with
    /// those of unreachable objects left out).
    pub targets: Vec<u32>,
    /// Its references counted and its diagnostics, and the object after its last.
    pub state: RefState,
    /// Fields captured in it (pass 2).
    pub captures: Option<Captures>,
}

impl Piece {
    /// Calls `f(object, its references)` for every object of the stretch, in order.
    pub fn for_each(&self, mut f: impl FnMut(u32, &[u32])) {
        let n = self.starts.len();
        for (i, &s) in self.starts.iter().enumerate() {
            let e = if i + 1 < n {
                self.starts.get(i + 1).copied().unwrap_or(s)
            } else {
                self.targets.len() as u32
            };
            let refs = self.targets.get(s as usize..e as usize).unwrap_or(&[]);
            f(self.first + i as u32, refs);
        }
    }
}

/// Records a stretch's references (the sink of a thread's [`RefPass`]). With `pre`, maps
/// them to preorder numbers as [`super::dominators::ReverseSink`] does, leaving out those
/// from or to an unreachable object. 4 bytes per object and per reference.
struct Recorder<'a> {
    pre: Option<&'a [u32]>,
    from_unreachable: bool,
    starts: Vec<u32>,
    targets: Vec<u32>,
}

impl EdgeSink for Recorder<'_> {
    #[inline]
    fn object(&mut self, obj: u32) {
        self.starts.push(self.targets.len() as u32);
        if let Some(pre) = self.pre {
            self.from_unreachable = pre.get(obj as usize).is_none_or(|&p| p == NONE);
        }
    }

    #[inline]
    fn edge(&mut self, dst: u32) {
        match self.pre {
            None => self.targets.push(dst),
            Some(_) if self.from_unreachable => {}
            Some(pre) => {
                if let Some(&p) = pre.get(dst as usize)
                    && p != NONE
                {
                    self.targets.push(p);
                }
            }
        }
    }
}

fn changed(at: u64, detail: &'static str) -> HprofError {
    HprofError::new(
        at,
        ErrorKind::Malformed {
            what: "file",
            detail,
        },
    )
}

/// Reads and resolves one stretch.
fn read_stretch(
    s: &Stretch,
    input: RefInput<'_>,
    pre: Option<&[u32]>,
    captures: Option<&Captures>,
    src: &dyn SharedSource,
    buf: &mut [u8],
) -> Result<Piece, HprofError> {
    let id_size = input.index.header.id_size;
    let mut parser = StreamParser::resume_in_heap(s.start, s.segment_end, id_size);
    let mut state = RefState::starting_at(s.first);
    let mut sink = Recorder {
        pre,
        from_unreachable: false,
        starts: Vec::new(),
        targets: Vec::new(),
    };
    let mut captures = captures.map(Captures::empty_like);
    {
        let mut pass = RefPass::new(input, &mut state, &mut sink, captures.as_mut());
        let short = read_range::<HprofError>(src, (s.start, s.end), buf, |chunk| {
            parser.push(chunk, &mut pass)?;
            Ok(true)
        })?;
        if let Some(at) = short {
            return Err(changed(at, "the file is shorter than when it was indexed"));
        }
    }
    let met = state.next_object() - s.first;
    if !parser.at_item_boundary() || s.objects.is_some_and(|n| n != met) {
        return Err(changed(
            s.start,
            "the file changed between passes (object counts differ)",
        ));
    }
    let Recorder {
        starts, targets, ..
    } = sink;
    Ok(Piece {
        first: s.first,
        starts,
        targets,
        state,
        captures,
    })
}

/// Reads `stretches` of `src` on `threads` threads and gives their pieces to `merge` in
/// file order, on the calling thread. `pre` maps references as in pass 3; `captures`, the
/// fields pass 2 captures (each piece gets its own, to append). Stops at the first error in
/// file order, or the first `merge` fails with. `progress` is told the file offset merged
/// up to.
#[expect(clippy::too_many_arguments, reason = "one call site per pass")]
pub fn run(
    stretches: &[Stretch],
    input: RefInput<'_>,
    pre: Option<&[u32]>,
    captures: Option<&Captures>,
    src: &dyn SharedSource,
    threads: usize,
    mut merge: impl FnMut(Piece) -> Result<(), HprofError>,
    progress: &mut dyn FnMut(u64),
) -> Result<(), HprofError> {
    let threads = threads.max(1);
    // Pieces read ahead of the merge, at most.
    let window = 2 * threads;
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let merged = Mutex::new(0usize);
    let moved = Condvar::new();
    let (tx, rx) = channel::<(usize, Result<Piece, HprofError>)>();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, stop, merged, moved) = (&next, &stop, &merged, &moved);
            scope.spawn(move || {
                let mut buf = vec![0u8; READ_BYTES];
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(s) = stretches.get(i) else { break };
                    {
                        let mut m = merged.lock().unwrap_or_else(|e| e.into_inner());
                        while i >= *m + window && !stop.load(Ordering::Relaxed) {
                            m = moved.wait(m).unwrap_or_else(|e| e.into_inner());
                        }
                    }
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let r = read_stretch(s, input, pre, captures, src, &mut buf);
                    if tx.send((i, r)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let finish = |r: Result<(), HprofError>| {
            stop.store(true, Ordering::Relaxed);
            let _guard = merged.lock().unwrap_or_else(|e| e.into_inner());
            moved.notify_all();
            r
        };
        let mut waiting: BTreeMap<usize, Result<Piece, HprofError>> = BTreeMap::new();
        let mut want = 0usize;
        while want < stretches.len() {
            let Ok((i, r)) = rx.recv() else {
                return finish(Err(changed(0, "a thread of the parallel pass stopped")));
            };
            waiting.insert(i, r);
            while let Some(r) = waiting.remove(&want) {
                let r = r.and_then(&mut merge);
                if r.is_err() {
                    return finish(r);
                }
                if let Some(s) = stretches.get(want) {
                    progress(s.end);
                }
                want += 1;
                let mut m = merged.lock().unwrap_or_else(|e| e.into_inner());
                *m = want;
                moved.notify_all();
            }
        }
        finish(Ok(()))
    })
}

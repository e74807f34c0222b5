//! Threads: each thread object with its name, stack, and the objects its frames keep
//! alive (`ROOT_JAVA_FRAME` / `ROOT_JNI_LOCAL` roots), with retained sizes.
//!
//! HotSpot ties the pieces together by serial numbers: `ROOT_THREAD_OBJ` gives a thread
//! object, its thread serial and stack-trace serial; `TRACE` lists `FRAME`s; frame roots
//! name the thread serial and frame number.

use super::fields::THREAD_NAME;
use super::objects::{ObjRef, obj_ref, value_of};
use crate::format::ByteSource;
use crate::format::heap_dump::roots::RootKind;
use crate::graph::Heap;
use crate::model::roots::is_thread_local;
use crate::text::utf16_be;
use serde::Serialize;

/// The threads (`heapscope threads --json`).
#[derive(Clone, Debug, Serialize)]
pub struct Threads {
    /// Threads, by what they retain (their locals included), largest first, as MAT's
    /// thread overview.
    pub threads: Vec<ThreadView>,
}

/// One stack frame.
#[derive(Clone, Debug, Serialize)]
pub struct FrameView {
    /// `java.lang.Object.wait`.
    pub method: String,
    /// Source file, line (`Object.java:502`, `native`, `unknown`).
    pub location: String,
    /// Objects this frame holds (locals), largest retained first.
    pub locals: Vec<ObjRef>,
}

/// One thread.
#[derive(Clone, Debug, Serialize)]
pub struct ThreadView {
    /// Thread name (from `Thread.name`).
    pub name: String,
    /// The thread object.
    pub object: ObjRef,
    /// Stack, innermost frame first.
    pub frames: Vec<FrameView>,
    /// Objects held by the thread that no frame claims (JNI locals, unknown frames).
    pub other_locals: Vec<ObjRef>,
    /// What the thread's locals keep alive, each object once: the retained sizes of the
    /// locals the thread object dominates and no other of its locals dominates (their
    /// dominator subtrees are disjoint). A local that something else also holds keeps
    /// nothing alive on its own and adds nothing. Never more than the thread object's
    /// retained size, which includes it (the locals are references of the thread object).
    pub locals_retained_bytes: u64,
}

/// Text of a `java.lang.String` or a `char[]`/`byte[]` (thread names of old JDKs).
pub fn text(heap: &Heap, src: &mut dyn ByteSource, obj: u32) -> Option<String> {
    if let Ok(Some(s)) = value_of(heap, src, obj, 200) {
        return Some(s);
    }
    use crate::model::records::Record;
    let rec = super::objects::record(heap, src, obj, 200).ok()??;
    match rec {
        Record::PrimArray { elem, data, .. } if elem == crate::format::tags::BasicType::CHAR => {
            Some(utf16_be(&data))
        }
        _ => None,
    }
}

/// The name of a thread object.
pub fn thread_name(heap: &Heap, src: &mut dyn ByteSource, thread: u32) -> String {
    heap.captures
        .get_ref(THREAD_NAME, thread)
        .and_then(|n| text(heap, src, n))
        .unwrap_or_else(|| "<unnamed>".into())
}

fn frame_text(heap: &Heap, frame_id: u64) -> (String, String) {
    let idx = &heap.index;
    let Some(f) = idx.stacks.frames.get(&frame_id) else {
        return (format!("<frame 0x{frame_id:x}>"), "unknown".into());
    };
    let class = idx
        .classes
        .by_serial(f.class_serial)
        .map_or_else(|| "?".to_string(), |c| idx.classes.name(c).to_string());
    let method = idx.strings.get_or(f.method_name);
    let source = idx.strings.get(f.source_file).map(|s| s.into_owned());
    let location = match f.line {
        n if n > 0 => format!("{}:{n}", source.unwrap_or_else(|| "?".into())),
        -2 => "compiled".into(),
        -3 => "native".into(),
        _ => source.unwrap_or_else(|| "unknown".into()),
    };
    (format!("{class}.{method}"), location)
}

/// All threads with a `ROOT_THREAD_OBJ`, largest retained first.
pub fn threads(heap: &Heap, src: &mut dyn ByteSource, max_locals: usize) -> Vec<ThreadView> {
    threads_where(heap, src, max_locals, |_| true)
}

/// The threads whose thread object satisfies `keep`, largest retained first.
pub fn threads_where(
    heap: &Heap,
    src: &mut dyn ByteSource,
    max_locals: usize,
    keep: impl Fn(u32) -> bool,
) -> Vec<ThreadView> {
    let mut out = Vec::new();
    let mut owners = LocalOwners::new(heap);
    for r in heap
        .roots
        .records
        .iter()
        .filter(|r| r.kind == RootKind::ThreadObject && keep(r.object))
    {
        let serial = r.thread_serial;
        let trace = heap.index.stacks.traces.get(&r.frame);
        let mut frames: Vec<FrameView> = trace
            .map(|t| {
                t.frames
                    .iter()
                    .map(|&fid| {
                        let (method, location) = frame_text(heap, fid);
                        FrameView {
                            method,
                            location,
                            locals: Vec::new(),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut other: Vec<u32> = Vec::new();
        let mut per_frame: Vec<Vec<u32>> = vec![Vec::new(); frames.len()];
        for l in heap.roots.records.iter().filter(|l| {
            l.thread_serial == serial
                && serial != 0
                && matches!(l.kind, RootKind::JavaFrame | RootKind::JniLocal)
        }) {
            match per_frame.get_mut(l.frame as usize) {
                Some(v) => v.push(l.object),
                None => other.push(l.object),
            }
        }
        let mut total = 0u64;
        let mut seen = std::collections::HashSet::new();
        for (f, objs) in frames.iter_mut().zip(per_frame.iter_mut()) {
            objs.sort_by_key(|&o| std::cmp::Reverse(heap.retained(o)));
            objs.dedup();
            for &o in objs.iter() {
                if seen.insert(o) && owners.kept_by(heap, o) == Some(r.object) {
                    total += heap.retained(o);
                }
            }
            f.locals = objs
                .iter()
                .take(max_locals)
                .map(|&o| obj_ref(heap, src, o))
                .collect();
        }
        other.sort_by_key(|&o| std::cmp::Reverse(heap.retained(o)));
        other.dedup();
        for &o in &other {
            if seen.insert(o) && owners.kept_by(heap, o) == Some(r.object) {
                total += heap.retained(o);
            }
        }
        out.push(ThreadView {
            name: thread_name(heap, src, r.object),
            object: obj_ref(heap, src, r.object),
            frames,
            other_locals: other
                .iter()
                .take(max_locals)
                .map(|&o| obj_ref(heap, src, o))
                .collect(),
            locals_retained_bytes: total,
        });
    }
    out.sort_by(|a, b| {
        b.object
            .retained_bytes
            .cmp(&a.object.retained_bytes)
            .then_with(|| b.locals_retained_bytes.cmp(&a.locals_retained_bytes))
            .then_with(|| a.name.cmp(&b.name))
    });
    out
}

/// Which thread object a local keeps its retained size for: walking up the dominator tree
/// from the local, the first thread object or local met. A thread object: the local's
/// subtree is the thread's and no other local's; another local (whose subtree holds this
/// one), or the super-root (something besides the thread holds it): none.
///
/// Walks are remembered per object passed (8 bytes each, about 40 with the map's
/// overhead), so each dominator-tree node is walked over once whatever the number of
/// locals and threads; nothing is kept after the threads are listed.
struct LocalOwners {
    /// Thread objects and every thread's locals: where a walk stops.
    stops: std::collections::HashSet<u32>,
    threads: std::collections::HashSet<u32>,
    /// Object → the stop above it (`u32::MAX`: the super-root).
    above: crate::model::hash::IdHashMap<u32, u32>,
}

impl LocalOwners {
    fn new(heap: &Heap) -> Self {
        let threads: std::collections::HashSet<u32> = heap
            .roots
            .records
            .iter()
            .filter(|r| r.kind == RootKind::ThreadObject)
            .map(|r| r.object)
            .collect();
        let mut stops = threads.clone();
        stops.extend(
            heap.roots
                .records
                .iter()
                .filter(|r| r.thread_serial != 0 && is_thread_local(r.kind))
                .map(|r| r.object),
        );
        LocalOwners {
            stops,
            threads,
            above: Default::default(),
        }
    }

    /// The stop strictly above `obj` in the dominator tree (`None`: the super-root).
    fn stop_above(&mut self, heap: &Heap, obj: u32) -> Option<u32> {
        let mut passed = Vec::new();
        let mut x = heap.idom(obj);
        let found = loop {
            let Some(at) = x else { break u32::MAX };
            if self.stops.contains(&at) {
                break at;
            }
            if let Some(&known) = self.above.get(&at) {
                break known;
            }
            passed.push(at);
            x = heap.idom(at);
        };
        for p in passed {
            self.above.insert(p, found);
        }
        (found != u32::MAX).then_some(found)
    }

    /// The thread object whose locals' retained size includes `local`'s, if any.
    fn kept_by(&mut self, heap: &Heap, local: u32) -> Option<u32> {
        self.stop_above(heap, local)
            .filter(|t| self.threads.contains(t))
    }
}

/// If `obj` is held by a thread's frame (a `ROOT_JAVA_FRAME` or `ROOT_JNI_LOCAL` root, or
/// another root kind tied to a thread: [`is_thread_local`]), that thread object and the
/// frame's method.
pub fn local_of(heap: &Heap, obj: u32) -> Option<(u32, Option<String>)> {
    let root = heap
        .roots
        .records
        .iter()
        .find(|r| r.object == obj && r.thread_serial != 0 && is_thread_local(r.kind))?;
    let thread = heap
        .roots
        .records
        .iter()
        .find(|t| t.kind == RootKind::ThreadObject && t.thread_serial == root.thread_serial)?;
    let method = heap
        .index
        .stacks
        .traces
        .get(&thread.frame)
        .and_then(|t| t.frames.get(root.frame as usize))
        .map(|&fid| frame_text(heap, fid).0);
    Some((thread.object, method))
}

//! GC roots resolved to objects, and the set the dominator tree starts from.
//!
//! As Eclipse MAT does (`HprofParserHandlerImpl.addGCRoot`), a root held by a thread —
//! a Java frame local, JNI local, native stack, thread-block or JNI monitor root whose
//! thread object is in the dump — is not a root of its own: it becomes a reference from the thread object
//! (`<Java local>`), so that a thread retains what its frames hold. The root records stay
//! available for display.

use super::diagnostics::Diagnostics;
use super::hash::{IdHashMap, IdHashSet};
use super::index::Index;
use super::refs::Resolver;
use crate::format::heap_dump::roots::{GcRoot, RootKind};

/// A GC root resolved to an object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Root {
    /// The rooted object.
    pub object: u32,
    /// Its kind.
    pub kind: RootKind,
    /// Thread serial (0 if none).
    pub thread_serial: u32,
    /// Frame number / stack depth / trace serial (`u32::MAX` if none).
    pub frame: u32,
}

/// The resolved roots.
#[derive(Clone, Debug, Default)]
pub struct RootSet {
    /// Every root record that names an object of the dump.
    pub records: Vec<Root>,
    /// The objects the dominator tree's super-root points to, each once.
    pub dominator_roots: Vec<u32>,
    /// Thread objects and the objects their frames hold (references `<Java local>`), by
    /// ascending thread: the references pass meets threads in this order, and queries find
    /// one by binary search ([`RootSet::locals_of`]). 4 bytes per held object, 32 per thread.
    pub locals: Vec<(u32, Vec<u32>)>,
    /// One bit per class object (object index = class index): set when the class object
    /// is among `dominator_roots` (a system class, say). The graphs leave out the
    /// instance → class references into such a class (see `graph::refs`).
    pub root_classes: Vec<u64>,
}

impl RootSet {
    /// The objects thread object `thread`'s frames hold (empty for other objects).
    pub fn locals_of(&self, thread: u32) -> &[u32] {
        self.locals
            .binary_search_by_key(&thread, |&(t, _)| t)
            .ok()
            .and_then(|i| self.locals.get(i))
            .map_or(&[], |(_, held)| held.as_slice())
    }

    /// The root records that name `obj`.
    pub fn of(&self, obj: u32) -> impl Iterator<Item = &Root> {
        self.records.iter().filter(move |r| r.object == obj)
    }
}

/// Whether a root kind is tied to a thread's stack.
pub fn is_thread_local(kind: RootKind) -> bool {
    matches!(
        kind,
        RootKind::JavaFrame
            | RootKind::JniLocal
            | RootKind::NativeStack
            | RootKind::ThreadBlock
            | RootKind::JniMonitor
    )
}

/// Resolves the index's root records; counts those naming IDs outside the dump.
pub fn resolve(index: &Index, diags: &mut Diagnostics) -> RootSet {
    let Some(objects) = index.objects.as_ref() else {
        return RootSet::default();
    };
    let r = Resolver::new(objects, &index.classes);
    let mut roots = Vec::with_capacity(index.roots.len());
    for g in &index.roots {
        let GcRoot {
            kind,
            object_id,
            thread_serial,
            frame,
        } = *g;
        match r.resolve(object_id) {
            Some(object) => roots.push(Root {
                object,
                kind,
                thread_serial,
                frame,
            }),
            None => diags.bump("root_to_missing_object", None),
        }
    }
    let threads: IdHashMap<u32, u32> = roots
        .iter()
        .filter(|x| x.kind == RootKind::ThreadObject && x.thread_serial != 0)
        .map(|x| (x.thread_serial, x.object))
        .collect();
    let mut locals: IdHashMap<u32, Vec<u32>> = IdHashMap::default();
    // (thread, object) pairs already in `locals`, so that each list keeps an object once.
    let mut held: IdHashSet<u64> = IdHashSet::default();
    let mut dominator_roots = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for x in &roots {
        if !x.kind.is_strong() {
            continue;
        }
        let thread = threads
            .get(&x.thread_serial)
            .copied()
            .filter(|_| is_thread_local(x.kind));
        match thread {
            Some(t) if t != x.object => {
                if held.insert((u64::from(t) << 32) | u64::from(x.object)) {
                    locals.entry(t).or_default().push(x.object);
                }
            }
            _ => {
                if seen.insert(x.object) {
                    dominator_roots.push(x.object);
                }
            }
        }
    }
    let class_objects = index.classes.object_count;
    let mut root_classes = super::bits::empty(class_objects as usize);
    for &o in &dominator_roots {
        if o < class_objects {
            super::bits::set(&mut root_classes, o);
        }
    }
    let mut locals: Vec<(u32, Vec<u32>)> = locals.into_iter().collect();
    locals.sort_unstable_by_key(|&(t, _)| t);
    RootSet {
        records: roots,
        dominator_roots,
        locals,
        root_classes,
    }
}

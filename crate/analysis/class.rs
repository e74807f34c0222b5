//! A class's page (`heapscope class NAME`): for every class of that name (several class
//! loaders may each define one), its instances, shallow and retained sizes as the
//! histogram has them, the class object, the superclass chain, the class loader, the
//! static fields with their values, and the direct subclasses.
//!
//! Also the selection the set-based queries (retained set, immediate dominators) start
//! from: every object of a class, as the histogram counts them ([`objects_of`]).

use super::inspect::{FieldView, statics};
use super::objects::{ObjRef, obj_ref_plain};
use crate::format::ByteSource;
use crate::graph::Heap;
use crate::model::classes::ClassKind;
use crate::model::hash::IdHashMap;
use crate::model::index::class_bytes;
use crate::text::hex_id;
use serde::Serialize;

/// Every object whose class is one of `classes` (class indices), in object order: the
/// instances the histogram counts, so for `java.lang.Class` the class objects. One pass
/// over the object table; a byte per class, 4 B per object selected.
pub fn objects_of(heap: &Heap, classes: &[u32]) -> Vec<u32> {
    if classes.is_empty() {
        return Vec::new();
    }
    let wanted = class_set(heap, classes);
    let class_of = &heap.objects().class_of;
    (0..heap.object_count() as u32)
        .filter(|&x| {
            class_of
                .get(x as usize)
                .is_some_and(|c| wanted.get(c as usize).copied().unwrap_or(false))
        })
        .collect()
}

/// `classes` as one flag per class of the table.
fn class_set(heap: &Heap, classes: &[u32]) -> Vec<bool> {
    let mut wanted = vec![false; heap.index.classes.len()];
    for &c in classes {
        if let Some(w) = wanted.get_mut(c as usize) {
            *w = true;
        }
    }
    wanted
}

/// A class named, with its class object.
#[derive(Clone, Debug, Serialize)]
pub struct ClassName {
    /// Java name.
    pub name: String,
    /// The class object's ID (absent: the dump has no class object for it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
}

/// A direct subclass.
#[derive(Clone, Debug, Serialize)]
pub struct Subclass {
    /// The subclass.
    #[serde(flatten)]
    pub class: ClassName,
    /// Its instances (not its own subclasses').
    pub instances: u64,
}

/// One class of the name asked for.
#[derive(Clone, Debug, Serialize)]
pub struct ClassEntry {
    /// Java name.
    pub name: String,
    /// `instance`, `object array` or `primitive array`: what its instances are.
    pub kind: &'static str,
    /// The class object (`class Name`: its shallow size holds the static fields, its
    /// retained size what the class object alone keeps alive); absent when the dump has
    /// none for this class.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class_object: Option<ObjRef>,
    /// Instances (as the histogram counts them: for `java.lang.Class`, the class objects).
    pub instances: u64,
    /// Their shallow bytes (the histogram's).
    pub shallow_bytes: u64,
    /// The histogram's retained bytes: the retained sizes of the instances no other
    /// instance dominates (Eclipse MAT's minimum retained size, a lower bound of the
    /// precise retained size that `retained-set` computes).
    pub retained_bytes: u64,
    /// Bytes per instance (instance classes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_size: Option<u64>,
    /// Superclasses, nearest first (`java.lang.Object` last).
    pub superclasses: Vec<ClassName>,
    /// The class loader (absent: the bootstrap loader, ID 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class_loader: Option<ObjRef>,
    /// Static fields with their values, as the inspector shows a class object's.
    pub statics: Vec<FieldView>,
    /// Direct subclasses, by name.
    pub subclasses: Vec<Subclass>,
}

/// `heapscope class --json`.
#[derive(Clone, Debug, Serialize)]
pub struct ClassReport {
    /// The name asked for.
    pub name: String,
    /// Every class of that name, in dump order (empty: the dump has none).
    pub classes: Vec<ClassEntry>,
}

fn class_name(heap: &Heap, c: u32) -> ClassName {
    let info = heap.index.classes.get(c);
    ClassName {
        name: heap.index.classes.name(c).to_string(),
        object: info.filter(|i| i.dumped).map(|i| hex_id(i.id)),
    }
}

/// The page of the classes named `name`. Reads the records of the objects the statics
/// refer to (for strings' text); one pass over the class table for the subclasses.
pub fn class_report(heap: &Heap, src: &mut dyn ByteSource, name: &str) -> ClassReport {
    let table = &heap.index.classes;
    let named = table.by_name(name);
    // Direct subclasses of each class of the name, in one pass over the class table.
    let wanted = class_set(heap, named);
    let mut subclasses_of: IdHashMap<u32, Vec<Subclass>> = IdHashMap::default();
    for (i, s) in table.classes.iter().enumerate() {
        if let Some(sup) = s.super_index
            && wanted.get(sup as usize).copied().unwrap_or(false)
        {
            subclasses_of.entry(sup).or_default().push(Subclass {
                class: class_name(heap, i as u32),
                instances: heap.index.counts.get(i).map_or(0, |k| k.count),
            });
        }
    }
    let mut classes = Vec::new();
    for &c in named {
        let Some(info) = table.get(c) else {
            continue;
        };
        let counts = heap.index.counts.get(c as usize);
        let has_object = info.dumped && c < table.object_count;
        let mut subclasses = subclasses_of.remove(&c).unwrap_or_default();
        subclasses.sort_by(|a, b| a.class.name.cmp(&b.class.name));
        let class_loader = match info.loader_id {
            0 => None,
            id => Some(match heap.object_by_id(id) {
                Some(o) => obj_ref_plain(heap, o),
                None => ObjRef {
                    object: hex_id(id),
                    class: "<not in the dump>".into(),
                    shallow_bytes: 0,
                    retained_bytes: 0,
                    value: None,
                },
            }),
        };
        classes.push(ClassEntry {
            name: info.name.clone(),
            kind: match info.kind {
                ClassKind::Instance => "instance",
                ClassKind::ObjArray => "object array",
                ClassKind::PrimArray(_) => "primitive array",
            },
            class_object: has_object.then(|| obj_ref_plain(heap, c)),
            instances: counts.map_or(0, |k| k.count),
            shallow_bytes: counts.map_or(0, |k| class_bytes(&heap.index.model, info, k)),
            retained_bytes: heap.class_retained.get(c as usize).copied().unwrap_or(0),
            instance_size: (!info.is_array()).then_some(info.instance_size),
            superclasses: table
                .hierarchy(c)
                .skip(1)
                .map(|s| class_name(heap, s))
                .collect(),
            class_loader,
            statics: if has_object {
                statics(heap, src, c)
            } else {
                Vec::new()
            },
            subclasses,
        });
    }
    ClassReport {
        name: name.to_string(),
        classes,
    }
}

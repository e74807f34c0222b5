//! Class loaders (Eclipse MAT's "Class Loader Explorer") and the classes several loaders
//! define (MAT's "Duplicate Classes").
//!
//! A loader is every object some class names as its loader, and every instance of a
//! `java.lang.ClassLoader` subclass (one that defined nothing too); the bootstrap loader
//! (ID 0) is one row without an object. A loader's classes are the dumped classes whose
//! loader it is (array classes included, as HotSpot records them); their instances are
//! counted as the histogram counts them. Its retained figures: the loader object's own
//! retained size, and `defined_retained_bytes` — what the loader's classes (their class
//! objects) and all their instances keep alive together as far as the dominator tree shows
//! it: the retained sizes of those objects that no other one of them dominates (MAT's
//! "minimum retained size" of that set; what several of them share with other objects is
//! not in it).
//!
//! A duplicate class is a class name that several loaders define. For each copy: its class
//! object, loader, instances, and what keeps it alive — the shortest path from a GC root to
//! the class object (the paths analysis's, weak references and Finalizer links not
//! followed): a copy a leaked instance keeps is reached through that instance.
//!
//! Memory while the query runs: 4 bytes per class (its loader's row), and the walk of the
//! dominator tree (8 bytes per reachable object for its child lists, 1 bit per object for
//! its result); nothing per object is kept after it answers.

use super::objects::{ObjRef, instance_fields, obj_ref_plain, record, value_of};
use super::paths::{PathNode, PathOptions, PathStep, merged_paths};
use crate::format::tags::BasicType;
use crate::format::{ByteSource, HprofError};
use crate::graph::Heap;
use crate::graph::dominators::class_tops_in;
use crate::model::classes::ClassKind;
use crate::model::hash::IdHashMap;
use crate::model::index::class_bytes;
use crate::model::records::Record;
use crate::text::hex_id;
use serde::Serialize;
use std::cmp::Reverse;
use std::collections::HashMap;

/// Characters of a loader's name shown.
const MAX_NAME_CHARS: usize = 200;

/// `heapscope classloaders --json`.
#[derive(Clone, Debug, Serialize)]
pub struct ClassLoaders {
    /// Every class loader, the bootstrap loader included; most classes first.
    pub loaders: Vec<LoaderRow>,
    /// Dumped classes (of every loader).
    pub classes: u64,
    /// Class names several loaders define, most copies first, then by name.
    pub duplicate_classes: Vec<DuplicateClass>,
}

/// One class loader.
#[derive(Clone, Debug, Serialize)]
pub struct LoaderRow {
    /// The loader object (its class, shallow and retained size); absent for the bootstrap
    /// loader.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loader: Option<ObjRef>,
    /// What the row is called: the loader's `name` field (JDK 9+) when it has one,
    /// `<bootstrap>` for the bootstrap loader, else absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Classes it defines.
    pub classes: u64,
    /// Instances of those classes.
    pub instances: u64,
    /// Their shallow bytes.
    pub instances_shallow_bytes: u64,
    /// What its class objects and their instances keep alive together (see the module
    /// documentation).
    pub defined_retained_bytes: u64,
}

/// A class name several loaders define.
#[derive(Clone, Debug, Serialize)]
pub struct DuplicateClass {
    /// The Java name.
    pub name: String,
    /// Every class of that name, in dump order.
    pub copies: Vec<ClassCopy>,
}

/// One class of a duplicated name.
#[derive(Clone, Debug, Serialize)]
pub struct ClassCopy {
    /// The class object.
    pub class_object: ObjRef,
    /// Its loader (absent: the bootstrap loader).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loader: Option<ObjRef>,
    /// The loader's `name` field, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loader_name: Option<String>,
    /// Instances of this class.
    pub instances: u64,
    /// The shortest path from a GC root to the class object, root first (empty when the
    /// class object is unreachable, or the search hit its limit).
    pub path: Vec<PathStep>,
}

/// The loader's `name` field (a String), read from its record.
fn loader_name(
    heap: &Heap,
    src: &mut dyn ByteSource,
    obj: u32,
) -> Result<Option<String>, HprofError> {
    let Some(Record::Instance { data, .. }) = record(heap, src, obj, 0)? else {
        return Ok(None);
    };
    let name = instance_fields(heap, obj, &data)
        .into_iter()
        .find(|f| f.1 == "name" && f.2 == BasicType::OBJECT)
        .and_then(|f| heap.object_by_id(f.3));
    match name {
        Some(s) => value_of(heap, src, s, MAX_NAME_CHARS),
        None => Ok(None),
    }
}

/// The path from a GC root to `target`, flattened.
fn path_to(
    heap: &Heap,
    src: &mut dyn ByteSource,
    target: u32,
) -> Result<Vec<PathStep>, HprofError> {
    let tree = merged_paths(heap, src, &[target], &PathOptions::default())?;
    let mut out = Vec::new();
    let mut next: Option<PathNode> = tree.roots.into_iter().next();
    while let Some(n) = next {
        out.push(n.step);
        next = n.children.into_iter().next();
    }
    Ok(out)
}

/// Every class loader with what it defines, and the duplicate classes.
pub fn class_loaders(heap: &Heap, src: &mut dyn ByteSource) -> Result<ClassLoaders, HprofError> {
    let table = &heap.index.classes;
    // Rows: 0 the bootstrap loader, then each loader object by ID.
    let mut row_of_id: IdHashMap<u64, u32> = IdHashMap::default();
    let mut ids: Vec<u64> = vec![0];
    row_of_id.insert(0, 0);
    let mut row = |id: u64, ids: &mut Vec<u64>| -> u32 {
        *row_of_id.entry(id).or_insert_with(|| {
            ids.push(id);
            ids.len() as u32 - 1
        })
    };
    // Per class: its loader's row (4 bytes per class).
    let mut loader_row: Vec<u32> = Vec::with_capacity(table.len());
    for c in &table.classes {
        let r = if c.dumped {
            row(c.loader_id, &mut ids)
        } else {
            0
        };
        loader_row.push(r);
    }
    // Loaders that defined nothing: instances of ClassLoader subclasses.
    let is_loader_class = table.subclasses_of_name("java.lang.ClassLoader");
    let loader_classes: Vec<u32> = is_loader_class
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b)
        .map(|(i, _)| i as u32)
        .collect();
    for x in super::class::objects_of(heap, &loader_classes) {
        row(heap.id_of(x), &mut ids);
    }
    let rows = ids.len();

    let mut classes = vec![0u64; rows];
    let mut instances = vec![0u64; rows];
    let mut shallow = vec![0u64; rows];
    for (c, info) in table.classes.iter().enumerate() {
        if !info.dumped {
            continue;
        }
        let r = loader_row.get(c).copied().unwrap_or(0) as usize;
        let k = heap.index.counts.get(c);
        if let Some(n) = classes.get_mut(r) {
            *n += 1;
        }
        if let (Some(n), Some(k)) = (instances.get_mut(r), k) {
            *n += k.count;
        }
        if let (Some(n), Some(k)) = (shallow.get_mut(r), k) {
            *n += class_bytes(&heap.index.model, info, k);
        }
    }

    // What each loader's class objects and instances keep alive: the objects no other
    // object of the same loader dominates, summed.
    let first = table.object_count;
    let dom = &heap.dom;
    let group = |p: u32| -> u32 {
        let Some(&x) = dom.vertex.get(p as usize) else {
            return u32::MAX;
        };
        let c = if x < first { x } else { heap.class_of(x) };
        loader_row.get(c as usize).copied().unwrap_or(u32::MAX)
    };
    let (tops, _) = class_tops_in(&dom.idom, group, rows, Vec::new());
    let mut defined = vec![0u64; rows];
    for p in crate::model::bits::ones(&tops) {
        if p != 0
            && let Some(d) = defined.get_mut(group(p) as usize)
        {
            *d += dom.retained.get(p);
        }
    }
    drop(tops);

    let mut loaders = Vec::with_capacity(rows);
    let mut names: Vec<Option<String>> = Vec::with_capacity(rows);
    let mut refs: Vec<Option<ObjRef>> = Vec::with_capacity(rows);
    for (r, &id) in ids.iter().enumerate() {
        let (loader, name) = if id == 0 {
            (None, Some("<bootstrap>".to_string()))
        } else {
            match heap.object_by_id(id) {
                Some(o) => (Some(obj_ref_plain(heap, o)), loader_name(heap, src, o)?),
                None => (
                    Some(ObjRef {
                        object: hex_id(id),
                        class: "<not in the dump>".into(),
                        shallow_bytes: 0,
                        retained_bytes: 0,
                        value: None,
                    }),
                    None,
                ),
            }
        };
        names.push(if id == 0 { None } else { name.clone() });
        refs.push(loader.clone());
        loaders.push(LoaderRow {
            loader,
            name,
            classes: classes.get(r).copied().unwrap_or(0),
            instances: instances.get(r).copied().unwrap_or(0),
            instances_shallow_bytes: shallow.get(r).copied().unwrap_or(0),
            defined_retained_bytes: defined.get(r).copied().unwrap_or(0),
        });
    }

    // Duplicate classes: a name dumped by more than one loader.
    let mut by_name: HashMap<&str, Vec<u32>> = HashMap::new();
    for (c, info) in table.classes.iter().enumerate() {
        if info.dumped && (c as u32) < first && matches!(info.kind, ClassKind::Instance) {
            by_name
                .entry(info.name.as_str())
                .or_default()
                .push(c as u32);
        }
    }
    let mut dups: Vec<(&str, Vec<u32>)> = by_name
        .into_iter()
        .filter(|(_, cs)| {
            let mut rs: Vec<u32> = cs
                .iter()
                .filter_map(|&c| loader_row.get(c as usize).copied())
                .collect();
            rs.sort_unstable();
            rs.dedup();
            rs.len() > 1
        })
        .collect();
    dups.sort_by(|a, b| (Reverse(a.1.len()), a.0).cmp(&(Reverse(b.1.len()), b.0)));
    let mut duplicate_classes = Vec::with_capacity(dups.len());
    for (name, cs) in dups {
        let mut copies = Vec::with_capacity(cs.len());
        for c in cs {
            let r = loader_row.get(c as usize).copied().unwrap_or(0) as usize;
            copies.push(ClassCopy {
                class_object: obj_ref_plain(heap, c),
                loader: refs.get(r).cloned().flatten(),
                loader_name: names.get(r).cloned().flatten(),
                instances: heap.index.counts.get(c as usize).map_or(0, |k| k.count),
                path: path_to(heap, src, c)?,
            });
        }
        duplicate_classes.push(DuplicateClass {
            name: name.to_string(),
            copies,
        });
    }

    loaders.sort_by(|a, b| {
        (Reverse(a.classes), Reverse(a.defined_retained_bytes))
            .cmp(&(Reverse(b.classes), Reverse(b.defined_retained_bytes)))
    });
    Ok(ClassLoaders {
        loaders,
        classes: classes.iter().sum(),
        duplicate_classes,
    })
}

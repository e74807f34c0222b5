//! Leak suspects, as Eclipse MAT's automatic report finds them:
//!
//! - a single object whose retained size is more than [`THRESHOLD`] of the reachable heap;
//! - all instances of a class retaining more than that together, when no single instance
//!   does (many small holders of one kind);
//!
//! each with its **accumulation point** — going down the dominator tree from the suspect
//! along the biggest child while that child keeps at least 80 % of its parent's retained
//! size; where the retained set fans out (an array, a map's table) is where the objects
//! accumulate — and the shortest path from a GC root to it. The Finalizer finding joins
//! when Finalizers and their referents are a notable share of the heap.
//!
//! **One leak, one suspect.** A class suspect has no accumulation point of its own (its
//! instances have no single holder: a point found below one of them would name one
//! instance as where "the memory accumulates"); its path leads to its biggest instance.
//! A class suspect whose class is among the Finalizer finding's referents, and an object
//! suspect that is the Finalizer holder's object or has its accumulation point, are the
//! same leak told twice: they are folded into the Finalizer suspect (`merged`), which
//! names the holder.

use super::dominator_groups::{ClassSum, dominated_by_class};
use super::finalizers::FinalizerReport;
use super::objects::{ObjRef, obj_ref, obj_ref_plain};
use super::paths::{Exclusions, FieldNamer, MAX_EXPLORE, shortest_path};
use crate::format::{ByteSource, HprofError};
use crate::graph::Heap;
use crate::text::{group_digits, human_bytes, parse_hex_id};
use serde::Serialize;
use std::collections::HashMap;

/// A suspect retains more than this share of the reachable heap.
pub const THRESHOLD: f64 = 0.10;

/// The Finalizer finding joins when Finalizers plus referents retain this share.
pub const FINALIZER_SHARE: f64 = 0.05;

/// Classes listed in a suspect's `accumulated_by_class`.
pub const ACCUMULATED_CLASSES: usize = 10;

/// A step of a path from a GC root.
#[derive(Clone, Debug, Serialize)]
pub struct PathStep {
    /// The object.
    pub object: ObjRef,
    /// Field of the previous step that refers to it (`None` at the root).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// One suspect.
#[derive(Clone, Debug, Serialize)]
pub struct Suspect {
    /// `object`, `class` or `finalizer`.
    pub kind: &'static str,
    /// One-sentence description.
    pub description: String,
    /// Retained bytes.
    pub retained_bytes: u64,
    /// Share of the reachable heap.
    pub heap_share: f64,
    /// The suspect object (for `object`), or the biggest instance (for `class`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<ObjRef>,
    /// The class (for `class`) and the instance count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// Instances (for `class`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instances: Option<u64>,
    /// Where the retained set fans out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accumulation_point: Option<ObjRef>,
    /// The objects the accumulation point immediately dominates, grouped by class, largest
    /// retained first (the first [`ACCUMULATED_CLASSES`]); empty without a point.
    pub accumulated_by_class: Vec<ClassSum>,
    /// Shortest path from a GC root to the suspect object.
    pub path_from_root: Vec<PathStep>,
    /// Suspects found by another rule that are this same leak (their descriptions),
    /// folded into this one.
    pub merged: Vec<String>,
}

/// The report.
#[derive(Clone, Debug, Serialize)]
pub struct SuspectsReport {
    /// Reachable heap bytes.
    pub reachable_bytes: u64,
    /// The threshold used (share of the reachable heap).
    pub threshold: f64,
    /// The share of the reachable heap Finalizers and their referents need to retain to be
    /// a finding (a suspect of kind `finalizer`).
    pub finalizer_threshold: f64,
    /// The suspects, biggest first.
    pub suspects: Vec<Suspect>,
}

/// The biggest dominator-tree child of every vertex retaining at least `min` bytes, in one
/// pass over `idom` (preorder numbers), so that walking down a chain of any depth costs
/// one step per level.
pub fn biggest_children(heap: &Heap, min: u64) -> HashMap<u32, u32> {
    let dom = &heap.dom;
    let mut big: HashMap<u32, u32> = HashMap::new();
    for (w, &d) in dom.idom.iter().enumerate().skip(1) {
        if d == 0 || dom.retained.get(d) < min {
            continue;
        }
        let w = w as u32;
        let e = big.entry(d).or_insert(w);
        if dom.retained.get(w) > dom.retained.get(*e) {
            *e = w;
        }
    }
    big
}

/// Follows the biggest dominator-tree child while it keeps ≥ 80 % of its parent.
pub fn accumulation_point(heap: &Heap, big: &HashMap<u32, u32>, obj: u32) -> u32 {
    let Some(mut cur) = heap.pre(obj) else {
        return obj;
    };
    // Bounded by the tree depth; each step goes one level down.
    while let Some(&b) = big.get(&cur) {
        if (heap.dom.retained.get(b) as f64) < 0.8 * heap.dom.retained.get(cur) as f64 {
            break;
        }
        cur = b;
    }
    heap.dom.vertex.get(cur as usize).copied().unwrap_or(obj)
}

/// The shortest path from a GC root to `obj`, with field names.
pub fn root_path(
    heap: &Heap,
    src: &mut dyn ByteSource,
    obj: u32,
) -> Result<Vec<PathStep>, HprofError> {
    let ex = Exclusions::new(heap, false);
    let path = shortest_path(heap, &ex, obj, MAX_EXPLORE, None)
        .or_else(|| shortest_path(heap, &Exclusions::new(heap, true), obj, MAX_EXPLORE, None))
        .unwrap_or_default();
    let mut names = FieldNamer::default();
    let mut out = Vec::with_capacity(path.len());
    for (i, &o) in path.iter().enumerate() {
        let field = match i.checked_sub(1).and_then(|j| path.get(j)) {
            Some(&p) => Some(names.name(heap, src, p, o)?),
            None => None,
        };
        out.push(PathStep {
            object: obj_ref(heap, src, o),
            field,
        });
    }
    Ok(out)
}

/// Folds the suspects that are the Finalizer finding's leak into it (see the module
/// documentation); the Finalizer suspect is `out`'s last.
fn fold_into_finalizer(mut out: Vec<Suspect>, f: &FinalizerReport) -> Vec<Suspect> {
    let Some(mut fin) = out.pop() else {
        return out;
    };
    let referent_classes: std::collections::HashSet<&str> = f
        .referents_by_class
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    let holder = f.holders.first();
    let same_leak = |s: &Suspect| match s.kind {
        "class" => s
            .class
            .as_deref()
            .is_some_and(|c| referent_classes.contains(c)),
        "object" => holder.is_some_and(|h| {
            s.object.as_ref().map(|o| &o.object) == Some(&h.holder.object)
                || s.accumulation_point.as_ref().map(|p| &p.object)
                    == Some(&h.accumulation_point.object)
        }),
        _ => false,
    };
    let (merged, mut kept): (Vec<Suspect>, Vec<Suspect>) = out.into_iter().partition(same_leak);
    fin.merged = merged.into_iter().map(|s| s.description).collect();
    kept.push(fin);
    kept
}

/// Finds the suspects. `finalizers` adds the Finalizer finding when notable.
pub fn suspects(
    heap: &Heap,
    src: &mut dyn ByteSource,
    finalizers: Option<&FinalizerReport>,
) -> Result<SuspectsReport, HprofError> {
    let total = heap.reachable_bytes().max(1);
    let limit = (THRESHOLD * total as f64) as u64;
    let big = biggest_children(heap, limit / 8);
    let mut out = Vec::new();
    // Single objects: the tree's top level holds every biggest independent retainer.
    let mut big_objects = Vec::new();
    for o in heap.children(None) {
        let r = heap.retained(o);
        if r <= limit {
            break; // children are sorted, largest first
        }
        big_objects.push(o);
    }
    for &o in &big_objects {
        let r = heap.retained(o);
        let point = accumulation_point(heap, &big, o);
        let point_ref = obj_ref(heap, src, point);
        let description = format!(
            "One {} ({}) retains {} ({:.1} % of the heap); the memory accumulates in {} {} ({}).",
            heap.describe_class(o),
            obj_ref_plain(heap, o).object,
            human_bytes(r),
            100.0 * r as f64 / total as f64,
            point_ref.class,
            point_ref.object,
            human_bytes(point_ref.retained_bytes),
        );
        out.push(Suspect {
            kind: "object",
            description,
            retained_bytes: r,
            heap_share: r as f64 / total as f64,
            object: Some(obj_ref(heap, src, o)),
            class: None,
            instances: None,
            accumulation_point: Some(point_ref),
            accumulated_by_class: dominated_by_class(heap, point, ACCUMULATED_CLASSES),
            path_from_root: root_path(heap, src, o)?,
            merged: Vec::new(),
        });
    }
    // Classes: top-level dominators (objects that only the GC roots as a whole keep
    // alive) grouped by class, as MAT groups them; class objects are left to the
    // single-object rule.
    let classes = &heap.index.classes;
    let mut groups: std::collections::HashMap<u32, (u64, Vec<u32>)> =
        std::collections::HashMap::new();
    for o in heap.children(None) {
        if o < classes.object_count {
            continue;
        }
        let e = groups.entry(heap.class_of(o)).or_default();
        e.0 += heap.retained(o);
        e.1.push(o);
    }
    let mut by_class: Vec<(u32, u64, Vec<u32>)> = groups
        .into_iter()
        .filter(|(_, (r, objs))| *r > limit && objs.len() > 1)
        .map(|(c, (r, objs))| (c, r, objs))
        .collect();
    by_class.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    for (c, r, instances) in by_class {
        // Children are sorted largest first, so the first is the biggest.
        let Some(&biggest) = instances.first() else {
            continue;
        };
        if heap.retained(biggest) > limit {
            continue; // reported as a single object
        }
        let name = classes.name(c).to_string();
        out.push(Suspect {
            kind: "class",
            description: format!(
                "{} instances of {} retain {} ({:.1} % of the heap) together, with no single \
                 object holding them all; the biggest one retains {}.",
                group_digits(instances.len() as u64),
                name,
                human_bytes(r),
                100.0 * r as f64 / total as f64,
                human_bytes(heap.retained(biggest)),
            ),
            retained_bytes: r,
            heap_share: r as f64 / total as f64,
            object: Some(obj_ref(heap, src, biggest)),
            class: Some(name),
            instances: Some(instances.len() as u64),
            accumulation_point: None,
            accumulated_by_class: Vec::new(),
            path_from_root: root_path(heap, src, biggest)?,
            merged: Vec::new(),
        });
    }
    if let Some(f) = finalizers {
        let held = f.together_retained_bytes;
        if f.finalizers > 0 && held as f64 >= FINALIZER_SHARE * total as f64 {
            let mut description = format!(
                "{} java.lang.ref.Finalizer objects and their referents retain {} ({:.1} % of the heap).",
                group_digits(f.finalizers),
                human_bytes(held),
                100.0 * held as f64 / total as f64
            );
            if let Some(h) = f.holders.first() {
                description.push(' ');
                description.push_str(&h.summary);
                description.push('.');
            }
            if let Some(t) = f.timers.iter().find(|t| t.cancelled_tasks > 0) {
                description.push_str(&format!(
                    " A java.util.Timer holds {} cancelled tasks.",
                    group_digits(t.cancelled_tasks)
                ));
            }
            out.push(Suspect {
                kind: "finalizer",
                description,
                retained_bytes: held,
                heap_share: held as f64 / total as f64,
                object: None,
                class: Some("java.lang.ref.Finalizer".into()),
                instances: Some(f.finalizers),
                accumulation_point: f.holders.first().map(|h| h.accumulation_point.clone()),
                accumulated_by_class: f
                    .holders
                    .first()
                    .and_then(|h| parse_hex_id(&h.accumulation_point.object))
                    .and_then(|id| heap.object_by_id(id))
                    .map(|o| dominated_by_class(heap, o, ACCUMULATED_CLASSES))
                    .unwrap_or_default(),
                path_from_root: Vec::new(),
                merged: Vec::new(),
            });
            out = fold_into_finalizer(out, f);
        }
    }
    out.sort_by_key(|s| std::cmp::Reverse(s.retained_bytes));
    Ok(SuspectsReport {
        reachable_bytes: heap.reachable_bytes(),
        threshold: THRESHOLD,
        finalizer_threshold: FINALIZER_SHARE,
        suspects: out,
    })
}

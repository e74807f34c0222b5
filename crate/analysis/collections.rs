//! The collections report (Eclipse MAT's "Java Collections" queries: *Collection Fill
//! Ratio*, *Collections Grouped By Size*, plus the memory their unused capacity wastes):
//! every instance of the JDK collection classes ([`super::collection`]), by class and by
//! the field that holds them, largest waste first.
//!
//! A `HashSet`'s map (and a JDK 9+ `Properties`' map) is counted as the set (the
//! `Properties`), not again as a map of its own: `inner_maps` says how many were.
//!
//! Memory while it runs: 32 bytes per collection (object, holder, size, capacity, unused
//! slots), 4 per set (its map), the distinct holder names and 8 bytes per array that holds
//! collections; nothing is kept once it answered.

use super::collection::{Facts, Reader};
use super::objects::{ObjRef, describe_slot, obj_ref_plain, outgoing};
use crate::format::source::CachedSource;
use crate::format::{ByteSource, HprofError};
use crate::graph::Heap;
use crate::model::classes::ClassKind;
use serde::Serialize;
use std::collections::HashMap;

/// The labels of the fill-ratio buckets (size / capacity): empty, then by fifths; the
/// last also takes hash tables filled beyond their capacity.
pub const FILL_BUCKETS: [&str; 6] = ["0 %", "≤ 20 %", "≤ 40 %", "≤ 60 %", "≤ 80 %", "> 80 %"];

/// The holder of a collection that nothing else refers to but a GC root.
pub const GC_ROOT: &str = "<GC root>";
/// The holder of a collection that more than one object refers to.
pub const SEVERAL: &str = "<several>";
/// The holder of an unreachable collection.
pub const UNREACHABLE: &str = "<unreachable>";

/// How many collections of one size (MAT's "Collections Grouped By Size").
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct SizeCount {
    /// Entries.
    pub size: u64,
    /// Collections of that size.
    pub instances: u64,
}

/// The figures of a group of collections (a class, or a holder and a class).
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Totals {
    /// Collections.
    pub instances: u64,
    /// Collections of size 0.
    pub empty: u64,
    /// Their sizes summed.
    pub size_total: u64,
    /// Their capacities summed (`null` for classes without a capacity).
    pub capacity_total: Option<u64>,
    /// Collections with capacity 0 (no backing array yet, or the JDK's shared empty one).
    pub zero_capacity: u64,
    /// The bytes their unused slots take.
    pub wasted_bytes: u64,
    /// The mean of size / capacity over the collections with a capacity above 0.
    pub average_fill_ratio: Option<f64>,
}

/// One collection class (`heapscope collections --json`, `classes`).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ClassRow {
    /// The class's Java name (a subclass is a row of its own).
    pub class: String,
    /// `map`, `set`, `list` or `deque`.
    pub kind: &'static str,
    /// The JDK class it is or extends.
    pub base: &'static str,
    /// Its figures.
    #[serde(flatten)]
    pub totals: Totals,
    /// Collections per fill-ratio bucket ([`FILL_BUCKETS`]), over those with a capacity
    /// above 0 (`null` for classes without a capacity).
    pub fill_ratios: Option<[u64; 6]>,
    /// Collections per size, smallest first.
    pub by_size: Vec<SizeCount>,
    /// The instance wasting the most bytes (the largest, when none wastes any).
    pub largest: ObjRef,
}

/// Collections of one class held by one field (`holders`).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct HolderRow {
    /// `Class.field` of the object that refers to them (`Class.field[]`: through an
    /// array held by that field; `Array[]` when the array has no single holder);
    /// `<GC root>`, `<several>` (more than one referrer; the collection's own views and
    /// iterators, inner classes of its class, do not count) or `<unreachable>`.
    pub holder: String,
    /// The collections' class.
    pub class: String,
    /// Their figures.
    #[serde(flatten)]
    pub totals: Totals,
    /// The instance wasting the most bytes (the largest, when none wastes any).
    pub largest: ObjRef,
}

/// One collection (`collections`).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct InstanceRow {
    /// The collection.
    pub object: ObjRef,
    /// Its figures (`kind`, `base`, `size`, `capacity`, `fill_ratio`, `wasted_bytes`).
    #[serde(flatten)]
    pub facts: Facts,
    /// What holds it, as in [`HolderRow::holder`].
    pub holder: String,
}

/// `heapscope collections --json`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CollectionsReport {
    /// The reference size of the dump's size model: bytes per unused slot.
    pub reference_bytes: u32,
    /// The fill-ratio buckets' labels.
    pub fill_buckets: [&'static str; 6],
    /// The figures over every collection reported.
    #[serde(flatten)]
    pub totals: Totals,
    /// Maps inside sets (and JDK 9+ `Properties`), counted as those.
    pub inner_maps: u64,
    /// Per class, largest waste first.
    pub classes: Vec<ClassRow>,
    /// Per holding field and class, largest waste first (the first `top`).
    pub holders: Vec<HolderRow>,
    /// Holder rows in all.
    pub holders_total: u64,
    /// Single collections, largest waste first (then largest size; the first `top` of
    /// the totals' `instances`).
    pub collections: Vec<InstanceRow>,
}

/// What is asked of the report.
#[derive(Clone, Debug, Default)]
pub struct Filter<'a> {
    /// Only collections of this class (its Java name; subclasses are classes of their own).
    pub class: Option<&'a str>,
    /// Only collections with this holder ([`HolderRow::holder`]).
    pub holder: Option<&'a str>,
    /// Rows of `holders` and `collections`.
    pub top: usize,
}

/// A collection with its figures and its holder (an index into the holder names): 32 B.
struct Item {
    obj: u32,
    holder: u32,
    size: u64,
    /// `u64::MAX`: none.
    capacity: u64,
    unused: u64,
}

impl Item {
    fn facts(&self, reader: &Reader<'_>, heap: &Heap) -> Facts {
        let kind = reader
            .kind(self.obj)
            .unwrap_or(super::collection::Kind::HashMap);
        Facts::new(
            kind,
            self.size,
            (self.capacity != u64::MAX).then_some(self.capacity),
            self.unused,
            u64::from(heap.index.model.ref_size),
        )
    }
}

/// Sums figures.
#[derive(Default)]
struct Acc {
    totals: Totals,
    capacity: bool,
    ratio_sum: f64,
    ratios: u64,
    buckets: [u64; 6],
    sizes: HashMap<u64, u64>,
    largest: Option<(u64, u64, u32)>,
}

impl Acc {
    fn add(&mut self, obj: u32, f: &Facts) {
        let t = &mut self.totals;
        t.instances += 1;
        t.empty += u64::from(f.size == 0);
        t.size_total += f.size;
        t.wasted_bytes += f.wasted_bytes;
        if let Some(c) = f.capacity {
            self.capacity = true;
            *t.capacity_total.get_or_insert(0) += c;
            t.zero_capacity += u64::from(c == 0);
        }
        if let Some(r) = f.fill_ratio {
            self.ratio_sum += r;
            self.ratios += 1;
            if let Some(b) = self.buckets.get_mut(bucket(f.size, r)) {
                *b += 1;
            }
        }
        *self.sizes.entry(f.size).or_insert(0) += 1;
        let key = (f.wasted_bytes, f.size, u32::MAX - obj);
        if self.largest.is_none_or(|l| key > l) {
            self.largest = Some(key);
        }
    }

    fn totals(&self) -> Totals {
        Totals {
            average_fill_ratio: (self.ratios > 0).then(|| self.ratio_sum / self.ratios as f64),
            ..self.totals.clone()
        }
    }

    fn largest(&self, heap: &Heap) -> ObjRef {
        obj_ref_plain(heap, self.largest.map_or(0, |(_, _, o)| u32::MAX - o))
    }
}

/// The fill-ratio bucket of a collection of `size` entries filled to `ratio`.
pub fn bucket(size: u64, ratio: f64) -> usize {
    if size == 0 {
        0
    } else {
        ((ratio * 5.0).ceil() as usize).clamp(1, 5)
    }
}

/// Names holders, caching what arrays are held by (an array holds many collections).
struct Holders<'h> {
    heap: &'h Heap,
    names: Vec<String>,
    index: HashMap<String, u32>,
    arrays: HashMap<u32, u32>,
}

impl<'h> Holders<'h> {
    fn intern(&mut self, name: String) -> u32 {
        if let Some(&i) = self.index.get(&name) {
            return i;
        }
        let i = self.names.len() as u32;
        self.index.insert(name.clone(), i);
        self.names.push(name);
        i
    }

    /// `Class.field` through which `from` refers to `to` (a class object: its static).
    fn field(&self, src: &mut dyn ByteSource, from: u32, to: u32) -> Result<String, HprofError> {
        let heap = self.heap;
        let slot = outgoing(heap, src, from, 0)?
            .into_iter()
            .find(|&(_, t)| t == to)
            .map(|(s, _)| s);
        let field = slot.map_or_else(|| "?".into(), |s| describe_slot(heap, from, s));
        let class = heap.describe_class(from);
        Ok(
            match (class.strip_prefix("class "), field.strip_prefix("static ")) {
                (Some(c), Some(f)) => format!("{c}.{f}"),
                _ => format!("{class}.{field}"),
            },
        )
    }

    /// The holder of `obj`: the field of its one referrer, through an array if that
    /// referrer is one.
    fn of(&mut self, src: &mut dyn ByteSource, obj: u32) -> Result<u32, HprofError> {
        let heap = self.heap;
        let mut refs = heap.referrers(obj);
        if refs.len() > 1 {
            // The collection's own views and iterators (`HashMap$KeySet`, `ArrayList$Itr`:
            // inner classes of its class or a superclass) refer back to it; they do not
            // hold it.
            let classes = &heap.index.classes;
            let own: Vec<String> = classes
                .hierarchy(heap.class_of(obj))
                .map(|c| format!("{}$", classes.name(c)))
                .collect();
            refs.retain(|&r| {
                let name = heap.describe_class(r);
                !own.iter().any(|p| name.starts_with(p.as_str()))
            });
        }
        let name = match refs.as_slice() {
            [] if heap.pre(obj).is_none() => UNREACHABLE.to_string(),
            [] => GC_ROOT.to_string(),
            [r] => {
                let r = *r;
                if heap.class_info(r).map(|c| c.kind) == Some(ClassKind::ObjArray)
                    && r >= heap.index.classes.object_count
                {
                    if let Some(&k) = self.arrays.get(&r) {
                        return Ok(k);
                    }
                    let name = match heap.referrers(r).as_slice() {
                        [h] => format!("{}[]", self.field(src, *h, r)?),
                        _ => heap.describe_class(r),
                    };
                    let k = self.intern(name);
                    self.arrays.insert(r, k);
                    return Ok(k);
                }
                self.field(src, r, obj)?
            }
            _ => SEVERAL.to_string(),
        };
        Ok(self.intern(name))
    }
}

/// The collections report over every instance of the collection classes.
pub fn collections(
    heap: &Heap,
    src: &mut dyn ByteSource,
    filter: &Filter<'_>,
) -> Result<CollectionsReport, HprofError> {
    let mut src = CachedSource::new(src);
    let mut reader = Reader::new(heap);
    let objects = heap.objects();
    let classes = &heap.index.classes;
    let wanted_class: Option<&[u32]> = filter.class.map(|n| classes.by_name(n));
    let mut holders = Holders {
        heap,
        names: Vec::new(),
        index: HashMap::new(),
        arrays: HashMap::new(),
    };
    // In object (file) order, so that the reads mostly hit the cache.
    let mut items: Vec<Item> = Vec::new();
    let mut inner: Vec<u32> = Vec::new();
    for obj in objects.class_objects..objects.len() as u32 {
        let class = heap.class_of(obj);
        if reader.kind_of_class(class).is_none() {
            continue;
        }
        let Some(facts) = reader.facts(&mut src, obj)? else {
            continue;
        };
        if let Some(m) = facts.inner {
            inner.push(m);
        }
        if wanted_class.is_some_and(|w| !w.contains(&class)) {
            continue;
        }
        items.push(Item {
            obj,
            holder: 0,
            size: facts.size,
            capacity: facts.capacity.unwrap_or(u64::MAX),
            unused: facts.unused_slots,
        });
    }
    inner.sort_unstable();
    inner.dedup();
    items.retain(|i| inner.binary_search(&i.obj).is_err());
    for it in &mut items {
        it.holder = holders.of(&mut src, it.obj)?;
    }
    if let Some(h) = filter.holder {
        match holders.index.get(h) {
            Some(&k) => items.retain(|i| i.holder == k),
            None => items.clear(),
        }
    }
    // Per class, per (holder, class), and overall.
    let mut all = Acc::default();
    let mut by_class: HashMap<u32, Acc> = HashMap::new();
    let mut by_holder: HashMap<(u32, u32), Acc> = HashMap::new();
    for it in &items {
        let class = heap.class_of(it.obj);
        let f = it.facts(&reader, heap);
        all.add(it.obj, &f);
        by_class.entry(class).or_default().add(it.obj, &f);
        by_holder
            .entry((it.holder, class))
            .or_default()
            .add(it.obj, &f);
    }
    let mut class_rows: Vec<ClassRow> = by_class
        .into_iter()
        .map(|(c, a)| {
            let mut by_size: Vec<SizeCount> = a
                .sizes
                .iter()
                .map(|(&size, &instances)| SizeCount { size, instances })
                .collect();
            by_size.sort_by_key(|s| s.size);
            let kind = reader.kind_of_class(c);
            ClassRow {
                class: classes.name(c).to_string(),
                kind: kind.map_or("?", |k| k.shape()),
                base: kind.map_or("?", |k| k.base()),
                totals: a.totals(),
                fill_ratios: a.capacity.then_some(a.buckets),
                by_size,
                largest: a.largest(heap),
            }
        })
        .collect();
    class_rows.sort_by(|a, b| {
        (b.totals.wasted_bytes, b.totals.instances)
            .cmp(&(a.totals.wasted_bytes, a.totals.instances))
            .then_with(|| a.class.cmp(&b.class))
    });
    let mut holder_rows: Vec<HolderRow> = by_holder
        .into_iter()
        .map(|((h, c), a)| HolderRow {
            holder: holders.names.get(h as usize).cloned().unwrap_or_default(),
            class: classes.name(c).to_string(),
            totals: a.totals(),
            largest: a.largest(heap),
        })
        .collect();
    holder_rows.sort_by(|a, b| {
        (b.totals.wasted_bytes, b.totals.instances)
            .cmp(&(a.totals.wasted_bytes, a.totals.instances))
            .then_with(|| a.holder.cmp(&b.holder))
            .then_with(|| a.class.cmp(&b.class))
    });
    let holders_total = holder_rows.len() as u64;
    holder_rows.truncate(filter.top);
    items.sort_by(|a, b| {
        (b.unused, b.size)
            .cmp(&(a.unused, a.size))
            .then(a.obj.cmp(&b.obj))
    });
    items.truncate(filter.top);
    let rows = items
        .into_iter()
        .map(|it| InstanceRow {
            object: obj_ref_plain(heap, it.obj),
            holder: holders
                .names
                .get(it.holder as usize)
                .cloned()
                .unwrap_or_default(),
            facts: it.facts(&reader, heap),
        })
        .collect();
    Ok(CollectionsReport {
        reference_bytes: heap.index.model.ref_size,
        fill_buckets: FILL_BUCKETS,
        totals: all.totals(),
        inner_maps: inner.len() as u64,
        classes: class_rows,
        holders: holder_rows,
        holders_total,
        collections: rows,
    })
}

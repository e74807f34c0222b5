//! One JDK collection read from its records: which kind it is, its size, its capacity, the
//! slots of its table it leaves unused, and its entries in iteration order. The
//! collections report ([`super::collections`]) and the inspector build on it.
//!
//! The classes (and their subclasses): `java.util.HashMap`, `LinkedHashMap`, `Hashtable`
//! (`Properties`), `java.util.concurrent.ConcurrentHashMap`, `WeakHashMap`, `HashSet`
//! (`LinkedHashSet`), `ArrayList`, `Vector` (`Stack`), `ArrayDeque`, `LinkedList`,
//! `TreeMap`; in the layouts of JDK 6 to 21, told apart by the fields the dump declares:
//!
//! | class | size | capacity (backing array) | order of entries |
//! |---|---|---|---|
//! | HashMap, WeakHashMap | `size` | `table` | table, then each bucket's `next` chain |
//! | LinkedHashMap | `size` | `table` | `head` → `after` (JDK 8+), `header.after` → … → `header` (≤ 7) |
//! | Hashtable | `count` | `table` | table; JDK 9+ `Properties`: its `map` (a ConcurrentHashMap) |
//! | ConcurrentHashMap 8+ | `baseCount` + Σ `counterCells[i].value` | `table` | table, bins' `next` chains (a `TreeBin`'s `first` list) |
//! | ConcurrentHashMap 6–7 | Σ `segments[i].count` | Σ `segments[i].table` | segment by segment |
//! | HashSet | its `map`'s | its `map`'s | its `map`'s keys |
//! | ArrayList | `size` | `elementData` | the array |
//! | Vector | `elementCount` | `elementData` | the array |
//! | ArrayDeque | (`tail` − `head`) mod capacity | `elements` | `head` → `tail`, wrapping |
//! | LinkedList | `size` | none | `first` → `next` (JDK 7+), `header.next` → … → `header` (6) |
//! | TreeMap | `size` | none | in order from `root` (`left`, `right`) |
//!
//! A map entry's key is its `key` (a `WeakHashMap` entry's, the `referent` of the
//! `WeakReference` it is), its value `value` (ConcurrentHashMap: `val`); a list node's
//! element `item` (JDK 6: `element`).

use super::objects::{record, record_from};
use crate::format::primitives::{be_uint, id_at};
use crate::format::tags::BasicType;
use crate::format::{ByteSource, HprofError};
use crate::graph::Heap;
use crate::model::captures::field_offset;
use crate::model::classes::ClassTable;
use crate::model::records::Record;
use serde::Serialize;
use std::collections::HashMap;

/// Which collection class (the JDK class an instance's class is, or extends).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `java.util.HashMap`.
    HashMap,
    /// `java.util.LinkedHashMap`.
    LinkedHashMap,
    /// `java.util.Hashtable`.
    Hashtable,
    /// `java.util.concurrent.ConcurrentHashMap`.
    ConcurrentHashMap,
    /// `java.util.WeakHashMap`.
    WeakHashMap,
    /// `java.util.HashSet`.
    HashSet,
    /// `java.util.ArrayList`.
    ArrayList,
    /// `java.util.Vector`.
    Vector,
    /// `java.util.ArrayDeque`.
    ArrayDeque,
    /// `java.util.LinkedList`.
    LinkedList,
    /// `java.util.TreeMap`.
    TreeMap,
}

/// The JDK classes and their kinds (a subclass takes its nearest listed superclass's).
const BASES: &[(&str, Kind)] = &[
    ("java.util.HashMap", Kind::HashMap),
    ("java.util.LinkedHashMap", Kind::LinkedHashMap),
    ("java.util.Hashtable", Kind::Hashtable),
    (
        "java.util.concurrent.ConcurrentHashMap",
        Kind::ConcurrentHashMap,
    ),
    ("java.util.WeakHashMap", Kind::WeakHashMap),
    ("java.util.HashSet", Kind::HashSet),
    ("java.util.ArrayList", Kind::ArrayList),
    ("java.util.Vector", Kind::Vector),
    ("java.util.ArrayDeque", Kind::ArrayDeque),
    ("java.util.LinkedList", Kind::LinkedList),
    ("java.util.TreeMap", Kind::TreeMap),
];

impl Kind {
    /// The JDK class.
    pub fn base(self) -> &'static str {
        BASES
            .iter()
            .find(|(_, k)| *k == self)
            .map_or("?", |(n, _)| n)
    }

    /// `map`, `set`, `list` or `deque`: what its entries are (maps: key → value; the
    /// others: index → element).
    pub fn shape(self) -> &'static str {
        match self {
            Kind::HashMap
            | Kind::LinkedHashMap
            | Kind::Hashtable
            | Kind::ConcurrentHashMap
            | Kind::WeakHashMap
            | Kind::TreeMap => "map",
            Kind::HashSet => "set",
            Kind::ArrayList | Kind::Vector | Kind::LinkedList => "list",
            Kind::ArrayDeque => "deque",
        }
    }

    /// Whether it has a capacity (a backing array); linked structures have none.
    pub fn has_capacity(self) -> bool {
        !matches!(self, Kind::LinkedList | Kind::TreeMap)
    }

    /// Whether its backing array is a hash table (its unused slots are its null slots; an
    /// array-backed list's are the slots past its size).
    pub fn hashed(self) -> bool {
        matches!(
            self,
            Kind::HashMap
                | Kind::LinkedHashMap
                | Kind::Hashtable
                | Kind::ConcurrentHashMap
                | Kind::WeakHashMap
                | Kind::HashSet
        )
    }
}

/// The kind of every class (by class index; `None`: not a collection). 1 byte per class.
pub fn kinds(classes: &ClassTable) -> Vec<Option<Kind>> {
    let mut base: HashMap<u32, Kind> = HashMap::new();
    for &(name, k) in BASES {
        for &c in classes.by_name(name) {
            base.insert(c, k);
        }
    }
    if base.is_empty() {
        return vec![None; classes.len()];
    }
    classes
        .classes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if c.is_array() {
                None
            } else {
                classes
                    .hierarchy(i as u32)
                    .find_map(|h| base.get(&h).copied())
            }
        })
        .collect()
}

/// What one collection is: the figures the report and the inspector show.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Facts {
    /// `map`, `set`, `list` or `deque`.
    pub kind: &'static str,
    /// The JDK class it is or extends (`java.util.HashMap`).
    pub base: &'static str,
    /// Entries (elements), as the collection counts them.
    pub size: u64,
    /// Slots of its backing array (0: none allocated, or the JDK's shared empty array);
    /// `None` for linked structures (LinkedList, TreeMap), which have no capacity.
    pub capacity: Option<u64>,
    /// `size` / `capacity` (`None` without a capacity, or with capacity 0).
    pub fill_ratio: Option<f64>,
    /// Unused slots of the backing array (a hash table's null slots; an array-backed
    /// list's slots past its size) × the size model's reference size.
    pub wasted_bytes: u64,
    /// The backing array (`table`, `elementData`, `elements`; a set's map's table).
    #[serde(skip)]
    pub table: Option<u32>,
    /// The map inside a `HashSet` (or a JDK 9+ `Properties`), counted as part of it.
    #[serde(skip)]
    pub inner: Option<u32>,
    /// Unused slots.
    #[serde(skip)]
    pub unused_slots: u64,
}

/// An instance's class and field data.
struct Inst {
    class: u32,
    data: Vec<u8>,
}

/// An entry as raw IDs: (index in the iteration order, key (maps only), value); 0: null.
pub type RawEntry = (u64, Option<u64>, u64);

/// One step of a walk over a collection's entries: `Some((key, value))` as raw IDs (0:
/// null; `key` `None` for lists and sets).
type Visit<'v> = dyn FnMut(Option<u64>, u64) -> bool + 'v;

/// Reads collections: per-class field offsets are looked up once (by class and field
/// name; a few dozen entries).
pub struct Reader<'h> {
    heap: &'h Heap,
    kinds: Vec<Option<Kind>>,
    offsets: HashMap<(u32, &'static str), Option<(u32, BasicType)>>,
    /// Node steps left for one walk (a guard against cycles in corrupt dumps).
    budget: u64,
}

impl<'h> Reader<'h> {
    /// A reader over `heap`.
    pub fn new(heap: &'h Heap) -> Self {
        Reader {
            heap,
            kinds: kinds(&heap.index.classes),
            offsets: HashMap::new(),
            budget: 0,
        }
    }

    /// The kind of collection object `obj` is (`None`: not one of the classes above).
    pub fn kind(&self, obj: u32) -> Option<Kind> {
        if obj < self.heap.index.classes.object_count {
            return None;
        }
        self.kind_of_class(self.heap.class_of(obj))
    }

    /// The kind of the instances of class `class`.
    pub fn kind_of_class(&self, class: u32) -> Option<Kind> {
        self.kinds.get(class as usize).copied().flatten()
    }

    fn inst(&self, src: &mut dyn ByteSource, obj: u32) -> Result<Option<Inst>, HprofError> {
        Ok(match record(self.heap, src, obj, 0)? {
            Some(Record::Instance { data, .. }) => Some(Inst {
                class: self.heap.class_of(obj),
                data,
            }),
            _ => None,
        })
    }

    fn raw(&mut self, i: &Inst, name: &'static str) -> Option<(BasicType, u64)> {
        let heap = self.heap;
        let id_size = heap.index.header.id_size;
        let (off, ty) = (*self.offsets.entry((i.class, name)).or_insert_with(|| {
            field_offset(
                &heap.index.classes,
                &heap.index.strings,
                i.class,
                &[],
                name,
                id_size,
            )
        }))?;
        let sz = usize::from(ty.size_in_dump(id_size)?);
        let b = i.data.get(off as usize..off as usize + sz)?;
        Some(if ty == BasicType::OBJECT {
            (ty, id_at(b, id_size))
        } else {
            (ty, be_uint(b))
        })
    }

    /// A reference field's raw ID (0: null); `None` when the class has no such field.
    fn id(&mut self, i: &Inst, name: &'static str) -> Option<u64> {
        self.raw(i, name)
            .filter(|(ty, _)| *ty == BasicType::OBJECT)
            .map(|(_, v)| v)
    }

    /// A reference field as an object of the dump.
    fn obj(&mut self, i: &Inst, name: &'static str) -> Option<u32> {
        self.id(i, name).and_then(|id| self.heap.object_by_id(id))
    }

    /// An integer field, sign-extended.
    fn int(&mut self, i: &Inst, name: &'static str) -> Option<i64> {
        let (ty, v) = self.raw(i, name)?;
        Some(match ty {
            BasicType::INT => i64::from(v as u32 as i32),
            BasicType::LONG => v as i64,
            BasicType::SHORT => i64::from(v as u16 as i16),
            BasicType::BYTE => i64::from(v as u8 as i8),
            _ => return None,
        })
    }

    /// A count field (negative values, which only a corrupt dump has, read as 0).
    fn count(&mut self, i: &Inst, name: &'static str) -> Option<u64> {
        self.int(i, name).map(|v| v.max(0) as u64)
    }

    /// An object array's length and, with `elements`, its elements' raw IDs.
    /// The instances an object array in field `name` of `i` holds (a
    /// `ConcurrentHashMap`'s segments or counter cells: a few dozen at most).
    fn element_instances(
        &mut self,
        src: &mut dyn ByteSource,
        i: &Inst,
        name: &'static str,
    ) -> Result<Vec<Inst>, HprofError> {
        let mut out = Vec::new();
        if let Some(arr) = self.obj(i, name)
            && let Some((_, ids)) = self.array(src, arr, true)?
        {
            for id in ids {
                if let Some(o) = self.heap.object_by_id(id)
                    && let Some(inst) = self.inst(src, o)?
                {
                    out.push(inst);
                }
            }
        }
        Ok(out)
    }

    fn array(
        &self,
        src: &mut dyn ByteSource,
        obj: u32,
        elements: bool,
    ) -> Result<Option<(u32, Vec<u64>)>, HprofError> {
        let max = if elements { u32::MAX } else { 0 };
        Ok(match record(self.heap, src, obj, max)? {
            Some(Record::ObjArray { length, elements }) => Some((length, elements)),
            _ => None,
        })
    }

    /// Length and unused slots of a backing array (`None`: a null reference).
    fn slots(
        &self,
        src: &mut dyn ByteSource,
        table: Option<u32>,
        hashed: bool,
    ) -> Result<(u64, Option<u64>), HprofError> {
        let Some(t) = table else {
            return Ok((0, Some(0)));
        };
        Ok(match self.array(src, t, hashed)? {
            Some((len, ids)) if hashed => (
                u64::from(len),
                Some(ids.iter().filter(|&&id| id == 0).count() as u64),
            ),
            Some((len, _)) => (u64::from(len), None),
            None => (0, Some(0)),
        })
    }

    /// What collection `obj` is, read from its records (the collection, its backing
    /// array, and for some kinds one more level: a set's map, a ConcurrentHashMap's
    /// segments or counter cells); `None` when it is not a collection.
    pub fn facts(
        &mut self,
        src: &mut dyn ByteSource,
        obj: u32,
    ) -> Result<Option<Facts>, HprofError> {
        let Some(kind) = self.kind(obj) else {
            return Ok(None);
        };
        let Some(i) = self.inst(src, obj)? else {
            return Ok(None);
        };
        let ref_size = u64::from(self.heap.index.model.ref_size);
        let mut inner = None;
        // (size, backing array, capacity and unused slots when already known)
        let (size, table, known): (u64, Option<u32>, Option<(u64, u64)>) = match kind {
            Kind::HashMap | Kind::LinkedHashMap | Kind::WeakHashMap => (
                self.count(&i, "size").unwrap_or(0),
                self.obj(&i, "table"),
                None,
            ),
            Kind::Hashtable => match self.obj(&i, "map").filter(|&m| self.kind(m).is_some()) {
                // JDK 9+ Properties: the entries live in its ConcurrentHashMap.
                Some(m) if self.obj(&i, "table").is_none() => {
                    inner = Some(m);
                    let f = self.facts(src, m)?;
                    return Ok(f.map(|f| Facts {
                        kind: kind.shape(),
                        base: kind.base(),
                        inner,
                        ..f
                    }));
                }
                _ => (
                    self.count(&i, "count").unwrap_or(0),
                    self.obj(&i, "table"),
                    None,
                ),
            },
            Kind::HashSet => {
                let Some(m) = self.obj(&i, "map") else {
                    return Ok(Some(facts(kind, 0, Some(0), 0, None, None, ref_size)));
                };
                inner = Some(m);
                let f = match self.kind(m) {
                    Some(Kind::HashSet) | None => None,
                    Some(_) => self.facts(src, m)?,
                };
                let Some(f) = f else {
                    return Ok(Some(facts(kind, 0, Some(0), 0, None, inner, ref_size)));
                };
                return Ok(Some(Facts {
                    kind: kind.shape(),
                    base: kind.base(),
                    inner,
                    ..f
                }));
            }
            Kind::ConcurrentHashMap => {
                if self.raw(&i, "baseCount").is_some() {
                    // JDK 8+: baseCount plus the counter cells' values.
                    let mut size = self.int(&i, "baseCount").unwrap_or(0);
                    for cell in self.element_instances(src, &i, "counterCells")? {
                        size += self.int(&cell, "value").unwrap_or(0);
                    }
                    (size.max(0) as u64, self.obj(&i, "table"), None)
                } else {
                    // JDK 6–7: segments, each a small hash table of its own.
                    let (mut size, mut cap, mut unused) = (0u64, 0u64, 0u64);
                    for seg in self.element_instances(src, &i, "segments")? {
                        size += self.count(&seg, "count").unwrap_or(0);
                        let t = self.obj(&seg, "table");
                        let (len, free) = self.slots(src, t, true)?;
                        cap += len;
                        unused += free.unwrap_or(0);
                    }
                    (size, None, Some((cap, unused)))
                }
            }
            Kind::ArrayList => (
                self.count(&i, "size").unwrap_or(0),
                self.obj(&i, "elementData"),
                None,
            ),
            Kind::Vector => (
                self.count(&i, "elementCount").unwrap_or(0),
                self.obj(&i, "elementData"),
                None,
            ),
            Kind::ArrayDeque => {
                let t = self.obj(&i, "elements");
                let (len, _) = self.slots(src, t, false)?;
                let head = self.int(&i, "head").unwrap_or(0);
                let tail = self.int(&i, "tail").unwrap_or(0);
                let size = match i64::try_from(len) {
                    Ok(l) if l > 0 => (tail - head).rem_euclid(l) as u64,
                    _ => 0,
                };
                (size, t, Some((len, len.saturating_sub(size))))
            }
            Kind::LinkedList | Kind::TreeMap => {
                let size = self.count(&i, "size").unwrap_or(0);
                return Ok(Some(facts(kind, size, None, 0, None, None, ref_size)));
            }
        };
        let (capacity, unused) = match known {
            Some(k) => k,
            None => {
                let (len, free) = self.slots(src, table, kind.hashed())?;
                (len, free.unwrap_or(len.saturating_sub(size)))
            }
        };
        Ok(Some(facts(
            kind,
            size,
            Some(capacity),
            unused,
            table,
            inner,
            ref_size,
        )))
    }

    /// Entries `offset ..` of collection `obj` in its iteration order, at most `limit` of
    /// them, as (index, key, value) raw IDs (key `None` for lists, sets and deques; 0:
    /// null); `None` when it is not a collection. Reads the nodes before `offset` too
    /// (linked structures have no index).
    pub fn entries(
        &mut self,
        src: &mut dyn ByteSource,
        obj: u32,
        offset: u64,
        limit: u32,
    ) -> Result<Option<Vec<RawEntry>>, HprofError> {
        let Some(kind) = self.kind(obj) else {
            return Ok(None);
        };
        let Some(i) = self.inst(src, obj)? else {
            return Ok(None);
        };
        let mut out = Vec::new();
        let mut seen = 0u64;
        let end = offset.saturating_add(u64::from(limit));
        let mut visit = |k: Option<u64>, v: u64| {
            if seen >= offset && seen < end {
                out.push((seen, k, v));
            }
            seen += 1;
            seen < end
        };
        self.budget = self.heap.object_count() as u64;
        match kind {
            Kind::ArrayList | Kind::Vector => {
                let size = if kind == Kind::Vector {
                    self.count(&i, "elementCount")
                } else {
                    self.count(&i, "size")
                }
                .unwrap_or(0);
                if let Some(arr) = self.obj(&i, "elementData") {
                    let first = offset.min(size);
                    let n = (end.min(size) - first).min(u64::from(u32::MAX)) as u32;
                    let first32 = u32::try_from(first).unwrap_or(u32::MAX);
                    if let Some(Record::ObjArray { elements, .. }) =
                        record_from(self.heap, src, arr, first32, n)?
                    {
                        for (k, id) in elements.into_iter().enumerate() {
                            out.push((first + k as u64, None, id));
                        }
                    }
                }
            }
            Kind::ArrayDeque => {
                if let Some(arr) = self.obj(&i, "elements")
                    && let Some((len, ids)) = self.array(src, arr, true)?
                {
                    let len = u64::from(len);
                    let head = self.int(&i, "head").unwrap_or(0);
                    let tail = self.int(&i, "tail").unwrap_or(0);
                    if len > 0 {
                        let l = len as i64;
                        let size = (tail - head).rem_euclid(l) as u64;
                        let head = head.rem_euclid(l) as u64;
                        for k in offset..end.min(size) {
                            let id = ids.get(((head + k) % len) as usize).copied().unwrap_or(0);
                            out.push((k, None, id));
                        }
                    }
                }
            }
            Kind::HashSet => {
                if let Some(m) = self.obj(&i, "map")
                    && self.kind(m).is_some_and(|k| k != Kind::HashSet)
                    && let Some(mi) = self.inst(src, m)?
                {
                    let mk = self.kind(m).unwrap_or(Kind::HashMap);
                    self.walk_map(src, mk, &mi, &mut |k, _| visit(None, k.unwrap_or(0)))?;
                }
            }
            Kind::LinkedList => {
                if self.raw(&i, "first").is_some() {
                    let first = self.obj(&i, "first");
                    self.walk_chain(src, first, "next", "item", None, &mut visit)?;
                } else if let Some(header) = self.obj(&i, "header") {
                    // JDK 6: a circular list through a header entry.
                    if let Some(h) = self.inst(src, header)? {
                        let first = self.obj(&h, "next");
                        self.walk_chain(src, first, "next", "element", Some(header), &mut visit)?;
                    }
                }
            }
            _ => self.walk_map(src, kind, &i, &mut |k, v| visit(k, v))?,
        }
        Ok(Some(out))
    }

    /// Walks a map's entries (kind: a map kind), calling `visit(key, value)` until it
    /// says stop.
    fn walk_map(
        &mut self,
        src: &mut dyn ByteSource,
        kind: Kind,
        i: &Inst,
        visit: &mut Visit<'_>,
    ) -> Result<(), HprofError> {
        match kind {
            Kind::LinkedHashMap => {
                if self.raw(i, "head").is_some() {
                    let head = self.obj(i, "head");
                    self.walk_nodes(src, head, "after", None, visit)?;
                } else if let Some(header) = self.obj(i, "header") {
                    if let Some(h) = self.inst(src, header)? {
                        let first = self.obj(&h, "after");
                        self.walk_nodes(src, first, "after", Some(header), visit)?;
                    }
                } else {
                    let t = self.obj(i, "table");
                    self.walk_table(src, t, visit)?;
                }
            }
            Kind::Hashtable => {
                let t = self.obj(i, "table");
                match self.obj(i, "map") {
                    Some(m) if t.is_none() && self.kind(m) == Some(Kind::ConcurrentHashMap) => {
                        if let Some(mi) = self.inst(src, m)? {
                            self.walk_map(src, Kind::ConcurrentHashMap, &mi, visit)?;
                        }
                    }
                    _ => {
                        self.walk_table(src, t, visit)?;
                    }
                }
            }
            Kind::ConcurrentHashMap if self.raw(i, "baseCount").is_none() => {
                for seg in self.element_instances(src, i, "segments")? {
                    let t = self.obj(&seg, "table");
                    if !self.walk_table(src, t, visit)? {
                        break;
                    }
                }
            }
            Kind::TreeMap => {
                let root = self.obj(i, "root");
                self.walk_tree(src, root, visit)?;
            }
            _ => {
                let t = self.obj(i, "table");
                self.walk_table(src, t, visit)?;
            }
        }
        Ok(())
    }

    /// A map entry's key and value IDs.
    fn key_value(&mut self, n: &Inst) -> (u64, u64) {
        let key = self
            .id(n, "key")
            .or_else(|| self.id(n, "referent"))
            .unwrap_or(0);
        let value = self
            .id(n, "value")
            .or_else(|| self.id(n, "val"))
            .unwrap_or(0);
        (key, value)
    }

    /// Walks a hash table's buckets and their `next` chains; false when `visit` stopped.
    fn walk_table(
        &mut self,
        src: &mut dyn ByteSource,
        table: Option<u32>,
        visit: &mut Visit<'_>,
    ) -> Result<bool, HprofError> {
        let Some(t) = table else {
            return Ok(true);
        };
        let Some((_, ids)) = self.array(src, t, true)? else {
            return Ok(true);
        };
        for id in ids {
            let mut node = self.heap.object_by_id(id);
            while let Some(n) = node {
                if self.budget == 0 {
                    return Ok(false);
                }
                self.budget -= 1;
                let Some(ni) = self.inst(src, n)? else {
                    break;
                };
                let name = self.heap.index.classes.name(ni.class);
                if name.ends_with("$TreeBin") {
                    // A ConcurrentHashMap bin turned into a tree: its nodes also form a
                    // `next` list from `first`.
                    let first = self.obj(&ni, "first");
                    if !self.walk_nodes(src, first, "next", None, visit)? {
                        return Ok(false);
                    }
                    break;
                }
                if name.ends_with("$ForwardingNode") || name.ends_with("$ReservationNode") {
                    // Mid-resize (the bin's entries are in `nextTable`) or a placeholder.
                    break;
                }
                let (k, v) = self.key_value(&ni);
                if !visit(Some(k), v) {
                    return Ok(false);
                }
                node = self.obj(&ni, "next");
            }
        }
        Ok(true)
    }

    /// Walks map entries linked by `link` from `first` (up to `stop`, a list's header).
    fn walk_nodes(
        &mut self,
        src: &mut dyn ByteSource,
        first: Option<u32>,
        link: &'static str,
        stop: Option<u32>,
        visit: &mut Visit<'_>,
    ) -> Result<bool, HprofError> {
        let mut node = first;
        while let Some(n) = node {
            if Some(n) == stop || self.budget == 0 {
                break;
            }
            self.budget -= 1;
            let Some(ni) = self.inst(src, n)? else {
                break;
            };
            let (k, v) = self.key_value(&ni);
            if !visit(Some(k), v) {
                return Ok(false);
            }
            node = self.obj(&ni, link);
        }
        Ok(true)
    }

    /// Walks list nodes linked by `link` from `first`, each element in `item`.
    fn walk_chain(
        &mut self,
        src: &mut dyn ByteSource,
        first: Option<u32>,
        link: &'static str,
        item: &'static str,
        stop: Option<u32>,
        visit: &mut Visit<'_>,
    ) -> Result<(), HprofError> {
        let mut node = first;
        while let Some(n) = node {
            if Some(n) == stop || self.budget == 0 {
                break;
            }
            self.budget -= 1;
            let Some(ni) = self.inst(src, n)? else {
                break;
            };
            let v = self.id(&ni, item).unwrap_or(0);
            if !visit(None, v) {
                break;
            }
            node = self.obj(&ni, link);
        }
        Ok(())
    }

    /// Walks a red-black tree in order (an explicit stack: no recursion on any depth).
    fn walk_tree(
        &mut self,
        src: &mut dyn ByteSource,
        root: Option<u32>,
        visit: &mut Visit<'_>,
    ) -> Result<(), HprofError> {
        // (node, its key and value, its right child), the left spine above the cursor.
        let mut stack: Vec<(u64, u64, Option<u32>)> = Vec::new();
        let mut cur = root;
        loop {
            while let Some(n) = cur {
                if self.budget == 0 {
                    return Ok(());
                }
                self.budget -= 1;
                let Some(ni) = self.inst(src, n)? else {
                    break;
                };
                let (k, v) = self.key_value(&ni);
                let right = self.obj(&ni, "right");
                stack.push((k, v, right));
                cur = self.obj(&ni, "left");
            }
            let Some((k, v, right)) = stack.pop() else {
                return Ok(());
            };
            if !visit(Some(k), v) {
                return Ok(());
            }
            cur = right;
        }
    }
}

/// The figures of a collection of `size` entries in `capacity` slots, `unused` of them
/// unused.
fn facts(
    kind: Kind,
    size: u64,
    capacity: Option<u64>,
    unused: u64,
    table: Option<u32>,
    inner: Option<u32>,
    ref_size: u64,
) -> Facts {
    Facts {
        table,
        inner,
        ..Facts::new(kind, size, capacity, unused, ref_size)
    }
}

impl Facts {
    /// The figures of a `kind` collection of `size` entries in `capacity` slots, `unused`
    /// of them unused, each slot `ref_size` bytes.
    pub fn new(kind: Kind, size: u64, capacity: Option<u64>, unused: u64, ref_size: u64) -> Self {
        Facts {
            kind: kind.shape(),
            base: kind.base(),
            size,
            capacity,
            fill_ratio: capacity.filter(|&c| c > 0).map(|c| size as f64 / c as f64),
            wasted_bytes: unused * ref_size,
            table: None,
            inner: None,
            unused_slots: unused,
        }
    }
}

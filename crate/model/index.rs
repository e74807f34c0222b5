//! Pass 1: the index of a dump.
//!
//! One streaming pass collects strings, classes, GC roots, stack traces and, per object,
//! its ID, class and (arrays) length. The class histogram falls out of it without
//! per-object memory: instances are counted per class, and array lengths are summed per
//! class together with a count of lengths modulo 8, which gives the exact total of
//! `align8(base + element_size × length)` for any size model chosen afterwards.
//!
//! Per-object memory while indexing (only when `per_object`), in file order: ID u64 +
//! class u32 = 12 bytes, and a u32 length per array (instances are sized by their class):
//! 12.8 bytes per object on the 1 GB benchmark dump, whose objects are one fifth arrays.
//! [`Indexer::finish`] turns it into the compact [`ObjectTable`]: class u16 (2 B), a size
//! bit per object (0.14 B) and a u16 size per array and class object (2 B each), and the
//! ID map; 4.5 bytes per object on that dump.
//!
//! `finish` runs in phases: name the classes, renumber them (dumped classes first), link
//! the hierarchy, lay out the dump-format instance data, choose the size model from the
//! address gaps, size instances, size class objects, and build the object table. The
//! layout and size rules it applies (HotSpot's field layouts, the model choice, mirror
//! sizes) live in [`super::sizes`]; this module collects their evidence.

use super::classes::{ClassInfo, ClassKind, ClassTable};
use super::diagnostics::Diagnostics;
use super::hash::IdHashMap;
use super::idmap::IdMap;
use super::names::{java_class_name, prim_array_name};
use super::objects::{ClassIds, ObjectTable, SizesBuilder};
use super::sizes::{
    GapEvidence, ModelEvidence, SizeModel, choose_model, instance_sizes, mirror_sizes,
};
use super::stacks::StackTable;
use super::strings::StringTable;
use crate::format::Header;
use crate::format::classes::LoadClass;
use crate::format::heap_dump::arrays::{ObjArrayHeader, PrimArrayHeader};
use crate::format::heap_dump::class_dump::ClassDump;
use crate::format::heap_dump::instance::Instance;
use crate::format::heap_dump::roots::GcRoot;
use crate::format::stacks::{Frame, Trace};
use crate::format::strings::Utf8;
use crate::format::tags::{BasicType, Tag};
use crate::format::{HprofError, Visitor};

/// A file position every `CHECKPOINT_EVERY` non-class objects, to re-read objects later.
pub const CHECKPOINT_EVERY: u32 = 64;

/// The longest superclass chain kept: a class with more superclasses has its superclass
/// link cut (`class_hierarchy_too_deep`). Real hierarchies stay below 20; the limit keeps
/// per-class data that covers the whole hierarchy (`ClassInfo::ref_offsets`) and every
/// walk up a hierarchy linear in the size of the dump.
pub const MAX_HIERARCHY_DEPTH: usize = 64;

/// Maximum address-gap samples kept for array-size evidence.
const MAX_ARRAY_SAMPLES: usize = 1 << 16;

/// Per-class counters for the histogram (model-independent).
#[derive(Clone, Copy, Default, Debug)]
pub struct ClassCounts {
    /// Instances (objects of this class).
    pub count: u64,
    /// Sum of array lengths (array classes).
    pub sum_len: u64,
    /// Number of arrays whose length ≡ r (mod 8).
    pub len_mod8: [u64; 8],
    /// Class objects counted here (`java.lang.Class` only): their sizes vary with their
    /// static fields, so they are summed in `mirror_bytes` instead of `count × size`.
    pub mirrors: u64,
    /// Total size of those class objects.
    pub mirror_bytes: u64,
}

/// Where the heap-dump records lie in the file (for resuming the reader at an object).
#[derive(Clone, Debug, Default)]
pub struct FileMap {
    /// (body start, body end) of each HEAP_DUMP / HEAP_DUMP_SEGMENT record.
    pub segments: Vec<(u64, u64)>,
    /// Offset of every `CHECKPOINT_EVERY`-th non-class object record, in file order.
    pub checkpoints: Vec<u64>,
}

impl FileMap {
    /// The segment containing `offset`.
    pub fn segment_of(&self, offset: u64) -> Option<(u64, u64)> {
        let i = self.segments.partition_point(|&(s, _)| s <= offset);
        let seg = *self.segments.get(i.checked_sub(1)?)?;
        (offset < seg.1).then_some(seg)
    }

    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.segments.capacity() * 16 + self.checkpoints.capacity() * 8
    }
}

/// Record counts, for the summary.
#[derive(Clone, Debug, Default)]
pub struct RecordStats {
    /// Top-level records per tag.
    pub records: IdHashMap<u8, u64>,
    /// Instance dumps.
    pub instances: u64,
    /// Object arrays.
    pub obj_arrays: u64,
    /// Primitive arrays.
    pub prim_arrays: u64,
    /// Class dumps.
    pub class_dumps: u64,
    /// GC roots (all kinds).
    pub roots: u64,
    /// Heap-dump records.
    pub heap_dump_records: u64,
    /// Largest object array length.
    pub max_obj_array: u32,
    /// Sum of reference-field slots of instances plus object-array lengths: an upper bound
    /// of the references, known after pass 1 (used to predict memory).
    pub ref_slots: u64,
}

/// The pass-1 visitor.
pub struct Indexer {
    per_object: bool,
    header: Option<Header>,
    strings: StringTable,
    load_classes: IdHashMap<u64, LoadClass>,
    classes: Vec<ClassInfo>,
    class_by_id: IdHashMap<u64, u32>,
    dump_order: Vec<u32>,
    prim_class: [u32; 12],
    counts: Vec<ClassCounts>,
    gaps: Vec<GapEvidence>,
    array_samples: Vec<(u32, u32, u32)>,
    prev: Option<(u64, u32, u32)>,
    /// Class object IDs sorted, for gaps that end at a class mirror (HotSpot writes
    /// mirrors as CLASS_DUMPs before all other objects, so the object stream skips them).
    mirrors: Vec<(u64, u32)>,
    mirror_cursor: usize,
    /// Mirrors below this one have had their gap recorded, by `mirror_steps` steps in all.
    /// When the object stream goes back in address order (HotSpot: once or twice per dump)
    /// the mirrors after it are walked again, up to a budget linear in the dump; past it,
    /// mirrors already walked are skipped, so that a stream alternating low and high IDs
    /// does not walk every mirror between them for each object.
    mirrors_walked: usize,
    mirror_steps: u64,
    mirrors_ready: bool,
    /// Address gap after each class object (its size bound).
    mirror_gaps: Vec<u32>,
    /// Per object (with `per_object`), in file order: its ID and class (pass-1 numbering).
    ids: Vec<u64>,
    class_of: Vec<u32>,
    /// The length of each array, in file order (an instance is sized by its class).
    lens: Vec<u32>,
    /// Per class (with `per_object`): whether its first object was an array, `None` before
    /// any. With `odd_records` it tells which objects are arrays.
    first_record: Vec<Option<bool>>,
    /// Objects (positions in `ids`) that are an array when their class's first object was
    /// an instance, or the other way round (only in malformed dumps).
    odd_records: Vec<u64>,
    nonclass: u64,
    roots: Vec<GcRoot>,
    stacks: StackTable,
    files: FileMap,
    stats: RecordStats,
    diagnostics: Diagnostics,
    /// Reference slots per class known so far (for `ref_slots`); computed lazily.
    ref_slots_of: Vec<u32>,
}

impl Indexer {
    /// A new indexer. With `per_object`, it keeps what the object table needs;
    /// without, only the histogram and summary.
    pub fn new(per_object: bool) -> Self {
        Indexer {
            per_object,
            header: None,
            strings: StringTable::default(),
            load_classes: IdHashMap::default(),
            classes: Vec::new(),
            class_by_id: IdHashMap::default(),
            dump_order: Vec::new(),
            prim_class: [u32::MAX; 12],
            counts: Vec::new(),
            gaps: Vec::new(),
            array_samples: Vec::new(),
            prev: None,
            mirrors: Vec::new(),
            mirror_cursor: 0,
            mirrors_walked: 0,
            mirror_steps: 0,
            mirrors_ready: false,
            mirror_gaps: Vec::new(),
            ids: Vec::new(),
            class_of: Vec::new(),
            lens: Vec::new(),
            first_record: Vec::new(),
            odd_records: Vec::new(),
            nonclass: 0,
            roots: Vec::new(),
            stacks: StackTable::default(),
            files: FileMap::default(),
            stats: RecordStats::default(),
            diagnostics: Diagnostics::default(),
            ref_slots_of: Vec::new(),
        }
    }

    /// Whether it keeps what the object table needs (see [`Indexer::new`]).
    pub fn per_object(&self) -> bool {
        self.per_object
    }

    fn new_class(&mut self, c: ClassInfo) -> u32 {
        let i = self.classes.len() as u32;
        self.classes.push(c);
        self.counts.push(ClassCounts::default());
        self.gaps.push(GapEvidence::default());
        self.ref_slots_of.push(u32::MAX);
        self.mirror_gaps.push(u32::MAX);
        if self.per_object {
            self.first_record.push(None);
        }
        i
    }

    /// The next address after `from` where an object starts, given that the next object of
    /// the stream is at `to`: a class mirror in between, or `to`. Also records the gaps of
    /// the mirrors passed.
    #[inline]
    fn next_start(&mut self, from: u64, to: u64) -> u64 {
        if !self.mirrors_ready {
            self.mirrors_ready = true;
            self.mirrors = self
                .classes
                .iter()
                .enumerate()
                .filter(|(_, c)| c.dumped)
                .map(|(i, c)| (c.id, i as u32))
                .collect();
            self.mirrors.sort_unstable();
            self.mirror_cursor = 0;
        }
        let n = self.mirrors.len();
        if self
            .mirrors
            .get(self.mirror_cursor)
            .is_some_and(|m| m.0 <= from)
            || self.mirror_cursor > 0
                && self
                    .mirrors
                    .get(self.mirror_cursor - 1)
                    .is_some_and(|m| m.0 > from)
        {
            self.mirror_cursor = self.mirrors.partition_point(|m| m.0 <= from);
        }
        let mut next = to;
        if let Some(&(cid, _)) = self.mirrors.get(self.mirror_cursor)
            && cid < to
        {
            next = cid;
        }
        let budget = 4 * n as u64 + self.nonclass;
        let start = if self.mirror_steps <= budget {
            self.mirror_cursor
        } else {
            self.mirror_cursor.max(self.mirrors_walked)
        };
        let mut k = start;
        while k < n {
            let Some(&(cid, ci)) = self.mirrors.get(k) else {
                break;
            };
            if cid >= to {
                break;
            }
            let after = self.mirrors.get(k + 1).map_or(to, |m| m.0.min(to));
            if let Some(g) = self.mirror_gaps.get_mut(ci as usize) {
                *g = u32::try_from(after - cid).unwrap_or(u32::MAX);
            }
            k += 1;
        }
        self.mirror_steps += (k - start) as u64;
        self.mirrors_walked = self.mirrors_walked.max(k);
        self.mirror_cursor = if k > start || start == self.mirror_cursor {
            k
        } else {
            self.mirrors.partition_point(|m| m.0 < to)
        };
        next
    }

    #[inline]
    fn class_index(&mut self, id: u64, offset: u64) -> u32 {
        if let Some(&c) = self.class_by_id.get(&id) {
            return c;
        }
        self.diagnostics.bump("missing_class_dump", Some(offset));
        let c = self.new_class(ClassInfo::placeholder(id));
        self.class_by_id.insert(id, c);
        c
    }

    fn prim_class_index(&mut self, elem: BasicType) -> u32 {
        let slot = (elem.0 as usize).min(11);
        if let Some(&c) = self.prim_class.get(slot)
            && c != u32::MAX
        {
            return c;
        }
        let mut c = ClassInfo::placeholder(0);
        c.name = prim_array_name(elem.java_name());
        c.kind = ClassKind::PrimArray(elem);
        let c = self.new_class(c);
        if let Some(s) = self.prim_class.get_mut(slot) {
            *s = c;
        }
        c
    }

    fn ref_slots(&mut self, c: u32) -> u32 {
        match self.ref_slots_of.get(c as usize) {
            Some(&n) if n != u32::MAX => n,
            _ => {
                // Own and inherited reference fields (walks at most `classes.len()` steps).
                let mut n = 0u32;
                let mut cur = Some(c);
                let mut steps = 0;
                while let Some(i) = cur {
                    steps += 1;
                    if steps > self.classes.len().min(MAX_HIERARCHY_DEPTH + 1) {
                        break;
                    }
                    let Some(ci) = self.classes.get(i as usize) else {
                        break;
                    };
                    n += ci
                        .fields
                        .iter()
                        .filter(|f| f.ty == BasicType::OBJECT)
                        .count() as u32;
                    cur = self.class_by_id.get(&ci.super_id).copied();
                }
                if let Some(s) = self.ref_slots_of.get_mut(c as usize) {
                    *s = n;
                }
                n
            }
        }
    }

    #[inline]
    fn object(&mut self, offset: u64, id: u64, class: u32, len: u32, is_array: bool) {
        if self.nonclass % u64::from(CHECKPOINT_EVERY) == 0 {
            self.files.checkpoints.push(offset);
        }
        self.nonclass += 1;
        if let Some(cc) = self.counts.get_mut(class as usize) {
            cc.count += 1;
            if is_array {
                cc.sum_len += u64::from(len);
                if let Some(n) = cc.len_mod8.get_mut((len & 7) as usize) {
                    *n += 1;
                }
            }
        }
        if self.prev.is_none() {
            // Mirrors below the first object.
            self.next_start(0, id);
        }
        if let Some((pid, pclass, plen)) = self.prev
            && id > pid
        {
            let gap = self.next_start(pid, id) - pid;
            if gap <= u64::from(u32::MAX) {
                let gap = gap as u32;
                let parray = self
                    .classes
                    .get(pclass as usize)
                    .is_some_and(|c| c.is_array());
                if parray {
                    if self.array_samples.len() < MAX_ARRAY_SAMPLES {
                        self.array_samples.push((pclass, plen, gap));
                    }
                } else if let Some(g) = self.gaps.get_mut(pclass as usize) {
                    g.record(gap);
                }
            }
        }
        self.prev = Some((id, class, len));
        if self.per_object {
            match self.first_record.get_mut(class as usize) {
                Some(first @ None) => *first = Some(is_array),
                Some(Some(first)) if *first != is_array => {
                    self.odd_records.push(self.ids.len() as u64);
                }
                _ => {}
            }
            self.ids.push(id);
            self.class_of.push(class);
            if is_array {
                self.lens.push(len);
            }
        }
    }
}

/// The object records with their class index already looked up, as pass 1 on several
/// threads gives them (each thread looks class IDs up in a copy of [`Indexer::class_ids`]:
/// an ID found there maps to the same class for the rest of the pass).
impl Indexer {
    /// The class index of every class ID met so far (dumped classes and placeholders).
    /// IDs are only ever added to it, and never change their class.
    pub fn class_ids(&self) -> &IdHashMap<u64, u32> {
        &self.class_by_id
    }

    /// An INSTANCE_DUMP at `offset` of class `c` (the one its class ID maps to).
    #[inline]
    pub fn instance_of(&mut self, offset: u64, id: u64, c: u32) {
        self.stats.instances += 1;
        let slots = self.ref_slots(c);
        self.stats.ref_slots += u64::from(slots) + 1;
        self.object(offset, id, c, 0, false);
    }

    /// An OBJ_ARRAY_DUMP at `offset` of class `c` (the one its class ID maps to).
    #[inline]
    pub fn obj_array_of(&mut self, offset: u64, id: u64, length: u32, c: u32) {
        self.stats.obj_arrays += 1;
        self.stats.max_obj_array = self.stats.max_obj_array.max(length);
        self.stats.ref_slots += u64::from(length) + 1;
        if let Some(ci) = self.classes.get_mut(c as usize)
            && !ci.dumped
            && ci.kind == ClassKind::Instance
        {
            // A placeholder only known from arrays is an array class.
            ci.kind = ClassKind::ObjArray;
        }
        self.object(offset, id, c, length, true);
    }
}

impl Visitor for Indexer {
    fn header(&mut self, h: &Header) {
        self.header = Some(h.clone());
    }

    fn record(&mut self, tag: Tag, offset: u64, len: u32) {
        *self.stats.records.entry(tag.0).or_default() += 1;
        if tag == Tag::HPROF_HEAP_DUMP || tag == Tag::HPROF_HEAP_DUMP_SEGMENT {
            self.stats.heap_dump_records += 1;
            let start = offset + 9;
            self.files.segments.push((start, start + u64::from(len)));
        }
    }

    fn utf8(&mut self, r: Utf8<'_>) {
        self.strings.insert(r.id, r.bytes);
    }

    fn load_class(&mut self, r: &LoadClass) {
        self.load_classes.insert(r.class_id, *r);
    }

    fn frame(&mut self, r: &Frame) {
        self.stacks.add_frame(r);
    }

    fn trace(&mut self, r: &Trace<'_>) {
        self.stacks.add_trace(r);
    }

    fn unknown_record(&mut self, tag: Tag, offset: u64, len: u32) {
        if tag.name().is_some() {
            self.diagnostics.bump("oversized_record", Some(offset));
        } else {
            self.diagnostics.bump("unknown_record", Some(offset));
        }
        let _ = len;
    }

    fn trailing_data(&mut self, offset: u64, _len: u64) {
        self.diagnostics.bump("trailing_data", Some(offset));
    }

    fn gc_root(&mut self, r: &GcRoot) {
        self.stats.roots += 1;
        self.roots.push(*r);
    }

    fn class_dump(&mut self, offset: u64, r: &ClassDump) {
        self.stats.class_dumps += 1;
        // A class dump after objects: mirror gaps are no longer reliable.
        if self.mirrors_ready {
            self.mirrors.clear();
        }
        let idx = match self.class_by_id.get(&r.id) {
            Some(&i) => {
                if self.classes.get(i as usize).is_some_and(|c| c.dumped) {
                    // A second dump of the same class: keep the first.
                    self.diagnostics.bump("duplicate_object_id", Some(offset));
                    return;
                }
                self.diagnostics
                    .bump("class_dump_after_instances", Some(offset));
                i
            }
            None => {
                let i = self.new_class(ClassInfo::placeholder(r.id));
                self.class_by_id.insert(r.id, i);
                i
            }
        };
        if let Some(c) = self.classes.get_mut(idx as usize) {
            c.dumped = true;
            c.dump_offset = offset;
            c.super_id = r.super_id;
            c.loader_id = r.loader_id;
            c.signers_id = r.signers_id;
            c.protection_domain_id = r.protection_domain_id;
            c.fields = r.fields.clone();
            c.statics = r.statics.clone();
        }
        self.dump_order.push(idx);
    }

    fn instance(&mut self, offset: u64, r: &Instance<'_>) {
        let c = self.class_index(r.class_id, offset);
        self.instance_of(offset, r.id, c);
    }

    fn obj_array(&mut self, offset: u64, r: &ObjArrayHeader) -> bool {
        let c = self.class_index(r.class_id, offset);
        self.obj_array_of(offset, r.id, r.length, c);
        false
    }

    fn prim_array(&mut self, offset: u64, r: &PrimArrayHeader) -> bool {
        self.stats.prim_arrays += 1;
        let c = self.prim_class_index(r.elem);
        self.object(offset, r.id, c, r.length, true);
        false
    }
}

/// The result of pass 1.
pub struct Index {
    /// The file header.
    pub header: Header,
    /// Strings by ID.
    pub strings: StringTable,
    /// Classes.
    pub classes: ClassTable,
    /// Per-class counters (instances, array lengths), by class index.
    pub counts: Vec<ClassCounts>,
    /// The chosen size model.
    pub model: SizeModel,
    /// How the size model was chosen.
    pub model_evidence: ModelEvidence,
    /// Per-object data (only with `per_object`).
    pub objects: Option<ObjectTable>,
    /// GC roots as dumped (IDs).
    pub roots: Vec<GcRoot>,
    /// Stack frames, traces and threads.
    pub stacks: StackTable,
    /// Where records lie in the file.
    pub files: FileMap,
    /// Record counts.
    pub stats: RecordStats,
    /// Tolerated oddities.
    pub diagnostics: Diagnostics,
}

impl Indexer {
    /// Ends pass 1: resolves names and hierarchy, chooses the size model, computes sizes,
    /// and (with `per_object`) builds the object table. One phase after another, each
    /// leaving behind what the next reads.
    pub fn finish(mut self) -> Result<Index, HprofError> {
        let header = self.take_header();
        let id_size = header.id_size;
        self.name_classes();
        let mut t = self.renumber_classes();
        let topo = link_hierarchy(&mut t.classes, &mut self.diagnostics);
        lay_out_dump_data(&mut t.classes, &topo, id_size);
        let (model, model_evidence) = self.choose_size_model(&t, &topo, id_size)?;
        let jlc = size_instances(&mut t, &topo, &model, id_size);
        self.size_class_objects(&mut t, jlc, &model);
        let objects = if self.per_object {
            Some(self.build_object_table(&t, jlc as u32, &model))
        } else {
            None
        };
        Ok(Index {
            header,
            strings: self.strings,
            classes: ClassTable::new(t.classes, t.object_count),
            counts: t.counts,
            model,
            model_evidence,
            objects,
            roots: self.roots,
            stacks: self.stacks,
            files: self.files,
            stats: self.stats,
            diagnostics: self.diagnostics,
        })
    }

    /// The file header (a default with 8-byte IDs if the stream had none), taken out of
    /// the indexer; a dump without heap-dump records is noted (`no_heap_dump`).
    fn take_header(&mut self) -> Header {
        let header = self.header.take().unwrap_or(Header {
            format: String::new(),
            id_size: 8,
            timestamp_ms: 0,
        });
        if self.stats.heap_dump_records == 0 {
            self.diagnostics.bump("no_heap_dump", None);
        }
        header
    }

    /// Names every class from its LOAD_CLASS record and the strings (`<class 0x…>` when
    /// missing), sets its LOAD_CLASS serial, and makes array classes' kind follow their
    /// name; counts missing class and field names. Works on `classes` in pass-1
    /// numbering; synthetic primitive-array classes (ID 0) are named already.
    fn name_classes(&mut self) {
        for c in &mut self.classes {
            if c.id == 0 {
                continue; // synthetic primitive-array class, named already
            }
            let name = self
                .load_classes
                .get(&c.id)
                .and_then(|lc| self.strings.get(lc.name_id));
            match name {
                Some(n) => c.name = java_class_name(&n),
                None => {
                    self.diagnostics
                        .bump("missing_class_name", c.dumped.then_some(c.dump_offset));
                    c.name = format!("<class 0x{:x}>", c.id);
                }
            }
            let unnamed = (c.fields.iter().map(|f| f.name_id))
                .chain(c.statics.iter().map(|f| f.name_id))
                .filter(|&id| self.strings.get(id).is_none())
                .count();
            self.diagnostics
                .add("missing_field_name", unnamed as u64, Some(c.dump_offset));
            if let Some(lc) = self.load_classes.get(&c.id) {
                c.serial = lc.serial;
            }
            if let Some(elem) = c.name.strip_suffix("[]") {
                c.kind = BasicType::from_java_name(elem)
                    .map_or(ClassKind::ObjArray, ClassKind::PrimArray);
            }
        }
    }

    /// Renumbers the classes: dumped classes first (in dump order, so that a class's index
    /// is its object index), then the rest; a synthetic primitive-array class merges into
    /// the dumped class of the same name. Moves `classes` out of the indexer and carries
    /// the per-class counts, gap evidence and mirror gaps over to the new numbering
    /// (merged classes add up); renumbers `array_samples` in place. `class_of` keeps the
    /// pass-1 numbering: the result's `remap` translates it.
    fn renumber_classes(&mut self) -> Renumbered {
        let n = self.classes.len();
        let mut remap = vec![u32::MAX; n];
        let mut order: Vec<u32> = Vec::with_capacity(n);
        for &i in &self.dump_order {
            if let Some(r) = remap.get_mut(i as usize)
                && *r == u32::MAX
            {
                *r = order.len() as u32;
                order.push(i);
            }
        }
        let object_count = order.len() as u32;
        let dumped_by_name: std::collections::HashMap<&str, u32> = order
            .iter()
            .filter_map(|&i| {
                let c = self.classes.get(i as usize)?;
                Some((c.name.as_str(), *remap.get(i as usize)?))
            })
            .collect();
        let mut merged = vec![u32::MAX; n];
        for (i, (c, (r, m))) in self
            .classes
            .iter()
            .zip(remap.iter_mut().zip(merged.iter_mut()))
            .enumerate()
        {
            if *r != u32::MAX {
                continue;
            }
            if c.id == 0
                && let Some(&target) = dumped_by_name.get(c.name.as_str())
            {
                *m = target;
                continue;
            }
            *r = order.len() as u32;
            order.push(i as u32);
        }
        for (r, &m) in remap.iter_mut().zip(&merged) {
            if m != u32::MAX {
                *r = m;
            }
        }
        let mut old_classes: Vec<Option<ClassInfo>> = std::mem::take(&mut self.classes)
            .into_iter()
            .map(Some)
            .collect();
        let mut classes: Vec<ClassInfo> = Vec::with_capacity(order.len());
        let mut counts = vec![ClassCounts::default(); order.len()];
        let mut gaps = vec![GapEvidence::default(); order.len()];
        for &old in &order {
            if let Some(c) = old_classes.get_mut(old as usize).and_then(Option::take) {
                classes.push(c);
            }
        }
        for (old, &new) in remap.iter().enumerate() {
            let (Some(src), Some(dst)) = (self.counts.get(old), counts.get_mut(new as usize))
            else {
                continue;
            };
            dst.count += src.count;
            dst.sum_len += src.sum_len;
            for (d, s) in dst.len_mod8.iter_mut().zip(&src.len_mod8) {
                *d += s;
            }
            if let (Some(g), Some(d)) = (self.gaps.get(old), gaps.get_mut(new as usize)) {
                d.merge(g);
            }
        }
        let mut mirror_gaps = vec![u32::MAX; order.len()];
        for (old, &new) in remap.iter().enumerate() {
            if let (Some(&g), Some(d)) =
                (self.mirror_gaps.get(old), mirror_gaps.get_mut(new as usize))
            {
                *d = (*d).min(g);
            }
        }
        for s in &mut self.array_samples {
            s.0 = remap.get(s.0 as usize).copied().unwrap_or(u32::MAX);
        }
        Renumbered {
            classes,
            counts,
            gaps,
            mirror_gaps,
            remap,
            object_count,
        }
    }

    /// Chooses the size model whose layouts best fit the address gaps (the classes' gap
    /// evidence and the array samples); see [`choose_model`]. Needs the hierarchy linked
    /// (`topo`); fails only for an identifier size without candidates.
    fn choose_size_model(
        &self,
        t: &Renumbered,
        topo: &[u32],
        id_size: u8,
    ) -> Result<(SizeModel, ModelEvidence), HprofError> {
        choose_model(&t.classes, topo, id_size, &t.gaps, &self.array_samples).ok_or_else(|| {
            HprofError::new(
                0,
                crate::format::ErrorKind::Malformed {
                    what: "header",
                    detail: "no size model for this identifier size",
                },
            )
        })
    }

    /// Sizes the class objects: each dumped class's mirror under `model` (its statics
    /// after a base fitted to the gaps after class objects, else the `java.lang.Class`
    /// instance size at `jlc`; see [`mirror_sizes`]) into `object_size`, and counts the
    /// class objects and their bytes under `java.lang.Class`. Needs the instance sizes.
    fn size_class_objects(&self, t: &mut Renumbered, jlc: usize, model: &SizeModel) {
        let class_size = t.classes.get(jlc).map_or(0, |c| c.instance_size);
        let sizes = mirror_sizes(model, &t.classes, &self.strings, &t.mirror_gaps, class_size);
        let mut mirror_bytes = 0u64;
        for (c, size) in t.classes.iter_mut().zip(sizes) {
            c.object_size = size;
            mirror_bytes += size;
        }
        if let Some(k) = t.counts.get_mut(jlc) {
            k.count += u64::from(t.object_count);
            k.mirrors += u64::from(t.object_count);
            k.mirror_bytes += mirror_bytes;
        }
    }

    /// Builds the [`ObjectTable`] (with `per_object`) from the per-object data of pass 1,
    /// which it takes out of the indexer (`ids`, `class_of`, `lens`): class objects first
    /// (class `jlc`), then the other objects in file order with their classes renumbered.
    /// An object is sized by its class's kind, not its record's: an instance by its
    /// class's instance size, an array from its length (0 for an instance record of an
    /// array class), which `first_record` and `odd_records` tell apart. Counts duplicate
    /// IDs. Needs every class sized.
    fn build_object_table(&mut self, t: &Renumbered, jlc: u32, model: &SizeModel) -> ObjectTable {
        let classes = &t.classes;
        let object_count = t.object_count;
        let renumber = |c: u32| t.remap.get(c as usize).copied().unwrap_or(u32::MAX);
        let total = u32::try_from(self.class_of.len() + object_count as usize).unwrap_or(u32::MAX);
        let by_class = classes
            .iter()
            .map(|c| match c.kind {
                ClassKind::Instance => c.instance_size,
                _ => 0,
            })
            .collect();
        let mut sizes = SizesBuilder::new(total, by_class);
        // Every class index is valid here and every instance class has an instance
        // size, so the objects sized one by one are the arrays (and class objects).
        let array_size =
            |c: &ClassInfo, len: u32| c.kind.elem().map_or(0, |e| model.array_size(e, len));
        for c in classes.iter().take(object_count as usize) {
            sizes.push(c.object_size);
        }
        let lens = std::mem::take(&mut self.lens);
        let mut lens_left = lens.iter();
        let mut odd = self.odd_records.iter().peekable();
        for (k, &old) in self.class_of.iter().enumerate() {
            let first_array = self.first_record.get(old as usize).copied().flatten();
            let is_array = first_array.unwrap_or(false) != odd.next_if_eq(&&(k as u64)).is_some();
            let len = if is_array {
                lens_left.next().copied().unwrap_or(0)
            } else {
                0
            };
            let cls = renumber(old);
            if !sizes.push_instance(cls) {
                sizes.push(classes.get(cls as usize).map_or(0, |c| array_size(c, len)));
            }
        }
        drop(lens);
        // Class objects first, then the others renumbered, in one pass into the table.
        let class_of = std::mem::take(&mut self.class_of);
        let class_ids = ClassIds::new(
            std::iter::repeat_n(jlc, object_count as usize)
                .chain(class_of.iter().map(|&c| renumber(c))),
            classes.len(),
        );
        drop(class_of);
        let ids = std::mem::take(&mut self.ids);
        let idmap = IdMap::build(ids, object_count);
        self.diagnostics
            .add("duplicate_object_id", idmap.duplicates(), None);
        ObjectTable {
            class_of: class_ids,
            sizes: sizes.finish(),
            ids: idmap,
            class_objects: object_count,
        }
    }
}

/// The classes in their final numbering, with what pass 1 measured per class carried
/// over: built by `Indexer::renumber_classes`, completed by the later phases of
/// [`Indexer::finish`], and turned into the [`ClassTable`] and histogram counts. Per
/// class, besides its `ClassInfo`: 96 bytes of counts, 8 of gap evidence, 4 of mirror
/// gap, and 4 of `remap` per pass-1 class.
struct Renumbered {
    /// Classes by final index: `classes[..object_count]` are the dumped classes, in dump
    /// order.
    classes: Vec<ClassInfo>,
    /// Histogram counters by final index.
    counts: Vec<ClassCounts>,
    /// Address-gap evidence after instances, by final index.
    gaps: Vec<GapEvidence>,
    /// Address gap after each class object, by final index (`u32::MAX`: unknown).
    mirror_gaps: Vec<u32>,
    /// The final index of each pass-1 class index (for `class_of`).
    remap: Vec<u32>,
    /// Classes that are objects (have a CLASS_DUMP).
    object_count: u32,
}

/// Links each class to its superclass (`super_index`, by ID among the dumped classes;
/// `missing_super_class` when absent), cuts cycles and over-deep hierarchies, and returns
/// the class indices with every superclass before its subclasses, which the layout
/// phases walk.
fn link_hierarchy(classes: &mut [ClassInfo], diags: &mut Diagnostics) -> Vec<u32> {
    let by_id: IdHashMap<u64, u32> = classes
        .iter()
        .enumerate()
        .filter(|(_, c)| c.dumped)
        .map(|(i, c)| (c.id, i as u32))
        .collect();
    for c in classes.iter_mut() {
        if c.super_id != 0 {
            c.super_index = by_id.get(&c.super_id).copied();
            if c.super_index.is_none() {
                diags.bump("missing_super_class", Some(c.dump_offset));
            }
        }
    }
    let topo = topological_order(classes, diags);
    limit_depth(classes, &topo, diags);
    topo
}

/// The dump-format layout of instances (how pass 2 reads an INSTANCE_DUMP, not the live
/// layout of [`super::sizes`]): each class's `data_len`, the bytes of field data of its
/// whole hierarchy, and `ref_offsets`, where its reference fields lie in that data (own
/// fields first, then the superclasses'). `topo` lists superclasses first.
fn lay_out_dump_data(classes: &mut [ClassInfo], topo: &[u32], id_size: u8) {
    for &i in topo {
        let sup = classes
            .get(i as usize)
            .and_then(|c| c.super_index)
            .and_then(|s| classes.get(s as usize));
        let (sup_len, sup_refs) = match sup {
            Some(s) => (s.data_len, s.ref_offsets.clone()),
            None => (0, Vec::new()),
        };
        let Some(c) = classes.get_mut(i as usize) else {
            continue;
        };
        let mut off = 0u32;
        let mut refs = Vec::new();
        for f in &c.fields {
            if f.ty == BasicType::OBJECT {
                refs.push(off);
            }
            off += u32::from(f.ty.size_in_dump(id_size).unwrap_or(0));
        }
        refs.extend(sup_refs.iter().map(|r| r + off));
        c.data_len = off + sup_len;
        c.ref_offsets = refs;
    }
}

/// Sizes the instances under the chosen `model`: the layout, corrected by the classes'
/// address-gap evidence where it disagrees ([`instance_sizes`]), into every class's
/// `instance_size` (0 for arrays). Class objects are instances of `java.lang.Class`: if
/// the dump has no such class, adds a placeholder sized as a bare header (with zeroed
/// counts). Returns the index of `java.lang.Class`.
fn size_instances(t: &mut Renumbered, topo: &[u32], model: &SizeModel, id_size: u8) -> usize {
    let sizes = instance_sizes(&t.classes, topo, model, id_size, Some(&t.gaps));
    for (c, size) in t.classes.iter_mut().zip(sizes) {
        c.instance_size = size;
    }
    match t.classes.iter().position(|c| c.name == "java.lang.Class") {
        Some(i) => i,
        None => {
            let mut c = ClassInfo::placeholder(0);
            c.name = "java.lang.Class".into();
            c.ref_offsets = Vec::new();
            c.instance_size = u64::from(model.header);
            t.classes.push(c);
            t.counts.push(ClassCounts::default());
            t.classes.len() - 1
        }
    }
}

/// Orders classes so that every superclass precedes its subclasses; a class whose
/// superclass chain loops has its superclass link cut (and a diagnostic counted).
fn topological_order(classes: &mut [ClassInfo], diags: &mut Diagnostics) -> Vec<u32> {
    let n = classes.len();
    // 0 = unvisited, 1 = on the current chain, 2 = placed.
    let mut state = vec![0u8; n];
    let mut out = Vec::with_capacity(n);
    let mut chain = Vec::new();
    for start in 0..n {
        if state.get(start) != Some(&0) {
            continue;
        }
        chain.clear();
        let mut cur = Some(start as u32);
        while let Some(c) = cur {
            let Some(st) = state.get_mut(c as usize) else {
                break;
            };
            match *st {
                0 => {
                    *st = 1;
                    chain.push(c);
                    cur = classes.get(c as usize).and_then(|k| k.super_index);
                }
                1 => {
                    // Cycle: cut the link of the last class on the chain.
                    diags.bump(
                        "class_hierarchy_cycle",
                        classes.get(c as usize).map(|k| k.dump_offset),
                    );
                    if let Some(&last) = chain.last()
                        && let Some(k) = classes.get_mut(last as usize)
                    {
                        k.super_index = None;
                    }
                    cur = None;
                }
                _ => cur = None,
            }
        }
        for &c in chain.iter().rev() {
            if let Some(st) = state.get_mut(c as usize) {
                *st = 2;
            }
            out.push(c);
        }
    }
    out
}

/// Cuts the superclass link of classes deeper than [`MAX_HIERARCHY_DEPTH`]; `topo` lists
/// superclasses before their subclasses.
fn limit_depth(classes: &mut [ClassInfo], topo: &[u32], diags: &mut Diagnostics) {
    let mut depth = vec![0usize; classes.len()];
    for &i in topo {
        let Some(c) = classes.get_mut(i as usize) else {
            continue;
        };
        let d = c
            .super_index
            .and_then(|s| depth.get(s as usize))
            .map_or(0, |d| d + 1);
        let d = if d > MAX_HIERARCHY_DEPTH {
            c.super_index = None;
            diags.bump("class_hierarchy_too_deep", Some(c.dump_offset));
            0
        } else {
            d
        };
        if let Some(x) = depth.get_mut(i as usize) {
            *x = d;
        }
    }
}

/// Histogram bytes of a class under `model`: instances × instance size, or the exact sum
/// of aligned array sizes.
pub fn class_bytes(model: &SizeModel, c: &ClassInfo, k: &ClassCounts) -> u64 {
    match c.kind.elem() {
        None => (k.count - k.mirrors) * c.instance_size + k.mirror_bytes,
        Some(elem) => model.arrays_size(elem, k.count, k.sum_len, &k.len_mod8),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::writer::HprofWriter;

    #[test]
    fn objects_whose_record_kind_differs_from_their_class() {
        // Malformed dumps name an array class in an INSTANCE_DUMP, or an instance class in
        // an array record: the object is sized by its class's kind, an array of length 0
        // for an instance record, and the lengths of later arrays stay in step.
        // Gaps of 1012 bytes between objects: evidence for no instance size.
        let id = |k: u64| 0x1000 + k * 1012;
        let mut w = HprofWriter::new(8);
        for (id, s) in [(1, "A"), (2, "[I"), (3, "B"), (4, "f")] {
            w.utf8(id, s);
        }
        for (serial, class) in [(1, 0x100), (2, 0x200), (3, 0x300)] {
            w.load_class(serial, class, u64::from(serial));
        }
        let (int, long) = (BasicType::INT, BasicType::LONG);
        w.class_dump(0x100, 0, 0, 48, &[], &[(4, long); 6])
            .class_dump(0x200, 0, 0, 0, &[], &[])
            .class_dump(0x300, 0, 0, 8, &[], &[(4, long)])
            .instance(id(0), 0x100, &[0; 48])
            .prim_array(id(1), int, 5, &[0; 20])
            .instance(id(2), 0x200, &[])
            .obj_array(id(3), 0x100, &[0, 0, 0])
            .prim_array(id(4), int, 7, &[0; 28])
            .obj_array(id(5), 0x300, &[0, 0])
            .instance(id(6), 0x300, &[0; 8])
            .obj_array(id(7), 0x400, &[0; 9])
            .instance(id(8), 0x400, &[])
            .prim_array(id(9), BasicType::BYTE, 9, &[0; 9]);
        let dump = w.heap_dump_end().finish();
        let index = crate::model::index_bytes(&dump, true).expect("parses");
        let objects = index.objects.as_ref().expect("object table");
        let m = index.model;
        let class = |name: &str| {
            let &[c] = index.classes.by_name(name) else {
                panic!("one class {name}");
            };
            index.classes.get(c).expect("class")
        };
        let (a, b) = (class("A").instance_size, class("B").instance_size);
        assert!(a > 0 && b > 0);
        let obj = BasicType::OBJECT;
        let want = [
            a,
            m.array_size(int, 5),
            m.array_size(int, 0),
            a,
            m.array_size(int, 7),
            b,
            b,
            m.array_size(obj, 9),
            m.array_size(obj, 0),
            m.array_size(BasicType::BYTE, 9),
        ];
        let first = index.classes.object_count;
        let got: Vec<u64> = (0..want.len() as u32)
            .map(|k| objects.size(first + k))
            .collect();
        assert_eq!(got, want);
        assert_eq!(want, [64, 40, 16, 64, 48, 24, 24, 56, 16, 32]);
    }
}

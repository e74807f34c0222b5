//! The inspector: one object's field values, statics, array elements, string text, GC
//! roots, dominator, and the objects that refer to it with the field each goes through
//! (built on [`super::objects`]); a collection's figures and entries, in pages (built on
//! [`super::collection`]), also for the collections its fields hold.

use super::collection::{Facts, Reader};
use super::objects::{
    ObjRef, field_between, instance_fields, obj_ref, obj_ref_plain, primitive_text, record_from,
};
use crate::format::heap_dump::roots::RootKind;
use crate::format::primitives::be_uint;
use crate::format::source::CachedSource;
use crate::format::tags::BasicType;
use crate::format::{ByteSource, HprofError};
use crate::graph::Heap;
use crate::model::classes::ClassKind;
use crate::model::records::Record;
use crate::text::hex_id;
use serde::Serialize;

/// A field (instance or static) and its value.
#[derive(Clone, Debug, Serialize)]
pub struct FieldView {
    /// Class that declares the field.
    pub declaring: String,
    /// Field name.
    pub name: String,
    /// Java type (`int`, `java.lang.Object` for references).
    #[serde(rename = "type")]
    pub ty: &'static str,
    /// The value as text (`null`, `42`, `0x7f3a…`).
    pub value: String,
    /// The referenced object, for non-null references in the dump.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<ObjRef>,
    /// When the referenced object is a collection: its figures and first entries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collection: Option<CollectionView>,
}

/// A collection's figures and a page of its entries.
#[derive(Clone, Debug, Serialize)]
pub struct CollectionView {
    /// Kind, JDK class, size, capacity, fill ratio, wasted bytes.
    #[serde(flatten)]
    pub facts: Facts,
    /// Its first entries.
    pub entries: Vec<EntryView>,
    /// Entries in all (its size).
    pub entries_total: u64,
}

/// One side of a collection entry: a reference.
#[derive(Clone, Debug, Serialize)]
pub struct ItemView {
    /// `null` or the object ID.
    pub value: String,
    /// The object, when in the dump.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<ObjRef>,
}

/// A collection entry: a map's key → value, or a list's, set's or deque's element at a
/// position of its iteration order.
#[derive(Clone, Debug, Serialize)]
pub struct EntryView {
    /// Position in the iteration order.
    pub index: u64,
    /// The key (maps only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<ItemView>,
    /// The value (maps) or the element.
    pub value: ItemView,
}

/// An array element.
#[derive(Clone, Debug, Serialize)]
pub struct ElementView {
    /// Index.
    pub index: u32,
    /// Value as text.
    pub value: String,
    /// The referenced object (object arrays).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<ObjRef>,
}

/// A reference between two objects and the field it goes through.
#[derive(Clone, Debug, Serialize)]
pub struct RefView {
    /// The other object.
    pub object: ObjRef,
    /// The field (`next`, `[17]`, `<class>`, `static CACHE`).
    pub field: String,
}

/// Everything the inspector shows about one object.
#[derive(Clone, Debug, Serialize)]
pub struct ObjectView {
    /// The object.
    #[serde(flatten)]
    pub this: ObjRef,
    /// `instance`, `object array`, `primitive array` or `class`.
    pub kind: &'static str,
    /// Reachable from a GC root.
    pub reachable: bool,
    /// GC root kinds naming this object.
    pub gc_roots: Vec<&'static str>,
    /// Immediate dominator (none: dominated by the GC roots as a whole).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dominator: Option<ObjRef>,
    /// Array length.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length: Option<u32>,
    /// Instance fields (this class's first, then each superclass's).
    pub fields: Vec<FieldView>,
    /// Static fields (class objects).
    pub statics: Vec<FieldView>,
    /// The first array elements.
    pub elements: Vec<ElementView>,
    /// Objects referring to this one (the first ones), with the field used.
    pub referrers: Vec<RefView>,
    /// How many objects refer to it in all.
    pub referrers_total: u64,
    /// A collection's figures (kind, JDK class, size, capacity, fill ratio, wasted bytes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collection: Option<Facts>,
    /// A collection's entries (a page of them), in its iteration order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entries: Option<Vec<EntryView>>,
    /// A collection's entries in all (its size).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entries_total: Option<u64>,
}

/// Which part of an object's lists the inspector shows.
#[derive(Clone, Copy, Debug)]
pub struct Page {
    /// The first array element or collection entry.
    pub offset: u64,
    /// The first referrer.
    pub referrers_offset: u64,
    /// Elements, entries and referrers listed.
    pub limit: u32,
}

/// An entry side: `id` (0: null) as text and, when in the dump, as an object.
fn item(heap: &Heap, src: &mut dyn ByteSource, id: u64) -> ItemView {
    ItemView {
        value: if id == 0 { "null".into() } else { hex_id(id) },
        object: heap.object_by_id(id).map(|o| obj_ref(heap, src, o)),
    }
}

/// Entries `offset ..` of collection `obj` (at most `limit`) as views.
fn entry_views(
    heap: &Heap,
    src: &mut dyn ByteSource,
    reader: &mut Reader<'_>,
    obj: u32,
    offset: u64,
    limit: u32,
) -> Result<Vec<EntryView>, HprofError> {
    let raw = reader.entries(src, obj, offset, limit)?.unwrap_or_default();
    Ok(raw
        .into_iter()
        .map(|(index, k, v)| EntryView {
            index,
            key: k.map(|k| item(heap, src, k)),
            value: item(heap, src, v),
        })
        .collect())
}

/// A collection field's figures and first entries (`None`: not a collection).
fn field_collection(
    heap: &Heap,
    src: &mut dyn ByteSource,
    reader: &mut Reader<'_>,
    obj: Option<&ObjRef>,
    id: u64,
) -> Result<Option<CollectionView>, HprofError> {
    let Some(o) = obj.and_then(|_| heap.object_by_id(id)) else {
        return Ok(None);
    };
    let Some(facts) = reader.facts(src, o)? else {
        return Ok(None);
    };
    let entries = entry_views(
        heap,
        src,
        reader,
        o,
        0,
        crate::query::defaults::FIELD_ENTRIES,
    )?;
    Ok(Some(CollectionView {
        entries_total: facts.size,
        facts,
        entries,
    }))
}

/// The static fields of class `class` (its index, which is its class object's) with their
/// values, references as objects (strings with their text).
pub fn statics(heap: &Heap, src: &mut dyn ByteSource, class: u32) -> Vec<FieldView> {
    let Some(c) = heap.index.classes.get(class) else {
        return Vec::new();
    };
    c.statics
        .iter()
        .map(|s| {
            let is_ref = s.ty == BasicType::OBJECT;
            FieldView {
                declaring: c.name.clone(),
                name: heap.index.strings.get_or(s.name_id),
                ty: s.ty.java_name(),
                value: match (is_ref, s.value) {
                    (true, 0) => "null".into(),
                    (true, id) => hex_id(id),
                    (false, v) => primitive_text(s.ty, v),
                },
                object: is_ref
                    .then(|| heap.object_by_id(s.value))
                    .flatten()
                    .map(|o| obj_ref(heap, src, o)),
                collection: None,
            }
        })
        .collect()
}

/// Everything about object `obj`, with at most `max_items` elements and referrers.
pub fn inspect(
    heap: &Heap,
    src: &mut dyn ByteSource,
    obj: u32,
    max_items: u32,
) -> Result<ObjectView, HprofError> {
    let page = Page {
        offset: 0,
        referrers_offset: 0,
        limit: max_items,
    };
    inspect_page(heap, src, obj, &page)
}

/// Everything about object `obj`: the page `page` of its array elements, collection
/// entries and referrers.
pub fn inspect_page(
    heap: &Heap,
    src: &mut dyn ByteSource,
    obj: u32,
    page: &Page,
) -> Result<ObjectView, HprofError> {
    let mut cached = CachedSource::new(src);
    let src: &mut dyn ByteSource = &mut cached;
    let mut reader = Reader::new(heap);
    let max_items = page.limit;
    let classes = &heap.index.classes;
    let is_class = obj < classes.object_count;
    let kind = if is_class {
        "class"
    } else {
        match heap.class_info(obj).map(|c| c.kind) {
            Some(ClassKind::ObjArray) => "object array",
            Some(ClassKind::PrimArray(_)) => "primitive array",
            _ => "instance",
        }
    };
    let mut roots: Vec<RootKind> = heap.roots_of(obj).iter().map(|r| r.kind).collect();
    roots.sort();
    roots.dedup();
    let dominator = heap.idom(obj).map(|d| obj_ref_plain(heap, d));
    let mut view = ObjectView {
        this: obj_ref(heap, src, obj),
        kind,
        reachable: heap.pre(obj).is_some(),
        gc_roots: roots.iter().map(|k| k.name()).collect(),
        dominator,
        length: None,
        fields: Vec::new(),
        statics: Vec::new(),
        elements: Vec::new(),
        referrers: Vec::new(),
        referrers_total: 0,
        collection: None,
        entries: None,
        entries_total: None,
    };
    let to_ref = |heap: &Heap, src: &mut dyn ByteSource, id: u64| {
        heap.object_by_id(id).map(|o| obj_ref(heap, src, o))
    };
    if is_class {
        view.statics = statics(heap, src, obj);
        let values = classes.get(obj).map(|c| c.statics.iter().map(|s| s.value));
        for (f, id) in view.statics.iter_mut().zip(values.into_iter().flatten()) {
            f.collection = field_collection(heap, src, &mut reader, f.object.as_ref(), id)?;
        }
    } else {
        let first = u32::try_from(page.offset).unwrap_or(u32::MAX);
        match record_from(heap, src, obj, first, max_items)? {
            Some(Record::Instance { data, .. }) => {
                for (ci, name, ty, v) in instance_fields(heap, obj, &data) {
                    let object = if ty == BasicType::OBJECT {
                        to_ref(heap, src, v)
                    } else {
                        None
                    };
                    let collection = field_collection(heap, src, &mut reader, object.as_ref(), v)?;
                    view.fields.push(FieldView {
                        declaring: classes.name(ci).to_string(),
                        name,
                        ty: ty.java_name(),
                        value: if ty == BasicType::OBJECT {
                            if v == 0 { "null".into() } else { hex_id(v) }
                        } else {
                            primitive_text(ty, v)
                        },
                        object,
                        collection,
                    });
                }
            }
            Some(Record::ObjArray { length, elements }) => {
                view.length = Some(length);
                for (i, id) in elements.into_iter().enumerate() {
                    view.elements.push(ElementView {
                        index: first.saturating_add(i as u32),
                        value: if id == 0 { "null".into() } else { hex_id(id) },
                        object: to_ref(heap, src, id),
                    });
                }
            }
            Some(Record::PrimArray { elem, length, data }) => {
                view.length = Some(length);
                let es = usize::from(elem.size_in_dump(8).unwrap_or(1));
                for (i, b) in data.chunks_exact(es).enumerate() {
                    view.elements.push(ElementView {
                        index: first.saturating_add(i as u32),
                        value: primitive_text(elem, be_uint(b)),
                        object: None,
                    });
                }
            }
            None => {}
        }
    }
    if let Some(facts) = reader.facts(src, obj)? {
        view.entries = Some(entry_views(
            heap,
            src,
            &mut reader,
            obj,
            page.offset,
            max_items,
        )?);
        view.entries_total = Some(facts.size);
        view.collection = Some(facts);
    }
    let referrers = heap.referrers(obj);
    view.referrers_total = referrers.len() as u64;
    let skip = usize::try_from(page.referrers_offset).unwrap_or(usize::MAX);
    for r in referrers.into_iter().skip(skip).take(max_items as usize) {
        let field = field_between(heap, src, r, obj)?.unwrap_or_else(|| "?".into());
        view.referrers.push(RefView {
            object: obj_ref(heap, src, r),
            field,
        });
    }
    Ok(view)
}

//! Looking inside objects: field values, array elements, string text, the references an
//! object holds and the objects that refer to it, each with the field it goes through.
//! These re-read records from the file ([`crate::model::records`]).

use super::heap::Heap;
use crate::format::heap_dump::roots::RootKind;
use crate::format::primitives::{be_uint, id_at};
use crate::format::tags::BasicType;
use crate::format::{ByteSource, HprofError};
use crate::model::classes::ClassKind;
use crate::model::records::{Record, read_record};
use crate::model::refs::{Resolver, SlotName, class_refs, instance_refs, slot_name};
use serde::Serialize;

/// Longest string text returned.
pub const MAX_STRING_CHARS: usize = 1000;

/// Formats an object ID: `0x` and lowercase hex.
pub fn hex(id: u64) -> String {
    format!("0x{id:x}")
}

/// A reference to an object, for display.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ObjRef {
    /// Object ID.
    pub object: String,
    /// Class (`class Name` for class objects).
    pub class: String,
    /// Shallow bytes.
    pub shallow_bytes: u64,
    /// Retained bytes.
    pub retained_bytes: u64,
    /// Text of a `java.lang.String` (shortened), or the value of a boxed primitive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

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
}

/// Reads object `obj`'s record (`None` for class objects, whose data is the class table).
pub fn record(
    heap: &Heap,
    src: &mut dyn ByteSource,
    obj: u32,
    max_elements: u32,
) -> Result<Option<Record>, HprofError> {
    let first = heap.index.classes.object_count;
    if obj < first {
        return Ok(None);
    }
    read_record(
        src,
        &heap.index.files,
        heap.index.header.id_size,
        u64::from(obj - first),
        max_elements,
    )
    .map(Some)
}

fn field_name(heap: &Heap, declaring: u32, index: u16) -> String {
    heap.index
        .classes
        .get(declaring)
        .and_then(|c| c.fields.get(index as usize))
        .map_or_else(|| "?".into(), |f| heap.index.strings.get_or(f.name_id))
}

/// Slots of a thread's `<Java local>` references start here (after any field slot).
pub const LOCAL_SLOTS: u32 = 1 << 31;

/// Names slot `slot` of object `obj`.
pub fn describe_slot(heap: &Heap, obj: u32, slot: u32) -> String {
    if slot >= LOCAL_SLOTS {
        return "<Java local>".into();
    }
    let is_class = obj < heap.index.classes.object_count;
    let class = if is_class { obj } else { heap.class_of(obj) };
    match slot_name(&heap.index.classes, class, is_class, slot) {
        Some(SlotName::Class) => "<class>".into(),
        Some(SlotName::Field { declaring, index }) => field_name(heap, declaring, index),
        Some(SlotName::Element(i)) => format!("[{i}]"),
        Some(SlotName::SuperClass) => "<super>".into(),
        Some(SlotName::ClassLoader) => "<classloader>".into(),
        Some(SlotName::Signers) => "<signers>".into(),
        Some(SlotName::ProtectionDomain) => "<protection domain>".into(),
        Some(SlotName::Static(i)) => heap
            .index
            .classes
            .get(obj)
            .and_then(|c| c.statics.get(i as usize))
            .map_or_else(
                || "static ?".into(),
                |s| format!("static {}", heap.index.strings.get_or(s.name_id)),
            ),
        None => "?".into(),
    }
}

/// The references object `obj` holds: (slot, target), in slot order (nulls and IDs outside
/// the dump left out). Arrays: the first `max_elements` elements.
pub fn outgoing(
    heap: &Heap,
    src: &mut dyn ByteSource,
    obj: u32,
    max_elements: u32,
) -> Result<Vec<(u32, u32)>, HprofError> {
    let objects = heap.objects();
    let r = Resolver::new(objects, &heap.index.classes);
    let mut out = Vec::new();
    let id_size = heap.index.header.id_size;
    match record(heap, src, obj, max_elements)? {
        None => {
            let jlc = heap.class_of(obj);
            class_refs(&r, obj, jlc, |slot, _, t| {
                if let Some(t) = t {
                    out.push((slot, t));
                }
            });
        }
        Some(Record::Instance { data, .. }) => {
            instance_refs(&r, heap.class_of(obj), &data, id_size, |slot, _, t| {
                if let Some(t) = t {
                    out.push((slot, t));
                }
            });
            if let Some(locals) = heap.locals.get(&obj) {
                out.extend(
                    locals
                        .iter()
                        .enumerate()
                        .map(|(k, &l)| (LOCAL_SLOTS + k as u32, l)),
                );
            }
        }
        Some(Record::ObjArray { elements, .. }) => {
            if let Some(c) = r.class_object(heap.class_of(obj)) {
                out.push((0, c));
            }
            for (i, &id) in elements.iter().enumerate() {
                if let Some(t) = r.resolve(id) {
                    out.push((i as u32 + 1, t));
                }
            }
        }
        Some(Record::PrimArray { .. }) => {
            if let Some(c) = r.class_object(heap.class_of(obj)) {
                out.push((0, c));
            }
        }
    }
    Ok(out)
}

/// The field through which `from` refers to `to` (the first one if several), or `None`.
pub fn field_between(
    heap: &Heap,
    src: &mut dyn ByteSource,
    from: u32,
    to: u32,
) -> Result<Option<String>, HprofError> {
    let max = match heap.class_info(from).map(|c| c.kind) {
        Some(ClassKind::ObjArray) => u32::MAX,
        _ => 0,
    };
    Ok(outgoing(heap, src, from, max)?
        .into_iter()
        .find(|&(_, t)| t == to)
        .map(|(slot, _)| describe_slot(heap, from, slot)))
}

/// A display reference to `obj`, with string text or boxed value when cheap to get.
pub fn obj_ref(heap: &Heap, src: &mut dyn ByteSource, obj: u32) -> ObjRef {
    ObjRef {
        object: hex(heap.id_of(obj)),
        class: heap.describe_class(obj),
        shallow_bytes: heap.shallow(obj),
        retained_bytes: heap.retained(obj),
        value: value_of(heap, src, obj, 120).ok().flatten(),
    }
}

/// A display reference without reading the file.
pub fn obj_ref_plain(heap: &Heap, obj: u32) -> ObjRef {
    ObjRef {
        object: hex(heap.id_of(obj)),
        class: heap.describe_class(obj),
        shallow_bytes: heap.shallow(obj),
        retained_bytes: heap.retained(obj),
        value: None,
    }
}

fn fmt_prim(ty: BasicType, raw: u64) -> String {
    match ty {
        BasicType::BOOLEAN => (raw != 0).to_string(),
        BasicType::CHAR => {
            char::from_u32(raw as u32).map_or_else(|| format!("\\u{raw:04x}"), |c| format!("'{c}'"))
        }
        BasicType::FLOAT => f32::from_bits(raw as u32).to_string(),
        BasicType::DOUBLE => f64::from_bits(raw).to_string(),
        BasicType::BYTE => (raw as u8 as i8).to_string(),
        BasicType::SHORT => (raw as u16 as i16).to_string(),
        BasicType::INT => (raw as u32 as i32).to_string(),
        BasicType::LONG => (raw as i64).to_string(),
        _ => format!("0x{raw:x}"),
    }
}

/// Values of the instance fields of `obj` by name (nearest declaration first), raw.
fn instance_fields(heap: &Heap, obj: u32, data: &[u8]) -> Vec<(u32, String, BasicType, u64)> {
    let id_size = heap.index.header.id_size;
    let mut out = Vec::new();
    let mut off = 0usize;
    for ci in heap.index.classes.hierarchy(heap.class_of(obj)) {
        let Some(c) = heap.index.classes.get(ci) else {
            break;
        };
        for f in &c.fields {
            let sz = usize::from(f.ty.size_in_dump(id_size).unwrap_or(0));
            let Some(b) = data.get(off..off + sz) else {
                return out;
            };
            let v = if f.ty == BasicType::OBJECT {
                id_at(b, id_size)
            } else {
                be_uint(b)
            };
            out.push((ci, heap.index.strings.get_or(f.name_id), f.ty, v));
            off += sz;
        }
    }
    out
}

/// Text from UTF-16 code units stored big-endian (a `char[]` in the dump); unpaired
/// surrogates become U+FFFD, a trailing odd byte is ignored.
pub fn utf16_be(data: &[u8]) -> String {
    char::decode_utf16(
        data.chunks_exact(2)
            .map(|p| u16::from_be_bytes([p[0], p[1]])),
    )
    .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
    .collect()
}

/// The text of a `java.lang.String` (JDK 9+ `byte[]` with a coder, or JDK ≤ 8 `char[]`),
/// at most `max_chars` characters; the value of a boxed primitive; `None` otherwise.
pub fn value_of(
    heap: &Heap,
    src: &mut dyn ByteSource,
    obj: u32,
    max_chars: usize,
) -> Result<Option<String>, HprofError> {
    let Some(c) = heap.class_info(obj) else {
        return Ok(None);
    };
    let name = c.name.as_str();
    let boxed = matches!(
        name,
        "java.lang.Integer"
            | "java.lang.Long"
            | "java.lang.Short"
            | "java.lang.Byte"
            | "java.lang.Character"
            | "java.lang.Boolean"
            | "java.lang.Float"
            | "java.lang.Double"
    );
    if name != "java.lang.String" && !boxed || obj < heap.index.classes.object_count {
        return Ok(None);
    }
    let Some(Record::Instance { data, .. }) = record(heap, src, obj, 0)? else {
        return Ok(None);
    };
    let fields = instance_fields(heap, obj, &data);
    if boxed {
        return Ok(fields
            .iter()
            .find(|f| f.1 == "value")
            .map(|f| fmt_prim(f.2, f.3)));
    }
    let value = fields
        .iter()
        .find(|f| f.1 == "value" && f.2 == BasicType::OBJECT);
    let coder = fields.iter().find(|f| f.1 == "coder").map(|f| f.3);
    let offset = fields
        .iter()
        .find(|f| f.1 == "offset")
        .map_or(0, |f| f.3 as u32);
    let count = fields.iter().find(|f| f.1 == "count").map(|f| f.3 as u32);
    let Some(&(_, _, _, id)) = value else {
        return Ok(None);
    };
    let Some(arr) = heap.object_by_id(id) else {
        return Ok(Some(String::new()));
    };
    let max = (max_chars as u32).saturating_add(offset).saturating_mul(2);
    let Some(Record::PrimArray { elem, length, data }) = record(heap, src, arr, max)? else {
        return Ok(None);
    };
    let mut text: String = match (elem, coder) {
        // JDK ≤ 8: char[], big-endian in the dump.
        (BasicType::CHAR, _) => {
            let units = data.len() / 2;
            let end = count
                .map_or(units, |c| offset.saturating_add(c) as usize)
                .min(units);
            let bytes = (offset as usize).saturating_mul(2)..end * 2;
            utf16_be(data.get(bytes).unwrap_or(&[]))
        }
        // JDK 9+: coder 0 Latin-1.
        (BasicType::BYTE, Some(0) | None) => data.iter().map(|&b| char::from(b)).collect(),
        // coder 1: UTF-16 in the JVM's byte order (little-endian on x86 and ARM).
        (BasicType::BYTE, Some(_)) => {
            let units: Vec<u16> = data
                .chunks_exact(2)
                .map(|p| u16::from_le_bytes([p[0], p[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        _ => return Ok(None),
    };
    let total_chars = match (elem, coder) {
        (BasicType::BYTE, Some(1)) => length / 2,
        (BasicType::CHAR, _) => count.unwrap_or(length),
        _ => length,
    } as usize;
    if text.chars().count() > max_chars {
        text = text.chars().take(max_chars).collect();
    }
    if total_chars > max_chars {
        text.push('…');
    }
    Ok(Some(text))
}

/// Everything about object `obj`, with at most `max_items` elements and referrers.
pub fn inspect(
    heap: &Heap,
    src: &mut dyn ByteSource,
    obj: u32,
    max_items: u32,
) -> Result<ObjectView, HprofError> {
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
    };
    let to_ref = |heap: &Heap, src: &mut dyn ByteSource, id: u64| {
        heap.object_by_id(id).map(|o| obj_ref(heap, src, o))
    };
    if is_class {
        if let Some(c) = classes.get(obj) {
            for s in &c.statics {
                let object = if s.ty == BasicType::OBJECT {
                    to_ref(heap, src, s.value)
                } else {
                    None
                };
                view.statics.push(FieldView {
                    declaring: c.name.clone(),
                    name: heap.index.strings.get_or(s.name_id),
                    ty: s.ty.java_name(),
                    value: if s.ty == BasicType::OBJECT {
                        if s.value == 0 {
                            "null".into()
                        } else {
                            hex(s.value)
                        }
                    } else {
                        fmt_prim(s.ty, s.value)
                    },
                    object,
                });
            }
        }
    } else {
        match record(heap, src, obj, max_items)? {
            Some(Record::Instance { data, .. }) => {
                for (ci, name, ty, v) in instance_fields(heap, obj, &data) {
                    let object = if ty == BasicType::OBJECT {
                        to_ref(heap, src, v)
                    } else {
                        None
                    };
                    view.fields.push(FieldView {
                        declaring: classes.name(ci).to_string(),
                        name,
                        ty: ty.java_name(),
                        value: if ty == BasicType::OBJECT {
                            if v == 0 { "null".into() } else { hex(v) }
                        } else {
                            fmt_prim(ty, v)
                        },
                        object,
                    });
                }
            }
            Some(Record::ObjArray { length, elements }) => {
                view.length = Some(length);
                for (i, id) in elements.into_iter().enumerate() {
                    view.elements.push(ElementView {
                        index: i as u32,
                        value: if id == 0 { "null".into() } else { hex(id) },
                        object: to_ref(heap, src, id),
                    });
                }
            }
            Some(Record::PrimArray { elem, length, data }) => {
                view.length = Some(length);
                let es = usize::from(elem.size_in_dump(8).unwrap_or(1));
                for (i, b) in data.chunks_exact(es).enumerate() {
                    view.elements.push(ElementView {
                        index: i as u32,
                        value: fmt_prim(elem, be_uint(b)),
                        object: None,
                    });
                }
            }
            None => {}
        }
    }
    let referrers = heap.referrers(obj);
    view.referrers_total = referrers.len() as u64;
    for r in referrers.into_iter().take(max_items as usize) {
        let field = field_between(heap, src, r, obj)?.unwrap_or_else(|| "?".into());
        view.referrers.push(RefView {
            object: obj_ref(heap, src, r),
            field,
        });
    }
    Ok(view)
}

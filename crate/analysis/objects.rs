//! What any report says about one object, read from the heap and, where values are
//! needed, from the object's record in the file ([`crate::model::records`]): a display
//! reference ([`ObjRef`]), its references in slot order and the field each goes through,
//! its field values, the text of a `String`. The inspector, paths, Finalizer, suspects and
//! thread reports all build on these.

use crate::format::primitives::{be_uint, id_at};
use crate::format::tags::BasicType;
use crate::format::{ByteSource, HprofError};
use crate::graph::Heap;
use crate::model::classes::ClassKind;
use crate::model::records::{Record, read_record_from};
use crate::model::refs::{Resolver, SlotName, class_refs, instance_refs, slot_name};
use crate::text::{hex_id, utf16_be, utf16_le};
use serde::Serialize;

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

/// Reads object `obj`'s record (`None` for class objects, whose data is the class table).
pub fn record(
    heap: &Heap,
    src: &mut dyn ByteSource,
    obj: u32,
    max_elements: u32,
) -> Result<Option<Record>, HprofError> {
    record_from(heap, src, obj, 0, max_elements)
}

/// [`record`] with an array's elements from index `first` on (at most `max_elements`).
pub fn record_from(
    heap: &Heap,
    src: &mut dyn ByteSource,
    obj: u32,
    first: u32,
    max_elements: u32,
) -> Result<Option<Record>, HprofError> {
    let classes = heap.index.classes.object_count;
    if obj < classes {
        return Ok(None);
    }
    read_record_from(
        src,
        &heap.index.files,
        heap.index.header.id_size,
        u64::from(obj - classes),
        first,
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
            out.extend(
                heap.roots
                    .locals_of(obj)
                    .iter()
                    .enumerate()
                    .map(|(k, &l)| (LOCAL_SLOTS + k as u32, l)),
            );
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
        object: hex_id(heap.id_of(obj)),
        class: heap.describe_class(obj),
        shallow_bytes: heap.shallow(obj),
        retained_bytes: heap.retained(obj),
        value: value_of(heap, src, obj, 120).ok().flatten(),
    }
}

/// A display reference without reading the file.
pub fn obj_ref_plain(heap: &Heap, obj: u32) -> ObjRef {
    ObjRef {
        object: hex_id(heap.id_of(obj)),
        class: heap.describe_class(obj),
        shallow_bytes: heap.shallow(obj),
        retained_bytes: heap.retained(obj),
        value: None,
    }
}

/// A primitive value as Java would print it (`true`, `'a'`, `-1`, `1.5`).
pub fn primitive_text(ty: BasicType, raw: u64) -> String {
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

/// The instance fields of `obj` as (declaring class, name, type, raw value), this
/// class's first, then each superclass's (the dump's order), read from its record data.
pub fn instance_fields(heap: &Heap, obj: u32, data: &[u8]) -> Vec<(u32, String, BasicType, u64)> {
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
            .map(|f| primitive_text(f.2, f.3)));
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
        (BasicType::BYTE, Some(_)) => utf16_le(&data),
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

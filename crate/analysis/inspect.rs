//! The inspector: one object's field values, statics, array elements, string text, GC
//! roots, dominator, and the objects that refer to it with the field each goes through
//! (built on [`super::objects`]).

use super::objects::{
    ObjRef, field_between, instance_fields, obj_ref, obj_ref_plain, primitive_text, record,
};
use crate::format::heap_dump::roots::RootKind;
use crate::format::primitives::be_uint;
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
        view.statics = statics(heap, src, obj);
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
                            if v == 0 { "null".into() } else { hex_id(v) }
                        } else {
                            primitive_text(ty, v)
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
                        index: i as u32,
                        value: primitive_text(elem, be_uint(b)),
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

//! Decoding the references an object record holds, into dense object indices.
//!
//! An object's outgoing references, in a fixed order that every pass reproduces:
//! - every object: its class object (as Eclipse MAT counts it), when the class was dumped;
//! - instances: reference fields in dump order (this class's fields first, then each
//!   superclass's), nulls and IDs outside the dump skipped;
//! - object arrays: the non-null elements;
//! - class objects: superclass, class loader, signers, protection domain, then reference
//!   statics (including the dumper's `<resolved_references>`), all from pass 1's class table.
//!
//! A *slot* numbers the candidate references of an object (class = slot 0, then field or
//! element k = slot k + 1), so a reference can be named ("field `next`", "[17]") by
//! re-decoding the record.

use super::classes::{ClassKind, ClassTable};
use super::objects::ObjectTable;
use crate::format::primitives::id_at;
use crate::format::tags::BasicType;

/// Resolves IDs to object indices.
pub struct Resolver<'a> {
    objects: &'a ObjectTable,
    classes: &'a ClassTable,
}

impl<'a> Resolver<'a> {
    /// A resolver over pass 1's tables.
    pub fn new(objects: &'a ObjectTable, classes: &'a ClassTable) -> Self {
        Resolver { objects, classes }
    }

    /// The index of the object with this ID (non-class objects, then class objects).
    #[inline]
    pub fn resolve(&self, id: u64) -> Option<u32> {
        if id == 0 {
            return None;
        }
        self.objects.ids.get(id).or_else(|| {
            self.classes
                .by_id(id)
                .filter(|&c| c < self.classes.object_count)
        })
    }

    /// The object index of class `class`'s class object, if it was dumped.
    #[inline]
    pub fn class_object(&self, class: u32) -> Option<u32> {
        (class < self.classes.object_count).then_some(class)
    }
}

/// What a reference slot is, for naming it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SlotName {
    /// The object's class.
    Class,
    /// An instance field: declaring class index and field position in its declaration.
    Field {
        /// Class that declares the field.
        declaring: u32,
        /// Position among that class's declared fields.
        index: u16,
    },
    /// An array element.
    Element(u32),
    /// A class object's superclass link.
    SuperClass,
    /// A class object's loader.
    ClassLoader,
    /// A class object's signers.
    Signers,
    /// A class object's protection domain.
    ProtectionDomain,
    /// A class object's static field (position among its statics).
    Static(u16),
}

/// The references of an instance whose dump data is `data`: `f(slot, id, target)` for every
/// slot, `target` being `None` for nulls (`id` 0) and IDs outside the dump. Returns whether
/// the data length matched the class layout.
#[inline]
pub fn instance_refs(
    r: &Resolver<'_>,
    class: u32,
    data: &[u8],
    id_size: u8,
    mut f: impl FnMut(u32, u64, Option<u32>),
) -> bool {
    f(0, 0, r.class_object(class));
    let Some(c) = r.classes.get(class) else {
        return false;
    };
    let sz = usize::from(id_size);
    for (k, &off) in c.ref_offsets.iter().enumerate() {
        let off = off as usize;
        let Some(b) = data.get(off..off + sz) else {
            return false;
        };
        let id = id_at(b, id_size);
        f(k as u32 + 1, id, r.resolve(id));
    }
    data.len() == c.data_len as usize
}

/// The references of class object `class` (from the class table), as for
/// [`instance_refs`]; `jlc` is the class index of `java.lang.Class`.
pub fn class_refs(
    r: &Resolver<'_>,
    class: u32,
    jlc: u32,
    mut f: impl FnMut(u32, u64, Option<u32>),
) {
    f(0, 0, r.class_object(jlc));
    let Some(c) = r.classes.get(class) else {
        return;
    };
    let mut slot = 1;
    for id in [
        c.super_id,
        c.loader_id,
        c.signers_id,
        c.protection_domain_id,
    ] {
        f(slot, id, r.resolve(id));
        slot += 1;
    }
    for s in &c.statics {
        if s.ty == BasicType::OBJECT {
            f(slot, s.value, r.resolve(s.value));
        }
        slot += 1;
    }
}

/// Names slot `slot` of an object of class `class` (for class objects, pass `is_class`).
pub fn slot_name(classes: &ClassTable, class: u32, is_class: bool, slot: u32) -> Option<SlotName> {
    if slot == 0 {
        return Some(SlotName::Class);
    }
    if is_class {
        return Some(match slot {
            1 => SlotName::SuperClass,
            2 => SlotName::ClassLoader,
            3 => SlotName::Signers,
            4 => SlotName::ProtectionDomain,
            s => SlotName::Static((s - 5) as u16),
        });
    }
    let c = classes.get(class)?;
    match c.kind {
        ClassKind::ObjArray | ClassKind::PrimArray(_) => Some(SlotName::Element(slot - 1)),
        ClassKind::Instance => {
            // Slot k+1 is the k-th reference field in dump order: walk the hierarchy.
            let mut k = slot - 1;
            for ci in classes.hierarchy(class) {
                let cc = classes.get(ci)?;
                for (i, fd) in cc.fields.iter().enumerate() {
                    if fd.ty == BasicType::OBJECT {
                        if k == 0 {
                            return Some(SlotName::Field {
                                declaring: ci,
                                index: i as u16,
                            });
                        }
                        k -= 1;
                    }
                }
            }
            None
        }
    }
}

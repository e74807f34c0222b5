//! `CLASS_DUMP` (0x20): a class object with its statics and instance field layout.
//!
//! ```text
//! ID  class object       | u4 stack trace serial | ID super class | ID class loader
//! ID  signers            | ID protection domain  | ID reserved    | ID reserved
//! u4  instance size (as the VM reports it; not trusted for shallow sizes)
//! u2  constant pool size | [u2 index, u1 type, value]*
//! u2  static field count | [ID name, u1 type, value]*
//! u2  instance field count | [ID name, u1 type]*   (declared fields of this class only)
//! ```
//! A value's size follows its type: IDs for objects, 1/2/4/8 bytes for primitives.

use crate::format::primitives::{PErr, PErrKind, PResult, be_uint, id};
use crate::format::tags::BasicType;
use nom::number::streaming::{be_u8, be_u16, be_u32};

/// A static field and its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StaticField {
    /// UTF8 ID of the name.
    pub name_id: u64,
    /// Type.
    pub ty: BasicType,
    /// The value's raw bits, zero-extended (the referenced ID for objects).
    pub value: u64,
}

/// A declared instance field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldDesc {
    /// UTF8 ID of the name.
    pub name_id: u64,
    /// Type.
    pub ty: BasicType,
}

/// A parsed CLASS_DUMP.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClassDump {
    /// The class object's ID.
    pub id: u64,
    /// Stack trace serial.
    pub stack_serial: u32,
    /// Superclass ID (0 for none).
    pub super_id: u64,
    /// Class loader ID (0 for the bootstrap loader).
    pub loader_id: u64,
    /// Signers ID.
    pub signers_id: u64,
    /// Protection domain ID.
    pub protection_domain_id: u64,
    /// Instance size as reported by the VM.
    pub instance_size: u32,
    /// Number of constant pool entries (their values are not kept).
    pub constant_pool_len: u16,
    /// Static fields with values.
    pub statics: Vec<StaticField>,
    /// Declared instance fields, in dump order.
    pub fields: Vec<FieldDesc>,
}

fn value(id_size: u8, what: &'static str) -> impl Fn(&[u8]) -> PResult<'_, (BasicType, u64)> {
    move |i| {
        let (i, t) = be_u8(i)?;
        let ty = BasicType(t);
        let Some(sz) = ty.size_in_dump(id_size) else {
            return Err(nom::Err::Failure(PErr {
                kind: PErrKind::BadType { what, code: t },
            }));
        };
        let Some((raw, rest)) = i.split_at_checked(usize::from(sz)) else {
            return Err(nom::Err::Incomplete(nom::Needed::new(
                usize::from(sz) - i.len(),
            )));
        };
        let v = be_uint(raw);
        Ok((rest, (ty, v)))
    }
}

/// Parses a CLASS_DUMP body (after the sub-record tag).
pub fn parse_class_dump(id_size: u8) -> impl Fn(&[u8]) -> PResult<'_, ClassDump> {
    move |i| {
        let idp = id(id_size);
        let (i, cid) = idp(i)?;
        let (i, stack_serial) = be_u32(i)?;
        let (i, super_id) = idp(i)?;
        let (i, loader_id) = idp(i)?;
        let (i, signers_id) = idp(i)?;
        let (i, protection_domain_id) = idp(i)?;
        let (i, _) = idp(i)?;
        let (i, _) = idp(i)?;
        let (i, instance_size) = be_u32(i)?;
        let (mut i, constant_pool_len) = be_u16(i)?;
        for _ in 0..constant_pool_len {
            let (r, _) = be_u16(i)?;
            let (r, _) = value(id_size, "CLASS_DUMP constant pool")(r)?;
            i = r;
        }
        let (mut i, n_statics) = be_u16(i)?;
        // Capacity is bounded by a u16 count, not by an unchecked length.
        let mut statics = Vec::with_capacity(usize::from(n_statics));
        for _ in 0..n_statics {
            let (r, name_id) = idp(i)?;
            let (r, (ty, v)) = value(id_size, "CLASS_DUMP static field")(r)?;
            statics.push(StaticField {
                name_id,
                ty,
                value: v,
            });
            i = r;
        }
        let (mut i, n_fields) = be_u16(i)?;
        let mut fields = Vec::with_capacity(usize::from(n_fields));
        for _ in 0..n_fields {
            let (r, name_id) = idp(i)?;
            let (r, t) = be_u8(r)?;
            let ty = BasicType(t);
            if ty.size_in_dump(id_size).is_none() {
                return Err(nom::Err::Failure(PErr {
                    kind: PErrKind::BadType {
                        what: "CLASS_DUMP instance field",
                        code: t,
                    },
                }));
            }
            fields.push(FieldDesc { name_id, ty });
            i = r;
        }
        Ok((
            i,
            ClassDump {
                id: cid,
                stack_serial,
                super_id,
                loader_id,
                signers_id,
                protection_domain_id,
                instance_size,
                constant_pool_len,
                statics,
                fields,
            },
        ))
    }
}

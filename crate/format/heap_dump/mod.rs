//! Heap-dump sub-records (inside `HEAP_DUMP` / `HEAP_DUMP_SEGMENT`). Each sub-record is a
//! one-byte tag followed by a body whose length follows from the tag and its header;
//! there is no length prefix, so an unknown tag ends the parse.
//!
//! Android's `HEAP_DUMP_INFO` (0xFE) is `u4 heap id | ID heap name`: it switches the heap
//! (zygote, image, app) that the following objects belong to.

pub mod arrays;
pub mod class_dump;
pub mod instance;
pub mod roots;

use crate::format::error::ErrorKind;
use crate::format::primitives::u32_at;
use crate::format::tags::{BasicType, SubTag};

/// How far a heap sub-record extends, from its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extent {
    /// An object record: `header` bytes (tag included), then `body` bytes.
    Object {
        /// Header bytes, tag included.
        header: usize,
        /// Body bytes (field data or elements).
        body: u64,
    },
    /// A non-object sub-record of this total length.
    Other(u64),
    /// More bytes are needed to tell (a CLASS_DUMP is variable-length: parse it).
    ClassDump,
    /// `b` is too short.
    NeedMore,
}

/// The extent of the sub-record starting at `b[0]`, without reading its body.
pub fn extent(b: &[u8], id_size: u8) -> Result<Extent, ErrorKind> {
    let Some(&t) = b.first() else {
        return Ok(Extent::NeedMore);
    };
    let tag = SubTag(t);
    let idz = usize::from(id_size);
    let need = |n: usize| b.len() < n;
    Ok(match tag {
        SubTag::HPROF_GC_INSTANCE_DUMP => {
            let h = 1 + instance::header_len(id_size);
            if need(h) {
                return Ok(Extent::NeedMore);
            }
            Extent::Object {
                header: h,
                body: u64::from(u32_at(b, 1 + 2 * idz + 4)),
            }
        }
        SubTag::HPROF_GC_OBJ_ARRAY_DUMP => {
            let h = 1 + arrays::obj_header_len(id_size);
            if need(h) {
                return Ok(Extent::NeedMore);
            }
            Extent::Object {
                header: h,
                body: u64::from(u32_at(b, 1 + idz + 4)) * idz as u64,
            }
        }
        SubTag::HPROF_GC_PRIM_ARRAY_DUMP | SubTag::HPROF_PRIMITIVE_ARRAY_NODATA_DUMP => {
            let h = 1 + arrays::prim_header_len(id_size);
            if need(h) {
                return Ok(Extent::NeedMore);
            }
            let elem = BasicType(b.get(h - 1).copied().unwrap_or(0));
            let es = match elem.size_in_dump(id_size) {
                Some(s) if elem != BasicType::OBJECT => u64::from(s),
                _ => {
                    return Err(ErrorKind::BadBasicType {
                        what: "PRIM_ARRAY_DUMP",
                        code: elem.0,
                    });
                }
            };
            let body = if tag == SubTag::HPROF_PRIMITIVE_ARRAY_NODATA_DUMP {
                0
            } else {
                u64::from(u32_at(b, 1 + idz + 4)) * es
            };
            Extent::Object { header: h, body }
        }
        SubTag::HPROF_GC_CLASS_DUMP => Extent::ClassDump,
        SubTag::HPROF_HEAP_DUMP_INFO => Extent::Other(1 + 4 + idz as u64),
        _ => match roots::root_layout(tag) {
            Some((_, ids, words)) => {
                Extent::Other(1 + u64::from(ids) * idz as u64 + u64::from(words) * 4)
            }
            None => return Err(ErrorKind::UnknownSubTag(tag)),
        },
    })
}

//! Array sub-records. Their bodies can be gigabytes, so the stream layer delivers the
//! elements in pieces after the header.
//!
//! ```text
//! OBJ_ARRAY_DUMP  0x22  ID array | u4 stack serial | u4 length | ID array class | [ID]*
//! PRIM_ARRAY_DUMP 0x23  ID array | u4 stack serial | u4 length | u1 element type | [value]*
//! Android PRIMITIVE_ARRAY_NODATA 0xC3: the PRIM_ARRAY_DUMP header without the values
//! ```

use crate::format::tags::BasicType;

/// Header of an object array.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ObjArrayHeader {
    /// The array's ID.
    pub id: u64,
    /// Stack trace serial.
    pub stack_serial: u32,
    /// Number of elements.
    pub length: u32,
    /// Array class ID.
    pub class_id: u64,
}

/// Header of a primitive array.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrimArrayHeader {
    /// The array's ID.
    pub id: u64,
    /// Stack trace serial.
    pub stack_serial: u32,
    /// Number of elements.
    pub length: u32,
    /// Element type (never OBJECT).
    pub elem: BasicType,
}

/// Bytes of an OBJ_ARRAY_DUMP header after the tag.
pub fn obj_header_len(id_size: u8) -> usize {
    2 * usize::from(id_size) + 8
}

/// Bytes of a PRIM_ARRAY_DUMP (or NODATA) header after the tag.
pub fn prim_header_len(id_size: u8) -> usize {
    usize::from(id_size) + 9
}

//! `INSTANCE_DUMP` (0x21): one object's instance field values.
//!
//! ```text
//! ID  object | u4 stack trace serial | ID class object | u4 byte count
//! [u1]*  field values: this class's declared fields first, then its superclass's, and so
//!        on up the hierarchy; each value in its dump size (IDs for references)
//! ```

/// Bytes of an INSTANCE_DUMP header after the tag: two IDs and two u4 words.
pub fn header_len(id_size: u8) -> usize {
    2 * usize::from(id_size) + 8
}

/// The largest instance body accepted. The JVM limits a class to 65 535 fields of at most
/// 8 bytes, and real hierarchies are far below this; a larger value is a corrupt length.
pub const MAX_INSTANCE_BYTES: u32 = 16 << 20;

/// An instance dump, borrowing its field bytes.
#[derive(Clone, Copy, Debug)]
pub struct Instance<'a> {
    /// The object's ID.
    pub id: u64,
    /// Stack trace serial.
    pub stack_serial: u32,
    /// Class object ID.
    pub class_id: u64,
    /// Raw field values.
    pub data: &'a [u8],
}

//! `HPROF_UTF8` (0x01): a string that other records refer to by ID.
//!
//! ```text
//! ID    string id
//! [u1]* modified-UTF8 bytes, not NUL-terminated (the rest of the record)
//! ```

use super::primitives::{PResult, id};

/// A UTF8 record, borrowing its bytes.
#[derive(Clone, Copy, Debug)]
pub struct Utf8<'a> {
    /// The string's ID.
    pub id: u64,
    /// The raw (modified UTF-8) bytes.
    pub bytes: &'a [u8],
}

/// Parses a UTF8 record body (the whole body).
pub fn parse_utf8(id_size: u8) -> impl Fn(&[u8]) -> PResult<'_, Utf8<'_>> {
    move |i| {
        let (rest, sid) = id(id_size)(i)?;
        let (bytes, end) = rest.split_at(rest.len());
        Ok((end, Utf8 { id: sid, bytes }))
    }
}

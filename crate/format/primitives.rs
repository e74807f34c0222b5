//! nom building blocks shared by every record parser: streaming big-endian numbers,
//! identifiers of the dump's size, and the parse-error type.
//!
//! Parsers return `Incomplete` when the input slice ends early; the stream layer turns
//! that into "push more bytes", and only at the end of input into a `Truncated` error.

use nom::error::{ErrorKind as NomKind, ParseError};
use nom::number::streaming::{be_u32, be_u64};

/// Why a record parser failed (other than running out of input).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PErrKind {
    /// A nom combinator failed (malformed data).
    Nom(NomKind),
    /// An undefined basic type code.
    BadType {
        /// Where it was found.
        what: &'static str,
        /// The code.
        code: u8,
    },
}

/// The error type of all record parsers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PErr {
    /// What went wrong.
    pub kind: PErrKind,
}

impl<I> ParseError<I> for PErr {
    fn from_error_kind(_input: I, kind: NomKind) -> Self {
        PErr {
            kind: PErrKind::Nom(kind),
        }
    }
    fn append(_input: I, _kind: NomKind, other: Self) -> Self {
        other
    }
}

/// Result of a record parser.
pub type PResult<'a, T> = nom::IResult<&'a [u8], T, PErr>;

/// Reads one identifier of `id_size` (4 or 8) bytes, zero-extended to u64.
#[inline(always)]
pub fn id(id_size: u8) -> impl Fn(&[u8]) -> PResult<'_, u64> {
    move |i: &[u8]| {
        if id_size == 4 {
            let (i, v) = be_u32(i)?;
            Ok((i, u64::from(v)))
        } else {
            be_u64(i)
        }
    }
}

/// Reads an identifier at the start of `b` without nom (caller checked the length).
#[inline(always)]
pub fn id_at(b: &[u8], id_size: u8) -> u64 {
    if id_size == 4 {
        match b.first_chunk::<4>() {
            Some(c) => u64::from(u32::from_be_bytes(*c)),
            None => 0,
        }
    } else {
        match b.first_chunk::<8>() {
            Some(c) => u64::from_be_bytes(*c),
            None => 0,
        }
    }
}

/// Reads an identifier at `b[at..]`, or 0 when out of range (caller checked the length).
#[inline(always)]
pub fn id_at_offset(b: &[u8], at: usize, id_size: u8) -> u64 {
    match b.get(at..) {
        Some(rest) => id_at(rest, id_size),
        None => 0,
    }
}

/// The big-endian unsigned number in `b` (a field value of 1 to 8 bytes; only the last 8
/// bytes count if there are more; 0 for none).
#[inline]
pub fn be_uint(b: &[u8]) -> u64 {
    b.iter().fold(0u64, |a, &x| (a << 8) | u64::from(x))
}

/// Reads a big-endian u32 at `b[at..]`, or 0 when out of range (caller checked the length).
#[inline(always)]
pub fn u32_at(b: &[u8], at: usize) -> u32 {
    match b.get(at..).and_then(|s| s.first_chunk::<4>()) {
        Some(c) => u32::from_be_bytes(*c),
        None => 0,
    }
}

/// A run of identifiers as they lie in the dump, decoded on iteration.
#[derive(Clone, Copy, Debug)]
pub struct IdList<'a> {
    /// The raw big-endian bytes; a whole number of identifiers.
    pub raw: &'a [u8],
    /// The identifier size.
    pub id_size: u8,
}

impl<'a> IdList<'a> {
    /// Number of identifiers.
    pub fn len(&self) -> usize {
        self.raw.len() / usize::from(self.id_size.max(1))
    }
    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }
    /// Iterates the identifiers.
    pub fn iter(&self) -> impl Iterator<Item = u64> + 'a {
        let sz = self.id_size;
        self.raw
            .chunks_exact(usize::from(sz.max(1)))
            .map(move |c| id_at(c, sz))
    }
}

//! Fatal parse errors. Every error names what was being read and the byte offset where
//! that thing starts (in the decompressed stream for gzip dumps).

use super::tags::SubTag;
use crate::text::group_digits;
use std::fmt;

/// A fatal error while reading a dump.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HprofError {
    /// Byte offset of the start of the item that could not be read.
    pub offset: u64,
    /// What went wrong.
    pub kind: ErrorKind,
    /// True when `offset` counts bytes of the decompressed stream of a gzip file.
    pub decompressed: bool,
}

/// The kinds of fatal error.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input ended inside `what`, after `have` of its bytes.
    Truncated {
        /// The record or field being read.
        what: &'static str,
        /// Bytes of `what` that were present.
        have: u64,
    },
    /// The input is not an HPROF file; `detected` says what it looks like.
    NotHprof {
        /// A description of the content (`a ZIP archive`, `a PNG image`, `empty file`).
        detected: String,
    },
    /// The header's identifier size is neither 4 nor 8.
    BadIdSize(u32),
    /// A heap-dump sub-record tag the reader does not know. Sub-records carry no length,
    /// so the rest of the segment cannot be skipped.
    UnknownSubTag(SubTag),
    /// A basic-type code that is not defined (in a field, a static or an array).
    BadBasicType {
        /// Where the code was found.
        what: &'static str,
        /// The code.
        code: u8,
    },
    /// A length field whose value is impossible (overflows, exceeds its container, or
    /// exceeds a hard limit of the reader).
    LengthOverflow {
        /// The record whose length is wrong.
        what: &'static str,
        /// The length that was read.
        length: u64,
    },
    /// A record whose content does not match its declared length or structure.
    Malformed {
        /// The record.
        what: &'static str,
        /// What is wrong with it.
        detail: &'static str,
    },
    /// A heap-dump sub-record runs past the end of its enclosing segment.
    SubRecordOverrun {
        /// The sub-record.
        what: &'static str,
    },
    /// The file is HPROF but holds no heap dump (a CPU or allocation profile).
    NoHeapDump,
    /// Heap-dump segments were not closed by HEAP_DUMP_END: the file was cut short at a
    /// record boundary.
    MissingHeapDumpEnd,
    /// The gzip stream is corrupt.
    Gzip {
        /// What the decompressor reported.
        detail: String,
    },
    /// Reading the underlying file failed.
    Io {
        /// What the operating system or browser reported.
        detail: String,
    },
    /// The dump is too large for this build's model (the message says which limit).
    TooLarge {
        /// Which limit was hit.
        detail: String,
    },
    /// A record whose values cannot be told apart from its references, so that no
    /// redacted copy can be made (see `format::redact`).
    Unredactable {
        /// The record.
        what: &'static str,
        /// Why.
        detail: String,
    },
}

impl fmt::Display for HprofError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = group_digits(self.offset);
        match &self.kind {
            ErrorKind::Truncated { what, have } => write!(
                f,
                "truncated {what} at offset {at}: the input ends {} byte{} into it",
                group_digits(*have),
                if *have == 1 { "" } else { "s" }
            ),
            ErrorKind::NotHprof { detected } => {
                write!(f, "not an HPROF heap dump at offset {at}: {detected}")
            }
            ErrorKind::BadIdSize(n) => write!(
                f,
                "bad identifier size in header at offset {at}: {n} (HPROF uses 4 or 8)"
            ),
            ErrorKind::UnknownSubTag(t) => write!(
                f,
                "unknown heap-dump sub-record tag 0x{:02X} at offset {at}: sub-records have no \
                 length, so the rest of the dump cannot be read",
                t.0
            ),
            ErrorKind::BadBasicType { what, code } => {
                write!(f, "invalid basic type {code} in {what} at offset {at}")
            }
            ErrorKind::LengthOverflow { what, length } => write!(
                f,
                "impossible length {} in {what} at offset {at}",
                group_digits(*length)
            ),
            ErrorKind::Malformed { what, detail } => {
                write!(f, "malformed {what} at offset {at}: {detail}")
            }
            ErrorKind::SubRecordOverrun { what } => write!(
                f,
                "{what} at offset {at} runs past the end of its heap-dump segment"
            ),
            ErrorKind::NoHeapDump => write!(
                f,
                "no heap dump in this HPROF file (it ends at offset {at}): it may be a CPU or \
                 allocation profile"
            ),
            ErrorKind::MissingHeapDumpEnd => write!(
                f,
                "truncated heap dump at offset {at}: the file ends after a HEAP_DUMP_SEGMENT \
                 without the HEAP_DUMP_END record"
            ),
            ErrorKind::Gzip { detail } => {
                write!(f, "corrupt gzip stream at compressed offset {at}: {detail}")
            }
            ErrorKind::Io { detail } => write!(f, "read error at offset {at}: {detail}"),
            ErrorKind::TooLarge { detail } => {
                write!(f, "dump too large (at offset {at}): {detail}")
            }
            ErrorKind::Unredactable { what, detail } => {
                write!(f, "cannot redact the {what} at offset {at}: {detail}")
            }
        }?;
        if self.decompressed {
            write!(f, " (offsets count decompressed bytes)")?;
        }
        Ok(())
    }
}

impl std::error::Error for HprofError {}

impl HprofError {
    /// Shorthand constructor.
    pub fn new(offset: u64, kind: ErrorKind) -> Self {
        HprofError {
            offset,
            kind,
            decompressed: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_grouped_like_the_issue_example() {
        let e = HprofError::new(
            18_446_021,
            ErrorKind::Truncated {
                what: "INSTANCE_DUMP",
                have: 3,
            },
        );
        assert!(
            e.to_string()
                .starts_with("truncated INSTANCE_DUMP at offset 18 446 021")
        );
    }
}

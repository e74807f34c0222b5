//! The file header:
//!
//! ```text
//! [u1]* "JAVA PROFILE 1.0.1" | "1.0.2" | "1.0.3" (Android), NUL-terminated
//! u4    identifier size (4 or 8)
//! u4    high word of the timestamp (milliseconds since the epoch)
//! u4    low word
//! ```

use super::error::{ErrorKind, HprofError};

/// The parsed file header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// The format string without its NUL, e.g. `JAVA PROFILE 1.0.2`.
    pub format: String,
    /// Identifier size: 4 or 8.
    pub id_size: u8,
    /// When the dump was taken, milliseconds since the epoch.
    pub timestamp_ms: u64,
}

/// The longest format string we accept before deciding the input is not HPROF.
pub const MAX_FORMAT_LEN: usize = 64;

/// How many first bytes of a file that is not HPROF are looked at to say what it is
/// (`sniff::describe`); fewer when the file is shorter.
pub const SNIFF_LEN: usize = 512;

/// What every HPROF file starts with.
const MAGIC: &[u8] = b"JAVA PROFILE ";

/// Whether `b` (the first bytes of a file, possibly fewer than the magic) can be the
/// start of an HPROF file.
pub fn starts_like_hprof(b: &[u8]) -> bool {
    b.iter().zip(MAGIC).all(|(x, m)| x == m)
}

/// Parses the header from the start of `b`. `Ok(None)` means more bytes are needed.
pub fn parse_header(b: &[u8]) -> Result<Option<(Header, usize)>, HprofError> {
    if !starts_like_hprof(b) {
        // Not HPROF. Describe it from the same bytes however the input is sliced: wait for
        // `SNIFF_LEN` bytes, or for the end of the input (`StreamParser::finish`).
        if b.len() < SNIFF_LEN {
            return Ok(None);
        }
        return Err(HprofError::new(
            0,
            ErrorKind::NotHprof {
                detected: super::sniff::describe(b.get(..SNIFF_LEN).unwrap_or(b)),
            },
        ));
    }
    let Some(nul) = b.iter().take(MAX_FORMAT_LEN).position(|&c| c == 0) else {
        if b.len() >= MAX_FORMAT_LEN {
            return Err(HprofError::new(
                0,
                ErrorKind::NotHprof {
                    detected: "a file that starts like HPROF but has no NUL-terminated version"
                        .into(),
                },
            ));
        }
        return Ok(None);
    };
    let end = nul + 1 + 12;
    let Some(rest) = b.get(nul + 1..end) else {
        return Ok(None);
    };
    let format = String::from_utf8_lossy(b.get(..nul).unwrap_or_default()).into_owned();
    let id_size = super::primitives::u32_at(rest, 0);
    if id_size != 4 && id_size != 8 {
        return Err(HprofError::new(
            nul as u64 + 1,
            ErrorKind::BadIdSize(id_size),
        ));
    }
    let hi = u64::from(super::primitives::u32_at(rest, 4));
    let lo = u64::from(super::primitives::u32_at(rest, 8));
    Ok(Some((
        Header {
            format,
            id_size: id_size as u8,
            timestamp_ms: (hi << 32) | lo,
        },
        end,
    )))
}

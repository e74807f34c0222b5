//! `HPROF_FRAME` (0x04) and `HPROF_TRACE` (0x05).
//!
//! ```text
//! FRAME: ID frame | ID method name | ID method signature | ID source file
//!        | u4 class serial | i4 line (>0 line, -1 unknown, -2 compiled, -3 native)
//! TRACE: u4 serial | u4 thread serial | u4 frame count | [ID]* frames, innermost first
//! ```

use super::primitives::{IdList, PResult, id};
use nom::bytes::streaming::take;
use nom::number::streaming::{be_i32, be_u32};

/// A stack frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frame {
    /// The frame's ID.
    pub id: u64,
    /// UTF8 ID of the method name.
    pub method_name: u64,
    /// UTF8 ID of the method signature.
    pub signature: u64,
    /// UTF8 ID of the source file name.
    pub source_file: u64,
    /// Serial of the declaring class (see LOAD_CLASS).
    pub class_serial: u32,
    /// Line number; negative values are markers (-1 unknown, -2 compiled, -3 native).
    pub line: i32,
}

/// A stack trace.
#[derive(Clone, Copy, Debug)]
pub struct Trace<'a> {
    /// The trace serial number.
    pub serial: u32,
    /// The thread serial number.
    pub thread_serial: u32,
    /// Frame IDs, innermost first.
    pub frames: IdList<'a>,
}

/// Parses a FRAME body.
pub fn parse_frame(id_size: u8) -> impl Fn(&[u8]) -> PResult<'_, Frame> {
    move |i| {
        let (i, fid) = id(id_size)(i)?;
        let (i, method_name) = id(id_size)(i)?;
        let (i, signature) = id(id_size)(i)?;
        let (i, source_file) = id(id_size)(i)?;
        let (i, class_serial) = be_u32(i)?;
        let (i, line) = be_i32(i)?;
        Ok((
            i,
            Frame {
                id: fid,
                method_name,
                signature,
                source_file,
                class_serial,
                line,
            },
        ))
    }
}

/// Parses a TRACE body.
pub fn parse_trace(id_size: u8) -> impl Fn(&[u8]) -> PResult<'_, Trace<'_>> {
    move |i| {
        let (i, serial) = be_u32(i)?;
        let (i, thread_serial) = be_u32(i)?;
        let (i, n) = be_u32(i)?;
        // n comes from the file: the product is checked, and `take` only borrows.
        let bytes = u64::from(n) * u64::from(id_size);
        let bytes = usize::try_from(bytes).unwrap_or(usize::MAX);
        let (i, raw) = take(bytes)(i)?;
        Ok((
            i,
            Trace {
                serial,
                thread_serial,
                frames: IdList { raw, id_size },
            },
        ))
    }
}

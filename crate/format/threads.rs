//! `HPROF_START_THREAD` (0x0A) and `HPROF_END_THREAD` (0x0B).
//!
//! ```text
//! START_THREAD: u4 thread serial | ID thread object | u4 stack trace serial
//!               | ID thread name | ID thread group name | ID parent group name
//! END_THREAD:   u4 thread serial
//! ```

use super::primitives::{PResult, id};
use nom::number::streaming::be_u32;

/// A thread-start record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StartThread {
    /// Thread serial number.
    pub serial: u32,
    /// The thread object's ID.
    pub object_id: u64,
    /// Stack trace serial.
    pub stack_serial: u32,
    /// UTF8 ID of the thread name.
    pub name: u64,
    /// UTF8 ID of the thread group name.
    pub group_name: u64,
    /// UTF8 ID of the parent group name.
    pub parent_group_name: u64,
}

/// Parses a START_THREAD body.
pub fn parse_start_thread(id_size: u8) -> impl Fn(&[u8]) -> PResult<'_, StartThread> {
    move |i| {
        let (i, serial) = be_u32(i)?;
        let (i, object_id) = id(id_size)(i)?;
        let (i, stack_serial) = be_u32(i)?;
        let (i, name) = id(id_size)(i)?;
        let (i, group_name) = id(id_size)(i)?;
        let (i, parent_group_name) = id(id_size)(i)?;
        Ok((
            i,
            StartThread {
                serial,
                object_id,
                stack_serial,
                name,
                group_name,
                parent_group_name,
            },
        ))
    }
}

/// Parses an END_THREAD body: the thread serial.
pub fn parse_end_thread(i: &[u8]) -> PResult<'_, u32> {
    be_u32(i)
}

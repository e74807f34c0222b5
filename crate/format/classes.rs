//! `HPROF_LOAD_CLASS` (0x02) and `HPROF_UNLOAD_CLASS` (0x03).
//!
//! ```text
//! LOAD_CLASS:   u4 class serial | ID class object | u4 stack trace serial | ID name string
//! UNLOAD_CLASS: u4 class serial
//! ```

use super::primitives::{PResult, id};
use nom::number::streaming::be_u32;

/// A class-load record: ties a class object ID to its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoadClass {
    /// Class serial number (referred to by FRAME records).
    pub serial: u32,
    /// The class object's ID.
    pub class_id: u64,
    /// Stack trace serial of the load.
    pub stack_serial: u32,
    /// ID of the UTF8 record holding the class name (internal form, `java/lang/String`).
    pub name_id: u64,
}

/// Parses a LOAD_CLASS body.
pub fn parse_load_class(id_size: u8) -> impl Fn(&[u8]) -> PResult<'_, LoadClass> {
    move |i| {
        let (i, serial) = be_u32(i)?;
        let (i, class_id) = id(id_size)(i)?;
        let (i, stack_serial) = be_u32(i)?;
        let (i, name_id) = id(id_size)(i)?;
        Ok((
            i,
            LoadClass {
                serial,
                class_id,
                stack_serial,
                name_id,
            },
        ))
    }
}

/// Parses an UNLOAD_CLASS body: the class serial.
pub fn parse_unload_class(i: &[u8]) -> PResult<'_, u32> {
    be_u32(i)
}

//! Re-reading one object's record from the file, for the queries that need field values
//! or element values (the inspector, strings, field names on reference paths).
//!
//! Pass 1 kept the file offset of every 64th non-class object and the extent of every
//! heap-dump segment ([`FileMap`]); reading object `k` starts at the checkpoint before it
//! and hops over at most 63 object records (and any other sub-records between) by their
//! lengths (`heap_dump::extent`), without reading the bodies of the objects it skips. Reads go through a [`ByteSource`]
//! (a file natively; `File.slice` + `FileReaderSync` in the browser worker; a
//! [`crate::format::gzip::GzipRandomReader`] for gzip dumps).

use super::index::{CHECKPOINT_EVERY, FileMap};
use crate::format::heap_dump::class_dump::parse_class_dump;
use crate::format::heap_dump::instance::MAX_INSTANCE_BYTES;
use crate::format::heap_dump::{Extent, extent};
use crate::format::primitives::{IdList, id_at_offset, u32_at};
use crate::format::tags::{BasicType, SubTag, Tag};
use crate::format::{ByteSource, ErrorKind, HprofError};

/// What an object record holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Record {
    /// An instance: its class ID and raw field data.
    Instance {
        /// Class object ID.
        class_id: u64,
        /// Field values as dumped.
        data: Vec<u8>,
    },
    /// An object array: element IDs (at most the requested number).
    ObjArray {
        /// Total length.
        length: u32,
        /// The first elements' IDs.
        elements: Vec<u64>,
    },
    /// A primitive array: raw big-endian element bytes (at most the requested number).
    PrimArray {
        /// Element type.
        elem: BasicType,
        /// Total length.
        length: u32,
        /// The first elements' bytes.
        data: Vec<u8>,
    },
}

/// Reads `len` bytes at `at`, failing with a clear error if the file is shorter.
fn read(
    src: &mut dyn ByteSource,
    at: u64,
    len: usize,
    what: &'static str,
) -> Result<Vec<u8>, HprofError> {
    let mut b = vec![0u8; len];
    src.read_exact_at(at, &mut b, what)?;
    Ok(b)
}

/// Reads up to `len` bytes at `at` (fewer at the end of the file).
fn read_some(src: &mut dyn ByteSource, at: u64, len: usize) -> Result<Vec<u8>, HprofError> {
    let mut b = vec![0u8; len];
    let mut n = 0;
    while let Some(rest) = b.get_mut(n..).filter(|r| !r.is_empty()) {
        let k = src.read_at(at + n as u64, rest)?;
        if k == 0 {
            break;
        }
        n += k;
    }
    b.truncate(n);
    Ok(b)
}

/// Reads the record of non-class object number `k` (0-based among non-class objects, in
/// file order), with at most `max_elements` array elements. It hops from sub-record to
/// sub-record by their lengths, never reading the bodies it skips.
pub fn read_record(
    src: &mut dyn ByteSource,
    files: &FileMap,
    id_size: u8,
    k: u64,
    max_elements: u32,
) -> Result<Record, HprofError> {
    let cp = (k / u64::from(CHECKPOINT_EVERY)) as usize;
    let mut skip = (k % u64::from(CHECKPOINT_EVERY)) as u32;
    let bad = |at: u64, detail: &'static str| {
        HprofError::new(
            at,
            ErrorKind::Malformed {
                what: "object index",
                detail,
            },
        )
    };
    let mut at = *files
        .checkpoints
        .get(cp)
        .ok_or_else(|| bad(0, "no such object"))?;
    let (_, mut seg_end) = files
        .segment_of(at)
        .ok_or_else(|| bad(at, "checkpoint outside any heap-dump segment"))?;
    let idz = usize::from(id_size);
    loop {
        if at >= seg_end {
            // Between segments: hop over top-level records to the next heap dump.
            let h = read(src, at, 9, "record header (re-read)")?;
            let Some(&t) = h.first() else {
                return Err(bad(at, "the file ends inside a record"));
            };
            let tag = Tag(t);
            let len = u64::from(u32_at(&h, 5));
            if tag == Tag::HPROF_HEAP_DUMP || tag == Tag::HPROF_HEAP_DUMP_SEGMENT {
                seg_end = at + 9 + len;
                at += 9;
            } else {
                at += 9 + len;
            }
            continue;
        }
        let head = read_some(src, at, 64)?;
        let ext = extent(&head, id_size).map_err(|kind| HprofError::new(at, kind))?;
        match ext {
            Extent::NeedMore => return Err(bad(at, "the file ends inside a record")),
            Extent::Other(n) => at += n,
            Extent::ClassDump => {
                let mut want = 4096usize;
                loop {
                    let b = read_some(src, at, want)?;
                    match parse_class_dump(id_size)(b.get(1..).unwrap_or(&[])) {
                        Ok((rest, _)) => {
                            at += (b.len() - rest.len()) as u64;
                            break;
                        }
                        Err(nom::Err::Incomplete(_)) if b.len() == want && want < (64 << 20) => {
                            want *= 4;
                        }
                        Err(_) => return Err(bad(at, "unreadable CLASS_DUMP")),
                    }
                }
            }
            Extent::Object { header, body } => {
                if skip > 0 {
                    skip -= 1;
                    at += header as u64 + body;
                    continue;
                }
                let h = head.get(..header).ok_or_else(|| bad(at, "short header"))?;
                // The sub-record's tag, and the last header byte (an array's element type).
                let (Some(&first), Some(&last)) = (h.first(), h.last()) else {
                    return Err(bad(at, "short header"));
                };
                let tag = SubTag(first);
                let len = u32_at(h, 1 + idz + 4);
                if tag == SubTag::HPROF_GC_INSTANCE_DUMP && body > u64::from(MAX_INSTANCE_BYTES) {
                    return Err(HprofError::new(
                        at,
                        ErrorKind::LengthOverflow {
                            what: "INSTANCE_DUMP",
                            length: body,
                        },
                    ));
                }
                return Ok(match tag {
                    SubTag::HPROF_GC_INSTANCE_DUMP => Record::Instance {
                        class_id: id_at_offset(h, 1 + idz + 4, id_size),
                        data: read(
                            src,
                            at + header as u64,
                            body as usize,
                            "INSTANCE_DUMP (re-read)",
                        )?,
                    },
                    SubTag::HPROF_GC_OBJ_ARRAY_DUMP => {
                        let n = len.min(max_elements) as usize;
                        let raw =
                            read(src, at + header as u64, n * idz, "OBJ_ARRAY_DUMP (re-read)")?;
                        Record::ObjArray {
                            length: len,
                            elements: IdList { raw: &raw, id_size }.iter().collect(),
                        }
                    }
                    _ => {
                        let elem = BasicType(last);
                        let es = usize::from(elem.size_in_dump(id_size).unwrap_or(1));
                        let n = if body == 0 {
                            0
                        } else {
                            len.min(max_elements) as usize
                        };
                        Record::PrimArray {
                            elem,
                            length: len,
                            data: read(
                                src,
                                at + header as u64,
                                n * es,
                                "PRIM_ARRAY_DUMP (re-read)",
                            )?,
                        }
                    }
                });
            }
        }
    }
}

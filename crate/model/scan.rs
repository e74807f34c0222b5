//! Reading the records of many chosen objects in one forward sweep over the file, for the
//! queries that need the values of thousands or millions of objects (every `String`'s
//! characters, the field holding each of many objects).
//!
//! [`super::records::read_record`] reads one object: it starts at the checkpoint before it
//! and hops over up to 63 records, a small read each. Asked for many objects in object
//! order — which is file order — a [`Scan`] keeps its place instead: it reads the file
//! through one window of [`Scan::WINDOW`] bytes, moves forward from the last object it
//! returned, and jumps to a later checkpoint when the next object asked for is past it, so
//! stretches of the file without a wanted object are not read, and a large record it skips
//! (a big array) is stepped over without reading its body. Memory: the window (1 MiB, more
//! only while one record asked for is larger).

use super::index::{CHECKPOINT_EVERY, FileMap};
use crate::format::heap_dump::class_dump::parse_class_dump;
use crate::format::heap_dump::instance::MAX_INSTANCE_BYTES;
use crate::format::heap_dump::{Extent, extent};
use crate::format::primitives::{id_at, u32_at};
use crate::format::tags::{BasicType, SubTag, Tag};
use crate::format::{ByteSource, ErrorKind, HprofError};

/// An object record as a [`Scan`] returns it: borrowed from its window, valid until the
/// next call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScanRecord<'a> {
    /// An instance: its class ID and field data as dumped.
    Instance {
        /// Class object ID.
        class_id: u64,
        /// Field values as dumped.
        data: &'a [u8],
    },
    /// An object array: its length and the first elements' raw IDs.
    ObjArray {
        /// Total length.
        length: u32,
        /// Element IDs as dumped (`id_size` bytes each), at most as many bytes as asked.
        ids: &'a [u8],
    },
    /// A primitive array: element type, length and the first elements' big-endian bytes.
    PrimArray {
        /// Element type.
        elem: BasicType,
        /// Total length.
        length: u32,
        /// Element bytes, at most as many as asked.
        data: &'a [u8],
    },
}

/// No position yet: the next read starts at a checkpoint.
const UNPLACED: u64 = u64::MAX;

/// A forward reader of object records; see the module documentation.
pub struct Scan<'a> {
    src: &'a mut dyn ByteSource,
    files: &'a FileMap,
    id_size: u8,
    window: Vec<u8>,
    window_at: u64,
    /// Offset of the next sub-record to look at.
    at: u64,
    /// End of the heap-dump segment `at` is in.
    seg_end: u64,
    /// Number (among non-class objects) of the next object record at or after `at`.
    next: u64,
}

fn bad(at: u64, detail: &'static str) -> HprofError {
    HprofError::new(
        at,
        ErrorKind::Malformed {
            what: "object index",
            detail,
        },
    )
}

impl<'a> Scan<'a> {
    /// Bytes read at a time.
    pub const WINDOW: usize = 1 << 20;

    /// A scan over `src`, whose records pass 1 mapped in `files`.
    pub fn new(src: &'a mut dyn ByteSource, files: &'a FileMap, id_size: u8) -> Self {
        Scan {
            src,
            files,
            id_size,
            window: Vec::new(),
            window_at: 0,
            at: 0,
            seg_end: 0,
            next: UNPLACED,
        }
    }

    /// `len` bytes at `at` (fewer at the end of the file), from the window, which is
    /// refilled from `at` when it does not hold them.
    fn bytes(&mut self, at: u64, len: usize) -> Result<&[u8], HprofError> {
        let start = at.checked_sub(self.window_at).map(|s| s as usize);
        let held = start.is_some_and(|s| s.saturating_add(len) <= self.window.len());
        if !held {
            let want = len.max(Self::WINDOW);
            self.window.resize(want, 0);
            let mut n = 0;
            while let Some(rest) = self.window.get_mut(n..).filter(|r| !r.is_empty()) {
                let k = self.src.read_at(at + n as u64, rest)?;
                if k == 0 {
                    break;
                }
                n += k;
            }
            self.window.truncate(n);
            self.window_at = at;
        }
        let s = (at - self.window_at) as usize;
        let e = s.saturating_add(len).min(self.window.len());
        Ok(self.window.get(s..e).unwrap_or(&[]))
    }

    /// Places the scan at the checkpoint of object `k`.
    fn place(&mut self, k: u64) -> Result<(), HprofError> {
        let cp = k / u64::from(CHECKPOINT_EVERY);
        let at = *usize::try_from(cp)
            .ok()
            .and_then(|c| self.files.checkpoints.get(c))
            .ok_or_else(|| bad(0, "no such object"))?;
        let (_, end) = self
            .files
            .segment_of(at)
            .ok_or_else(|| bad(at, "checkpoint outside any heap-dump segment"))?;
        self.at = at;
        self.seg_end = end;
        self.next = cp * u64::from(CHECKPOINT_EVERY);
        Ok(())
    }

    /// The record of non-class object number `k` (0-based among non-class objects, in
    /// file order), with at most `max_body` bytes of an array's elements (an instance's
    /// fields always whole). Asked in increasing order, the scan reads forward; a smaller
    /// `k` than the last one starts again from its checkpoint.
    pub fn record(&mut self, k: u64, max_body: u64) -> Result<ScanRecord<'_>, HprofError> {
        let every = u64::from(CHECKPOINT_EVERY);
        if self.next == UNPLACED || k < self.next || k / every > self.next / every {
            self.place(k)?;
        }
        let idz = usize::from(self.id_size);
        let id_size = self.id_size;
        loop {
            let at = self.at;
            if at >= self.seg_end {
                // Between segments: hop over top-level records to the next heap dump.
                let h = self.bytes(at, 9)?;
                let (Some(&tag), Some(len)) = (h.first(), h.get(5..9)) else {
                    return Err(bad(at, "the file ends inside a record header"));
                };
                let len = u64::from(u32_at(len, 0));
                if Tag(tag) == Tag::HPROF_HEAP_DUMP || Tag(tag) == Tag::HPROF_HEAP_DUMP_SEGMENT {
                    self.seg_end = at + 9 + len;
                    self.at = at + 9;
                } else {
                    self.at = at + 9 + len;
                }
                continue;
            }
            let head = self.bytes(at, 64)?;
            let ext = extent(head, id_size).map_err(|kind| HprofError::new(at, kind))?;
            // What an object record's header says (read before `self` changes).
            let tag = SubTag(head.first().copied().unwrap_or(0));
            let length = head.get(1 + idz + 4..).map_or(0, |b| u32_at(b, 0));
            let class_id = head.get(1 + idz + 4..).map_or(0, |b| id_at(b, id_size));
            let elem = match ext {
                Extent::Object { header, .. } => header.checked_sub(1).and_then(|i| head.get(i)),
                _ => None,
            };
            let elem = BasicType(elem.copied().unwrap_or(0));
            match ext {
                Extent::NeedMore => return Err(bad(at, "the file ends inside a record")),
                Extent::Other(n) => self.at = at + n,
                Extent::ClassDump => {
                    let mut want = 4096usize;
                    loop {
                        let b = self.bytes(at, want)?;
                        let got = b.len();
                        match parse_class_dump(id_size)(b.get(1..).unwrap_or(&[])) {
                            Ok((rest, _)) => {
                                self.at = at + (got - rest.len()) as u64;
                                break;
                            }
                            Err(nom::Err::Incomplete(_)) if got == want && want < (64 << 20) => {
                                want *= 4;
                            }
                            Err(_) => return Err(bad(at, "unreadable CLASS_DUMP")),
                        }
                    }
                }
                Extent::Object { header, body } => {
                    if self.next < k {
                        self.next += 1;
                        self.at = at + header as u64 + body;
                        continue;
                    }
                    let instance = tag == SubTag::HPROF_GC_INSTANCE_DUMP;
                    if instance && body > u64::from(MAX_INSTANCE_BYTES) {
                        return Err(HprofError::new(
                            at,
                            ErrorKind::LengthOverflow {
                                what: "INSTANCE_DUMP",
                                length: body,
                            },
                        ));
                    }
                    let take = if instance { body } else { body.min(max_body) };
                    let take =
                        usize::try_from(take).map_err(|_| bad(at, "a record too large to read"))?;
                    self.next += 1;
                    self.at = at + header as u64 + body;
                    let all = self.bytes(at, header.saturating_add(take))?;
                    let b = all.get(header..).unwrap_or(&[]);
                    if b.len() < take {
                        return Err(HprofError::new(
                            at,
                            ErrorKind::Truncated {
                                what: "object record (re-read)",
                                have: all.len() as u64,
                            },
                        ));
                    }
                    return Ok(match tag {
                        SubTag::HPROF_GC_INSTANCE_DUMP => {
                            ScanRecord::Instance { class_id, data: b }
                        }
                        SubTag::HPROF_GC_OBJ_ARRAY_DUMP => ScanRecord::ObjArray { length, ids: b },
                        _ => ScanRecord::PrimArray {
                            elem,
                            length,
                            data: b,
                        },
                    });
                }
            }
        }
    }
}

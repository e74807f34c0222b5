//! The streaming reader: push byte slices of any size, receive records through a
//! [`Visitor`].
//!
//! A top-level record is `u1 tag | u4 microseconds since header | u4 body length | body`.
//! Small records are parsed whole; heap-dump records are entered, and their sub-records
//! are parsed one by one, with array bodies delivered in pieces, so no record ever has to
//! be held in memory whole. Bytes of an item that straddles two pushes are kept in a small
//! pending buffer; its size is bounded by the largest non-array item (a class dump or an
//! instance, capped by `MAX_INSTANCE_BYTES`) or by `MAX_RECORD_BYTES`.

use super::classes::{LoadClass, parse_load_class, parse_unload_class};
use super::error::{ErrorKind, HprofError};
use super::header::{Header, parse_header};
use super::heap_dump::arrays::{ObjArrayHeader, PrimArrayHeader, obj_header_len, prim_header_len};
use super::heap_dump::class_dump::{ClassDump, parse_class_dump};
use super::heap_dump::instance::{Instance, MAX_INSTANCE_BYTES, header_len};
use super::heap_dump::roots::{GcRoot, decode_root, root_layout};
use super::misc::{
    AllocSites, ControlSettings, CpuSamples, HeapSummary, parse_alloc_sites,
    parse_control_settings, parse_cpu_samples, parse_heap_summary,
};
use super::primitives::{IdList, PErr, PErrKind, id_at_offset, u32_at};
use super::stacks::{Frame, Trace, parse_frame, parse_trace};
use super::strings::{Utf8, parse_utf8};
use super::tags::{BasicType, SubTag, Tag};
use super::threads::{StartThread, parse_end_thread, parse_start_thread};

/// Non-heap records longer than this are skipped (with `Visitor::unknown_record`) rather
/// than buffered: no real string, trace or sample table comes near it.
pub const MAX_RECORD_BYTES: u32 = 64 << 20;

/// What an unknown top-level record is called in errors.
const UNKNOWN_RECORD: &str = "unknown record";

/// Receives the content of a dump. Every method has a no-op default.
#[allow(unused_variables)]
pub trait Visitor {
    /// The file header.
    fn header(&mut self, header: &Header) {}
    /// Every top-level record, before its content is delivered.
    fn record(&mut self, tag: Tag, offset: u64, len: u32) {}
    /// A UTF8 string.
    fn utf8(&mut self, r: Utf8<'_>) {}
    /// LOAD_CLASS.
    fn load_class(&mut self, r: &LoadClass) {}
    /// UNLOAD_CLASS.
    fn unload_class(&mut self, serial: u32) {}
    /// FRAME.
    fn frame(&mut self, r: &Frame) {}
    /// TRACE.
    fn trace(&mut self, r: &Trace<'_>) {}
    /// ALLOC_SITES.
    fn alloc_sites(&mut self, r: &AllocSites<'_>) {}
    /// HEAP_SUMMARY.
    fn heap_summary(&mut self, r: &HeapSummary) {}
    /// START_THREAD.
    fn start_thread(&mut self, r: &StartThread) {}
    /// END_THREAD.
    fn end_thread(&mut self, serial: u32) {}
    /// CPU_SAMPLES.
    fn cpu_samples(&mut self, r: &CpuSamples<'_>) {}
    /// CONTROL_SETTINGS.
    fn control_settings(&mut self, r: &ControlSettings) {}
    /// A record with an unknown tag, or one too long to buffer; it is skipped by length.
    fn unknown_record(&mut self, tag: Tag, offset: u64, len: u32) {}
    /// HEAP_DUMP_END.
    fn heap_dump_end(&mut self) {}
    /// `len` bytes from `offset`, after a complete heap dump, that are not whole records:
    /// the body of a HEAP_DUMP_END, or a record with an unknown tag that the file ends
    /// inside. They are ignored.
    fn trailing_data(&mut self, offset: u64, len: u64) {}
    /// A GC root.
    fn gc_root(&mut self, r: &GcRoot) {}
    /// A class dump starting at `offset`.
    fn class_dump(&mut self, offset: u64, r: &ClassDump) {}
    /// An instance dump starting at `offset`.
    fn instance(&mut self, offset: u64, r: &Instance<'_>) {}
    /// An object array header; return true to receive its elements.
    fn obj_array(&mut self, offset: u64, r: &ObjArrayHeader) -> bool {
        false
    }
    /// A piece of the current object array's elements (whole IDs).
    fn obj_array_elements(&mut self, ids: IdList<'_>) {}
    /// A primitive array header (also Android's NODATA arrays, which have no elements);
    /// return true to receive the elements.
    fn prim_array(&mut self, offset: u64, r: &PrimArrayHeader) -> bool {
        false
    }
    /// A piece of the current primitive array's elements (whole elements, big-endian).
    fn prim_array_data(&mut self, data: &[u8]) {}
    /// End of an array whose elements were requested.
    fn array_end(&mut self) {}
    /// Android HEAP_DUMP_INFO: the heap the following objects belong to.
    fn heap_dump_info(&mut self, heap_id: u32, name_id: u64) {}
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Header,
    Records,
    /// Inside a heap-dump record whose body ends at absolute offset `end`.
    Heap {
        end: u64,
    },
    ObjArray {
        end: u64,
        left: u64,
        deliver: bool,
    },
    PrimArray {
        end: u64,
        left: u64,
        elem: u8,
        deliver: bool,
    },
    Skip {
        until: u64,
    },
}

/// Outcome of trying to parse one item.
enum Step {
    /// Consumed this many bytes.
    Done(usize),
    /// Not enough input: the item named `what` starts at the current position.
    Need(&'static str),
}

/// A push parser over an HPROF byte stream.
pub struct StreamParser {
    state: State,
    id_size: u8,
    /// Absolute offset of the next byte to be consumed.
    pos: u64,
    /// Unconsumed bytes of an item that straddles pushes; starts at `pos`.
    pending: Vec<u8>,
    /// What was being read when the input ran out.
    stalled: &'static str,
    /// The enclosing heap-dump record: its name and start offset.
    open: (&'static str, u64),
    /// The array or skipped record being streamed: its name and start offset.
    item: (&'static str, u64),
    /// Heap-dump records seen, and whether the last segmented dump was closed.
    heap_dumps: u64,
    segment_open: bool,
}

impl Default for StreamParser {
    fn default() -> Self {
        Self::new()
    }
}

fn perr(offset: u64, what: &'static str, e: nom::Err<PErr>) -> HprofError {
    match e {
        nom::Err::Incomplete(_) => HprofError::new(
            offset,
            ErrorKind::Malformed {
                what,
                detail: "the record is shorter than the fields it declares",
            },
        ),
        nom::Err::Error(p) | nom::Err::Failure(p) => match p.kind {
            PErrKind::BadType { what, code } => {
                HprofError::new(offset, ErrorKind::BadBasicType { what, code })
            }
            PErrKind::Nom(_) => HprofError::new(
                offset,
                ErrorKind::Malformed {
                    what,
                    detail: "unexpected content",
                },
            ),
        },
    }
}

impl StreamParser {
    /// A parser expecting the file header.
    pub fn new() -> Self {
        StreamParser {
            state: State::Header,
            id_size: 0,
            pos: 0,
            pending: Vec::new(),
            stalled: "file header",
            open: ("HEAP_DUMP_SEGMENT", 0),
            item: ("record", 0),
            heap_dumps: 0,
            segment_open: false,
        }
    }

    /// A parser placed at absolute offset `pos`, the start of a sub-record inside a
    /// heap-dump record whose body ends at `end`, of a file with identifiers of `id_size`
    /// bytes: for reading a stretch of a dump whose layout an earlier pass mapped (the
    /// parallel passes). Its `finish` is not meaningful: the pass that mapped the file
    /// checked the whole of it.
    pub fn resume_in_heap(pos: u64, end: u64, id_size: u8) -> Self {
        StreamParser {
            state: State::Heap { end },
            id_size,
            pos,
            pending: Vec::new(),
            stalled: "",
            open: ("HEAP_DUMP_SEGMENT", pos),
            item: ("record", pos),
            heap_dumps: 1,
            segment_open: true,
        }
    }

    /// A parser placed at absolute offset `pos`, the start of a top-level record, of a file
    /// with identifiers of `id_size` bytes: for reading a run of records that are not heap
    /// dumps, of a file whose record headers were walked before (pass 1 on several threads).
    /// Its `finish` is not meaningful: the walk checked how the file ends.
    pub fn resume_in_records(pos: u64, id_size: u8) -> Self {
        StreamParser {
            state: State::Records,
            id_size,
            pos,
            pending: Vec::new(),
            stalled: "record header",
            open: ("HEAP_DUMP_SEGMENT", pos),
            item: ("record", pos),
            heap_dumps: 0,
            segment_open: false,
        }
    }

    /// Whether everything pushed was consumed and no array or record is half read: the
    /// parser stands between two items.
    pub fn at_item_boundary(&self) -> bool {
        self.pending.is_empty() && matches!(self.state, State::Heap { .. } | State::Records)
    }

    /// Whether a heap-dump record has begun: the stream holds heap data (what a damaged
    /// dump must have to be worth analysing).
    pub fn saw_heap_dump(&self) -> bool {
        self.heap_dumps > 0
    }

    /// Where the heap-dump record being read declares that it ends (absolute offset), while
    /// one is open: a lower bound of the stream's length when the stream ends before it.
    pub fn open_record_end(&self) -> Option<u64> {
        match self.state {
            State::Heap { end }
            | State::ObjArray { end, .. }
            | State::PrimArray { end, .. }
            | State::Skip { until: end } => Some(end),
            State::Header | State::Records => None,
        }
    }

    /// Bytes of the stream consumed: every item before this offset was delivered to the
    /// visitor; the bytes from here on are pending (part of an item not yet complete).
    pub fn position(&self) -> u64 {
        self.pos
    }

    /// Feeds the next bytes of the stream.
    pub fn push<V: Visitor>(&mut self, mut data: &[u8], v: &mut V) -> Result<(), HprofError> {
        // First complete the item that straddles the previous push, growing the pending
        // buffer geometrically so that a large item is re-tried O(log n) times.
        while !self.pending.is_empty() && !data.is_empty() {
            let old = self.pending.len();
            let take = data.len().min(old.max(64 * 1024));
            let (head, tail) = data.split_at_checked(take).unwrap_or((data, &[]));
            self.pending.extend_from_slice(head);
            let buf = std::mem::take(&mut self.pending);
            let consumed = self.run(&buf, v);
            self.pending = buf;
            let consumed = consumed?;
            if consumed >= old {
                // The straddling item is done; continue on `data` directly.
                data = data.get(consumed - old..).unwrap_or_default();
                self.pending.clear();
                break;
            }
            self.pending.drain(..consumed);
            data = tail;
        }
        if self.pending.is_empty() && !data.is_empty() {
            let consumed = self.run(data, v)?;
            self.pending
                .extend_from_slice(data.get(consumed..).unwrap_or_default());
        }
        Ok(())
    }

    /// Declares the end of the stream. Fails if it ends inside an item, naming the item
    /// and the offset where it starts; but when the stream ends, after a complete heap
    /// dump, inside a record whose tag is unknown (junk, not a cut-off record), the rest
    /// is only reported as `Visitor::trailing_data`.
    pub fn finish<V: Visitor>(&mut self, v: &mut V) -> Result<(), HprofError> {
        match self.state {
            State::Heap { end } | State::Skip { until: end } if self.pos == end => {
                self.state = State::Records;
            }
            _ => {}
        }
        let have_pending = self.pending.len() as u64;
        if self.heap_dumps > 0 && !self.segment_open {
            let unknown_tag = |t: Option<&u8>| t.is_some_and(|&t| Tag(t).name().is_none());
            match self.state {
                State::Records if unknown_tag(self.pending.first()) => {
                    v.trailing_data(self.pos, have_pending);
                    return Ok(());
                }
                // A HEAP_DUMP_END body was reported as a whole when it began.
                State::Skip { .. } if self.item.0 == "HEAP_DUMP_END" => return Ok(()),
                State::Skip { .. } if self.item.0 == UNKNOWN_RECORD => {
                    v.trailing_data(self.item.1, self.pos + have_pending - self.item.1);
                    return Ok(());
                }
                _ => {}
            }
        }
        let truncated =
            |what, offset, have| Err(HprofError::new(offset, ErrorKind::Truncated { what, have }));
        match self.state {
            State::Header => {
                if self.pending.is_empty() || !super::header::starts_like_hprof(&self.pending) {
                    Err(HprofError::new(
                        0,
                        ErrorKind::NotHprof {
                            detected: super::sniff::describe(&self.pending),
                        },
                    ))
                } else {
                    truncated("file header", 0, have_pending)
                }
            }
            State::Records if self.pending.is_empty() => {
                if self.heap_dumps == 0 {
                    Err(HprofError::new(self.pos, ErrorKind::NoHeapDump))
                } else if self.segment_open {
                    Err(HprofError::new(self.pos, ErrorKind::MissingHeapDumpEnd))
                } else {
                    Ok(())
                }
            }
            State::Records => truncated(self.stalled, self.pos, have_pending),
            State::Heap { .. } if !self.pending.is_empty() => {
                truncated(self.stalled, self.pos, have_pending)
            }
            State::Heap { .. } => truncated(self.open.0, self.open.1, self.pos - self.open.1),
            State::ObjArray { .. } | State::PrimArray { .. } | State::Skip { .. } => truncated(
                self.item.0,
                self.item.1,
                self.pos + have_pending - self.item.1,
            ),
        }
    }

    /// Consumes as many whole items from `input` (which starts at `self.pos`) as possible;
    /// returns the number of bytes consumed.
    fn run<V: Visitor>(&mut self, input: &[u8], v: &mut V) -> Result<usize, HprofError> {
        let mut at = 0usize;
        loop {
            let rest = input.get(at..).unwrap_or_default();
            let step = match self.state {
                State::Header => self.step_header(rest, v)?,
                State::Records => {
                    if rest.is_empty() {
                        break;
                    }
                    self.step_record(rest, v)?
                }
                State::Heap { end } => {
                    if self.pos == end {
                        self.state = State::Records;
                        continue;
                    }
                    if rest.is_empty() {
                        break;
                    }
                    // The hot loop: many sub-records per call.
                    let n = self.heap_items(rest, end, v)?;
                    if n == 0 {
                        // heap_items recorded what it needs in `stalled`, or changed state.
                        if matches!(self.state, State::Heap { .. }) {
                            break;
                        }
                        continue;
                    }
                    Step::Done(n)
                }
                State::ObjArray { end, left, deliver } => {
                    let sz = usize::from(self.id_size);
                    let whole = (rest.len() / sz) as u64;
                    let k = whole.min(left);
                    if k == 0 && left > 0 {
                        self.stalled = "OBJ_ARRAY_DUMP element";
                        break;
                    }
                    let bytes = (k as usize) * sz;
                    if deliver && k > 0 {
                        v.obj_array_elements(IdList {
                            raw: rest.get(..bytes).unwrap_or_default(),
                            id_size: self.id_size,
                        });
                    }
                    let left = left - k;
                    self.state = if left == 0 {
                        if deliver {
                            v.array_end();
                        }
                        State::Heap { end }
                    } else {
                        State::ObjArray { end, left, deliver }
                    };
                    Step::Done(bytes)
                }
                State::PrimArray {
                    end,
                    left,
                    elem,
                    deliver,
                } => {
                    let es = usize::from(elem);
                    let avail = (rest.len() - rest.len() % es) as u64;
                    let k = avail.min(left);
                    if k == 0 && left > 0 {
                        self.stalled = "PRIM_ARRAY_DUMP element";
                        break;
                    }
                    let bytes = k as usize;
                    if deliver && k > 0 {
                        v.prim_array_data(rest.get(..bytes).unwrap_or_default());
                    }
                    let left = left - k;
                    self.state = if left == 0 {
                        if deliver {
                            v.array_end();
                        }
                        State::Heap { end }
                    } else {
                        State::PrimArray {
                            end,
                            left,
                            elem,
                            deliver,
                        }
                    };
                    Step::Done(bytes)
                }
                State::Skip { until } => {
                    let k = (until - self.pos).min(rest.len() as u64);
                    if k == 0 && until > self.pos {
                        break;
                    }
                    if self.pos + k == until {
                        self.state = State::Records;
                    }
                    Step::Done(k as usize)
                }
            };
            match step {
                Step::Done(n) => {
                    at += n;
                    self.pos += n as u64;
                }
                Step::Need(what) => {
                    self.stalled = what;
                    break;
                }
            }
        }
        Ok(at)
    }

    fn step_header<V: Visitor>(&mut self, rest: &[u8], v: &mut V) -> Result<Step, HprofError> {
        match parse_header(rest)? {
            None => Ok(Step::Need("file header")),
            Some((h, n)) => {
                self.id_size = h.id_size;
                v.header(&h);
                self.state = State::Records;
                Ok(Step::Done(n))
            }
        }
    }

    fn step_record<V: Visitor>(&mut self, rest: &[u8], v: &mut V) -> Result<Step, HprofError> {
        let Some(&t) = rest.first() else {
            return Ok(Step::Need("record header"));
        };
        if rest.len() < 9 {
            return Ok(Step::Need("record header"));
        }
        let tag = Tag(t);
        let len = u32_at(rest, 5);
        let start = self.pos;
        let body_end = start + 9 + u64::from(len);
        match tag {
            Tag::HPROF_HEAP_DUMP | Tag::HPROF_HEAP_DUMP_SEGMENT => {
                v.record(tag, start, len);
                self.heap_dumps += 1;
                self.segment_open = tag == Tag::HPROF_HEAP_DUMP_SEGMENT;
                self.open = (tag.name().unwrap_or("HEAP_DUMP"), start);
                self.state = State::Heap { end: body_end };
                return Ok(Step::Done(9));
            }
            Tag::HPROF_HEAP_DUMP_END => {
                v.record(tag, start, len);
                self.segment_open = false;
                v.heap_dump_end();
                if len > 0 {
                    v.trailing_data(start + 9, u64::from(len));
                    self.item = ("HEAP_DUMP_END", start);
                    self.state = State::Skip { until: body_end };
                }
                return Ok(Step::Done(9));
            }
            _ => {}
        }
        let known = tag.name().is_some();
        if !known || len > MAX_RECORD_BYTES {
            v.record(tag, start, len);
            v.unknown_record(tag, start, len);
            self.item = (tag.name().unwrap_or(UNKNOWN_RECORD), start);
            self.state = State::Skip { until: body_end };
            return Ok(Step::Done(9));
        }
        let total = 9 + len as usize;
        let Some(body) = rest.get(9..total) else {
            return Ok(Step::Need(tag.name().unwrap_or("record")));
        };
        v.record(tag, start, len);
        let what = tag.name().unwrap_or("record");
        let id = self.id_size;
        let e = |err| perr(start, what, err);
        match tag {
            Tag::HPROF_UTF8 => v.utf8(parse_utf8(id)(body).map_err(e)?.1),
            Tag::HPROF_LOAD_CLASS => v.load_class(&parse_load_class(id)(body).map_err(e)?.1),
            Tag::HPROF_UNLOAD_CLASS => v.unload_class(parse_unload_class(body).map_err(e)?.1),
            Tag::HPROF_FRAME => v.frame(&parse_frame(id)(body).map_err(e)?.1),
            Tag::HPROF_TRACE => v.trace(&parse_trace(id)(body).map_err(e)?.1),
            Tag::HPROF_ALLOC_SITES => v.alloc_sites(&parse_alloc_sites(body).map_err(e)?.1),
            Tag::HPROF_HEAP_SUMMARY => v.heap_summary(&parse_heap_summary(body).map_err(e)?.1),
            Tag::HPROF_START_THREAD => v.start_thread(&parse_start_thread(id)(body).map_err(e)?.1),
            Tag::HPROF_END_THREAD => v.end_thread(parse_end_thread(body).map_err(e)?.1),
            Tag::HPROF_CPU_SAMPLES => v.cpu_samples(&parse_cpu_samples(body).map_err(e)?.1),
            Tag::HPROF_CONTROL_SETTINGS => {
                v.control_settings(&parse_control_settings(body).map_err(e)?.1)
            }
            _ => {}
        }
        Ok(Step::Done(total))
    }

    /// Parses heap sub-records from `rest` until it runs out, the segment ends, or an array
    /// body begins. Returns bytes consumed; on stall, sets `stalled`.
    fn heap_items<V: Visitor>(
        &mut self,
        rest: &[u8],
        end: u64,
        v: &mut V,
    ) -> Result<usize, HprofError> {
        let ids = self.id_size;
        let idz = usize::from(ids);
        let mut at = 0usize;
        let base = self.pos;
        // The segment's remaining length bounds every sub-record.
        loop {
            let off = base + at as u64;
            if off == end {
                self.state = State::Records;
                break;
            }
            let Some(b) = rest.get(at..) else { break };
            let Some(&t) = b.first() else { break };
            let seg_left = end - off;
            let tag = SubTag(t);
            let overrun = |what| HprofError::new(off, ErrorKind::SubRecordOverrun { what });
            match tag {
                SubTag::HPROF_GC_INSTANCE_DUMP => {
                    let h = 1 + header_len(ids);
                    if b.len() < h {
                        self.stalled = "INSTANCE_DUMP";
                        break;
                    }
                    let len = u32_at(b, 1 + 2 * idz + 4);
                    if len > MAX_INSTANCE_BYTES {
                        return Err(HprofError::new(
                            off,
                            ErrorKind::LengthOverflow {
                                what: "INSTANCE_DUMP",
                                length: u64::from(len),
                            },
                        ));
                    }
                    let total = h + len as usize;
                    if total as u64 > seg_left {
                        return Err(overrun("INSTANCE_DUMP"));
                    }
                    let Some(data) = b.get(h..total) else {
                        self.stalled = "INSTANCE_DUMP";
                        break;
                    };
                    let inst = Instance {
                        id: id_at_offset(b, 1, ids),
                        stack_serial: u32_at(b, 1 + idz),
                        class_id: id_at_offset(b, 1 + idz + 4, ids),
                        data,
                    };
                    v.instance(off, &inst);
                    at += total;
                }
                SubTag::HPROF_GC_OBJ_ARRAY_DUMP => {
                    let h = 1 + obj_header_len(ids);
                    if b.len() < h {
                        self.stalled = "OBJ_ARRAY_DUMP";
                        break;
                    }
                    let hdr = ObjArrayHeader {
                        id: id_at_offset(b, 1, ids),
                        stack_serial: u32_at(b, 1 + idz),
                        length: u32_at(b, 1 + idz + 4),
                        class_id: id_at_offset(b, 1 + idz + 8, ids),
                    };
                    let body = u64::from(hdr.length) * idz as u64;
                    if h as u64 + body > seg_left {
                        return Err(overrun("OBJ_ARRAY_DUMP"));
                    }
                    let deliver = v.obj_array(off, &hdr);
                    self.item = ("OBJ_ARRAY_DUMP", off);
                    at += h;
                    if hdr.length > 0 {
                        self.state = State::ObjArray {
                            end,
                            left: u64::from(hdr.length),
                            deliver,
                        };
                        break;
                    } else if deliver {
                        v.array_end();
                    }
                }
                SubTag::HPROF_GC_PRIM_ARRAY_DUMP | SubTag::HPROF_PRIMITIVE_ARRAY_NODATA_DUMP => {
                    let nodata = tag == SubTag::HPROF_PRIMITIVE_ARRAY_NODATA_DUMP;
                    let what = if nodata {
                        "PRIMITIVE_ARRAY_NODATA"
                    } else {
                        "PRIM_ARRAY_DUMP"
                    };
                    let h = 1 + prim_header_len(ids);
                    // The header's last byte is the element type.
                    let Some(&code) = b.get(h - 1) else {
                        self.stalled = what;
                        break;
                    };
                    let elem = BasicType(code);
                    let es = match elem.size_in_dump(ids) {
                        Some(s) if elem != BasicType::OBJECT => s,
                        _ => {
                            return Err(HprofError::new(
                                off,
                                ErrorKind::BadBasicType { what, code: elem.0 },
                            ));
                        }
                    };
                    let hdr = PrimArrayHeader {
                        id: id_at_offset(b, 1, ids),
                        stack_serial: u32_at(b, 1 + idz),
                        length: u32_at(b, 1 + idz + 4),
                        elem,
                    };
                    let body = if nodata {
                        0
                    } else {
                        u64::from(hdr.length) * u64::from(es)
                    };
                    if h as u64 + body > seg_left {
                        return Err(overrun(what));
                    }
                    let deliver = v.prim_array(off, &hdr) && !nodata;
                    self.item = (what, off);
                    at += h;
                    if body > 0 {
                        self.state = State::PrimArray {
                            end,
                            left: body,
                            elem: es,
                            deliver,
                        };
                        break;
                    } else if deliver {
                        v.array_end();
                    }
                }
                SubTag::HPROF_GC_CLASS_DUMP => {
                    // Parsed within the segment: bytes beyond it (present or not, depending
                    // on how the input was sliced) must not decide the outcome.
                    let in_segment = b
                        .get(1..usize::try_from(seg_left).unwrap_or(usize::MAX))
                        .or_else(|| b.get(1..))
                        .unwrap_or_default();
                    match parse_class_dump(ids)(in_segment) {
                        Ok((r, cd)) => {
                            v.class_dump(off, &cd);
                            at += 1 + in_segment.len() - r.len();
                        }
                        Err(nom::Err::Incomplete(_)) => {
                            if b.len() as u64 >= seg_left {
                                return Err(overrun("CLASS_DUMP"));
                            }
                            self.stalled = "CLASS_DUMP";
                            break;
                        }
                        Err(e) => return Err(perr(off, "CLASS_DUMP", e)),
                    }
                }
                SubTag::HPROF_HEAP_DUMP_INFO => {
                    let total = 1 + 4 + idz;
                    if total as u64 > seg_left {
                        return Err(overrun("HEAP_DUMP_INFO"));
                    }
                    if b.len() < total {
                        self.stalled = "HEAP_DUMP_INFO";
                        break;
                    }
                    v.heap_dump_info(u32_at(b, 1), id_at_offset(b, 5, ids));
                    at += total;
                }
                _ => {
                    let Some((kind, nid, nw)) = root_layout(tag) else {
                        return Err(HprofError::new(off, ErrorKind::UnknownSubTag(tag)));
                    };
                    let total = 1 + usize::from(nid) * idz + usize::from(nw) * 4;
                    if total as u64 > seg_left {
                        return Err(overrun(tag.name().unwrap_or("GC root")));
                    }
                    let Some(body) = b.get(1..total) else {
                        self.stalled = tag.name().unwrap_or("GC root");
                        break;
                    };
                    v.gc_root(&decode_root(kind, nid, nw, body, ids));
                    at += total;
                }
            }
        }
        Ok(at)
    }
}

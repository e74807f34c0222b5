//! An HPROF writer: builds well-formed (or deliberately broken) dumps for tests and fuzz
//! seeds without literal byte arrays, and streams large generated dumps to any
//! [`std::io::Write`] (`tests/bench/hprof_gen.rs`). Not used by the analyzer itself.
//!
//! Memory: the writer holds at most one heap-dump segment (the open `HEAP_DUMP_SEGMENT`,
//! whose length is only known when it closes) or one top-level record. In memory
//! ([`HprofWriter::new`]) segments are never split; streaming
//! ([`HprofWriter::to_sink`]) a segment is closed and a new one opened before it would
//! exceed the segment limit, so the writer's memory is the limit plus the largest single
//! sub-record, whatever the dump's size.

use super::tags::{BasicType, SubTag, Tag};
use std::io::{self, Write};

/// Default segment size when streaming: about HotSpot's (JDK 17 wrote `bench-1g.hprof` in
/// 1 109 segments of ~0.97 MB).
pub const DEFAULT_SEGMENT_LIMIT: usize = 1 << 20;

/// Builds an HPROF byte stream into a sink (a `Vec<u8>` by default).
pub struct HprofWriter<W: Write = Vec<u8>> {
    out: W,
    /// Bytes not yet handed to `out`: the open heap-dump record from its tag on, or the
    /// file header before the first record.
    buf: Vec<u8>,
    id_size: u8,
    /// Position in `buf` of the length field of the open heap-dump record, and its tag.
    open_segment: Option<(usize, Tag)>,
    /// Body bytes after which a streaming segment is closed and another one opened.
    segment_limit: usize,
    /// Bytes handed to `out` so far.
    written: u64,
    /// The first write error; later writes are skipped and it is returned at the end.
    error: Option<io::Error>,
}

impl HprofWriter<Vec<u8>> {
    /// A `JAVA PROFILE 1.0.2` stream in memory with the given identifier size.
    pub fn new(id_size: u8) -> Self {
        Self::with_format("JAVA PROFILE 1.0.2", id_size, 1_700_000_000_000)
    }

    /// A stream in memory with an explicit format string and timestamp.
    pub fn with_format(format: &str, id_size: u8, timestamp_ms: u64) -> Self {
        let mut w = HprofWriter::to_sink(Vec::new(), format, id_size, timestamp_ms);
        w.segment_limit = usize::MAX;
        w
    }

    /// The finished bytes.
    pub fn finish(&mut self) -> Vec<u8> {
        self.close_segment();
        self.flush_buf();
        std::mem::take(&mut self.out)
    }
}

impl<W: Write> HprofWriter<W> {
    /// A stream written to `out` as it is built (wrap a file in a `BufWriter`: top-level
    /// records are written one by one). Segments are split at [`DEFAULT_SEGMENT_LIMIT`].
    pub fn to_sink(out: W, format: &str, id_size: u8, timestamp_ms: u64) -> Self {
        let mut buf = Vec::new();
        buf.extend_from_slice(format.as_bytes());
        buf.push(0);
        buf.extend_from_slice(&u32::from(id_size).to_be_bytes());
        buf.extend_from_slice(&((timestamp_ms >> 32) as u32).to_be_bytes());
        buf.extend_from_slice(&(timestamp_ms as u32).to_be_bytes());
        HprofWriter {
            out,
            buf,
            id_size,
            open_segment: None,
            segment_limit: DEFAULT_SEGMENT_LIMIT,
            written: 0,
            error: None,
        }
    }

    /// Sets the segment size limit (body bytes; at least one sub-record per segment).
    pub fn set_segment_limit(&mut self, bytes: usize) -> &mut Self {
        self.segment_limit = bytes.max(1);
        self
    }

    /// Closes the open segment, writes what is pending and flushes the sink; returns the
    /// sink, or the first write error.
    pub fn into_inner(mut self) -> io::Result<W> {
        self.close_segment();
        self.flush_buf();
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.out.flush()?;
        Ok(self.out)
    }

    /// Bytes of the stream so far (written or pending).
    pub fn position(&self) -> u64 {
        self.written + self.buf.len() as u64
    }

    /// The identifier size.
    pub fn id_size(&self) -> u8 {
        self.id_size
    }

    fn flush_buf(&mut self) {
        if self.buf.is_empty() {
            return;
        }
        if self.error.is_none()
            && let Err(e) = self.out.write_all(&self.buf)
        {
            self.error = Some(e);
        }
        self.written += self.buf.len() as u64;
        self.buf.clear();
    }

    fn id_bytes(&self, id: u64) -> Vec<u8> {
        let mut b = Vec::with_capacity(8);
        self.push_id(&mut b, id);
        b
    }

    /// Appends an identifier to a body under construction.
    pub fn push_id(&self, body: &mut Vec<u8>, id: u64) {
        if self.id_size == 4 {
            body.extend_from_slice(&(id as u32).to_be_bytes());
        } else {
            body.extend_from_slice(&id.to_be_bytes());
        }
    }

    /// Appends an identifier to the open record.
    fn id(&mut self, id: u64) {
        if self.id_size == 4 {
            self.buf.extend_from_slice(&(id as u32).to_be_bytes());
        } else {
            self.buf.extend_from_slice(&id.to_be_bytes());
        }
    }

    fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    /// A top-level record with a raw body.
    pub fn record(&mut self, tag: Tag, body: &[u8]) -> &mut Self {
        self.close_segment();
        self.buf.push(tag.0);
        self.u32(0);
        self.u32(body.len() as u32);
        self.buf.extend_from_slice(body);
        self.flush_buf();
        self
    }

    /// A UTF8 record.
    pub fn utf8(&mut self, id: u64, s: &str) -> &mut Self {
        let mut b = self.id_bytes(id);
        b.extend_from_slice(s.as_bytes());
        self.record(Tag::HPROF_UTF8, &b)
    }

    /// A LOAD_CLASS record.
    pub fn load_class(&mut self, serial: u32, class_id: u64, name_id: u64) -> &mut Self {
        let mut b = serial.to_be_bytes().to_vec();
        self.push_id(&mut b, class_id);
        b.extend_from_slice(&0u32.to_be_bytes());
        self.push_id(&mut b, name_id);
        self.record(Tag::HPROF_LOAD_CLASS, &b)
    }

    /// A FRAME record.
    pub fn frame(
        &mut self,
        id: u64,
        method: u64,
        sig: u64,
        source: u64,
        class_serial: u32,
        line: i32,
    ) -> &mut Self {
        let mut b = Vec::new();
        for x in [id, method, sig, source] {
            self.push_id(&mut b, x);
        }
        b.extend_from_slice(&class_serial.to_be_bytes());
        b.extend_from_slice(&line.to_be_bytes());
        self.record(Tag::HPROF_FRAME, &b)
    }

    /// A TRACE record.
    pub fn trace(&mut self, serial: u32, thread_serial: u32, frames: &[u64]) -> &mut Self {
        let mut b = serial.to_be_bytes().to_vec();
        b.extend_from_slice(&thread_serial.to_be_bytes());
        b.extend_from_slice(&(frames.len() as u32).to_be_bytes());
        for &f in frames {
            self.push_id(&mut b, f);
        }
        self.record(Tag::HPROF_TRACE, &b)
    }

    /// A START_THREAD record.
    pub fn start_thread(&mut self, serial: u32, object: u64, stack: u32, name: u64) -> &mut Self {
        let mut b = serial.to_be_bytes().to_vec();
        self.push_id(&mut b, object);
        b.extend_from_slice(&stack.to_be_bytes());
        for x in [name, 0, 0] {
            self.push_id(&mut b, x);
        }
        self.record(Tag::HPROF_START_THREAD, &b)
    }

    /// Opens a HEAP_DUMP_SEGMENT (closing any open one).
    pub fn begin_segment(&mut self) -> &mut Self {
        self.begin_heap(Tag::HPROF_HEAP_DUMP_SEGMENT)
    }

    /// Opens a heap-dump record with the given tag.
    pub fn begin_heap(&mut self, tag: Tag) -> &mut Self {
        self.close_segment();
        self.flush_buf();
        self.buf.push(tag.0);
        self.u32(0);
        self.open_segment = Some((self.buf.len(), tag));
        self.u32(0);
        self
    }

    fn close_segment(&mut self) {
        if let Some((p, _)) = self.open_segment.take() {
            let len = (self.buf.len() - p - 4) as u32;
            if let Some(field) = self.buf.get_mut(p..p + 4) {
                field.copy_from_slice(&len.to_be_bytes());
            }
            self.flush_buf();
        }
    }

    /// Makes room for a sub-record of `len` bytes (tag included): opens a segment if none
    /// is open, or a new one of the same tag when this one would exceed the limit.
    fn open_for(&mut self, len: usize) {
        match self.open_segment {
            None => {
                self.begin_segment();
            }
            Some((p, tag)) => {
                let body = self.buf.len() - p - 4;
                if body > 0 && body.saturating_add(len) > self.segment_limit {
                    self.begin_heap(tag);
                }
            }
        }
    }

    fn sub(&mut self, tag: SubTag, body: &[u8]) -> &mut Self {
        self.open_for(1 + body.len());
        self.buf.push(tag.0);
        self.buf.extend_from_slice(body);
        self
    }

    /// Raw sub-record bytes (tag included), for malformed inputs.
    pub fn raw_sub(&mut self, bytes: &[u8]) -> &mut Self {
        self.open_for(bytes.len());
        self.buf.extend_from_slice(bytes);
        self
    }

    /// A GC root with only an object ID (UNKNOWN, STICKY_CLASS, MONITOR_USED, Android
    /// single-ID kinds).
    pub fn root_simple(&mut self, tag: SubTag, object: u64) -> &mut Self {
        let b = self.id_bytes(object);
        self.sub(tag, &b)
    }

    /// A ROOT_JAVA_FRAME or ROOT_JNI_LOCAL root.
    pub fn root_frame(&mut self, tag: SubTag, object: u64, thread: u32, frame: u32) -> &mut Self {
        let mut b = self.id_bytes(object);
        b.extend_from_slice(&thread.to_be_bytes());
        b.extend_from_slice(&frame.to_be_bytes());
        self.sub(tag, &b)
    }

    /// A ROOT_THREAD_OBJ root.
    pub fn root_thread(&mut self, object: u64, thread: u32, stack: u32) -> &mut Self {
        self.root_frame(SubTag::HPROF_GC_ROOT_THREAD_OBJ, object, thread, stack)
    }

    /// A ROOT_JNI_GLOBAL root.
    pub fn root_jni_global(&mut self, object: u64, global_ref: u64) -> &mut Self {
        let mut b = self.id_bytes(object);
        b.extend_from_slice(&self.id_bytes(global_ref));
        self.sub(SubTag::HPROF_GC_ROOT_JNI_GLOBAL, &b)
    }

    /// A CLASS_DUMP. `statics` values are raw bits (IDs for objects).
    pub fn class_dump(
        &mut self,
        id: u64,
        super_id: u64,
        loader: u64,
        instance_size: u32,
        statics: &[(u64, BasicType, u64)],
        fields: &[(u64, BasicType)],
    ) -> &mut Self {
        let mut b = self.id_bytes(id);
        b.extend_from_slice(&0u32.to_be_bytes());
        for x in [super_id, loader, 0, 0, 0, 0] {
            self.push_id(&mut b, x);
        }
        b.extend_from_slice(&instance_size.to_be_bytes());
        b.extend_from_slice(&0u16.to_be_bytes());
        b.extend_from_slice(&(statics.len() as u16).to_be_bytes());
        for &(name, ty, value) in statics {
            self.push_id(&mut b, name);
            b.push(ty.0);
            self.push_value(&mut b, ty, value);
        }
        b.extend_from_slice(&(fields.len() as u16).to_be_bytes());
        for &(name, ty) in fields {
            self.push_id(&mut b, name);
            b.push(ty.0);
        }
        self.sub(SubTag::HPROF_GC_CLASS_DUMP, &b)
    }

    /// Appends a value of type `ty` (raw bits) to a body.
    pub fn push_value(&self, b: &mut Vec<u8>, ty: BasicType, value: u64) {
        let sz = ty.size_in_dump(self.id_size).unwrap_or(0);
        let bytes = value.to_be_bytes();
        let skip = 8usize.saturating_sub(usize::from(sz));
        b.extend_from_slice(bytes.get(skip..).unwrap_or_default());
    }

    /// Field bytes for an instance: values in dump order (this class first, then supers).
    pub fn fields(&self, values: &[(BasicType, u64)]) -> Vec<u8> {
        let mut b = Vec::new();
        for &(ty, v) in values {
            self.push_value(&mut b, ty, v);
        }
        b
    }

    /// An INSTANCE_DUMP.
    pub fn instance(&mut self, id: u64, class_id: u64, data: &[u8]) -> &mut Self {
        let ids = usize::from(self.id_size);
        self.open_for(1 + 2 * ids + 8 + data.len());
        self.buf.push(SubTag::HPROF_GC_INSTANCE_DUMP.0);
        self.id(id);
        self.u32(0);
        self.id(class_id);
        self.u32(data.len() as u32);
        self.buf.extend_from_slice(data);
        self
    }

    /// An OBJ_ARRAY_DUMP.
    pub fn obj_array(&mut self, id: u64, class_id: u64, elems: &[u64]) -> &mut Self {
        let ids = usize::from(self.id_size);
        self.open_for(1 + 2 * ids + 8 + elems.len() * ids);
        self.buf.push(SubTag::HPROF_GC_OBJ_ARRAY_DUMP.0);
        self.id(id);
        self.u32(0);
        self.u32(elems.len() as u32);
        self.id(class_id);
        for &e in elems {
            self.id(e);
        }
        self
    }

    /// A PRIM_ARRAY_DUMP with raw element bytes (`data.len()` must be `len * size`).
    pub fn prim_array(&mut self, id: u64, elem: BasicType, len: u32, data: &[u8]) -> &mut Self {
        self.prim_array_with(id, elem, len, data.len(), |b| b.extend_from_slice(data))
    }

    /// A PRIM_ARRAY_DUMP whose `bytes` element bytes `fill` appends to the record (so a
    /// large array is not built twice).
    pub fn prim_array_with(
        &mut self,
        id: u64,
        elem: BasicType,
        len: u32,
        bytes: usize,
        fill: impl FnOnce(&mut Vec<u8>),
    ) -> &mut Self {
        let ids = usize::from(self.id_size);
        self.open_for(1 + ids + 9 + bytes);
        self.buf.push(SubTag::HPROF_GC_PRIM_ARRAY_DUMP.0);
        self.id(id);
        self.u32(0);
        self.u32(len);
        self.buf.push(elem.0);
        fill(&mut self.buf);
        self
    }

    /// HEAP_DUMP_END.
    pub fn heap_dump_end(&mut self) -> &mut Self {
        self.record(Tag::HPROF_HEAP_DUMP_END, &[])
    }
}

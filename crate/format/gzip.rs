//! Gzip (RFC 1952) decoding for compressed dumps (`jcmd GC.heap_dump -gz`, `.hprof.gz`).
//!
//! ```text
//! member: u1 0x1f | u1 0x8b | u1 CM=8 | u1 FLG | u4 MTIME | u1 XFL | u1 OS
//!         [FEXTRA: u2le n, n bytes] [FNAME: zstring] [FCOMMENT: zstring] [FHCRC: u2]
//!         deflate data | u4le CRC32 | u4le ISIZE
//! ```
//! A file may hold several members back to back (HotSpot writes one per chunk); their
//! outputs concatenate. Decoding is push-driven like the HPROF reader. While decoding, the
//! decoder can record [`Checkpoint`]s (member starts, and inflater snapshots every
//! [`CHECKPOINT_INTERVAL`] bytes of output) that let [`GzipRandomReader`] read any range
//! of the decompressed stream later without starting over. A snapshot costs about 43 KiB
//! (the 32 KiB window plus the inflater's tables): 2.7 KiB per MiB of dump at the default
//! interval.

use super::error::{ErrorKind, HprofError};
use miniz_oxide::inflate::stream::{InflateState, inflate};
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};

/// Decompressed bytes between inflater snapshots.
pub const CHECKPOINT_INTERVAL: u64 = 16 << 20;

/// Member headers longer than this are rejected (a name field without its NUL).
const MAX_HEADER: usize = 1 << 20;

/// True when `b` starts with the gzip magic bytes.
pub fn is_gzip(b: &[u8]) -> bool {
    b.starts_with(&[0x1f, 0x8b])
}

/// A place where decoding can restart.
#[derive(Clone)]
pub struct Checkpoint {
    /// Offset in the compressed file of the next input byte.
    pub in_offset: u64,
    /// Offset in the decompressed stream of the next output byte.
    pub out_offset: u64,
    /// Inflater state to resume with; `None` at a member boundary (a header follows).
    pub state: Option<Box<InflateState>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Header,
    Deflate,
    Trailer,
}

/// A push-driven gzip decoder that hands decompressed bytes to a sink.
pub struct GzipDecoder {
    phase: Phase,
    inflater: Box<InflateState>,
    out: Vec<u8>,
    /// Bytes of an incomplete header or trailer.
    pending: Vec<u8>,
    /// Compressed offset of the next input byte (pending bytes count as consumed).
    in_pos: u64,
    /// Decompressed offset of the next output byte.
    out_pos: u64,
    crc: crc32fast::Hasher,
    member_out: u64,
    member_start: u64,
    record: bool,
    checkpoints: Vec<Checkpoint>,
    members: u64,
    /// Verify CRC32 and ISIZE (off when resuming mid-member from a snapshot).
    verify: bool,
}

fn gz_err(offset: u64, detail: impl Into<String>) -> HprofError {
    HprofError::new(
        offset,
        ErrorKind::Gzip {
            detail: detail.into(),
        },
    )
}

/// Length of the member header at the start of `b`; `Ok(None)` if more bytes are needed.
fn header_len(b: &[u8], at: u64) -> Result<Option<usize>, HprofError> {
    if let Some(&x) = b.first()
        && x != 0x1f
    {
        return Err(gz_err(at, "expected the start of a gzip member (1f 8b)"));
    }
    let Some(&[m0, m1, method, flg, ..]) = b.first_chunk::<10>() else {
        return Ok(None);
    };
    if [m0, m1] != [0x1f, 0x8b] {
        return Err(gz_err(at, "expected the start of a gzip member (1f 8b)"));
    }
    if method != 8 {
        return Err(gz_err(
            at,
            format!("unsupported compression method {method}"),
        ));
    }
    let mut p = 10usize;
    if flg & 0x04 != 0 {
        let Some(x) = b.get(p..).and_then(|s| s.first_chunk::<2>()) else {
            return Ok(None);
        };
        p += 2 + usize::from(u16::from_le_bytes(*x));
    }
    for bit in [0x08u8, 0x10] {
        if flg & bit != 0 {
            let Some(z) = b.get(p..).and_then(|s| s.iter().position(|&c| c == 0)) else {
                return Ok(None);
            };
            p += z + 1;
        }
    }
    if flg & 0x02 != 0 {
        p += 2;
    }
    if b.len() < p {
        return Ok(None);
    }
    Ok(Some(p))
}

impl GzipDecoder {
    /// A decoder at the start of a file. With `record_checkpoints`, it keeps what
    /// [`GzipRandomReader`] needs.
    pub fn new(record_checkpoints: bool) -> Self {
        GzipDecoder {
            phase: Phase::Header,
            inflater: InflateState::new_boxed(DataFormat::Raw),
            out: vec![0; 256 * 1024],
            pending: Vec::new(),
            in_pos: 0,
            out_pos: 0,
            crc: crc32fast::Hasher::new(),
            member_out: 0,
            member_start: 0,
            record: record_checkpoints,
            checkpoints: Vec::new(),
            members: 0,
            verify: true,
        }
    }

    /// A decoder resuming at a checkpoint (no CRC check for the member it is inside).
    fn resume(cp: &Checkpoint) -> Self {
        let mut d = GzipDecoder::new(false);
        d.in_pos = cp.in_offset;
        d.out_pos = cp.out_offset;
        if let Some(state) = &cp.state {
            d.inflater = state.clone();
            d.phase = Phase::Deflate;
            d.verify = false;
        }
        d
    }

    /// Decompressed bytes produced so far.
    pub fn out_position(&self) -> u64 {
        self.out_pos
    }

    /// Compressed bytes consumed so far.
    pub fn in_position(&self) -> u64 {
        self.in_pos
    }

    /// The checkpoints recorded so far (moved out).
    pub fn take_checkpoints(&mut self) -> Vec<Checkpoint> {
        std::mem::take(&mut self.checkpoints)
    }

    /// Gathers a header or trailer whose full length `need` tells once enough bytes are
    /// present. Returns how many bytes of `data` were used, and the item's bytes when it
    /// is complete (they are small: a header or 8 trailer bytes).
    fn gather(
        &mut self,
        data: &[u8],
        need: impl Fn(&[u8], u64) -> Result<Option<usize>, HprofError>,
    ) -> Result<(usize, Option<Vec<u8>>), HprofError> {
        let start = self.in_pos - self.pending.len() as u64;
        if self.pending.is_empty()
            && let Some(n) = need(data, start)?
            && let Some(item) = data.get(..n)
        {
            return Ok((n, Some(item.to_vec())));
        }
        // Incomplete: grow `pending` by bounded steps.
        let old = self.pending.len();
        let take = data.len().min(old.max(64));
        self.pending
            .extend_from_slice(data.get(..take).unwrap_or_default());
        match need(&self.pending, start)? {
            Some(n) if n <= self.pending.len() => {
                let mut item = std::mem::take(&mut self.pending);
                item.truncate(n);
                Ok((n - old, Some(item)))
            }
            _ => {
                if self.pending.len() > MAX_HEADER {
                    return Err(gz_err(start, "gzip member header too long"));
                }
                Ok((take, None))
            }
        }
    }

    /// Feeds compressed bytes; decompressed output goes to `sink`.
    pub fn push(
        &mut self,
        mut data: &[u8],
        sink: &mut dyn FnMut(&[u8]) -> Result<(), HprofError>,
    ) -> Result<(), HprofError> {
        while !data.is_empty() {
            match self.phase {
                Phase::Header => {
                    let (used, done) = self.gather(data, header_len)?;
                    data = data.get(used..).unwrap_or_default();
                    self.in_pos += used as u64;
                    if let Some(h) = done {
                        self.member_start = self.in_pos - h.len() as u64;
                        if self.record && self.members > 0 {
                            let last = self.checkpoints.last().map_or(0, |c| c.out_offset);
                            if self.out_pos >= last + (1 << 20) {
                                self.checkpoints.push(Checkpoint {
                                    in_offset: self.member_start,
                                    out_offset: self.out_pos,
                                    state: None,
                                });
                            }
                        }
                        self.members += 1;
                        self.inflater.reset(DataFormat::Raw);
                        self.crc = crc32fast::Hasher::new();
                        self.member_out = 0;
                        self.verify = true;
                        self.phase = Phase::Deflate;
                    }
                }
                Phase::Trailer => {
                    let (used, done) = self.gather(data, |b, _| Ok((b.len() >= 8).then_some(8)))?;
                    data = data.get(used..).unwrap_or_default();
                    self.in_pos += used as u64;
                    if let Some(t) = done {
                        if self.verify {
                            let word = |i: usize| {
                                t.get(i..)
                                    .and_then(|w| w.first_chunk::<4>())
                                    .map_or(0, |w| u32::from_le_bytes(*w))
                            };
                            let (crc, isize) = (word(0), word(4));
                            let actual = std::mem::take(&mut self.crc).finalize();
                            if crc != actual {
                                return Err(gz_err(
                                    self.in_pos - 8,
                                    format!(
                                        "CRC mismatch (stored {crc:08x}, computed {actual:08x})"
                                    ),
                                ));
                            }
                            if isize != self.member_out as u32 {
                                return Err(gz_err(
                                    self.in_pos - 4,
                                    "member length (ISIZE) mismatch",
                                ));
                            }
                        }
                        self.phase = Phase::Header;
                    }
                }
                Phase::Deflate => {
                    let r = inflate(&mut self.inflater, data, &mut self.out, MZFlush::None);
                    let written = r.bytes_written;
                    if written > 0 {
                        let chunk = self.out.get(..written).unwrap_or_default();
                        if self.verify {
                            self.crc.update(chunk);
                        }
                        // Counted before the sink sees them, so that `out_position` covers
                        // the bytes an error in the sink may point into.
                        self.out_pos += written as u64;
                        self.member_out += written as u64;
                        sink(chunk)?;
                    }
                    data = data.get(r.bytes_consumed..).unwrap_or_default();
                    self.in_pos += r.bytes_consumed as u64;
                    match r.status {
                        Ok(MZStatus::StreamEnd) => self.phase = Phase::Trailer,
                        Ok(_) | Err(MZError::Buf) => {
                            if self.record
                                && written < self.out.len()
                                && self.out_pos
                                    >= self.checkpoints.last().map_or(0, |c| c.out_offset)
                                        + CHECKPOINT_INTERVAL
                            {
                                self.checkpoints.push(Checkpoint {
                                    in_offset: self.in_pos,
                                    out_offset: self.out_pos,
                                    state: Some(self.inflater.clone()),
                                });
                            }
                            if r.bytes_consumed == 0 && written == 0 && !data.is_empty() {
                                return Err(gz_err(
                                    self.in_pos,
                                    "the deflate stream made no progress",
                                ));
                            }
                        }
                        Err(e) => {
                            return Err(gz_err(
                                self.in_pos,
                                format!("invalid deflate data ({e:?})"),
                            ));
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Declares the end of the compressed input.
    pub fn finish(&self) -> Result<(), HprofError> {
        match self.phase {
            Phase::Header if self.pending.is_empty() && self.members > 0 => Ok(()),
            Phase::Header if self.members == 0 => Err(gz_err(0, "empty gzip stream")),
            Phase::Header => Err(gz_err(self.in_pos, "truncated gzip member header")),
            Phase::Deflate => Err(gz_err(
                self.in_pos,
                "the compressed file ends inside a deflate stream (truncated .gz)",
            )),
            Phase::Trailer => Err(gz_err(self.in_pos, "truncated gzip trailer")),
        }
    }
}

/// Random access into the decompressed stream of a gzip file, resuming from the nearest
/// [`Checkpoint`] and keeping a window of recent output so that nearby reads are cheap.
pub struct GzipRandomReader<S: ByteSource> {
    src: S,
    checkpoints: Vec<Checkpoint>,
    dec: Option<GzipDecoder>,
    window: Vec<u8>,
    window_start: u64,
    /// Compressed bytes read for the decoder (allocated when the window first grows).
    input: Vec<u8>,
}

use super::source::ByteSource;

/// Compressed bytes read at a time.
const INPUT_CHUNK: usize = 64 * 1024;

const WINDOW_MAX: usize = 8 << 20;

impl<S: ByteSource> GzipRandomReader<S> {
    /// A reader over the compressed `src`, with the checkpoints a [`GzipDecoder`] recorded
    /// while decoding it.
    pub fn new(src: S, checkpoints: Vec<Checkpoint>) -> Self {
        GzipRandomReader {
            src,
            checkpoints,
            dec: None,
            window: Vec::new(),
            window_start: 0,
            input: Vec::new(),
        }
    }

    fn restart(&mut self, offset: u64) {
        let i = self.checkpoints.partition_point(|c| c.out_offset <= offset);
        let dec = match i.checked_sub(1).and_then(|j| self.checkpoints.get(j)) {
            Some(cp) => GzipDecoder::resume(cp),
            None => GzipDecoder::new(false),
        };
        self.window.clear();
        self.window_start = dec.out_position();
        self.dec = Some(dec);
    }
}

impl<S: ByteSource> ByteSource for GzipRandomReader<S> {
    fn len(&self) -> u64 {
        u64::MAX
    }

    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<usize, HprofError> {
        let end = offset.saturating_add(buf.len() as u64);
        let window_end = self.window_start + self.window.len() as u64;
        let usable = self.dec.is_some()
            && offset >= self.window_start
            && offset <= window_end.saturating_add(CHECKPOINT_INTERVAL);
        if !usable {
            self.restart(offset);
        }
        loop {
            let window_end = self.window_start + self.window.len() as u64;
            if window_end >= end {
                break;
            }
            let Some(dec) = self.dec.as_mut() else { break };
            let at = dec.in_position();
            if self.input.is_empty() {
                self.input = vec![0u8; INPUT_CHUNK];
            }
            let chunk = &mut self.input;
            let n = self.src.read_at(at, chunk)?;
            let Some(got) = chunk.get(..n).filter(|g| !g.is_empty()) else {
                break;
            };
            let window = &mut self.window;
            let window_start = &mut self.window_start;
            let mut sink = |b: &[u8]| {
                window.extend_from_slice(b);
                Ok(())
            };
            dec.push(got, &mut sink)?;
            // Keep the window bounded, but never drop bytes at or after `offset`.
            if self.window.len() > WINDOW_MAX {
                let keep_from =
                    offset.max(*window_start + (self.window.len() - WINDOW_MAX / 2) as u64);
                let drop =
                    (keep_from.saturating_sub(*window_start) as usize).min(self.window.len());
                if drop > 0 {
                    self.window.drain(..drop);
                    *window_start += drop as u64;
                }
            }
        }
        if offset < self.window_start {
            return Ok(0);
        }
        let from = (offset - self.window_start) as usize;
        let have = self.window.get(from..).unwrap_or_default();
        let avail = have.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..avail), have.get(..avail)) {
            dst.copy_from_slice(src);
        }
        Ok(avail)
    }
}

//! The `format` layer: HPROF records, read by streaming.
//!
//! [`Decoder`] takes raw file bytes in slices of any size, recognizes gzip, and drives a
//! [`StreamParser`] that delivers every record to a [`Visitor`]. Nothing here depends on
//! the heap model; nothing here needs the whole file in memory.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
// Values read from the file decide lengths and offsets here: every access is checked
// (`get`, `split_at_checked`, slice patterns). The few hot loops that index keep it with
// an `#[expect]` on the function or block, saying why each index is in range.

pub mod classes;
pub mod error;
pub mod gzip;
pub mod header;
pub mod heap_dump;
pub mod misc;
pub mod primitives;
pub mod redact;
pub mod redact_names;
pub mod sniff;
pub mod source;
pub mod stacks;
pub mod stream;
pub mod strings;
pub mod tags;
pub mod threads;
pub mod writer;

pub use error::{ErrorKind, HprofError};
pub use header::Header;
pub use source::ByteSource;
pub use stream::{StreamParser, Visitor};

use gzip::GzipDecoder;

/// Where a damaged dump stops being readable, when a [`Decoder`] opens what is there
/// ([`Decoder::recovering`]) instead of failing: a dump cut short (disk full while dumping,
/// an interrupted copy, a JVM killed mid-dump) or corrupt from some point on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Damage {
    /// What could not be read and where: the error `--strict` reports. Its offset is where
    /// the damage starts; every record before it was read (offsets count decompressed
    /// bytes for gzip).
    pub error: HprofError,
    /// Bytes of the file pushed after the point where reading stopped (compressed bytes
    /// for gzip): what was not analysed.
    pub unread_bytes: u64,
    /// The stream's length at least, when the heap-dump record the damage is in declares
    /// that it ends beyond the end of the input (a dump cut short).
    pub expected_bytes: Option<u64>,
}

/// Front end of the reader: raw file bytes in, records out. Detects gzip by its magic
/// bytes and inflates on the fly.
pub struct Decoder {
    gz: Option<GzipDecoder>,
    /// First bytes, held until there are enough to recognize gzip.
    sniff: Vec<u8>,
    detected: bool,
    record_checkpoints: bool,
    parser: StreamParser,
    raw_consumed: u64,
    /// Open a damaged dump up to its damage instead of failing.
    recover: bool,
    /// The damage met, once reading stopped at it (then nothing more is read).
    damage: Option<Damage>,
    /// Raw bytes consumed when reading stopped.
    stopped_at: u64,
}

impl Decoder {
    /// A decoder at the start of a file. `record_gzip_checkpoints` keeps what random
    /// access into a gzip file needs (see [`gzip::GzipRandomReader`]).
    pub fn new(record_gzip_checkpoints: bool) -> Self {
        Decoder {
            gz: None,
            sniff: Vec::new(),
            detected: false,
            record_checkpoints: record_gzip_checkpoints,
            parser: StreamParser::new(),
            raw_consumed: 0,
            recover: false,
            damage: None,
            stopped_at: 0,
        }
    }

    /// This decoder opens damaged dumps: a stream that ends inside a record, or that holds
    /// a record it cannot read, is read up to that record (every record before it reaches
    /// the visitor, the record itself and the rest do not), and [`Decoder::damage`] says
    /// where and why, instead of `push` or `finish` failing. A stream with no heap data
    /// before the damage (not HPROF, a bad header, no heap dump) still fails. The same
    /// bytes always stop at the same record, so every pass over a damaged file sees the
    /// same objects.
    pub fn recovering(mut self) -> Self {
        self.recover = true;
        self
    }

    /// The damage reading stopped at (see [`Decoder::recovering`]); `None` for an intact
    /// dump.
    pub fn damage(&self) -> Option<&Damage> {
        self.damage.as_ref()
    }

    /// Turns an error into the damage reading stops at, when recovering and heap data was
    /// read before it.
    fn recover_from(&mut self, r: Result<(), HprofError>) -> Result<(), HprofError> {
        match r {
            Err(error) if self.recover && self.damage.is_none() && self.parser.saw_heap_dump() => {
                let stream = self.stream_bytes();
                let expected_bytes = self.parser.open_record_end().filter(|&end| end > stream);
                self.stopped_at = self.raw_consumed;
                self.damage = Some(Damage {
                    error,
                    unread_bytes: 0,
                    expected_bytes,
                });
                Ok(())
            }
            r => r,
        }
    }

    /// True once the input was recognized as gzip.
    pub fn is_gzip(&self) -> bool {
        self.gz.is_some()
    }

    /// Raw (file) bytes pushed so far.
    pub fn raw_consumed(&self) -> u64 {
        self.raw_consumed
    }

    /// Bytes of the HPROF stream produced so far: the decompressed bytes for gzip (all of
    /// them, including a piece whose parsing failed), else the raw bytes. Error offsets
    /// (other than gzip's own) never exceed it.
    pub fn stream_bytes(&self) -> u64 {
        self.gz
            .as_ref()
            .map_or(self.raw_consumed, |g| g.out_position())
    }

    /// Takes the gzip checkpoints recorded so far (empty for plain files).
    pub fn take_gzip_checkpoints(&mut self) -> Vec<gzip::Checkpoint> {
        self.gz
            .as_mut()
            .map(|g| g.take_checkpoints())
            .unwrap_or_default()
    }

    /// Feeds the next raw bytes of the file.
    pub fn push<V: Visitor>(&mut self, data: &[u8], v: &mut V) -> Result<(), HprofError> {
        self.raw_consumed += data.len() as u64;
        if self.damage.is_some() {
            return Ok(()); // reading stopped at the damage
        }
        let r = self.read(data, v);
        self.recover_from(r)
    }

    fn read<V: Visitor>(&mut self, data: &[u8], v: &mut V) -> Result<(), HprofError> {
        if !self.detected {
            self.sniff.extend_from_slice(data);
            if self.sniff.len() < 2 {
                return Ok(());
            }
            self.detected = true;
            if gzip::is_gzip(&self.sniff) {
                self.gz = Some(GzipDecoder::new(self.record_checkpoints));
            }
            let first = std::mem::take(&mut self.sniff);
            return self.feed(&first, v);
        }
        self.feed(data, v)
    }

    fn feed<V: Visitor>(&mut self, data: &[u8], v: &mut V) -> Result<(), HprofError> {
        match &mut self.gz {
            None => self.parser.push(data, v),
            Some(gz) => {
                let parser = &mut self.parser;
                let mut sink = |b: &[u8]| {
                    parser.push(b, v).map_err(|mut e| {
                        e.decompressed = true;
                        e
                    })
                };
                gz.push(data, &mut sink)
            }
        }
    }

    /// Declares the end of the file.
    pub fn finish<V: Visitor>(&mut self, v: &mut V) -> Result<(), HprofError> {
        if self.damage.is_none() {
            let r = self.end(v);
            self.recover_from(r)?;
        }
        let unread = self.raw_consumed.saturating_sub(self.stopped_at);
        let plain = self.gz.is_none();
        if let Some(d) = &mut self.damage {
            // A plain file's unread bytes are those after the damaged record; a gzip file's,
            // the compressed bytes after the point where inflating stopped.
            d.unread_bytes = if plain {
                self.raw_consumed.saturating_sub(d.error.offset)
            } else {
                unread
            };
        }
        Ok(())
    }

    fn end<V: Visitor>(&mut self, v: &mut V) -> Result<(), HprofError> {
        if !self.detected {
            // Fewer than two bytes in the whole file.
            self.detected = true;
            let first = std::mem::take(&mut self.sniff);
            self.parser.push(&first, v)?;
        }
        let gz = self.gz.as_ref().map_or(Ok(()), |g| g.finish());
        if gz.is_err() && !(self.recover && self.parser.saw_heap_dump()) {
            return gz;
        }
        // A gzip file cut short: the record the cut falls in says more than the deflate
        // stream's end does, so a recovering decoder reports that.
        let decompressed = self.gz.is_some();
        self.parser
            .finish(v)
            .map_err(|mut e| {
                e.decompressed = decompressed;
                e
            })
            .and(gz)
    }
}

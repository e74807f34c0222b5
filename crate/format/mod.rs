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
        if !self.detected {
            // Fewer than two bytes in the whole file.
            self.detected = true;
            let first = std::mem::take(&mut self.sniff);
            self.parser.push(&first, v)?;
        }
        if let Some(gz) = &self.gz {
            gz.finish()?;
        }
        self.parser.finish(v).map_err(|mut e| {
            e.decompressed = self.gz.is_some();
            e
        })
    }
}

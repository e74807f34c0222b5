//! Driving the streaming passes over a file: the session's passes (CLI and wasm) run
//! through it.
//!
//! A [`Pass`] wraps a [`Decoder`] and a visitor; the caller pushes the file's bytes in
//! slices (of any size) and calls [`Pass::finish`]. [`index_bytes`] runs pass 1 over an
//! in-memory or streamed source.

use crate::format::{Decoder, HprofError, Visitor};
use crate::model::index::{Index, Indexer};

/// One streaming pass: raw file bytes in, visitor out.
pub struct Pass<V: Visitor> {
    decoder: Decoder,
    visitor: V,
}

impl<V: Visitor> Pass<V> {
    /// A pass feeding `visitor`. `record_gzip_checkpoints` keeps what random access into a
    /// gzip file needs (only the first pass needs to).
    pub fn new(visitor: V, record_gzip_checkpoints: bool) -> Self {
        Pass {
            decoder: Decoder::new(record_gzip_checkpoints),
            visitor,
        }
    }

    /// Feeds the next bytes of the file.
    pub fn push(&mut self, bytes: &[u8]) -> Result<(), HprofError> {
        self.decoder.push(bytes, &mut self.visitor)
    }

    /// Raw bytes pushed so far.
    pub fn consumed(&self) -> u64 {
        self.decoder.raw_consumed()
    }

    /// Ends the pass; returns the visitor and the decoder (for gzip checkpoints).
    pub fn finish(mut self) -> Result<(V, Decoder), HprofError> {
        self.decoder.finish(&mut self.visitor)?;
        Ok((self.visitor, self.decoder))
    }
}

/// Runs pass 1 over `chunks` (the file's bytes in order).
pub fn index_chunks<'a>(
    chunks: impl IntoIterator<Item = &'a [u8]>,
    per_object: bool,
) -> Result<Index, HprofError> {
    let mut pass = Pass::new(Indexer::new(per_object), false);
    for c in chunks {
        pass.push(c)?;
    }
    let (ix, _) = pass.finish()?;
    ix.finish()
}

/// Runs pass 1 over a whole in-memory file.
pub fn index_bytes(bytes: &[u8], per_object: bool) -> Result<Index, HprofError> {
    index_chunks(std::iter::once(bytes), per_object)
}

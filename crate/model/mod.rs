//! The `model` layer: pass 1, the compact heap index built from the `format` layer's
//! records ([`index`]): classes, strings, roots, threads, per-object class and size, the ID
//! map; and the data structures the later passes fill ([`csr`], [`captures`]). Passes 2
//! and 3 are the `graph` layer's.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
// Values read from the file decide lengths and indices here: every access is checked,
// or carries an `#[expect]` on the smallest item that says why each index is in range.

pub mod bits;
pub mod captures;
pub mod classes;
pub mod csr;
pub mod diagnostics;
pub mod hash;
pub mod idmap;
pub mod index;
pub mod names;
pub mod objects;
#[cfg(not(target_family = "wasm"))]
pub mod parallel;
pub mod rank;
pub mod records;
pub mod refs;
pub mod roots;
pub mod scan;
pub mod sizes;
pub mod stacks;
pub mod strings;

use crate::format::{Decoder, HprofError};
use index::{Index, Indexer};

/// Runs pass 1 over `chunks` (the file's bytes in order); `per_object` keeps the object
/// table (what the later passes need).
pub fn index_chunks<'a>(
    chunks: impl IntoIterator<Item = &'a [u8]>,
    per_object: bool,
) -> Result<Index, HprofError> {
    let mut indexer = Indexer::new(per_object);
    let mut decoder = Decoder::new(false);
    for c in chunks {
        decoder.push(c, &mut indexer)?;
    }
    decoder.finish(&mut indexer)?;
    indexer.finish()
}

/// Runs pass 1 over a whole in-memory file.
pub fn index_bytes(bytes: &[u8], per_object: bool) -> Result<Index, HprofError> {
    index_chunks(std::iter::once(bytes), per_object)
}

//! The `model` layer: the compact heap index built from the `format` layer's records.
//!
//! Built in streaming passes over the file (see `DESIGN` in the README):
//! pass 1 ([`index`]) gives classes, strings, roots, threads, per-object class/size and
//! the ID map, and the histogram; pass 2 ([`graph`]) gives the references.

pub mod captures;
pub mod classes;
pub mod csr;
pub mod diagnostics;
pub mod graph;
pub mod hash;
pub mod idmap;
pub mod index;
pub mod names;
pub mod objects;
pub mod records;
pub mod refs;
pub mod roots;
pub mod sizes;
pub mod stacks;
pub mod strings;

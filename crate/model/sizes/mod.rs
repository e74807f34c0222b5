//! Shallow sizes as HotSpot lays objects out.
//!
//! The dump gives field types in dump sizes (references take the ID size), not the live
//! layout: a 64-bit dump with 8-byte IDs may come from a JVM with 4-byte compressed
//! references and a 12-byte header. [`SizeModel`] holds the live-heap parameters; the
//! index picks the model whose predicted sizes best match the address gaps between
//! consecutive objects (HotSpot writes objects in address order, so the gap after an
//! object is its size whenever the next object is adjacent).
//!
//! Two field-layout algorithms are simulated:
//! - [`FieldLayout::Legacy`] (JDK 6–14, `ClassFileParser::layout_fields`, allocation
//!   style 1): each class's fields follow its superclass's field area (rounded to the
//!   reference size): longs/doubles, ints/floats, shorts/chars, bytes/booleans, then
//!   references; a 4-byte gap before the first long is filled by an int, shorts, bytes
//!   or (compressed) a reference.
//! - [`FieldLayout::Packed`] (JDK 15+, `FieldLayoutBuilder`): primitives by size
//!   descending, then references, each placed in the smallest hole that fits (holes of
//!   superclasses included), else appended at its natural alignment.
//!
//! Instance size is the end of the last field rounded up to 8 bytes. Arrays are
//! `align8(base + length × element size)`, where the base is the header plus the length
//! word, aligned to 8 where the element type needs it.
//!
//! This module holds the model parameters and array sizes (of one array, and the exact
//! total of an array class from its length counts); one submodule per other rule:
//! - `layout`: field layouts ([`Layout`], [`SizeModel::layout`]) and the instance sizes of
//!   every class of a dump, with the fields HotSpot injects and never dumps;
//! - `evidence`: the address-gap evidence pass 1 collects, the choice of the model that
//!   fits it best ([`ModelEvidence`]), and where it overrides a layout;
//! - `mirrors`: sizes of class objects (the `java.lang.Class` instance plus statics).
//!
//! The index ([`super::index`]) collects the evidence and applies these rules in
//! `Indexer::finish`.

mod evidence;
mod layout;
mod mirrors;

pub use evidence::ModelEvidence;
pub(crate) use evidence::{GapEvidence, choose_model};
pub use layout::Layout;
pub(crate) use layout::instance_sizes;
pub(crate) use mirrors::mirror_sizes;

use crate::format::tags::BasicType;

/// The field-layout algorithm of the JVM that wrote the dump.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldLayout {
    /// JDK 6 to 14.
    Legacy,
    /// JDK 15 and later.
    Packed,
}

/// Live-heap object layout parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SizeModel {
    /// Size of a reference field or object-array element: 4 (compressed oops or 32-bit)
    /// or 8.
    pub ref_size: u32,
    /// Object header: 8 (32-bit), 12 (64-bit with compressed class pointers) or 16.
    pub header: u32,
    /// Offset of element 0 of an array of 1-, 2- or 4-byte elements.
    pub array_base: u32,
    /// Offset of element 0 of an array of 8-byte elements.
    pub array_base_wide: u32,
    /// Field layout algorithm.
    pub layout: FieldLayout,
    /// Whether the JVM injects hidden fields (`ClassLoader.loader_data`, JDK 8+).
    pub injected_fields: bool,
}

impl SizeModel {
    /// The candidate models for a dump with this identifier size.
    pub fn candidates(id_size: u8) -> Vec<SizeModel> {
        let mut v = Vec::new();
        for (layout, injected_fields) in [
            (FieldLayout::Packed, true),
            (FieldLayout::Legacy, true),
            (FieldLayout::Legacy, false),
        ] {
            if id_size == 4 {
                v.push(SizeModel {
                    ref_size: 4,
                    header: 8,
                    array_base: 12,
                    array_base_wide: 16,
                    layout,
                    injected_fields,
                });
            } else {
                // Compressed oops and compressed class pointers (the default below 32 GB).
                v.push(SizeModel {
                    ref_size: 4,
                    header: 12,
                    array_base: 16,
                    array_base_wide: 16,
                    layout,
                    injected_fields,
                });
                // Compressed class pointers only (heaps of 32 GB and more, JDK 15+).
                v.push(SizeModel {
                    ref_size: 8,
                    header: 12,
                    array_base: 16,
                    array_base_wide: 16,
                    layout,
                    injected_fields,
                });
                // Neither.
                // Neither: 16-byte header, 4-byte length, padding to 8 (HotSpot before
                // JDK 22 aligns every array base to the heap word).
                v.push(SizeModel {
                    ref_size: 8,
                    header: 16,
                    array_base: 24,
                    array_base_wide: 24,
                    layout,
                    injected_fields,
                });
            }
        }
        v
    }

    /// Whether references are 4 bytes in a 64-bit heap.
    pub fn compressed_oops(&self, id_size: u8) -> bool {
        id_size == 8 && self.ref_size == 4
    }

    /// Live size of a field or element of dump type `ty`.
    #[inline]
    pub fn field_size(&self, ty: BasicType) -> u32 {
        match ty {
            BasicType::OBJECT => self.ref_size,
            BasicType::LONG | BasicType::DOUBLE => 8,
            BasicType::INT | BasicType::FLOAT => 4,
            BasicType::SHORT | BasicType::CHAR => 2,
            _ => 1,
        }
    }

    /// Offset of element 0 of an array of `elem`.
    #[inline]
    pub fn array_base_of(&self, elem: BasicType) -> u64 {
        if self.field_size(elem) == 8 {
            u64::from(self.array_base_wide)
        } else {
            u64::from(self.array_base)
        }
    }

    /// Shallow size of an array of `len` elements of type `elem`.
    #[inline]
    pub fn array_size(&self, elem: BasicType, len: u32) -> u64 {
        let es = u64::from(self.field_size(elem));
        align8(self.array_base_of(elem) + es * u64::from(len))
    }

    /// Total shallow size of `count` arrays of `elem` whose lengths sum to `sum_len`, of
    /// which `len_mod8[r]` have a length ≡ r (mod 8): the exact sum of their
    /// [`array_size`](Self::array_size)s without the lengths themselves.
    pub fn arrays_size(
        &self,
        elem: BasicType,
        count: u64,
        sum_len: u64,
        len_mod8: &[u64; 8],
    ) -> u64 {
        let es = u64::from(self.field_size(elem));
        // align8(base + es·len) = base + es·len + pad, where pad depends on len mod 8 only.
        let base = self.array_base_of(elem);
        let mut total = count * base + es * sum_len;
        for (r, &n) in (0u64..).zip(len_mod8) {
            if n > 0 {
                let exact = base + es * r;
                total += n * (align8(exact) - exact);
            }
        }
        total
    }
}

/// Rounds up to a multiple of 8.
#[inline]
pub fn align8(x: u64) -> u64 {
    x.div_ceil(8) * 8
}

#[cfg(test)]
mod tests {
    use super::*;
    const O: BasicType = BasicType::OBJECT;
    const J: BasicType = BasicType::LONG;
    const B: BasicType = BasicType::BYTE;

    fn model(id: u8, i: usize) -> SizeModel {
        SizeModel::candidates(id)[i]
    }

    #[test]
    fn arrays_with_compressed_oops() {
        let m = model(8, 0);
        assert_eq!(m.array_size(B, 0), 16);
        assert_eq!(m.array_size(B, 1), 24);
        assert_eq!(m.array_size(O, 1), 24);
        assert_eq!(m.array_size(O, 2), 24);
        assert_eq!(m.array_size(J, 1), 24);
        assert!(m.compressed_oops(8));
    }

    #[test]
    fn arrays_size_sums_array_sizes() {
        let lens = [0u32, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 100, 1001];
        let mut len_mod8 = [0u64; 8];
        for &len in &lens {
            len_mod8[(len & 7) as usize] += 1;
        }
        let sum_len = lens.iter().map(|&l| u64::from(l)).sum();
        for id_size in [4, 8] {
            for m in SizeModel::candidates(id_size) {
                for elem in [O, J, B, BasicType::CHAR, BasicType::INT, BasicType::BOOLEAN] {
                    let want: u64 = lens.iter().map(|&l| m.array_size(elem, l)).sum();
                    let got = m.arrays_size(elem, lens.len() as u64, sum_len, &len_mod8);
                    assert_eq!(got, want, "{m:?} {elem:?}");
                }
            }
        }
    }
}

//! Shallow sizes as HotSpot lays objects out.
//!
//! The dump gives field types in dump sizes (references take the ID size), not the live
//! layout: a 64-bit dump with 8-byte IDs may come from a JVM with 4-byte compressed
//! references and a 12-byte header. [`SizeModel`] holds the live-heap parameters; the
//! loader picks the model whose predicted sizes best match the address gaps between
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

    /// Layout of the root class (`java.lang.Object`): the header and nothing else.
    pub fn root_layout(&self) -> Layout {
        Layout {
            end: self.header,
            area_end: self.header,
            holes: Vec::new(),
        }
    }

    /// Lays out a class's declared instance fields after its superclass's layout.
    pub fn layout(&self, sup: &Layout, fields: &[BasicType]) -> Layout {
        match self.layout {
            FieldLayout::Legacy => self.legacy(sup, fields),
            FieldLayout::Packed => self.packed(sup, fields),
        }
    }

    fn legacy(&self, sup: &Layout, fields: &[BasicType]) -> Layout {
        let heap_oop = self.ref_size;
        let mut n8 = 0u32;
        let mut n4 = 0u32;
        let mut n2 = 0u32;
        let mut n1 = 0u32;
        let mut noop = 0u32;
        for &t in fields {
            match t {
                BasicType::OBJECT => noop += 1,
                BasicType::LONG | BasicType::DOUBLE => n8 += 1,
                BasicType::INT | BasicType::FLOAT => n4 += 1,
                BasicType::SHORT | BasicType::CHAR => n2 += 1,
                _ => n1 += 1,
            }
        }
        let start = sup.area_end;
        let mut end_of_gap = start;
        if n8 > 0 {
            let aligned = start.div_ceil(8) * 8;
            let mut length = aligned - start;
            if length > 0 {
                if n4 > 0 && length >= 4 {
                    n4 -= 1;
                    length -= 4;
                }
                while length >= 2 && n2 > 0 {
                    n2 -= 1;
                    length -= 2;
                }
                while length >= 1 && n1 > 0 {
                    n1 -= 1;
                    length -= 1;
                }
                if length >= heap_oop && noop > 0 {
                    noop -= 1;
                }
            }
            end_of_gap = aligned;
        }
        let mut off = end_of_gap + n8 * 8 + n4 * 4 + n2 * 2 + n1;
        if noop > 0 {
            off = off.div_ceil(heap_oop) * heap_oop + noop * heap_oop;
        }
        Layout {
            end: off.max(start),
            area_end: off.max(start).div_ceil(heap_oop) * heap_oop,
            holes: Vec::new(),
        }
    }

    fn packed(&self, sup: &Layout, fields: &[BasicType]) -> Layout {
        let mut holes = sup.holes.clone();
        let mut end = sup.end;
        let mut prims: Vec<u32> = fields
            .iter()
            .filter(|&&t| t != BasicType::OBJECT)
            .map(|&t| self.field_size(t))
            .collect();
        prims.sort_unstable_by(|a, b| b.cmp(a));
        let oops = fields.iter().filter(|&&t| t == BasicType::OBJECT).count();
        let blocks = prims
            .into_iter()
            .chain(std::iter::repeat_n(self.ref_size, oops));
        // HotSpot skips the search when the previous block had the same size and found no
        // hole; the outcome is the same as searching, so we always search.
        for size in blocks {
            // Smallest hole that fits, preferring (on ties) the highest offset, as
            // FieldLayout::add scans from the end.
            let mut best: Option<usize> = None;
            for (i, &(off, len)) in holes.iter().enumerate().rev() {
                let adj = (size - off % size) % size;
                if len >= size + adj && best.is_none_or(|b| len < holes[b].1) {
                    best = Some(i);
                }
            }
            match best {
                Some(i) => {
                    let (off, len) = holes[i];
                    let adj = (size - off % size) % size;
                    holes.remove(i);
                    let mut insert_at = i;
                    if adj > 0 {
                        holes.insert(insert_at, (off, adj));
                        insert_at += 1;
                    }
                    let rest = len - adj - size;
                    if rest > 0 {
                        holes.insert(insert_at, (off + adj + size, rest));
                    }
                }
                None => {
                    let aligned = end.div_ceil(size) * size;
                    if aligned > end {
                        holes.push((end, aligned - end));
                    }
                    end = aligned + size;
                }
            }
        }
        Layout {
            end,
            area_end: end,
            holes,
        }
    }
}

/// The instance layout of a class (its fields and all inherited ones).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Layout {
    /// End of the last field.
    pub end: u32,
    /// Where a subclass's fields start (legacy layout: `end` rounded to the reference size).
    pub area_end: u32,
    /// Free gaps (offset, length) a subclass may fill (packed layout).
    pub holes: Vec<(u32, u32)>,
}

impl Layout {
    /// Shallow size of an instance.
    pub fn instance_size(&self) -> u64 {
        align8(u64::from(self.end))
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
    const I: BasicType = BasicType::INT;
    const J: BasicType = BasicType::LONG;
    const B: BasicType = BasicType::BYTE;
    const Z: BasicType = BasicType::BOOLEAN;
    const C: BasicType = BasicType::CHAR;

    fn model(id: u8, i: usize) -> SizeModel {
        SizeModel::candidates(id)[i]
    }

    fn size(m: &SizeModel, hierarchy: &[&[BasicType]]) -> u64 {
        let mut l = m.root_layout();
        for f in hierarchy {
            l = m.layout(&l, f);
        }
        l.instance_size()
    }

    #[test]
    fn well_known_jdk17_sizes_with_compressed_oops() {
        let m = model(8, 0); // packed, coops + ccp
        assert_eq!(size(&m, &[]), 16, "java.lang.Object");
        // java.lang.String (JDK 17): byte[] value, byte coder, int hash, boolean hashIsZero
        assert_eq!(size(&m, &[&[O, B, I, Z]]), 24);
        // java.util.HashMap$Node: int hash, Object key, Object value, Node next
        assert_eq!(size(&m, &[&[I, O, O, O]]), 32);
        // java.lang.Long: long value (inherits Number with no fields)
        assert_eq!(size(&m, &[&[], &[J]]), 24);
        // Packed layout fills a superclass's trailing byte gap.
        assert_eq!(size(&m, &[&[B], &[B]]), 16);
    }

    #[test]
    fn legacy_layout_rounds_each_class_area() {
        let m = model(8, 3); // legacy, coops + ccp
        assert_eq!(m.layout, FieldLayout::Legacy);
        assert_eq!(size(&m, &[&[B], &[B]]), 24);
        // JDK 8 String: char[] value, int hash → 24
        assert_eq!(size(&m, &[&[O, I]]), 24);
        // A long after the 12-byte header: an int fills the gap.
        assert_eq!(size(&m, &[&[J, I]]), 24);
        assert_eq!(size(&m, &[&[J]]), 24);
    }

    #[test]
    fn uncompressed_and_32_bit() {
        let none = model(8, 2);
        assert_eq!(none.header, 16);
        assert_eq!(size(&none, &[]), 16);
        assert_eq!(size(&none, &[&[O, I]]), 32);
        assert_eq!(none.array_size(O, 0), 24);
        assert_eq!(none.array_size(O, 2), 40);
        let x32 = model(4, 1);
        assert_eq!(size(&x32, &[]), 8);
        // JDK 6 String on 32-bit: char[] value, int offset, int count, int hash → 24
        assert_eq!(size(&x32, &[&[O, I, I, I]]), 24);
        assert_eq!(x32.array_size(C, 0), 16);
        assert_eq!(x32.array_size(C, 1), 16);
        assert_eq!(x32.array_size(C, 3), 24);
        assert_eq!(x32.array_size(J, 1), 24);
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
}

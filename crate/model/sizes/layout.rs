//! Instance layouts: where HotSpot puts each field of a class, and so the shallow size of
//! its instances, under a [`SizeModel`].
//!
//! A class's layout extends its superclass's ([`Layout`]), so a hierarchy is laid out
//! from `java.lang.Object` down ([`SizeModel::root_layout`], [`SizeModel::layout`]); the
//! two algorithms are described in the parent module. [`instance_sizes`] lays out every
//! class of a dump, adding the fields HotSpot injects and never dumps, and lets per-class
//! address-gap evidence override a layout it contradicts.
//!
//! Memory: one [`Layout`] per class while sizing (12 bytes plus 8 per hole; holes only in
//! the packed layout, a few per class), dropped once the sizes are known.

use super::evidence::{GapEvidence, hidden_field_bytes};
use super::{FieldLayout, SizeModel, align8};
use crate::format::tags::BasicType;
use crate::model::classes::ClassInfo;

impl SizeModel {
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
            let mut best: Option<(usize, (u32, u32))> = None;
            for (i, &(off, len)) in holes.iter().enumerate().rev() {
                let adj = (size - off % size) % size;
                if len >= size + adj && best.is_none_or(|(_, (_, b))| len < b) {
                    best = Some((i, (off, len)));
                }
            }
            match best {
                Some((i, (off, len))) => {
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

/// Fields HotSpot adds to some JDK classes and never writes to dumps
/// (`javaClasses.hpp`, `*_INJECTED_FIELDS`); `INTPTR` is a native pointer.
const INJECTED_FIELDS: &[(&str, &[BasicType])] = &[
    ("java.lang.ClassLoader", &[INTPTR]),
    ("java.lang.Module", &[INTPTR]),
    (
        "java.lang.invoke.ResolvedMethodName",
        &[INTPTR, BasicType::OBJECT],
    ),
    (
        "java.lang.invoke.MethodHandleNatives$CallSiteContext",
        &[INTPTR, INTPTR],
    ),
];

/// Placeholder type for a pointer-sized injected field (8 bytes in 64-bit dumps).
const INTPTR: BasicType = BasicType(0xFF);

/// Instance sizes of all classes under model `m` (0 for arrays), by class index; `topo`
/// lists every superclass before its subclasses. With `gaps`, a class whose address-gap
/// evidence contradicts the layout takes the evidence ([`GapEvidence::overrides`]), and
/// its subclasses are laid out after it without using its holes (this is also what
/// HotSpot does after `@Contended` padding).
pub(crate) fn instance_sizes(
    classes: &[ClassInfo],
    topo: &[u32],
    m: &SizeModel,
    id_size: u8,
    gaps: Option<&[GapEvidence]>,
) -> Vec<u64> {
    let mut layouts: Vec<Option<Layout>> = vec![None; classes.len()];
    let mut sizes = vec![0u64; classes.len()];
    let root = m.root_layout();
    let intptr = if id_size == 8 {
        BasicType::LONG
    } else {
        BasicType::INT
    };
    let mut types = Vec::new();
    for &i in topo {
        let Some(c) = classes.get(i as usize) else {
            continue;
        };
        types.clear();
        types.extend(c.fields.iter().map(|f| f.ty));
        if m.injected_fields
            && let Some((_, extra)) = INJECTED_FIELDS.iter().find(|(n, _)| *n == c.name)
        {
            types.extend(extra.iter().map(|&t| if t == INTPTR { intptr } else { t }));
        }
        let mut l = {
            let sup = c
                .super_index
                .and_then(|s| layouts.get(s as usize))
                .and_then(Option::as_ref)
                .unwrap_or(&root);
            m.layout(sup, &types)
        };
        if !c.is_array() {
            let predicted = l.instance_size();
            let mut size = predicted;
            if let Some(gap) = gaps
                .and_then(|g| g.get(i as usize))
                .and_then(|g| g.overrides(predicted, m.header, hidden_field_bytes(&c.name)))
            {
                size = gap;
                l = Layout {
                    end: gap as u32,
                    area_end: gap as u32,
                    holes: Vec::new(),
                };
            }
            if let Some(s) = sizes.get_mut(i as usize) {
                *s = size;
            }
        }
        if let Some(slot) = layouts.get_mut(i as usize) {
            *slot = Some(l);
        }
    }
    sizes
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
    fn instance_sizes_inject_fields_and_take_agreeing_gaps() {
        use crate::format::heap_dump::class_dump::FieldDesc;
        let class = |name: &str, sup: Option<u32>, fields: &[BasicType]| {
            let mut c = ClassInfo::placeholder(0);
            c.name = name.into();
            c.super_index = sup;
            c.fields = fields
                .iter()
                .map(|&ty| FieldDesc { name_id: 0, ty })
                .collect();
            c
        };
        let classes = [
            class("java.lang.Object", None, &[]),
            class("java.lang.ClassLoader", Some(0), &[O]),
            class("A", Some(0), &[I]),
            class("B", Some(2), &[B]),
        ];
        let topo = [0, 1, 2, 3];
        let m = model(8, 0); // packed, coops + ccp, injected fields
        // ClassLoader: the injected native pointer (8 bytes) and a reference in its hole.
        assert_eq!(
            instance_sizes(&classes, &topo, &m, 8, None),
            [16, 24, 16, 24]
        );
        let plain = SizeModel {
            injected_fields: false,
            ..m
        };
        assert_eq!(
            instance_sizes(&classes, &topo, &plain, 8, None),
            [16, 16, 16, 24]
        );
        // A's instances are 32 bytes apart twice: B is laid out after those 32 bytes.
        let mut gaps = [GapEvidence::default(); 4];
        gaps[2].record(32);
        gaps[2].record(32);
        assert_eq!(
            instance_sizes(&classes, &topo, &m, 8, Some(&gaps)),
            [16, 24, 32, 40]
        );
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
}

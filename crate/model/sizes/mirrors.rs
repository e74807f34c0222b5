//! Sizes of class objects (mirrors, the `java.lang.Class` instances).
//!
//! Since JDK 7 a mirror holds its class's static fields after the `Class` instance's own
//! fields, so its size is `align8(base + statics)`: the statics laid out as HotSpot does
//! ([`statics_area`]) after a base that is the `Class` instance size, including fields
//! HotSpot injects and never dumps. The base is therefore fitted to the address gaps after
//! class objects ([`fit_mirror_base`]) when they agree on one; no mirror is larger than the
//! gap to the next object.

use super::{SizeModel, align8};
use crate::format::tags::BasicType;
use crate::model::classes::ClassInfo;
use crate::model::strings::StringTable;

/// The shallow size of each class's class object, by class index (0 for a class the dump
/// has no object for). `gaps` holds the address gap after each class object (`u32::MAX`
/// where unknown; missing entries count as unknown), and `class_size` is the
/// `java.lang.Class` instance size, the base used when the gaps do not agree on one.
/// Fake statics (`<resolved_references>`, `<init_lock>`) are edges of the graph but not
/// part of the mirror.
pub(crate) fn mirror_sizes(
    m: &SizeModel,
    classes: &[ClassInfo],
    strings: &StringTable,
    gaps: &[u32],
    class_size: u64,
) -> Vec<u64> {
    let statics: Vec<u64> = classes
        .iter()
        .map(|c| statics_area(m, c, strings))
        .collect();
    let class_base = fit_mirror_base(classes, gaps, &statics).unwrap_or(class_size);
    classes
        .iter()
        .zip(&statics)
        .enumerate()
        .map(|(i, (c, &st))| {
            if c.dumped {
                let size = align8(class_base + st);
                // An object cannot be larger than the gap to the next one.
                match gaps.get(i) {
                    Some(&g) if g != u32::MAX && u64::from(g) < size => u64::from(g),
                    _ => size,
                }
            } else {
                0
            }
        })
        .collect()
}

/// The mirror base that makes `align8(base + statics)` equal the most gaps after class
/// objects, when at least half of the classes with a gap agree; `None` otherwise.
fn fit_mirror_base(classes: &[ClassInfo], gaps: &[u32], statics: &[u64]) -> Option<u64> {
    let evidence: Vec<(u64, u64)> = classes
        .iter()
        .enumerate()
        .filter(|(_, c)| c.dumped)
        .filter_map(|(i, _)| {
            let g = *gaps.get(i)?;
            (g != u32::MAX).then(|| (u64::from(g), statics.get(i).copied().unwrap_or(0)))
        })
        .collect();
    if evidence.len() < 8 {
        return None;
    }
    let mut best: Option<(i64, u64, usize)> = None;
    for base in (8..=1024u64).step_by(4) {
        let exact = evidence
            .iter()
            .filter(|&&(g, s)| align8(base + s) == g)
            .count();
        let over = evidence
            .iter()
            .filter(|&&(g, s)| align8(base + s) > g)
            .count();
        let score = exact as i64 - 8 * over as i64;
        if best.is_none_or(|b| score > b.0) {
            best = Some((score, base, exact));
        }
    }
    let (_, base, exact) = best?;
    (exact * 2 >= evidence.len()).then_some(base)
}

/// Bytes of a class's static fields as laid out in its mirror (references first, then
/// primitives by size). Statics the dumper invents (`<resolved_references>`) are left out.
fn statics_area(m: &SizeModel, c: &ClassInfo, strings: &StringTable) -> u64 {
    let mut off = 0u64;
    let mut prims: Vec<u64> = Vec::new();
    for s in &c.statics {
        if strings.get(s.name_id).is_some_and(|n| n.starts_with('<')) {
            continue;
        }
        if s.ty == BasicType::OBJECT {
            off += u64::from(m.ref_size);
        } else {
            prims.push(u64::from(m.field_size(s.ty)));
        }
    }
    prims.sort_unstable_by(|a, b| b.cmp(a));
    for p in prims {
        off = off.div_ceil(p) * p + p;
    }
    off
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::heap_dump::class_dump::StaticField;

    fn mirror(dumped: bool, int_statics: usize) -> ClassInfo {
        let mut c = ClassInfo::placeholder(1);
        c.dumped = dumped;
        c.statics = vec![
            StaticField {
                name_id: 0,
                ty: BasicType::INT,
                value: 0,
            };
            int_statics
        ];
        c
    }

    #[test]
    fn mirror_base_fitted_to_gaps() {
        let m = SizeModel::candidates(8)[0];
        let strings = StringTable::default();
        // Nine mirrors agree on a base of 96; one is cut short by its gap; one has no object.
        let mut classes: Vec<ClassInfo> = (0..9).map(|i| mirror(true, i)).collect();
        let mut gaps: Vec<u32> = (0..9).map(|i| align8(96 + 4 * i) as u32).collect();
        classes.push(mirror(true, 10));
        gaps.push(16);
        classes.push(mirror(false, 0));
        let sizes = mirror_sizes(&m, &classes, &strings, &gaps, 500);
        let want: Vec<u64> = gaps.iter().map(|&g| u64::from(g)).chain([0]).collect();
        assert_eq!(sizes, want);
        // Too few gaps: the base is the Class instance size.
        let sizes = mirror_sizes(&m, &classes[..3], &strings, &[], 100);
        assert_eq!(sizes, [104, 104, 112]);
    }
}

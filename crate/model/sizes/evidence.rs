//! Address-gap evidence, and the size model chosen from it.
//!
//! HotSpot writes objects in address order, so the gap from one object to the next is the
//! first object's size whenever they are adjacent, and an upper bound otherwise. Pass 1
//! keeps, per instance class, the smallest gap seen after one of its instances and how
//! often it was seen ([`GapEvidence`]), and a bounded sample of (array class, length, gap).
//! [`choose_model`] lays every class out under each candidate [`SizeModel`] and keeps the
//! one whose predictions match the most gaps and exceed the fewest;
//! [`GapEvidence::overrides`] then tells where the chosen layout must give way to the
//! gaps.

use super::layout::instance_sizes;
use super::{FieldLayout, SizeModel};
use crate::model::classes::ClassInfo;

/// `@Contended` padding comes in multiples of this (HotSpot's ContendedPaddingWidth).
const CONTENDED_PADDING: u64 = 128;

/// The most a class's fields the dump does not list can add to its instance size: HotSpot
/// injects at most two pointer-sized fields into a class (`ResolvedMethodName`,
/// `CallSiteContext`), 16 bytes, plus 8 of alignment. A gap that exceeds the layout by
/// more is not a hidden field: something the dump does not list (a filler, an object of a
/// JVM-internal class) sat between the instance and the next one. `java.lang.Class` is
/// the exception (up to seven injected fields, varying by release): see
/// [`hidden_field_bytes`].
const MAX_HIDDEN_FIELD_BYTES: u64 = 24;

/// The most the fields a dump does not list can add to an instance of class `name`.
pub(crate) fn hidden_field_bytes(name: &str) -> u64 {
    if name == "java.lang.Class" {
        u64::MAX
    } else {
        MAX_HIDDEN_FIELD_BYTES
    }
}

/// Per-class address-gap evidence: the smallest gap after an instance, and how often.
/// 8 bytes per class.
#[derive(Clone, Copy, Debug)]
pub(crate) struct GapEvidence {
    /// The smallest gap seen after an instance (`u32::MAX`: none seen).
    pub(crate) min: u32,
    /// How many gaps were that small.
    pub(crate) at_min: u32,
}

impl Default for GapEvidence {
    fn default() -> Self {
        GapEvidence {
            min: u32::MAX,
            at_min: 0,
        }
    }
}

impl GapEvidence {
    /// Records the gap after one instance.
    #[inline]
    pub(crate) fn record(&mut self, gap: u32) {
        if gap < self.min {
            self.min = gap;
            self.at_min = 1;
        } else if gap == self.min {
            self.at_min = self.at_min.saturating_add(1);
        }
    }

    /// Adds the evidence of another class merged into this one.
    pub(crate) fn merge(&mut self, other: &GapEvidence) {
        if other.min < self.min {
            *self = *other;
        } else if other.min == self.min {
            self.at_min += other.at_min;
        }
    }

    /// The instance size the gaps give when they contradict the layout's `predicted`
    /// size under a model with a `header`-byte object header; `None` when they agree with
    /// it or prove nothing. A smaller gap counts when seen twice (one can be an artifact:
    /// JDK 6 heaps have a few) and no smaller than a header; a larger one when seen twice,
    /// 8-byte aligned and within [`MAX_HIDDEN_FIELD_BYTES`] of the prediction (injected
    /// fields the dump does not list), or when it exceeds the prediction by `@Contended`
    /// padding. (A larger gap seen twice used to count whatever its size: a JDK 17 dump
    /// gave `BoundMethodHandle$Species_LLLL` 128 bytes where the JVM counts 48, its three
    /// instances each followed by 80 bytes the dump does not list. Any class with few
    /// instances allocated next to unlisted memory met the same fate.)
    pub(crate) fn overrides(&self, predicted: u64, header: u32, hidden_max: u64) -> Option<u64> {
        if self.min == u32::MAX {
            return None;
        }
        let gap = u64::from(self.min);
        let smaller = gap < predicted && gap >= u64::from(header) && self.at_min >= 2;
        let repeated =
            gap > predicted && gap - predicted <= hidden_max && self.at_min >= 2 && gap % 8 == 0;
        let contended = gap > predicted && (gap - predicted) % CONTENDED_PADDING == 0;
        (smaller || repeated || contended).then_some(gap)
    }
}

/// How well each candidate size model matched the address gaps.
#[derive(Clone, Debug, Default)]
pub struct ModelEvidence {
    /// Classes whose smallest observed gap equals the chosen model's instance size.
    pub classes_matching: u64,
    /// Classes with gap evidence.
    pub classes_with_evidence: u64,
    /// Array samples that match the chosen model exactly.
    pub arrays_matching: u64,
    /// Array samples.
    pub array_samples: u64,
}

/// The candidate model ([`SizeModel::candidates`]) whose sizes best fit the gaps, and how
/// well it fits; `None` when there is no candidate for `id_size`.
///
/// `gaps` is indexed like `classes` (`topo` lists superclasses before subclasses), and
/// `array_samples` holds (class index, length, gap after the array). Each exact match
/// scores 4 and each size larger than its gap (impossible for the right model) costs 64;
/// without evidence either way, the packed layout goes with JDK 16+ classes
/// (`java.lang.Record`) and models that inject fields (JDK 8+) are preferred.
pub(crate) fn choose_model(
    classes: &[ClassInfo],
    topo: &[u32],
    id_size: u8,
    gaps: &[GapEvidence],
    array_samples: &[(u32, u32, u32)],
) -> Option<(SizeModel, ModelEvidence)> {
    let candidates = SizeModel::candidates(id_size);
    let has_record = classes.iter().any(|c| c.name == "java.lang.Record");
    let mut best: Option<(i64, usize, ModelEvidence)> = None;
    for (ci, m) in candidates.iter().enumerate() {
        let sizes = instance_sizes(classes, topo, m, id_size, None);
        let mut ev = ModelEvidence::default();
        let mut violations = 0i64;
        for (g, (c, &s)) in gaps.iter().zip(classes.iter().zip(&sizes)) {
            if g.min == u32::MAX || c.is_array() {
                continue;
            }
            ev.classes_with_evidence += 1;
            if s == u64::from(g.min) {
                ev.classes_matching += 1;
            } else if s > u64::from(g.min) {
                violations += 1;
            }
        }
        for &(c, len, gap) in array_samples {
            let Some(elem) = classes.get(c as usize).and_then(|c| c.kind.elem()) else {
                continue;
            };
            ev.array_samples += 1;
            let s = m.array_size(elem, len);
            if s == u64::from(gap) {
                ev.arrays_matching += 1;
            } else if s > u64::from(gap) {
                violations += 1;
            }
        }
        // Without evidence either way: the packed layout goes with JDK 16+ classes
        // (java.lang.Record), and JDK 8+ injects fields.
        let prefer = i64::from((m.layout == FieldLayout::Packed) == has_record)
            + i64::from(m.injected_fields);

        let score =
            (ev.classes_matching + ev.arrays_matching) as i64 * 4 - violations * 64 + prefer;
        if best.as_ref().is_none_or(|b| score > b.0) {
            best = Some((score, ci, ev));
        }
    }
    let (_, chosen, evidence) = best?;
    candidates.get(chosen).map(|&m| (m, evidence))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evidence(gaps: &[u32]) -> GapEvidence {
        let mut g = GapEvidence::default();
        for &gap in gaps {
            g.record(gap);
        }
        g
    }

    #[test]
    fn gaps_override_the_layout_only_when_they_agree() {
        let (predicted, header) = (24, 12);
        assert_eq!(
            evidence(&[]).overrides(predicted, header, MAX_HIDDEN_FIELD_BYTES),
            None
        );
        assert_eq!(
            evidence(&[24, 24]).overrides(predicted, header, MAX_HIDDEN_FIELD_BYTES),
            None
        );
        // Smaller: twice, and no smaller than a header.
        assert_eq!(
            evidence(&[16, 40]).overrides(predicted, header, MAX_HIDDEN_FIELD_BYTES),
            None
        );
        assert_eq!(
            evidence(&[16, 16]).overrides(predicted, header, MAX_HIDDEN_FIELD_BYTES),
            Some(16)
        );
        assert_eq!(
            evidence(&[8, 8]).overrides(predicted, header, MAX_HIDDEN_FIELD_BYTES),
            None
        );
        // Larger: twice and aligned, or by @Contended padding once.
        assert_eq!(
            evidence(&[32]).overrides(predicted, header, MAX_HIDDEN_FIELD_BYTES),
            None
        );
        assert_eq!(
            evidence(&[32, 32]).overrides(predicted, header, MAX_HIDDEN_FIELD_BYTES),
            Some(32)
        );
        assert_eq!(
            evidence(&[48, 48]).overrides(predicted, header, MAX_HIDDEN_FIELD_BYTES),
            Some(48)
        );
        assert_eq!(
            evidence(&[152]).overrides(predicted, header, MAX_HIDDEN_FIELD_BYTES),
            Some(152)
        );
        // Larger by more than hidden fields can add, however often: memory the dump does
        // not list (a JDK 17 `BoundMethodHandle$Species_LLLL`: 48 bytes, three instances
        // each 128 bytes apart).
        assert_eq!(
            evidence(&[56, 56]).overrides(predicted, header, MAX_HIDDEN_FIELD_BYTES),
            None
        );
        assert_eq!(
            evidence(&[128, 128, 128]).overrides(48, header, MAX_HIDDEN_FIELD_BYTES),
            None
        );
        assert_eq!(
            evidence(&[64, 64]).overrides(48, header, MAX_HIDDEN_FIELD_BYTES),
            Some(64)
        );
        // java.lang.Class: any number of injected fields.
        let class = hidden_field_bytes("java.lang.Class");
        assert_eq!(
            evidence(&[128, 128]).overrides(48, header, class),
            Some(128)
        );
        assert_eq!(
            hidden_field_bytes("java.lang.invoke.BoundMethodHandle$Species_LLLL"),
            24
        );
    }

    #[test]
    fn merged_evidence_keeps_the_smallest_gap() {
        let mut a = evidence(&[24, 24, 32]);
        a.merge(&evidence(&[24]));
        assert_eq!((a.min, a.at_min), (24, 3));
        a.merge(&evidence(&[16, 40]));
        assert_eq!((a.min, a.at_min), (16, 1));
        a.merge(&GapEvidence::default());
        assert_eq!((a.min, a.at_min), (16, 1));
    }
}

//! What grew between dumps of one application: a comparison of two or more compact
//! reports ([`DumpReport`]), never of heaps, so that comparing N dumps holds one heap at a
//! time (each dump is analysed, its report kept, its heap dropped) or none (saved reports).
//!
//! The dumps are ordered by their own timestamps (a stable sort: equal timestamps keep the
//! order given). Per class name: instances, shallow and retained bytes in each dump and the
//! change from the first to the last, sorted by growth; classes new and gone. Trends of the
//! headline figures, one value per dump (`null` where a dump could not tell: a
//! histogram-only dump has no Finalizer figures). Suspects are matched by what stays the
//! same between dumps of one application: their kind, class and path of classes and
//! fields from the GC root (array indices dropped; addresses change between dumps).
//!
//! Memory: the comparison holds per class name the name and 3 × 8 bytes per dump (plus a
//! map entry while merging), per trend 8 bytes per dump: for 20 000 classes and 3 dumps,
//! about 3 MB.

use super::report::{DumpReport, PathName};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use std::collections::HashMap;

/// The share of the smallest dump's class names that must be in every dump before the
/// comparison warns that these may not be dumps of one application.
pub const COMMON_CLASSES: f64 = 0.5;

/// The comparison (`heapscope compare --json`; a contract other checks read).
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    /// The dumps, oldest first.
    pub dumps: Vec<DumpFigures>,
    /// Every class name of any dump, most grown first (shallow bytes from the first dump
    /// to the last, then instances, then name).
    pub classes: Vec<ClassDelta>,
    /// Headline figures, one value per dump (`null`: the dump cannot tell).
    pub trends: Trends,
    /// Leak suspects matched across the dumps, most grown first.
    pub suspects: Vec<SuspectMatch>,
    /// Why the dumps may not compare well (different JVM settings, few classes in
    /// common, histogram-only dumps, equal timestamps).
    pub warnings: Vec<String>,
}

/// One dump's headline figures.
#[derive(Clone, Debug, Serialize)]
pub struct DumpFigures {
    /// The file, as the front end named it.
    pub file: String,
    /// When it was written (milliseconds since 1970).
    pub timestamp_ms: u64,
    /// Objects.
    pub objects: u64,
    /// Their shallow bytes: the heap.
    pub shallow_bytes: u64,
    /// Shallow bytes of the objects a GC root reaches (`null`: histogram only).
    pub reachable_bytes: Option<u64>,
    /// Class names with instances.
    pub classes: u64,
    /// Identifier size in bytes.
    pub id_size: u8,
    /// Compressed oops.
    pub compressed_oops: bool,
    /// Whether the full analysis ran (else: histogram only).
    pub full_analysis: bool,
}

/// One class name across the dumps.
#[derive(Clone, Debug, Serialize)]
pub struct ClassDelta {
    /// The Java name.
    pub name: String,
    /// Instances in each dump (0 where absent).
    pub instances: Vec<u64>,
    /// Shallow bytes in each dump.
    pub shallow_bytes: Vec<u64>,
    /// Retained bytes in each dump (`null`: histogram only).
    pub retained_bytes: Vec<Option<u64>>,
    /// `new` (not in the first dump), `gone` (not in the last) or `kept`.
    pub status: &'static str,
    /// Instances in the last dump minus the first.
    pub instances_change: i64,
    /// Shallow bytes in the last dump minus the first.
    pub shallow_bytes_change: i64,
    /// Retained bytes in the last dump minus the first (`null` when either is unknown).
    pub retained_bytes_change: Option<i64>,
}

/// One suspect matched across the dumps.
#[derive(Clone, Debug, Serialize)]
pub struct SuspectMatch {
    /// `object`, `class` or `finalizer`.
    pub kind: String,
    /// The suspect's class.
    pub class: String,
    /// Its path from the GC root, as classes and fields.
    pub path: Vec<PathName>,
    /// The accumulation point's class in the last dump that has the suspect.
    pub accumulation_point: Option<String>,
    /// Retained bytes in each dump (`null`: not a suspect there).
    pub retained_bytes: Vec<Option<u64>>,
    /// Instances in each dump (class and Finalizer suspects; `null` elsewhere).
    pub instances: Vec<Option<u64>>,
    /// `new` (not a suspect in the first dump), `gone` (not in the last) or `kept`.
    pub status: &'static str,
    /// Retained bytes in the last dump minus the first (`null` unless a suspect in both).
    pub growth: Option<i64>,
    /// The suspect's sentence in the last dump that has it.
    pub description: String,
}

/// Named series, one value per dump, in a fixed order: `heap_bytes`, `reachable_bytes`,
/// `objects`, `threads`, `finalizers`, `finalization_queue`, `referents:<class>` (Finalizer
/// referents by class), `cancelled_tasks:<Timer thread>`, `soft_referents`,
/// `weak_referents`, `phantom_referents`. Serializes as a JSON object in that order.
#[derive(Clone, Debug, Default)]
pub struct Trends(pub Vec<(String, Vec<Option<u64>>)>);

impl Trends {
    /// The series of a name.
    pub fn get(&self, name: &str) -> Option<&[Option<u64>]> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }
}

impl Serialize for Trends {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// `b - a` as a signed change (saturating at the ends of `i64`).
fn change(a: u64, b: u64) -> i64 {
    if b >= a {
        i64::try_from(b - a).unwrap_or(i64::MAX)
    } else {
        i64::try_from(a - b).map_or(i64::MIN, |d| -d)
    }
}

/// A suspect path's field with array indices dropped (`[12]` → `[]`): an element's index
/// changes between dumps.
fn stable_field(f: &Option<String>) -> Option<String> {
    f.as_ref().map(|f| {
        if f.starts_with('[') {
            "[]".into()
        } else {
            f.clone()
        }
    })
}

/// Compares `reports` (two or more), ordered by their timestamps.
pub fn compare(reports: &[DumpReport]) -> Comparison {
    let mut order: Vec<&DumpReport> = reports.iter().collect();
    order.sort_by_key(|r| r.timestamp_ms);
    let dumps: Vec<DumpFigures> = order
        .iter()
        .map(|r| DumpFigures {
            file: r.file.clone(),
            timestamp_ms: r.timestamp_ms,
            objects: r.objects,
            shallow_bytes: r.shallow_bytes,
            reachable_bytes: r.reachable_bytes,
            classes: r.classes.len() as u64,
            id_size: r.id_size,
            compressed_oops: r.compressed_oops,
            full_analysis: r.full_analysis,
        })
        .collect();
    let classes = class_deltas(&order);
    let common = classes
        .iter()
        .filter(|c| c.instances.iter().all(|&i| i > 0))
        .count();
    Comparison {
        warnings: warnings(&order, common),
        dumps,
        classes,
        trends: trends(&order),
        suspects: suspects(&order),
    }
}

fn class_deltas(order: &[&DumpReport]) -> Vec<ClassDelta> {
    let n = order.len();
    let mut at: HashMap<&str, usize> = HashMap::new();
    let mut out: Vec<ClassDelta> = Vec::new();
    for (d, r) in order.iter().enumerate() {
        for c in &r.classes {
            let i = *at.entry(c.name.as_str()).or_insert_with(|| {
                out.push(ClassDelta {
                    name: c.name.clone(),
                    instances: vec![0; n],
                    shallow_bytes: vec![0; n],
                    retained_bytes: order.iter().map(|r| r.full_analysis.then_some(0)).collect(),
                    status: "kept",
                    instances_change: 0,
                    shallow_bytes_change: 0,
                    retained_bytes_change: None,
                });
                out.len() - 1
            });
            if let Some(row) = out.get_mut(i) {
                if let Some(v) = row.instances.get_mut(d) {
                    *v += c.instances;
                }
                if let Some(v) = row.shallow_bytes.get_mut(d) {
                    *v += c.shallow_bytes;
                }
                if let Some(v) = row.retained_bytes.get_mut(d) {
                    *v = v.zip(c.retained_bytes).map(|(a, b)| a + b);
                }
            }
        }
    }
    for row in &mut out {
        let first = |v: &[u64]| v.first().copied().unwrap_or(0);
        let last = |v: &[u64]| v.last().copied().unwrap_or(0);
        row.status = if first(&row.instances) == 0 {
            "new"
        } else if last(&row.instances) == 0 {
            "gone"
        } else {
            "kept"
        };
        row.instances_change = change(first(&row.instances), last(&row.instances));
        row.shallow_bytes_change = change(first(&row.shallow_bytes), last(&row.shallow_bytes));
        row.retained_bytes_change = match (row.retained_bytes.first(), row.retained_bytes.last()) {
            (Some(Some(a)), Some(Some(b))) => Some(change(*a, *b)),
            _ => None,
        };
    }
    out.sort_by(|a, b| {
        b.shallow_bytes_change
            .cmp(&a.shallow_bytes_change)
            .then(b.instances_change.cmp(&a.instances_change))
            .then_with(|| a.name.cmp(&b.name))
    });
    out
}

fn trends(order: &[&DumpReport]) -> Trends {
    let mut t = Trends::default();
    let full = |r: &DumpReport, v: u64| r.full_analysis.then_some(v);
    let mut series = |name: String, f: &dyn Fn(&DumpReport) -> Option<u64>| {
        t.0.push((name, order.iter().map(|r| f(r)).collect()));
    };
    series("heap_bytes".into(), &|r| Some(r.shallow_bytes));
    series("reachable_bytes".into(), &|r| r.reachable_bytes);
    series("objects".into(), &|r| Some(r.objects));
    series("threads".into(), &|r| Some(r.threads));
    series("finalizers".into(), &|r| {
        r.finalizers.as_ref().map(|f| f.finalizers)
    });
    series("finalization_queue".into(), &|r| {
        r.finalizers.as_ref().map(|f| f.queued)
    });
    // Referent classes and Timer threads of any dump, in the order first seen.
    let mut referent_classes: Vec<&str> = Vec::new();
    let mut timer_threads: Vec<&str> = Vec::new();
    for r in order {
        for c in r.finalizers.iter().flat_map(|f| &f.referents_by_class) {
            if !referent_classes.contains(&c.class.as_str()) {
                referent_classes.push(&c.class);
            }
        }
        for tq in &r.timers {
            if !timer_threads.contains(&tq.thread.as_str()) {
                timer_threads.push(&tq.thread);
            }
        }
    }
    for class in referent_classes {
        series(format!("referents:{class}"), &|r| {
            let f = r.finalizers.as_ref()?;
            let v = f.referents_by_class.iter().filter(|c| c.class == class);
            full(r, v.map(|c| c.instances).sum())
        });
    }
    for thread in timer_threads {
        series(format!("cancelled_tasks:{thread}"), &|r| {
            let v = r.timers.iter().filter(|t| t.thread == thread);
            full(r, v.map(|t| t.cancelled_tasks).sum())
        });
    }
    for kind in ["soft", "weak", "phantom"] {
        series(format!("{kind}_referents"), &|r| {
            let v = r.references.iter().filter(|x| x.kind == kind);
            full(r, v.map(|x| x.referents).sum())
        });
    }
    t
}

fn suspects(order: &[&DumpReport]) -> Vec<SuspectMatch> {
    let n = order.len();
    let mut at: HashMap<(String, String, Vec<PathName>), usize> = HashMap::new();
    let mut out: Vec<SuspectMatch> = Vec::new();
    for (d, r) in order.iter().enumerate() {
        for s in &r.suspects {
            let path: Vec<PathName> = s
                .path
                .iter()
                .map(|p| PathName {
                    class: p.class.clone(),
                    field: stable_field(&p.field),
                })
                .collect();
            let key = (s.kind.clone(), s.class.clone(), path.clone());
            let i = *at.entry(key).or_insert_with(|| {
                out.push(SuspectMatch {
                    kind: s.kind.clone(),
                    class: s.class.clone(),
                    path,
                    accumulation_point: None,
                    retained_bytes: vec![None; n],
                    instances: vec![None; n],
                    status: "kept",
                    growth: None,
                    description: String::new(),
                });
                out.len() - 1
            });
            let Some(m) = out.get_mut(i) else { continue };
            // Two suspects of one dump with the same key (two objects at paths that differ
            // only in array indices) are summed.
            if let Some(v) = m.retained_bytes.get_mut(d) {
                *v = Some(v.unwrap_or(0) + s.retained_bytes);
            }
            if let (Some(v), Some(k)) = (m.instances.get_mut(d), s.instances) {
                *v = Some(v.unwrap_or(0) + k);
            }
            m.accumulation_point = s.accumulation_point.clone();
            m.description = s.description.clone();
        }
    }
    for m in &mut out {
        let first = m.retained_bytes.first().copied().flatten();
        let last = m.retained_bytes.last().copied().flatten();
        m.status = match (first, last) {
            (None, _) => "new",
            (Some(_), None) => "gone",
            _ => "kept",
        };
        m.growth = first.zip(last).map(|(a, b)| change(a, b));
    }
    out.sort_by(|a, b| {
        let last = |m: &SuspectMatch| m.retained_bytes.iter().rev().find_map(|v| *v);
        b.growth
            .cmp(&a.growth)
            .then(last(b).cmp(&last(a)))
            .then_with(|| a.class.cmp(&b.class))
    });
    out
}

fn warnings(order: &[&DumpReport], common: usize) -> Vec<String> {
    let mut w = Vec::new();
    let name = |r: &DumpReport| {
        if r.file.is_empty() {
            format!("the dump of {} ms", r.timestamp_ms)
        } else {
            r.file.clone()
        }
    };
    let (Some(first), Some(_)) = (order.first(), order.get(1)) else {
        return w;
    };
    for r in order.iter().skip(1) {
        if r.id_size != first.id_size {
            w.push(format!(
                "{} has {}-byte identifiers, {} {}-byte ones: dumps of different JVMs",
                name(r),
                r.id_size,
                name(first),
                first.id_size
            ));
        }
        if r.compressed_oops != first.compressed_oops || r.reference_bytes != first.reference_bytes
        {
            w.push(format!(
                "{} has {}-byte references, {} {}-byte ones: dumps of JVMs with different \
                 pointer models (compressed oops), so the same objects have other sizes",
                name(r),
                r.reference_bytes,
                name(first),
                first.reference_bytes
            ));
        }
    }
    for pair in order.windows(2) {
        if let [a, b] = pair
            && a.timestamp_ms == b.timestamp_ms
        {
            w.push(format!(
                "{} and {} have the same timestamp: they are in the order given",
                name(a),
                name(b)
            ));
        }
    }
    let smallest = order.iter().map(|r| r.classes.len()).min().unwrap_or(0);
    if smallest > 0 && (common as f64) < COMMON_CLASSES * smallest as f64 {
        w.push(format!(
            "only {} of the {} class names of the smallest dump are in every dump: these may \
             not be dumps of one application",
            crate::text::group_digits(common as u64),
            crate::text::group_digits(smallest as u64)
        ));
    }
    for r in order {
        if !r.full_analysis {
            w.push(format!(
                "{}: histogram only (too large for the full analysis here): no retained sizes, \
                 reachable heap, reference, Finalizer and Timer figures, nor suspects for it",
                name(r)
            ));
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::report::{ClassFigures, REPORT_VERSION, SuspectFigures};

    fn report(file: &str, ts: u64, classes: &[(&str, u64)]) -> DumpReport {
        DumpReport {
            report_version: REPORT_VERSION,
            file: file.into(),
            timestamp_ms: ts,
            id_size: 8,
            compressed_oops: true,
            reference_bytes: 4,
            objects: classes.iter().map(|c| c.1).sum(),
            shallow_bytes: classes.iter().map(|c| 16 * c.1).sum(),
            threads: 1,
            full_analysis: true,
            reachable_objects: Some(0),
            reachable_bytes: Some(0),
            classes: classes
                .iter()
                .map(|&(name, n)| ClassFigures {
                    name: name.into(),
                    instances: n,
                    shallow_bytes: 16 * n,
                    retained_bytes: Some(16 * n),
                })
                .collect(),
            references: Vec::new(),
            finalizers: None,
            timers: Vec::new(),
            suspects: Vec::new(),
        }
    }

    fn suspect(field: &str, retained: u64) -> SuspectFigures {
        SuspectFigures {
            kind: "object".into(),
            class: "java.util.HashMap".into(),
            path: vec![
                PathName {
                    class: "class Cache".into(),
                    field: None,
                },
                PathName {
                    class: "java.util.HashMap".into(),
                    field: Some(field.into()),
                },
            ],
            accumulation_point: None,
            retained_bytes: retained,
            instances: None,
            description: String::new(),
        }
    }

    #[test]
    fn classes_new_gone_and_growth() {
        let a = report("a", 1, &[("A", 10), ("Gone", 5)]);
        let b = report("b", 2, &[("A", 4), ("New", 7)]);
        // Given newest first: ordered by timestamp.
        let c = compare(&[b, a]);
        assert_eq!(c.dumps[0].file, "a");
        let names: Vec<(&str, &str, i64)> = c
            .classes
            .iter()
            .map(|r| (r.name.as_str(), r.status, r.instances_change))
            .collect();
        assert_eq!(
            names,
            [("New", "new", 7), ("Gone", "gone", -5), ("A", "kept", -6)]
        );
        assert_eq!(c.classes[0].retained_bytes, [Some(0), Some(112)]);
        assert_eq!(c.trends.get("objects"), Some(&[Some(15), Some(11)][..]));
    }

    #[test]
    fn suspects_match_by_path_without_array_indices() {
        let mut a = report("a", 1, &[("A", 1)]);
        let mut b = report("b", 2, &[("A", 1)]);
        a.suspects.push(suspect("[3]", 100));
        b.suspects.push(suspect("[7]", 250));
        b.suspects.push(suspect("map", 40));
        let c = compare(&[a, b]);
        assert_eq!(c.suspects.len(), 2);
        assert_eq!(c.suspects[0].retained_bytes, [Some(100), Some(250)]);
        assert_eq!(c.suspects[0].growth, Some(150));
        assert_eq!(c.suspects[0].status, "kept");
        assert_eq!(c.suspects[1].status, "new");
        assert_eq!(c.suspects[1].growth, None);
    }

    #[test]
    fn warnings_say_why_dumps_may_not_compare() {
        let a = report("a", 5, &[("A", 1), ("B", 1), ("C", 1), ("D", 1)]);
        let mut b = report("b", 5, &[("A", 1), ("X", 1), ("Y", 1), ("Z", 1)]);
        b.id_size = 4;
        b.full_analysis = false;
        let w = compare(&[a, b]).warnings;
        assert_eq!(w.len(), 4, "{w:?}");
        assert!(w[0].starts_with("b has 4-byte identifiers, a 8-byte ones"));
        assert!(w[1].starts_with("a and b have the same timestamp"));
        assert!(w[2].starts_with("only 1 of the 4 class names"));
        assert!(w[3].starts_with("b: histogram only"));
        let same = compare(&[report("a", 1, &[("A", 1)]), report("b", 2, &[("A", 2)])]);
        assert!(same.warnings.is_empty());
    }

    #[test]
    fn changes_saturate() {
        assert_eq!(change(0, u64::MAX), i64::MAX);
        assert_eq!(change(u64::MAX, 0), i64::MIN);
        assert_eq!(change(5, 3), -2);
    }
}

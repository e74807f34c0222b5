//! The compact report of one dump: what [`super::compare`] needs of it, small enough to keep
//! for many dumps while only one heap is in memory, and serializable, so that a saved
//! report (`heapscope analyze --json`'s `report`, the page's kept reports) stands in for a
//! dump that is gone.
//!
//! It holds figures and names only, never object addresses: those change between dumps.
//! Its size is the histogram's: one [`ClassFigures`] per class name (the name plus 3 × 8
//! bytes and an option, about 60 bytes plus the name), plus a few hundred bytes of
//! headline figures, Finalizer and Timer figures and suspects.

use super::finalizers::FinalizerReport;
use super::histogram::Histogram;
use super::refstats::RefKindStats;
use super::summary::{GraphSummary, Summary};
use super::suspects::SuspectsReport;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The version of the report's JSON; a report of another version is refused by name.
pub const REPORT_VERSION: u32 = 1;

/// The compact report of one dump.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DumpReport {
    /// [`REPORT_VERSION`].
    pub report_version: u32,
    /// The dump's file as the front end named it (empty when it did not).
    #[serde(default)]
    pub file: String,
    /// When the dump was written (the HPROF header's milliseconds since 1970).
    pub timestamp_ms: u64,
    /// The dump's identifier size in bytes (4 or 8).
    pub id_size: u8,
    /// Whether references were 4 bytes in a 64-bit heap (compressed oops).
    pub compressed_oops: bool,
    /// Bytes of a reference field in the heap's size model.
    pub reference_bytes: u32,
    /// Objects: instances, arrays and class objects.
    pub objects: u64,
    /// Their shallow bytes: the heap.
    pub shallow_bytes: u64,
    /// Threads (the dump's thread objects, `ROOT_THREAD_OBJECT`).
    pub threads: u64,
    /// Whether the full analysis ran; without it (a dump too large for the memory at hand)
    /// the report holds the histogram only: no retained sizes, reachable heap, reference,
    /// Finalizer and Timer figures, nor suspects.
    pub full_analysis: bool,
    /// Objects a GC root reaches (full analysis).
    pub reachable_objects: Option<u64>,
    /// Their shallow bytes (full analysis).
    pub reachable_bytes: Option<u64>,
    /// The histogram, one row per class name (classes of one name loaded by several
    /// loaders summed), in the histogram's order (shallow bytes, largest first).
    pub classes: Vec<ClassFigures>,
    /// Soft, weak, phantom and final references (full analysis; empty without).
    pub references: Vec<ReferenceFigures>,
    /// The Finalizer figures (full analysis).
    pub finalizers: Option<FinalizerFigures>,
    /// Every `java.util.Timer` queue (full analysis; empty without).
    pub timers: Vec<TimerFigures>,
    /// The leak suspects (full analysis; empty without).
    pub suspects: Vec<SuspectFigures>,
}

/// One class name's row of the histogram.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassFigures {
    /// The Java name.
    pub name: String,
    /// Instances (for `java.lang.Class`, the class objects).
    pub instances: u64,
    /// Their shallow bytes.
    pub shallow_bytes: u64,
    /// Their retained bytes, summed over the classes of the name (full analysis).
    pub retained_bytes: Option<u64>,
}

/// References of one kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferenceFigures {
    /// `soft`, `weak`, `phantom` or `final`.
    pub kind: String,
    /// Reference objects.
    pub references: u64,
    /// Of them, with a referent.
    pub referents: u64,
    /// The referents' retained bytes.
    pub referents_retained_bytes: u64,
}

/// The Finalizer figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FinalizerFigures {
    /// `java.lang.ref.Finalizer` objects.
    pub finalizers: u64,
    /// Finalizers in the finalization queue (walked from its head).
    pub queued: u64,
    /// The queue's own count (`ReferenceQueue.queueLength`), when the dump has it.
    pub queue_length: Option<u64>,
    /// Finalizers with a referent.
    pub referents: u64,
    /// The referents' retained bytes, summed.
    pub referents_retained_bytes: u64,
    /// Referents by class, most retained first.
    pub referents_by_class: Vec<ReferentFigures>,
}

/// The Finalizer referents of one class.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferentFigures {
    /// The referents' class.
    pub class: String,
    /// Referents.
    pub instances: u64,
    /// Their retained bytes, summed.
    pub retained_bytes: u64,
}

/// One `java.util.Timer` queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimerFigures {
    /// The Timer thread's name (empty when no thread serves the queue).
    pub thread: String,
    /// Tasks in the queue.
    pub tasks: u64,
    /// Of them, cancelled.
    pub cancelled_tasks: u64,
}

/// One leak suspect, named by what stays the same between dumps of one application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuspectFigures {
    /// `object`, `class` or `finalizer`.
    pub kind: String,
    /// The suspect's class (the object's, the class suspect's, `java.lang.ref.Finalizer`).
    pub class: String,
    /// The shortest path from a GC root to it, as classes and fields (no addresses).
    pub path: Vec<PathName>,
    /// The class of the accumulation point, where the retained set fans out.
    pub accumulation_point: Option<String>,
    /// Retained bytes.
    pub retained_bytes: u64,
    /// Instances (class and Finalizer suspects).
    pub instances: Option<u64>,
    /// The suspect's sentence.
    pub description: String,
}

/// A step of a suspect's path from its GC root.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathName {
    /// The object's class (`class X` for a class object).
    pub class: String,
    /// The field of the previous step that refers to it (absent at the root).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// The parts of a full analysis the report takes.
pub struct Full<'a> {
    /// The object graph's figures.
    pub graph: &'a GraphSummary,
    /// The Finalizer report.
    pub finalizers: &'a FinalizerReport,
    /// The leak suspects.
    pub suspects: &'a SuspectsReport,
    /// References by kind.
    pub references: &'a [RefKindStats],
}

/// The compact report of a dump: `histogram` is the whole histogram (with retained bytes
/// after the full analysis), `full` what the full analysis found (absent: histogram only).
pub fn dump_report(summary: &Summary, histogram: &Histogram, full: Option<Full<'_>>) -> DumpReport {
    let mut classes: Vec<ClassFigures> = Vec::with_capacity(histogram.classes.len());
    // Rows of one name are summed into the first row of that name.
    let mut by_name: HashMap<&str, usize> = HashMap::with_capacity(histogram.classes.len());
    for row in &histogram.classes {
        let retained = if full.is_some() {
            Some(row.retained_bytes.unwrap_or(0))
        } else {
            None
        };
        match by_name
            .get(row.name.as_str())
            .and_then(|&i| classes.get_mut(i))
        {
            Some(c) => {
                c.instances += row.instances;
                c.shallow_bytes += row.shallow_bytes;
                c.retained_bytes = c.retained_bytes.zip(retained).map(|(a, b)| a + b);
            }
            None => {
                by_name.insert(&row.name, classes.len());
                classes.push(ClassFigures {
                    name: row.name.clone(),
                    instances: row.instances,
                    shallow_bytes: row.shallow_bytes,
                    retained_bytes: retained,
                });
            }
        }
    }
    let mut report = DumpReport {
        report_version: REPORT_VERSION,
        file: String::new(),
        timestamp_ms: summary.timestamp_ms,
        id_size: summary.id_size,
        compressed_oops: summary.compressed_oops,
        reference_bytes: summary.size_model.reference_bytes,
        objects: summary.objects,
        shallow_bytes: summary.shallow_bytes,
        threads: summary.gc_roots.get("thread_object").copied().unwrap_or(0),
        full_analysis: full.is_some(),
        reachable_objects: None,
        reachable_bytes: None,
        classes,
        references: Vec::new(),
        finalizers: None,
        timers: Vec::new(),
        suspects: Vec::new(),
    };
    let Some(full) = full else {
        return report;
    };
    report.reachable_objects = Some(full.graph.reachable_objects);
    report.reachable_bytes = Some(full.graph.reachable_bytes);
    report.references = full
        .references
        .iter()
        .map(|r| ReferenceFigures {
            kind: r.kind.to_string(),
            references: r.references,
            referents: r.referents,
            referents_retained_bytes: r.referents_retained_bytes,
        })
        .collect();
    let f = full.finalizers;
    report.finalizers = Some(FinalizerFigures {
        finalizers: f.finalizers,
        queued: f.queued,
        queue_length: f.queue_length,
        referents: f.referents,
        referents_retained_bytes: f.referents_retained_bytes,
        referents_by_class: f
            .referents_by_class
            .iter()
            .map(|c| ReferentFigures {
                class: c.name.clone(),
                instances: c.instances,
                retained_bytes: c.retained_bytes,
            })
            .collect(),
    });
    report.timers = f
        .timers
        .iter()
        .map(|t| TimerFigures {
            thread: t.thread.clone().unwrap_or_default(),
            tasks: t.tasks,
            cancelled_tasks: t.cancelled_tasks,
        })
        .collect();
    report.suspects = full
        .suspects
        .suspects
        .iter()
        .map(|s| SuspectFigures {
            kind: s.kind.to_string(),
            class: s
                .class
                .clone()
                .or_else(|| s.object.as_ref().map(|o| o.class.clone()))
                .unwrap_or_default(),
            path: s
                .path_from_root
                .iter()
                .map(|p| PathName {
                    class: p.object.class.clone(),
                    field: p.field.clone(),
                })
                .collect(),
            accumulation_point: s.accumulation_point.as_ref().map(|p| p.class.clone()),
            retained_bytes: s.retained_bytes,
            instances: s.instances,
            description: s.description.clone(),
        })
        .collect();
    report
}

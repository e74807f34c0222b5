//! The dump summary: what the file is and what it holds.

use crate::format::Damage;
use crate::format::heap_dump::roots::RootKind;
use crate::graph::Heap;
use crate::model::diagnostics::Diagnostic;
use crate::model::index::{Index, class_bytes};
use crate::model::sizes::FieldLayout;
use serde::Serialize;
use std::collections::BTreeMap;

/// The summary of a dump (the `heapscope summary --json` contract).
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// Header string, e.g. `JAVA PROFILE 1.0.2`.
    pub format: String,
    /// Identifier size, 4 or 8.
    pub id_size: u8,
    /// When the dump was taken, ms since the epoch.
    pub timestamp_ms: u64,
    /// Heap objects: instances, arrays and class objects.
    pub objects: u64,
    /// Instance dumps.
    pub instances: u64,
    /// Object arrays.
    pub object_arrays: u64,
    /// Primitive arrays.
    pub primitive_arrays: u64,
    /// Classes (with a class dump, plus primitive-array classes without one).
    pub classes: u64,
    /// Total shallow size of all objects, in bytes, as HotSpot lays them out.
    pub shallow_bytes: u64,
    /// GC roots per kind.
    pub gc_roots: BTreeMap<&'static str, u64>,
    /// Whether references were 4 bytes in a 64-bit heap.
    pub compressed_oops: bool,
    /// The object layout the sizes assume.
    pub size_model: SizeModelInfo,
    /// UTF8 strings in the dump.
    pub strings: u64,
    /// Stack traces.
    pub stack_traces: u64,
    /// Heap-dump records (HEAP_DUMP or HEAP_DUMP_SEGMENT).
    pub heap_dump_segments: u64,
    /// Tolerated oddities.
    pub diagnostics: Vec<Diagnostic>,
    /// Present when the dump is damaged (cut short, or corrupt from some point on) and was
    /// analysed up to the damage: every figure then describes what was read, and counts and
    /// sizes are lower bounds of the whole dump's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub damaged: Option<Box<Damaged>>,
}

/// What a damaged dump lost (`damaged` in `heapscope summary --json`).
#[derive(Clone, Debug, Serialize)]
pub struct Damaged {
    /// Where the damage starts: every record before this offset was read (decompressed
    /// bytes for gzip).
    pub offset: u64,
    /// What could not be read there (the error `--strict` gives).
    pub error: String,
    /// Bytes of the file after the damage that were not analysed (compressed bytes for
    /// gzip).
    pub unread_bytes: u64,
    /// The dump's length at least, when the record the damage is in says it goes on past
    /// the end of the file (bytes of the decompressed stream for gzip).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_bytes: Option<u64>,
    /// References that name an object the dump does not hold (most were in the lost
    /// part); counted by the full analysis, absent after pass 1 alone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dangling_references: Option<u64>,
    /// GC roots that name an object the dump does not hold (full analysis only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roots_to_missing_objects: Option<u64>,
    /// Classes whose objects were read but whose class dump was not.
    pub missing_class_dumps: u64,
}

/// The damage report of a dump read up to `damage`; `full`: the references were counted
/// (the full analysis ran).
pub fn damaged(index: &Index, damage: &Damage, full: bool) -> Damaged {
    let d = &index.diagnostics;
    Damaged {
        offset: damage.error.offset,
        error: damage.error.to_string(),
        unread_bytes: damage.unread_bytes,
        expected_bytes: damage.expected_bytes,
        dangling_references: full.then(|| d.count("dangling_reference")),
        roots_to_missing_objects: full.then(|| d.count("root_to_missing_object")),
        missing_class_dumps: d.count("missing_class_dump"),
    }
}

/// The size model, for display.
#[derive(Clone, Debug, Serialize)]
pub struct SizeModelInfo {
    /// Object header bytes.
    pub header_bytes: u32,
    /// Reference bytes.
    pub reference_bytes: u32,
    /// Compressed class pointers (64-bit header of 12 bytes).
    pub compressed_class_pointers: bool,
    /// `legacy` (JDK 6–14) or `packed` (JDK 15+).
    pub field_layout: &'static str,
    /// Classes whose gap evidence agreed with the model, out of those with evidence.
    pub classes_matching: u64,
    /// Classes with gap evidence.
    pub classes_with_evidence: u64,
}

/// The object graph the full analysis built (`graph` in `heapscope analyze --json`).
#[derive(Clone, Debug, Serialize)]
pub struct GraphSummary {
    /// Objects: instances, arrays and class objects.
    pub objects: u64,
    /// Object-to-object references, including each object's reference to its class.
    pub references: u64,
    /// GC root records that name an object of the dump.
    pub gc_roots: u64,
    /// Objects reachable from a GC root.
    pub reachable_objects: u64,
    /// Their shallow bytes (the dominator tree's total).
    pub reachable_bytes: u64,
    /// Objects no GC root reaches (the next GC would free them).
    pub unreachable_objects: u64,
    /// Their shallow bytes.
    pub unreachable_bytes: u64,
}

/// The graph's totals.
pub fn graph_summary(heap: &Heap) -> GraphSummary {
    let objects = heap.object_count() as u64;
    GraphSummary {
        objects,
        references: heap.references,
        gc_roots: heap.roots.records.len() as u64,
        reachable_objects: objects - heap.unreachable.0,
        reachable_bytes: heap.reachable_bytes(),
        unreachable_objects: heap.unreachable.0,
        unreachable_bytes: heap.unreachable.1,
    }
}

/// Summarizes an index.
pub fn summary(index: &Index) -> Summary {
    let mut gc_roots = BTreeMap::new();
    for k in RootKind::ALL {
        let n = index.roots.iter().filter(|r| r.kind == k).count() as u64;
        if n > 0 {
            gc_roots.insert(k.name(), n);
        }
    }
    let shallow_bytes = index
        .classes
        .classes
        .iter()
        .zip(&index.counts)
        .map(|(c, k)| class_bytes(&index.model, c, k))
        .sum();
    let id = index.header.id_size;
    Summary {
        format: index.header.format.clone(),
        id_size: id,
        timestamp_ms: index.header.timestamp_ms,
        objects: index.stats.instances
            + index.stats.obj_arrays
            + index.stats.prim_arrays
            + u64::from(index.classes.object_count),
        instances: index.stats.instances,
        object_arrays: index.stats.obj_arrays,
        primitive_arrays: index.stats.prim_arrays,
        classes: index.classes.len() as u64,
        shallow_bytes,
        gc_roots,
        compressed_oops: index.model.compressed_oops(id),
        size_model: SizeModelInfo {
            header_bytes: index.model.header,
            reference_bytes: index.model.ref_size,
            compressed_class_pointers: id == 8 && index.model.header == 12,
            field_layout: match index.model.layout {
                FieldLayout::Legacy => "legacy",
                FieldLayout::Packed => "packed",
            },
            classes_matching: index.model_evidence.classes_matching,
            classes_with_evidence: index.model_evidence.classes_with_evidence,
        },
        strings: index.strings.len() as u64,
        stack_traces: index.stacks.traces.len() as u64,
        heap_dump_segments: index.stats.heap_dump_records,
        diagnostics: index.diagnostics.list(),
        damaged: None,
    }
}

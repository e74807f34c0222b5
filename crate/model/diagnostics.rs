//! Tolerated oddities of a dump, counted and shown to the user with a line of help (as
//! Perfetto's import stats). Fatal problems are `HprofError`s instead.

use serde::Serialize;

/// How much a diagnostic matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Expected in some dumps; shown for completeness.
    Info,
    /// Some results may be incomplete.
    Warning,
    /// Results are known to be affected.
    Error,
}

/// One kind of oddity and how often it occurred.
#[derive(Clone, Debug, Serialize)]
pub struct Diagnostic {
    /// Stable key (`dangling_reference`).
    pub key: &'static str,
    /// Severity.
    pub severity: Severity,
    /// Occurrences.
    pub count: u64,
    /// Offset of the first occurrence in the dump, where it has one.
    pub first_offset: Option<u64>,
    /// What it means and what to do.
    pub help: &'static str,
}

/// Every known diagnostic: key, severity, help.
pub const KINDS: &[(&str, Severity, &str)] = &[
    (
        "unknown_record",
        Severity::Info,
        "Top-level records with a tag this reader does not know were skipped by their length.",
    ),
    (
        "oversized_record",
        Severity::Warning,
        "A non-heap record longer than 64 MiB was skipped instead of being buffered.",
    ),
    (
        "missing_class_dump",
        Severity::Warning,
        "Objects refer to a class ID that has no CLASS_DUMP; they are counted under a \
         placeholder class and their fields cannot be decoded.",
    ),
    (
        "missing_class_name",
        Severity::Info,
        "A class has no LOAD_CLASS record or its name string is missing; it is shown by ID.",
    ),
    (
        "missing_field_name",
        Severity::Warning,
        "Fields whose name string is missing are shown by ID; analyses that look a field up \
         by name (such as a Finalizer's referent) do not find them.",
    ),
    (
        "dangling_reference",
        Severity::Info,
        "References to IDs that are not objects of this dump were dropped (common in dumps \
         taken without a full GC, and for JVM-internal objects the dumper skips).",
    ),
    (
        "duplicate_object_id",
        Severity::Warning,
        "Several object records share one ID; references to it resolve to one of them.",
    ),
    (
        "instance_length_mismatch",
        Severity::Warning,
        "An instance's field data length differs from its class layout; its references \
         were decoded as far as the data allowed.",
    ),
    (
        "class_hierarchy_cycle",
        Severity::Error,
        "A class is its own (indirect) superclass; the cycle was cut.",
    ),
    (
        "class_hierarchy_too_deep",
        Severity::Error,
        "A class has more than 64 superclasses; its chain was cut there, so fields inherited \
         from beyond the cut are unknown.",
    ),
    (
        "missing_super_class",
        Severity::Warning,
        "A class names a superclass that has no CLASS_DUMP; its inherited fields are unknown.",
    ),
    (
        "root_to_missing_object",
        Severity::Info,
        "GC roots that name an ID which is not an object of the dump were ignored.",
    ),
    (
        "class_dump_after_instances",
        Severity::Info,
        "A CLASS_DUMP appeared after instances of that class; the dump is still usable.",
    ),
    (
        "trailing_data",
        Severity::Warning,
        "The file goes on after its complete heap dump with bytes that are not whole records \
         (or HEAP_DUMP_END has a body); they were ignored. The heap dump itself is complete.",
    ),
    (
        "gc_roots_assumed",
        Severity::Warning,
        "The damaged dump holds no GC roots (HotSpot writes them last, so a dump cut short loses \
         them): every class and every object that nothing refers to is taken as a root. \
         Reachability, the dominator tree and retained sizes are estimates.",
    ),
    (
        "no_heap_dump",
        Severity::Warning,
        "The file has no heap dump records (it may be a CPU or allocation profile).",
    ),
];

/// The counters.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics {
    counts: Vec<(usize, u64, Option<u64>)>,
}

impl Diagnostics {
    /// Counts one occurrence of `key` (which must be in [`KINDS`]).
    pub fn bump(&mut self, key: &str, offset: Option<u64>) {
        self.add(key, 1, offset);
    }

    /// Counts `n` occurrences.
    pub fn add(&mut self, key: &str, n: u64, offset: Option<u64>) {
        if n == 0 {
            return;
        }
        let Some(k) = KINDS.iter().position(|(name, _, _)| *name == key) else {
            return;
        };
        match self.counts.iter_mut().find(|(i, _, _)| *i == k) {
            Some(e) => {
                e.1 += n;
                if e.2.is_none() {
                    e.2 = offset;
                }
            }
            None => self.counts.push((k, n, offset)),
        }
    }

    /// How many times `key` occurred.
    pub fn count(&self, key: &str) -> u64 {
        KINDS
            .iter()
            .position(|(name, _, _)| *name == key)
            .and_then(|k| self.counts.iter().find(|(i, _, _)| *i == k))
            .map_or(0, |e| e.1)
    }

    /// Merges another set of counters.
    pub fn merge(&mut self, other: &Diagnostics) {
        for &(k, n, off) in &other.counts {
            if let Some((key, _, _)) = KINDS.get(k) {
                self.add(key, n, off);
            }
        }
    }

    /// The diagnostics that occurred, most severe first.
    pub fn list(&self) -> Vec<Diagnostic> {
        let mut v: Vec<Diagnostic> = self
            .counts
            .iter()
            .filter_map(|&(k, count, first_offset)| {
                let (key, severity, help) = *KINDS.get(k)?;
                Some(Diagnostic {
                    key,
                    severity,
                    count,
                    first_offset,
                    help,
                })
            })
            .collect();
        v.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.key.cmp(b.key)));
        v
    }
}

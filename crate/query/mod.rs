//! The `query` layer: the one list of what can be asked of an analysed dump ([`Query`]),
//! what each answer is ([`Answer`]), and the [`Session`] that runs the passes and answers.
//!
//! Both front ends speak it: the CLI maps each subcommand to a `Query` and renders the
//! `Answer` as text or JSON (`crate/cli/`); the browser worker forwards the page's queries
//! as they are to [`crate::wasm`], which deserializes them here. A query's JSON is
//! `{"kind": "<name>", …parameters}` ([`Query::NAMES`]; `web/protocol.js` lists the same
//! names, and a test keeps the two equal). An answer's JSON is the CLI's `--json` output of
//! the same command: the page and the CLI report the same fields by construction.
//!
//! Defaults and limits of every parameter live here, once ([`defaults`], [`Query::check`]).
//!
//! Adding an analysis: the analysis (`crate/analysis/`), its `Query` and `Answer` variants
//! and its arm in [`Session::query`] (here), its text renderer (`crate/cli/render.rs`) and
//! its view (`web/views/`).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
// Values read from the file decide lengths and indices here: every access is checked,
// or carries an `#[expect]` on the smallest item that says why each index is in range.

mod error;
pub mod report;
mod session;
mod sha256;

pub use error::QueryError;
pub use session::{ProgressFn, Session, run_in_memory};

pub use crate::graph::{Options, PassInfo, Plan, Progress};

use crate::analysis::class::ClassReport;
use crate::analysis::class_loaders::ClassLoaders;
use crate::analysis::collections::CollectionsReport;
use crate::analysis::compare::Comparison;
use crate::analysis::dominator_groups::{DomGroup, GroupedDomTree};
use crate::analysis::dominators_report::{DomChildren, DomNode, DomTree, Instances};
use crate::analysis::duplicate_strings::DuplicateStrings;
use crate::analysis::finalizers::FinalizerReport;
use crate::analysis::histogram::{Histogram, HistogramRow};
use crate::analysis::histogram_groups::{GroupedHistogram, Grouping};
use crate::analysis::immediate_dominators::ImmediateDominators;
use crate::analysis::inspect::ObjectView;
use crate::analysis::paths::PathTree;
use crate::analysis::refstats::References;
use crate::analysis::report::{DumpReport, REPORT_VERSION};
use crate::analysis::retained_set::RetainedSetReport;
use crate::analysis::secrets::SecretsReport;
use crate::analysis::summary::{GraphSummary, Summary};
use crate::analysis::suspects::SuspectsReport;
use crate::analysis::threads::Threads;
use crate::analysis::unreachable::Unreachable;
use crate::text::{hex_id, parse_hex_id};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// The defaults of every parameter that has one (the CLI's `--help` shows the same).
pub mod defaults {
    /// Rows of `analyze`'s top retained classes and dominator-tree entries.
    pub const ANALYZE_TOP: u32 = 20;
    /// Children per node of `dominators`.
    pub const DOMINATOR_TOP: u32 = 10;
    /// Levels of `dominators`.
    pub const DOMINATOR_DEPTH: u32 = 2;
    /// Children per request of the page's dominator tree.
    pub const CHILDREN_LIMIT: u32 = 100;
    /// A class's biggest instances per request.
    pub const INSTANCES_LIMIT: u32 = 50;
    /// Array elements and referrers the inspector lists.
    pub const INSPECT_ITEMS: u32 = 100;
    /// Locals listed per thread frame.
    pub const THREAD_LOCALS: u32 = 20;
    /// Rows of the collections report's `holders` and `collections`.
    pub const COLLECTIONS_TOP: u32 = 50;
    /// Entries the inspector shows inline for a field that holds a collection.
    pub const FIELD_ENTRIES: u32 = 20;
    /// The largest count a page-sized parameter (`limit`, `max_items`, `max_locals`) takes.
    pub const MAX_LIMIT: u32 = 100_000;
    /// The longest class name a query takes, in bytes.
    pub const MAX_NAME: usize = 4096;
    /// Dominator objects listed per row of `immediate-dominators`.
    pub const DOMINATOR_OBJECTS: u32 = 10;
    /// The most class-name patterns `immediate-dominators` skips.
    pub const MAX_SKIP: usize = 64;
    /// Groups per request of the page's grouped dominator tree.
    pub const GROUP_LIMIT: u32 = 100;
    /// The longest path of class names a `dominator_group` query takes.
    pub const MAX_PATH: usize = 1000;
    /// Values of `duplicate-strings` listed (with their holders).
    pub const DUPLICATE_STRINGS_TOP: u32 = 100;
    /// Strings a value needs to count as duplicated.
    pub const DUPLICATE_MIN_COUNT: u32 = 2;
    /// Classes the text of `compare` lists (its JSON has every class).
    pub const COMPARE_TOP: u32 = 30;
    /// The most dumps `compare` takes.
    pub const MAX_DUMPS: usize = 100;

    pub(super) fn analyze_top() -> u32 {
        ANALYZE_TOP
    }
    pub(super) fn dominator_top() -> u32 {
        DOMINATOR_TOP
    }
    pub(super) fn dominator_depth() -> u32 {
        DOMINATOR_DEPTH
    }
    pub(super) fn children_limit() -> u32 {
        CHILDREN_LIMIT
    }
    pub(super) fn instances_limit() -> u32 {
        INSTANCES_LIMIT
    }
    pub(super) fn inspect_items() -> u32 {
        INSPECT_ITEMS
    }
    pub(super) fn thread_locals() -> u32 {
        THREAD_LOCALS
    }
    pub(super) fn collections_top() -> u32 {
        COLLECTIONS_TOP
    }
    pub(super) fn dominator_objects() -> u32 {
        DOMINATOR_OBJECTS
    }
    pub(super) fn group_limit() -> u32 {
        GROUP_LIMIT
    }
    pub(super) fn grouping() -> crate::analysis::histogram_groups::Grouping {
        crate::analysis::histogram_groups::Grouping::Package
    }
    pub(super) fn duplicate_strings_top() -> u32 {
        DUPLICATE_STRINGS_TOP
    }
    pub(super) fn duplicate_min_count() -> u32 {
        DUPLICATE_MIN_COUNT
    }
}

/// An object ID (the object's address in the dump). Crosses JSON as `"0x…"` (a JS number
/// would round a 64-bit address); the CLI also takes decimal ([`crate::text::parse_id`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ObjectId(pub u64);

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex_id(self.0))
    }
}

impl Serialize for ObjectId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex_id(self.0))
    }
}

impl<'de> Deserialize<'de> for ObjectId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        parse_hex_id(&s).map(ObjectId).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "an object ID is \"0x\" followed by hex digits, not {:?}",
                s.chars().take(40).collect::<String>()
            ))
        })
    }
}

/// What can be asked. Queries marked *full* need the full analysis (three passes); the
/// others are answered after pass 1 too.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Query {
    /// What the dump is: format, sizes, counts, GC roots, diagnostics (`heapscope summary`).
    Summary {},
    /// Instances and shallow bytes per class, largest first, with retained bytes once the
    /// full analysis ran (`heapscope histogram`).
    Histogram {
        /// Only the largest `top` classes (the totals still cover all).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        top: Option<u32>,
        /// Sort by retained bytes (*full*: `heapscope histogram --retained`).
        #[serde(default)]
        by_retained: bool,
    },
    /// *Full*: the whole report in one answer (`heapscope analyze`).
    Analyze {
        /// Top retained classes and dominator-tree entries.
        #[serde(default = "defaults::analyze_top")]
        top: u32,
    },
    /// *Full*: the dominator tree's top `top` children per node, `depth` levels
    /// (`heapscope dominators`).
    DominatorTree {
        /// Children per node.
        #[serde(default = "defaults::dominator_top")]
        top: u32,
        /// Levels.
        #[serde(default = "defaults::dominator_depth")]
        depth: u32,
    },
    /// *Full*: one node's children in the dominator tree, largest retained first (the
    /// page's tree, a level at a time).
    DominatorChildren {
        /// The node (absent: the GC roots' side, the tree's top level).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        parent: Option<ObjectId>,
        /// Children returned.
        #[serde(default = "defaults::children_limit")]
        limit: u32,
    },
    /// *Full*: a class's biggest instances by retained size.
    Instances {
        /// The class's Java name (`java.util.HashMap`, `byte[]`).
        class: String,
        /// Instances returned.
        #[serde(default = "defaults::instances_limit")]
        limit: u32,
    },
    /// *Full*: why `java.lang.ref.Finalizer` objects hold memory (`heapscope finalizers`).
    Finalizers {},
    /// *Full*: merged shortest paths from GC roots to one object or to every instance of a
    /// class (`heapscope path`).
    Paths {
        /// The object (exactly one of `object` and `class`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        object: Option<ObjectId>,
        /// The class's Java name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        class: Option<String>,
        /// Also follow `Reference.referent` and the Finalizer list links.
        #[serde(default)]
        include_weak: bool,
    },
    /// *Full*: one object's fields, elements, referrers, dominator, GC roots
    /// (`heapscope inspect`).
    Inspect {
        /// The object.
        object: ObjectId,
        /// Array elements, collection entries and referrers listed (a page; also `limit`).
        #[serde(default = "defaults::inspect_items", alias = "limit")]
        max_items: u32,
        /// The first array element or collection entry listed.
        #[serde(default, skip_serializing_if = "is_zero")]
        offset: u64,
        /// The first referrer listed.
        #[serde(default, skip_serializing_if = "is_zero")]
        referrers_offset: u64,
    },
    /// *Full*: leak suspects (`heapscope suspects`).
    Suspects {},
    /// *Full*: soft, weak, phantom and final references (`heapscope references`).
    References {},
    /// *Full*: threads with their stacks and the locals each frame holds
    /// (`heapscope threads`).
    Threads {
        /// Locals listed per frame.
        #[serde(default = "defaults::thread_locals")]
        max_locals: u32,
    },
    /// *Full*: the objects no GC root reaches, by class (`heapscope unreachable`).
    Unreachable {
        /// Only the largest `top` classes (the totals still cover all).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        top: Option<u32>,
    },
    /// *Full*: who keeps one object or every instance of a class alive: their immediate
    /// dominators by class (`heapscope immediate-dominators`).
    ImmediateDominators {
        /// The object (exactly one of `object` and `class`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        object: Option<ObjectId>,
        /// The class's Java name (every class of that name).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        class: Option<String>,
        /// Pass over dominators whose class matches one of these (`java.*`: `*` matches
        /// any run of characters), up the dominator tree.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        skip: Vec<String>,
        /// Dominator objects listed per row.
        #[serde(default = "defaults::dominator_objects")]
        top: u32,
    },
    /// *Full*: what a garbage collection would free if one object or every instance of a
    /// class went: the precise retained size, and the set by class
    /// (`heapscope retained-set`).
    RetainedSet {
        /// The object (exactly one of `object` and `class`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        object: Option<ObjectId>,
        /// The class's Java name (every class of that name).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        class: Option<String>,
        /// Only the largest `top` classes of the set (the totals still cover all).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        top: Option<u32>,
    },
    /// *Full*: the classes of a name: instances, sizes, class object, superclasses, class
    /// loader, statics, subclasses (`heapscope class`).
    Class {
        /// The Java name (`java.util.HashMap`, `byte[]`).
        name: String,
    },
    /// *Full*: the dominator tree grouped by class, the `top` largest groups per group,
    /// `depth` levels (`heapscope dominators --group-by class`).
    GroupedDominatorTree {
        /// Groups per group.
        #[serde(default = "defaults::dominator_top")]
        top: u32,
        /// Levels.
        #[serde(default = "defaults::dominator_depth")]
        depth: u32,
    },
    /// *Full*: one group of the dominator tree grouped by class (the page's grouped tree,
    /// a level at a time): the objects of class `path[0]` that `parent` immediately
    /// dominates, the objects of class `path[1]` those dominate, …; its largest objects and
    /// the groups of the level below.
    DominatorGroup {
        /// Where the path starts (absent: the GC roots' side, the tree's top level).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        parent: Option<ObjectId>,
        /// Class names, one per level (empty: `parent`'s children, grouped).
        #[serde(default)]
        path: Vec<String>,
        /// Objects of the group returned.
        #[serde(default = "defaults::children_limit")]
        limit: u32,
        /// Groups of the level below returned.
        #[serde(default = "defaults::group_limit")]
        group_limit: u32,
    },
    /// The histogram grouped by package (a tree) or by class loader, with minimum retained
    /// sizes once the full analysis ran (`heapscope histogram --group-by`).
    GroupedHistogram {
        /// `package` (the default) or `loader`.
        #[serde(default = "defaults::grouping")]
        group_by: Grouping,
        /// Only the largest `top` top-level groups (the totals still cover all).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        top: Option<u32>,
        /// Needs the full analysis (retained sizes, the loaders' classes): *full*.
        #[serde(default)]
        by_retained: bool,
    },
    /// *Full*: the JDK collections by class and by holding field: sizes, capacities, fill
    /// ratios, the bytes unused capacity wastes (`heapscope collections`).
    Collections {
        /// Only collections of this class (Java name).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        class: Option<String>,
        /// Only collections held by this field (`Class.field`, as the report names it).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        holder: Option<String>,
        /// Rows of `holders` and `collections`.
        #[serde(default = "defaults::collections_top")]
        top: u32,
    },
    /// *Full*: the values several reachable strings hold, with the bytes the copies waste
    /// and the fields holding them (`heapscope duplicate-strings`).
    DuplicateStrings {
        /// Strings a value needs (at least 2).
        #[serde(default = "defaults::duplicate_min_count")]
        min_count: u32,
        /// Values listed, most wasted first (the totals still cover all).
        #[serde(default = "defaults::duplicate_strings_top")]
        top: u32,
    },
    /// *Full*: every class loader with what it defines, and the classes several loaders
    /// define with what keeps each copy alive (`heapscope classloaders`).
    ClassLoaders {},
    /// *Full*: the shareable report, one self-contained HTML file ([`report`];
    /// `heapscope report`, the page's "Save report").
    HtmlReport {
        /// Also write values: String text and Timer due times (see [`report`]).
        #[serde(default)]
        include_values: bool,
        /// The dump's file name, without its directory, as the report names it (each
        /// front end passes the same name, so that both write the same bytes).
        #[serde(default)]
        file_name: String,
    },
    /// *Full*: values that look like secrets (private keys, tokens, access keys, passwords
    /// in URLs, values of fields and map keys named like secrets), masked, with the chain
    /// from their nearest holder (`heapscope secrets`).
    Secrets {},
    /// The compact report of the dump (what a comparison keeps of it): headline figures,
    /// the histogram, and with the full analysis retained sizes, reference, Finalizer and
    /// Timer figures and suspects; the histogram alone otherwise.
    Report {
        /// The dump's file name, as the report names it.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        file: String,
    },
    /// What grew between dumps: this dump's report compared with `reports` (one or more
    /// saved reports of other dumps), ordered by the dumps' timestamps
    /// (`heapscope compare`).
    Compare {
        /// The other dumps' reports.
        reports: Vec<DumpReport>,
        /// This dump's file name, as the comparison names it.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        file: String,
    },
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

/// The answer to a [`Query`]: each serializes as the CLI's `--json` output of its command.
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum Answer {
    /// To [`Query::Summary`].
    Summary(Summary),
    /// To [`Query::Histogram`].
    Histogram(Histogram),
    /// To [`Query::Analyze`].
    Analyze(Box<AnalyzeReport>),
    /// To [`Query::DominatorTree`].
    DominatorTree(DomTree),
    /// To [`Query::DominatorChildren`].
    DominatorChildren(DomChildren),
    /// To [`Query::Instances`].
    Instances(Instances),
    /// To [`Query::Finalizers`].
    Finalizers(Box<FinalizerReport>),
    /// To [`Query::Paths`].
    Paths(PathTree),
    /// To [`Query::Inspect`].
    Inspect(Box<ObjectView>),
    /// To [`Query::Suspects`].
    Suspects(SuspectsReport),
    /// To [`Query::References`].
    References(References),
    /// To [`Query::Threads`].
    Threads(Threads),
    /// To [`Query::Unreachable`].
    Unreachable(Unreachable),
    /// To [`Query::Collections`].
    Collections(Box<CollectionsReport>),
    /// To [`Query::ImmediateDominators`].
    ImmediateDominators(ImmediateDominators),
    /// To [`Query::RetainedSet`].
    RetainedSet(RetainedSetReport),
    /// To [`Query::Class`].
    Class(ClassReport),
    /// To [`Query::GroupedDominatorTree`].
    GroupedDominatorTree(GroupedDomTree),
    /// To [`Query::DominatorGroup`].
    DominatorGroup(DomGroup),
    /// To [`Query::GroupedHistogram`].
    GroupedHistogram(GroupedHistogram),
    /// To [`Query::DuplicateStrings`].
    DuplicateStrings(DuplicateStrings),
    /// To [`Query::ClassLoaders`].
    ClassLoaders(ClassLoaders),
    /// To [`Query::HtmlReport`]: the HTML text.
    HtmlReport(String),
    /// To [`Query::Secrets`].
    Secrets(SecretsReport),
    /// To [`Query::Report`].
    Report(Box<DumpReport>),
    /// To [`Query::Compare`].
    Compare(Box<Comparison>),
}

/// `TryFrom<Answer>` for each variant's payload, so that [`Session::ask`] gives it typed.
macro_rules! answer_payloads {
    ($($variant:ident($ty:ty) $(boxed $boxed:tt)?),* $(,)?) => {$(
        impl TryFrom<Answer> for $ty {
            type Error = Answer;
            fn try_from(a: Answer) -> Result<Self, Answer> {
                match a {
                    Answer::$variant(v) => Ok(answer_payloads!(@unbox v $($boxed)?)),
                    other => Err(other),
                }
            }
        }
    )*};
    (@unbox $v:ident) => { $v };
    (@unbox $v:ident *) => { *$v };
}

answer_payloads! {
    Summary(Summary),
    Histogram(Histogram),
    Analyze(AnalyzeReport) boxed *,
    DominatorTree(DomTree),
    DominatorChildren(DomChildren),
    Instances(Instances),
    Finalizers(FinalizerReport) boxed *,
    Paths(PathTree),
    Inspect(ObjectView) boxed *,
    Suspects(SuspectsReport),
    References(References),
    Threads(Threads),
    Unreachable(Unreachable),
    Collections(CollectionsReport) boxed *,
    ImmediateDominators(ImmediateDominators),
    RetainedSet(RetainedSetReport),
    Class(ClassReport),
    GroupedDominatorTree(GroupedDomTree),
    DominatorGroup(DomGroup),
    GroupedHistogram(GroupedHistogram),
    DuplicateStrings(DuplicateStrings),
    ClassLoaders(ClassLoaders),
    HtmlReport(String),
    Secrets(SecretsReport),
    Report(DumpReport) boxed *,
    Compare(Comparison) boxed *,
}

/// `heapscope analyze`: the full report in one answer (JSON keys in this order).
#[derive(Clone, Debug, Serialize)]
pub struct AnalyzeReport {
    /// The dump.
    pub summary: Summary,
    /// The object graph: objects, references, reachable and unreachable.
    pub graph: GraphSummary,
    /// Leak suspects.
    pub suspects: SuspectsReport,
    /// The Finalizer analysis.
    pub finalizers: FinalizerReport,
    /// References by kind.
    pub references: Vec<crate::analysis::refstats::RefKindStats>,
    /// The histogram's top rows by retained bytes.
    pub top_retained_classes: Vec<HistogramRow>,
    /// The dominator tree's top level.
    pub dominators: Vec<DomNode>,
    /// The compact report (the whole histogram with retained sizes among it): what
    /// `heapscope compare` reads of a saved `analyze --json`.
    pub report: DumpReport,
    /// The whole histogram's totals, for the text (not in the JSON: `summary` has them).
    #[serde(skip)]
    pub histogram_totals: HistogramTotals,
}

/// A histogram's totals over every class.
#[derive(Clone, Copy, Debug, Default)]
pub struct HistogramTotals {
    /// Instances.
    pub instances: u64,
    /// Shallow bytes.
    pub shallow_bytes: u64,
    /// Classes with instances.
    pub classes: u64,
}

impl Query {
    /// Every query's name (its `kind`), as `web/protocol.js` lists them.
    pub const NAMES: &'static [&'static str] = &[
        "summary",
        "histogram",
        "analyze",
        "dominator_tree",
        "dominator_children",
        "instances",
        "finalizers",
        "paths",
        "inspect",
        "suspects",
        "references",
        "threads",
        "unreachable",
        "collections",
        "immediate_dominators",
        "retained_set",
        "class",
        "grouped_dominator_tree",
        "dominator_group",
        "grouped_histogram",
        "duplicate_strings",
        "class_loaders",
        "html_report",
        "secrets",
        "report",
        "compare",
    ];

    /// This query's name (its `kind`).
    pub fn name(&self) -> &'static str {
        match self {
            Query::Summary {} => "summary",
            Query::Histogram { .. } => "histogram",
            Query::Analyze { .. } => "analyze",
            Query::DominatorTree { .. } => "dominator_tree",
            Query::DominatorChildren { .. } => "dominator_children",
            Query::Instances { .. } => "instances",
            Query::Finalizers {} => "finalizers",
            Query::Paths { .. } => "paths",
            Query::Inspect { .. } => "inspect",
            Query::Suspects {} => "suspects",
            Query::References {} => "references",
            Query::Threads { .. } => "threads",
            Query::Unreachable { .. } => "unreachable",
            Query::Collections { .. } => "collections",
            Query::ImmediateDominators { .. } => "immediate_dominators",
            Query::RetainedSet { .. } => "retained_set",
            Query::Class { .. } => "class",
            Query::GroupedDominatorTree { .. } => "grouped_dominator_tree",
            Query::DominatorGroup { .. } => "dominator_group",
            Query::GroupedHistogram { .. } => "grouped_histogram",
            Query::DuplicateStrings { .. } => "duplicate_strings",
            Query::ClassLoaders {} => "class_loaders",
            Query::Report { .. } => "report",
            Query::HtmlReport { .. } => "html_report",
            Query::Secrets {} => "secrets",
            Query::Compare { .. } => "compare",
        }
    }

    /// Whether answering needs the full analysis (else pass 1 is enough).
    pub fn needs_full_analysis(&self) -> bool {
        match self {
            Query::Summary {} => false,
            Query::Histogram { by_retained, .. } => *by_retained,
            Query::GroupedHistogram { by_retained, .. } => *by_retained,
            // Answered from the histogram alone when the full analysis was refused.
            _ => true,
        }
    }

    /// Checks the parameters; the error names the one that is wrong.
    pub fn check(&self) -> Result<(), QueryError> {
        let limit = |what: &str, v: u32| {
            if (1..=defaults::MAX_LIMIT).contains(&v) {
                Ok(())
            } else {
                Err(QueryError::BadArgument(format!(
                    "{what} must be from 1 to {}, not {v}",
                    defaults::MAX_LIMIT
                )))
            }
        };
        let name = |v: &str| {
            if v.is_empty() || v.len() > defaults::MAX_NAME {
                Err(QueryError::BadArgument(format!(
                    "a class name must have 1 to {} bytes",
                    defaults::MAX_NAME
                )))
            } else {
                Ok(())
            }
        };
        match self {
            Query::DominatorChildren { limit: l, .. } => limit("limit", *l),
            Query::Instances { class, limit: l } => {
                name(class)?;
                limit("limit", *l)
            }
            Query::Inspect { max_items, .. } => limit("max_items", *max_items),
            Query::Collections {
                class, holder, top, ..
            } => {
                if let Some(c) = class {
                    name(c)?;
                }
                if let Some(h) = holder {
                    name(h)?;
                }
                limit("top", *top)
            }
            Query::Threads { max_locals } => limit("max_locals", *max_locals),
            Query::DominatorGroup {
                path,
                limit: l,
                group_limit,
                ..
            } => {
                if path.len() > defaults::MAX_PATH {
                    return Err(QueryError::BadArgument(format!(
                        "a path has at most {} class names, not {}",
                        defaults::MAX_PATH,
                        path.len()
                    )));
                }
                for c in path {
                    name(c)?;
                }
                limit("limit", *l)?;
                limit("group_limit", *group_limit)
            }
            Query::Paths { object, class, .. } => match (object, class) {
                (Some(_), None) => Ok(()),
                (None, Some(c)) => name(c),
                _ => Err(QueryError::BadArgument(
                    "paths takes an object or a class, one of the two".into(),
                )),
            },
            Query::ImmediateDominators {
                object,
                class,
                skip,
                top,
            } => {
                one_target(self.name(), object, class, name)?;
                if skip.len() > defaults::MAX_SKIP {
                    return Err(QueryError::BadArgument(format!(
                        "skip takes at most {} patterns, not {}",
                        defaults::MAX_SKIP,
                        skip.len()
                    )));
                }
                for p in skip {
                    name(p)?;
                }
                limit("top", *top)
            }
            Query::RetainedSet { object, class, top } => {
                one_target(self.name(), object, class, name)?;
                top.map_or(Ok(()), |t| limit("top", t))
            }
            Query::Class { name: n } => name(n),
            Query::HtmlReport { file_name: f, .. } => file_name(f),
            Query::Report { file } => file_name(file),
            Query::Compare { reports, file } => {
                file_name(file)?;
                if reports.is_empty() || reports.len() >= defaults::MAX_DUMPS {
                    return Err(QueryError::BadArgument(format!(
                        "compare takes 1 to {} other reports, not {}",
                        defaults::MAX_DUMPS - 1,
                        reports.len()
                    )));
                }
                for r in reports {
                    file_name(&r.file)?;
                    if r.report_version != REPORT_VERSION {
                        return Err(QueryError::BadArgument(format!(
                            "the report of {} is of version {}; this heapscope reads version {}",
                            r.file, r.report_version, REPORT_VERSION
                        )));
                    }
                }
                Ok(())
            }
            Query::DuplicateStrings { min_count, top } => {
                limit("top", *top)?;
                if *min_count < 2 {
                    return Err(QueryError::BadArgument(format!(
                        "min_count must be at least 2 (a value held by one string is no duplicate), not {min_count}"
                    )));
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// The phases this query's work is reported under (`--timings` on the CLI).
    pub fn phases(&self) -> &'static [&'static str] {
        match self {
            Query::Summary {} => &["summary"],
            Query::Histogram { .. } => &["histogram"],
            Query::Analyze { .. } => &["finalizers", "suspects", "reference stats", "report"],
            Query::DominatorTree { .. } => &["dominator tree"],
            Query::Finalizers {} => &["finalizers"],
            Query::Paths { .. } => &["paths"],
            Query::Inspect { .. } => &["inspect"],
            Query::Suspects {} => &["suspects"],
            Query::References {} => &["references"],
            Query::Threads { .. } => &["threads"],
            Query::Unreachable { .. } => &["unreachable"],
            Query::Collections { .. } => &["collections"],
            Query::ImmediateDominators { .. } => &["immediate dominators"],
            Query::RetainedSet { .. } => &["retained set"],
            Query::Class { .. } => &["class"],
            Query::DuplicateStrings { .. } => &["duplicate strings"],
            Query::ClassLoaders {} => &["class loaders"],
            Query::HtmlReport { .. } => &["finalizers", "suspects", "threads", "report"],
            Query::Secrets {} => &["secrets"],
            Query::Report { .. } => &["finalizers", "suspects", "reference stats", "report"],
            Query::Compare { .. } => &[
                "finalizers",
                "suspects",
                "reference stats",
                "report",
                "compare",
            ],
            Query::GroupedDominatorTree { .. } => &["grouped dominator tree"],
            Query::GroupedHistogram { .. } => &["grouped histogram"],
            Query::DominatorChildren { .. }
            | Query::Instances { .. }
            | Query::DominatorGroup { .. } => &[],
        }
    }

    /// A query as a front end received it (the page's JS object, a JSON text), checked:
    /// unknown kinds and fields, and values out of range, are [`QueryError::BadArgument`].
    pub fn read<'de, D: Deserializer<'de>>(d: D) -> Result<Query, QueryError> {
        let q = Query::deserialize(d).map_err(|e| QueryError::BadArgument(e.to_string()))?;
        q.check()?;
        Ok(q)
    }

    /// One query of every kind but `inspect` (which needs an object) and `compare` (which
    /// needs reports), with its defaults
    /// and `class` wherever a class is needed: what the robustness tests and the fuzz
    /// target ask of every dump.
    #[cfg(not(target_family = "wasm"))]
    pub fn every_kind(class: &str) -> Vec<Query> {
        Query::NAMES
            .iter()
            .filter(|&&k| k != "inspect" && k != "compare")
            .filter_map(|&kind| {
                ["class", "name"]
                    .iter()
                    .find_map(|key| {
                        Query::read(serde_json::json!({ "kind": kind, *key: class })).ok()
                    })
                    .or_else(|| Query::read(serde_json::json!({ "kind": kind })).ok())
            })
            .collect()
    }

    /// A query from its JSON text.
    #[cfg(not(target_family = "wasm"))]
    pub fn from_json(json: &str) -> Result<Query, QueryError> {
        Query::read(&mut serde_json::Deserializer::from_str(json))
    }
}

/// Checks a file name a query names a dump by.
fn file_name(f: &str) -> Result<(), QueryError> {
    if f.len() > defaults::MAX_NAME {
        return Err(QueryError::BadArgument(format!(
            "a file name has at most {} bytes",
            defaults::MAX_NAME
        )));
    }
    Ok(())
}

/// Checks that a query over a set of objects names one object or one class name.
fn one_target(
    kind: &str,
    object: &Option<ObjectId>,
    class: &Option<String>,
    name: impl Fn(&str) -> Result<(), QueryError>,
) -> Result<(), QueryError> {
    match (object, class) {
        (Some(_), None) => Ok(()),
        (None, Some(c)) => name(c),
        _ => Err(QueryError::BadArgument(format!(
            "{kind} takes an object or a class, one of the two"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_a_query_with_its_defaults() {
        for &name in Query::NAMES {
            let extra = match name {
                "instances" => r#","class":"java.lang.String""#,
                "paths" => r#","class":"java.lang.String""#,
                "inspect" => r#","object":"0x10""#,
                "immediate_dominators" | "retained_set" => r#","class":"java.lang.String""#,
                "class" => r#","name":"java.lang.String""#,
                "compare" => {
                    r#","reports":[{"report_version":1,"timestamp_ms":0,"id_size":8,
                    "compressed_oops":true,"reference_bytes":4,"objects":0,"shallow_bytes":0,
                    "threads":0,"full_analysis":false,"classes":[],"references":[],
                    "timers":[],"suspects":[]}]"#
                }
                _ => "",
            };
            let q = Query::from_json(&format!(r#"{{"kind":"{name}"{extra}}}"#))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(q.name(), name);
            let back = serde_json::to_value(&q).expect("serializes");
            assert_eq!(back["kind"], name);
        }
        assert_eq!(
            Query::from_json(r#"{"kind":"threads"}"#).expect("threads"),
            Query::Threads {
                max_locals: defaults::THREAD_LOCALS
            }
        );
    }

    #[test]
    fn every_kind_but_the_inspector_has_an_example() {
        let all = Query::every_kind("java.lang.String");
        let names: Vec<&str> = all.iter().map(Query::name).collect();
        let expected: Vec<&str> = Query::NAMES
            .iter()
            .copied()
            .filter(|&k| k != "inspect" && k != "compare")
            .collect();
        assert_eq!(names, expected);
    }

    #[test]
    fn unknown_kinds_fields_and_bad_values_are_refused() {
        for bad in [
            r#"{"kind":"nope"}"#,
            r#"{"kind":"summary","x":1}"#,
            r#"{"kind":"threads","maxLocals":5}"#,
            r#"{"kind":"threads","max_locals":0}"#,
            r#"{"kind":"threads","max_locals":100001}"#,
            r#"{"kind":"threads","max_locals":2.5}"#,
            r#"{"kind":"inspect","object":"1234"}"#,
            r#"{"kind":"inspect","object":"0xzz"}"#,
            r#"{"kind":"paths"}"#,
            r#"{"kind":"paths","object":"0x1","class":"A"}"#,
            r#"{"kind":"instances","class":""}"#,
            r#"{"kind":"duplicate_strings","min_count":1}"#,
            r#"{"kind":"duplicate_strings","top":0}"#,
            r#"{"kind":"retained_set"}"#,
            r#"{"kind":"retained_set","object":"0x1","class":"A"}"#,
            r#"{"kind":"retained_set","class":"A","top":0}"#,
            r#"{"kind":"immediate_dominators","class":"A","skip":[""]}"#,
            r#"{"kind":"immediate_dominators","class":"A","top":0}"#,
            r#"{"kind":"immediate_dominators","object":"0x1","skip":"java.*"}"#,
            r#"{"kind":"class"}"#,
            r#"{"kind":"class","name":""}"#,
            r#"{"kind":"grouped_histogram","group_by":"class"}"#,
            r#"{"kind":"dominator_group","path":[""]}"#,
            r#"{"kind":"dominator_group","path":"A"}"#,
            r#"{"kind":"dominator_group","group_limit":0}"#,
            r#"{}"#,
            r#"[]"#,
        ] {
            let e = Query::from_json(bad).expect_err(bad);
            assert_eq!(e.code(), "invalid_request", "{bad}: {e}");
        }
    }
}

//! What crosses to JavaScript. Core report types that already serialize to the CLI's
//! `--json` contract are passed as they are (the summary): the browser and the CLI then
//! report the same fields by construction. Types below exist where JS needs something the
//! core type lacks (a class's index and ID) or that is not serializable (`PassInfo`).
//!
//! Conventions: field names as in the CLI's JSON (snake_case); counts and byte sizes are
//! numbers (exact below 2^53, far above any heap); 64-bit object IDs are hex strings
//! (`"0x7f3a…"`), as a JS number would round them.

use crate::analysis::dominators_report::DomNode;
use crate::analysis::histogram::Histogram;
use crate::model::index::Index;
use crate::session::PassInfo;
use serde::{Deserialize, Serialize};

/// A 64-bit object ID for JS: `0x` and lowercase hex, as everywhere else.
pub use crate::analysis::inspect::hex as hex_id;

/// Session options from JS (`{ histogramOnly?: boolean, memoryLimit?: number }`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct OptionsDto {
    /// Stop after the histogram (no per-object memory).
    pub histogram_only: bool,
    /// Refuse the full analysis above this predicted peak (bytes).
    pub memory_limit: Option<f64>,
}

/// Children in the dominator tree, and the totals the page needs to put them in scale.
#[derive(Debug, Serialize)]
pub struct DominatorsDto {
    /// Children, largest retained first (without their own children).
    pub nodes: Vec<DomNode>,
    /// Children left out.
    pub more: u64,
    /// Reachable heap bytes (the tree's total).
    pub reachable_bytes: u64,
    /// Objects not reachable from a GC root (not in the tree).
    pub unreachable_objects: u64,
    /// Their shallow bytes.
    pub unreachable_bytes: u64,
}

/// A class's biggest instances.
#[derive(Debug, Serialize)]
pub struct InstancesDto {
    /// Instances, largest retained first.
    pub nodes: Vec<DomNode>,
    /// Instances in all.
    pub total: u64,
}

/// A pass announcement.
#[derive(Debug, Serialize)]
pub struct PassDto {
    /// `index`, `references`, …
    pub name: &'static str,
    /// 1-based.
    pub number: u32,
    /// Passes expected in all.
    pub of: u32,
}

impl From<PassInfo> for PassDto {
    fn from(p: PassInfo) -> Self {
        PassDto {
            name: p.name,
            number: p.number,
            of: p.of,
        }
    }
}

/// One histogram row: the CLI's fields plus the class's index (the key later queries
/// take) and its class object's ID.
#[derive(Debug, Serialize)]
pub struct HistogramRowDto<'a> {
    /// Java class name.
    pub name: &'a str,
    /// Instances.
    pub instances: u64,
    /// Shallow bytes of all instances.
    pub shallow_bytes: u64,
    /// Retained bytes (once the full analysis ran).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retained_bytes: Option<u64>,
    /// Class index in the session.
    pub class: u32,
    /// The class object's ID; null for classes the dump has no object for.
    pub id: Option<String>,
}

/// The histogram (`heapscope histogram [--retained] --json` plus per-row `class` and `id`).
#[derive(Debug, Serialize)]
pub struct HistogramDto<'a> {
    /// Rows, largest first.
    pub classes: Vec<HistogramRowDto<'a>>,
    /// Sum of instances.
    pub total_instances: u64,
    /// Sum of shallow bytes.
    pub total_shallow_bytes: u64,
}

impl<'a> HistogramDto<'a> {
    /// Converts the core histogram, looking the class IDs up in the index.
    pub fn new(h: &'a Histogram, index: &Index) -> Self {
        let classes = h
            .classes
            .iter()
            .map(|r| HistogramRowDto {
                name: &r.name,
                instances: r.instances,
                shallow_bytes: r.shallow_bytes,
                retained_bytes: r.retained_bytes,
                class: r.class,
                id: index
                    .classes
                    .classes
                    .get(r.class as usize)
                    .filter(|c| c.id != 0)
                    .map(|c| hex_id(c.id)),
            })
            .collect();
        HistogramDto {
            classes,
            total_instances: h.total_instances,
            total_shallow_bytes: h.total_shallow_bytes,
        }
    }
}

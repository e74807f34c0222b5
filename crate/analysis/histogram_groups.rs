//! The class histogram grouped by package or by class loader (Eclipse MAT's histogram
//! "Group by package" and "Group by class loader").
//!
//! - By package: a tree, `java` → `java.util` → the class `java.util.HashMap`. An array
//!   class goes with its element's package (`java.lang.String[]` under `java.lang`); arrays
//!   of primitives (`int[]`, `byte[][]`) under `<primitive arrays>`; classes without a
//!   package under `<default package>`. A hidden class's `/0x…` suffix is not a package.
//! - By class loader: one row per loader object (`<bootstrap>` for loader ID 0), its
//!   classes below it.
//!
//! Instances and shallow bytes are sums over the classes below a node: every class sits in
//! exactly one package node and under one loader, so the top level's sums are the
//! histogram's totals. The retained column is MAT's *minimum* retained size: for a class,
//! the retained sizes of its instances that no other instance of the class dominates; for
//! a package or loader, those of the instances of its classes that no other instance of
//! its classes dominates (so nothing is counted twice, and a node's value is at most the
//! sum of its children's). It is a lower bound of what freeing all those instances would
//! free: objects kept alive only by several of them together are left out.

use super::histogram::{Histogram, HistogramRow};
use crate::graph::Heap;
use crate::model::index::Index;
use crate::text::hex_id;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// What the histogram's classes are grouped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grouping {
    /// Java packages, as a tree.
    Package,
    /// Class loader objects.
    Loader,
}

impl Grouping {
    /// Its name in the JSON (`package`, `loader`).
    pub fn name(self) -> &'static str {
        match self {
            Grouping::Package => "package",
            Grouping::Loader => "loader",
        }
    }
}

/// A node of the grouped histogram: a package, a class loader or a class.
#[derive(Clone, Debug, Serialize)]
pub struct HistogramGroup {
    /// The package's full name (`java.util`, `<primitive arrays>`, `<default package>`),
    /// the class's Java name, or the loader's class (`<bootstrap>` for the bootstrap loader;
    /// `<class loader>` when not known: the loader's class is known after the full
    /// analysis).
    pub name: String,
    /// `package`, `loader` or `class`.
    pub kind: &'static str,
    /// The loader object's ID (loaders other than the bootstrap loader).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    /// Classes (with instances) below.
    pub classes: u64,
    /// Instances of those classes (for `java.lang.Class`, the class objects).
    pub instances: u64,
    /// Their shallow bytes.
    pub shallow_bytes: u64,
    /// Minimum retained bytes (see the module's text); present after the full analysis.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retained_bytes: Option<u64>,
    /// Packages and classes below (classes have none), largest first.
    pub children: Vec<HistogramGroup>,
}

/// `heapscope histogram --group-by package|loader`.
#[derive(Clone, Debug, Serialize)]
pub struct GroupedHistogram {
    /// `package` or `loader`.
    pub group_by: &'static str,
    /// The top-level nodes, largest first (retained bytes when present, else shallow).
    pub groups: Vec<HistogramGroup>,
    /// Top-level nodes left out of `groups` (`--top`).
    pub more_groups: u64,
    /// Classes with instances (all of them).
    pub total_classes: u64,
    /// Instances of every class.
    pub total_instances: u64,
    /// Their shallow bytes.
    pub total_shallow_bytes: u64,
}

/// A node while the tree is built: ~100 B each (one per package or loader, and per class).
struct Node {
    name: String,
    kind: &'static str,
    object: Option<String>,
    classes: u64,
    instances: u64,
    shallow: u64,
    retained: Option<u64>,
    children: Vec<usize>,
}

impl Node {
    fn group(name: String, kind: &'static str) -> Node {
        Node {
            name,
            kind,
            object: None,
            classes: 0,
            instances: 0,
            shallow: 0,
            retained: None,
            children: Vec::new(),
        }
    }
}

const PRIMITIVES: [&str; 8] = [
    "boolean", "byte", "char", "short", "int", "long", "float", "double",
];

/// The package path of a class name: `java.util.HashMap` → `["java", "java.util"]`;
/// arrays go with their element (`<primitive arrays>` for primitives), names without a
/// package with `<default package>`.
pub fn package_path(class: &str) -> Vec<String> {
    let element = class.trim_end_matches("[]");
    if element.len() != class.len() && PRIMITIVES.contains(&element) {
        return vec!["<primitive arrays>".into()];
    }
    // A hidden class's name ends in `/0x…`, which may hold no dot but is no package.
    let base = element.split('/').next().unwrap_or(element);
    let Some((package, _)) = base.rsplit_once('.') else {
        return vec!["<default package>".into()];
    };
    let mut out = Vec::new();
    let mut end = 0;
    for part in package.split('.') {
        end += part.len();
        out.push(package.get(..end).unwrap_or(package).to_string());
        end += 1;
    }
    out
}

/// Groups `histogram`'s rows (one per class, retained bytes or not) by `by`. `heap`, after
/// the full analysis, gives retained sizes and the loaders' classes.
pub fn grouped_histogram(
    index: &Index,
    histogram: &Histogram,
    heap: Option<&Heap>,
    by: Grouping,
) -> GroupedHistogram {
    let mut nodes: Vec<Node> = Vec::new();
    let mut tops: Vec<usize> = Vec::new();
    let mut named: HashMap<String, usize> = HashMap::new();
    // Per class index: the group nodes it counts in (for the retained walk).
    let mut chains: Vec<Vec<u32>> = vec![Vec::new(); index.classes.len()];
    for row in &histogram.classes {
        let (path, object) = match by {
            Grouping::Package => (package_path(&row.name), None),
            Grouping::Loader => {
                let id = index.classes.get(row.class).map_or(0, |c| c.loader_id);
                (vec![format!("{id:x}")], (id != 0).then(|| hex_id(id)))
            }
        };
        let mut parent: Option<usize> = None;
        let mut chain = Vec::with_capacity(path.len());
        for key in path {
            let i = match named.get(&key) {
                Some(&i) => i,
                None => {
                    let i = nodes.len();
                    let node = match by {
                        Grouping::Package => Node::group(key.clone(), "package"),
                        Grouping::Loader => {
                            let mut n = Node::group(loader_name(heap, object.as_deref()), "loader");
                            n.object = object.clone();
                            n
                        }
                    };
                    nodes.push(node);
                    named.insert(key, i);
                    match parent.and_then(|p| nodes.get_mut(p)) {
                        Some(p) => p.children.push(i),
                        None => tops.push(i),
                    }
                    i
                }
            };
            if let Some(n) = nodes.get_mut(i) {
                n.classes += 1;
                n.instances += row.instances;
                n.shallow += row.shallow_bytes;
            }
            chain.push(i as u32);
            parent = Some(i);
        }
        let leaf = nodes.len();
        nodes.push(class_node(row));
        if let Some(p) = parent.and_then(|p| nodes.get_mut(p)) {
            p.children.push(leaf);
        }
        if let Some(c) = chains.get_mut(row.class as usize) {
            *c = chain;
        }
    }
    if let Some(heap) = heap {
        let sums = min_retained_of_sets(heap, &chains, nodes.len());
        for (n, s) in nodes.iter_mut().zip(sums) {
            if n.kind != "class" {
                n.retained = Some(s);
            }
        }
    }
    GroupedHistogram {
        group_by: by.name(),
        groups: assemble(nodes, tops),
        more_groups: 0,
        total_classes: histogram.total_classes,
        total_instances: histogram.total_instances,
        total_shallow_bytes: histogram.total_shallow_bytes,
    }
}

fn class_node(row: &HistogramRow) -> Node {
    Node {
        name: row.name.clone(),
        kind: "class",
        object: None,
        classes: 1,
        instances: row.instances,
        shallow: row.shallow_bytes,
        retained: row.retained_bytes,
        children: Vec::new(),
    }
}

/// A loader's name: its object's class (known after the full analysis).
fn loader_name(heap: Option<&Heap>, object: Option<&str>) -> String {
    let Some(id) = object else {
        return "<bootstrap>".into();
    };
    let Some(heap) = heap else {
        return "<class loader>".into();
    };
    crate::text::parse_hex_id(id)
        .and_then(|id| heap.object_by_id(id))
        .map_or_else(|| "<not in the dump>".into(), |o| heap.describe_class(o))
}

/// The nodes as a tree, each list largest first. Children come after their parents in
/// `nodes`, so building from the last node down finds every child complete.
fn assemble(nodes: Vec<Node>, tops: Vec<usize>) -> Vec<HistogramGroup> {
    let mut built: Vec<Option<HistogramGroup>> = Vec::with_capacity(nodes.len());
    built.resize_with(nodes.len(), || None);
    for (i, n) in nodes.into_iter().enumerate().rev() {
        let mut children: Vec<HistogramGroup> = n
            .children
            .iter()
            .filter_map(|&c| built.get_mut(c).and_then(Option::take))
            .collect();
        sort_groups(&mut children);
        if let Some(slot) = built.get_mut(i) {
            *slot = Some(HistogramGroup {
                name: n.name,
                kind: n.kind,
                object: n.object,
                classes: n.classes,
                instances: n.instances,
                shallow_bytes: n.shallow,
                retained_bytes: n.retained,
                children,
            });
        }
    }
    let mut out: Vec<HistogramGroup> = tops
        .into_iter()
        .filter_map(|t| built.get_mut(t).and_then(Option::take))
        .collect();
    sort_groups(&mut out);
    out
}

/// Largest first: by retained bytes when known, then shallow bytes, then name.
fn sort_groups(v: &mut [HistogramGroup]) {
    v.sort_by(|a, b| {
        b.retained_bytes
            .cmp(&a.retained_bytes)
            .then(b.shallow_bytes.cmp(&a.shallow_bytes))
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.object.cmp(&b.object))
    });
}

/// For sets of classes (`chains[class]` lists the sets class `class` belongs to, each at
/// most once), each set's minimum retained size: the sum of the retained sizes of the
/// objects whose class is in the set and that no other such object dominates.
///
/// One walk of the dominator tree with a count of open members per set (as the class
/// retained sizes are computed in `graph/`). The tree's child lists are built for the walk
/// and dropped: 8 B per reachable object while it runs (4 B per set, and the walk's stack:
/// 8 B per level of the deepest path), none kept.
pub fn min_retained_of_sets(heap: &Heap, chains: &[Vec<u32>], sets: usize) -> Vec<u64> {
    let dom = &heap.dom;
    let n = dom.idom.len();
    // Child lists in preorder space: `start[v]..start[v + 1]` in `kids`.
    let mut start = vec![0u32; n + 1];
    for &d in dom.idom.iter().skip(1) {
        if let Some(s) = start.get_mut(d as usize + 1) {
            *s += 1;
        }
    }
    let mut total = 0u32;
    for s in start.iter_mut() {
        total += *s;
        *s = total;
    }
    let mut kids = vec![0u32; n.saturating_sub(1)];
    // `start[d]` is the cursor of d's list while filling; it ends at d + 1's start.
    for (w, &d) in dom.idom.iter().enumerate().skip(1) {
        if let Some(c) = start.get_mut(d as usize) {
            if let Some(k) = kids.get_mut(*c as usize) {
                *k = w as u32;
            }
            *c += 1;
        }
    }
    start.copy_within(0..n, 1);
    if let Some(f) = start.first_mut() {
        *f = 0;
    }
    let chain = |p: u32| -> &[u32] {
        let obj = dom.vertex.get(p as usize).copied().unwrap_or(u32::MAX);
        chains
            .get(heap.class_of(obj) as usize)
            .map_or(&[], Vec::as_slice)
    };
    let mut open = vec![0u32; sets];
    let mut sums = vec![0u64; sets];
    let mut stack: Vec<(u32, u32)> = vec![(0, 0)];
    while let Some(top) = stack.last_mut() {
        let (v, pos) = *top;
        let end = start.get(v as usize + 1).copied().unwrap_or(0);
        if pos < end {
            top.1 += 1;
            let Some(&c) = kids.get(pos as usize) else {
                continue;
            };
            let r = dom.retained.get(c);
            for &s in chain(c) {
                if let (Some(o), Some(sum)) = (open.get_mut(s as usize), sums.get_mut(s as usize)) {
                    if *o == 0 {
                        *sum += r;
                    }
                    *o += 1;
                }
            }
            stack.push((c, start.get(c as usize).copied().unwrap_or(0)));
        } else {
            stack.pop();
            if v != 0 {
                for &s in chain(v) {
                    if let Some(o) = open.get_mut(s as usize) {
                        *o = o.saturating_sub(1);
                    }
                }
            }
        }
    }
    sums
}

#[cfg(test)]
mod tests {
    use super::package_path;

    #[test]
    fn packages_of_classes_arrays_and_hidden_classes() {
        assert_eq!(package_path("java.util.HashMap"), ["java", "java.util"]);
        assert_eq!(
            package_path("java.util.HashMap$Node[]"),
            ["java", "java.util"]
        );
        assert_eq!(package_path("java.lang.String[][]"), ["java", "java.lang"]);
        assert_eq!(package_path("byte[]"), ["<primitive arrays>"]);
        assert_eq!(package_path("int[][]"), ["<primitive arrays>"]);
        assert_eq!(package_path("Fixtures$PgStatement"), ["<default package>"]);
        assert_eq!(package_path("Fixtures[]"), ["<default package>"]);
        assert_eq!(
            package_path("java.lang.invoke.LambdaForm$MH/0x0000000800c0c400"),
            ["java", "java.lang", "java.lang.invoke"]
        );
        assert_eq!(
            package_path("Main$$Lambda$14/0x0000000800c03000"),
            ["<default package>"]
        );
    }
}

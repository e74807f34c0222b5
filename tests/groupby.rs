//! Grouping by class, package and class loader: the grouped dominator tree against the
//! Timer fixture's facts and the ungrouped tree, against brute force over `idom` on every
//! fixture and corpus dump; the histogram by package and by loader against the class
//! histogram (every class in exactly one node, the same totals) and their minimum retained
//! sizes against their definition; leak suspects' accumulated objects by class.

mod common;
use common::*;
use heapscope::analysis::dominator_groups::{ClassGroup, DomGroup, GroupedDomTree};
use heapscope::analysis::dominators_report::DomChildren;
use heapscope::analysis::histogram::Histogram;
use heapscope::analysis::histogram_groups::{
    GroupedHistogram, Grouping, HistogramGroup, min_retained_of_sets, package_path,
};
use heapscope::analysis::suspects::SuspectsReport;
use heapscope::graph::Heap;
use heapscope::query::{ObjectId, Options, Query, Session, run_in_memory};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

fn session(p: &PathBuf) -> Session {
    let mut s = Session::new(Options::default());
    run_in_memory(&mut s, &read(p), 1 << 20).expect("analysis");
    s
}

/// Every fixture and corpus dump the full analysis reads.
fn dumps() -> Vec<PathBuf> {
    vec![
        fixture("timer_finalizer.hprof"),
        fixture("static_map_finalizer.hprof"),
        fixture("basic.hprof"),
        fixture("basic_noccp.hprof"),
        fixture("basic_nocoops.hprof"),
        fixture("basic_parallel_gz.hprof.gz"),
        corpus("hprof-32.bin"),
        corpus("hprof-64.bin"),
        corpus("openjdk_jdk11_04_x64.hprof.gz"),
        corpus("oracle_jdk8_05_x64.hprof"),
        corpus("sun_jdk6_18_x32.hprof"),
        corpus("sun_jdk6_30_x64_compressedOops.hprof"),
    ]
}

/// The class name a group of object `o` has (class objects: `java.lang.Class`).
fn group_class(heap: &Heap, o: u32) -> String {
    heap.index.classes.name(heap.class_of(o)).to_string()
}

fn tree(s: &mut Session, top: u32, depth: u32) -> GroupedDomTree {
    s.ask(&Query::GroupedDominatorTree { top, depth })
        .expect("grouped tree")
}

fn group(s: &mut Session, parent: Option<u64>, path: &[&str], limit: u32) -> DomGroup {
    s.ask(&Query::DominatorGroup {
        parent: parent.map(ObjectId),
        path: path.iter().map(|c| c.to_string()).collect(),
        limit,
        group_limit: 100_000,
    })
    .expect("group")
}

#[test]
fn the_timer_statements_are_one_group_with_their_summed_retained_size() {
    let f = facts("timer_finalizer");
    let stmt = f["statement_class"].as_str().expect("class");
    let mut s = session(&fixture("timer_finalizer.hprof"));
    let t = tree(&mut s, 10, 2);
    let first = &t.groups[0];
    // The statements retain most of the heap: the biggest group, one row.
    assert_eq!(first.sum.class, stmt);
    assert_eq!(
        first.sum.objects,
        f["statements"].as_u64().expect("n"),
        "every statement (leaked and open) is dominated by the GC roots as a whole"
    );
    assert_eq!(t.groups.iter().filter(|g| g.sum.class == stmt).count(), 1);
    // The same as summing the ungrouped tree's top level.
    let all: DomChildren = s
        .ask(&Query::DominatorChildren {
            parent: None,
            limit: 100_000,
        })
        .expect("children");
    assert_eq!(all.more, 0);
    let of_class: Vec<_> = all
        .nodes
        .iter()
        .filter(|n| n.object.class == stmt)
        .collect();
    assert_eq!(first.sum.objects, of_class.len() as u64);
    assert_eq!(
        first.sum.retained_bytes,
        of_class
            .iter()
            .map(|n| n.object.retained_bytes)
            .sum::<u64>()
    );
    assert_eq!(
        first.sum.shallow_bytes,
        of_class.iter().map(|n| n.object.shallow_bytes).sum::<u64>()
    );
    assert_eq!(first.largest, of_class[0].object, "the largest statement");
    // Recorded: 1144 B per statement, 2 459 600 B together (as the Finalizer report says).
    assert_eq!(first.sum.retained_bytes, 2_459_600);
    // Below the statements: their buffers, one per statement.
    let buffers = &first.children[0];
    assert_eq!(buffers.sum.class, "byte[]");
    assert_eq!(buffers.sum.objects, first.sum.objects);
    // The page's query for the same group: the same sums, its objects largest first.
    let g = group(&mut s, None, &[stmt], 5);
    assert_eq!(g.group.as_ref().expect("group"), &first.sum);
    assert_eq!(g.more, first.sum.objects - 5);
    assert_eq!(
        g.nodes.iter().map(|n| &n.object).collect::<Vec<_>>(),
        of_class
            .iter()
            .take(5)
            .map(|n| &n.object)
            .collect::<Vec<_>>()
    );
    assert_eq!(g.groups[0].sum, buffers.sum);
    // A path that names nothing is an error, not an empty answer.
    let e = s
        .ask::<DomGroup>(&Query::DominatorGroup {
            parent: None,
            path: vec![stmt.into(), "no.such.Class".into()],
            limit: 10,
            group_limit: 10,
        })
        .expect_err("no such group");
    assert_eq!(e.code(), "invalid_request", "{e}");
}

/// The objects at `path` below the GC roots, by brute force: walk every object's dominator
/// chain.
fn brute_members(heap: &Heap, path: &[String]) -> Vec<u32> {
    let mut out = Vec::new();
    'objects: for o in 0..heap.object_count() as u32 {
        if heap.pre(o).is_none() {
            continue;
        }
        let mut chain = vec![o];
        let mut cur = o;
        while let Some(d) = heap.idom(cur) {
            chain.push(d);
            cur = d;
            if chain.len() > path.len() {
                continue 'objects;
            }
        }
        if chain.len() != path.len() {
            continue;
        }
        // chain: the object first, its top-level ancestor last.
        if chain
            .iter()
            .rev()
            .zip(path)
            .all(|(&x, c)| group_class(heap, x) == *c)
        {
            out.push(o);
        }
    }
    out
}

#[test]
fn every_group_is_what_brute_force_finds_and_each_level_sums_to_its_parent() {
    for p in dumps() {
        let what = p.display().to_string();
        let mut s = session(&p);
        let t = tree(&mut s, 4, 3);
        // The top level covers the reachable heap.
        let all = tree(&mut s, 100_000, 1);
        assert_eq!(all.more_groups, 0);
        assert_eq!(
            all.groups.iter().map(|g| g.sum.retained_bytes).sum::<u64>(),
            all.reachable_bytes,
            "{what}"
        );
        let heap = s.heap().expect("heap");
        assert_eq!(
            all.groups.iter().map(|g| g.sum.objects).sum::<u64>(),
            heap.children(None).len() as u64,
            "{what}"
        );
        let mut stack: Vec<(Vec<String>, &ClassGroup)> = t
            .groups
            .iter()
            .map(|g| (vec![g.sum.class.clone()], g))
            .collect();
        let mut checked = 0;
        while let Some((path, g)) = stack.pop() {
            let members = brute_members(heap, &path);
            assert_eq!(g.sum.objects, members.len() as u64, "{what}: {path:?}");
            let sum = |f: &dyn Fn(u32) -> u64| members.iter().map(|&o| f(o)).sum::<u64>();
            assert_eq!(
                g.sum.shallow_bytes,
                sum(&|o| heap.shallow(o)),
                "{what}: {path:?}"
            );
            assert_eq!(
                g.sum.retained_bytes,
                sum(&|o| heap.retained(o)),
                "{what}: {path:?}"
            );
            // A group retains its objects plus exactly what its children groups retain (when
            // every child group is listed).
            if g.more_children == 0 && path.len() < 3 {
                assert_eq!(
                    g.sum.retained_bytes,
                    g.sum.shallow_bytes
                        + g.children.iter().map(|c| c.sum.retained_bytes).sum::<u64>(),
                    "{what}: {path:?}"
                );
            }
            for c in &g.children {
                let mut p = path.clone();
                p.push(c.sum.class.clone());
                stack.push((p, c));
            }
            checked += 1;
        }
        assert!(checked >= 4, "{what}: {checked} groups");
    }
}

#[test]
fn a_group_below_an_object_groups_its_children() {
    let mut s = session(&fixture("timer_finalizer.hprof"));
    let heap = s.heap().expect("heap");
    // The timer's task array: 2000 cancel tasks and the class object.
    let queue = heap
        .children(None)
        .into_iter()
        .find(|&o| group_class(heap, o) == "java.util.TaskQueue")
        .expect("queue");
    let array = heap.children(Some(queue))[0];
    let kids = heap.children(Some(array));
    let id = heap.id_of(array);
    let mut by_class: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for &k in &kids {
        let e = by_class.entry(group_class(heap, k)).or_default();
        e.0 += 1;
        e.1 += heap.retained(k);
    }
    let g = group(&mut s, Some(id), &[], 10);
    assert!(g.group.is_none() && g.nodes.is_empty());
    let got: BTreeMap<String, (u64, u64)> = g
        .groups
        .iter()
        .map(|c| (c.sum.class.clone(), (c.sum.objects, c.sum.retained_bytes)))
        .collect();
    assert_eq!(got, by_class);
    let tasks = facts("timer_finalizer")["cancelled_tasks"]
        .as_u64()
        .expect("n");
    assert_eq!(got.get("Fixtures$CancelTask").map(|v| v.0), Some(tasks));
}

fn grouped(s: &mut Session, by: Grouping) -> GroupedHistogram {
    s.ask(&Query::GroupedHistogram {
        group_by: by,
        top: None,
        by_retained: true,
    })
    .expect("grouped histogram")
}

/// Every class leaf of a grouped histogram, checking on the way that every node's sums
/// are its children's; (name, instances, shallow, retained) sorted.
fn leaves(what: &str, groups: &[HistogramGroup]) -> Vec<(String, u64, u64, Option<u64>)> {
    let mut out = Vec::new();
    let mut stack: Vec<&HistogramGroup> = groups.iter().collect();
    while let Some(g) = stack.pop() {
        if g.kind == "class" {
            assert!(g.children.is_empty());
            out.push((
                g.name.clone(),
                g.instances,
                g.shallow_bytes,
                g.retained_bytes,
            ));
            continue;
        }
        assert!(!g.children.is_empty(), "{what}: {} is empty", g.name);
        let sum = |f: &dyn Fn(&HistogramGroup) -> u64| g.children.iter().map(f).sum::<u64>();
        assert_eq!(g.classes, sum(&|c| c.classes), "{what}: {}", g.name);
        assert_eq!(g.instances, sum(&|c| c.instances), "{what}: {}", g.name);
        assert_eq!(
            g.shallow_bytes,
            sum(&|c| c.shallow_bytes),
            "{what}: {}",
            g.name
        );
        // A group's minimum retained size: at least its largest child's, at most their sum.
        let r = g.retained_bytes.expect("retained");
        let kids: Vec<u64> = g
            .children
            .iter()
            .map(|c| c.retained_bytes.expect("retained"))
            .collect();
        assert!(r <= kids.iter().sum::<u64>(), "{what}: {}", g.name);
        assert!(
            r >= kids.iter().copied().max().unwrap_or(0),
            "{what}: {}",
            g.name
        );
        stack.extend(&g.children);
    }
    out.sort();
    out
}

fn rows(h: &Histogram) -> Vec<(String, u64, u64, Option<u64>)> {
    let mut v: Vec<_> = h
        .classes
        .iter()
        .map(|r| {
            (
                r.name.clone(),
                r.instances,
                r.shallow_bytes,
                r.retained_bytes,
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn packages_and_loaders_hold_every_class_once_with_the_histograms_totals() {
    for p in dumps() {
        let what = p.display().to_string();
        let mut s = session(&p);
        let h: Histogram = s
            .ask(&Query::Histogram {
                top: None,
                by_retained: true,
            })
            .expect("histogram");
        for by in [Grouping::Package, Grouping::Loader] {
            let g = grouped(&mut s, by);
            assert_eq!(g.group_by, by.name());
            assert_eq!(leaves(&what, &g.groups), rows(&h), "{what} by {by:?}");
            let top = |f: &dyn Fn(&HistogramGroup) -> u64| g.groups.iter().map(f).sum::<u64>();
            assert_eq!(top(&|x| x.instances), h.total_instances, "{what}");
            assert_eq!(top(&|x| x.shallow_bytes), h.total_shallow_bytes, "{what}");
            assert_eq!(top(&|x| x.classes), h.classes.len() as u64, "{what}");
            assert_eq!(
                (g.total_instances, g.total_shallow_bytes, g.total_classes),
                (
                    h.total_instances,
                    h.total_shallow_bytes,
                    h.classes.len() as u64
                )
            );
        }
        // Packages: each class under the package its name says, arrays with their element.
        let g = grouped(&mut s, Grouping::Package);
        let mut stack: Vec<(Vec<String>, &HistogramGroup)> =
            g.groups.iter().map(|x| (vec![x.name.clone()], x)).collect();
        while let Some((path, x)) = stack.pop() {
            if x.kind == "class" {
                assert_eq!(package_path(&x.name), path[..path.len() - 1], "{what}");
                continue;
            }
            assert_eq!(x.kind, "package");
            for c in &x.children {
                let mut p = path.clone();
                p.push(c.name.clone());
                stack.push((p, c));
            }
        }
        // Loaders: every loader named by its object's class, the bootstrap loader by name.
        let l = grouped(&mut s, Grouping::Loader);
        let heap = s.heap().expect("heap");
        for x in &l.groups {
            assert_eq!(x.kind, "loader");
            match &x.object {
                None => assert_eq!(x.name, "<bootstrap>"),
                Some(id) => {
                    let o = heapscope::text::parse_hex_id(id).and_then(|i| heap.object_by_id(i));
                    let name =
                        o.map_or("<not in the dump>".to_string(), |o| heap.describe_class(o));
                    assert_eq!(x.name, name, "{what}");
                }
            }
        }
        assert!(l.groups.iter().any(|x| x.name == "<bootstrap>"), "{what}");
    }
}

/// The minimum retained size of a set of classes by its definition: the retained sizes of
/// the set's objects that no other object of the set dominates (walking up each chain).
fn brute_min_retained(heap: &Heap, in_set: &dyn Fn(u32) -> bool) -> u64 {
    let mut total = 0;
    for o in 0..heap.object_count() as u32 {
        if heap.pre(o).is_none() || !in_set(heap.class_of(o)) {
            continue;
        }
        let mut cur = o;
        let mut covered = false;
        while let Some(d) = heap.idom(cur) {
            if in_set(heap.class_of(d)) {
                covered = true;
                break;
            }
            cur = d;
        }
        if !covered {
            total += heap.retained(o);
        }
    }
    total
}

#[test]
fn package_and_loader_retained_sizes_are_their_definition() {
    for p in [
        fixture("timer_finalizer.hprof"),
        fixture("static_map_finalizer.hprof"),
        corpus("sun_jdk6_18_x32.hprof"),
        corpus("openjdk_jdk11_04_x64.hprof.gz"),
    ] {
        let what = p.display().to_string();
        let mut s = session(&p);
        let packages = grouped(&mut s, Grouping::Package);
        let loaders = grouped(&mut s, Grouping::Loader);
        let heap = s.heap().expect("heap");
        let classes = &heap.index.classes;
        // Class index → its package path and loader object.
        let path_of: Vec<Vec<String>> = (0..classes.len() as u32)
            .map(|c| package_path(classes.name(c)))
            .collect();
        let mut stack: Vec<&HistogramGroup> = packages.groups.iter().collect();
        let mut checked = 0;
        while let Some(g) = stack.pop() {
            if g.kind != "package" {
                continue;
            }
            let name = g.name.clone();
            let want = brute_min_retained(heap, &|c| {
                path_of.get(c as usize).is_some_and(|p| p.contains(&name))
            });
            assert_eq!(g.retained_bytes, Some(want), "{what}: package {name}");
            checked += 1;
            stack.extend(&g.children);
        }
        assert!(checked > 3, "{what}");
        for g in &loaders.groups {
            let id = g
                .object
                .as_deref()
                .and_then(heapscope::text::parse_hex_id)
                .unwrap_or(0);
            let want =
                brute_min_retained(heap, &|c| classes.get(c).is_some_and(|k| k.loader_id == id));
            assert_eq!(g.retained_bytes, Some(want), "{what}: loader {}", g.name);
        }
        // With one set per class, the walk gives the graph layer's class retained sizes.
        let chains: Vec<Vec<u32>> = (0..classes.len() as u32).map(|c| vec![c]).collect();
        assert_eq!(
            min_retained_of_sets(heap, &chains, classes.len()),
            heap.class_retained,
            "{what}"
        );
    }
}

#[test]
fn without_the_full_analysis_groups_have_no_retained_sizes_and_loaders_no_class() {
    let p = fixture("timer_finalizer.hprof");
    let mut s = Session::new(Options {
        histogram_only: true,
        ..Options::default()
    });
    run_in_memory(&mut s, &read(&p), 1 << 20).expect("pass 1");
    let g: GroupedHistogram = s
        .ask(&Query::GroupedHistogram {
            group_by: Grouping::Loader,
            top: Some(1),
            by_retained: false,
        })
        .expect("by loader");
    assert_eq!(g.groups.len(), 1);
    assert_eq!(
        g.more_groups, 1,
        "the fixture has the bootstrap and the app loader"
    );
    assert!(g.groups[0].retained_bytes.is_none());
    let p: GroupedHistogram = s
        .ask(&Query::GroupedHistogram {
            group_by: Grouping::Package,
            top: None,
            by_retained: false,
        })
        .expect("by package");
    let h: Histogram = s
        .ask(&Query::Histogram {
            top: None,
            by_retained: false,
        })
        .expect("histogram");
    assert_eq!(leaves_plain(&p.groups), rows(&h));
}

fn leaves_plain(groups: &[HistogramGroup]) -> Vec<(String, u64, u64, Option<u64>)> {
    let mut out = Vec::new();
    let mut stack: Vec<&HistogramGroup> = groups.iter().collect();
    while let Some(g) = stack.pop() {
        assert!(g.retained_bytes.is_none());
        if g.kind == "class" {
            out.push((g.name.clone(), g.instances, g.shallow_bytes, None));
        }
        stack.extend(&g.children);
    }
    out.sort();
    out
}

#[test]
fn suspects_list_what_their_accumulation_point_dominates_by_class() {
    let mut seen = 0;
    for p in [
        fixture("timer_finalizer.hprof"),
        fixture("static_map_finalizer.hprof"),
        corpus("sun_jdk6_18_x32.hprof"),
        corpus("openjdk_jdk11_04_x64.hprof.gz"),
        corpus("oracle_jdk8_05_x64.hprof"),
    ] {
        let what = p.display().to_string();
        let mut s = session(&p);
        let r: SuspectsReport = s.ask(&Query::Suspects {}).expect("suspects");
        let heap = s.heap().expect("heap");
        for sus in &r.suspects {
            let Some(point) = &sus.accumulation_point else {
                assert!(sus.accumulated_by_class.is_empty());
                continue;
            };
            let o = heapscope::text::parse_hex_id(&point.object)
                .and_then(|i| heap.object_by_id(i))
                .expect("point");
            // Brute force: the point's children, by class.
            let mut by_class: HashMap<String, (u64, u64, u64)> = HashMap::new();
            for k in heap.children(Some(o)) {
                let e = by_class.entry(group_class(heap, k)).or_default();
                e.0 += 1;
                e.1 += heap.shallow(k);
                e.2 += heap.retained(k);
            }
            let mut want: Vec<(String, (u64, u64, u64))> = by_class.into_iter().collect();
            want.sort_by(|a, b| {
                b.1.2
                    .cmp(&a.1.2)
                    .then(b.1.0.cmp(&a.1.0))
                    .then(a.0.cmp(&b.0))
            });
            want.truncate(10);
            let got: Vec<(String, (u64, u64, u64))> = sus
                .accumulated_by_class
                .iter()
                .map(|c| {
                    (
                        c.class.clone(),
                        (c.objects, c.shallow_bytes, c.retained_bytes),
                    )
                })
                .collect();
            assert_eq!(got, want, "{what}: {}", sus.description);
            let sum: u64 = sus
                .accumulated_by_class
                .iter()
                .map(|c| c.retained_bytes)
                .sum();
            assert!(
                sum < point.retained_bytes,
                "{what}: the point retains itself too"
            );
            assert!(sum <= sus.retained_bytes, "{what}: {}", sus.description);
            seen += 1;
        }
    }
    assert!(seen >= 3, "{seen} suspects checked");
}

#[test]
fn the_timer_suspect_accumulates_the_cancelled_tasks() {
    let f = facts("timer_finalizer");
    let mut s = session(&fixture("timer_finalizer.hprof"));
    let r: SuspectsReport = s.ask(&Query::Suspects {}).expect("suspects");
    let fin = r
        .suspects
        .iter()
        .find(|x| x.kind == "finalizer")
        .expect("the Finalizer suspect");
    let first = &fin.accumulated_by_class[0];
    assert_eq!(first.class, f["task_class"].as_str().expect("class"));
    assert_eq!(first.objects, f["cancelled_tasks"].as_u64().expect("n"));
}

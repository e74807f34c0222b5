//! Retained sizes against their definition on real dumps: the retained set of X is what
//! becomes unreachable from the GC roots when X is removed.

mod common;
use common::*;
use heapscope::graph::Heap;
use heapscope::graph::refs::forward_graph;
use heapscope::model::csr::Csr;
use heapscope::model::index_bytes;
use heapscope::query::{Options, Session, run_in_memory};

fn analyze(bytes: &[u8]) -> Heap {
    let mut s = Session::new(Options::default());
    run_in_memory(&mut s, bytes, 1 << 20).expect("analysis");
    s.into_heap().expect("ready")
}

/// The forward graph and the dominator roots, built independently of the session, with
/// every reference (the session's graphs leave out instances' references to classes that
/// are GC roots: the checks below would see any difference that makes).
fn forward(bytes: &[u8]) -> (Csr, Vec<u32>) {
    let index = index_bytes(bytes, true).expect("index");
    let roots = heapscope::model::roots::resolve(&index, &mut Default::default());
    let (fwd, _) = forward_graph(bytes, &index, &roots, false).expect("pass");
    (fwd, roots.dominator_roots)
}

/// Bytes reachable from `roots` without going through `removed`.
fn reachable_bytes(
    fwd: &Csr,
    roots: &[u32],
    removed: Option<u32>,
    size: &dyn Fn(u32) -> u64,
) -> u64 {
    let mut seen = vec![false; fwd.nodes()];
    let mut stack = Vec::new();
    let mut total = 0;
    for &r in roots {
        if Some(r) != removed && !seen[r as usize] {
            seen[r as usize] = true;
            stack.push(r);
        }
    }
    while let Some(x) = stack.pop() {
        total += size(x);
        fwd.for_each(x, |t| {
            if Some(t) != removed && !seen[t as usize] {
                seen[t as usize] = true;
                stack.push(t);
            }
        });
    }
    total
}

fn check(name: &str, bytes: &[u8], samples: usize) {
    let heap = analyze(bytes);
    let (fwd, roots) = forward(bytes);
    let size = |x: u32| heap.shallow(x);
    let all = reachable_bytes(&fwd, &roots, None, &size);
    assert_eq!(all, heap.reachable_bytes(), "{name}: reachable heap");
    // Sample: the 40 largest retainers (where errors would matter) and a spread of others.
    let mut reachable: Vec<u32> = (0..heap.object_count() as u32)
        .filter(|&x| heap.pre(x).is_some())
        .collect();
    reachable.sort_by_key(|&x| std::cmp::Reverse(heap.retained(x)));
    let step = (reachable.len() / samples).max(1);
    let picks: Vec<u32> = reachable
        .iter()
        .take(40)
        .chain(reachable.iter().step_by(step))
        .copied()
        .collect();
    for &x in &picks {
        let without = reachable_bytes(&fwd, &roots, Some(x), &size);
        assert_eq!(
            heap.retained(x),
            all - without,
            "{name}: retained size of {} {:#x}",
            heap.describe_class(x),
            heap.id_of(x)
        );
    }
    eprintln!(
        "{name}: {} objects checked against brute force",
        picks.len()
    );
    // Every class object's referrers (the reachable objects referring to it), against the
    // complete graph: those of a root class come back from the object table.
    let classes = heap.index.classes.object_count;
    let mut expected: Vec<Vec<u32>> = vec![Vec::new(); classes as usize];
    for x in 0..fwd.nodes() as u32 {
        if heap.pre(x).is_none() {
            continue;
        }
        fwd.for_each(x, |t| {
            if t < classes {
                expected[t as usize].push(x);
            }
        });
    }
    let mut rooted = 0;
    for (c, e) in expected.iter_mut().enumerate() {
        if heap.pre(c as u32).is_none() {
            continue;
        }
        e.sort_unstable();
        e.dedup();
        let mut got = heap.referrers(c as u32);
        got.sort_unstable();
        assert_eq!(
            &got,
            e,
            "{name}: referrers of {}",
            heap.describe_class(c as u32)
        );
        rooted += usize::from(roots.contains(&(c as u32)) && !e.is_empty());
    }
    assert!(
        rooted > 0,
        "{name}: no root class with referrers was checked"
    );
}

#[test]
fn retained_sizes_match_brute_force_on_fixtures() {
    check(
        "timer_finalizer",
        &read(&fixture("timer_finalizer.hprof")),
        160,
    );
    check("basic", &read(&fixture("basic.hprof")), 160);
}

#[test]
fn retained_sizes_match_brute_force_on_corpus() {
    check("hprof-64", &read(&corpus("hprof-64.bin")), 120);
    check(
        "sun_jdk6_18_x32",
        &read(&corpus("sun_jdk6_18_x32.hprof")),
        120,
    );
}

#[test]
fn the_basic_chain_is_retained_by_its_head() {
    let heap = analyze(&read(&fixture("basic.hprof")));
    let f = facts("basic");
    let chain_class = f["chain_class"].as_str().expect("class");
    let node = heap.index.classes.by_name(chain_class)[0];
    let n = f["chain_length"].as_u64().expect("n");
    // The nodes' bytes as the JVM counted them (`jmap -histo`), not from our own sizes.
    let (jvm_nodes, jvm_bytes) = jvm_histogram(&fixture("basic.histo.txt"))[chain_class];
    assert_eq!(jvm_nodes, n);
    // The head is the one node no other node refers to.
    let heads: Vec<u32> = (0..heap.object_count() as u32)
        .filter(|&x| heap.class_of(x) == node)
        .filter(|&x| heap.referrers(x).iter().all(|&r| heap.class_of(r) != node))
        .collect();
    assert_eq!(heads.len(), 1);
    assert_eq!(
        heap.retained(heads[0]),
        jvm_bytes,
        "the head retains every node"
    );
    // Per class (MAT's retained heap of the class): the same n nodes.
    assert_eq!(heap.class_retained[node as usize], jvm_bytes);
}

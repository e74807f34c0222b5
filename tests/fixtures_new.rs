//! The fixtures for the collection, duplicate-string, class-loader, unreachable-object and
//! HTTP-session analyses (tests/fixtures/collections.*, http_sessions.*): they parse, and
//! the scenario's own classes have the JVM histogram's instance counts.

mod common;
use common::*;
use heapscope::analysis::histogram::histogram;
use heapscope::model::index_bytes;

/// The scenario's classes (`Fixtures$…`, lambdas left out: their names differ between the
/// dump and the JVM histogram) with (ours, the JVM's) instance counts.
fn scenario_counts(name: &str) -> Vec<(String, u64, u64)> {
    let index = index_bytes(&read(&fixture(&format!("{name}.hprof"))), false).expect("parse");
    let ours = by_name(&histogram(&index));
    let jvm = jvm_histogram(&fixture(&format!("{name}.histo.txt")));
    let mut names: Vec<&String> = ours.keys().chain(jvm.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter(|n| n.starts_with("Fixtures$") && !n.contains("$$Lambda"))
        .map(|n| {
            let c = |m: &std::collections::HashMap<String, (u64, u64)>| m.get(n).map_or(0, |v| v.0);
            (n.clone(), c(&ours), c(&jvm))
        })
        .collect()
}

fn count(counts: &[(String, u64, u64)], class: &str) -> u64 {
    counts.iter().find(|c| c.0 == class).map_or(0, |c| c.1)
}

#[test]
fn new_fixtures_have_the_jvm_instance_counts() {
    for name in ["collections", "http_sessions"] {
        let counts = scenario_counts(name);
        assert!(counts.len() >= 3, "{name}: {counts:?}");
        for (class, ours, jvm) in &counts {
            assert_eq!(ours, jvm, "{name}: {class}");
        }
    }

    let f = facts("collections");
    let c = scenario_counts("collections");
    assert_eq!(
        count(&c, f["garbage_class"].as_str().unwrap()),
        f["garbage_count"].as_u64().unwrap()
    );
    let s = &f["sessions"];
    assert_eq!(
        count(&c, s["session_class"].as_str().unwrap()),
        s["sessions"].as_u64().unwrap()
    );
    let p = &f["plugin"];
    let per_loader: u64 = p["instances_per_loader"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(count(&c, p["class"].as_str().unwrap()), per_loader);

    let f = facts("http_sessions");
    let c = scenario_counts("http_sessions");
    assert_eq!(
        count(&c, f["session_class"].as_str().unwrap()),
        f["sessions"].as_u64().unwrap()
    );
    assert_eq!(count(&c, f["store_class"].as_str().unwrap()), 1);
    assert_eq!(count(&c, f["handler_class"].as_str().unwrap()), 1);
}

//! The committed fixtures (tests/fixtures, written by tests/fixtures/java/Fixtures.java)
//! against the JVM's own class histogram taken at the same moment.

mod common;
use common::*;
use heapscope::analysis::histogram::histogram;
use heapscope::analysis::summary::summary;
use heapscope::model::index_bytes;

/// Name, file, and how many instance and array classes compare exactly (README's table):
/// every class both histograms have is compared, so these move only with the data.
const FIXTURES: &[(&str, &str, usize, usize)] = &[
    ("timer_finalizer", "timer_finalizer.hprof", 243, 48),
    (
        "static_map_finalizer",
        "static_map_finalizer.hprof",
        242,
        47,
    ),
    ("basic", "basic.hprof", 249, 52),
    ("basic_nocoops", "basic_nocoops.hprof", 246, 47),
    ("basic_noccp", "basic_noccp.hprof", 246, 47),
    ("basic_parallel_gz", "basic_parallel_gz.hprof.gz", 253, 54),
];

#[test]
fn every_fixture_matches_the_jvm_histogram() {
    for &(name, file, instances, arrays) in FIXTURES {
        let index = index_bytes(&read(&fixture(file)), false).expect("parse");
        let jvm = jvm_histogram(&fixture(&format!("{name}.histo.txt")));
        let c = compare(&histogram(&index), &jvm);
        assert!(c.mismatches.is_empty(), "{name}: {:#?}", c.mismatches);
        assert_eq!(
            (c.instance_classes_exact, c.array_classes_exact),
            (instances, arrays),
            "{name}: {c:?}"
        );
        eprintln!("{name}: {c:?}");
    }
}

fn count(h: &heapscope::analysis::histogram::Histogram, class: &str) -> u64 {
    h.classes
        .iter()
        .filter(|r| r.name == class)
        .map(|r| r.instances)
        .sum()
}

fn jvm_count(name: &str, class: &str) -> u64 {
    jvm_histogram(&fixture(&format!("{name}.histo.txt")))
        .get(class)
        .map_or(0, |v| v.0)
}

#[test]
fn scenario_classes_have_exact_counts() {
    let f = facts("timer_finalizer");
    let index = index_bytes(&read(&fixture("timer_finalizer.hprof")), false).expect("parse");
    let h = histogram(&index);
    let stmt = f["statement_class"].as_str().expect("class");
    let statements = f["statements"].as_u64().expect("n");
    assert_eq!(count(&h, stmt), statements);
    assert_eq!(jvm_count("timer_finalizer", stmt), statements);
    let task = f["task_class"].as_str().expect("class");
    assert_eq!(count(&h, task), f["cancelled_tasks"].as_u64().expect("n"));
    assert_eq!(
        count(&h, "java.lang.ref.Finalizer"),
        jvm_count("timer_finalizer", "java.lang.ref.Finalizer")
    );
    assert!(count(&h, "java.lang.ref.Finalizer") >= statements);

    let f = facts("static_map_finalizer");
    let index = index_bytes(&read(&fixture("static_map_finalizer.hprof")), false).expect("parse");
    let h = histogram(&index);
    let handle = f["finalizable_class"].as_str().expect("class");
    assert_eq!(count(&h, handle), f["cached_handles"].as_u64().expect("n"));
    assert_eq!(count(&h, handle), jvm_count("static_map_finalizer", handle));
    let temp = f["queued_class"].as_str().expect("class");
    // The queued temp files plus the one blocking the finalizer thread.
    let queued = f["queued"].as_u64().expect("n") + f["blocked_in_finalize"].as_u64().expect("n");
    assert_eq!(count(&h, temp), queued);
    assert_eq!(jvm_count("static_map_finalizer", temp), queued);
    assert_eq!(
        count(&h, "java.lang.ref.Finalizer"),
        jvm_count("static_map_finalizer", "java.lang.ref.Finalizer")
    );

    let f = facts("basic");
    let index = index_bytes(&read(&fixture("basic.hprof")), false).expect("parse");
    let h = histogram(&index);
    let node = f["chain_class"].as_str().expect("class");
    assert_eq!(count(&h, node), f["chain_length"].as_u64().expect("n"));
    for class in ["Fixtures$Leaf", "Fixtures$Middle", "Fixtures$Base"] {
        assert_eq!(count(&h, class), 10, "{class}");
        assert_eq!(count(&h, class), jvm_count("basic", class), "{class}");
    }
}

#[test]
fn the_three_pointer_models_are_detected() {
    let model = |file: &str| {
        let s = summary(&index_bytes(&read(&fixture(file)), false).expect("parse"));
        (
            s.compressed_oops,
            s.size_model.header_bytes,
            s.size_model.reference_bytes,
            s.size_model.field_layout,
        )
    };
    assert_eq!(model("basic.hprof"), (true, 12, 4, "packed"));
    assert_eq!(model("basic_nocoops.hprof"), (false, 12, 8, "packed"));
    assert_eq!(model("basic_noccp.hprof"), (false, 16, 8, "packed"));
    assert_eq!(model("basic_parallel_gz.hprof.gz"), (true, 12, 4, "packed"));
}

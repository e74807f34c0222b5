//! The synthetic dump generator (`tests/bench/generator.rs`, the `hprof_gen` example):
//! Heapscope reads back exactly what it planned, and a seed gives the same bytes.

#[allow(dead_code)]
#[path = "bench/generator.rs"]
mod generator;

use generator::{Config, Manifest, Target, generate};
use heapscope::analysis::histogram::Histogram;
use heapscope::query::{AnalyzeReport, Options, Query, Session, run_in_memory};

fn dump(seed: u64, objects: u64, segment_limit: usize) -> (Manifest, Vec<u8>) {
    let cfg = Config {
        seed,
        target: Target::Objects(objects),
        segment_limit,
    };
    generate(&cfg, Vec::new()).expect("generate")
}

fn analyse(bytes: &[u8]) -> (AnalyzeReport, Histogram) {
    let mut s = Session::new(Options::default());
    s.set_source(Box::new(bytes.to_vec()));
    run_in_memory(&mut s, bytes, 1 << 20).expect("analysis");
    let a: AnalyzeReport = s.ask(&Query::Analyze { top: 20 }).expect("analyze");
    let h: Histogram = s
        .ask(&Query::Histogram {
            top: None,
            by_retained: false,
        })
        .expect("histogram");
    (a, h)
}

#[test]
fn a_generated_dump_analyses_to_the_planned_counts() {
    let (m, bytes) = dump(7, 200_000, 1 << 20);
    assert_eq!(m.file_bytes, bytes.len() as u64);
    assert!(
        (180_000..=220_000).contains(&m.objects),
        "objects {}",
        m.objects
    );
    let (a, h) = analyse(&bytes);
    let s = &a.summary;
    assert!(s.diagnostics.is_empty(), "{:?}", s.diagnostics);
    assert!(s.damaged.is_none());
    assert_eq!((s.format.as_str(), s.id_size), ("JAVA PROFILE 1.0.2", 8));
    // Class objects count as objects (and their mirrors' bytes) in Heapscope.
    assert_eq!(s.objects, m.objects + m.class_dumps);
    assert_eq!(
        s.classes,
        m.class_dumps + 1,
        "the classes, and java.lang.Class"
    );
    assert_eq!(
        s.gc_roots.iter().map(|(k, v)| (*k, *v)).collect::<Vec<_>>(),
        m.gc_roots.iter().map(|(k, v)| (*k, *v)).collect::<Vec<_>>()
    );
    // The layout the generator used: JDK 17, compressed oops and class pointers, packed
    // fields; every class with two adjacent instances matches it.
    assert!(s.compressed_oops);
    assert_eq!(s.size_model.header_bytes, 12);
    assert_eq!(s.size_model.field_layout, "packed");
    // 1 MiB segments.
    assert!(
        s.heap_dump_segments >= m.file_bytes >> 20,
        "{} segments",
        s.heap_dump_segments
    );
    // Per class: the planned instances and live bytes, exactly.
    let mut seen = 0;
    for r in &h.classes {
        if r.name == "java.lang.Class" {
            continue;
        }
        let planned = m.classes.get(&r.name).copied().unwrap_or((0, 0));
        assert_eq!(
            (r.instances, r.shallow_bytes),
            planned,
            "{}: Heapscope vs the generator",
            r.name
        );
        seen += 1;
    }
    assert_eq!(seen, m.classes.len());
    assert_eq!(
        h.total_instances
            - h.classes
                .iter()
                .find(|r| r.name == "java.lang.Class")
                .map_or(0, |r| r.instances),
        m.objects
    );
    // Every object is reachable; every reference resolves (no dangling-reference
    let g = &a.graph;
    assert_eq!(g.unreachable_objects, 0);
    assert_eq!(g.reachable_objects, s.objects);
    // diagnostic above). Heapscope's references: the non-null fields and elements, one
    // from each object to its class, the class objects' (superclass, statics), and one
    // from a thread to each object its frames hold (a local or JNI local root).
    let locals = m.gc_roots["java_frame"] + m.gc_roots["jni_local"];
    assert_eq!(
        g.references,
        m.references + m.objects + m.class_references + locals
    );
    // The Finalizer and Timer diagnosis.
    let f = &a.finalizers;
    assert_eq!(f.finalizers, m.finalizers);
    assert_eq!(f.referents, m.finalizers);
    assert_eq!(f.timers.len(), 1);
    let t = &f.timers[0];
    assert_eq!(t.thread.as_deref(), Some(m.timer_thread.as_str()));
    assert_eq!(
        (t.tasks, t.cancelled_tasks),
        (m.timer_tasks, m.cancelled_tasks)
    );
    assert_eq!(
        t.head_task_class.as_deref(),
        Some("HeapGenerator$KeepAliveTask")
    );
    assert!(!t.head_task_cancelled);
    assert!(
        f.holders
            .iter()
            .any(|h| h.class == "HeapGenerator$PgStatement"
                && h.referents == m.cancelled_tasks
                && h.summary.contains("'PostgreSQL-JDBC-SharedTimer-1'")),
        "{:#?}",
        f.holders
    );
}

#[test]
fn a_seed_gives_the_same_bytes_and_another_seed_others() {
    let (m1, a) = dump(42, 50_000, 1 << 20);
    let (m2, b) = dump(42, 50_000, 1 << 20);
    assert_eq!(m1, m2);
    assert!(a == b, "two runs with seed 42 differ");
    let (_, c) = dump(43, 50_000, 1 << 20);
    assert!(a != c, "seeds 42 and 43 gave the same dump");
    // The segment size changes the framing only.
    let (m3, d) = dump(42, 50_000, 64 << 10);
    assert_eq!(m3.objects, m1.objects);
    assert!(d.len() > a.len());
    let (x, y) = (analyse(&a).1, analyse(&d).1);
    assert_eq!(x.total_instances, y.total_instances);
    assert_eq!(x.total_shallow_bytes, y.total_shallow_bytes);
}

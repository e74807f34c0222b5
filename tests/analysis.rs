//! The analyses on the scenario fixtures, against what the Java program built (its facts
//! file) and the JVM's own histogram.

mod common;
use common::*;
use heapscope::analysis::paths::PathOptions;
use heapscope::format::source::FileSource;
use heapscope::query::{Options, Session, run_in_memory};

fn session(file: &str) -> Session {
    let p = fixture(file);
    let mut s = Session::new(Options::default());
    s.set_source(Box::new(FileSource::open(&p).expect("open")));
    run_in_memory(&mut s, &read(&p), 1 << 20).expect("analysis");
    s
}

fn jvm_count(name: &str, class: &str) -> u64 {
    jvm_histogram(&fixture(&format!("{name}.histo.txt")))
        .get(class)
        .map_or(0, |v| v.0)
}

#[test]
fn finalizer_timer_case_is_diagnosed() {
    let f = facts("timer_finalizer");
    let mut s = session("timer_finalizer.hprof");
    let r = s.finalizers().expect("report");
    // Counts against the JVM's histogram and the program's own numbers.
    assert_eq!(
        r.finalizers,
        jvm_count("timer_finalizer", "java.lang.ref.Finalizer")
    );
    let stmt = f["statement_class"].as_str().expect("class");
    let top = &r.referents_by_class[0];
    assert_eq!(top.name, stmt);
    assert_eq!(top.instances, f["statements"].as_u64().expect("n"));
    assert_eq!(top.instances, jvm_count("timer_finalizer", stmt));
    // Recorded: 1144 B per statement, most of it its 1 KiB buffer.
    assert_eq!(top.retained_bytes, 2_459_600);
    // The top holder: the timer thread → its queue → the task array → the task's field.
    let h = &r.holders[0];
    let classes: Vec<&str> = h.path.iter().map(|s| s.class.as_str()).collect();
    assert_eq!(classes[0], "java.util.TimerThread", "{h:?}");
    assert!(classes.contains(&"java.util.TaskQueue"), "{h:?}");
    assert_eq!(h.path[1].field, "queue");
    assert_eq!(
        h.path.last().map(|s| (s.class.as_str(), s.field.as_str())),
        Some((f["task_class"].as_str().expect("class"), "stmt"))
    );
    assert_eq!(h.referents, f["leaked_statements"].as_u64().expect("n"));
    assert_eq!(h.of, f["statements"].as_u64().expect("n"));
    let thread = f["timer_thread"].as_str().expect("name");
    assert!(
        h.summary.starts_with(&format!(
            "2 000 of 2 150 `{stmt}` are kept alive through `java.util.TimerThread` '{thread}' → `java.util.TaskQueue.queue` → `java.util.TimerTask[]` → `{}.stmt`",
            f["task_class"].as_str().expect("class")
        )),
        "{}",
        h.summary
    );
    assert_eq!(
        h.freed_referents, 2000,
        "no other strong path holds the leaked statements"
    );
    assert_eq!(h.retained_bytes, 2_290_560, "recorded");
    // The statements still in use are held by the static list, not the timer.
    let open = r
        .holders
        .iter()
        .find(|h| h.path[0].field == "static OPEN_STATEMENTS")
        .expect("static holder");
    assert_eq!(open.referents, f["open_statements"].as_u64().expect("n"));
    // Timer diagnosis.
    let t = r
        .timers
        .iter()
        .find(|t| t.thread.as_deref() == Some(thread))
        .expect("the timer");
    assert_eq!(t.tasks, f["timer_tasks"].as_u64().expect("n"));
    assert_eq!(t.cancelled_tasks, f["cancelled_tasks"].as_u64().expect("n"));
    assert_eq!(t.head_task_class.as_deref(), f["head_task_class"].as_str());
    assert!(!t.head_task_cancelled);
    let due = t.head_task_due_in_ms.expect("due") as f64 / 1000.0;
    assert!((2900.0..=3000.0).contains(&due), "head task due in {due} s");
    assert!(t.advice.as_deref().is_some_and(|a| a.contains("purge()")));
    assert_eq!(r.queued, 0);
}

#[test]
fn finalizables_held_by_a_static_map_are_diagnosed_with_that_holder() {
    let f = facts("static_map_finalizer");
    let mut s = session("static_map_finalizer.hprof");
    let r = s.finalizers().expect("report");
    assert_eq!(
        r.finalizers,
        jvm_count("static_map_finalizer", "java.lang.ref.Finalizer")
    );
    let handle = f["finalizable_class"].as_str().expect("class");
    let h = r
        .holders
        .iter()
        .find(|h| h.class == handle)
        .expect("holder");
    assert_eq!(h.referents, f["cached_handles"].as_u64().expect("n"));
    assert_eq!(
        h.path[0].class,
        format!("class {}", f["holder_class"].as_str().expect("class"))
    );
    assert_eq!(
        h.path[0].field,
        format!("static {}", f["holder_field"].as_str().expect("field"))
    );
    assert!(h.path.iter().all(|s| !s.class.contains("Timer")), "{h:?}");
    assert!(r.timers.iter().all(|t| t.cancelled_tasks == 0));
    // The blocked finalizer thread and its queue.
    let queued = f["queued"].as_u64().expect("n");
    assert_eq!(r.queued, queued);
    assert_eq!(r.queue_length, Some(queued));
    assert_eq!(
        r.queued_by_class[0].name,
        f["queued_class"].as_str().expect("class")
    );
    assert_eq!(r.queued_by_class[0].instances, queued);
    assert!(
        r.in_processing
            .iter()
            .any(|o| o.class == f["queued_class"].as_str().expect("class"))
    );
    let ft = &r.finalizer_threads[0];
    assert_eq!(ft.name, "Finalizer");
    assert!(
        ft.frames
            .iter()
            .any(|fr| fr.method.ends_with("TempFile.finalize")),
        "{:?}",
        ft.frames
    );
}

#[test]
fn paths_ignore_weak_links_unless_asked() {
    let mut s = session("static_map_finalizer.hprof");
    let queued = facts("static_map_finalizer")["queued_class"]
        .as_str()
        .expect("class")
        .to_string();
    let strong = s
        .paths_to_class(&queued, &PathOptions::default())
        .expect("paths");
    // 301 TempFiles: the one being finalized is a frame local; the 300 queued ones are
    // reachable only through the finalization queue and their Finalizers.
    assert_eq!(strong.targets, 301);
    assert_eq!(strong.found, 1);
    let weak = s
        .paths_to_class(
            &queued,
            &PathOptions {
                include_weak: true,
                ..PathOptions::default()
            },
        )
        .expect("paths");
    assert_eq!(weak.found, 301);
}

#[test]
fn paths_name_fields_and_roots() {
    let mut s = session("timer_finalizer.hprof");
    let stmt = facts("timer_finalizer")["statement_class"]
        .as_str()
        .expect("class")
        .to_string();
    let tree = s
        .paths_to_class(&stmt, &PathOptions::default())
        .expect("paths");
    assert_eq!(tree.found, 2150);
    // As in MAT, the timer thread holds its frame locals, so the path starts at the
    // thread (a GC root) rather than at the queue its frame holds.
    let top = &tree.roots[0];
    assert_eq!(top.step.object.class, "java.util.TimerThread");
    // A thread object, and a local of its own frame (that frame names the thread).
    assert_eq!(top.step.gc_roots, vec!["java_frame", "thread_object"]);
    assert_eq!(
        top.step.held_by.as_deref(),
        Some("'PostgreSQL-JDBC-SharedTimer-1' at java.util.TimerThread.mainLoop")
    );
    assert_eq!(top.targets, 2000);
    let queue = &top.children[0];
    assert_eq!(
        (
            queue.step.object.class.as_str(),
            queue.step.field.as_deref()
        ),
        ("java.util.TaskQueue", Some("queue"))
    );
    let arr = &queue.children[0];
    assert_eq!(
        (arr.step.object.class.as_str(), arr.step.field.as_deref()),
        ("java.util.TimerTask[]", Some("queue"))
    );
    let task = &arr.children[0];
    assert!(
        task.step
            .field
            .as_deref()
            .is_some_and(|f| f.starts_with('['))
    );
    assert_eq!(task.children[0].step.field.as_deref(), Some("stmt"));
}

#[test]
fn the_inspector_shows_fields_strings_and_referrers() {
    let mut s = session("timer_finalizer.hprof");
    let heap = s.heap().expect("heap");
    let stmt_class = heap.index.classes.by_name("Fixtures$PgStatement")[0];
    let stmt = (0..heap.object_count() as u32)
        .find(|&o| heap.class_of(o) == stmt_class)
        .expect("a statement");
    let id = heap.id_of(stmt);
    let v = s.inspect(id, 50).expect("inspect");
    assert_eq!(v.this.class, "Fixtures$PgStatement");
    assert_eq!(v.kind, "instance");
    let field = |n: &str| v.fields.iter().find(|f| f.name == n).expect(n);
    let n: u64 = field("id").value.parse().expect("int");
    let sql = field("sql")
        .object
        .as_ref()
        .and_then(|o| o.value.clone())
        .expect("string text");
    assert_eq!(sql, format!("SELECT * FROM orders WHERE id = {n}"));
    assert_eq!(
        field("buffer").object.as_ref().map(|o| o.class.as_str()),
        Some("byte[]")
    );
    assert_eq!(
        field("buffer").object.as_ref().map(|o| o.shallow_bytes),
        Some(1040)
    );
    // Referred to by its Finalizer (referent) and, for leaked ones, its cancel task.
    let from: Vec<(&str, &str)> = v
        .referrers
        .iter()
        .map(|r| (r.object.class.as_str(), r.field.as_str()))
        .collect();
    // The first statement is a leaked one (recorded).
    assert_eq!(
        from,
        [
            ("Fixtures$CancelTask", "stmt"),
            ("java.lang.ref.Finalizer", "referent")
        ]
    );
    assert_eq!(v.referrers_total, 2);
    // An array and a class object.
    let buf = s
        .inspect(
            u64::from_str_radix(field("buffer").value.trim_start_matches("0x"), 16).expect("hex"),
            5,
        )
        .expect("array");
    assert_eq!(buf.length, Some(1024));
    assert_eq!(buf.elements.len(), 5);
    let class_id = s.heap().expect("heap").id_of(stmt_class);
    let c = s.inspect(class_id, 5).expect("class");
    assert_eq!(c.kind, "class");
    assert_eq!(c.this.class, "class Fixtures$PgStatement");
}

#[test]
fn threads_show_names_stacks_and_locals() {
    let f = facts("basic");
    let mut s = session("basic.hprof");
    let threads = s.threads(10).expect("threads");
    let w = threads
        .iter()
        .find(|t| t.name == f["worker_thread"].as_str().expect("name"))
        .expect("worker thread");
    assert!(
        w.frames
            .iter()
            .any(|fr| fr.method == "java.lang.Thread.sleep"),
        "{:?}",
        w.frames
    );
    let bytes = f["worker_local_bytes"].as_u64().expect("n");
    let local = w
        .frames
        .iter()
        .flat_map(|fr| &fr.locals)
        .find(|l| l.class == "byte[]" && l.shallow_bytes == bytes + 16)
        .expect("the worker's byte[9000] local");
    assert_eq!(local.retained_bytes, bytes + 16);
    assert!(threads.iter().any(|t| t.name == "main"));
    assert!(threads.iter().any(|t| t.name == "Finalizer"));
}

#[test]
fn suspects_lead_with_the_finalizer_finding() {
    let mut s = session("timer_finalizer.hprof");
    let r = s.suspects().expect("suspects");
    let first = &r.suspects[0];
    assert_eq!(first.kind, "finalizer");
    assert!(
        first.description.contains("java.util.TimerThread"),
        "{}",
        first.description
    );
    assert!(first.heap_share > 0.5);
    let mut s = session("basic.hprof");
    let r = s.suspects().expect("suspects");
    // The fixture's static list holds most of its own objects.
    let keep = r
        .suspects
        .iter()
        .find(|x| x.kind == "object")
        .expect("an object suspect");
    assert_eq!(
        keep.object.as_ref().map(|o| o.class.as_str()),
        Some("class Fixtures")
    );
    assert_eq!(
        keep.accumulation_point.as_ref().map(|o| o.class.as_str()),
        Some("java.lang.Object[]")
    );
}

#[test]
fn reference_statistics_count_each_kind() {
    let mut s = session("basic.hprof");
    let stats = s.reference_stats().expect("stats");
    let kind = |k: &str| stats.iter().find(|x| x.kind == k).expect(k);
    // Recorded: (kind, references, distinct referents); no Finalizers in this fixture.
    let counts: Vec<(&str, u64, u64)> = stats
        .iter()
        .map(|x| (x.kind, x.references, x.referents))
        .collect();
    assert_eq!(
        counts,
        [("soft", 85, 85), ("weak", 242, 224), ("phantom", 18, 2)]
    );
    // Every SoftReference (and subclass instance) of the histogram is counted (the same
    // classifier as the statistics: a consistency check, the figures above are the pin).
    let heap = s.heap().expect("heap");
    let soft_classes = heap
        .index
        .classes
        .subclasses_of_name("java.lang.ref.SoftReference");
    let softs: u64 = soft_classes
        .iter()
        .enumerate()
        .filter(|&(_, &is)| is)
        .map(|(c, _)| heap.index.counts[c].count)
        .sum();
    assert_eq!(kind("soft").references, softs);
}

/// A dump with one static holding the head of a linked list of `n` nodes.
fn chain_dump(n: u64) -> Vec<u8> {
    use heapscope::format::tags::{BasicType, SubTag};
    use heapscope::format::writer::HprofWriter;
    let mut w = HprofWriter::new(8);
    let (obj, node, holder) = (0x100u64, 0x200u64, 0x300u64);
    for (id, s) in [
        (1, "java/lang/Object"),
        (2, "Node"),
        (3, "Holder"),
        (4, "next"),
        (5, "value"),
        (6, "HEAD"),
    ] {
        w.utf8(id, s);
    }
    w.load_class(1, obj, 1)
        .load_class(2, node, 2)
        .load_class(3, holder, 3);
    let first = 0x1000_0000u64;
    w.begin_segment()
        .class_dump(obj, 0, 0, 0, &[], &[])
        .class_dump(
            node,
            obj,
            0,
            16,
            &[],
            &[(4, BasicType::OBJECT), (5, BasicType::INT)],
        )
        .class_dump(holder, obj, 0, 0, &[(6, BasicType::OBJECT, first)], &[])
        .root_simple(SubTag::HPROF_GC_ROOT_STICKY_CLASS, holder);
    for i in 0..n {
        let id = first + i * 24;
        let next = if i + 1 < n { id + 24 } else { 0 };
        let data = w.fields(&[(BasicType::OBJECT, next), (BasicType::INT, i)]);
        w.instance(id, node, &data);
    }
    w.heap_dump_end();
    w.finish()
}

#[test]
fn a_chain_of_a_million_objects_goes_through_every_analysis() {
    let n = 1_000_000u64;
    let bytes = chain_dump(n);
    let mut s = Session::new(Options::default());
    s.set_source(Box::new(bytes.clone()));
    run_in_memory(&mut s, &bytes, 1 << 20).expect("analysis");
    let heap = s.heap().expect("heap");
    let node = heap.index.classes.by_name("Node")[0];
    let size = heap.index.classes.get(node).expect("class").instance_size;
    assert_eq!(
        size, 24,
        "header 12 + reference 4 (compressed: gaps of 24) + int 4 → 24"
    );
    let head = heap.object_by_id(0x1000_0000).expect("head");
    // The head retains every node, and the Node class object, which only its instances
    // refer to (instance → class counts, as in MAT).
    assert_eq!(heap.idom(node), Some(head));
    assert_eq!(heap.retained(head), n * size + heap.shallow(node));
    let tail = heap.object_by_id(0x1000_0000 + (n - 1) * 24).expect("tail");
    assert_eq!(
        heap.idom(tail),
        heap.object_by_id(0x1000_0000 + (n - 2) * 24)
    );
    // The path to the tail is a million hops: it collapses into one node.
    let tree = s
        .paths_to_object(0x1000_0000 + (n - 1) * 24, &PathOptions::default())
        .expect("path");
    assert_eq!(tree.found, 1);
    let holder = &tree.roots[0];
    assert_eq!(holder.step.object.class, "class Holder");
    let head_node = &holder.children[0];
    assert_eq!(head_node.step.field.as_deref(), Some("static HEAD"));
    let rest = &head_node.children[0];
    assert_eq!(rest.step.field.as_deref(), Some("next"));
    assert_eq!(rest.step.repeat as u64, n - 1, "{rest:?}");
    let r = s.suspects().expect("suspects");
    assert_eq!(r.suspects[0].kind, "object");
}

#[test]
fn gzip_dumps_answer_the_same_through_random_access() {
    let plain = read(&fixture("static_map_finalizer.hprof"));
    let gz = gzip(&plain);
    let report = |bytes: Vec<u8>| {
        let mut s = Session::new(Options::default());
        s.set_source(Box::new(bytes.clone()));
        run_in_memory(&mut s, &bytes, 1 << 20).expect("analysis");
        let r = s.finalizers().expect("report");
        serde_json::to_string(&r).expect("json")
    };
    assert_eq!(report(gz), report(plain));
}

#[test]
fn biggest_instances_of_a_class_are_every_instance_by_retained_size() {
    let f = facts("timer_finalizer");
    let stmt = f["statement_class"].as_str().expect("class");
    let mut s = session("timer_finalizer.hprof");
    let (top, total) = s.biggest_instances(stmt, 5).expect("instances");
    assert_eq!(total, jvm_count("timer_finalizer", stmt));
    assert_eq!(top.len(), 5);
    assert!(top.iter().all(|n| n.object.class == stmt));
    assert!(
        top.windows(2)
            .all(|w| w[0].object.retained_bytes >= w[1].object.retained_bytes)
    );
    // Every instance: their retained sizes add up to what the Finalizer report finds for
    // the same objects as referents.
    let (all, _) = s.biggest_instances(stmt, 100_000).expect("instances");
    assert_eq!(all.len() as u64, total);
    let sum: u64 = all.iter().map(|n| n.object.retained_bytes).sum();
    let r = s.finalizers().expect("report");
    assert_eq!(sum, r.referents_by_class[0].retained_bytes);
    assert_eq!(all[0].object.retained_bytes, top[0].object.retained_bytes);
    assert!(
        s.biggest_instances("no.such.Class", 5)
            .expect("none")
            .0
            .is_empty()
    );
}

#[test]
fn progress_names_each_computation_between_passes() {
    let p = fixture("timer_finalizer.hprof");
    let mut s = Session::new(Options::default());
    let seen = std::rc::Rc::new(std::cell::RefCell::new(Vec::<String>::new()));
    let log = seen.clone();
    s.set_progress(Box::new(move |p| {
        log.borrow_mut().push(p.phase.to_string())
    }));
    run_in_memory(&mut s, &read(&p), 1 << 20).expect("analysis");
    let mut phases = seen.borrow().clone();
    phases.dedup();
    assert_eq!(phases, ["reachability", "dominators", "retained sizes"]);
}

#[test]
fn unreachable_objects_are_the_heap_less_the_reachable_heap_by_class() {
    use heapscope::analysis::summary::GraphSummary;
    use heapscope::analysis::unreachable::Unreachable;
    use heapscope::query::{AnalyzeReport, Query};
    let dumps = [
        fixture("timer_finalizer.hprof"),
        fixture("basic.hprof"),
        corpus("sun_jdk6_18_x32.hprof"),
        corpus("openjdk_jdk11_04_x64.hprof.gz"),
    ];
    for p in dumps {
        let mut s = Session::new(Options::default());
        run_in_memory(&mut s, &read(&p), 1 << 20).expect("analysis");
        let u: Unreachable = s
            .ask(&Query::Unreachable { top: None })
            .expect("unreachable");
        let report: AnalyzeReport = s.ask(&Query::Analyze { top: 1 }).expect("analyze");
        let g: GraphSummary = report.graph;
        let what = p.display();
        assert!(
            g.unreachable_objects > 0,
            "{what}: every real dump has some garbage"
        );
        assert_eq!(
            (u.histogram.total_instances, u.histogram.total_shallow_bytes),
            (g.unreachable_objects, g.unreachable_bytes),
            "{what}"
        );
        assert_eq!(
            g.reachable_bytes + u.histogram.total_shallow_bytes,
            report.summary.shallow_bytes,
            "{what}: the heap is the reachable heap plus the unreachable objects"
        );
        // Per class, never more than the histogram has.
        let all = by_name(&s.histogram().expect("histogram"));
        for r in &u.histogram.classes {
            let (n, b) = all.get(&r.name).copied().unwrap_or_default();
            assert!(
                r.instances <= n && r.shallow_bytes <= b,
                "{what}: {}",
                r.name
            );
        }
    }
}

/// "Finalizers and their referents retain": each object once, by walking every member's
/// dominator chain (a member under another member adds nothing), and never the sum of the
/// two retained figures when a Finalizer dominates its referent (the queued ones do).
#[test]
fn finalizers_and_referents_together_count_each_object_once() {
    for (name, overlap) in [
        ("timer_finalizer", 0u64),
        // The 300 queued TempFiles: each referent only its Finalizer (in the queue) holds.
        ("static_map_finalizer", 48_000),
    ] {
        let mut s = session(&format!("{name}.hprof"));
        let r = s.finalizers().expect("report");
        let heap = s.heap().expect("heap");
        let finalizer = *heap
            .index
            .classes
            .by_name("java.lang.ref.Finalizer")
            .first()
            .expect("class");
        let finalizers = heap.instances_of(&[finalizer]);
        // Referents, independently of the report: what a Finalizer refers to, apart from
        // other Finalizers (the list), java.lang.ref objects (the queue, its lock) and the
        // class object.
        let mut members: std::collections::HashSet<u32> = finalizers.iter().copied().collect();
        for x in 0..heap.object_count() as u32 {
            if heap.class_of(x) != finalizer
                && !heap.describe_class(x).starts_with("java.lang.ref.")
                && !heap.describe_class(x).starts_with("class ")
                && heap
                    .referrers(x)
                    .iter()
                    .any(|&f| heap.class_of(f) == finalizer)
            {
                members.insert(x);
            }
        }
        let classes: std::collections::BTreeMap<String, usize> =
            members.iter().fold(Default::default(), |mut m, &x| {
                *m.entry(heap.describe_class(x)).or_default() += 1;
                m
            });
        assert_eq!(
            members.len() as u64,
            r.finalizers + r.referents,
            "{name}: {classes:?}"
        );
        let expected: u64 = members
            .iter()
            .filter(|&&m| {
                let mut d = heap.idom(m);
                while let Some(x) = d {
                    if members.contains(&x) {
                        return false;
                    }
                    d = heap.idom(x);
                }
                true
            })
            .map(|&m| heap.retained(m))
            .sum();
        assert_eq!(r.together_retained_bytes, expected, "{name}");
        assert_eq!(
            r.retained_bytes + r.referents_retained_bytes - r.together_retained_bytes,
            overlap,
            "{name}: what the two retained figures count twice"
        );
    }
}

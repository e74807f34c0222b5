//! Sets of objects against their definitions on real dumps: the retained set of some
//! objects (what becomes unreachable when they all go), their immediate dominators by
//! class, and the class page's figures against the histogram and the fixtures' programs.

mod common;
use common::*;
use heapscope::analysis::class::{ClassReport, objects_of};
use heapscope::analysis::immediate_dominators::{GC_ROOTS, ImmediateDominators, glob};
use heapscope::analysis::retained_set::RetainedSetReport;
use heapscope::graph::Heap;
use heapscope::graph::refs::forward_graph;
use heapscope::graph::retained::{RetainedSet, retained_set, retained_set_by_marking};
use heapscope::model::csr::Csr;
use heapscope::model::index_bytes;
use heapscope::query::{ObjectId, Options, Query, Session, run_in_memory};
use std::collections::HashMap;

fn session(bytes: &[u8]) -> Session {
    let mut s = Session::new(Options::default());
    run_in_memory(&mut s, bytes, 1 << 20).expect("analysis");
    s
}

/// The complete forward graph (instances' references to root classes included, which the
/// session's graphs leave out) and the dominator roots, built independently of the session.
fn forward(bytes: &[u8]) -> (Csr, Vec<u32>) {
    let index = index_bytes(bytes, true).expect("index");
    let roots = heapscope::model::roots::resolve(&index, &mut Default::default());
    let (fwd, _) = forward_graph(bytes, &index, &roots, false).expect("pass");
    (fwd, roots.dominator_roots)
}

/// The objects reachable from `roots` without entering one of `removed`.
fn reach(fwd: &Csr, roots: &[u32], removed: &[bool]) -> Vec<bool> {
    let mut seen = vec![false; fwd.nodes()];
    let mut stack = Vec::new();
    for &r in roots {
        if !removed[r as usize] && !seen[r as usize] {
            seen[r as usize] = true;
            stack.push(r);
        }
    }
    while let Some(x) = stack.pop() {
        fwd.for_each(x, |t| {
            if !removed[t as usize] && !seen[t as usize] {
                seen[t as usize] = true;
                stack.push(t);
            }
        });
    }
    seen
}

/// By definition: the objects reachable, and not reachable once `objects` are removed.
fn brute_retained(fwd: &Csr, roots: &[u32], all: &[bool], objects: &[u32]) -> Vec<u32> {
    let mut removed = vec![false; fwd.nodes()];
    for &o in objects {
        removed[o as usize] = true;
    }
    let without = reach(fwd, roots, &removed);
    (0..fwd.nodes() as u32)
        .filter(|&x| all[x as usize] && !without[x as usize])
        .collect()
}

fn assert_same_set(heap: &Heap, set: &RetainedSet, expected: &[u32], what: &str) {
    let bytes: u64 = expected.iter().map(|&x| heap.shallow(x)).sum();
    assert_eq!(
        (set.objects, set.bytes),
        (expected.len() as u64, bytes),
        "{what}: objects and bytes"
    );
    for &x in expected {
        assert!(
            set.contains(heap, x),
            "{what}: {} {:#x} missing",
            heap.describe_class(x),
            heap.id_of(x)
        );
    }
    // Same count and every expected member in: the same set.
    assert_eq!(set.iter(heap).count() as u64, set.objects, "{what}: iter");
}

/// Every class with instances (or the `limit` with most instances), largest first.
fn classes_by_instances(heap: &Heap, limit: usize) -> Vec<u32> {
    let mut v: Vec<(u64, u32)> = heap
        .index
        .counts
        .iter()
        .enumerate()
        .filter(|(_, k)| k.count > 0)
        .map(|(c, k)| (k.count, c as u32))
        .collect();
    v.sort_by(|a, b| b.cmp(a));
    v.into_iter().take(limit).map(|(_, c)| c).collect()
}

/// The retained set of single objects and of whole classes against brute force on the
/// complete graph; a class's set is at least the histogram's retained column. Returns
/// how many classes retain more than that column (objects their instances share).
fn check_retained_sets(name: &str, bytes: &[u8], classes: usize, samples: usize) -> usize {
    let s = session(bytes);
    let heap = s.heap().expect("heap");
    let (fwd, roots) = forward(bytes);
    let all = reach(&fwd, &roots, &vec![false; fwd.nodes()]);
    // Single objects: the marking gives the dominator subtree, whose bytes are the
    // object's retained size; the sweep used for one object gives the same set.
    let mut reachable: Vec<u32> = (0..heap.object_count() as u32)
        .filter(|&x| heap.pre(x).is_some())
        .collect();
    reachable.sort_by_key(|&x| std::cmp::Reverse(heap.retained(x)));
    let step = (reachable.len() / samples).max(1);
    let picks: Vec<u32> = reachable
        .iter()
        .take(20)
        .chain(reachable.iter().step_by(step))
        .copied()
        .collect();
    for &x in &picks {
        let marked = retained_set_by_marking(heap, &[x]);
        let swept = retained_set(heap, &[x]);
        let what = format!("{name}: {} {:#x}", heap.describe_class(x), heap.id_of(x));
        assert_eq!(marked.bytes, heap.retained(x), "{what}: retained size");
        assert_eq!(marked.minimum_bytes, heap.retained(x), "{what}: minimum");
        let members: Vec<u32> = swept.iter(heap).collect();
        assert_same_set(heap, &marked, &members, &what);
    }
    // Classes: "remove every instance, count what becomes unreachable".
    let mut more = 0;
    let picked = classes_by_instances(heap, classes);
    for &c in &picked {
        let objects = objects_of(heap, &[c]);
        let set = retained_set(heap, &objects);
        let what = format!("{name}: class {}", heap.index.classes.name(c));
        let expected = brute_retained(&fwd, &roots, &all, &objects);
        assert_same_set(heap, &set, &expected, &what);
        let column = heap.class_retained[c as usize];
        assert_eq!(set.minimum_bytes, column, "{what}: the histogram's column");
        assert!(set.bytes >= column, "{what}: precise below the minimum");
        more += usize::from(set.bytes > column);
    }
    eprintln!(
        "{name}: {} objects and {} classes against brute force; {more} classes retain more than the histogram's column",
        picks.len(),
        picked.len()
    );
    more
}

#[test]
fn retained_sets_match_brute_force_on_fixtures() {
    // Every class of the Timer fixture.
    let more = check_retained_sets(
        "timer_finalizer",
        &read(&fixture("timer_finalizer.hprof")),
        usize::MAX,
        100,
    );
    assert!(
        more > 0,
        "some class's instances share what they hold (the precise size exceeds the minimum)"
    );
    check_retained_sets("basic", &read(&fixture("basic.hprof")), 60, 100);
}

#[test]
fn retained_sets_match_brute_force_on_corpus() {
    check_retained_sets("hprof-64", &read(&corpus("hprof-64.bin")), 40, 60);
    check_retained_sets(
        "sun_jdk6_18_x32",
        &read(&corpus("sun_jdk6_18_x32.hprof")),
        40,
        60,
    );
}

/// Root classes among the given objects: `java.lang.Class` (every class object, most of
/// them GC roots whose instances' references the graphs leave out) and one system class.
#[test]
fn retained_sets_with_root_classes_given() {
    for p in [
        fixture("timer_finalizer.hprof"),
        corpus("openjdk_jdk11_04_x64.hprof.gz"),
    ] {
        let bytes = {
            let raw = read(&p);
            if p.extension().is_some_and(|e| e == "gz") {
                let mut out = Vec::new();
                use std::io::Read;
                flate2::read::MultiGzDecoder::new(&raw[..])
                    .read_to_end(&mut out)
                    .expect("gunzip");
                out
            } else {
                raw
            }
        };
        let s = session(&bytes);
        let heap = s.heap().expect("heap");
        let (fwd, roots) = forward(&bytes);
        let all = reach(&fwd, &roots, &vec![false; fwd.nodes()]);
        let what = p.display().to_string();
        let jlc = heap.index.classes.by_name("java.lang.Class").to_vec();
        let mirrors = objects_of(heap, &jlc);
        assert!(
            mirrors.len() as u32 >= heap.index.classes.object_count,
            "{what}: java.lang.Class selects every class object"
        );
        let set = retained_set(heap, &mirrors);
        assert_same_set(
            heap,
            &set,
            &brute_retained(&fwd, &roots, &all, &mirrors),
            &format!("{what}: java.lang.Class"),
        );
        // One root class with instances, alone and with its instances.
        let system = heap.index.classes.by_name("java.lang.String")[0];
        assert!(
            roots.contains(&system),
            "{what}: String's class is a GC root"
        );
        let alone = retained_set(heap, &[system]);
        assert_eq!(alone.bytes, heap.retained(system), "{what}: class String");
        let mut with = objects_of(heap, &[system]);
        with.push(system);
        with.sort_unstable();
        assert_same_set(
            heap,
            &retained_set(heap, &with),
            &brute_retained(&fwd, &roots, &all, &with),
            &format!("{what}: class String and its instances"),
        );
    }
}

#[test]
fn retained_set_query_on_the_timer_fixture() {
    let mut s = session(&read(&fixture("timer_finalizer.hprof")));
    let f = facts("timer_finalizer");
    let stmt = f["statement_class"].as_str().expect("class");
    let r: RetainedSetReport = s
        .ask(&Query::RetainedSet {
            object: None,
            class: Some(stmt.into()),
            top: None,
        })
        .expect("retained set");
    let n = f["statements"].as_u64().expect("n");
    assert_eq!((r.objects, r.unreachable_objects), (n, 0));
    // Each statement holds its SQL String (and the String's byte[]) and a byte[] buffer,
    // and nothing else holds them: 4 objects per statement, as the program built them.
    let rows: HashMap<&str, (u64, u64)> = r
        .classes
        .iter()
        .map(|c| (c.name.as_str(), (c.instances, c.shallow_bytes)))
        .collect();
    assert_eq!(rows[stmt].0, n);
    assert_eq!(rows["java.lang.String"].0, n);
    assert_eq!(rows["byte[]"].0, 2 * n);
    assert_eq!(r.retained_objects, 4 * n);
    assert_eq!(
        r.classes.iter().map(|c| c.shallow_bytes).sum::<u64>(),
        r.retained_bytes
    );
    // The JVM's size of the statements themselves.
    let (jvm_n, jvm_bytes) = jvm_histogram(&fixture("timer_finalizer.histo.txt"))[stmt];
    assert_eq!(rows[stmt], (jvm_n, jvm_bytes));
    // One object: its retained size.
    let heap = s.heap().expect("heap");
    let one = heap.index.classes.by_name(stmt)[0];
    let x = objects_of(heap, &[one])[0];
    let (id, retained) = (heap.id_of(x), heap.retained(x));
    let r: RetainedSetReport = s
        .ask(&Query::RetainedSet {
            object: Some(ObjectId(id)),
            class: None,
            top: Some(1),
        })
        .expect("retained set");
    assert_eq!((r.objects, r.retained_objects), (1, 4));
    assert_eq!(r.retained_bytes, retained);
    assert_eq!(r.minimum_retained_bytes, retained);
    assert_eq!((r.classes.len(), r.total_classes), (1, 3));
    // A class the dump lacks: nothing given, nothing retained.
    let r: RetainedSetReport = s
        .ask(&Query::RetainedSet {
            object: None,
            class: Some("no.such.Class".into()),
            top: None,
        })
        .expect("retained set");
    assert_eq!((r.objects, r.retained_objects, r.retained_bytes), (0, 0, 0));
}

/// Immediate dominators by class, computed again from `idom` alone (the walk past skipped
/// classes one step at a time, without the analysis' cache): (class name or `<GC roots>`)
/// → (distinct dominators, objects, what they retain together: the retained sizes of those
/// with no other dominator of their class above them, found by walking `idom` to the top).
fn brute_dominators(
    heap: &Heap,
    objects: &[u32],
    skip: &[String],
) -> HashMap<String, (u64, u64, u64)> {
    let mut doms: HashMap<String, (std::collections::HashSet<u32>, u64)> = HashMap::new();
    for &o in objects {
        if heap.pre(o).is_none() {
            continue;
        }
        let mut d = heap.idom(o);
        while let Some(x) = d
            && skip
                .iter()
                .any(|p| glob(p, heap.index.classes.name(heap.class_of(x))))
        {
            d = heap.idom(x);
        }
        let key = d.map_or(GC_ROOTS.to_string(), |x| {
            heap.index.classes.name(heap.class_of(x)).to_string()
        });
        let e = doms.entry(key).or_default();
        if let Some(x) = d {
            e.0.insert(x);
        }
        e.1 += 1;
    }
    doms.into_iter()
        .map(|(k, (set, n))| {
            let together = set
                .iter()
                .filter(|&&d| {
                    let c = heap.class_of(d);
                    let mut up = heap.idom(d);
                    while let Some(u) = up {
                        if heap.class_of(u) == c && set.contains(&u) {
                            return false;
                        }
                        up = heap.idom(u);
                    }
                    true
                })
                .map(|&d| heap.retained(d))
                .sum();
            (k, (set.len() as u64, n, together))
        })
        .collect()
}

fn check_immediate_dominators(name: &str, bytes: &[u8], classes: usize) {
    let mut s = session(bytes);
    let picks: Vec<(String, u64)> = {
        let heap = s.heap().expect("heap");
        classes_by_instances(heap, classes)
            .into_iter()
            .map(|c| {
                let name = heap.index.classes.name(c).to_string();
                let n = objects_of(heap, heap.index.classes.by_name(&name)).len() as u64;
                (name, n)
            })
            .collect()
    };
    let jdk = vec!["java.*".to_string(), "javax.*".to_string(), "sun.*".into()];
    for (class, n) in picks {
        for skip in [Vec::new(), jdk.clone()] {
            let d: ImmediateDominators = s
                .ask(&Query::ImmediateDominators {
                    object: None,
                    class: Some(class.clone()),
                    skip: skip.clone(),
                    top: 3,
                })
                .expect("immediate dominators");
            let what = format!("{name}: {class} skipping {skip:?}");
            assert_eq!(d.objects, n, "{what}: the given objects");
            assert_eq!(
                d.rows.iter().map(|r| r.objects).sum::<u64>() + d.unreachable_objects,
                n,
                "{what}: rows add up to the given objects"
            );
            let heap = s.heap().expect("heap");
            let objects = objects_of(heap, heap.index.classes.by_name(&class));
            let expected = brute_dominators(heap, &objects, &skip);
            // Same-named dominator classes (several loaders) are rows of their own: sum.
            let mut got: HashMap<String, (u64, u64, u64)> = HashMap::new();
            for r in &d.rows {
                let e = got.entry(r.class.clone()).or_default();
                e.0 += r.dominators;
                e.1 += r.objects;
                e.2 += r.retained_bytes;
                assert!(r.top.len() <= 3 && r.top.len() as u64 + r.more == r.dominators);
                assert!(
                    r.top
                        .windows(2)
                        .all(|w| w[0].object.retained_bytes >= w[1].object.retained_bytes),
                    "{what}: top dominators largest first"
                );
                // The largest dominator of a row has no other of the row above it.
                assert!(
                    r.top
                        .first()
                        .is_none_or(|o| r.retained_bytes >= o.object.retained_bytes),
                    "{what}: a row's retained bytes include its largest dominator's"
                );
                if !r.gc_roots {
                    assert!(
                        !skip.iter().any(|p| glob(p, &r.class)),
                        "{what}: a skipped class in a row"
                    );
                }
            }
            assert_eq!(got, expected, "{what}");
            assert!(
                d.rows
                    .windows(2)
                    .all(|w| w[1].gc_roots || w[0].retained_bytes >= w[1].retained_bytes),
                "{what}: rows largest retained first, the GC roots last"
            );
        }
    }
}

#[test]
fn immediate_dominators_match_idom_on_fixtures_and_corpus() {
    check_immediate_dominators(
        "timer_finalizer",
        &read(&fixture("timer_finalizer.hprof")),
        40,
    );
    check_immediate_dominators(
        "sun_jdk6_18_x32",
        &read(&corpus("sun_jdk6_18_x32.hprof")),
        30,
    );
}

#[test]
fn immediate_dominators_on_the_timer_fixture() {
    let mut s = session(&read(&fixture("timer_finalizer.hprof")));
    let f = facts("timer_finalizer");
    let ask = |s: &mut Session, class: &str, skip: &[&str]| -> ImmediateDominators {
        s.ask(&Query::ImmediateDominators {
            object: None,
            class: Some(class.into()),
            skip: skip.iter().map(|p| p.to_string()).collect(),
            top: 10,
        })
        .expect("immediate dominators")
    };
    // The cancelled tasks: each held by the Timer's queue array, one object.
    let tasks = f["task_class"].as_str().expect("class");
    let cancelled = f["cancelled_tasks"].as_u64().expect("n");
    let d = ask(&mut s, tasks, &[]);
    assert_eq!(d.rows.len(), 1, "{:?}", d.rows);
    let row = &d.rows[0];
    assert_eq!(row.class, "java.util.TimerTask[]");
    assert_eq!((row.dominators, row.objects), (1, cancelled));
    assert_eq!(row.top[0].objects, cancelled);
    // Skipping the JDK: the array, the queue and the timer thread are all java.*; the
    // thread is a GC root, so no application object keeps the tasks alive.
    let d = ask(&mut s, tasks, &["java.*"]);
    assert_eq!(d.rows.len(), 1);
    assert!(d.rows[0].gc_roots && d.rows[0].class == GC_ROOTS);
    assert_eq!(d.rows[0].objects, cancelled);
    // The statements: each is also the referent of its java.lang.ref.Finalizer (every
    // reference counts, as in MAT), so the cancelled task (or the open list's array) is
    // not their dominator: no single object is.
    let stmt = f["statement_class"].as_str().expect("class");
    let n = f["statements"].as_u64().expect("n");
    let d = ask(&mut s, stmt, &[]);
    assert_eq!(d.rows.len(), 1);
    assert!(d.rows[0].gc_roots);
    assert_eq!(d.rows[0].objects, n);
    {
        let heap = s.heap().expect("heap");
        let c = heap.index.classes.by_name(stmt).to_vec();
        for x in objects_of(heap, &c) {
            let held: Vec<String> = heap
                .referrers(x)
                .into_iter()
                .map(|r| heap.describe_class(r))
                .collect();
            assert!(
                held.iter().any(|c| c == "java.lang.ref.Finalizer"),
                "{held:?}"
            );
            assert!(
                held.iter().any(|c| c == tasks || c == "java.lang.Object[]"),
                "{held:?}"
            );
        }
    }
    // Their buffers: each statement immediately dominates its byte[] buffer.
    let d = ask(&mut s, "byte[]", &[]);
    let row = d
        .rows
        .iter()
        .find(|r| r.class == stmt)
        .expect("a statement row");
    assert_eq!((row.dominators, row.objects), (n, n));
    // One object: its dominator.
    let heap = s.heap().expect("heap");
    let task = objects_of(heap, heap.index.classes.by_name(tasks))[0];
    let array = heap.idom(task).expect("dominated");
    let id = heap.id_of(task);
    let array_id = heap.id_of(array);
    let d: ImmediateDominators = s
        .ask(&Query::ImmediateDominators {
            object: Some(ObjectId(id)),
            class: None,
            skip: Vec::new(),
            top: 10,
        })
        .expect("immediate dominators");
    assert_eq!(d.objects, 1);
    assert_eq!(d.rows[0].top[0].object.object, format!("{array_id:#x}"));
}

#[test]
fn class_page_on_the_timer_fixture() {
    let mut s = session(&read(&fixture("timer_finalizer.hprof")));
    let f = facts("timer_finalizer");
    let histogram = {
        use common::Ask;
        s.histogram().expect("histogram")
    };
    let page = |s: &mut Session, name: &str| -> ClassReport {
        s.ask(&Query::Class { name: name.into() }).expect("class")
    };
    // Every class of the histogram: the same instances, shallow and retained bytes.
    for row in histogram.classes.iter().take(60) {
        let r = page(&mut s, &row.name);
        let c = r
            .classes
            .iter()
            .find(|c| c.instances == row.instances && c.shallow_bytes == row.shallow_bytes)
            .unwrap_or_else(|| panic!("{}: no class with the histogram's figures", row.name));
        assert_eq!(Some(c.retained_bytes), row.retained_bytes, "{}", row.name);
    }
    let tasks = f["task_class"].as_str().expect("class");
    let r = page(&mut s, tasks);
    assert_eq!(r.classes.len(), 1);
    let c = &r.classes[0];
    assert_eq!(c.instances, f["cancelled_tasks"].as_u64().expect("n"));
    let chain: Vec<&str> = c.superclasses.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(chain, ["java.util.TimerTask", "java.lang.Object"]);
    assert_eq!(c.kind, "instance");
    let loader = c.class_loader.as_ref().expect("the application's loader");
    assert!(loader.class.contains("AppClassLoader"), "{}", loader.class);
    // The superclass: both task classes, with the program's counts; the bootstrap loader.
    let r = page(&mut s, "java.util.TimerTask");
    let c = &r.classes[0];
    assert!(c.class_loader.is_none());
    let subs: HashMap<&str, u64> = c
        .subclasses
        .iter()
        .map(|s| (s.class.name.as_str(), s.instances))
        .collect();
    assert_eq!(subs[tasks], f["cancelled_tasks"].as_u64().expect("n"));
    assert_eq!(subs[f["head_task_class"].as_str().expect("class")], 1);
    let statics: Vec<&str> = c.statics.iter().map(|s| s.name.as_str()).collect();
    for k in ["VIRGIN", "SCHEDULED", "EXECUTED", "CANCELLED"] {
        assert!(statics.contains(&k), "{statics:?}");
    }
    // The program's class: its static list of open statements, with its object.
    let r = page(&mut s, "Fixtures");
    let open = r.classes[0]
        .statics
        .iter()
        .find(|s| s.name == "OPEN_STATEMENTS")
        .expect("the static list");
    assert_eq!(
        open.object.as_ref().expect("an object").class,
        "java.util.ArrayList"
    );
    // No such class: an empty page.
    assert!(page(&mut s, "no.such.Class").classes.is_empty());
}

/// Two classes named `Plugin`, each defined by a class loader of its own, with 3 and 2
/// instances held by JNI global roots.
fn two_loaders_dump() -> Vec<u8> {
    use heapscope::format::tags::{BasicType, SubTag};
    use heapscope::format::writer::HprofWriter;
    let mut w = HprofWriter::new(8);
    for (id, s) in [
        (1, "java/lang/Object"),
        (2, "Loader"),
        (3, "Plugin"),
        (4, "n"),
    ] {
        w.utf8(id, s);
    }
    let (obj, loader, plugin_a, plugin_b) = (0x100u64, 0x110u64, 0x200u64, 0x300u64);
    let (la, lb) = (0x5000u64, 0x5100u64);
    w.load_class(1, obj, 1)
        .load_class(2, loader, 2)
        .load_class(3, plugin_a, 3)
        .load_class(4, plugin_b, 3);
    w.begin_segment()
        .class_dump(obj, 0, 0, 0, &[], &[])
        .class_dump(loader, obj, 0, 0, &[], &[])
        .class_dump(plugin_a, obj, la, 4, &[], &[(4, BasicType::INT)])
        .class_dump(plugin_b, obj, lb, 4, &[], &[(4, BasicType::INT)]);
    for c in [obj, loader, plugin_a, plugin_b] {
        w.root_simple(SubTag::HPROF_GC_ROOT_STICKY_CLASS, c);
    }
    w.instance(la, loader, &[]).instance(lb, loader, &[]);
    w.root_jni_global(la, 1).root_jni_global(lb, 2);
    for (i, class) in [plugin_a, plugin_a, plugin_a, plugin_b, plugin_b]
        .into_iter()
        .enumerate()
    {
        let id = 0x6000 + 16 * i as u64;
        let data = w.fields(&[(BasicType::INT, i as u64)]);
        w.instance(id, class, &data)
            .root_jni_global(id, 10 + i as u64);
    }
    w.heap_dump_end();
    w.finish()
}

/// Several classes of one name (several loaders): one entry each on the class page; the
/// set queries take every instance of the name.
#[test]
fn classes_of_one_name_from_two_loaders() {
    let mut s = session(&two_loaders_dump());
    let r: ClassReport = s
        .ask(&Query::Class {
            name: "Plugin".into(),
        })
        .expect("class");
    let got: Vec<(u64, String)> = r
        .classes
        .iter()
        .map(|c| {
            (
                c.instances,
                c.class_loader.as_ref().expect("a loader").object.clone(),
            )
        })
        .collect();
    assert_eq!(got, [(3, "0x5000".to_string()), (2, "0x5100".to_string())]);
    assert!(
        r.classes
            .iter()
            .all(|c| c.class_loader.as_ref().is_some_and(|l| l.class == "Loader"))
    );
    let sizes: Vec<u64> = r.classes.iter().map(|c| c.shallow_bytes).collect();
    let d: ImmediateDominators = s
        .ask(&Query::ImmediateDominators {
            object: None,
            class: Some("Plugin".into()),
            skip: Vec::new(),
            top: 10,
        })
        .expect("immediate dominators");
    assert_eq!(d.objects, 5);
    assert_eq!(d.rows.len(), 1);
    assert!(d.rows[0].gc_roots);
    let rs: RetainedSetReport = s
        .ask(&Query::RetainedSet {
            object: None,
            class: Some("Plugin".into()),
            top: None,
        })
        .expect("retained set");
    assert_eq!(rs.retained_objects, 5);
    assert_eq!(rs.retained_bytes, sizes.iter().sum::<u64>());
    assert_eq!(rs.classes.len(), 2, "two rows named Plugin");
}

/// On the page the retained set's forward graph adds to the analysis' memory: above the
/// limit the query is refused (one object needs no forward graph and is answered).
#[test]
fn a_retained_set_beyond_the_memory_limit_is_refused() {
    let bytes = read(&fixture("timer_finalizer.hprof"));
    let plan = session(&bytes).plan().expect("plan");
    let mut s = Session::new(Options {
        histogram_only: false,
        memory_limit: Some(plan.peak_bytes + 1024),
    });
    run_in_memory(&mut s, &bytes, 1 << 20).expect("analysis");
    assert!(s.heap().is_some(), "the analysis itself fits");
    let class = Query::RetainedSet {
        object: None,
        class: Some("Fixtures$PgStatement".into()),
        top: None,
    };
    let e = s.query(&class).expect_err("refused");
    assert_eq!(e.code(), "refused", "{e}");
    assert!(e.to_string().contains("heapscope retained-set"), "{e}");
    let one = Query::RetainedSet {
        object: Some(ObjectId(0xfd9694e8)),
        class: None,
        top: None,
    };
    let r: RetainedSetReport = s.ask(&one).expect("one object");
    assert_eq!(r.retained_objects, 4);
    // With room for it, the same question is answered.
    let mut s = Session::new(Options {
        histogram_only: false,
        memory_limit: Some(plan.peak_bytes + (64 << 20)),
    });
    run_in_memory(&mut s, &bytes, 1 << 20).expect("analysis");
    let r: RetainedSetReport = s.ask(&class).expect("answered");
    assert_eq!(r.objects, 2150);
}

//! `classloaders` against what the collections fixture's program built (a plugin class in
//! two loaders, v1 leaked through `Fixtures$EventBus.LISTENERS`), and against brute force:
//! each loader's classes and instances from the class table, and its defined retained size
//! from the definition (walking up each object's dominators).

mod common;
use common::*;
use heapscope::analysis::class_loaders::ClassLoaders;
use heapscope::analysis::summary::Summary;
use heapscope::graph::Heap;
use heapscope::query::{Options, Query, Session, run_in_memory};
use std::collections::HashMap;
use std::path::PathBuf;

fn session(p: &PathBuf) -> Session {
    let bytes = read(p);
    let mut s = Session::new(Options::default());
    s.set_source(Box::new(bytes.clone()));
    run_in_memory(&mut s, &bytes, 1 << 20).expect("analysis");
    s
}

/// The loader ID of the class (or class object's class) an object belongs to.
fn loader_of(heap: &Heap, x: u32) -> u64 {
    let c = if x < heap.index.classes.object_count {
        x
    } else {
        heap.class_of(x)
    };
    heap.index.classes.get(c).map_or(u64::MAX, |i| i.loader_id)
}

/// Per loader ID: classes, instances, and the retained sizes of its objects that no other
/// of its objects dominates (walking each object's dominator chain).
fn brute_force(heap: &Heap) -> HashMap<u64, (u64, u64, u64)> {
    let mut out: HashMap<u64, (u64, u64, u64)> = HashMap::new();
    for (c, info) in heap.index.classes.classes.iter().enumerate() {
        if info.dumped {
            let e = out.entry(info.loader_id).or_default();
            e.0 += 1;
            e.1 += heap.index.counts.get(c).map_or(0, |k| k.count);
        }
    }
    for x in 0..heap.object_count() as u32 {
        if heap.pre(x).is_none() {
            continue;
        }
        let l = loader_of(heap, x);
        let mut up = heap.idom(x);
        let mut top = true;
        while let Some(d) = up {
            if loader_of(heap, d) == l {
                top = false;
                break;
            }
            up = heap.idom(d);
        }
        if top {
            out.entry(l).or_default().2 += heap.retained(x);
        }
    }
    out
}

fn check(p: PathBuf) -> ClassLoaders {
    let what = p.display().to_string();
    let mut s = session(&p);
    let r: ClassLoaders = s.ask(&Query::ClassLoaders {}).expect("class loaders");
    let summary: Summary = s.ask(&Query::Summary {}).expect("summary");
    let heap = s.heap().expect("ready");
    let b = brute_force(heap);
    // Every object is an instance of a class some loader defines.
    assert_eq!(
        r.loaders.iter().map(|l| l.instances).sum::<u64>(),
        summary.objects,
        "{what}: instances of every loader's classes"
    );
    assert_eq!(
        r.loaders.iter().map(|l| l.classes).sum::<u64>(),
        r.classes,
        "{what}"
    );
    let bootstrap: Vec<_> = r.loaders.iter().filter(|l| l.loader.is_none()).collect();
    assert_eq!(bootstrap.len(), 1, "{what}: one bootstrap row");
    assert!(bootstrap[0].classes > 100, "{what}: the JDK's classes");
    for l in &r.loaders {
        let id = l
            .loader
            .as_ref()
            .map_or(0, |o| u64::from_str_radix(&o.object[2..], 16).expect("hex"));
        let (classes, instances, defined) = b.get(&id).copied().unwrap_or_default();
        assert_eq!(
            (l.classes, l.instances, l.defined_retained_bytes),
            (classes, instances, defined),
            "{what}: loader {:?}",
            l.loader
        );
    }
    // Every loader brute force finds is a row.
    assert!(b.keys().all(|&id| r.loaders.iter().any(|l| {
        l.loader
            .as_ref()
            .map_or(0, |o| u64::from_str_radix(&o.object[2..], 16).expect("hex"))
            == id
    })));
    r
}

#[test]
fn loaders_agree_with_brute_force() {
    for p in [
        fixture("collections.hprof"),
        fixture("timer_finalizer.hprof"),
        corpus("sun_jdk6_18_x32.hprof"),
        corpus("oracle_jdk8_05_x64.hprof"),
    ] {
        check(p);
    }
}

#[test]
fn the_plugin_class_of_two_loaders_and_the_leaked_copy() {
    let f = &facts("collections")["plugin"];
    let r = check(fixture("collections.hprof"));
    let class = f["class"].as_str().expect("class");
    let loader_class = f["loader_class"].as_str().expect("loader class");
    // Its two loaders: rows of their own, named, with the classes and instances they define.
    for (name, n) in f["instances_per_loader"].as_object().expect("map") {
        let l = r
            .loaders
            .iter()
            .find(|l| l.name.as_deref() == Some(name.as_str()))
            .unwrap_or_else(|| panic!("loader {name}"));
        assert_eq!(l.loader.as_ref().expect("object").class, loader_class);
        assert_eq!(l.classes, 1, "{name}");
        assert_eq!(l.instances, n.as_u64().expect("n"), "{name}");
        assert!(l.defined_retained_bytes > 0, "{name}");
    }
    // The duplicate classes: only the plugin class, in both loaders.
    assert_eq!(r.duplicate_classes.len(), 1, "{:?}", r.duplicate_classes);
    let d = &r.duplicate_classes[0];
    assert_eq!(d.name, class);
    assert_eq!(
        d.copies.len() as u64,
        f["classes_named_so"].as_u64().expect("n")
    );
    let copy = |loader: &str| {
        d.copies
            .iter()
            .find(|c| c.loader_name.as_deref() == Some(loader))
            .unwrap_or_else(|| panic!("copy of {loader}"))
    };
    let undeployed = copy(f["undeployed_loader"].as_str().expect("v1"));
    let deployed = copy(f["deployed_loader"].as_str().expect("v2"));
    assert_eq!(undeployed.instances, f["instances_per_loader"]["plugin-v1"]);
    assert_eq!(deployed.instances, f["instances_per_loader"]["plugin-v2"]);
    // The leak: v1's class is kept alive through EventBus.LISTENERS and its one instance.
    let steps = |c: &heapscope::analysis::class_loaders::ClassCopy| {
        c.path
            .iter()
            .map(|s| (s.object.class.clone(), s.field.clone().unwrap_or_default()))
            .collect::<Vec<_>>()
    };
    let v1 = steps(undeployed);
    let holder = format!("class {}", f["leak_holder_class"].as_str().expect("holder"));
    let at = v1
        .iter()
        .position(|s| s.0 == holder)
        .unwrap_or_else(|| panic!("{v1:?}"));
    assert_eq!(
        v1[at + 1],
        (
            f["leak_holder_field_class"]
                .as_str()
                .expect("list")
                .to_string(),
            format!(
                "static {}",
                f["leak_holder_static_field"].as_str().expect("field")
            )
        ),
        "{v1:?}"
    );
    assert_eq!(
        v1.last().map(|s| s.0.as_str()),
        Some(&*format!("class {class}"))
    );
    assert!(
        !undeployed.path[0].gc_roots.is_empty(),
        "starts at a GC root"
    );
    // v2's is kept by the host that deployed it.
    let v2 = steps(deployed);
    let host = format!(
        "class {}",
        f["deployed_holder_class"].as_str().expect("host")
    );
    let at = v2
        .iter()
        .position(|s| s.0 == host)
        .unwrap_or_else(|| panic!("{v2:?}"));
    let field = v2[at + 1].1.trim_start_matches("static ").to_string();
    assert!(
        f["deployed_holder_static_fields"]
            .as_array()
            .expect("fields")
            .iter()
            .any(|x| x.as_str() == Some(&field)),
        "{v2:?}"
    );
}

//! Every dump of `../shared/corpus/` parses and agrees with the reference output beside it.

mod common;
use common::*;
use heapscope::analysis::histogram::histogram;
use heapscope::analysis::summary::summary;
use heapscope::model::diagnostics::Severity;
use heapscope::model::index_bytes;
use std::collections::HashMap;

/// Every corpus dump, with its objects and their shallow bytes (recorded).
const ALL: &[(&str, u64, u64)] = &[
    ("hprof-32.bin", 2926, 176_208),
    ("hprof-64.bin", 8262, 2_600_872),
    ("oracle_jdk8_05_x64.hprof", 15240, 976_048),
    ("sun_jdk6_18_x32.hprof", 16110, 1_132_952),
    ("sun_jdk6_30_x64_compressedOops.hprof", 4351, 348_752),
    ("openjdk_jdk11_04_x64.hprof.gz", 187_949, 7_955_512),
];

#[test]
fn every_corpus_dump_parses_without_errors() {
    for &(name, objects, bytes) in ALL {
        let index =
            index_bytes(&read(&corpus(name)), true).unwrap_or_else(|e| panic!("{name}: {e}"));
        let s = summary(&index);
        assert_eq!((s.objects, s.shallow_bytes), (objects, bytes), "{name}");
        assert!(
            s.diagnostics.iter().all(|d| d.severity < Severity::Error),
            "{name}: {:?}",
            s.diagnostics
        );
        let h = histogram(&index);
        assert_eq!(h.total_instances, s.objects, "{name}");
        // The object table agrees with the streaming counts: one entry per object, and
        // the objects' own sizes add up to the per-class totals.
        let table = index.objects.as_ref().expect("per-object table");
        assert_eq!(table.len() as u64, s.objects, "{name}");
        let sizes: u64 = (0..table.len() as u32).map(|i| table.size(i)).sum();
        assert_eq!(sizes, s.shallow_bytes, "{name}");
        assert_eq!(h.total_shallow_bytes, sizes, "{name}");
    }
}

/// What hprof-slurp printed: record counts, and the instance counts of its top-20 tables.
struct Slurp {
    counts: HashMap<String, u64>,
    instances: HashMap<String, u64>,
}

fn slurp(name: &str) -> Slurp {
    let text = String::from_utf8(read(&corpus(name))).expect("utf8");
    let mut counts = HashMap::new();
    let mut instances = HashMap::new();
    for line in text.lines() {
        if let Some((k, v)) = line.trim_start_matches('.').rsplit_once(": ")
            && let Ok(n) = v.trim().parse::<u64>()
        {
            counts.insert(k.to_string(), n);
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() == 6
            && let Ok(n) = cells[2].parse::<u64>()
        {
            instances.insert(cells[4].to_string(), n);
        }
    }
    Slurp { counts, instances }
}

fn check_against_slurp(dump: &str, report: &str) {
    let index = index_bytes(&read(&corpus(dump)), false).expect("parse");
    let s = summary(&index);
    let r = slurp(report);
    let want = |k: &str| {
        *r.counts
            .get(k)
            .unwrap_or_else(|| panic!("{report}: no {k}"))
    };
    assert_eq!(s.instances, want("GC instance dump"), "{dump}");
    assert_eq!(s.object_arrays, want("GC object array dump"), "{dump}");
    assert_eq!(
        s.primitive_arrays,
        want("GC primitive array dump"),
        "{dump}"
    );
    assert_eq!(index.stats.class_dumps, want("GC class dump"), "{dump}");
    assert_eq!(s.strings, want("UTF-8 Strings"), "{dump}");
    assert_eq!(s.stack_traces, want("Stack traces"), "{dump}");
    let roots = |k: &str| s.gc_roots.get(k).copied().unwrap_or(0);
    assert_eq!(roots("unknown"), want("GC root unknown"), "{dump}");
    assert_eq!(
        roots("thread_object"),
        want("GC root thread objects"),
        "{dump}"
    );
    assert_eq!(roots("jni_global"), want("GC root JNI global"), "{dump}");
    assert_eq!(roots("jni_local"), want("GC root JNI local"), "{dump}");
    assert_eq!(roots("java_frame"), want("GC root Java frame"), "{dump}");
    assert_eq!(
        roots("native_stack"),
        want("GC root native stack"),
        "{dump}"
    );
    assert_eq!(
        roots("sticky_class"),
        want("GC root sticky class"),
        "{dump}"
    );
    assert_eq!(
        roots("thread_block"),
        want("GC root thread block"),
        "{dump}"
    );
    assert_eq!(
        roots("monitor_used"),
        want("GC root monitor used"),
        "{dump}"
    );
    let ours = by_name(&histogram(&index));
    assert!(
        r.instances.len() >= 20,
        "{report}: {} rows",
        r.instances.len()
    );
    for (class, &n) in &r.instances {
        // hprof-slurp appends `[]` to object-array class names that are already in Java
        // form (hprof-32.bin's `ConcurrentHashMap$Segment[]`, one instance, as jmap shows).
        let key = match class.strip_suffix("[]") {
            Some(k) if !ours.contains_key(class.as_str()) && ours.contains_key(k) => k,
            _ => class.as_str(),
        };
        let mut got = ours.get(key).map_or(0, |v| v.0);
        if class == "java.lang.Class" {
            // hprof-slurp counts INSTANCE_DUMPs of java.lang.Class only, not class dumps.
            got -= u64::from(index.classes.object_count);
        }
        assert_eq!(got, n, "{dump}: instances of {class}");
    }
}

#[test]
fn hprof_32_agrees_with_hprof_slurp() {
    check_against_slurp("hprof-32.bin", "hprof-32.hprof-slurp.txt");
}

#[test]
fn hprof_64_agrees_with_hprof_slurp() {
    check_against_slurp("hprof-64.bin", "hprof-64.hprof-slurp.txt");
}

#[test]
fn sun_jdk6_32_bit_sizes_match_the_jvm_histogram() {
    let index = index_bytes(&read(&corpus("sun_jdk6_18_x32.hprof")), false).expect("parse");
    assert_eq!(index.header.id_size, 4);
    assert!(!summary(&index).compressed_oops);
    let c = compare(
        &histogram(&index),
        &jvm_histogram(&corpus("histogram_sun_jdk6_18_x32.txt")),
    );
    assert!(c.mismatches.is_empty(), "{:#?}", c.mismatches);
    assert_eq!(
        (c.instance_classes_exact, c.array_classes_exact),
        (116, 3),
        "{c:?}"
    );
    eprintln!("sun_jdk6_18_x32: {c:?}");
}

#[test]
fn sun_jdk6_compressed_oops_are_detected_and_sizes_match() {
    let index = index_bytes(
        &read(&corpus("sun_jdk6_30_x64_compressedOops.hprof")),
        false,
    )
    .expect("parse");
    assert_eq!(index.header.id_size, 8);
    let s = summary(&index);
    assert!(s.compressed_oops, "8-byte IDs, 4-byte references");
    assert_eq!(s.size_model.header_bytes, 12);
    let c = compare(
        &histogram(&index),
        &jvm_histogram(&corpus("sun_jdk6_30_x64_compressedOops.notes.txt")),
    );
    assert!(c.mismatches.is_empty(), "{:#?}", c.mismatches);
    assert_eq!(
        (c.instance_classes_exact, c.array_classes_exact),
        (135, 21),
        "{c:?}"
    );
    eprintln!("sun_jdk6_30_x64_compressedOops: {c:?}");
}

#[test]
fn jdk8_and_gzip_jdk11_choose_compressed_oops_with_strong_evidence() {
    // Classes whose instance size matches their address gaps, of those with evidence
    // (recorded; both over 95 %).
    for (name, matching) in [
        ("oracle_jdk8_05_x64.hprof", (226, 231)),
        ("openjdk_jdk11_04_x64.hprof.gz", (655, 670)),
    ] {
        let index = index_bytes(&read(&corpus(name)), false).expect("parse");
        let s = summary(&index);
        assert!(s.compressed_oops, "{name}");
        let m = &s.size_model;
        assert_eq!(
            m.field_layout, "legacy",
            "{name}: JDK 8 and 11 predate the packed layout"
        );
        assert_eq!(
            (m.classes_matching, m.classes_with_evidence),
            matching,
            "{name}: classes matching their address gaps"
        );
    }
}

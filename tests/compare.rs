//! `compare` over the committed series (tests/fixtures/series{1,2,3}.hprof.gz, written by
//! tests/fixtures/java/Series.java from one JVM as a Timer/Finalizer leak and a static map
//! grow), against the JVM's own histograms taken at the same moments and the counts the
//! program recorded (series.facts.json).

mod common;
use common::*;
use heapscope::analysis::compare::{Comparison, compare};
use heapscope::analysis::report::DumpReport;
use heapscope::analysis::suspects::SuspectsReport;
use heapscope::query::{Options, Query, Session, run_in_memory};
use serde_json::Value;
use std::process::Command;

const SERIES: [&str; 3] = ["series1.hprof.gz", "series2.hprof.gz", "series3.hprof.gz"];

fn session(file: &str, histogram_only: bool) -> Session {
    let mut s = Session::new(Options {
        histogram_only,
        memory_limit: None,
        strict: false,
    });
    run_in_memory(&mut s, &read(&fixture(file)), 1 << 20).expect("analyse");
    s
}

fn report(file: &str) -> DumpReport {
    session(file, false)
        .ask(&Query::Report { file: file.into() })
        .expect("report")
}

fn series_comparison() -> Comparison {
    // Given out of order: the comparison orders the dumps by their timestamps.
    compare(&[report(SERIES[2]), report(SERIES[0]), report(SERIES[1])])
}

fn row<'a>(c: &'a Comparison, class: &str) -> &'a heapscope::analysis::compare::ClassDelta {
    c.classes
        .iter()
        .find(|r| r.name == class)
        .unwrap_or_else(|| panic!("no row for {class}"))
}

#[test]
fn dumps_are_ordered_by_their_timestamps() {
    let c = series_comparison();
    let files: Vec<&str> = c.dumps.iter().map(|d| d.file.as_str()).collect();
    assert_eq!(files, SERIES);
    assert!(
        c.dumps
            .windows(2)
            .all(|w| w[0].timestamp_ms < w[1].timestamp_ms)
    );
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
}

#[test]
fn scenario_class_deltas_equal_the_jvm_histograms_deltas() {
    let c = series_comparison();
    let jvm: Vec<_> = (1..=3)
        .map(|k| jvm_histogram(&fixture(&format!("series{k}.histo.txt"))))
        .collect();
    for class in [
        "Series$PgStatement",
        "Series$CancelTask",
        "Series$CachedReport",
        "Series$KeepAliveTask",
        "java.lang.ref.Finalizer",
        "java.util.TimerTask[]",
    ] {
        let r = row(&c, class);
        let theirs: Vec<(u64, u64)> = jvm.iter().map(|h| h[class]).collect();
        let instances: Vec<u64> = theirs.iter().map(|t| t.0).collect();
        let bytes: Vec<u64> = theirs.iter().map(|t| t.1).collect();
        assert_eq!(r.instances, instances, "{class}");
        assert_eq!(r.shallow_bytes, bytes, "{class}");
        assert_eq!(
            r.instances_change,
            instances[2] as i64 - instances[0] as i64,
            "{class}"
        );
        assert_eq!(
            r.shallow_bytes_change,
            bytes[2] as i64 - bytes[0] as i64,
            "{class}"
        );
    }
    // 4 000 − 1 000 statements: the JVM's figures, and the program's.
    assert_eq!(row(&c, "Series$PgStatement").instances_change, 3000);
    assert_eq!(row(&c, "Series$CachedReport").instances, [500, 1000, 2000]);
    // Sorted by growth: byte[] (the statements' and entries' buffers) first, then the
    // tasks and Finalizers.
    assert_eq!(c.classes[0].name, "byte[]");
    assert!(
        c.classes
            .windows(2)
            .all(|w| w[0].shallow_bytes_change >= w[1].shallow_bytes_change)
    );
}

#[test]
fn finalizer_and_timer_trends_are_what_the_program_built() {
    let c = series_comparison();
    let f = facts("series");
    let dumps = f["dumps"].as_array().expect("dumps");
    let of = |key: &str| -> Vec<Option<u64>> { dumps.iter().map(|d| d[key].as_u64()).collect() };
    assert_eq!(c.trends.get("finalizers"), Some(&of("finalizers")[..]));
    assert_eq!(
        c.trends.get("referents:Series$PgStatement"),
        Some(&of("cancelled_statements")[..])
    );
    assert_eq!(
        c.trends
            .get("cancelled_tasks:PostgreSQL-JDBC-SharedTimer-1"),
        Some(&of("cancelled_tasks")[..])
    );
    assert_eq!(
        c.trends.get("finalization_queue"),
        Some(&[Some(0), Some(0), Some(0)][..])
    );
    let heap: Vec<Option<u64>> = c.dumps.iter().map(|d| Some(d.shallow_bytes)).collect();
    assert_eq!(c.trends.get("heap_bytes"), Some(&heap[..]));
}

#[test]
fn growing_suspects_are_matched_across_the_series() {
    let c = series_comparison();
    // Each dump's own suspects, as `heapscope suspects` gives them.
    let own: Vec<SuspectsReport> = SERIES
        .iter()
        .map(|f| {
            session(f, false)
                .ask(&Query::Suspects {})
                .expect("suspects")
        })
        .collect();
    let retained_of = |kind: &str, class: &str| -> Vec<Option<u64>> {
        own.iter()
            .map(|r| {
                r.suspects
                    .iter()
                    .find(|s| {
                        s.kind == kind
                            && (s.class.as_deref() == Some(class)
                                || s.object.as_ref().is_some_and(|o| o.class == class))
                    })
                    .map(|s| s.retained_bytes)
            })
            .collect()
    };
    // The Finalizer finding: 1 000 → 2 000 → 4 000 Finalizers.
    let fin = c
        .suspects
        .iter()
        .find(|s| s.kind == "finalizer")
        .expect("finalizer suspect");
    assert_eq!(fin.status, "kept");
    assert_eq!(
        fin.retained_bytes,
        retained_of("finalizer", "java.lang.ref.Finalizer")
    );
    assert_eq!(fin.instances, [Some(1000), Some(2000), Some(4000)]);
    assert_eq!(
        fin.accumulation_point.as_deref(),
        Some("java.util.TimerTask[]")
    );
    let r: Vec<u64> = fin
        .retained_bytes
        .iter()
        .map(|v| v.expect("in each"))
        .collect();
    assert!(r[0] < r[1] && r[1] < r[2], "{r:?}");
    assert_eq!(fin.growth, Some(r[2] as i64 - r[0] as i64));
    // The static map: the application class loader holds Series$ReportCache, whose
    // ENTRIES map is where its retained set fans out (the map's table).
    let map = c
        .suspects
        .iter()
        .find(|s| {
            s.kind == "object"
                && s.accumulation_point.as_deref() == Some("java.util.HashMap$Node[]")
        })
        .expect("the static map's suspect");
    assert_eq!(map.status, "kept");
    assert_eq!(map.retained_bytes, retained_of("object", &map.class));
    let r: Vec<u64> = map
        .retained_bytes
        .iter()
        .map(|v| v.expect("in each"))
        .collect();
    assert!(r[0] < r[1] && r[1] < r[2], "{r:?}");
    // Its growth is at least the entries added (1 500 × (byte[2048] + entry + key)).
    let entries = row(&c, "Series$CachedReport");
    let bodies = 1500 * 2064;
    assert!(map.growth.expect("growth") as u64 >= bodies, "{map:?}");
    assert!(entries.retained_bytes_change.expect("retained") as u64 >= bodies);
}

#[test]
fn the_session_compares_its_own_report_with_saved_ones() {
    // The page's way: the open dump's session answers `compare` with the kept reports.
    let kept = vec![report(SERIES[0]), report(SERIES[1])];
    let mut s = session(SERIES[2], false);
    let c: Comparison = s
        .ask(&Query::Compare {
            reports: kept,
            file: SERIES[2].into(),
        })
        .expect("compare");
    assert_eq!(
        serde_json::to_value(&c).expect("json"),
        serde_json::to_value(series_comparison()).expect("json")
    );
}

#[test]
fn histogram_only_dumps_are_compared_by_their_histograms() {
    let mut s = session(SERIES[1], true);
    let c: Comparison = s
        .ask(&Query::Compare {
            reports: vec![report(SERIES[0])],
            file: SERIES[1].into(),
        })
        .expect("compare");
    assert!(!c.dumps[1].full_analysis);
    assert_eq!(c.dumps[1].reachable_bytes, None);
    assert_eq!(c.trends.get("finalizers"), Some(&[Some(1000), None][..]));
    assert_eq!(row(&c, "Series$PgStatement").instances, [1000, 2000]);
    assert_eq!(row(&c, "Series$PgStatement").retained_bytes_change, None);
    assert!(
        c.warnings
            .iter()
            .any(|w| w.starts_with("series2.hprof.gz: histogram only")),
        "{:?}",
        c.warnings
    );
}

#[test]
fn dumps_of_different_pointer_models_are_warned_about() {
    let c = compare(&[report("basic.hprof"), report("basic_nocoops.hprof")]);
    assert!(
        c.warnings.iter().any(|w| w.contains("pointer models")),
        "{:?}",
        c.warnings
    );
    let c = compare(&[report(SERIES[0]), report("basic_noccp.hprof")]);
    assert!(
        c.warnings.iter().any(|w| w.contains("pointer models")),
        "{:?}",
        c.warnings
    );
}

fn cli(args: &[&str]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_heapscope"))
        .current_dir(repo())
        .arg("--quiet")
        .args(args)
        .output()
        .expect("run heapscope");
    assert!(
        out.status.success(),
        "heapscope {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn comparing_saved_reports_equals_comparing_the_dumps() {
    let dir = std::env::temp_dir().join(format!("heapscope-compare-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let files: Vec<String> = SERIES
        .iter()
        .map(|f| format!("tests/fixtures/{f}"))
        .collect();
    let mut saved = Vec::new();
    for f in &files {
        let json = cli(&["analyze", f, "--json"]);
        let p = dir.join(format!("{}.json", saved.len()));
        std::fs::write(&p, json).expect("write");
        saved.push(p.to_string_lossy().into_owned());
    }
    let parse = |b: Vec<u8>| -> Value { serde_json::from_slice(&b).expect("json") };
    let mut args = vec!["compare", "--json"];
    args.extend(files.iter().map(String::as_str));
    let from_dumps = parse(cli(&args));
    let mut args = vec!["compare", "--json"];
    args.extend(saved.iter().map(String::as_str));
    let from_reports = parse(cli(&args));
    assert_eq!(from_dumps, from_reports);
    // Yesterday's report beside today's dump.
    let args = vec!["compare", "--json", &saved[0], &files[1], &files[2]];
    assert_eq!(from_dumps, parse(cli(&args)));
    assert_eq!(
        from_dumps["dumps"][0]["file"],
        Value::from("tests/fixtures/series1.hprof.gz")
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// A dump that cannot be read is left out of a series with a warning naming it (exit
/// status 3), and the others are compared as if it had not been given; `--strict`
/// refuses the series, naming the file; fewer than two readable files is an error.
#[test]
fn an_unreadable_dump_is_left_out_naming_it() {
    let dir = std::env::temp_dir().join(format!("heapscope-leftout-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let bad = dir.join("broken.hprof");
    std::fs::write(&bad, b"not a heap dump\n").expect("write");
    let bad = bad.to_string_lossy().into_owned();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_heapscope"))
            .current_dir(repo())
            .arg("--quiet")
            .args(args)
            .output()
            .expect("run heapscope")
    };
    let (s1, s2) = (
        "tests/fixtures/series1.hprof.gz",
        "tests/fixtures/series2.hprof.gz",
    );
    let out = run(&["compare", "--json", s1, &bad, s2]);
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("left out of the comparison: {bad}: not an HPROF")),
        "{stderr}"
    );
    let mut with_bad: Value = serde_json::from_slice(&out.stdout).expect("json");
    let warnings = with_bad["warnings"].as_array_mut().expect("warnings");
    let last = warnings.pop().expect("a warning for the bad file");
    assert!(
        last.as_str()
            .is_some_and(|w| w.starts_with(&format!("left out of the comparison: {bad}: "))),
        "{last}"
    );
    let without: Value =
        serde_json::from_slice(&cli(&["compare", "--json", s1, s2])).expect("json");
    assert_eq!(
        with_bad, without,
        "the others compare as if it had not been given"
    );

    let strict = run(&["compare", "--strict", "--json", s1, &bad, s2]);
    assert_eq!(strict.status.code(), Some(1));
    assert!(strict.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&strict.stderr);
    assert!(
        stderr.starts_with(&format!("error: {bad}: not an HPROF")),
        "{stderr}"
    );

    let alone = run(&["compare", "--json", s1, &bad]);
    assert_eq!(alone.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&alone.stderr)
            .contains("error: 1 of the 2 files could be read: a comparison needs two"),
        "{}",
        String::from_utf8_lossy(&alone.stderr)
    );
    std::fs::remove_dir_all(&dir).ok();
}

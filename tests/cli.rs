//! The CLI's output contract: JSON keys, tables, exit codes, one-line errors.

mod common;
use common::*;
use std::process::Command;

fn heapscope(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_heapscope"))
        .args(args)
        .output()
        .expect("run heapscope");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn path(p: std::path::PathBuf) -> String {
    p.to_string_lossy().into_owned()
}

#[test]
fn summary_json_has_the_contract_keys() {
    let (code, out, err) =
        heapscope(&["summary", &path(fixture("timer_finalizer.hprof")), "--json"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.is_empty(),
        "nothing but the result, no progress off a terminal: {err}"
    );
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["format"], "JAVA PROFILE 1.0.2");
    assert_eq!(v["id_size"], 8);
    assert!(v["timestamp_ms"].as_u64().expect("ts") > 1_600_000_000_000);
    assert!(v["objects"].as_u64().expect("objects") > 20_000);
    assert!(v["classes"].as_u64().expect("classes") > 500);
    assert!(v["shallow_bytes"].as_u64().expect("bytes") > 3_000_000);
    assert!(v["gc_roots"]["sticky_class"].as_u64().expect("roots") > 100);
    assert_eq!(v["gc_roots"]["thread_object"], 9);
    assert_eq!(v["compressed_oops"], true);
}

#[test]
fn histogram_json_is_sorted_and_totals_cover_all() {
    let (code, out, _) = heapscope(&[
        "histogram",
        &path(fixture("timer_finalizer.hprof")),
        "--json",
        "--top",
        "5",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let rows = v["classes"].as_array().expect("classes");
    assert_eq!(rows.len(), 5);
    let bytes: Vec<u64> = rows
        .iter()
        .map(|r| r["shallow_bytes"].as_u64().expect("b"))
        .collect();
    assert!(bytes.windows(2).all(|w| w[0] >= w[1]), "{bytes:?}");
    assert_eq!(rows[0]["name"], "byte[]");
    assert!(
        rows.iter()
            .all(|r| r["instances"].as_u64().is_some() && r["name"].is_string())
    );
    let total = v["total_shallow_bytes"].as_u64().expect("total");
    assert!(
        total > bytes.iter().sum::<u64>(),
        "totals cover all classes, not just the top 5"
    );
    assert_eq!(v["total_instances"].as_u64(), {
        let (_, s, _) = heapscope(&["summary", &path(fixture("timer_finalizer.hprof")), "--json"]);
        serde_json::from_str::<serde_json::Value>(&s).expect("json")["objects"].as_u64()
    });
}

#[test]
fn plain_histogram_is_an_aligned_table() {
    let (code, out, _) = heapscope(&["histogram", &path(corpus("hprof-64.bin")), "--top", "3"]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 5, "{out}");
    assert!(lines[0].contains("instances") && lines[0].contains("class"));
    assert!(
        lines[1].contains("int[]") && lines[1].contains("MiB"),
        "{out}"
    );
    assert!(lines[4].contains("total"));
    let col = lines[1].find("int[]").expect("class column");
    assert!(
        lines[2..4].iter().all(|l| l.len() > col),
        "class names start in one column"
    );
}

#[test]
fn bad_input_exits_non_zero_with_one_line() {
    let dir = std::env::temp_dir().join(format!("heapscope-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let bytes = read(&fixture("basic_noccp.hprof"));
    let cut = dir.join("cut.hprof");
    std::fs::write(&cut, &bytes[..2_000_000]).expect("write");
    let (code, out, err) = heapscope(&["histogram", &path(cut.clone())]);
    assert_eq!(code, 1);
    assert!(out.is_empty(), "no partial result on stdout: {out}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: truncated "), "{err}");
    assert!(err.contains(" at offset "), "{err}");
    let text = dir.join("notes.txt");
    std::fs::write(&text, "just some notes\n").expect("write");
    let (code, _, err) = heapscope(&["summary", &path(text)]);
    assert_eq!(code, 1);
    assert!(
        err.contains("not an HPROF heap dump") && err.contains("text file"),
        "{err}"
    );
    let (code, _, err) = heapscope(&["summary", &path(dir.join("missing.hprof"))]);
    assert_eq!(code, 1);
    assert!(err.starts_with("error: cannot open"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn timings_are_json_lines_per_phase_on_stderr() {
    let (code, out, err) = heapscope(&[
        "histogram",
        &path(fixture("timer_finalizer.hprof")),
        "--json",
        "--timings",
    ]);
    assert_eq!(code, 0, "{err}");
    let _: serde_json::Value = serde_json::from_str(&out).expect("stdout stays the result");
    let lines: Vec<serde_json::Value> = err
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    let phases: Vec<&str> = lines
        .iter()
        .map(|v| v["phase"].as_str().expect("phase"))
        .collect();
    assert_eq!(phases, ["index", "histogram"]);
    for v in &lines {
        assert!(v["wall_ms"].as_f64().expect("wall_ms") >= 0.0);
        if cfg!(target_os = "linux") {
            // The dump alone is read through an 8 MiB buffer: the high-water mark is above.
            assert!(v["peak_rss_bytes"].as_u64().expect("peak_rss_bytes") > 8 << 20);
        }
    }
}

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
    // Recorded from this fixture.
    assert_eq!(v["timestamp_ms"], 1_795_552_925_247u64);
    assert_eq!(v["objects"], 30317);
    assert_eq!(v["classes"], 945);
    assert_eq!(v["shallow_bytes"], 3_430_008);
    assert_eq!(
        v["gc_roots"],
        serde_json::json!({
            "java_frame": 42,
            "jni_global": 44,
            "jni_local": 1,
            "sticky_class": 809,
            "thread_object": 9
        })
    );
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
    // The totals cover all classes, not just the top 5: the summary's shallow bytes.
    assert_eq!(v["total_shallow_bytes"], 3_430_008);
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
    // --strict refuses a damaged dump: exit 1, one line, nothing on stdout.
    let (code, out, err) = heapscope(&["histogram", "--strict", &path(cut.clone())]);
    assert_eq!(code, 1);
    assert!(out.is_empty(), "no partial result on stdout: {out}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: truncated "), "{err}");
    assert!(err.contains(" at offset "), "{err}");
    // By default it opens with what it holds: the result, exit 3, one warning line naming
    // the record the input ends in (this cut falls inside the dump's one long[]).
    let (code, out, err) = heapscope(&["histogram", &path(cut.clone()), "--json"]);
    assert_eq!(code, 3, "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(
        err.trim_end(),
        "warning: damaged dump, analysed up to offset 1 594 354: truncated PRIM_ARRAY_DUMP \
         at offset 1 594 354: the input ends 405 646 bytes into it; the dump should have at \
         least 2 154 372 bytes; 405 646 bytes after it were not read; counts and sizes are \
         lower bounds"
    );
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let rows = v["classes"].as_array().expect("rows");
    assert_eq!(rows.len(), 2, "{out}");
    assert_eq!(rows[1]["name"], "java.lang.Class");
    assert_eq!(rows[1]["instances"], 954);
    let (code, out, _) = heapscope(&["summary", &path(cut.clone()), "--json"]);
    assert_eq!(code, 3);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["damaged"]["offset"], 1_594_354);
    assert_eq!(v["damaged"]["unread_bytes"], 405_646);
    assert_eq!(v["objects"], 955);
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
fn analysis_commands_keep_their_json_contracts() {
    let timer = path(fixture("timer_finalizer.hprof"));
    let (code, out, err) = heapscope(&["finalizers", &timer, "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    for key in [
        "finalizers",
        "shallow_bytes",
        "retained_bytes",
        "queued",
        "referents_by_class",
        "holders",
        "timers",
    ] {
        assert!(!v[key].is_null(), "finalizers: missing {key}");
    }
    let rc = &v["referents_by_class"][0];
    for key in ["name", "instances", "shallow_bytes", "retained_bytes"] {
        assert!(!rc[key].is_null(), "referents_by_class: missing {key}");
    }
    let h = &v["holders"][0];
    assert!(h["summary"].is_string() && h["referents"].is_u64() && h["retained_bytes"].is_u64());
    assert_eq!(h["path"][0]["class"], "java.util.TimerThread");
    assert!(h["path"][1]["field"].is_string());
    let t = &v["timers"][0];
    assert_eq!(t["thread"], "PostgreSQL-JDBC-SharedTimer-1");
    assert_eq!(t["tasks"], 2001);
    assert_eq!(t["cancelled_tasks"], 2000);
    assert_eq!(t["head_task_class"], "Fixtures$KeepAliveTask");

    let (code, out, _) = heapscope(&["histogram", &timer, "--retained", "--json", "--top", "3"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let rows = v["classes"].as_array().expect("rows");
    assert!(rows.iter().all(|r| r["retained_bytes"].is_u64()));
    let retained: Vec<u64> = rows
        .iter()
        .map(|r| r["retained_bytes"].as_u64().expect("u64"))
        .collect();
    assert!(
        retained.windows(2).all(|w| w[0] >= w[1]),
        "sorted by retained: {retained:?}"
    );

    let (code, out, _) = heapscope(&["dominators", &timer, "--json", "--top", "3", "--depth", "2"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let roots = v["roots"].as_array().expect("roots");
    assert_eq!(roots.len(), 3);
    for r in roots {
        assert!(r["object"].as_str().is_some_and(|o| o.starts_with("0x")));
        for key in ["class", "shallow_bytes", "retained_bytes", "children"] {
            assert!(!r[key].is_null(), "dominators: missing {key}");
        }
    }
    // Two levels (recorded): the roots' children, and none of theirs, though some have
    // children of their own at --depth 3.
    let children: Vec<&Vec<serde_json::Value>> = roots
        .iter()
        .map(|r| r["children"].as_array().expect("children"))
        .collect();
    assert_eq!(
        children.iter().map(|c| c.len()).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert!(
        children
            .iter()
            .flat_map(|c| c.iter())
            .all(|c| c["children"].as_array().is_some_and(Vec::is_empty)),
        "{children:?}"
    );

    let (code, out, _) = heapscope(&["path", &timer, "--class", "Fixtures$PgStatement", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["targets"], 2150);
    assert_eq!(v["roots"][0]["children"][0]["field"], "queue");
    let id = v["roots"][0]["object"].as_str().expect("id").to_string();
    let (code, out, _) = heapscope(&["path", &timer, "--object", &id, "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["found"], 1);

    let json = |cmd: &str| {
        let (code, out, err) = heapscope(&[cmd, &timer, "--json"]);
        assert_eq!(code, 0, "{cmd}: {err}");
        serde_json::from_str::<serde_json::Value>(&out).expect("json")
    };
    // Recorded from this fixture.
    let v = json("suspects");
    assert_eq!(v["reachable_bytes"], 3_409_656);
    assert_eq!(v["threshold"], 0.1);
    let found: Vec<(&str, u64, u64)> = v["suspects"]
        .as_array()
        .expect("suspects")
        .iter()
        .map(|s| {
            (
                s["kind"].as_str().expect("kind"),
                s["retained_bytes"].as_u64().expect("retained_bytes"),
                s["instances"].as_u64().expect("instances"),
            )
        })
        .collect();
    // One leak, one suspect: the 2 150 statements (retaining 2 459 600 bytes together)
    // are the Finalizers' referents, folded into the Finalizer suspect.
    assert_eq!(found, [("finalizer", 2_545_600, 2150)]);
    assert_eq!(v["finalizer_threshold"], 0.05);
    let merged = v["suspects"][0]["merged"].as_array().expect("merged");
    assert_eq!(merged.len(), 1);
    assert!(
        merged[0]
            .as_str()
            .expect("text")
            .starts_with("2 150 instances of Fixtures$PgStatement retain 2.3 MiB"),
        "{merged:?}"
    );
    let v = json("threads");
    let names: Vec<&str> = v["threads"]
        .as_array()
        .expect("threads")
        .iter()
        .map(|t| t["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        names,
        // By what each thread retains (its locals included), largest first.
        [
            "main",
            "Notification Thread",
            "Signal Dispatcher",
            "Attach Listener",
            "PostgreSQL-JDBC-SharedTimer-1",
            "Finalizer",
            "Reference Handler",
            "process reaper",
            "Common-Cleaner"
        ]
    );
    let v = json("references");
    let kinds: Vec<(&str, u64, u64)> = v["references"]
        .as_array()
        .expect("references")
        .iter()
        .map(|k| {
            (
                k["kind"].as_str().expect("kind"),
                k["references"].as_u64().expect("references"),
                k["referents"].as_u64().expect("referents"),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("soft", 83, 83),
            ("weak", 239, 221),
            ("phantom", 18, 3),
            ("final", 2150, 2150)
        ]
    );
    let (code, _, err) = heapscope(&["inspect", &timer, "0x1"]);
    assert_eq!(code, 1);
    assert!(err.contains("no object with ID 0x1 in this dump"), "{err}");
}

/// `heapscope(args)` and how long it took, in milliseconds.
fn timed(args: &[&str]) -> ((i32, String, String), f64) {
    let start = std::time::Instant::now();
    let out = heapscope(args);
    (out, start.elapsed().as_secs_f64() * 1e3)
}

/// Phases reported by `--timings` (JSON lines on stderr; stdout stays the result), checked
/// against the run they were measured in: `elapsed_ms` of the whole process.
fn timing_phases(err: &str, elapsed_ms: f64) -> Vec<String> {
    let lines: Vec<serde_json::Value> = err
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    let wall: Vec<f64> = lines
        .iter()
        .map(|v| v["wall_ms"].as_f64().expect("wall_ms"))
        .collect();
    // Milliseconds rounded to 0.1: the phases lie within the process's run (each rounded
    // up by at most 0.05), and indexing 30 000 objects takes some time.
    assert!(wall.iter().all(|&w| w >= 0.0), "{wall:?}");
    let total: f64 = wall.iter().sum();
    assert!(
        total <= elapsed_ms + 0.05 * wall.len() as f64,
        "phases {wall:?} add up to more than the run's {elapsed_ms} ms"
    );
    assert!(wall[0] > 0.0, "{wall:?}");
    if cfg!(target_os = "linux") {
        // The dump alone is read through an 8 MiB buffer: the high-water mark is above.
        for v in &lines {
            assert!(
                v["peak_rss_bytes"].as_u64().expect("peak_rss_bytes") > 8 << 20,
                "{v}"
            );
        }
    }
    lines
        .iter()
        .map(|v| v["phase"].as_str().expect("phase").to_string())
        .collect()
}

#[test]
fn timings_are_json_lines_per_phase_on_stderr() {
    let ((code, out, err), elapsed_ms) = timed(&[
        "histogram",
        &path(fixture("timer_finalizer.hprof")),
        "--json",
        "--timings",
    ]);
    assert_eq!(code, 0, "{err}");
    let _: serde_json::Value = serde_json::from_str(&out).expect("stdout stays the result");
    assert_eq!(timing_phases(&err, elapsed_ms), ["index", "histogram"]);
}

#[test]
fn analyze_is_the_full_report_in_one_run() {
    let timer = path(fixture("timer_finalizer.hprof"));
    let ((code, out, err), elapsed_ms) =
        timed(&["analyze", &timer, "--json", "--timings", "--top", "5"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["summary"]["objects"], 30317);
    assert_eq!(v["graph"]["objects"], 30317);
    // Recorded from this fixture (387 objects nothing reaches); the parts add up.
    assert_eq!(v["graph"]["reachable_objects"], 29930);
    assert_eq!(v["graph"]["unreachable_objects"], 387);
    assert_eq!(v["finalizers"]["finalizers"], 2150);
    assert_eq!(v["finalizers"]["timers"][0]["cancelled_tasks"], 2000);
    assert!(
        v["suspects"]["suspects"][0]["description"]
            .as_str()
            .is_some_and(|d| d.contains("java.util.TimerThread"))
    );
    assert_eq!(v["top_retained_classes"].as_array().map(Vec::len), Some(5));
    assert_eq!(v["top_retained_classes"][1]["name"], "Fixtures$PgStatement");
    assert_eq!(v["dominators"][0]["class"], "java.util.TaskQueue");
    assert_eq!(
        timing_phases(&err, elapsed_ms),
        [
            "index",
            "references",
            "reachability",
            "referrers",
            "dominators",
            "retained sizes",
            "finalizers",
            "suspects",
            "reference stats",
            "report"
        ]
    );
}

/// The lines `path` prints for `nodes` at `level`: (indent, object ID or `… N more`, lines
/// the node takes, as a string value may hold line breaks).
fn expected_path_lines(
    nodes: &[serde_json::Value],
    level: usize,
    out: &mut Vec<(String, String, usize)>,
) {
    for n in nodes {
        let value_breaks = n["value"].as_str().map_or(0, |v| v.matches('\n').count());
        out.push((
            "  ".repeat(level),
            n["object"].as_str().expect("object").to_string(),
            1 + value_breaks,
        ));
        expected_path_lines(n["children"].as_array().expect("children"), level + 1, out);
        if let Some(m) = n["more_children"].as_u64() {
            out.push(("  ".repeat(level + 1), format!("… {m} more"), 1));
        }
    }
}

#[test]
fn path_text_notes_every_cut_list_where_it_ends() {
    let timer = path(fixture("timer_finalizer.hprof"));
    let args = ["path", &timer, "--class", "byte[]"];
    let (code, json, err) = heapscope(&[&args[..], &["--json"]].concat());
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    let mut want = Vec::new();
    expected_path_lines(v["roots"].as_array().expect("roots"), 0, &mut want);
    let more_roots = v["more_roots"].as_u64().expect("more_roots");
    assert!(more_roots > 0, "the fixture has more roots than are shown");
    want.push((String::new(), format!("… {more_roots} more"), 1));
    assert!(want.iter().filter(|w| w.1.starts_with('…')).count() > 2);

    let (code, text, err) = heapscope(&args);
    assert_eq!(code, 0, "{err}");
    let mut lines = text.lines().skip(1);
    for (indent, what, span) in &want {
        let line = lines
            .next()
            .unwrap_or_else(|| panic!("missing line for {what}"));
        if what.starts_with('…') {
            assert_eq!(line, format!("{indent}{what}"));
        } else {
            let rest = line
                .strip_prefix(indent.as_str())
                .unwrap_or_else(|| panic!("{line}"));
            assert!(
                !rest.starts_with(' ') && rest.contains(&format!(" {what}")),
                "{what}: {line}"
            );
            for _ in 1..*span {
                lines.next();
            }
        }
    }
    assert_eq!(lines.next(), None, "nothing after the last note");
}

#[test]
fn analyze_text_has_references_by_kind_and_the_dominator_tree() {
    let timer = path(fixture("timer_finalizer.hprof"));
    let (code, out, err) = heapscope(&["analyze", &timer, "--top", "5"]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    let refs = lines
        .iter()
        .position(|l| l.contains("only via refs"))
        .expect("references by kind");
    assert!(
        lines[refs + 1..refs + 5]
            .iter()
            .any(|l| l.contains("final"))
    );
    let dom = lines
        .iter()
        .position(|l| l.contains("retained") && l.contains("object"))
        .expect("dominator tree");
    assert!(dom > refs, "{out}");
    assert!(lines[dom + 1].contains("java.util.TaskQueue"), "{out}");
    assert!(
        lines
            .last()
            .is_some_and(|l| l.starts_with("reachable heap "))
    );
}

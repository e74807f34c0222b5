//! The shareable report (`heapscope report`, `Query::HtmlReport`): what it holds, on the
//! fixture dumps (the facts their Java programs recorded), what it must not hold without
//! `include_values` (the dump's String contents), and that it can load nothing.

mod common;
use common::{FIXTURES, facts, fixture, read};
use heapscope::analysis::objects::value_of;
use heapscope::analysis::threads::Threads;
use heapscope::graph::Heap;
use heapscope::query::{Options, Query, Session, run_in_memory};
use std::collections::HashSet;

/// A finished analysis of `bytes` (plain HPROF).
fn analysed(bytes: &[u8]) -> Session {
    let mut s = Session::new(Options::default());
    run_in_memory(&mut s, bytes, 1 << 20).expect("analysis");
    s
}

fn report(s: &mut Session, include_values: bool, file_name: &str) -> String {
    s.ask(&Query::HtmlReport {
        include_values,
        file_name: file_name.into(),
    })
    .expect("report")
}

/// A count as the report writes it: grouped by threes with a no-break space.
fn count(n: u64) -> String {
    heapscope::text::group_digits(n).replace(' ', "\u{a0}")
}

/// The report's text with the five entities its escaping writes turned back, so that a
/// value holding `&` or `<` is still found.
fn unescape(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// A plain fixture's bytes (`.hprof.gz` decompressed).
fn fixture_bytes(name: &str) -> Vec<u8> {
    let raw = read(&fixture(name));
    if name.ends_with(".gz") {
        use std::io::Read;
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .expect("gunzip");
        out
    } else {
        raw
    }
}

#[test]
fn the_timer_finalizer_report_holds_the_findings_the_fixture_recorded() {
    let f = facts("timer_finalizer");
    let n = |k: &str| f[k].as_u64().unwrap_or_else(|| panic!("{k} in facts"));
    let text = |k: &str| f[k].as_str().unwrap_or_else(|| panic!("{k} in facts"));
    let bytes = fixture_bytes("timer_finalizer.hprof");
    let mut s = analysed(&bytes);
    let html = report(&mut s, false, "timer_finalizer.hprof");
    let summary: heapscope::analysis::summary::Summary =
        s.ask(&Query::Summary {}).expect("summary");

    // Who made it, from what, when.
    assert!(html.contains("<title>Heap dump report: timer_finalizer.hprof</title>"));
    assert!(html.contains(&format!("Heapscope {}", env!("CARGO_PKG_VERSION"))));
    assert_eq!(summary.timestamp_ms / 1000 % 60, {
        // The "Taken" time's seconds are the header timestamp's.
        let at = html.find("<dt>Taken</dt><dd>").expect("taken") + 18;
        html[at + 17..at + 19].parse::<u64>().expect("seconds")
    });
    assert!(html.contains("data-values=\"none\""));
    assert!(html.contains("<strong>No values.</strong>"));

    // The Timer: its thread's name, its tasks, the cancelled ones and their class.
    let timer = format!("'{}'", text("timer_thread"));
    assert!(html.contains(&format!("<h3>Timer {timer}</h3>")), "{timer}");
    assert!(html.contains(&format!(
        "<strong>{} cancelled of {} tasks</strong>",
        count(n("cancelled_tasks")),
        count(n("timer_tasks"))
    )));
    assert!(html.contains(&format!(
        "{} <code>{}</code>",
        count(n("cancelled_tasks")),
        text("task_class")
    )));
    assert!(html.contains(&format!("<code>{}</code>", text("head_task_class"))));
    // Its due time is a value (the task's nextExecutionTime): absent here.
    assert!(!html.contains("<dt>Due</dt>"));
    assert!(!html.contains("the head task is due in"));

    // The statements: kept alive by the Timer, as the holder sentence says, with their
    // count in the histogram and among the Finalizers' referents.
    assert!(
        unescape(&html).contains(&format!(
            "{} of {} <code>{}</code> are kept alive through <code>java.util.TimerThread</code> {timer}",
            heapscope::text::group_digits(n("leaked_statements")),
            heapscope::text::group_digits(n("statements")),
            text("statement_class")
        )),
        "the holder sentence"
    );
    let row = format!(
        "<tr><td><code>{}</code></td><td class=\"num\">{}</td>",
        text("statement_class"),
        count(n("statements"))
    );
    assert!(
        html.matches(&row).count() >= 2,
        "histogram and referents rows: {row}"
    );
    // The Finalizer suspect, with the statements' Finalizers counted.
    assert!(html.contains(&format!(
        "{} java.lang.ref.Finalizer objects and their referents retain",
        heapscope::text::group_digits(n("statements"))
    )));
    assert!(html.contains("<span class=\"badge\">Finalizers</span>"));
    // Every section is there.
    for id in [
        "overview",
        "histogram",
        "dominators",
        "suspects",
        "finalizers",
        "threads",
    ] {
        assert!(html.contains(&format!("<section id=\"{id}\">")), "{id}");
    }
    assert!(html.contains("Retained size ≥"));
    assert!(html.contains("a lower bound"));

    // With values: the due time, and the Strings in the threads' frames.
    let with = report(&mut s, true, "timer_finalizer.hprof");
    assert!(with.contains("data-values=\"included\""));
    assert!(with.contains("<dt>Due</dt>"));
    assert!(with.contains("the head task is due in"));
    assert!(with.contains("class=\"dump-value\""));
    assert!(!html.contains("class=\"dump-value\""));
}

/// Names the report shows as structure: every class name, field and static name, frame
/// method and source-file name, thread name, and the file name the front end gives.
fn structure_names(heap: &Heap, threads: &Threads, file_name: &str) -> Vec<String> {
    let idx = &heap.index;
    let mut names: Vec<String> = vec![file_name.to_string()];
    for c in 0..idx.classes.len() as u32 {
        names.push(idx.classes.name(c).to_string());
        if let Some(info) = idx.classes.get(c) {
            for id in info
                .fields
                .iter()
                .map(|f| f.name_id)
                .chain(info.statics.iter().map(|s| s.name_id))
            {
                names.push(idx.strings.get_or(id));
            }
        }
    }
    for f in idx.stacks.frames.values() {
        names.push(idx.strings.get_or(f.method_name));
        names.push(idx.strings.get_or(f.source_file));
    }
    names.extend(threads.threads.iter().map(|t| t.name.clone()));
    names
}

/// Without `include_values`, none of the dump's String contents: every String of 6
/// characters or more (the crate's own reader, whole; spaces around it trimmed) is looked for in the report's text
/// (entities turned back). Left out of the search, because the report shows them as
/// structure, or because the text around them would match anyway: Strings contained in a
/// class, field, static, method, source-file or thread name or the file name (the JVM
/// keeps many names as Strings too, and a short String can be a piece of a class name),
/// and Strings that the report of a tiny dump with no Strings at all holds (its own
/// words: a dump may hold the String "retained" or "Finalizers").
#[test]
fn without_values_the_report_holds_no_string_of_the_dump() {
    let template = {
        let bytes = tiny_dump("Evil");
        let mut s = analysed(&bytes);
        unescape(&report(&mut s, false, "x"))
    };
    let (mut checked_total, mut shown_total) = (0, 0);
    for name in FIXTURES {
        let bytes = fixture_bytes(name);
        let mut s = analysed(&bytes);
        let html = unescape(&report(&mut s, false, name));
        let with = unescape(&report(&mut s, true, name));
        let threads: Threads = s.ask(&Query::Threads { max_locals: 20 }).expect("threads");
        let heap = s.heap().expect("heap");
        let names = structure_names(heap, &threads, name);
        let mut src: Vec<u8> = bytes.clone();
        let strings = heap.instances_of(heap.index.classes.by_name("java.lang.String"));
        assert!(!strings.is_empty(), "{name}: no String objects");
        let mut seen = HashSet::new();
        let (mut checked, mut shown_with_values) = (0, 0);
        for o in strings {
            let Ok(Some(v)) = value_of(heap, &mut src, o, 1 << 20) else {
                continue;
            };
            // Surrounding spaces are the report's own between words.
            let v = v.trim().to_string();
            if v.chars().count() < 6 || !seen.insert(v.clone()) {
                continue;
            }
            if names.iter().any(|n| n.contains(v.as_str())) || template.contains(v.as_str()) {
                continue;
            }
            checked += 1;
            assert!(
                !html.contains(v.as_str()),
                "{name}: the report without values holds the String {v:?}"
            );
            if with.contains(v.as_str()) {
                shown_with_values += 1;
            }
        }
        assert!(checked > 100, "{name}: only {checked} Strings checked");
        checked_total += checked;
        shown_total += shown_with_values;
    }
    assert!(checked_total > 1000);
    // The search can fail: the same reports with values hold some of these Strings.
    assert!(
        shown_total >= 8,
        "only {shown_total} Strings in the reports with values"
    );
}

#[test]
fn the_report_loads_nothing_and_allows_only_its_style_sheet() {
    let bytes = fixture_bytes("timer_finalizer.hprof");
    let mut s = analysed(&bytes);
    for include_values in [false, true] {
        let html = report(&mut s, include_values, "timer_finalizer.hprof");
        let csp = "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'sha256-";
        assert!(html.contains(csp));
        assert_eq!(html.matches("<style>").count(), 1);
        for banned in [
            "<script", "<img", "<link", "<iframe", "<object", "url(", "@import",
        ] {
            assert!(!html.contains(banned), "{banned}");
        }
        // Every src= and href= is a # anchor (data: URIs would be allowed; there are none).
        for attr in ["src=", "href="] {
            for (at, _) in html.match_indices(attr) {
                let rest = &html[at + attr.len()..];
                assert!(
                    rest.starts_with("\"#") || rest.starts_with("\"data:"),
                    "{attr}{}",
                    &rest[..rest.len().min(60)]
                );
            }
        }
        // Each anchor leads to a section of the report.
        for (at, _) in html.match_indices("href=\"#") {
            let id = &html[at + 7..];
            let id = &id[..id.find('"').expect("quote")];
            assert!(html.contains(&format!("id=\"{id}\"")), "#{id}");
        }
        // The same analysis gives the same bytes (no clock, no nonce).
        assert_eq!(
            html,
            report(&mut s, include_values, "timer_finalizer.hprof")
        );
    }
}

/// A dump whose one big object is of class `name` (a leak suspect, the top of the
/// histogram and of the dominator tree), holding an `int[]` of 100 000 elements.
fn tiny_dump(name: &str) -> Vec<u8> {
    use heapscope::format::tags::{BasicType, SubTag};
    use heapscope::format::writer::HprofWriter;
    let mut w = HprofWriter::new(8);
    let (obj, holder, arr_class) = (0x100u64, 0x200u64, 0x300u64);
    for (id, s) in [(1, "java/lang/Object"), (2, name), (3, "[I"), (4, "data")] {
        w.utf8(id, s);
    }
    w.load_class(1, obj, 1)
        .load_class(2, holder, 2)
        .load_class(3, arr_class, 3);
    let (h, a) = (0x1000u64, 0x2000u64);
    w.begin_segment()
        .class_dump(obj, 0, 0, 0, &[], &[])
        .class_dump(holder, obj, 0, 8, &[], &[(4, BasicType::OBJECT)])
        .class_dump(arr_class, obj, 0, 0, &[], &[]);
    let data = w.fields(&[(BasicType::OBJECT, a)]);
    w.instance(h, holder, &data)
        .prim_array(a, BasicType::INT, 100_000, &vec![0u8; 400_000])
        .root_simple(SubTag::HPROF_GC_ROOT_JNI_GLOBAL, h);
    w.heap_dump_end();
    w.finish()
}

#[test]
fn a_hostile_class_name_is_escaped() {
    let evil = "Evil<script>alert(\"&x\")<.script><img src=x onerror='y'>";
    let bytes = tiny_dump(evil);
    let mut s = analysed(&bytes);
    let html = report(&mut s, true, "<b>dump</b>.hprof");
    assert!(!html.contains("<script"));
    assert!(!html.contains("<img"));
    assert!(!html.contains("<b>dump"));
    let escaped = "Evil&lt;script&gt;alert(&quot;&amp;x&quot;)&lt;.script&gt;&lt;img src=x onerror=&#39;y&#39;&gt;";
    assert!(
        html.matches(escaped).count() >= 3,
        "histogram, dominator tree and suspect"
    );
    assert!(html.contains("&lt;b&gt;dump&lt;/b&gt;.hprof"));
}

/// `heapscope report`: the file of `-o` and stdout (a pipe here) get the query's bytes; a
/// failed run leaves no file.
#[test]
fn the_cli_writes_the_querys_bytes_to_a_file_or_a_pipe() {
    use std::process::Command;
    let dump = fixture("timer_finalizer.hprof");
    let bytes = fixture_bytes("timer_finalizer.hprof");
    let mut s = analysed(&bytes);
    let expected = report(&mut s, true, "timer_finalizer.hprof");
    let dir = std::env::temp_dir().join(format!("heapscope-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let out = dir.join("r.html");
    let run = |args: &[&std::ffi::OsStr]| {
        Command::new(env!("CARGO_BIN_EXE_heapscope"))
            .args(args)
            .output()
            .expect("runs")
    };
    let o = run(&[
        "report".as_ref(),
        dump.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
        "--include-values".as_ref(),
        "--quiet".as_ref(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read_to_string(&out).expect("written"), expected);
    let piped = run(&[
        "report".as_ref(),
        dump.as_os_str(),
        "--include-values".as_ref(),
    ]);
    assert!(piped.status.success());
    assert_eq!(String::from_utf8(piped.stdout).expect("utf-8"), expected);
    // A dump that is no dump: one error line, and no file.
    let bad = dir.join("bad.hprof");
    std::fs::write(&bad, b"not a heap dump at all").expect("write");
    let missing = dir.join("none.html");
    let o = run(&[
        "report".as_ref(),
        bad.as_os_str(),
        "-o".as_ref(),
        missing.as_os_str(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).starts_with("error: "));
    assert!(!missing.exists());
    std::fs::remove_dir_all(&dir).ok();
}

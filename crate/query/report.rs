//! The shareable report ([`Query::HtmlReport`](super::Query::HtmlReport)): one self-contained HTML
//! file written from a finished analysis, the same bytes from the CLI (`heapscope report`)
//! and the page ("Save report"), since both ask this module.
//!
//! What it holds: the overview and findings, the histogram's top classes, the dominator
//! tree's top two levels, the leak suspects with their paths, the Finalizer and Timer
//! diagnosis, and the threads with their frames; the dump's file name, when it was taken
//! and the Heapscope version; a visible note saying whether values are included.
//!
//! **Values.** Without `include_values` the report holds the dump's *structure* only:
//! class, field, method and source-file names, thread names, object IDs (addresses),
//! counts and sizes. It holds no *value*: no String text, no primitive field or array
//! value, and nothing computed from one that would disclose it (a Timer task's due time is
//! read from its `nextExecutionTime` field, so it is left out; the counts of cancelled
//! tasks, which come from the tasks' `state`, are the finding itself and stay). Thread
//! names are `Thread.name` Strings an application chooses: they are shown as structure,
//! and the note says that they can carry data. With `include_values`, the values the
//! analyses show are added: String text (shortened, as every report shortens it) of the
//! objects on paths and in thread frames, and the Timer due times.
//!
//! **Self-contained and offline.** Inline style only, no script, no image, no font, no
//! link out of the document (only `#` anchors between its sections); a
//! Content-Security-Policy `<meta>` with `default-src 'none'` that allows the one style
//! sheet by its SHA-256 hash. The bytes depend on the analysis only (no clock, no nonce):
//! the same dump gives the same file. Readable in light and dark (`prefers-color-scheme`),
//! and printable (`@media print` opens every section).
//!
//! **Escaping.** Every string from the dump (class names can hold `<`, `&` and quotes)
//! goes through [`esc`], in text and in attributes alike.

use super::sha256::{base64, sha256};
use crate::analysis::dominators_report::{DomNode, DomTree};
use crate::analysis::finalizers::{FinalizerReport, Holder, TimerQueue, due_clause, timer_advice};
use crate::analysis::histogram::Histogram;
use crate::analysis::objects::ObjRef;
use crate::analysis::summary::{GraphSummary, Summary};
use crate::analysis::suspects::{PathStep, Suspect, SuspectsReport};
use crate::analysis::threads::ThreadView;
use crate::text::{group_digits, human_bytes};
use std::fmt::Write;

/// Classes of the histogram listed.
pub const HISTOGRAM_ROWS: usize = 50;
/// Objects of the dominator tree's top level listed (and children per object in the
/// level below: [`DOMINATOR_CHILDREN`]).
pub const DOMINATOR_ROWS: usize = 20;
/// Children listed under each top-level object of the dominator tree.
pub const DOMINATOR_CHILDREN: usize = 5;
/// Locals listed per thread frame.
pub const THREAD_LOCALS: u32 = 5;
/// Rows of each "top consumers" list of the overview (as the page's overview).
const TOP: usize = 8;

/// What the report is written from: the answers of the analyses, and how to write it.
pub struct ReportParts<'a> {
    /// The dump's file name as the user knows it (no directory).
    pub file_name: &'a str,
    /// Whether values (String text, Timer due times) are written.
    pub include_values: bool,
    /// `heapscope summary`.
    pub summary: &'a Summary,
    /// The object graph's totals.
    pub graph: &'a GraphSummary,
    /// The histogram, sorted by retained bytes (the first [`HISTOGRAM_ROWS`] are shown).
    pub histogram: &'a Histogram,
    /// The dominator tree's top levels.
    pub dominators: &'a DomTree,
    /// Leak suspects.
    pub suspects: &'a SuspectsReport,
    /// The Finalizer and Timer analysis.
    pub finalizers: &'a FinalizerReport,
    /// The threads.
    pub threads: &'a [ThreadView],
}

/// The report's style sheet: the only inline content the Content-Security-Policy allows
/// (by its hash).
const STYLE: &str = r#"
:root{color-scheme:light dark;--fg:#1d232b;--muted:#5b6673;--bg:#fff;--card:#f6f7f9;--line:#d9dee4;--accent:#1f5fbf;--warn-bg:#fff4d6;--warn-line:#e0b34a;--ok-bg:#e5f3ea;--ok-line:#5fa877}
@media (prefers-color-scheme:dark){:root{--fg:#e4e8ed;--muted:#9aa5b1;--bg:#14181d;--card:#1d232b;--line:#343d48;--accent:#7fb0ff;--warn-bg:#3a2f12;--warn-line:#a3842e;--ok-bg:#17301f;--ok-line:#3f7f55}}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header,main,footer,nav{max-width:72rem;margin:0 auto;padding:0 1.25rem}
header{padding-top:1.25rem}
h1{font-size:1.5rem;margin:0 0 .5rem}
h1 .file{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-weight:500;word-break:break-all}
h2{font-size:1.2rem;margin:1.75rem 0 .5rem;border-bottom:1px solid var(--line);padding-bottom:.25rem}
h3{font-size:1rem;margin:1rem 0 .35rem}
a{color:var(--accent)}
code,.id,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em;word-break:break-all}
.id{color:var(--muted)}
.muted{color:var(--muted)}
.note{font-size:.9em;color:var(--muted);margin:.25rem 0 .75rem}
dl.meta,dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:.5rem 0}
dl.meta dt,dl.facts dt{color:var(--muted)}
dl.meta dd,dl.facts dd{margin:0}
.values-note{border:1px solid var(--ok-line);background:var(--ok-bg);border-radius:6px;padding:.6rem .8rem;margin:.75rem 0}
.values-note.with{border-color:var(--warn-line);background:var(--warn-bg)}
nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:.25rem 1rem;padding:.5rem 0;margin:0;border-bottom:1px solid var(--line)}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(11rem,1fr));gap:.6rem;margin:.75rem 0}
.tile{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.5rem .7rem}
.tile .label{display:block;color:var(--muted);font-size:.85em}
.tile .value{display:block;font-size:1.3rem;font-weight:600}
.tile .sub{display:block;color:var(--muted);font-size:.8em}
.card{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.6rem .9rem;margin:.6rem 0}
table{border-collapse:collapse;width:100%;margin:.4rem 0 .8rem;font-size:.92em}
th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--muted)}
td.num,th.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
tr.child td:first-child{padding-left:1.75rem}
tr.child td{font-size:.95em}
ol.path,ol.chain,ol.frames{margin:.25rem 0 .5rem;padding-left:1.5rem}
ol.path li,ol.chain li{margin:.1rem 0}
.field{color:var(--muted);font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
.dump-value{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em;background:var(--warn-bg);border-radius:3px;padding:0 .2rem;word-break:break-all}
ul.locals{margin:.1rem 0 .3rem;padding-left:1.25rem;list-style:none}
details{margin:.4rem 0}
details>summary{cursor:pointer}
.badge{display:inline-block;border:1px solid var(--line);border-radius:999px;padding:0 .5rem;font-size:.8em;color:var(--muted);margin-left:.5rem}
ul.sentences{padding-left:1.25rem}
footer{color:var(--muted);font-size:.85em;border-top:1px solid var(--line);margin-top:2rem;padding-top:.75rem;padding-bottom:2rem}
@media print{body{font-size:11pt;background:#fff;color:#000}nav{display:none}.card,.tile{break-inside:avoid}details>summary{list-style:none}h2{break-after:avoid}a{color:inherit;text-decoration:none}.dump-value,.values-note,.values-note.with{background:none}}
"#;

/// `s` escaped for HTML text and double- or single-quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Controls (a class name may hold any byte) are shown, not obeyed.
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// A count, grouped by threes with a no-break space (one number format).
fn count(n: u64) -> String {
    group_digits(n).replace(' ', "\u{a0}")
}

/// A byte size for people, its exact count in the title.
fn bytes(n: u64) -> String {
    format!(
        "<span title=\"{} bytes\">{}</span>",
        count(n),
        human_bytes(n).replace(' ', "\u{a0}")
    )
}

/// `12.3 %` of a total (`–` without one), as the page writes it.
fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "–".into();
    }
    share(part as f64 / whole as f64)
}

/// A share (a fraction) as a percentage.
fn share(x: f64) -> String {
    let p = 100.0 * x;
    if p > 0.0 && p < 0.1 {
        "&lt;0.1\u{a0}%".into()
    } else {
        format!("{p:.1}\u{a0}%")
    }
}

/// A time since the epoch in UTC, to the second (`2024-03-05 14:02:11 UTC`).
fn utc(ms: i64) -> String {
    crate::text::utc(ms, false)
}

/// Text in which `` `code` `` spans (the analyses' sentences mark names so) become
/// `<code>`; everything escaped.
fn prose(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in s.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{}</code>", esc(part));
        } else {
            out.push_str(&esc(part));
        }
    }
    out
}

/// The writer: the HTML under construction and whether values are written.
struct W {
    out: String,
    values: bool,
}

impl W {
    fn s(&mut self, s: &str) {
        self.out.push_str(s);
    }

    /// An object: class, ID, and (with `retained`) its retained size; its value when
    /// values are written.
    fn obj(&self, o: &ObjRef, retained: bool) -> String {
        let mut s = format!(
            "<code>{}</code> <span class=\"id\">{}</span>",
            esc(&o.class),
            esc(&o.object)
        );
        if self.values
            && let Some(v) = &o.value
        {
            let _ = write!(
                s,
                " <span class=\"dump-value\">{}</span>",
                esc(&format!("{v:?}"))
            );
        }
        if retained {
            let _ = write!(
                s,
                " <span class=\"muted\">retains</span> {}",
                bytes(o.retained_bytes)
            );
        }
        s
    }

    fn tile(&mut self, label: &str, value: &str, sub: &str) {
        let _ = write!(
            self.out,
            "<div class=\"tile\"><span class=\"label\">{label}</span><span class=\"value\">{value}</span><span class=\"sub\">{sub}</span></div>"
        );
    }

    fn facts(&mut self, pairs: &[(&str, String)]) {
        self.s("<dl class=\"facts\">");
        for (k, v) in pairs {
            let _ = write!(self.out, "<dt>{k}</dt><dd>{v}</dd>");
        }
        self.s("</dl>");
    }
}

/// Writes the report.
pub fn html(p: &ReportParts<'_>) -> String {
    let mut w = W {
        out: String::with_capacity(64 * 1024),
        values: p.include_values,
    };
    let hash = base64(&sha256(STYLE.as_bytes()));
    let version = env!("CARGO_PKG_VERSION");
    let name = if p.file_name.is_empty() {
        "(unnamed dump)".to_string()
    } else {
        esc(p.file_name)
    };
    let _ = write!(
        w.out,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'sha256-{hash}'; base-uri 'none'; form-action 'none'\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n\
         <meta name=\"generator\" content=\"Heapscope {version}\">\n\
         <title>Heap dump report: {name}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
    );
    header(&mut w, p, &name, version);
    w.s("<nav><ul><li><a href=\"#overview\">Overview</a></li><li><a href=\"#histogram\">Histogram</a></li>\
         <li><a href=\"#dominators\">Dominator tree</a></li><li><a href=\"#suspects\">Leak suspects</a></li>\
         <li><a href=\"#finalizers\">Finalizers and Timers</a></li><li><a href=\"#threads\">Threads</a></li></ul></nav>\n<main>\n");
    overview(&mut w, p);
    histogram(&mut w, p);
    dominators(&mut w, p.dominators);
    suspects(&mut w, p.suspects);
    finalizers(&mut w, p.finalizers);
    threads(&mut w, p.threads);
    let _ = write!(
        w.out,
        "</main>\n<footer>Written by Heapscope {version} from <span class=\"mono\">{name}</span>. {} \
         This file is self-contained: it loads nothing and sends nothing.</footer>\n</body>\n</html>\n",
        if p.include_values {
            "With values."
        } else {
            "Without values."
        }
    );
    w.out
}

fn header(w: &mut W, p: &ReportParts<'_>, name: &str, version: &str) {
    let s = p.summary;
    let _ = write!(
        w.out,
        "<header>\n<h1>Heap dump report: <span class=\"file\">{name}</span></h1>\n<dl class=\"meta\">\
         <dt>Dump file</dt><dd class=\"mono\">{name}</dd>"
    );
    if s.timestamp_ms > 0 {
        let _ = write!(
            w.out,
            "<dt>Taken</dt><dd>{}</dd>",
            utc(i64::try_from(s.timestamp_ms).unwrap_or(i64::MAX))
        );
    }
    let _ = write!(
        w.out,
        "<dt>Format</dt><dd>{} ({}-bit identifiers)</dd><dt>Written by</dt><dd>Heapscope {version}</dd></dl>",
        esc(&s.format),
        u32::from(s.id_size) * 8
    );
    if p.include_values {
        w.s(
            "<p class=\"values-note with\" id=\"values-note\" data-values=\"included\"><strong>Values included.</strong> \
             This report holds values read from the dump: the text of Strings (shortened) on the \
             paths and in the threads' frames, and the due times of Timer tasks. It can hold \
             customer data, passwords or tokens: share it only where the dump itself may go.</p>\n",
        );
    } else {
        w.s(
            "<p class=\"values-note\" id=\"values-note\" data-values=\"none\"><strong>No values.</strong> \
             This report holds no field values and no String contents of the dump: only its \
             structure (class, field, method and source-file names, object IDs, counts and \
             sizes). Thread names are shown; an application chooses them, and some put data in \
             them (a user or a request).</p>\n",
        );
    }
    if let Some(d) = &s.damaged {
        let _ = write!(
            w.out,
            "<p class=\"values-note with\"><strong>Damaged dump.</strong> Analysed up to byte {}: {}. \
             Every figure describes what was read; counts and sizes are lower bounds.</p>",
            count(d.offset),
            esc(&d.error)
        );
    }
    w.s("</header>\n");
}

fn overview(w: &mut W, p: &ReportParts<'_>) {
    let (s, g) = (p.summary, p.graph);
    let roots: u64 = s.gc_roots.values().sum();
    w.s("<section id=\"overview\">\n<h2>Overview</h2>\n<div class=\"tiles\">");
    w.tile(
        "Heap size",
        &bytes(s.shallow_bytes),
        &format!("{} bytes, shallow", count(s.shallow_bytes)),
    );
    w.tile(
        "Reachable heap",
        &bytes(g.reachable_bytes),
        &format!(
            "{} of the heap is reachable from GC roots",
            percent(g.reachable_bytes, s.shallow_bytes)
        ),
    );
    w.tile(
        "Objects",
        &count(s.objects),
        &format!(
            "{} instances, {} arrays",
            count(s.instances),
            count(s.object_arrays + s.primitive_arrays)
        ),
    );
    w.tile(
        "Classes",
        &count(s.classes),
        &format!(
            "{} of them have instances",
            count(p.histogram.total_classes)
        ),
    );
    w.tile("GC roots", &count(roots), "root records");
    w.tile(
        "Unreachable objects",
        &count(g.unreachable_objects),
        &format!(
            "{}: garbage the next collection would free; left out of retained sizes",
            human_bytes(g.unreachable_bytes).replace(' ', "\u{a0}")
        ),
    );
    w.s("</div>\n<h3>Findings</h3>\n<ul class=\"sentences\" id=\"findings\">");
    let sp = p.suspects;
    match sp.suspects.first() {
        Some(first) => {
            let _ = write!(
                w.out,
                "<li>{} <a href=\"#suspects\">Leak suspects</a></li>",
                prose(first_sentence(&first.description))
            );
        }
        None => {
            let _ = write!(
                w.out,
                "<li>No leak suspect: nothing retains more than {} of the reachable heap.</li>",
                share(sp.threshold)
            );
        }
    }
    let f = p.finalizers;
    let notable = sp.suspects.iter().any(|s| s.kind == "finalizer");
    if f.finalizers > 0 && !notable {
        let _ = write!(
            w.out,
            "<li>{} java.lang.ref.Finalizer objects and their referents retain {}, below the {} of \
             the reachable heap at which they are a finding. <a href=\"#finalizers\">Finalizers</a></li>",
            count(f.finalizers),
            bytes(f.retained_bytes + f.referents_retained_bytes),
            share(sp.finalizer_threshold)
        );
    } else if f.finalizers > 0 {
        let sentence = f
            .holders
            .first()
            .map(|h| h.summary.as_str())
            .or_else(|| f.findings.first().map(String::as_str))
            .unwrap_or("");
        let _ = write!(
            w.out,
            "<li>{} <a href=\"#finalizers\">Finalizers</a></li>",
            prose(first_sentence(sentence))
        );
    } else {
        w.s("<li>No java.lang.ref.Finalizer objects: nothing waits for finalization.</li>");
    }
    for t in f.timers.iter().filter(|t| t.cancelled_tasks > 0) {
        let _ = write!(
            w.out,
            "<li>A java.util.Timer{} holds {} cancelled of {} tasks. <a href=\"#finalizers\">Timers</a></li>",
            t.thread
                .as_ref()
                .map(|n| format!(" ('{}')", esc(n)))
                .unwrap_or_default(),
            count(t.cancelled_tasks),
            count(t.tasks)
        );
    }
    w.s("</ul>\n<h3>What uses the memory</h3>\n");
    // Top consumers: classes by retained size and the biggest objects.
    w.s("<table id=\"top-classes\"><thead><tr><th>Classes by retained size</th><th class=\"num\">Retained size ≥</th><th class=\"num\">Share</th></tr></thead><tbody>");
    for r in p.histogram.classes.iter().take(TOP) {
        let ret = r.retained_bytes.unwrap_or(0);
        let _ = write!(
            w.out,
            "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&r.name),
            bytes(ret),
            percent(ret, g.reachable_bytes)
        );
    }
    w.s("</tbody></table>\n<p class=\"note\">What would be freed with every instance of the class (a lower bound: classes share what they keep).</p>\n");
    w.s("<table id=\"top-objects\"><thead><tr><th>Biggest objects</th><th class=\"num\">Retained</th><th class=\"num\">Share</th></tr></thead><tbody>");
    for n in p.dominators.roots.iter().take(TOP) {
        let _ = write!(
            w.out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            w.obj(&n.object, false),
            bytes(n.object.retained_bytes),
            percent(n.object.retained_bytes, g.reachable_bytes)
        );
    }
    w.s("</tbody></table>\n<p class=\"note\">The objects that retain the most, at the top of the dominator tree.</p>\n");
    let mut roots: Vec<(&&str, &u64)> = s.gc_roots.iter().collect();
    roots.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    w.s("<h3>The dump</h3>");
    w.facts(&[
        ("Instances", count(s.instances)),
        ("Object arrays", count(s.object_arrays)),
        ("Primitive arrays", count(s.primitive_arrays)),
        (
            "Class objects",
            count(
                s.objects
                    .saturating_sub(s.instances + s.object_arrays + s.primitive_arrays),
            ),
        ),
        ("References", count(g.references)),
        (
            "GC roots by kind",
            roots
                .iter()
                .map(|(k, n)| format!("{} {}", esc(root_kind(k)), count(**n)))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (
            "Size model",
            format!(
                "{}-byte object header, {}-byte references, {} field layout; compressed oops: {}",
                s.size_model.header_bytes,
                s.size_model.reference_bytes,
                esc(s.size_model.field_layout),
                if s.compressed_oops { "yes" } else { "no" }
            ),
        ),
    ]);
    if !s.diagnostics.is_empty() {
        w.s("<h3>Diagnostics</h3><table><thead><tr><th>Severity</th><th>What</th><th class=\"num\">Count</th><th>Meaning</th></tr></thead><tbody>");
        for d in &s.diagnostics {
            let _ = write!(
                w.out,
                "<tr><td>{:?}</td><td><code>{}</code></td><td class=\"num\">{}</td><td>{}</td></tr>",
                d.severity,
                esc(d.key),
                count(d.count),
                esc(d.help)
            );
        }
        w.s("</tbody></table>");
    }
    w.s("</section>\n");
}

/// The first sentence of a description, as the page's `firstSentence` cuts it: up to the
/// first `.`, `!` or `?` followed by spaces and a capital, a digit, `` ` `` or `'`.
fn first_sentence(s: &str) -> &str {
    for (i, c) in s.char_indices() {
        if !matches!(c, '.' | '!' | '?') {
            continue;
        }
        let rest = s.get(i + 1..).unwrap_or("");
        let after = rest.trim_start();
        if after.len() < rest.len()
            && after.chars().next().is_some_and(|n| {
                n.is_ascii_uppercase() || n.is_ascii_digit() || n == '`' || n == '\''
            })
        {
            return s.get(..=i).unwrap_or(s);
        }
    }
    s
}

/// A GC root kind in Eclipse MAT's words, as the page shows it (`java_frame` → `Java
/// local`); an unknown key as it is.
fn root_kind(kind: &str) -> &str {
    match kind {
        "unknown" => "Unknown",
        "jni_global" => "JNI global",
        "jni_local" => "JNI local",
        "java_frame" => "Java local",
        "native_stack" => "Native stack",
        "sticky_class" => "System class",
        "thread_block" => "Thread block",
        "monitor_used" => "Busy monitor",
        "thread_object" => "Thread",
        "interned_string" => "Interned string",
        "finalizing" => "Finalizable",
        "debugger" => "Debugger",
        "reference_cleanup" => "Reference cleanup",
        "vm_internal" => "VM internal",
        "jni_monitor" => "JNI monitor",
        "unreachable" => "Unreachable",
        k => k,
    }
}

fn histogram(w: &mut W, p: &ReportParts<'_>) {
    let h = p.histogram;
    let _ = write!(
        w.out,
        "<section id=\"histogram\">\n<h2>Histogram</h2>\n<p class=\"note\">The {} classes that retain the most, of {} classes with instances ({} objects, {} shallow in all).</p>\n\
         <table><thead><tr><th>Class</th><th class=\"num\">Objects</th><th class=\"num\">Shallow size</th>\
         <th class=\"num\" title=\"Minimum retained size (Eclipse MAT's term): the retained sizes of the instances no other instance of the class dominates\">Retained size ≥</th></tr></thead><tbody>",
        count(h.classes.len().min(HISTOGRAM_ROWS) as u64),
        count(h.total_classes),
        count(h.total_instances),
        bytes(h.total_shallow_bytes)
    );
    for r in h.classes.iter().take(HISTOGRAM_ROWS) {
        let _ = write!(
            w.out,
            "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&r.name),
            count(r.instances),
            bytes(r.shallow_bytes),
            r.retained_bytes.map_or_else(|| "–".into(), bytes)
        );
    }
    w.s("</tbody></table>\n<p class=\"note\">Retained size ≥ is a lower bound (Eclipse MAT's minimum retained size): the retained sizes of the instances that no other instance of the class dominates. What all instances keep alive together can be more, when they share what they hold.</p>\n</section>\n");
}

fn dominators(w: &mut W, t: &DomTree) {
    let _ = write!(
        w.out,
        "<section id=\"dominators\">\n<h2>Dominator tree</h2>\n<p class=\"note\">The objects that keep the most of the {} reachable heap alive, and under each the biggest objects it keeps alive alone (the top two levels).</p>\n\
         <table><thead><tr><th>Object</th><th class=\"num\">Shallow</th><th class=\"num\">Retained</th><th class=\"num\">Share</th></tr></thead><tbody>",
        human_bytes(t.reachable_bytes).replace(' ', "\u{a0}")
    );
    let row = |w: &mut W, n: &DomNode, child: bool| {
        let o = w.obj(&n.object, false);
        let _ = write!(
            w.out,
            "<tr{}><td>{}{o}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            if child { " class=\"child\"" } else { "" },
            if child { "↳ " } else { "" },
            bytes(n.object.shallow_bytes),
            bytes(n.object.retained_bytes),
            percent(n.object.retained_bytes, t.reachable_bytes)
        );
    };
    for n in t.roots.iter().take(DOMINATOR_ROWS) {
        row(w, n, false);
        for c in n.children.iter().take(DOMINATOR_CHILDREN) {
            row(w, c, true);
        }
    }
    w.s("</tbody></table>\n</section>\n");
}

fn suspect_kind(kind: &str) -> &str {
    match kind {
        "object" => "One object",
        "class" => "Many instances of one class",
        "finalizer" => "Finalizers",
        k => k,
    }
}

fn path(w: &W, steps: &[PathStep]) -> String {
    let mut s = String::from("<ol class=\"path\">");
    for (i, st) in steps.iter().enumerate() {
        s.push_str("<li>");
        if i == 0 {
            s.push_str("<span class=\"muted\">GC root </span>");
        } else {
            let _ = write!(
                s,
                "<span class=\"field\">.{} →</span> ",
                esc(st.field.as_deref().unwrap_or("?"))
            );
        }
        s.push_str(&w.obj(&st.object, true));
        s.push_str("</li>");
    }
    s.push_str("</ol>");
    s
}

fn suspects(w: &mut W, r: &SuspectsReport) {
    let _ = write!(
        w.out,
        "<section id=\"suspects\">\n<h2>Leak suspects</h2>\n<p class=\"note\">Objects, classes and the Finalizer queue that retain more than {} of the {} reachable heap.</p>\n",
        share(r.threshold),
        human_bytes(r.reachable_bytes).replace(' ', "\u{a0}")
    );
    if r.suspects.is_empty() {
        let _ = write!(
            w.out,
            "<p class=\"card\">No suspect: nothing retains more than {} of the reachable heap.</p>",
            share(r.threshold)
        );
    }
    for (i, s) in r.suspects.iter().enumerate() {
        suspect(w, i, s);
    }
    w.s("</section>\n");
}

fn suspect(w: &mut W, i: usize, s: &Suspect) {
    let _ = write!(
        w.out,
        "<div class=\"card suspect\"><h3>Suspect {}<span class=\"badge\">{}</span> · {} <span class=\"muted\">· {} of the reachable heap</span></h3><p>{}</p>",
        i + 1,
        esc(suspect_kind(s.kind)),
        bytes(s.retained_bytes),
        share(s.heap_share),
        prose(&s.description)
    );
    let mut facts = Vec::new();
    if let Some(c) = &s.class {
        facts.push((
            "Class",
            format!(
                "<code>{}</code>{}",
                esc(c),
                s.instances
                    .map(|n| format!(" ({} instances)", count(n)))
                    .unwrap_or_default()
            ),
        ));
    }
    if let Some(o) = &s.object {
        let label = if s.kind == "object" {
            "Object"
        } else {
            "Biggest instance"
        };
        facts.push((label, w.obj(o, true)));
    }
    if let Some(o) = &s.accumulation_point {
        facts.push(("Accumulation point", w.obj(o, true)));
    }
    w.facts(&facts);
    if !s.merged.is_empty() {
        w.s("<h3>The same leak, also found as</h3><ul class=\"sentences\">");
        for m in &s.merged {
            let _ = write!(w.out, "<li>{}</li>", prose(m));
        }
        w.s("</ul>");
    }
    if !s.accumulated_by_class.is_empty() {
        w.s("<h3>Accumulated objects by class</h3><table><thead><tr><th>Class</th><th class=\"num\">Objects</th><th class=\"num\">Shallow</th><th class=\"num\">Retained</th></tr></thead><tbody>");
        for c in &s.accumulated_by_class {
            let _ = write!(
                w.out,
                "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                esc(&c.class),
                count(c.objects),
                bytes(c.shallow_bytes),
                bytes(c.retained_bytes)
            );
        }
        w.s("</tbody></table>");
    }
    if !s.path_from_root.is_empty() {
        let p = path(w, &s.path_from_root);
        let _ = write!(w.out, "<h3>Shortest path from a GC root</h3>{p}");
    }
    w.s("</div>\n");
}

fn holder(w: &mut W, x: &Holder) {
    let _ = write!(
        w.out,
        "<div class=\"card holder\"><p>{}.</p><ol class=\"chain\">",
        prose(&x.summary)
    );
    let mut targets: Vec<String> = x.path.iter().skip(1).map(|s| esc(&s.class)).collect();
    targets.push(format!("{} ×{}", esc(&x.class), count(x.referents)));
    for (i, st) in x.path.iter().enumerate() {
        if i == 0 {
            let _ = write!(w.out, "<li><code>{}</code></li>", esc(&st.class));
        }
        let _ = write!(
            w.out,
            "<li><span class=\"field\">{} →</span> <code>{}</code></li>",
            esc(&st.field),
            targets.get(i).map_or("", String::as_str)
        );
    }
    w.s("</ol>");
    let facts = [
        ("Held by", w.obj(&x.holder, false)),
        ("Accumulation point", w.obj(&x.accumulation_point, true)),
        (
            "Freed if it let go",
            format!(
                "{}, {} of the {} referents",
                bytes(x.retained_bytes),
                count(x.freed_referents),
                count(x.referents)
            ),
        ),
    ];
    w.facts(&facts);
    w.s("</div>\n");
}

fn timer(w: &mut W, t: &TimerQueue) {
    let _ = write!(
        w.out,
        "<div class=\"card timer\"><h3>Timer {}</h3><p><strong>{} cancelled of {} tasks</strong> still in the queue {}</p>",
        t.thread.as_ref().map_or_else(
            || "<span class=\"muted\">(no thread runs this queue)</span>".to_string(),
            |n| format!("'{}'", esc(n))
        ),
        count(t.cancelled_tasks),
        count(t.tasks),
        w.obj(&t.queue, true)
    );
    let mut facts = vec![(
        "Head task",
        format!(
            "{}{}",
            t.head_task_class
                .as_ref()
                .map_or_else(|| "–".to_string(), |c| format!("<code>{}</code>", esc(c))),
            if t.head_task_cancelled {
                " (cancelled)"
            } else {
                ""
            }
        ),
    )];
    if w.values {
        let due = match (t.head_task_time_ms, t.head_task_due_in_ms) {
            (Some(at), due) => format!(
                "{}{}",
                utc(at),
                match due {
                    Some(d) if d >= 0 => format!(", {} after the dump", span(d)),
                    Some(d) => format!(", overdue by {}", span(d)),
                    None => String::new(),
                }
            ),
            (None, _) => "–".into(),
        };
        facts.push(("Due", due));
    }
    if !t.cancelled_task_classes.is_empty() {
        facts.push((
            "Cancelled tasks",
            t.cancelled_task_classes
                .iter()
                .map(|(c, n)| format!("{} <code>{}</code>", count(*n), esc(c)))
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }
    w.facts(&facts);
    if t.cancelled_tasks > 0 {
        let when = w.values.then(|| due_clause(t.head_task_due_in_ms));
        let _ = write!(
            w.out,
            "<p>{}</p>",
            esc(&timer_advice(t.cancelled_tasks, t.tasks, when.as_deref()))
        );
    }
    w.s("</div>\n");
}

/// A time span for people, as the page's `span`: `45 s`, `50 min`, `2.5 h`, `3.0 d`.
fn span(ms: i64) -> String {
    let s = ms.unsigned_abs() as f64 / 1000.0;
    if s < 90.0 {
        format!("{s:.0}\u{a0}s")
    } else if s < 90.0 * 60.0 {
        format!("{:.0}\u{a0}min", s / 60.0)
    } else if s < 48.0 * 3600.0 {
        format!("{:.1}\u{a0}h", s / 3600.0)
    } else {
        format!("{:.1}\u{a0}d", s / 86400.0)
    }
}

fn finalizers(w: &mut W, f: &FinalizerReport) {
    w.s("<section id=\"finalizers\">\n<h2>Finalizers and Timers</h2>\n<div class=\"tiles\">");
    w.tile(
        "Finalizers",
        &count(f.finalizers),
        &format!(
            "java.lang.ref.Finalizer, {} shallow",
            human_bytes(f.shallow_bytes)
        ),
    );
    w.tile(
        "Retained by the Finalizers",
        &bytes(f.retained_bytes),
        &format!("{} of the reachable heap", share(f.heap_share)),
    );
    w.tile(
        "Referents",
        &count(f.referents),
        &format!("{} shallow", human_bytes(f.referents_shallow_bytes)),
    );
    w.tile(
        "Retained by the referents",
        &bytes(f.referents_retained_bytes),
        "objects with a finalize() method, and what they keep",
    );
    w.s("</div>\n<h3>Who keeps the referents alive</h3>\n<p class=\"note\">The shortest strong paths from GC roots to the referents (the Finalizer list and other java.lang.ref links ignored), grouped by the pattern they follow.</p>\n");
    if f.holders.is_empty() {
        w.s("<p class=\"muted\">No referent is held strongly: they wait only for finalization.</p>\n");
    }
    for x in &f.holders {
        holder(w, x);
    }
    if f.timers.is_empty() {
        w.s("<h3>java.util.Timer queues</h3><p class=\"muted\">No java.util.Timer queue in this dump.</p>\n");
    } else {
        w.s("<h3>java.util.Timer queues</h3>\n");
        if !w.values {
            w.s("<p class=\"note\">The tasks' due times are values (each task's nextExecutionTime field): a report with values shows them.</p>\n");
        }
    }
    for t in &f.timers {
        timer(w, t);
    }
    let by_class = |w: &mut W, title: &str, rows: &[crate::analysis::finalizers::ReferentClass]| {
        let _ = write!(
            w.out,
            "<h3>{title}</h3><table><thead><tr><th>Class</th><th class=\"num\">Objects</th><th class=\"num\">Shallow</th><th class=\"num\">Retained</th></tr></thead><tbody>"
        );
        for c in rows {
            let _ = write!(
                w.out,
                "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                esc(&c.name),
                count(c.instances),
                bytes(c.shallow_bytes),
                bytes(c.retained_bytes)
            );
        }
        w.s("</tbody></table>\n");
    };
    if f.referents_by_class.is_empty() {
        w.s("<h3>Referents by class</h3><p class=\"muted\">No Finalizer has a referent.</p>\n");
    } else {
        by_class(w, "Referents by class", &f.referents_by_class);
    }
    let _ = write!(
        w.out,
        "<h3>Finalization queue</h3><p><strong>{}</strong> Finalizers wait for the finalizer thread{}</p>",
        count(f.queued),
        f.queue_length
            .map(|n| format!(" (the queue's own count: {}).", count(n)))
            .unwrap_or_else(|| ".".into())
    );
    if !f.queued_by_class.is_empty() {
        by_class(w, "Queued by class", &f.queued_by_class);
    }
    w.s("<h3>Finalizer thread</h3>");
    if f.in_processing.is_empty() {
        w.s("<p class=\"muted\">No object is being finalized at the moment of the dump.</p>");
    } else {
        let list: Vec<String> = f.in_processing.iter().map(|o| w.obj(o, false)).collect();
        let _ = write!(
            w.out,
            "<p><strong>Being finalized now:</strong> {}</p>",
            list.join(", ")
        );
    }
    for t in &f.finalizer_threads {
        let _ = write!(
            w.out,
            "<p>'{}' {} · {} frames</p>",
            esc(&t.name),
            w.obj(&t.object, false),
            count(t.frames.len() as u64)
        );
    }
    w.s("</section>\n");
}

fn threads(w: &mut W, threads: &[ThreadView]) {
    let _ = write!(
        w.out,
        "<section id=\"threads\">\n<h2>Threads</h2>\n<p class=\"note\">{} threads, by what they retain, largest first; each frame with the objects it holds (the {} largest per frame).</p>\n",
        count(threads.len() as u64),
        THREAD_LOCALS
    );
    if threads.is_empty() {
        w.s("<p class=\"muted\">This dump records no thread objects.</p>\n");
    }
    for t in threads {
        let _ = write!(
            w.out,
            "<details class=\"card thread\" open><summary><strong>'{}'</strong> {} · {} frames · retains {}, kept alive by its locals alone {}</summary>",
            esc(&t.name),
            w.obj(&t.object, false),
            count(t.frames.len() as u64),
            bytes(t.object.retained_bytes),
            bytes(t.locals_retained_bytes)
        );
        if t.frames.is_empty() {
            w.s("<p class=\"muted\">No stack trace in the dump for this thread.</p>");
        } else {
            w.s("<ol class=\"frames\">");
            for f in &t.frames {
                let _ = write!(
                    w.out,
                    "<li><span class=\"muted\">at </span><code>{}</code> <span class=\"muted\">({})</span>",
                    esc(&f.method),
                    esc(&f.location)
                );
                if !f.locals.is_empty() {
                    w.s("<ul class=\"locals\">");
                    for l in &f.locals {
                        let o = w.obj(l, true);
                        let _ = write!(w.out, "<li><span class=\"muted\">holds </span>{o}</li>");
                    }
                    w.s("</ul>");
                }
                w.s("</li>");
            }
            w.s("</ol>");
        }
        if !t.other_locals.is_empty() {
            w.s("<p class=\"muted\">Also held by the thread (no frame claims them):</p><ul class=\"locals\">");
            for l in &t.other_locals {
                let o = w.obj(l, true);
                let _ = write!(w.out, "<li>{o}</li>");
            }
            w.s("</ul>");
        }
        w.s("</details>\n");
    }
    w.s("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_is_escaped_everywhere() {
        let name = "Evil<script>alert(\"&x\")</script>'\u{1}";
        let e = esc(name);
        assert_eq!(
            e,
            "Evil&lt;script&gt;alert(&quot;&amp;x&quot;)&lt;/script&gt;&#39;\u{fffd}"
        );
        for c in ['<', '>', '"', '\''] {
            assert!(!e.contains(c), "{c} left in {e}");
        }
        // In prose, a backquoted hostile name becomes code, still escaped.
        assert_eq!(
            prose("kept by `a<b>` & more"),
            "kept by <code>a&lt;b&gt;</code> &amp; more"
        );
    }

    #[test]
    fn the_first_sentence_is_cut_as_the_page_cuts_it() {
        assert_eq!(
            first_sentence("One a.b.C retains 2.4 MiB (7.5 %). 2 000 more. x"),
            "One a.b.C retains 2.4 MiB (7.5 %)."
        );
        assert_eq!(first_sentence("e.g. this. `A` b"), "e.g. this.");
        assert_eq!(first_sentence("no end"), "no end");
    }

    #[test]
    fn times_are_written_in_utc_from_the_epoch() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(1_700_000_000_000), "2023-11-14 22:13:20 UTC");
        assert_eq!(utc(951_827_696_000), "2000-02-29 12:34:56 UTC");
    }

    #[test]
    fn figures_use_the_one_number_format() {
        assert_eq!(count(1_234_567), "1\u{a0}234\u{a0}567");
        assert_eq!(percent(1, 3), "33.3\u{a0}%");
        assert_eq!(percent(1, 0), "–");
        assert_eq!(share(0.0001), "&lt;0.1\u{a0}%");
        assert_eq!(span(-5_400_000), "1.5\u{a0}h");
    }
}

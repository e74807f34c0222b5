//! The CLI's text output: one renderer per [`Answer`], as lines for stdout. (`--json`
//! prints the answer itself; see [`heapscope::query`].)

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets};
use heapscope::analysis::class::ClassReport;
use heapscope::analysis::class_loaders::ClassLoaders;
use heapscope::analysis::collection::Facts;
use heapscope::analysis::collections::{CollectionsReport, Totals};
use heapscope::analysis::compare::{ClassDelta, Comparison};
use heapscope::analysis::dominator_groups::{ClassGroup, ClassSum, GroupedDomTree};
use heapscope::analysis::dominators_report::{DomNode, DomTree};
use heapscope::analysis::duplicate_strings::{DuplicateStrings, StringHolder};
use heapscope::analysis::finalizers::FinalizerReport;
use heapscope::analysis::histogram::{Histogram, HistogramRow};
use heapscope::analysis::histogram_groups::{GroupedHistogram, HistogramGroup};
use heapscope::analysis::immediate_dominators::ImmediateDominators;
use heapscope::analysis::inspect::{EntryView, ItemView, ObjectView};
use heapscope::analysis::objects::ObjRef;
use heapscope::analysis::paths::{PathNode, PathStep, PathTree};
use heapscope::analysis::refstats::RefKindStats;
use heapscope::analysis::report::{DumpReport, PathName};
use heapscope::analysis::retained_set::RetainedSetReport;
use heapscope::analysis::secrets::{KINDS, SecretsReport};
use heapscope::analysis::summary::{Damaged, Summary};
use heapscope::analysis::suspects::SuspectsReport;
use heapscope::analysis::threads::ThreadView;
use heapscope::query::{AnalyzeReport, Answer, HistogramTotals, defaults};
use heapscope::text::{group_digits as grouped, human_bytes as human};
use std::path::Path;

/// The text of `answer`, for the dump at `file`.
pub fn text(answer: &Answer, file: &Path) -> Vec<String> {
    let mut out = Vec::new();
    match answer {
        Answer::Summary(s) => summary(&mut out, s, file),
        Answer::Histogram(h) => histogram(&mut out, &h.classes, &totals(h)),
        Answer::Analyze(r) => analyze(&mut out, r, file),
        Answer::DominatorTree(t) => dominators(&mut out, &t.roots, t),
        Answer::Finalizers(r) => finalizers(&mut out, r),
        Answer::Paths(t) => paths(&mut out, t),
        Answer::Inspect(v) => inspect(&mut out, v),
        Answer::Suspects(r) => suspects(&mut out, r),
        Answer::References(r) => references(&mut out, &r.references),
        Answer::Threads(t) => threads(&mut out, &t.threads),
        Answer::Unreachable(u) => unreachable(&mut out, &u.histogram),
        Answer::Collections(r) => collections(&mut out, r),
        Answer::ImmediateDominators(d) => immediate_dominators(&mut out, d),
        Answer::RetainedSet(r) => retained_set(&mut out, r),
        Answer::Class(c) => class(&mut out, c),
        Answer::GroupedDominatorTree(t) => grouped_dominators(&mut out, t),
        Answer::GroupedHistogram(h) => grouped_histogram(&mut out, h),
        Answer::DuplicateStrings(d) => duplicate_strings(&mut out, d),
        Answer::ClassLoaders(c) => class_loaders(&mut out, c),
        Answer::HtmlReport(html) => out.push(html.clone()),
        Answer::Secrets(r) => secrets(&mut out, r),
        Answer::Compare(c) => comparison(&mut out, c, defaults::COMPARE_TOP as usize),
        Answer::Report(r) => report(&mut out, r),
        // The page's queries: their JSON is their text.
        Answer::DominatorChildren(_) | Answer::Instances(_) | Answer::DominatorGroup(_) => {
            out.push(serde_json::to_string_pretty(answer).unwrap_or_default());
        }
    }
    out
}

/// One line saying what a damaged dump lost (the CLI's warning, the summary's note).
pub fn damage_line(d: &Damaged) -> String {
    let mut s = format!(
        "damaged dump, analysed up to offset {}: {}",
        grouped(d.offset),
        d.error
    );
    if let Some(e) = d.expected_bytes {
        s.push_str(&format!(
            "; the dump should have at least {} bytes",
            grouped(e)
        ));
    }
    if d.unread_bytes > 0 {
        s.push_str(&format!(
            "; {} bytes after it were not read",
            grouped(d.unread_bytes)
        ));
    }
    if let Some(n) = d.dangling_references.filter(|&n| n > 0) {
        s.push_str(&format!(
            "; {} references name objects that are not in what was read",
            grouped(n)
        ));
    }
    s.push_str("; counts and sizes are lower bounds");
    s
}

fn table() -> Table {
    let mut t = Table::new();
    t.load_style(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled);
    t
}

fn right(s: String) -> Cell {
    Cell::new(s).set_alignment(CellAlignment::Right)
}

fn totals(h: &Histogram) -> HistogramTotals {
    HistogramTotals {
        instances: h.total_instances,
        shallow_bytes: h.total_shallow_bytes,
        classes: h.total_classes,
    }
}

fn summary(out: &mut Vec<String>, s: &Summary, file: &Path) {
    let mut t = table();
    let rows: Vec<(&str, String)> = vec![
        ("file", file.display().to_string()),
        ("format", s.format.clone()),
        ("id size", s.id_size.to_string()),
        ("timestamp (ms)", s.timestamp_ms.to_string()),
        ("objects", grouped(s.objects)),
        ("  instances", grouped(s.instances)),
        ("  object arrays", grouped(s.object_arrays)),
        ("  primitive arrays", grouped(s.primitive_arrays)),
        ("classes", grouped(s.classes)),
        (
            "shallow heap",
            format!(
                "{} ({} bytes)",
                human(s.shallow_bytes),
                grouped(s.shallow_bytes)
            ),
        ),
        (
            "layout",
            format!(
                "{}-byte header, {}-byte references{}, {} field layout",
                s.size_model.header_bytes,
                s.size_model.reference_bytes,
                if s.compressed_oops {
                    " (compressed oops)"
                } else {
                    ""
                },
                s.size_model.field_layout
            ),
        ),
    ];
    for (k, v) in rows {
        t.add_row(vec![Cell::new(k), Cell::new(v)]);
    }
    for (k, n) in &s.gc_roots {
        t.add_row(vec![
            Cell::new(format!("GC roots: {k}")),
            Cell::new(grouped(*n)),
        ]);
    }
    out.push(t.to_string());
    if let Some(d) = &s.damaged {
        out.push(format!("note: {}", damage_line(d)));
    }
    for d in &s.diagnostics {
        out.push(format!(
            "note: {} × {} — {}",
            grouped(d.count),
            d.key,
            d.help
        ));
    }
}

/// Rows of a histogram and the totals of every class.
fn histogram(out: &mut Vec<String>, rows: &[HistogramRow], totals: &HistogramTotals) {
    let mut t = table();
    let with_retained = rows.first().is_some_and(|r| r.retained_bytes.is_some());
    if with_retained {
        t.set_header(vec![
            right("instances".into()),
            right("shallow".into()),
            right("retained".into()),
            right("retained bytes".into()),
            Cell::new("class"),
        ]);
    } else {
        t.set_header(vec![
            right("instances".into()),
            right("shallow".into()),
            right("bytes".into()),
            Cell::new("class"),
        ]);
    }
    for r in rows {
        let mut row = vec![right(grouped(r.instances)), right(human(r.shallow_bytes))];
        match r.retained_bytes {
            Some(b) => row.extend([right(human(b)), right(grouped(b))]),
            None => row.push(right(grouped(r.shallow_bytes))),
        }
        row.push(Cell::new(&r.name));
        t.add_row(row);
    }
    let mut total = vec![
        right(grouped(totals.instances)),
        right(human(totals.shallow_bytes)),
    ];
    if with_retained {
        total.extend([right(String::new()), right(String::new())]);
    } else {
        total.push(right(grouped(totals.shallow_bytes)));
    }
    total.push(Cell::new(format!("total ({} classes)", totals.classes)));
    t.add_row(total);
    out.push(t.to_string());
}

fn unreachable(out: &mut Vec<String>, h: &Histogram) {
    out.push(format!(
        "{} unreachable objects ({}): no GC root reaches them, the next garbage collection \
         would free them; the dominator tree and retained sizes leave them out",
        grouped(h.total_instances),
        human(h.total_shallow_bytes)
    ));
    if h.total_instances > 0 {
        histogram(out, &h.classes, &totals(h));
    }
}

fn immediate_dominators(out: &mut Vec<String>, d: &ImmediateDominators) {
    let unreachable = if d.unreachable_objects > 0 {
        format!(
            " ({} unreachable: no dominator, in no row)",
            grouped(d.unreachable_objects)
        )
    } else {
        String::new()
    };
    let skip = if d.skip.is_empty() {
        String::new()
    } else {
        format!(", passing over {}", d.skip.join(", "))
    };
    out.push(format!(
        "{}{unreachable}; their immediate dominators by class{skip}:",
        objects(d.objects)
    ));
    if d.rows.is_empty() {
        return;
    }
    let mut t = table();
    t.set_header(vec![
        right("objects".into()),
        right("dominated shallow".into()),
        right("dominators".into()),
        right("shallow".into()),
        right("retained".into()),
        Cell::new("dominator class"),
    ]);
    for r in &d.rows {
        if r.gc_roots {
            t.add_row(vec![
                right(grouped(r.objects)),
                right(human(r.dominated_shallow_bytes)),
                right(String::new()),
                right(String::new()),
                right(String::new()),
                Cell::new(format!("{} (no single object keeps them alive)", r.class)),
            ]);
            continue;
        }
        t.add_row(vec![
            right(grouped(r.objects)),
            right(human(r.dominated_shallow_bytes)),
            right(grouped(r.dominators)),
            right(human(r.shallow_bytes)),
            right(human(r.retained_bytes)),
            Cell::new(&r.class),
        ]);
        for o in &r.top {
            t.add_row(vec![
                right(grouped(o.objects)),
                right(String::new()),
                right(String::new()),
                right(human(o.object.shallow_bytes)),
                right(human(o.object.retained_bytes)),
                Cell::new(format!("  {} {}", o.object.class, o.object.object)),
            ]);
        }
        if r.more > 0 {
            t.add_row(vec![
                right(String::new()),
                right(String::new()),
                right(String::new()),
                right(String::new()),
                right(String::new()),
                Cell::new(format!("  … {} more", grouped(r.more))),
            ]);
        }
    }
    out.push(t.to_string());
}

/// `1 object`, `2 150 objects`.
fn objects(n: u64) -> String {
    format!("{} object{}", grouped(n), if n == 1 { "" } else { "s" })
}

fn retained_set(out: &mut Vec<String>, r: &RetainedSetReport) {
    let unreachable = if r.unreachable_objects > 0 {
        format!(
            " ({} of them unreachable: garbage already, not in the set)",
            grouped(r.unreachable_objects)
        )
    } else {
        String::new()
    };
    out.push(format!(
        "{} given{unreachable}. If {} went, a garbage collection would free {}: {} ({} \
         bytes), the precise retained size.",
        objects(r.objects),
        if r.objects == 1 { "it" } else { "they all" },
        objects(r.retained_objects),
        human(r.retained_bytes),
        grouped(r.retained_bytes)
    ));
    out.push(format!(
        "Minimum retained size (what the given objects dominate; the histogram's retained \
         column for a class): {} ({} bytes).",
        human(r.minimum_retained_bytes),
        grouped(r.minimum_retained_bytes)
    ));
    if r.retained_objects > 0 {
        histogram(
            out,
            &r.classes,
            &HistogramTotals {
                instances: r.retained_objects,
                shallow_bytes: r.retained_bytes,
                classes: r.total_classes,
            },
        );
    }
}

fn class(out: &mut Vec<String>, r: &ClassReport) {
    if r.classes.is_empty() {
        out.push(format!("No class named {} in this dump.", r.name));
        return;
    }
    if r.classes.len() > 1 {
        out.push(format!(
            "{} classes named {} (different class loaders):",
            r.classes.len(),
            r.name
        ));
    }
    for (i, c) in r.classes.iter().enumerate() {
        if i > 0 {
            out.push(String::new());
        }
        let size = c
            .instance_size
            .map(|b| format!(", {} per instance", human(b)))
            .unwrap_or_default();
        out.push(format!(
            "{} {} ({} class{size})",
            c.name,
            c.class_object
                .as_ref()
                .map_or("(no class object in the dump)", |o| o.object.as_str()),
            c.kind
        ));
        out.push(format!(
            "  instances {}, shallow {} ({} bytes), retained at least {} ({} bytes: the \
             instances no other instance dominates; retained-set gives the precise size)",
            grouped(c.instances),
            human(c.shallow_bytes),
            grouped(c.shallow_bytes),
            human(c.retained_bytes),
            grouped(c.retained_bytes)
        ));
        if let Some(o) = &c.class_object {
            out.push(format!(
                "  class object: shallow {}, retained {}",
                human(o.shallow_bytes),
                human(o.retained_bytes)
            ));
        }
        if !c.superclasses.is_empty() {
            let chain: Vec<&str> = c.superclasses.iter().map(|s| s.name.as_str()).collect();
            out.push(format!("  superclasses: {}", chain.join(" → ")));
        }
        out.push(match &c.class_loader {
            Some(l) => format!("  class loader: {} {}", l.class, l.object),
            None => "  class loader: the bootstrap loader".into(),
        });
        if !c.statics.is_empty() {
            out.push(format!("  static fields ({}):", c.statics.len()));
            for f in &c.statics {
                out.push(format!(
                    "    {} {} = {}{}",
                    f.ty,
                    f.name,
                    f.value,
                    referenced(f.object.as_ref())
                ));
            }
        }
        if !c.subclasses.is_empty() {
            out.push(format!("  direct subclasses ({}):", c.subclasses.len()));
            for s in &c.subclasses {
                out.push(format!(
                    "    {} ({} instances)",
                    s.class.name,
                    grouped(s.instances)
                ));
            }
        }
    }
}

fn duplicate_strings(out: &mut Vec<String>, d: &DuplicateStrings) {
    out.push(format!(
        "{} reachable strings: {} values are each held by {} or more of them ({} strings), \
         wasting {} ({} bytes): the String objects of every copy but one, and the value \
         arrays only those copies use",
        grouped(d.strings),
        grouped(d.duplicated_values),
        d.min_count,
        grouped(d.duplicate_strings),
        human(d.wasted_bytes),
        grouped(d.wasted_bytes)
    ));
    if d.values.is_empty() {
        return;
    }
    let mut t = table();
    t.set_header(vec![
        right("count".into()),
        right("wasted".into()),
        right("bytes".into()),
        right("length".into()),
        Cell::new("value"),
        Cell::new("held by (most copies)"),
    ]);
    for v in &d.values {
        let held = v.holders.first().map_or_else(String::new, |h| {
            let more = v.holders.len() as u64 - 1 + v.more_holders;
            format!(
                "{} × {}{}",
                grouped(h.count),
                holder_text(h),
                if more > 0 {
                    format!(" (+{more} more)")
                } else {
                    String::new()
                }
            )
        });
        t.add_row(vec![
            right(grouped(v.count)),
            right(human(v.wasted_bytes)),
            right(grouped(v.wasted_bytes)),
            right(grouped(v.length)),
            Cell::new(format!("\"{}\"", escaped(&v.value, 60))),
            Cell::new(held),
        ]);
    }
    out.push(t.to_string());
    if d.more_values > 0 {
        out.push(format!(
            "… {} more values (--top shows more)",
            grouped(d.more_values)
        ));
    }
}

fn secrets(out: &mut Vec<String>, r: &SecretsReport) {
    let total: u64 = r.by_kind.values().sum();
    out.push(format!(
        "{} values look like secrets ({} reachable char[] and byte[] searched); values are \
         masked: a few characters at each end",
        grouped(total),
        grouped(r.arrays_searched)
    ));
    let mut t = table();
    t.set_header(vec![Cell::new("kind"), right("count".into())]);
    for k in KINDS {
        let n = r.by_kind.get(k.name()).copied().unwrap_or(0);
        t.add_row(vec![Cell::new(k.name()), right(grouped(n))]);
    }
    out.push(t.to_string());
    if r.secrets.is_empty() {
        return;
    }
    let mut t = table();
    t.set_header(vec![
        Cell::new("kind"),
        Cell::new("masked"),
        right("length".into()),
        Cell::new("object"),
        Cell::new("held by (nearest holder first)"),
        Cell::new("what matched"),
    ]);
    for s in &r.secrets {
        let path = s
            .path
            .iter()
            .map(|p| format!("{}.{}", p.class, p.field))
            .collect::<Vec<_>>()
            .join(" → ");
        t.add_row(vec![
            Cell::new(s.kind),
            Cell::new(&s.masked),
            right(grouped(s.length)),
            Cell::new(format!("{} {}", s.class, s.object)),
            Cell::new(if path.is_empty() {
                "(GC root)".into()
            } else {
                path
            }),
            Cell::new(&s.detail),
        ]);
    }
    out.push(t.to_string());
    if r.more_secrets > 0 {
        out.push(format!(
            "… {} more (only the first are listed)",
            grouped(r.more_secrets)
        ));
    }
}

/// A holder of string copies: `Class.field`, or for an array `Array[] of Class.field`.
fn holder_text(h: &StringHolder) -> String {
    match &h.array_held_by {
        Some(a) => format!("{} of {}.{}", h.holder.class, a.class, a.field),
        None if h.holder.field == "[]" => h.holder.class.clone(),
        None => format!("{}.{}", h.holder.class, h.holder.field),
    }
}

/// `s` on one line (control characters escaped), at most `max` characters.
fn escaped(s: &str, max: usize) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:04x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn class_loaders(out: &mut Vec<String>, c: &ClassLoaders) {
    out.push(format!(
        "{} class loaders define {} classes. Retained: the loader object's; defined: what \
         its classes and their instances keep alive together (no single one of them \
         dominated by another).",
        grouped(c.loaders.len() as u64),
        grouped(c.classes)
    ));
    let mut t = table();
    t.set_header(vec![
        right("classes".into()),
        right("instances".into()),
        right("shallow".into()),
        right("defined retained".into()),
        right("loader retained".into()),
        Cell::new("class loader"),
    ]);
    for l in &c.loaders {
        let what = match (&l.loader, &l.name) {
            (Some(o), Some(n)) => format!("{} {} '{}'", o.class, o.object, n),
            (Some(o), None) => format!("{} {}", o.class, o.object),
            (None, n) => n.clone().unwrap_or_default(),
        };
        t.add_row(vec![
            right(grouped(l.classes)),
            right(grouped(l.instances)),
            right(human(l.instances_shallow_bytes)),
            right(human(l.defined_retained_bytes)),
            right(
                l.loader
                    .as_ref()
                    .map_or_else(String::new, |o| human(o.retained_bytes)),
            ),
            Cell::new(what),
        ]);
    }
    out.push(t.to_string());
    if c.duplicate_classes.is_empty() {
        out.push("No class is defined by more than one loader.".into());
        return;
    }
    let n = c.duplicate_classes.len() as u64;
    out.push(format!(
        "{} class{} defined by more than one loader:",
        grouped(n),
        if n == 1 { " is" } else { "es are" }
    ));
    for d in &c.duplicate_classes {
        out.push(format!("{} ({} copies)", d.name, d.copies.len()));
        for k in &d.copies {
            let loader = match (&k.loader, &k.loader_name) {
                (Some(o), Some(n)) => format!("{} {} '{}'", o.class, o.object, n),
                (Some(o), None) => format!("{} {}", o.class, o.object),
                (None, _) => "<bootstrap>".into(),
            };
            out.push(format!(
                "  {} by {}: {}",
                k.class_object.object,
                loader,
                count_of(k.instances, "instance")
            ));
            if k.path.is_empty() {
                out.push(
                    "    no path from a GC root (unreachable, or the search hit its limit)".into(),
                );
            } else {
                out.push(format!("    kept alive by: {}", path_text(&k.path)));
            }
        }
    }
}

/// `1 instance`, `3 instances`.
fn count_of(n: u64, what: &str) -> String {
    format!("{} {what}{}", grouped(n), if n == 1 { "" } else { "s" })
}

/// A path from a GC root on one line: `Class 0x… [roots] → .field Class 0x… → …`.
fn path_text(path: &[PathStep]) -> String {
    path.iter()
        .map(|s| {
            let mut t = String::new();
            if let Some(f) = &s.field {
                t.push_str(&format!(".{f} "));
            }
            t.push_str(&format!("{} {}", s.object.class, s.object.object));
            if !s.gc_roots.is_empty() {
                t.push_str(&format!(" [{}]", s.gc_roots.join(", ")));
            }
            if s.repeat > 1 {
                t.push_str(&format!(" ×{}", s.repeat));
            }
            t
        })
        .collect::<Vec<_>>()
        .join(" → ")
}

fn references(out: &mut Vec<String>, r: &[RefKindStats]) {
    let mut t = table();
    t.set_header(vec![
        Cell::new("kind"),
        right("references".into()),
        right("referents".into()),
        right("shallow".into()),
        right("retained".into()),
        right("only via refs".into()),
    ]);
    for k in r {
        t.add_row(vec![
            Cell::new(k.kind),
            right(grouped(k.references)),
            right(grouped(k.referents)),
            right(human(k.referents_shallow_bytes)),
            right(human(k.referents_retained_bytes)),
            right(format!("{} of {}", k.only_through_references, k.checked)),
        ]);
    }
    out.push(t.to_string());
}

/// The dominator tree as a table, children indented below their parent, and the totals.
fn dominators(out: &mut Vec<String>, roots: &[DomNode], totals: &DomTree) {
    let total = totals.reachable_bytes.max(1);
    let mut t = table();
    t.set_header(vec![
        right("retained".into()),
        right("%".into()),
        right("shallow".into()),
        Cell::new("object"),
    ]);
    let mut stack: Vec<(&DomNode, usize)> = roots.iter().rev().map(|n| (n, 0)).collect();
    while let Some((n, level)) = stack.pop() {
        t.add_row(vec![
            right(human(n.object.retained_bytes)),
            right(format!(
                "{:.1}",
                100.0 * n.object.retained_bytes as f64 / total as f64
            )),
            right(human(n.object.shallow_bytes)),
            Cell::new(format!(
                "{}{} {}",
                "  ".repeat(level),
                n.object.class,
                n.object.object
            )),
        ]);
        stack.extend(n.children.iter().rev().map(|c| (c, level + 1)));
    }
    out.push(t.to_string());
    out.push(format!(
        "reachable heap {}; {} unreachable objects ({}) are not in the tree",
        human(totals.reachable_bytes),
        grouped(totals.unreachable_objects),
        human(totals.unreachable_bytes)
    ));
}

/// The dominator tree grouped by class: a row per group, the groups of the level below
/// indented under it, a `… N more classes` row where a list was cut, and the totals.
fn grouped_dominators(out: &mut Vec<String>, tree: &GroupedDomTree) {
    let total = tree.reachable_bytes.max(1);
    let mut t = table();
    t.set_header(vec![
        right("retained".into()),
        right("%".into()),
        right("shallow".into()),
        right("objects".into()),
        Cell::new("class"),
    ]);
    let more_row = |t: &mut Table, level: usize, n: u64| {
        if n > 0 {
            t.add_row(vec![
                right(String::new()),
                right(String::new()),
                right(String::new()),
                right(String::new()),
                Cell::new(format!(
                    "{}… {} more class{}",
                    "  ".repeat(level),
                    grouped(n),
                    if n == 1 { "" } else { "es" }
                )),
            ]);
        }
    };
    // (group, level), or the note after a group's children: (None, level, more).
    let mut stack: Vec<(Option<&ClassGroup>, usize, u64)> = vec![(None, 0, tree.more_groups)];
    stack.extend(tree.groups.iter().rev().map(|g| (Some(g), 0, 0)));
    while let Some((g, level, more)) = stack.pop() {
        let Some(g) = g else {
            more_row(&mut t, level, more);
            continue;
        };
        let s = &g.sum;
        t.add_row(vec![
            right(human(s.retained_bytes)),
            right(format!(
                "{:.1}",
                100.0 * s.retained_bytes as f64 / total as f64
            )),
            right(human(s.shallow_bytes)),
            right(grouped(s.objects)),
            Cell::new(format!("{}{}", "  ".repeat(level), s.class)),
        ]);
        stack.push((None, level + 1, g.more_children));
        stack.extend(g.children.iter().rev().map(|c| (Some(c), level + 1, 0)));
    }
    out.push(t.to_string());
    out.push(format!(
        "objects grouped by class at each level of the dominator tree (a group's retained \
         size is exact: its objects' retained sets are disjoint); reachable heap {}; {} \
         unreachable objects ({}) are not in the tree",
        human(tree.reachable_bytes),
        grouped(tree.unreachable_objects),
        human(tree.unreachable_bytes)
    ));
}

/// The histogram grouped by package or loader: a row per node, indented by level.
fn grouped_histogram(out: &mut Vec<String>, h: &GroupedHistogram) {
    let with_retained = h.groups.iter().any(|g| g.retained_bytes.is_some());
    let mut t = table();
    let mut header = vec![
        right("classes".into()),
        right("instances".into()),
        right("shallow".into()),
    ];
    if with_retained {
        header.push(right("retained ≥".into()));
    }
    header.push(Cell::new(h.group_by));
    t.set_header(header);
    let mut stack: Vec<(&HistogramGroup, usize)> = h.groups.iter().rev().map(|g| (g, 0)).collect();
    while let Some((g, level)) = stack.pop() {
        let mut row = vec![
            right(grouped(g.classes)),
            right(grouped(g.instances)),
            right(human(g.shallow_bytes)),
        ];
        if with_retained {
            row.push(right(g.retained_bytes.map(human).unwrap_or_default()));
        }
        let id = g
            .object
            .as_ref()
            .map(|o| format!(" {o}"))
            .unwrap_or_default();
        row.push(Cell::new(format!("{}{}{id}", "  ".repeat(level), g.name)));
        t.add_row(row);
        stack.extend(g.children.iter().rev().map(|c| (c, level + 1)));
    }
    let mut total = vec![
        right(grouped(h.total_classes)),
        right(grouped(h.total_instances)),
        right(human(h.total_shallow_bytes)),
    ];
    if with_retained {
        total.push(right(String::new()));
    }
    total.push(Cell::new(if h.more_groups > 0 {
        format!("total ({} more groups not shown)", grouped(h.more_groups))
    } else {
        "total".to_string()
    }));
    t.add_row(total);
    out.push(t.to_string());
    if h.group_by == "loader" && !with_retained {
        out.push("(with --retained, the full analysis names each loader's class)".into());
    }
    if with_retained {
        out.push(
            "retained ≥: minimum retained size, a lower bound (what the instances retain that \
             no other instance of the class, package or loader holds; objects kept alive \
             only by several instances together are left out)"
                .into(),
        );
    }
}

/// A suspect's accumulated objects by class, indented.
fn accumulated(out: &mut Vec<String>, rows: &[ClassSum]) {
    if rows.is_empty() {
        return;
    }
    out.push("  accumulated objects (what the accumulation point dominates), by class:".into());
    let mut t = table();
    t.set_header(vec![
        Cell::new("   "),
        right("objects".into()),
        right("shallow".into()),
        right("retained".into()),
        Cell::new("class"),
    ]);
    for r in rows {
        t.add_row(vec![
            Cell::new("   "),
            right(grouped(r.objects)),
            right(human(r.shallow_bytes)),
            right(human(r.retained_bytes)),
            Cell::new(&r.class),
        ]);
    }
    out.push(t.to_string());
}

fn analyze(out: &mut Vec<String>, r: &AnalyzeReport, file: &Path) {
    let g = &r.graph;
    out.push(format!(
        "{}: {} objects ({} reachable, {}), {} references, {} GC roots",
        file.display(),
        grouped(g.objects),
        grouped(g.reachable_objects),
        human(g.reachable_bytes),
        grouped(g.references),
        grouped(g.gc_roots)
    ));
    if r.suspects.suspects.is_empty() {
        out.push(format!(
            "No leak suspect: nothing retains more than {:.0} % of the heap.",
            100.0 * r.suspects.threshold
        ));
    }
    for (i, s) in r.suspects.suspects.iter().enumerate() {
        out.push(format!("Suspect {}: {}", i + 1, s.description));
    }
    let f = &r.finalizers;
    if f.finalizers > 0 {
        out.push(format!(
            "{} Finalizers retain {} ({:.1} % of the heap); {} queued for finalization.",
            grouped(f.finalizers),
            human(f.retained_bytes),
            100.0 * f.heap_share,
            grouped(f.queued)
        ));
        for h in f.holders.iter().take(3) {
            out.push(format!("  {}", h.summary));
        }
    }
    out.push(String::new());
    references(out, &r.references);
    out.push(String::new());
    histogram(out, &r.top_retained_classes, &r.histogram_totals);
    out.push(String::new());
    let totals = DomTree {
        roots: Vec::new(),
        reachable_bytes: g.reachable_bytes,
        unreachable_objects: g.unreachable_objects,
        unreachable_bytes: g.unreachable_bytes,
    };
    dominators(out, &r.dominators, &totals);
}

fn finalizers(out: &mut Vec<String>, r: &FinalizerReport) {
    out.push(format!(
        "{} Finalizers: {} shallow, {} retained ({:.1} % of the heap)",
        grouped(r.finalizers),
        human(r.shallow_bytes),
        human(r.retained_bytes),
        100.0 * r.heap_share
    ));
    out.push(format!(
        "{} referents: {} shallow, {} retained",
        grouped(r.referents),
        human(r.referents_shallow_bytes),
        human(r.referents_retained_bytes)
    ));
    out.push(format!(
        "Finalizers and referents together retain {} (each object once)",
        human(r.together_retained_bytes)
    ));
    let mut t = table();
    t.set_header(vec![
        right("referents".into()),
        right("shallow".into()),
        right("retained".into()),
        Cell::new("class"),
    ]);
    for c in r.referents_by_class.iter().take(15) {
        t.add_row(vec![
            right(grouped(c.instances)),
            right(human(c.shallow_bytes)),
            right(human(c.retained_bytes)),
            Cell::new(&c.name),
        ]);
    }
    out.push(t.to_string());
    out.push(format!(
        "finalization queue: {} waiting{}",
        grouped(r.queued),
        r.queue_length
            .map(|l| format!(" (queueLength {l})"))
            .unwrap_or_default()
    ));
    for c in r.queued_by_class.iter().take(5) {
        out.push(format!("  {} {}", grouped(c.instances), c.name));
    }
    for th in &r.finalizer_threads {
        out.push(format!("finalizer thread '{}':", th.name));
        for f in th.frames.iter().take(12) {
            out.push(format!("  at {} ({})", f.method, f.location));
            for l in &f.locals {
                out.push(format!(
                    "      holds {} {} ({} retained)",
                    l.class,
                    l.object,
                    human(l.retained_bytes)
                ));
            }
        }
    }
    for o in &r.in_processing {
        out.push(format!("being finalized: {} {}", o.class, o.object));
    }
    out.push("holders:".into());
    for h in &r.holders {
        out.push(format!("  {}", h.summary));
    }
    for tq in &r.timers {
        out.push(format!(
            "timer {}: {} tasks, {} cancelled, head {} due in {}",
            tq.thread.as_deref().unwrap_or("(no thread)"),
            tq.tasks,
            tq.cancelled_tasks,
            tq.head_task_class.as_deref().unwrap_or("-"),
            tq.head_task_due_in_ms
                .map(|ms| format!("{:.0} s", ms as f64 / 1000.0))
                .unwrap_or_else(|| "-".into())
        ));
        if let Some(a) = &tq.advice {
            out.push(format!("  {a}"));
        }
    }
}

fn paths(out: &mut Vec<String>, tree: &PathTree) {
    out.push(format!(
        "{} target(s), {} searched, {} with a path, {} without{}",
        tree.targets,
        tree.searched,
        tree.found,
        tree.not_found,
        if tree.include_weak {
            ""
        } else {
            " (weak/soft/phantom/final referents and Finalizer links ignored)"
        }
    ));
    out.extend(path_lines(&tree.roots, tree.more_roots));
}

/// The text of a path tree below its header: one line per node, indented by level, and a
/// `… N more` line after each list of children (and of roots) that was cut short.
pub fn path_lines(roots: &[PathNode], more_roots: u64) -> Vec<String> {
    let mut lines = Vec::new();
    let mut stack: Vec<(&PathNode, usize)> = roots.iter().rev().map(|n| (n, 0)).collect();
    // (level, count) of "more children" notes to print after a node's children.
    let mut more: Vec<(usize, u64)> = Vec::new();
    while let Some((n, level)) = stack.pop() {
        let step = &n.step;
        let field = step
            .field
            .as_ref()
            .map(|f| format!(".{f} "))
            .unwrap_or_default();
        let roots = if step.gc_roots.is_empty() {
            String::new()
        } else {
            let by = step
                .held_by
                .as_ref()
                .map(|h| format!(" in {h}"))
                .unwrap_or_default();
            format!(" [GC root: {}{by}]", step.gc_roots.join(", "))
        };
        let repeat = if step.repeat > 1 {
            format!(" ×{}", step.repeat)
        } else {
            String::new()
        };
        let value = step
            .object
            .value
            .as_ref()
            .map(|v| format!(" \"{v}\""))
            .unwrap_or_default();
        lines.push(format!(
            "{}{field}{} {}{value}{repeat}{roots}  ({} target{}, retains {})",
            "  ".repeat(level),
            step.object.class,
            step.object.object,
            n.targets,
            if n.targets == 1 { "" } else { "s" },
            human(step.object.retained_bytes)
        ));
        stack.extend(n.children.iter().rev().map(|c| (c, level + 1)));
        if n.more_children > 0 {
            more.push((level + 1, n.more_children));
        }
        // Every list that ends here (the next node is shallower) gets its note.
        while let Some(&(l, m)) = more.last()
            && stack.last().is_none_or(|&(_, next)| next < l)
        {
            lines.push(format!("{}… {m} more", "  ".repeat(l)));
            more.pop();
        }
    }
    if more_roots > 0 {
        lines.push(format!("… {more_roots} more"));
    }
    lines
}

fn suspects(out: &mut Vec<String>, r: &SuspectsReport) {
    if r.suspects.is_empty() {
        out.push(format!(
            "No suspect: nothing retains more than {:.0} % of the {} reachable heap.",
            100.0 * r.threshold,
            human(r.reachable_bytes)
        ));
    }
    for (i, s) in r.suspects.iter().enumerate() {
        out.push(format!("Suspect {}: {}", i + 1, s.description));
        for m in &s.merged {
            out.push(format!("  the same leak, also found as: {m}"));
        }
        if !s.path_from_root.is_empty() {
            out.push("  path from a GC root:".into());
            for st in &s.path_from_root {
                out.push(format!(
                    "    {}{} {}",
                    st.field
                        .as_ref()
                        .map(|f| format!(".{f} → "))
                        .unwrap_or_default(),
                    st.object.class,
                    st.object.object
                ));
            }
        }
        accumulated(out, &s.accumulated_by_class);
    }
}

fn threads(out: &mut Vec<String>, threads: &[ThreadView]) {
    for th in threads {
        out.push(format!(
            "'{}' {} {} (retains {}, {} of it kept alive by its locals alone)",
            th.name,
            th.object.class,
            th.object.object,
            human(th.object.retained_bytes),
            human(th.locals_retained_bytes)
        ));
        for f in &th.frames {
            out.push(format!("    at {} ({})", f.method, f.location));
            for l in &f.locals {
                out.push(format!(
                    "        local {} {} ({} retained)",
                    l.class,
                    l.object,
                    human(l.retained_bytes)
                ));
            }
        }
    }
}

fn inspect(out: &mut Vec<String>, v: &ObjectView) {
    out.push(format!(
        "{} {} ({}): shallow {}, retained {}{}",
        v.this.class,
        v.this.object,
        v.kind,
        human(v.this.shallow_bytes),
        human(v.this.retained_bytes),
        v.this
            .value
            .as_ref()
            .map(|s| format!(", value \"{s}\""))
            .unwrap_or_default()
    ));
    if !v.gc_roots.is_empty() {
        out.push(format!("GC root: {}", v.gc_roots.join(", ")));
    }
    if let Some(d) = &v.dominator {
        out.push(format!("dominator: {} {}", d.class, d.object));
    }
    if let Some(c) = &v.collection {
        out.push(format!("collection: {}", facts_text(c)));
    }
    for f in v.statics.iter().chain(&v.fields) {
        out.push(format!(
            "  {} {}.{} = {}{}",
            f.ty,
            f.declaring,
            f.name,
            f.value,
            referenced(f.object.as_ref())
        ));
        if let Some(c) = &f.collection {
            out.push(format!("      {}", facts_text(&c.facts)));
            entry_lines(out, &c.entries, "      ");
            if (c.entries.len() as u64) < c.entries_total {
                out.push(format!(
                    "      … {} more",
                    grouped(c.entries_total - c.entries.len() as u64)
                ));
            }
        }
    }
    if let (Some(entries), Some(total)) = (&v.entries, v.entries_total) {
        let shown = match (entries.first(), entries.last()) {
            (Some(a), Some(b)) => format!(", [{}] to [{}]", a.index, b.index),
            _ => String::new(),
        };
        out.push(format!("entries ({} in all{shown}):", grouped(total)));
        entry_lines(out, entries, "  ");
    }
    if let Some(n) = v.length {
        out.push(format!("  length {n}"));
    }
    for e in &v.elements {
        out.push(format!(
            "  [{}] = {}{}",
            e.index,
            e.value,
            e.object
                .as_ref()
                .map(|o| format!(" {}", o.class))
                .unwrap_or_default()
        ));
    }
    out.push(format!("referrers ({}):", v.referrers_total));
    for r in &v.referrers {
        out.push(format!(
            "  {} {} .{}",
            r.object.class, r.object.object, r.field
        ));
    }
}

/// `map (java.util.HashMap): size 3, capacity 16, fill 18.8 %, 52 B wasted`.
fn facts_text(c: &Facts) -> String {
    let capacity = match (c.capacity, c.fill_ratio) {
        (Some(cap), Some(r)) => format!(", capacity {}, fill {:.1} %", grouped(cap), r * 100.0),
        (Some(cap), None) => format!(", capacity {}", grouped(cap)),
        _ => String::new(),
    };
    format!(
        "{} ({}): size {}{capacity}, {} wasted",
        c.kind,
        c.base,
        grouped(c.size),
        human(c.wasted_bytes)
    )
}

/// `0xe0… java.lang.String "user"`, or `null`.
fn item_text(i: &ItemView) -> String {
    match &i.object {
        Some(o) => format!(
            "{} {}{}",
            o.object,
            o.class,
            o.value
                .as_ref()
                .map(|s| format!(" \"{s}\""))
                .unwrap_or_default()
        ),
        None => i.value.clone(),
    }
}

fn entry_lines(out: &mut Vec<String>, entries: &[EntryView], indent: &str) {
    for e in entries {
        match &e.key {
            Some(k) => out.push(format!(
                "{indent}[{}] {} → {}",
                e.index,
                item_text(k),
                item_text(&e.value)
            )),
            None => out.push(format!("{indent}[{}] {}", e.index, item_text(&e.value))),
        }
    }
}

/// The figures of a group of collections as table cells (instances … wasted).
fn totals_cells(t: &Totals) -> Vec<Cell> {
    vec![
        right(grouped(t.instances)),
        right(grouped(t.empty)),
        right(grouped(t.size_total)),
        right(t.capacity_total.map_or_else(|| "–".into(), grouped)),
        right(
            t.average_fill_ratio
                .map_or_else(|| "–".into(), |r| format!("{:.1} %", r * 100.0)),
        ),
        right(human(t.wasted_bytes)),
    ]
}

const TOTALS_HEADER: [&str; 6] = [
    "instances",
    "empty",
    "size total",
    "capacity",
    "avg fill",
    "wasted",
];

fn collections(out: &mut Vec<String>, r: &CollectionsReport) {
    let t = &r.totals;
    out.push(format!(
        "{} collections ({} empty): {} wasted by unused capacity ({}-byte slots); {} maps \
         inside sets counted as the sets",
        grouped(t.instances),
        grouped(t.empty),
        human(t.wasted_bytes),
        r.reference_bytes,
        grouped(r.inner_maps)
    ));
    if r.classes.is_empty() {
        return;
    }
    out.push(String::new());
    out.push("By class, largest waste first; fill ratio = size / capacity:".into());
    let mut tb = table();
    let mut head: Vec<Cell> = TOTALS_HEADER.iter().map(|h| right(h.to_string())).collect();
    head.extend(r.fill_buckets.iter().map(|b| right(format!("fill {b}"))));
    head.push(Cell::new("class"));
    tb.set_header(head);
    for c in &r.classes {
        let mut row = totals_cells(&c.totals);
        match &c.fill_ratios {
            Some(b) => row.extend(b.iter().map(|n| right(grouped(*n)))),
            None => row.extend((0..r.fill_buckets.len()).map(|_| right("–".into()))),
        }
        row.push(Cell::new(&c.class));
        tb.add_row(row);
    }
    out.push(tb.to_string());
    out.push(String::new());
    out.push("Collections grouped by size (size × collections):".into());
    for c in &r.classes {
        const SHOWN: usize = 12;
        let mut sizes: Vec<String> = c
            .by_size
            .iter()
            .take(SHOWN)
            .map(|s| format!("{}×{}", grouped(s.size), grouped(s.instances)))
            .collect();
        if c.by_size.len() > SHOWN {
            sizes.push(format!("… {} more sizes", c.by_size.len() - SHOWN));
        }
        out.push(format!("  {}: {}", c.class, sizes.join(", ")));
    }
    out.push(String::new());
    out.push(format!(
        "By holding field, largest waste first ({} of {}):",
        r.holders.len(),
        r.holders_total
    ));
    let mut tb = table();
    let mut head: Vec<Cell> = TOTALS_HEADER.iter().map(|h| right(h.to_string())).collect();
    head.extend([Cell::new("class"), Cell::new("held by")]);
    tb.set_header(head);
    for h in &r.holders {
        let mut row = totals_cells(&h.totals);
        row.extend([Cell::new(&h.class), Cell::new(&h.holder)]);
        tb.add_row(row);
    }
    out.push(tb.to_string());
    out.push(String::new());
    out.push(format!(
        "Single collections, largest waste first ({} of {}):",
        r.collections.len(),
        r.totals.instances
    ));
    let mut tb = table();
    tb.set_header(vec![
        right("size".into()),
        right("capacity".into()),
        right("fill".into()),
        right("wasted".into()),
        Cell::new("object"),
        Cell::new("class"),
        Cell::new("held by"),
    ]);
    for i in &r.collections {
        tb.add_row(vec![
            right(grouped(i.facts.size)),
            right(i.facts.capacity.map_or_else(|| "–".into(), grouped)),
            right(
                i.facts
                    .fill_ratio
                    .map_or_else(|| "–".into(), |x| format!("{:.1} %", x * 100.0)),
            ),
            right(human(i.facts.wasted_bytes)),
            Cell::new(&i.object.object),
            Cell::new(&i.object.class),
            Cell::new(&i.holder),
        ]);
    }
    out.push(tb.to_string());
}

/// After a field's value: the class of the object it refers to, and a String's text.
fn referenced(o: Option<&ObjRef>) -> String {
    o.map(|o| match &o.value {
        Some(s) => format!(" {} \"{s}\"", o.class),
        None => format!(" {}", o.class),
    })
    .unwrap_or_default()
}

/// A time in milliseconds since 1970 as `YYYY-MM-DD hh:mm:ss.mmm UTC`.
pub fn utc(ms: u64) -> String {
    heapscope::text::utc(i64::try_from(ms).unwrap_or(i64::MAX), true)
}

/// A signed change: `+1 000`, `-20`, `0`.
fn signed(v: i64, bytes: bool) -> String {
    let a = v.unsigned_abs();
    let s = if bytes { human(a) } else { grouped(a) };
    match v.signum() {
        1 => format!("+{s}"),
        -1 => format!("-{s}"),
        _ => s,
    }
}

/// What a trend's name means, for the text and the page.
pub fn trend_label(name: &str) -> String {
    if let Some(c) = name.strip_prefix("referents:") {
        return format!("Finalizer referents `{c}`");
    }
    if let Some(t) = name.strip_prefix("cancelled_tasks:") {
        return format!("cancelled tasks of Timer '{t}'");
    }
    match name {
        "heap_bytes" => "heap",
        "reachable_bytes" => "reachable heap",
        "objects" => "objects",
        "threads" => "threads",
        "finalizers" => "Finalizers",
        "finalization_queue" => "waiting in the finalization queue",
        "soft_referents" => "soft referents",
        "weak_referents" => "weak referents",
        "phantom_referents" => "phantom referents",
        other => other,
    }
    .to_string()
}

fn path_names(path: &[PathName]) -> String {
    path.iter()
        .map(|p| match &p.field {
            Some(f) => format!(".{f} → {}", p.class),
            None => p.class.clone(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text of `heapscope compare`: its first `top` classes.
pub fn comparison_text(c: &Comparison, top: usize) -> Vec<String> {
    let mut out = Vec::new();
    comparison(&mut out, c, top);
    out
}

fn comparison(out: &mut Vec<String>, c: &Comparison, top: usize) {
    out.push(format!(
        "Comparison of {} dumps, oldest first",
        c.dumps.len()
    ));
    let mut t = table();
    t.set_header(vec![
        Cell::new("#"),
        Cell::new("file"),
        Cell::new("written"),
        right("objects".into()),
        right("heap".into()),
        right("reachable heap".into()),
        right("classes".into()),
    ]);
    for (i, d) in c.dumps.iter().enumerate() {
        t.add_row(vec![
            right((i + 1).to_string()),
            Cell::new(&d.file),
            Cell::new(utc(d.timestamp_ms)),
            right(grouped(d.objects)),
            right(human(d.shallow_bytes)),
            right(d.reachable_bytes.map_or("histogram only".into(), human)),
            right(grouped(d.classes)),
        ]);
    }
    out.push(t.to_string());
    for w in &c.warnings {
        out.push(format!("warning: {w}"));
    }
    out.push(String::new());
    out.push("Trends (dump 1 → … → last, and the change)".into());
    let mut t = table();
    for (name, values) in &c.trends.0 {
        let bytes = name.ends_with("_bytes");
        let cell = |v: &Option<u64>| match v {
            Some(v) if bytes => human(*v),
            Some(v) => grouped(*v),
            None => "–".into(),
        };
        let series: Vec<String> = values.iter().map(cell).collect();
        let change = match (values.first(), values.last()) {
            (Some(Some(a)), Some(Some(b))) => signed(*b as i64 - *a as i64, bytes),
            _ => String::new(),
        };
        t.add_row(vec![
            Cell::new(trend_label(name)),
            right(series.join(" → ")),
            right(change),
        ]);
    }
    out.push(t.to_string());
    out.push(String::new());
    if c.suspects.is_empty() {
        out.push("Leak between dumps: no suspect in any dump.".into());
    } else {
        out.push("Leak between dumps: suspects matched by their path from the GC root".into());
    }
    for s in &c.suspects {
        let sizes: Vec<String> = s
            .retained_bytes
            .iter()
            .map(|v| v.map_or("–".into(), human))
            .collect();
        let growth = s.growth.map(|g| format!(" ({})", signed(g, true)));
        let status = match s.status {
            "new" => " new",
            "gone" => " gone",
            _ => "",
        };
        out.push(format!(
            "  {} `{}`{status}: retained {}{}",
            s.kind,
            s.class,
            sizes.join(" → "),
            growth.unwrap_or_default()
        ));
        if !s.path.is_empty() {
            out.push(format!("    path: {}", path_names(&s.path)));
        }
        if let Some(p) = &s.accumulation_point {
            out.push(format!("    accumulates in `{p}`"));
        }
        out.push(format!("    last: {}", s.description));
    }
    out.push(String::new());
    let new = c.classes.iter().filter(|r| r.status == "new").count() as u64;
    let gone = c.classes.iter().filter(|r| r.status == "gone").count() as u64;
    out.push(format!(
        "Classes, most grown first ({} of {}; {} new, {} gone; instances and shallow bytes per dump)",
        grouped(c.classes.len().min(top) as u64),
        grouped(c.classes.len() as u64),
        grouped(new),
        grouped(gone)
    ));
    let mut t = table();
    t.set_header(vec![
        Cell::new("class"),
        right("instances".into()),
        right("change".into()),
        right("shallow".into()),
        right("change".into()),
        right("retained (last)".into()),
        right("change".into()),
    ]);
    for r in c.classes.iter().take(top) {
        t.add_row(class_delta_row(r));
    }
    out.push(t.to_string());
}

fn class_delta_row(r: &ClassDelta) -> Vec<Cell> {
    let series = |v: &[u64], bytes: bool| {
        v.iter()
            .map(|&x| if bytes { human(x) } else { grouped(x) })
            .collect::<Vec<_>>()
            .join(" → ")
    };
    let status = match r.status {
        "new" => " (new)",
        "gone" => " (gone)",
        _ => "",
    };
    vec![
        Cell::new(format!("{}{status}", r.name)),
        right(series(&r.instances, false)),
        right(signed(r.instances_change, false)),
        right(series(&r.shallow_bytes, true)),
        right(signed(r.shallow_bytes_change, true)),
        right(
            r.retained_bytes
                .last()
                .copied()
                .flatten()
                .map_or("–".into(), human),
        ),
        right(
            r.retained_bytes_change
                .map_or("–".into(), |v| signed(v, true)),
        ),
    ]
}

fn report(out: &mut Vec<String>, r: &DumpReport) {
    out.push(format!(
        "{}: written {}, {} objects, {} heap, {}",
        if r.file.is_empty() {
            "the dump"
        } else {
            &r.file
        },
        utc(r.timestamp_ms),
        grouped(r.objects),
        human(r.shallow_bytes),
        match r.reachable_bytes {
            Some(b) => format!("{} reachable", human(b)),
            None => "histogram only".into(),
        }
    ));
    out.push(format!(
        "{} classes, {} threads, {} suspects (the report `heapscope compare` keeps of a dump; --json prints it)",
        grouped(r.classes.len() as u64),
        grouped(r.threads),
        grouped(r.suspects.len() as u64)
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: &str, children: Vec<PathNode>, more_children: u64) -> PathNode {
        PathNode {
            step: PathStep {
                object: ObjRef {
                    object: id.into(),
                    class: "C".into(),
                    shallow_bytes: 16,
                    retained_bytes: 16,
                    value: None,
                },
                field: None,
                gc_roots: Vec::new(),
                held_by: None,
                repeat: 1,
            },
            targets: 1,
            children,
            more_children,
        }
    }

    #[test]
    fn every_cut_list_gets_its_note_where_it_ends() {
        // a's and b's child lists end together (at c), then d follows at the top.
        let c = node("0xc", Vec::new(), 0);
        let b = node("0xb", vec![c], 2);
        let a = node("0xa", vec![b], 3);
        let d = node("0xd", Vec::new(), 0);
        let lines = path_lines(&[a, d], 4);
        let shape: Vec<String> = lines
            .iter()
            .map(|l| l.split("  (").next().unwrap_or(l).replace("C ", ""))
            .collect();
        assert_eq!(
            shape,
            [
                "0xa",
                "  0xb",
                "    0xc",
                "    … 2 more",
                "  … 3 more",
                "0xd",
                "… 4 more"
            ]
        );
        // Lists still open at the end of the tree are closed too.
        let e = node("0xe", vec![node("0xf", Vec::new(), 1)], 5);
        let lines = path_lines(&[e], 0);
        assert_eq!(lines[2..], ["    … 1 more", "  … 5 more"]);
    }
}

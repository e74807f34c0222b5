//! Why `java.lang.ref.Finalizer`s hold memory, and who really keeps it alive.
//!
//! HotSpot registers a `Finalizer` (a `FinalReference`) for every object whose class has a
//! non-empty `finalize()`; the Finalizers form a list from the static `unfinalized`, so in a
//! dominator tree (where every reference counts) they appear to hold their referents. The
//! question that matters is different: which *strong* references keep the referents alive
//! (so they never even become finalizable)? This module answers it:
//!
//! - totals: Finalizers, their shallow and retained bytes and share of the heap;
//! - their referents by class;
//! - the finalization queue (`Finalizer.queue.head` → `next` …: objects ready for the
//!   finalizer thread), and what the finalizer thread holds in its frames right now;
//! - **holders**: for the referent classes that dominate, the shortest strong paths from GC
//!   roots to the referents, ignoring Finalizer and other `Reference` links, grouped by
//!   pattern into sentences ("2000 of 2150 `PgStatement` are kept alive through
//!   `java.util.TimerThread` 'PostgreSQL-JDBC-SharedTimer-1' → `java.util.TaskQueue.queue` →
//!   …"), each with the bytes that would be freed if the holder let go;
//! - the `java.util.Timer` diagnosis: per timer queue, its tasks, how many are cancelled
//!   but still queued, and the head task that keeps them there.

use super::fields::{
    QUEUE_HEAD, QUEUE_LENGTH, REF_NEXT, REFERENT, TASK_NEXT_TIME, TASK_STATE, TASKQUEUE_QUEUE,
    TASKQUEUE_SIZE, TIMERTHREAD_QUEUE,
};
use super::objects::{ObjRef, obj_ref, obj_ref_plain, record};
use super::paths::{Exclusions, FieldNamer, MAX_EXPLORE, sample_evenly, shortest_path};
use super::threads::{ThreadView, local_of, thread_name, threads_where};
use crate::format::heap_dump::roots::RootKind;
use crate::format::{ByteSource, HprofError};
use crate::graph::Heap;
use crate::graph::retained::minimum_retained;
use crate::model::records::Record;
use crate::text::{group_digits, human_bytes};
use serde::Serialize;
use std::collections::HashMap;

/// `TimerTask.state` of a cancelled task.
const CANCELLED: u64 = 3;

/// Referents searched per class for holders (evenly sampled above this).
pub const MAX_HOLDER_TARGETS: usize = 5000;

/// Referent classes analyzed for holders.
pub const HOLDER_CLASSES: usize = 3;

/// One class of referents.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ReferentClass {
    /// Class index (names repeat across class loaders).
    #[serde(skip)]
    pub class: u32,
    /// Class name.
    pub name: String,
    /// Referents of this class.
    pub instances: u64,
    /// Their shallow bytes.
    pub shallow_bytes: u64,
    /// Sum of their retained sizes.
    pub retained_bytes: u64,
}

/// One step of a holder path: an object's class and the field it refers onward with.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, Hash)]
pub struct Step {
    /// Class of the object (`class Name` for a class object holding a static).
    pub class: String,
    /// Field to the next step (`queue`, `[]` for any array element, `static CACHE`).
    pub field: String,
}

/// A holder: a pattern of strong paths that keeps referents alive.
#[derive(Clone, Debug, Serialize)]
pub struct Holder {
    /// One sentence.
    pub summary: String,
    /// The path pattern from the holder to the referents.
    pub path: Vec<Step>,
    /// Referents kept alive this way (among those searched).
    pub referents: u64,
    /// Referents of that class in all.
    pub of: u64,
    /// Their class.
    pub class: String,
    /// The object where the paths start (a GC root, or the class holding a static).
    pub holder: ObjRef,
    /// The last object all these paths share (where they fan out).
    pub accumulation_point: ObjRef,
    /// Bytes that become unreachable if the accumulation point let go: the referents that
    /// nothing else holds strongly (their retained sizes) and the path objects between.
    pub retained_bytes: u64,
    /// Referents that would be freed.
    pub freed_referents: u64,
}

/// A `java.util.Timer` queue.
#[derive(Clone, Debug, Serialize)]
pub struct TimerQueue {
    /// The timer thread's name (`None` if no thread runs this queue).
    pub thread: Option<String>,
    /// The `TaskQueue`.
    pub queue: ObjRef,
    /// Tasks queued.
    pub tasks: u64,
    /// Of which cancelled (they leave the queue only when their time comes).
    pub cancelled_tasks: u64,
    /// Class of the task at the head of the queue (the next one due).
    pub head_task_class: Option<String>,
    /// When the head task is due, ms since the epoch.
    pub head_task_time_ms: Option<i64>,
    /// How long after the dump the head task is due (negative: overdue).
    pub head_task_due_in_ms: Option<i64>,
    /// Whether the head task itself is cancelled.
    pub head_task_cancelled: bool,
    /// Classes of the cancelled tasks, most frequent first.
    pub cancelled_task_classes: Vec<(String, u64)>,
    /// What to do about it.
    pub advice: Option<String>,
}

/// The Finalizer report (the `heapscope finalizers --json` contract).
#[derive(Clone, Debug, Serialize)]
pub struct FinalizerReport {
    /// `java.lang.ref.Finalizer` objects.
    pub finalizers: u64,
    /// Their shallow bytes.
    pub shallow_bytes: u64,
    /// Their retained bytes (as a class: instances not dominated by another Finalizer).
    pub retained_bytes: u64,
    /// `retained_bytes` over the reachable heap.
    pub heap_share: f64,
    /// Finalizers with a referent.
    pub referents: u64,
    /// Referents' shallow bytes.
    pub referents_shallow_bytes: u64,
    /// Sum of the referents' retained sizes (a referent a Finalizer dominates is in
    /// `retained_bytes` too).
    pub referents_retained_bytes: u64,
    /// What the Finalizers and their referents retain together, each object once: the
    /// minimum retained size of the Finalizers and referents as one set (the retained
    /// sizes of those no other of them dominates). The figure the findings, the suspect
    /// and the overview give.
    pub together_retained_bytes: u64,
    /// Referents by class, most retained first.
    pub referents_by_class: Vec<ReferentClass>,
    /// Finalizers in the finalization queue (ready for the finalizer thread).
    pub queued: u64,
    /// The queue's own count (`ReferenceQueue.queueLength`).
    pub queue_length: Option<u64>,
    /// Queued referents by class.
    pub queued_by_class: Vec<ReferentClass>,
    /// Finalizer threads with their stacks and locals (the object being finalized).
    pub finalizer_threads: Vec<ThreadView>,
    /// Objects the finalizer threads' frames hold that are Finalizers or their referents:
    /// what is being finalized right now.
    pub in_processing: Vec<ObjRef>,
    /// Who keeps the referents alive.
    pub holders: Vec<Holder>,
    /// Every `java.util.Timer` queue.
    pub timers: Vec<TimerQueue>,
    /// The findings in sentences.
    pub findings: Vec<String>,
}

fn by_class(heap: &Heap, objs: impl Iterator<Item = u32>) -> Vec<ReferentClass> {
    let mut m: HashMap<u32, ReferentClass> = HashMap::new();
    for o in objs {
        let c = heap.class_of(o);
        let e = m.entry(c).or_insert_with(|| ReferentClass {
            class: c,
            name: heap.describe_class(o),
            instances: 0,
            shallow_bytes: 0,
            retained_bytes: 0,
        });
        e.instances += 1;
        e.shallow_bytes += heap.shallow(o);
        e.retained_bytes += heap.retained(o);
    }
    let mut v: Vec<ReferentClass> = m.into_values().collect();
    v.sort_by(|a, b| {
        b.retained_bytes
            .cmp(&a.retained_bytes)
            .then(b.instances.cmp(&a.instances))
            .then(a.name.cmp(&b.name))
            .then(a.class.cmp(&b.class))
    });
    v
}

/// A class's static field value (raw), by name.
fn static_value(heap: &Heap, class: u32, name: &str) -> Option<u64> {
    let c = heap.index.classes.get(class)?;
    c.statics
        .iter()
        .find(|s| heap.index.strings.get(s.name_id).is_some_and(|n| n == name))
        .map(|s| s.value)
}

/// The Finalizers in the finalization queue, walking `ReferenceQueue.head` → `next`.
fn queued(heap: &Heap, finalizer_class: Option<u32>) -> (Vec<u32>, Option<u64>) {
    let Some(q) = finalizer_class
        .and_then(|c| static_value(heap, c, "queue"))
        .and_then(|id| heap.object_by_id(id))
    else {
        return (Vec::new(), None);
    };
    let length = heap.captures.get(QUEUE_LENGTH, q);
    let mut out = Vec::new();
    let mut cur = heap.captures.get_ref(QUEUE_HEAD, q);
    let limit = heap.object_count();
    while let Some(r) = cur {
        out.push(r);
        let next = heap.captures.get_ref(REF_NEXT, r);
        // The tail points to itself (JDK 9+); older JDKs end at null or at the queue's
        // sentinel. A cycle or a runaway chain in a corrupt dump stops at the object count.
        if next == Some(r) || out.len() > limit {
            break;
        }
        cur = next;
    }
    (out, length)
}

/// Describes a path's first node: `` `java.util.TimerThread` 'name' `` or `` `class X` ``.
fn holder_label(heap: &Heap, src: &mut dyn ByteSource, obj: u32) -> String {
    if obj < heap.index.classes.object_count {
        return format!("`{}`", heap.describe_class(obj));
    }
    let is_thread = heap
        .index
        .classes
        .subclasses_of_name("java.lang.Thread")
        .get(heap.class_of(obj) as usize)
        .copied()
        .unwrap_or(false);
    if is_thread {
        format!(
            "`{}` '{}'",
            heap.describe_class(obj),
            thread_name(heap, src, obj)
        )
    } else {
        format!("`{}`", heap.describe_class(obj))
    }
}

/// Renders a holder sentence.
fn sentence(
    n: u64,
    of: u64,
    class: &str,
    label: &str,
    path: &[Step],
    freed: u64,
    point: &str,
) -> String {
    let mut s = format!(
        "{} of {} `{class}` are kept alive through {label}",
        group_digits(n),
        group_digits(of)
    );
    for (i, st) in path.iter().enumerate() {
        if i == 0 {
            if let Some(f) = st.field.strip_prefix("static ") {
                s.push_str(&format!(".{f}"));
            } else if let Some(m) = st.field.strip_prefix("<local in ") {
                if path.len() == 1 {
                    s.push_str(&format!(" (a local in {}", m.trim_end_matches('>')));
                    s.push(')');
                }
            }
            continue;
        }
        if st.field == "[]" {
            s.push_str(&format!(" → `{}`", st.class));
        } else {
            s.push_str(&format!(" → `{}.{}`", st.class, st.field));
        }
    }
    if freed > 0 {
        s.push_str(&format!(
            " ({} would be freed if the `{point}` let go)",
            human_bytes(freed)
        ));
    }
    s
}

/// Groups referents of one class by the strong path that holds them.
fn holders_for_class(
    heap: &Heap,
    src: &mut dyn ByteSource,
    ex: &Exclusions,
    names: &mut FieldNamer,
    class_name: &str,
    targets: &[u32],
) -> Result<Vec<Holder>, HprofError> {
    let sample = sample_evenly(targets, MAX_HOLDER_TARGETS);
    // key: (start object, pattern) → (targets, sample paths)
    type Group = (Vec<u32>, Vec<Vec<u32>>);
    let mut groups: HashMap<(u32, Vec<Step>), Group> = HashMap::new();
    let mut order: Vec<(u32, Vec<Step>)> = Vec::new();
    for &t in &sample {
        let Some(path) = shortest_path(heap, ex, t, MAX_EXPLORE, None) else {
            continue;
        };
        // Start at the last class object (a static holds the rest), else at the GC root.
        let start = path
            .iter()
            .rposition(|&o| o < heap.index.classes.object_count)
            .filter(|&i| i + 1 < path.len())
            .unwrap_or(0);
        let mut steps = Vec::new();
        let mut path = path;
        let mut start = start;
        // A root held by a thread's frame belongs to that thread.
        if start == 0
            && let Some(&root) = path.first()
            && let Some((thread, method)) = local_of(heap, root)
            && thread != root
        {
            steps.push(Step {
                class: heap.describe_class(thread),
                field: match method {
                    Some(m) => format!("<local in {m}>"),
                    None => "<local>".into(),
                },
            });
            path.insert(0, thread);
            start = 0;
        }
        let Some(&held_from) = path.get(start) else {
            continue;
        };
        let rest = path.get(start + steps.len()..).unwrap_or_default();
        for w in rest.windows(2) {
            let &[from, to] = w else { continue };
            let mut field = names.name(heap, src, from, to)?;
            if field.starts_with('[') {
                field = "[]".into();
            }
            steps.push(Step {
                class: heap.describe_class(from),
                field,
            });
        }
        let key = (held_from, steps);
        let e = groups.entry(key.clone()).or_insert_with(|| {
            order.push(key);
            (Vec::new(), Vec::new())
        });
        e.0.push(t);
        if e.1.len() < 64 {
            e.1.push(path.get(start..).unwrap_or_default().to_vec());
        }
    }
    let scale = targets.len() as f64 / sample.len().max(1) as f64;
    let mut out = Vec::new();
    for key in order {
        let Some((members, paths)) = groups.remove(&key) else {
            continue;
        };
        let (start, steps) = key;
        // The accumulation point: the last object every sampled path shares.
        let first = paths.first().cloned().unwrap_or_default();
        let mut shared = 0usize;
        while shared + 1 < first.len()
            && paths
                .iter()
                .all(|p| p.get(shared + 1) == first.get(shared + 1))
            && first.get(shared + 1) != first.last()
        {
            shared += 1;
        }
        let point = first.get(shared).copied().unwrap_or(start);
        // What letting go of the accumulation point frees.
        let mut freed_bytes = 0u64;
        let mut freed = 0u64;
        let mut between: std::collections::HashSet<u32> = std::collections::HashSet::new();
        for (i, &t) in members.iter().enumerate() {
            if shortest_path(heap, ex, t, MAX_EXPLORE, Some(point)).is_none() {
                freed += 1;
                freed_bytes += heap.retained(t);
                if let Some(p) = paths.get(i) {
                    between.extend(p.iter().skip(shared + 1).filter(|&&o| o != t));
                }
            }
        }
        freed_bytes += between.iter().map(|&o| heap.shallow(o)).sum::<u64>();
        let n = ((members.len() as f64) * scale).round() as u64;
        let freed_n = ((freed as f64) * scale).round() as u64;
        let freed_bytes = ((freed_bytes as f64) * scale).round() as u64;
        let label = holder_label(heap, src, start);
        out.push(Holder {
            summary: sentence(
                n,
                targets.len() as u64,
                class_name,
                &label,
                &steps,
                freed_bytes,
                &heap.describe_class(point),
            ),
            path: steps,
            referents: n,
            of: targets.len() as u64,
            class: class_name.to_string(),
            holder: obj_ref_plain(heap, start),
            accumulation_point: obj_ref_plain(heap, point),
            retained_bytes: freed_bytes,
            freed_referents: freed_n,
        });
    }
    out.sort_by(|a, b| {
        b.referents
            .cmp(&a.referents)
            .then(b.retained_bytes.cmp(&a.retained_bytes))
    });
    Ok(out)
}

/// Every `java.util.TaskQueue`: tasks, cancelled ones, the head task.
pub fn timers(heap: &Heap, src: &mut dyn ByteSource) -> Result<Vec<TimerQueue>, HprofError> {
    // Class by class, as the report has always listed them (a second loader's TaskQueue
    // after the first's).
    let queues: Vec<u32> = heap
        .index
        .classes
        .by_name("java.util.TaskQueue")
        .iter()
        .flat_map(|&c| heap.instances_of(&[c]))
        .collect();
    let threads: Vec<(u32, u32)> = heap
        .captures
        .all(TIMERTHREAD_QUEUE)
        .iter()
        .filter(|&&(_, q)| q != crate::model::captures::NO_OBJECT)
        .map(|&(t, q)| (t, q as u32))
        .collect();
    let dumped_at = heap.index.header.timestamp_ms as i64;
    let mut out = Vec::new();
    for q in queues {
        let size = heap.captures.get(TASKQUEUE_SIZE, q).unwrap_or(0) as u32;
        let mut tasks: Vec<u32> = Vec::new();
        if let Some(arr) = heap.captures.get_ref(TASKQUEUE_QUEUE, q)
            && let Some(Record::ObjArray { elements, .. }) =
                record(heap, src, arr, size.saturating_add(1))?
        {
            // A binary heap from index 1.
            tasks = elements
                .iter()
                .skip(1)
                .take(size as usize)
                .filter_map(|&id| heap.object_by_id(id))
                .collect();
        }
        let cancelled: Vec<u32> = tasks
            .iter()
            .copied()
            .filter(|&t| heap.captures.get(TASK_STATE, t) == Some(CANCELLED))
            .collect();
        let head = tasks.first().copied();
        let head_time = head
            .and_then(|h| heap.captures.get(TASK_NEXT_TIME, h))
            .map(|v| v as i64);
        let head_cancelled =
            head.is_some_and(|h| heap.captures.get(TASK_STATE, h) == Some(CANCELLED));
        let mut classes_count: HashMap<String, u64> = HashMap::new();
        for &t in &cancelled {
            *classes_count.entry(heap.describe_class(t)).or_default() += 1;
        }
        let mut cancelled_task_classes: Vec<(String, u64)> = classes_count.into_iter().collect();
        cancelled_task_classes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let thread = threads
            .iter()
            .find(|&&(_, tq)| tq == q)
            .map(|&(t, _)| thread_name(heap, src, t));
        let due_in = head_time.map(|t| t - dumped_at);
        let advice = (!cancelled.is_empty()).then(|| {
            timer_advice(
                cancelled.len() as u64,
                tasks.len() as u64,
                Some(&due_clause(due_in)),
            )
        });
        out.push(TimerQueue {
            thread,
            queue: obj_ref_plain(heap, q),
            tasks: tasks.len() as u64,
            cancelled_tasks: cancelled.len() as u64,
            head_task_class: head.map(|h| heap.describe_class(h)),
            head_task_time_ms: head_time,
            head_task_due_in_ms: due_in,
            head_task_cancelled: head_cancelled,
            cancelled_task_classes,
            advice,
        });
    }
    out.sort_by(|a, b| {
        b.cancelled_tasks
            .cmp(&a.cancelled_tasks)
            .then(b.tasks.cmp(&a.tasks))
    });
    Ok(out)
}

/// When a Timer's head task is due, as the advice says it (`the head task is due in 3 h`):
/// read from the task's `nextExecutionTime`, a field value.
pub fn due_clause(due_in_ms: Option<i64>) -> String {
    match due_in_ms {
        Some(ms) if ms > 0 => format!("the head task is due in {}", duration(ms)),
        Some(_) => "the head task is overdue".to_string(),
        None => "the head task's time is unknown".to_string(),
    }
}

/// What to do about a Timer queue with `cancelled` of its `tasks` cancelled; `when`
/// ([`due_clause`]) is left out of the sentence when `None` (a report without values).
pub fn timer_advice(cancelled: u64, tasks: u64, when: Option<&str>) -> String {
    let when = when.map(|w| format!(", and {w}")).unwrap_or_default();
    format!(
        "{} of {} tasks are cancelled but still queued: a cancelled TimerTask leaves a \
         Timer's queue only when its own time comes{when}. Call Timer.purge() after \
         cancelling tasks, or upgrade the library that schedules them to a version that \
         purges its timer.",
        group_digits(cancelled),
        group_digits(tasks)
    )
}

/// `50 min`, `2.5 h`, `3 d`.
fn duration(ms: i64) -> String {
    let s = ms as f64 / 1000.0;
    if s < 120.0 {
        format!("{s:.0} s")
    } else if s < 7200.0 {
        format!("{:.0} min", s / 60.0)
    } else if s < 172_800.0 {
        format!("{:.1} h", s / 3600.0)
    } else {
        format!("{:.0} d", s / 86400.0)
    }
}

/// The Finalizer report.
pub fn finalizers(heap: &Heap, src: &mut dyn ByteSource) -> Result<FinalizerReport, HprofError> {
    let classes = &heap.index.classes;
    let is_finalizer = classes.subclasses_of_name("java.lang.ref.Finalizer");
    let finalizer_class = classes.by_name("java.lang.ref.Finalizer").first().copied();
    let finalizer_classes: Vec<u32> = is_finalizer
        .iter()
        .enumerate()
        .filter(|&(_, &f)| f)
        .map(|(c, _)| c as u32)
        .collect();
    let finalizer_objs = heap.instances_of(&finalizer_classes);
    let shallow_bytes: u64 = finalizer_objs.iter().map(|&o| heap.shallow(o)).sum();
    let retained_bytes: u64 = finalizer_classes
        .iter()
        .map(|&c| heap.class_retained.get(c as usize).copied().unwrap_or(0))
        .sum();
    let referents: Vec<u32> = finalizer_objs
        .iter()
        .filter_map(|&f| heap.captures.get_ref(REFERENT, f))
        .collect();
    let referents_by_class = by_class(heap, referents.iter().copied());
    let (queue, queue_length) = queued(heap, finalizer_class);
    let queued_referents: Vec<u32> = queue
        .iter()
        .filter_map(|&f| heap.captures.get_ref(REFERENT, f))
        .collect();

    // Finalizer threads and what they are finalizing.
    let is_fthread = classes.subclasses_of_name("java.lang.ref.Finalizer$FinalizerThread");
    let is_fthread_obj = |o: u32| {
        is_fthread
            .get(heap.class_of(o) as usize)
            .copied()
            .unwrap_or(false)
    };
    let finalizer_threads = threads_where(heap, src, 20, is_fthread_obj);
    let serials: Vec<u32> = heap
        .roots
        .records
        .iter()
        .filter(|r| r.kind == RootKind::ThreadObject && is_fthread_obj(r.object))
        .map(|r| r.thread_serial)
        .collect();
    let referent_set: std::collections::HashSet<u32> = referents.iter().copied().collect();
    let mut busy: Vec<u32> = heap
        .roots
        .records
        .iter()
        .filter(|r| {
            matches!(r.kind, RootKind::JavaFrame | RootKind::JniLocal)
                && serials.contains(&r.thread_serial)
                && (referent_set.contains(&r.object)
                    || is_finalizer
                        .get(heap.class_of(r.object) as usize)
                        .copied()
                        .unwrap_or(false))
        })
        .map(|r| r.object)
        .collect();
    busy.sort_unstable();
    busy.dedup();
    let in_processing: Vec<ObjRef> = busy.iter().map(|&o| obj_ref(heap, src, o)).collect();

    // Holders of the dominant referent classes.
    let ex = Exclusions::new(heap, false);
    let mut names = FieldNamer::default();
    let mut holders = Vec::new();
    for rc in referents_by_class.iter().take(HOLDER_CLASSES) {
        if rc.instances == 0 {
            continue;
        }
        let targets: Vec<u32> = referents
            .iter()
            .copied()
            .filter(|&r| heap.class_of(r) == rc.class)
            .collect();
        holders.extend(holders_for_class(
            heap, src, &ex, &mut names, &rc.name, &targets,
        )?);
    }
    holders.sort_by(|a, b| {
        b.retained_bytes
            .cmp(&a.retained_bytes)
            .then(b.referents.cmp(&a.referents))
    });

    let timers = timers(heap, src)?;
    let reachable = heap.reachable_bytes().max(1);
    let heap_share = retained_bytes as f64 / reachable as f64;
    let referents_retained_bytes: u64 = referents.iter().map(|&r| heap.retained(r)).sum();
    let together: Vec<u32> = finalizer_objs.iter().chain(&referents).copied().collect();
    let together_retained_bytes = minimum_retained(heap, &together);

    let mut findings = Vec::new();
    if !finalizer_objs.is_empty() {
        findings.push(format!(
            "{} java.lang.ref.Finalizer objects retain {} ({:.1} % of the heap); with their {} referents, {} together.",
            group_digits(finalizer_objs.len() as u64),
            human_bytes(retained_bytes),
            100.0 * heap_share,
            group_digits(referents.len() as u64),
            human_bytes(together_retained_bytes),
        ));
    }
    if let Some(top) = referents_by_class.first() {
        findings.push(format!(
            "Most referents are {} ({} objects, {} retained).",
            top.name,
            group_digits(top.instances),
            human_bytes(top.retained_bytes)
        ));
    }
    if !queue.is_empty() {
        findings.push(format!(
            "{} objects wait in the finalization queue{}.",
            group_digits(queue.len() as u64),
            if in_processing.is_empty() {
                String::new()
            } else {
                format!(
                    "; the finalizer thread is busy with {}",
                    in_processing
                        .iter()
                        .map(|o| o.class.clone())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        ));
    }
    for h in holders.iter().take(3) {
        findings.push(format!("{}.", h.summary));
    }
    for t in timers.iter().filter(|t| t.cancelled_tasks > 0) {
        findings.push(format!(
            "Timer{}: {}",
            t.thread
                .as_ref()
                .map(|n| format!(" '{n}'"))
                .unwrap_or_default(),
            t.advice.clone().unwrap_or_default()
        ));
    }
    Ok(FinalizerReport {
        finalizers: finalizer_objs.len() as u64,
        shallow_bytes,
        retained_bytes,
        heap_share,
        referents: referents.len() as u64,
        referents_shallow_bytes: referents.iter().map(|&r| heap.shallow(r)).sum(),
        referents_retained_bytes,
        together_retained_bytes,
        referents_by_class,
        queued: queue.len() as u64,
        queue_length,
        queued_by_class: by_class(heap, queued_referents.into_iter()),
        finalizer_threads,
        in_processing,
        holders,
        timers,
        findings,
    })
}

//! The fields the analyses read for many objects, captured during the references pass
//! (see `model::captures`). Key names are `Class.field`.

use crate::model::captures::CaptureSpec;

/// `java.lang.ref.Reference.referent`: the object a Soft/Weak/Phantom/Final reference holds.
pub const REFERENT: &str = "java.lang.ref.Reference.referent";
/// `java.lang.ref.Reference.next`: the next reference in a `ReferenceQueue` (self at the tail).
pub const REF_NEXT: &str = "java.lang.ref.Reference.next";
/// `java.lang.ref.Finalizer.next`: the next Finalizer of the `unfinalized` list.
pub const FINALIZER_NEXT: &str = "java.lang.ref.Finalizer.next";
/// `java.lang.ref.Finalizer.prev`.
pub const FINALIZER_PREV: &str = "java.lang.ref.Finalizer.prev";
/// `java.lang.ref.ReferenceQueue.head`.
pub const QUEUE_HEAD: &str = "java.lang.ref.ReferenceQueue.head";
/// `java.lang.ref.ReferenceQueue.queueLength`.
pub const QUEUE_LENGTH: &str = "java.lang.ref.ReferenceQueue.queueLength";
/// `java.util.TimerTask.state` (0 virgin, 1 scheduled, 2 executed, 3 cancelled).
pub const TASK_STATE: &str = "java.util.TimerTask.state";
/// `java.util.TimerTask.nextExecutionTime` (ms since the epoch).
pub const TASK_NEXT_TIME: &str = "java.util.TimerTask.nextExecutionTime";
/// `java.util.TaskQueue.queue` (`TimerTask[]`, a binary heap from index 1).
pub const TASKQUEUE_QUEUE: &str = "java.util.TaskQueue.queue";
/// `java.util.TaskQueue.size`.
pub const TASKQUEUE_SIZE: &str = "java.util.TaskQueue.size";
/// `java.util.TimerThread.queue`.
pub const TIMERTHREAD_QUEUE: &str = "java.util.TimerThread.queue";
/// `java.lang.Thread.name`.
pub const THREAD_NAME: &str = "java.lang.Thread.name";

/// Everything captured.
pub const CAPTURES: &[CaptureSpec] = &[
    CaptureSpec {
        class: "java.lang.ref.Reference",
        fields: &["referent", "next"],
    },
    CaptureSpec {
        class: "java.lang.ref.Finalizer",
        fields: &["next", "prev"],
    },
    CaptureSpec {
        class: "java.lang.ref.ReferenceQueue",
        fields: &["head", "queueLength"],
    },
    CaptureSpec {
        class: "java.util.TimerTask",
        fields: &["state", "nextExecutionTime"],
    },
    CaptureSpec {
        class: "java.util.TaskQueue",
        fields: &["queue", "size"],
    },
    CaptureSpec {
        class: "java.util.TimerThread",
        fields: &["queue"],
    },
    CaptureSpec {
        class: "java.lang.Thread",
        fields: &["name"],
    },
];

//! GC root sub-records. All are fixed-size:
//!
//! ```text
//! ROOT_UNKNOWN           0xFF  ID
//! ROOT_JNI_GLOBAL        0x01  ID object | ID JNI global ref
//! ROOT_JNI_LOCAL         0x02  ID | u4 thread serial | u4 frame number (-1: none)
//! ROOT_JAVA_FRAME        0x03  ID | u4 thread serial | u4 frame number (-1: none)
//! ROOT_NATIVE_STACK      0x04  ID | u4 thread serial
//! ROOT_STICKY_CLASS      0x05  ID
//! ROOT_THREAD_BLOCK      0x06  ID | u4 thread serial
//! ROOT_MONITOR_USED      0x07  ID
//! ROOT_THREAD_OBJ        0x08  ID | u4 thread serial | u4 stack trace serial
//! Android (1.0.3):
//! ROOT_INTERNED_STRING   0x89  ID
//! ROOT_FINALIZING        0x8A  ID
//! ROOT_DEBUGGER          0x8B  ID
//! ROOT_REFERENCE_CLEANUP 0x8C  ID
//! ROOT_VM_INTERNAL       0x8D  ID
//! ROOT_JNI_MONITOR       0x8E  ID | u4 thread serial | u4 stack depth
//! ROOT_UNREACHABLE       0x90  ID
//! ```

use crate::format::primitives::{id_at, u32_at};
use crate::format::tags::SubTag;

/// The kind of a GC root.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum RootKind {
    /// Unknown.
    Unknown,
    /// JNI global reference.
    JniGlobal,
    /// JNI local reference.
    JniLocal,
    /// Local variable of a Java frame.
    JavaFrame,
    /// Native stack.
    NativeStack,
    /// System class.
    StickyClass,
    /// Thread block.
    ThreadBlock,
    /// Busy monitor.
    MonitorUsed,
    /// A live thread object.
    ThreadObject,
    /// Android: interned string.
    InternedString,
    /// Android: finalizing.
    Finalizing,
    /// Android: debugger.
    Debugger,
    /// Android: reference cleanup.
    ReferenceCleanup,
    /// Android: VM internal.
    VmInternal,
    /// Android: JNI monitor.
    JniMonitor,
    /// Android: unreachable (not a real root; recorded but not used as one).
    Unreachable,
}

impl RootKind {
    /// All kinds, in declaration order.
    pub const ALL: [RootKind; 16] = [
        RootKind::Unknown,
        RootKind::JniGlobal,
        RootKind::JniLocal,
        RootKind::JavaFrame,
        RootKind::NativeStack,
        RootKind::StickyClass,
        RootKind::ThreadBlock,
        RootKind::MonitorUsed,
        RootKind::ThreadObject,
        RootKind::InternedString,
        RootKind::Finalizing,
        RootKind::Debugger,
        RootKind::ReferenceCleanup,
        RootKind::VmInternal,
        RootKind::JniMonitor,
        RootKind::Unreachable,
    ];

    /// A stable snake_case name, used as a JSON key.
    pub fn name(self) -> &'static str {
        match self {
            RootKind::Unknown => "unknown",
            RootKind::JniGlobal => "jni_global",
            RootKind::JniLocal => "jni_local",
            RootKind::JavaFrame => "java_frame",
            RootKind::NativeStack => "native_stack",
            RootKind::StickyClass => "sticky_class",
            RootKind::ThreadBlock => "thread_block",
            RootKind::MonitorUsed => "monitor_used",
            RootKind::ThreadObject => "thread_object",
            RootKind::InternedString => "interned_string",
            RootKind::Finalizing => "finalizing",
            RootKind::Debugger => "debugger",
            RootKind::ReferenceCleanup => "reference_cleanup",
            RootKind::VmInternal => "vm_internal",
            RootKind::JniMonitor => "jni_monitor",
            RootKind::Unreachable => "unreachable",
        }
    }

    /// Whether this kind keeps objects alive (all but Android's "unreachable" marker).
    pub fn is_strong(self) -> bool {
        self != RootKind::Unreachable
    }
}

/// One GC root.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GcRoot {
    /// Kind.
    pub kind: RootKind,
    /// The rooted object.
    pub object_id: u64,
    /// Thread serial, where the kind has one (0 otherwise).
    pub thread_serial: u32,
    /// Frame number (JNI local, Java frame), stack depth (JNI monitor) or stack trace
    /// serial (thread object); `u32::MAX` where the kind has none or the dump says -1.
    pub frame: u32,
}

/// Fixed body layout of a root sub-record: (kind, number of IDs, number of u4 words).
pub fn root_layout(tag: SubTag) -> Option<(RootKind, u8, u8)> {
    Some(match tag {
        SubTag::HPROF_GC_ROOT_UNKNOWN => (RootKind::Unknown, 1, 0),
        SubTag::HPROF_GC_ROOT_JNI_GLOBAL => (RootKind::JniGlobal, 2, 0),
        SubTag::HPROF_GC_ROOT_JNI_LOCAL => (RootKind::JniLocal, 1, 2),
        SubTag::HPROF_GC_ROOT_JAVA_FRAME => (RootKind::JavaFrame, 1, 2),
        SubTag::HPROF_GC_ROOT_NATIVE_STACK => (RootKind::NativeStack, 1, 1),
        SubTag::HPROF_GC_ROOT_STICKY_CLASS => (RootKind::StickyClass, 1, 0),
        SubTag::HPROF_GC_ROOT_THREAD_BLOCK => (RootKind::ThreadBlock, 1, 1),
        SubTag::HPROF_GC_ROOT_MONITOR_USED => (RootKind::MonitorUsed, 1, 0),
        SubTag::HPROF_GC_ROOT_THREAD_OBJ => (RootKind::ThreadObject, 1, 2),
        SubTag::HPROF_ROOT_INTERNED_STRING => (RootKind::InternedString, 1, 0),
        SubTag::HPROF_ROOT_FINALIZING => (RootKind::Finalizing, 1, 0),
        SubTag::HPROF_ROOT_DEBUGGER => (RootKind::Debugger, 1, 0),
        SubTag::HPROF_ROOT_REFERENCE_CLEANUP => (RootKind::ReferenceCleanup, 1, 0),
        SubTag::HPROF_ROOT_VM_INTERNAL => (RootKind::VmInternal, 1, 0),
        SubTag::HPROF_ROOT_JNI_MONITOR => (RootKind::JniMonitor, 1, 2),
        SubTag::HPROF_UNREACHABLE => (RootKind::Unreachable, 1, 0),
        _ => return None,
    })
}

/// Decodes a root body (after the tag byte) whose length the caller has checked against
/// `root_layout`.
pub fn decode_root(kind: RootKind, ids: u8, words: u8, body: &[u8], id_size: u8) -> GcRoot {
    let object_id = id_at(body, id_size);
    let w = usize::from(ids) * usize::from(id_size);
    let thread_serial = if words >= 1 { u32_at(body, w) } else { 0 };
    let frame = if words >= 2 {
        u32_at(body, w + 4)
    } else {
        u32::MAX
    };
    GcRoot {
        kind,
        object_id,
        thread_serial,
        frame,
    }
}

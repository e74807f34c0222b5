//! Stack frames, traces and threads as the dump records them.
//!
//! HotSpot writes one TRACE per thread (serial numbers tie it to the thread's
//! ROOT_THREAD_OBJ) plus FRAME records. (The JDK 6 agent also writes START_THREAD; it is
//! parsed but not kept.)

use super::hash::IdHashMap;
use crate::format::stacks::{Frame, Trace};

/// A stack trace: thread serial and frame IDs, innermost first.
#[derive(Clone, Debug, Default)]
pub struct TraceRec {
    /// Thread serial.
    pub thread_serial: u32,
    /// Frame IDs.
    pub frames: Vec<u64>,
}

/// Frames and traces by ID / serial.
#[derive(Default)]
pub struct StackTable {
    /// Frames by ID.
    pub frames: IdHashMap<u64, Frame>,
    /// Traces by serial.
    pub traces: IdHashMap<u32, TraceRec>,
}

impl StackTable {
    /// Records a frame.
    pub fn add_frame(&mut self, f: &Frame) {
        self.frames.insert(f.id, *f);
    }

    /// Records a trace.
    pub fn add_trace(&mut self, t: &Trace<'_>) {
        self.traces.insert(
            t.serial,
            TraceRec {
                thread_serial: t.thread_serial,
                frames: t.frames.iter().collect(),
            },
        );
    }
}

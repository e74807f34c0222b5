//! The memory cap where there is no spill store (systems other than Linux): accepted, and
//! the analysis runs in memory.

/// Bytes spilled (none here).
#[derive(Clone, Copy, Debug)]
pub struct Usage {
    pub spilled: u64,
    pub spilled_peak: u64,
}

pub fn usage() -> Usage {
    Usage {
        spilled: 0,
        spilled_peak: 0,
    }
}

pub fn configure(_cap: u64, _dir: &std::path::Path) -> Result<(), String> {
    Err("the spill store needs Linux".into())
}

pub fn plan_known(_peak_bytes: u64) {}

pub fn forced() -> bool {
    false
}

pub fn cap() -> u64 {
    0
}

pub fn dir_name() -> String {
    String::new()
}

pub fn spilling() -> bool {
    false
}

pub fn in_memory(_dir: &std::path::Path) -> bool {
    false
}

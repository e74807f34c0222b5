//! What the CLI says on stderr while it works: a progress bar per pass (on a terminal),
//! and `--timings`' JSON line per phase.

use indicatif::{ProgressBar, ProgressStyle};
use std::cell::RefCell;
use std::io::IsTerminal;
use std::time::Instant;

/// A pass's progress bar over the file's bytes (nothing off a terminal or with `--quiet`).
pub struct PassBar {
    bar: Option<ProgressBar>,
    phase: String,
    /// The spill files' size last shown (MiB).
    shown: std::cell::Cell<u64>,
}

/// What the progress line adds while the analysis spills: the spill files' size now.
pub fn spilled_note() -> String {
    let u = crate::spill::usage();
    if crate::spill::spilling() {
        format!("  spilled {} MiB to disk", u.spilled >> 20)
    } else {
        String::new()
    }
}

impl PassBar {
    /// A bar for `total` bytes, labelled `phase`.
    pub fn new(quiet: bool, total: u64, phase: &str) -> Self {
        if quiet || !std::io::stderr().is_terminal() {
            return PassBar {
                bar: None,
                phase: String::new(),
                shown: std::cell::Cell::new(0),
            };
        }
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template(
                "{msg:>10} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_message(phase.to_string());
        PassBar {
            bar: Some(bar),
            phase: phase.to_string(),
            shown: std::cell::Cell::new(0),
        }
    }

    /// Bytes read so far.
    pub fn set(&self, pos: u64) {
        if let Some(b) = &self.bar {
            b.set_position(pos);
            let mib = crate::spill::usage().spilled >> 20;
            if crate::spill::spilling() && mib != self.shown.get() {
                self.shown.set(mib);
                b.set_message(format!("{} ({mib} MiB spilled to disk)", self.phase));
            }
        }
    }

    /// Removes the bar.
    pub fn done(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

/// `--timings`: each phase's wall time and the memory high-water mark at its end, as one
/// JSON line on stderr when the next phase starts (or at [`Timings::finish`]).
pub struct Timings {
    on: bool,
    /// The phase, when it started, and the process's CPU times then.
    current: Option<(String, Instant, Option<CpuTimes>)>,
}

thread_local! {
    static TIMINGS: RefCell<Timings> = const { RefCell::new(Timings { on: false, current: None }) };
}

impl Timings {
    /// Turns the reports on.
    pub fn enable() {
        TIMINGS.with(|t| t.borrow_mut().on = true);
    }

    /// Ends the current phase, if any, and starts `name` (nothing if it is already current).
    pub fn enter(name: &str) {
        TIMINGS.with(|t| {
            let mut t = t.borrow_mut();
            if !t.on || t.current.as_ref().is_some_and(|(c, _, _)| c == name) {
                return;
            }
            t.report();
            t.current = Some((name.to_string(), Instant::now(), cpu_times()));
        });
    }

    /// Ends the current phase.
    pub fn finish() {
        TIMINGS.with(|t| {
            let mut t = t.borrow_mut();
            t.report();
            t.current = None;
        });
    }

    fn report(&self) {
        if let Some((name, start, cpu)) = &self.current {
            let wall_ms = (start.elapsed().as_secs_f64() * 1e4).round() / 10.0;
            // CPU time of every thread of the process during the phase, user and system.
            let (user_ms, sys_ms) = match (cpu, cpu_times()) {
                (Some(a), Some(b)) => (
                    ms(b.user_us.saturating_sub(a.user_us)),
                    ms(b.sys_us.saturating_sub(a.sys_us)),
                ),
                _ => ("null".to_string(), "null".to_string()),
            };
            let peak = peak_rss_bytes().map_or("null".to_string(), |b| b.to_string());
            // Only once something was spilled: the most bytes of spill files at once.
            let spilled = if crate::spill::spilling() {
                format!(",\"spilled_bytes\":{}", crate::spill::usage().spilled_peak)
            } else {
                String::new()
            };
            eprintln!(
                "{{\"phase\":{},\"wall_ms\":{wall_ms},\"user_ms\":{user_ms},\"sys_ms\":{sys_ms},\
                 \"peak_rss_bytes\":{peak}{spilled}}}",
                serde_json::Value::from(name.as_str())
            );
        }
    }
}

/// Microseconds as milliseconds rounded to 0.1.
fn ms(us: u64) -> String {
    ((us as f64 / 100.0).round() / 10.0).to_string()
}

/// CPU time the process (all its threads) has used so far, in microseconds.
#[derive(Clone, Copy)]
struct CpuTimes {
    user_us: u64,
    sys_us: u64,
}

/// The process's CPU times (`getrusage`), if known.
#[cfg(target_os = "linux")]
#[allow(unsafe_code, reason = "getrusage is a foreign function")]
fn cpu_times() -> Option<CpuTimes> {
    // SAFETY: rusage is plain integers, for which all zeros is a valid value.
    let mut r: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes the struct it is given and nothing else.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut r) } != 0 {
        return None;
    }
    let us = |t: libc::timeval| (t.tv_sec.max(0) as u64) * 1_000_000 + t.tv_usec.max(0) as u64;
    Some(CpuTimes {
        user_us: us(r.ru_utime),
        sys_us: us(r.ru_stime),
    })
}

/// The process's CPU times: unknown off Linux.
#[cfg(not(target_os = "linux"))]
fn cpu_times() -> Option<CpuTimes> {
    None
}

/// The process's resident-set high-water mark (Linux `VmHWM`), if known.
fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse::<u64>()
        .ok()?;
    Some(kib * 1024)
}

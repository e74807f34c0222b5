//! What the CLI says on stderr while it works: a progress bar per pass (on a terminal),
//! and `--timings`' JSON line per phase.

use indicatif::{ProgressBar, ProgressStyle};
use std::cell::RefCell;
use std::io::IsTerminal;
use std::time::Instant;

/// A pass's progress bar over the file's bytes (nothing off a terminal or with `--quiet`).
pub struct PassBar {
    bar: Option<ProgressBar>,
}

impl PassBar {
    /// A bar for `total` bytes, labelled `phase`.
    pub fn new(quiet: bool, total: u64, phase: &str) -> Self {
        if quiet || !std::io::stderr().is_terminal() {
            return PassBar { bar: None };
        }
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template(
                "{msg:>10} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_message(phase.to_string());
        PassBar { bar: Some(bar) }
    }

    /// Bytes read so far.
    pub fn set(&self, pos: u64) {
        if let Some(b) = &self.bar {
            b.set_position(pos);
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
    current: Option<(String, Instant)>,
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
            if !t.on || t.current.as_ref().is_some_and(|(c, _)| c == name) {
                return;
            }
            t.report();
            t.current = Some((name.to_string(), Instant::now()));
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
        if let Some((name, start)) = &self.current {
            let wall_ms = (start.elapsed().as_secs_f64() * 1e4).round() / 10.0;
            let peak = peak_rss_bytes().map_or("null".to_string(), |b| b.to_string());
            eprintln!(
                "{{\"phase\":{},\"wall_ms\":{wall_ms},\"peak_rss_bytes\":{peak}}}",
                serde_json::Value::from(name.as_str())
            );
        }
    }
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

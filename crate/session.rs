//! One analysis of one dump, driven by whoever holds the file: the CLI (reading a file)
//! or the browser worker (reading `File.slice`s). Both run the same protocol:
//!
//! ```text
//! while let Some(pass) = session.begin_pass() {   // which pass, and how many there are
//!     for chunk in file { session.push(chunk)?; }  // the whole file, in order, any sizes
//!     session.end_pass()?;                        // computation between passes
//! }
//! session.summary(); session.histogram(); ...      // queries, once ready
//! ```
//!
//! The session decides how many passes a dump needs; the caller only streams the file from
//! the start each time. Progress of the computations between passes is reported through
//! the callback given to [`Session::set_progress`].

use crate::analysis::histogram::{Histogram, histogram};
use crate::analysis::summary::{Summary, summary};
use crate::format::{Decoder, HprofError};
use crate::model::index::{Index, Indexer};

/// What the caller wants computed.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Stop after the histogram (one pass, no per-object memory).
    pub histogram_only: bool,
}

/// A pass over the file, as announced by [`Session::begin_pass`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PassInfo {
    /// Short name shown to the user (`index`, `references`).
    pub name: &'static str,
    /// 1-based number of this pass.
    pub number: u32,
    /// Passes expected in all (may grow if the session finds it needs more).
    pub of: u32,
}

/// A progress report.
#[derive(Clone, Debug)]
pub struct Progress<'a> {
    /// Phase name (`index`, `dominators`).
    pub phase: &'a str,
    /// Work done, in the phase's unit.
    pub done: u64,
    /// Total work (0 when unknown).
    pub total: u64,
}

/// A progress callback.
pub type ProgressFn = Box<dyn FnMut(&Progress<'_>)>;

enum Stage {
    /// Nothing read yet.
    Start,
    /// Streaming pass 1.
    Indexing(Box<(Decoder, Indexer)>),
    /// Pass 1 done.
    Indexed,
    /// An error ended the session.
    Failed,
}

/// One analysis session.
pub struct Session {
    options: Options,
    stage: Stage,
    index: Option<Index>,
    summary: Option<Summary>,
    histogram: Option<Histogram>,
    progress: Option<ProgressFn>,
}

impl Session {
    /// A session that has read nothing yet.
    pub fn new(options: Options) -> Self {
        Session {
            options,
            stage: Stage::Start,
            index: None,
            summary: None,
            histogram: None,
            progress: None,
        }
    }

    /// Sets the callback for progress of the computations between passes.
    pub fn set_progress(&mut self, f: ProgressFn) {
        self.progress = Some(f);
    }

    /// Starts the next pass; `None` when the analysis is complete.
    pub fn begin_pass(&mut self) -> Option<PassInfo> {
        let of = 1;
        match self.stage {
            Stage::Start => {
                let per_object = !self.options.histogram_only;
                self.stage =
                    Stage::Indexing(Box::new((Decoder::new(true), Indexer::new(per_object))));
                Some(PassInfo {
                    name: "index",
                    number: 1,
                    of,
                })
            }
            _ => None,
        }
    }

    /// Feeds the next bytes of the file in the current pass.
    pub fn push(&mut self, bytes: &[u8]) -> Result<(), HprofError> {
        let r = match &mut self.stage {
            Stage::Indexing(b) => {
                let (d, ix) = &mut **b;
                d.push(bytes, ix)
            }
            _ => Ok(()),
        };
        if r.is_err() {
            self.stage = Stage::Failed;
        }
        r
    }

    /// Ends the current pass (the whole file was pushed) and runs what follows it.
    pub fn end_pass(&mut self) -> Result<(), HprofError> {
        let stage = std::mem::replace(&mut self.stage, Stage::Failed);
        match stage {
            Stage::Indexing(b) => {
                let (mut d, mut ix) = *b;
                d.finish(&mut ix)?;
                let index = ix.finish()?;
                self.summary = Some(summary(&index));
                self.histogram = Some(histogram(&index));
                self.index = Some(index);
                self.stage = Stage::Indexed;
                Ok(())
            }
            other => {
                self.stage = other;
                Ok(())
            }
        }
    }

    /// Whether every pass is done.
    pub fn is_ready(&self) -> bool {
        matches!(self.stage, Stage::Indexed)
    }

    /// The summary (after pass 1).
    pub fn summary(&self) -> Option<&Summary> {
        self.summary.as_ref()
    }

    /// The class histogram (after pass 1).
    pub fn histogram(&self) -> Option<&Histogram> {
        self.histogram.as_ref()
    }

    /// The index (after pass 1).
    pub fn index(&self) -> Option<&Index> {
        self.index.as_ref()
    }

    #[allow(dead_code)]
    fn report(&mut self, phase: &str, done: u64, total: u64) {
        if let Some(f) = &mut self.progress {
            f(&Progress { phase, done, total });
        }
    }
}

/// Runs every pass of `session` over an in-memory file, in slices of `chunk` bytes.
pub fn run_in_memory(session: &mut Session, bytes: &[u8], chunk: usize) -> Result<(), HprofError> {
    while session.begin_pass().is_some() {
        for c in bytes.chunks(chunk.max(1)) {
            session.push(c)?;
        }
        session.end_pass()?;
    }
    Ok(())
}

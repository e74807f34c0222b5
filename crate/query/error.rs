//! Why a query got no answer, worded for the person who asked. Errors of the dump itself
//! (with the offset where reading failed) are the format layer's [`HprofError`]; a query
//! meets one only when it re-reads a record. The rest are about the question: an object
//! that is not there, an analysis not finished or refused, a bad parameter, or a bug.

use crate::format::HprofError;
use crate::graph::BuildError;
use crate::text::hex_id;

/// Why a query (or the passes before it) failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// The dump could not be read where the query needed it.
    #[error("{0}")]
    Dump(HprofError),
    /// No object of the dump has this ID.
    #[error("no object with ID {} in this dump", hex_id(*.0))]
    NoObject(u64),
    /// The analysis has not read every pass yet (or stopped after pass 1 by request).
    #[error("the analysis is not complete: this needs every pass of the full analysis")]
    NotReady,
    /// The full analysis was refused for its memory (the message says why).
    #[error("{0}")]
    Refused(String),
    /// A parameter is missing, unknown or out of range.
    #[error("{0}")]
    BadArgument(String),
    /// Heapscope broke its own rules (a bug, not a problem with the dump).
    #[error("internal error: {0} (a bug in Heapscope, not a problem with the dump)")]
    Internal(String),
}

impl QueryError {
    /// The error's code, as the worker protocol names it (`web/protocol.js`'s `ErrorCode`).
    pub fn code(&self) -> &'static str {
        match self {
            QueryError::Dump(_) => "bad_dump",
            QueryError::NoObject(_) => "not_found",
            QueryError::NotReady => "not_ready",
            QueryError::Refused(_) => "refused",
            QueryError::BadArgument(_) => "invalid_request",
            QueryError::Internal(_) => "internal",
        }
    }
}

impl From<HprofError> for QueryError {
    fn from(e: HprofError) -> Self {
        QueryError::Dump(e)
    }
}

impl From<BuildError> for QueryError {
    fn from(e: BuildError) -> Self {
        match e {
            BuildError::Dump(e) => QueryError::Dump(e),
            BuildError::Misuse(m) => QueryError::Internal(m.to_string()),
        }
    }
}

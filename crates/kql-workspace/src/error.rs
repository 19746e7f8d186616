//! What can go wrong in a workspace, in words a front end prints after its own prefix.

use kql_common::Diagnostics;
use std::fmt;

/// Why an attach, a query or a write failed.
#[derive(Debug)]
pub enum Error {
    /// A path that names nothing to load (missing, not a regular file, a pattern matching
    /// nothing): a usage error.
    Path(String),
    /// A table name that is not one: a usage error.
    Name(String),
    /// Reading or converting an input failed; the text names the file.
    Load(String),
    /// This many records were rejected, and the attach was strict.
    Rejected(usize),
    /// Writing an output failed.
    Write(String),
    /// The query is not valid, or failed while running.
    Query(Diagnostics),
}

impl Error {
    /// Whether the caller asked for something that cannot be (exit code 2 in the CLI), rather
    /// than something failing.
    pub fn is_usage(&self) -> bool {
        matches!(self, Error::Path(_) | Error::Name(_))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Path(m) | Error::Name(m) | Error::Load(m) | Error::Write(m) => f.write_str(m),
            Error::Rejected(n) => write!(f, "{n} records were rejected"),
            Error::Query(d) => {
                let first = d.0.first().map_or("", |d| d.message.as_str());
                f.write_str(first)
            }
        }
    }
}

impl From<Diagnostics> for Error {
    fn from(d: Diagnostics) -> Error {
        Error::Query(d)
    }
}

//! kqlite's output formats, written to any `io::Write`: query results ([`results`]: table, CSV,
//! JSON, NDJSON, Markdown) and diagnostic reports ([`diagnostics`]: human snippets, JSON). Pure
//! formatting: no terminal, no files, no arguments; a front end chooses the format, the colours
//! and where the bytes go.

pub mod chart;
pub mod diagnostics;
pub mod results;

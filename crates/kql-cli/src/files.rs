//! Finding query files: explicit files as given, folders searched recursively for `.kql`,
//! `.csl` and `.kusto` files in a stable (sorted) order.

use std::io;
use std::path::{Path, PathBuf};

/// Extensions of KQL query files.
pub(crate) const QUERY_EXTENSIONS: &[&str] = &["kql", "csl", "kusto"];

/// Expands `paths` into the query files to check. A missing path is an error.
pub(crate) fn query_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        let meta =
            std::fs::metadata(p).map_err(|e| format!("{}: {}", p.display(), describe(&e)))?;
        if meta.is_dir() {
            walk(p, &mut out).map_err(|e| format!("{}: {}", p.display(), describe(&e)))?;
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        let ty = e.file_type()?;
        if ty.is_dir() {
            walk(&path, out)?;
        } else if path
            .extension()
            .and_then(|x| x.to_str())
            .is_some_and(|x| QUERY_EXTENSIONS.contains(&x))
        {
            out.push(path);
        }
    }
    Ok(())
}

pub(crate) use kql_common::io_text::describe;

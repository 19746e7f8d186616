//! Finding query and rule files: explicit files as given, folders searched recursively for
//! `.kql`, `.csl` and `.kusto` queries and the files alert rules are kept in (`.json`,
//! `.jsonc`, `.yaml`, `.yml`, `.toml`, `.bicep`), in a stable (sorted) order.

use std::io;
use std::path::{Path, PathBuf};

/// Extensions of KQL query files.
pub(crate) const QUERY_EXTENSIONS: &[&str] = &["kql", "csl", "kusto"];

/// Extensions of files that may hold alert rules.
pub(crate) const RULE_EXTENSIONS: &[&str] = &["json", "jsonc", "yaml", "yml", "toml", "bicep"];

/// A file to check, and whether it was named (not found in a folder).
pub(crate) struct Found {
    pub path: PathBuf,
    pub named: bool,
}

/// Expands `paths` into the files to check. A missing path is an error.
pub(crate) fn query_files(paths: &[PathBuf]) -> Result<Vec<Found>, String> {
    let mut out = Vec::new();
    for p in paths {
        let meta =
            std::fs::metadata(p).map_err(|e| format!("{}: {}", p.display(), describe(&e)))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found).map_err(|e| format!("{}: {}", p.display(), describe(&e)))?;
            out.extend(found.into_iter().map(|path| Found { path, named: false }));
        } else {
            out.push(Found {
                path: p.clone(),
                named: true,
            });
        }
    }
    Ok(out)
}

/// Whether `path` is a query file (not a rule file).
pub(crate) fn is_query_file(path: &Path) -> bool {
    path.extension()
        .and_then(|x| x.to_str())
        .is_some_and(|x| QUERY_EXTENSIONS.contains(&x.to_ascii_lowercase().as_str()))
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
            .map(str::to_ascii_lowercase)
            .is_some_and(|x| {
                QUERY_EXTENSIONS.contains(&x.as_str()) || RULE_EXTENSIONS.contains(&x.as_str())
            })
        {
            out.push(path);
        }
    }
    Ok(())
}

pub(crate) use kql_common::io_text::describe;

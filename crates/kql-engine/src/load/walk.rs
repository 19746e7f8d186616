//! Expanding `--data` arguments into the files to load: files as given, folders recursively,
//! glob patterns.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// File endings looked at inside folders.
const ENDINGS: &[&str] = &["json", "ndjson", "jsonl", "csv", "gz", "parquet"];

/// Expands `--data` arguments: files as given, folders recursively (known endings, sorted), and
/// glob patterns. A pattern or path that matches nothing is an error. A file named more than once
/// (`--data logs/ --data logs/a.json`) is listed once, where it first appears.
pub fn expand(args: &[PathBuf]) -> std::result::Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for a in args {
        let text = a.to_string_lossy();
        if !a.exists() && text.contains(['*', '?', '[']) {
            let mut matched: Vec<PathBuf> = glob::glob(&text)
                .map_err(|e| format!("{text}: {e}"))?
                .filter_map(|p| p.ok())
                .collect();
            matched.sort();
            if matched.is_empty() {
                return Err(format!("{text}: no file matches"));
            }
            for m in matched {
                walk(&m, &mut out)?;
            }
            continue;
        }
        if !a.exists() {
            return Err(format!("{}: no such file or directory", a.display()));
        }
        walk(a, &mut out)?;
    }
    let mut seen = HashSet::new();
    out.retain(|p| seen.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())));
    Ok(out)
}

fn walk(p: &Path, out: &mut Vec<PathBuf>) -> std::result::Result<(), String> {
    if p.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
            .map_err(|e| format!("{}: {e}", p.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for e in entries {
            if e.is_dir() {
                walk(&e, out)?;
            } else if e
                .extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| ENDINGS.contains(&x.to_ascii_lowercase().as_str()))
            {
                out.push(e);
            }
        }
    } else {
        out.push(p.to_path_buf());
    }
    Ok(())
}

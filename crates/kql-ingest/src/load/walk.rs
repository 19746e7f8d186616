//! Expanding `--data` arguments into the files to load: files as given, folders recursively,
//! glob patterns. Every folder and file is visited once, whatever links lead to it (a visited
//! set of device and inode), so symbolic-link loops end and a file is never loaded twice; only
//! regular files are loaded (a FIFO would block, `/dev/zero` never ends); and what a folder
//! holds but is not loaded is said, never dropped in silence.

use std::collections::{HashMap, HashSet};
use std::fs::Metadata;
use std::path::{Component, Path, PathBuf};

/// File endings loaded from inside folders (other files are named in a warning).
const ENDINGS: &[&str] = &["json", "ndjson", "jsonl", "csv", "gz", "parquet"];

/// Files without a known ending named in the warning before the rest are only counted.
const NAMED_SKIPS: usize = 5;

/// The files `--data` arguments name, and what was passed over on the way.
#[derive(Debug, Default)]
pub struct Expansion {
    /// Regular files to load, each once, in the order of the arguments (folders sorted).
    pub files: Vec<PathBuf>,
    /// The sizes of `files` added up, as they were listed (for progress).
    pub bytes: u64,
    /// Entries inside folders that are not regular files (FIFOs, sockets, devices), with what
    /// they are.
    pub not_regular: Vec<(PathBuf, &'static str)>,
    /// Files inside folders without a known ending.
    pub unknown_ending: Vec<PathBuf>,
    /// Files reached again (named twice, matched by two patterns, or through links), each with
    /// the path it is loaded by.
    pub repeated: Vec<(PathBuf, PathBuf)>,
}

impl Expansion {
    /// One line per entry that is not a regular file, and one for the files without a known
    /// ending (the first few named).
    pub fn warnings(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .not_regular
            .iter()
            .map(|(p, kind)| format!("{}: not a regular file ({kind}); skipped", p.display()))
            .collect();
        let skipped = &self.unknown_ending;
        if !skipped.is_empty() {
            let mut names: Vec<String> = skipped
                .iter()
                .take(NAMED_SKIPS)
                .map(|p| p.display().to_string())
                .collect();
            if skipped.len() > NAMED_SKIPS {
                names.push(format!("and {} more", skipped.len() - NAMED_SKIPS));
            }
            out.push(format!(
                "skipped {} {} without a known ending (.{}): {}; name a file to load it",
                skipped.len(),
                if skipped.len() == 1 { "file" } else { "files" },
                ENDINGS.join(", ."),
                names.join(", ")
            ));
        }
        if !self.repeated.is_empty() {
            let mut names: Vec<String> = self
                .repeated
                .iter()
                .take(NAMED_SKIPS)
                .map(|(again, first)| format!("{} (as {})", again.display(), first.display()))
                .collect();
            if self.repeated.len() > NAMED_SKIPS {
                names.push(format!("and {} more", self.repeated.len() - NAMED_SKIPS));
            }
            out.push(format!(
                "read once: {} {} reached a second time: {}",
                self.repeated.len(),
                if self.repeated.len() == 1 {
                    "file"
                } else {
                    "files"
                },
                names.join(", ")
            ));
        }
        out
    }
}

/// Expands `--data` arguments: files as given, folders recursively (known endings, sorted; hidden
/// entries, named with a leading `.`, skipped), and glob patterns (a matched file is loaded
/// whatever its ending). A pattern or path that matches nothing is an error, and so is a path
/// given directly that is not a regular file or folder. A file reached more than once (named
/// twice, or through links) is listed once, where it first appears.
pub fn expand(args: &[PathBuf]) -> Result<Expansion, String> {
    let mut walk = Walk::default();
    for a in args {
        let text = a.to_string_lossy();
        if std::fs::symlink_metadata(a).is_err() && text.contains(['*', '?', '[']) {
            let before = walk.matched;
            walk.glob(&text)?;
            if walk.matched == before {
                return Err(format!("{text}: no file matches"));
            }
            continue;
        }
        let meta = std::fs::metadata(a)
            .map_err(|_| format!("{}: no such file or directory", a.display()))?;
        if let Some(kind) = not_regular(&meta) {
            return Err(format!("{}: not a regular file ({kind})", a.display()));
        }
        walk.add(a, &meta)?;
    }
    Ok(walk.finish())
}

/// What identifies a file or folder whatever path leads to it.
#[cfg(unix)]
type Identity = (u64, u64);
#[cfg(not(unix))]
type Identity = PathBuf;

#[cfg(unix)]
fn identity(_: &Path, meta: &Metadata) -> Identity {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn identity(path: &Path, _: &Metadata) -> Identity {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// What [`not_regular`] calls a FIFO.
pub const FIFO: &str = "a FIFO";

/// What a file that is neither regular nor a folder is, in words (`None` for those two).
pub fn not_regular(meta: &Metadata) -> Option<&'static str> {
    let ty = meta.file_type();
    if ty.is_file() || ty.is_dir() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ty.is_fifo() {
            return Some(FIFO);
        }
        if ty.is_socket() {
            return Some("a socket");
        }
        if ty.is_char_device() {
            return Some("a character device");
        }
        if ty.is_block_device() {
            return Some("a block device");
        }
    }
    Some("not a file or folder")
}

fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
}

fn has_known_ending(path: &Path) -> bool {
    path.extension()
        .and_then(|x| x.to_str())
        .is_some_and(|x| ENDINGS.contains(&x.to_ascii_lowercase().as_str()))
}

/// One expansion in progress.
#[derive(Default)]
struct Walk {
    found: Expansion,
    /// Folders and files already reached.
    visited: HashSet<Identity>,
    /// The path each listed file is loaded by.
    listed: HashMap<Identity, PathBuf>,
    /// Entries passed over (what they are, or `None` for a file without a known ending); the
    /// same file may be reached by several paths, and may be loaded through another.
    passed_over: Vec<(PathBuf, Option<&'static str>, Identity)>,
    /// Paths the glob patterns matched so far (counted, even when already listed).
    matched: usize,
}

impl Walk {
    /// The files, and each entry passed over once, unless it was loaded by another path.
    fn finish(mut self) -> Expansion {
        let mut said = HashSet::new();
        for (path, kind, id) in std::mem::take(&mut self.passed_over) {
            if self.visited.contains(&id) || !said.insert(id) {
                continue;
            }
            match kind {
                Some(kind) => self.found.not_regular.push((path, kind)),
                None => self.found.unknown_ending.push(path),
            }
        }
        self.found
    }

    /// Adds a regular file or a folder (recursively) named by the user or matched by a pattern.
    fn add(&mut self, path: &Path, meta: &Metadata) -> Result<(), String> {
        if meta.is_dir() {
            self.folder(path, meta)
        } else {
            self.file(path, meta);
            Ok(())
        }
    }

    /// Lists a regular file, or notes that it is listed already.
    fn file(&mut self, path: &Path, meta: &Metadata) {
        let id = identity(path, meta);
        if let Some(first) = self.listed.get(&id) {
            self.found
                .repeated
                .push((path.to_path_buf(), first.clone()));
        } else {
            self.visited.insert(identity(path, meta));
            self.listed.insert(id, path.to_path_buf());
            self.found.files.push(path.to_path_buf());
            self.found.bytes += meta.len();
        }
    }

    /// The files of a folder and its subfolders, each folder once.
    fn folder(&mut self, dir: &Path, meta: &Metadata) -> Result<(), String> {
        if !self.visited.insert(identity(dir, meta)) {
            return Ok(());
        }
        for (path, meta) in sorted_entries(dir)? {
            if is_hidden(&path) {
                continue;
            }
            if let Some(kind) = not_regular(&meta) {
                let id = identity(&path, &meta);
                self.passed_over.push((path, Some(kind), id));
            } else if meta.is_dir() {
                self.folder(&path, &meta)?;
            } else if !has_known_ending(&path) {
                let id = identity(&path, &meta);
                self.passed_over.push((path, None, id));
            } else {
                self.file(&path, &meta);
            }
        }
        Ok(())
    }

    /// Every path `pattern` matches, folders expanded as folders. Folders are searched from the
    /// pattern's literal start, no deeper than its components unless it holds `**`.
    fn glob(&mut self, pattern: &str) -> Result<(), String> {
        let compiled = glob::Pattern::new(pattern).map_err(|e| format!("{pattern}: {e}"))?;
        let (base, rest) = split_literal_base(Path::new(pattern));
        let depth = if rest.iter().any(|c| c == "**") {
            usize::MAX
        } else {
            rest.len()
        };
        let options = glob::MatchOptions {
            case_sensitive: true,
            require_literal_separator: true,
            // As shells do: `*` does not match a hidden name.
            require_literal_leading_dot: true,
        };
        let mut searched = HashSet::new();
        self.glob_in(&base, depth, &compiled, options, &mut searched)
    }

    fn glob_in(
        &mut self,
        dir: &Path,
        depth: usize,
        pattern: &glob::Pattern,
        options: glob::MatchOptions,
        searched: &mut HashSet<Identity>,
    ) -> Result<(), String> {
        let listed = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let Ok(meta) = std::fs::metadata(listed) else {
            return Ok(());
        };
        if depth == 0 || !meta.is_dir() || !searched.insert(identity(listed, &meta)) {
            return Ok(());
        }
        for (path, meta) in sorted_entries(listed)? {
            // Paths keep the pattern's form (`*.json`, not `./a.json`).
            let path = dir.join(path.file_name().unwrap_or_default());
            if pattern.matches_path_with(&path, options) {
                self.matched += 1;
                if let Some(kind) = not_regular(&meta) {
                    let id = identity(&path, &meta);
                    self.passed_over.push((path, Some(kind), id));
                } else {
                    self.add(&path, &meta)?;
                }
            } else if meta.is_dir() {
                self.glob_in(&path, depth - 1, pattern, options, searched)?;
            }
        }
        Ok(())
    }
}

/// The entries of `dir` sorted by name, each with its metadata (links followed).
fn sorted_entries(dir: &Path) -> Result<Vec<(PathBuf, Metadata)>, String> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| match std::fs::metadata(&p) {
            Ok(m) => Ok((p, m)),
            Err(e) => Err(format!("{}: {e}", p.display())),
        })
        .collect()
}

/// The leading components of `pattern` without wildcards, and the number of the others.
fn split_literal_base(pattern: &Path) -> (PathBuf, Vec<String>) {
    let mut base = PathBuf::new();
    let mut rest = Vec::new();
    for c in pattern.components() {
        let text = c.as_os_str().to_string_lossy();
        let wild = matches!(c, Component::Normal(_)) && text.contains(['*', '?', '[']);
        if rest.is_empty() && !wild {
            base.push(c);
        } else {
            rest.push(text.into_owned());
        }
    }
    (base, rest)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests report failures by panicking")]
mod tests {
    use super::*;

    #[test]
    fn literal_base_stops_at_the_first_wildcard() {
        let (base, rest) = split_literal_base(Path::new("logs/2026/*/x/**/*.json"));
        assert_eq!(base, Path::new("logs/2026"));
        assert_eq!(rest, ["*", "x", "**", "*.json"]);
        let (base, rest) = split_literal_base(Path::new("*.json"));
        assert_eq!(base, Path::new(""));
        assert_eq!(rest, ["*.json"]);
    }

    #[test]
    fn warnings_name_the_first_files_and_count_the_rest() {
        let found = Expansion {
            unknown_ending: (0..7).map(|i| PathBuf::from(format!("f{i}.txt"))).collect(),
            ..Expansion::default()
        };
        let w = found.warnings();
        assert_eq!(w.len(), 1);
        assert!(
            w[0].starts_with("skipped 7 files without a known ending"),
            "{w:?}"
        );
        assert!(w[0].contains("f4.txt, and 2 more;"), "{w:?}");
    }
}

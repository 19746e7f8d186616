//! Files that `convert` and `generate` write: whole or not at all. Each is written to a temporary
//! file in the target's folder, created with a random name and exclusively (a link planted
//! there is never followed), synced to disk, then renamed over the target (the folder synced
//! too). A character device (`/dev/null`) or a stream named as one (`/dev/stdout`, `/dev/fd/3`)
//! is written straight through instead; any other target that is not a regular file (a FIFO, a
//! socket, a folder) is refused rather than replaced. Temporary files still being written are
//! listed, so that a signal handler can remove them ([`remove_unfinished`]).

use std::fs::{File, Metadata};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// Temporary files being written (not yet renamed into place or dropped).
static UNFINISHED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn unfinished() -> MutexGuard<'static, Vec<PathBuf>> {
    // A panic while the list was held leaves it as it was: still the list.
    UNFINISHED.lock().unwrap_or_else(|e| e.into_inner())
}

/// Removes every temporary file still being written. For a handler of SIGINT or SIGTERM, which
/// ends the process without running destructors.
pub fn remove_unfinished() {
    for p in unfinished().drain(..) {
        let _ = std::fs::remove_file(p);
    }
}

/// How a target will be written.
enum Target {
    /// A new file renamed over the target (which may not exist yet).
    Replace,
    /// The target itself, opened for writing (a device or a stream).
    Through,
}

/// Checks that `target` can be written and how: an error in words when it is a folder, a FIFO,
/// a socket or a block device.
pub fn check_target(target: &Path) -> io::Result<()> {
    how_to_write(target).map(|_| ())
}

fn how_to_write(target: &Path) -> io::Result<Target> {
    let meta = match std::fs::metadata(target) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Target::Replace),
        Err(e) => return Err(e),
    };
    if is_named_stream(target) && !meta.is_dir() {
        return Ok(Target::Through);
    }
    if meta.is_file() {
        return Ok(Target::Replace);
    }
    if is_char_device(&meta) {
        return Ok(Target::Through);
    }
    let kind = crate::load::walk::not_regular(&meta).unwrap_or("a folder");
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("not a regular file ({kind}); give a file name, or a device such as /dev/null"),
    ))
}

/// `/dev/stdout`, `/dev/fd/3`: a stream the caller named, written through whatever it is
/// connected to (a pipe, or a file the shell opened).
fn is_named_stream(target: &Path) -> bool {
    ["/dev/stdout", "/dev/stderr"]
        .iter()
        .any(|s| target == Path::new(s))
        || ["/dev/fd", "/proc/self/fd"]
            .iter()
            .any(|d| target.parent() == Some(Path::new(d)))
}

#[cfg(unix)]
fn is_char_device(meta: &Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    meta.file_type().is_char_device()
}

#[cfg(not(unix))]
fn is_char_device(_: &Metadata) -> bool {
    false
}

/// An output file being written; [`OutputFile::commit`] puts it in place. Dropped before
/// that, it leaves nothing behind.
pub struct OutputFile {
    target: PathBuf,
    inner: Option<Inner>,
}

enum Inner {
    Temp(tempfile::NamedTempFile),
    Through(File),
}

impl OutputFile {
    /// Starts writing `target` (see the module's doc for how).
    pub fn create(target: &Path) -> io::Result<OutputFile> {
        let inner = match how_to_write(target)? {
            Target::Through => {
                Inner::Through(std::fs::OpenOptions::new().append(true).open(target)?)
            }
            Target::Replace => {
                let folder = match target.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p,
                    _ => Path::new("."),
                };
                let name = target.file_name().unwrap_or_default().to_string_lossy();
                let mut builder = tempfile::Builder::new();
                // Hidden, so that a folder walk passes over one left by a crash.
                let prefix = format!(".{name}.");
                builder.prefix(&prefix).suffix(".partial");
                // As a plain create would: readable by others as the umask allows.
                #[cfg(unix)]
                builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
                // Listed while the list is held, so that a signal handler never misses it.
                let mut list = unfinished();
                let temp = builder.tempfile_in(folder)?;
                list.push(temp.path().to_path_buf());
                Inner::Temp(temp)
            }
        };
        Ok(OutputFile {
            target: target.to_path_buf(),
            inner: Some(inner),
        })
    }

    /// Syncs the file to disk and renames it over the target (a file written straight
    /// through is only synced, where the device allows).
    pub fn commit(mut self) -> io::Result<()> {
        match self.inner.take() {
            Some(Inner::Temp(temp)) => {
                let path = temp.path().to_path_buf();
                let finished = temp
                    .as_file()
                    .sync_all()
                    .and_then(|()| temp.persist(&self.target).map_err(|e| e.error));
                // Whether renamed or dropped (and so removed), the temporary name is gone.
                unfinished().retain(|p| *p != path);
                finished?;
                sync_folder(&self.target);
                Ok(())
            }
            Some(Inner::Through(mut f)) => {
                f.flush()?;
                // Devices and pipes cannot be synced (EINVAL): only a failing disk is an error.
                match f.sync_all() {
                    Err(e) if e.kind() == io::ErrorKind::InvalidInput => Ok(()),
                    other => other,
                }
            }
            None => Ok(()),
        }
    }

    fn file(&mut self) -> io::Result<&mut File> {
        match &mut self.inner {
            Some(Inner::Temp(t)) => Ok(t.as_file_mut()),
            Some(Inner::Through(f)) => Ok(f),
            None => Err(io::Error::other("the output file is already committed")),
        }
    }
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file()?.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file()?.flush()
    }
}

impl Drop for OutputFile {
    fn drop(&mut self) {
        if let Some(Inner::Temp(temp)) = self.inner.take() {
            let path = temp.path().to_path_buf();
            // Dropping the temporary file removes it.
            drop(temp);
            unfinished().retain(|p| *p != path);
        }
    }
}

/// Makes the rename of `target` durable: syncs its folder (Unix; elsewhere there is no way).
fn sync_folder(target: &Path) {
    #[cfg(unix)]
    {
        let folder = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        // The file is in place whatever this says; a folder that cannot be synced (some
        // network file systems) is not a reason to report a failed write.
        if let Ok(f) = File::open(folder) {
            let _ = f.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = target;
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests report failures by panicking")]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../target/tmp/output_file")
            .join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut n: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        n.sort();
        n
    }

    #[test]
    fn a_committed_file_replaces_the_target_and_leaves_no_temporary_file() {
        let dir = scratch("commit");
        let target = dir.join("out.json");
        std::fs::write(&target, "old").unwrap();
        let mut f = OutputFile::create(&target).unwrap();
        f.write_all(b"new").unwrap();
        // Until committed, the target is the old file.
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old");
        f.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        assert_eq!(names(&dir), ["out.json"]);
        assert!(!unfinished().iter().any(|p| p.starts_with(&dir)));
    }

    #[test]
    fn a_file_dropped_before_commit_leaves_nothing() {
        let dir = scratch("dropped");
        let mut f = OutputFile::create(&dir.join("out.json")).unwrap();
        f.write_all(b"half").unwrap();
        drop(f);
        assert!(names(&dir).is_empty());
        assert!(!unfinished().iter().any(|p| p.starts_with(&dir)));
    }

    #[cfg(unix)]
    #[test]
    fn a_link_planted_at_the_target_is_replaced_not_followed() {
        let dir = scratch("planted");
        let victim = dir.join("victim");
        std::fs::write(&victim, "keep").unwrap();
        let target = dir.join("out.json");
        std::os::unix::fs::symlink(&victim, &target).unwrap();
        let mut f = OutputFile::create(&target).unwrap();
        f.write_all(b"new").unwrap();
        f.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
        assert!(std::fs::symlink_metadata(&target).unwrap().is_file());
    }

    #[test]
    fn a_folder_is_refused() {
        let dir = scratch("folder");
        let err = check_target(&dir).err().unwrap();
        assert!(
            err.to_string().starts_with("not a regular file (a folder)"),
            "{err}"
        );
    }
}

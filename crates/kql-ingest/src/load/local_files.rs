//! [`LocalFiles`]: the object store DataFusion reads snapshots through, reading on the thread
//! that asks.
//!
//! object_store's local file system hands every read to tokio's blocking pool: a thread to start
//! on the first read, then two hand-offs between threads per read (to open and read, then to copy
//! the bytes out). A read of a column chunk from the page cache takes less time than that.
//! kqlite reads local files only, a few large ranges per query, so reads here run on the thread
//! that asks for them. Writing, listing and the rest go to the local file system unchanged.

use super::checked_chunks::CheckedChunks;
use super::checksums::ChunkChecksums;
use async_trait::async_trait;
use bytes::Bytes;
use datafusion::object_store::local::LocalFileSystem;
use datafusion::object_store::path::Path;
use datafusion::object_store::{
    CopyOptions, Error, GetOptions, GetResult, GetResultPayload, ListResult, MultipartUpload,
    ObjectMeta, ObjectStore, PutMultipartOptions, PutOptions, PutPayload, PutResult, Result,
};
use futures::StreamExt;
use futures::stream::BoxStream;
use std::io::{Read, Seek, SeekFrom};
use std::ops::Range;
use std::sync::Arc;

/// The local file system, read synchronously.
#[derive(Debug, Default)]
pub struct LocalFiles {
    inner: LocalFileSystem,
    checked: CheckedChunks,
}

impl std::fmt::Display for LocalFiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LocalFiles")
    }
}

const STORE: &str = "LocalFiles";

fn io_error(path: &std::path::Path, e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::NotFound {
        Error::NotFound {
            path: path.display().to_string(),
            source: Box::new(e),
        }
    } else {
        Error::Generic {
            store: STORE,
            source: format!("{}: {e}", path.display()).into(),
        }
    }
}

/// `range` of `file` (at `path`), read whole; the column chunks it touches are checked against
/// their checksums when the file is a snapshot that has them (read whole for that, and kept a
/// while in `checked` for the next ranges of the same chunks).
fn read_checked(
    file: &std::fs::File,
    path: &std::path::Path,
    sums: Option<&Arc<ChunkChecksums>>,
    checked: &CheckedChunks,
    range: Range<u64>,
) -> Result<Bytes> {
    let Some(sums) = sums else {
        return read_range(file, path, range);
    };
    if let Some(bytes) = checked.get(path, sums, &range) {
        return Ok(bytes);
    }
    let covered = sums.cover(range.clone());
    let bytes = read_range(file, path, covered.clone())?;
    sums.verify(covered.start, &bytes)
        .map_err(|e| Error::Generic {
            store: STORE,
            source: format!("{}: {e}", path.display()).into(),
        })?;
    let from = (range.start - covered.start) as usize;
    let wanted = bytes.slice(from..from + (range.end - range.start) as usize);
    // Overlapping chunks (a damaged footer) can leave part of one unchecked: not kept.
    if sums.holds_whole(&covered) {
        checked.put(path, sums, covered, bytes);
    }
    Ok(wanted)
}

/// The checksums of the snapshot `file` (at `path`), if it was opened as one and is unchanged.
fn checksums_of(file: &std::fs::File, path: &std::path::Path) -> Option<Arc<ChunkChecksums>> {
    let stat = file.metadata().ok()?;
    super::checksums::of(path, stat.len(), stat.modified().ok()?)
}

/// `range` of `file` (at `path`), read whole.
fn read_range(file: &std::fs::File, path: &std::path::Path, range: Range<u64>) -> Result<Bytes> {
    let len = range
        .end
        .checked_sub(range.start)
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| Error::Generic {
            store: STORE,
            source: format!("{}: cannot read bytes {range:?}", path.display()).into(),
        })?;
    let mut buf = vec![0; len];
    // Every request opens its own handle, so seeking it is as good as `pread`, and portable.
    let mut file = file;
    file.seek(SeekFrom::Start(range.start))
        .and_then(|_| file.read_exact(&mut buf))
        .map_err(|e| io_error(path, e))?;
    Ok(Bytes::from(buf))
}

#[async_trait]
impl ObjectStore for LocalFiles {
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> Result<PutResult> {
        self.inner.put_opts(location, payload, opts).await
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> Result<Box<dyn MultipartUpload>> {
        self.inner.put_multipart_opts(location, opts).await
    }

    async fn get_opts(&self, location: &Path, options: GetOptions) -> Result<GetResult> {
        let path = self.inner.path_to_filesystem(location)?;
        let file = std::fs::File::open(&path).map_err(|e| io_error(&path, e))?;
        let stat = file.metadata().map_err(|e| io_error(&path, e))?;
        // A folder is not an object (as for the local file system, whose callers rely on it).
        if stat.is_dir() {
            let not_a_file = std::io::Error::new(std::io::ErrorKind::NotFound, "a folder");
            return Err(io_error(&path, not_a_file));
        }
        let modified = stat.modified().map_err(|e| io_error(&path, e))?;
        let meta = ObjectMeta {
            location: location.clone(),
            last_modified: modified.into(),
            size: stat.len(),
            e_tag: None,
            version: None,
        };
        options.check_preconditions(&meta)?;
        let range = match &options.range {
            Some(r) => r.as_range(meta.size).map_err(|e| Error::Generic {
                store: STORE,
                source: Box::new(e),
            })?,
            None => 0..meta.size,
        };
        let bytes = if options.head {
            Bytes::new()
        } else {
            let sums = super::checksums::of(&path, stat.len(), modified);
            read_checked(&file, &path, sums.as_ref(), &self.checked, range.clone())?
        };
        Ok(GetResult {
            payload: GetResultPayload::Stream(futures::stream::once(async { Ok(bytes) }).boxed()),
            meta,
            range,
            attributes: Default::default(),
        })
    }

    async fn get_ranges(&self, location: &Path, ranges: &[Range<u64>]) -> Result<Vec<Bytes>> {
        let path = self.inner.path_to_filesystem(location)?;
        let file = std::fs::File::open(&path).map_err(|e| io_error(&path, e))?;
        let sums = checksums_of(&file, &path);
        ranges
            .iter()
            .map(|r| read_checked(&file, &path, sums.as_ref(), &self.checked, r.clone()))
            .collect()
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, Result<Path>>,
    ) -> BoxStream<'static, Result<Path>> {
        self.inner.delete_stream(locations)
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, Result<ObjectMeta>> {
        self.inner.list(prefix)
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> Result<ListResult> {
        self.inner.list_with_delimiter(prefix).await
    }

    async fn copy_opts(&self, from: &Path, to: &Path, options: CopyOptions) -> Result<()> {
        self.inner.copy_opts(from, to, options).await
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use datafusion::object_store::{GetRange, ObjectStoreExt};

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    /// A file holding the bytes 0..=99, and its object-store path.
    fn hundred_bytes(name: &str) -> (std::path::PathBuf, Path) {
        let dir = std::env::temp_dir().join(format!("kqlite-local-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(name);
        std::fs::write(&file, (0..100u8).collect::<Vec<_>>()).unwrap();
        let location = Path::from_absolute_path(&file).unwrap();
        (file, location)
    }

    #[test]
    fn ranges_are_read_as_the_local_file_system_reads_them() {
        let (file, location) = hundred_bytes("ranges");
        let ours = LocalFiles::default();
        let theirs = LocalFileSystem::new();
        block_on(async {
            for range in [
                GetRange::Bounded(10..20),
                GetRange::Offset(95),
                GetRange::Suffix(3),
            ] {
                let options = || GetOptions {
                    range: Some(range.clone()),
                    ..GetOptions::default()
                };
                let a = ours.get_opts(&location, options()).await.unwrap();
                let b = theirs.get_opts(&location, options()).await.unwrap();
                assert_eq!(a.range, b.range, "{range:?}");
                assert_eq!(a.meta.size, b.meta.size);
                assert_eq!(a.meta.last_modified, b.meta.last_modified);
                assert_eq!(
                    a.bytes().await.unwrap(),
                    b.bytes().await.unwrap(),
                    "{range:?}"
                );
            }
            let ranges = [0..1, 50..60, 99..100];
            assert_eq!(
                ours.get_ranges(&location, &ranges).await.unwrap(),
                theirs.get_ranges(&location, &ranges).await.unwrap()
            );
            assert_eq!(ours.head(&location).await.unwrap().size, 100);
            assert_eq!(
                ours.get(&location)
                    .await
                    .unwrap()
                    .bytes()
                    .await
                    .unwrap()
                    .len(),
                100
            );
        });
        std::fs::remove_file(file).unwrap();
    }

    #[test]
    fn a_missing_file_a_folder_or_a_range_outside_the_file_is_an_error() {
        let (file, location) = hundred_bytes("missing");
        std::fs::remove_file(&file).unwrap();
        let ours = LocalFiles::default();
        block_on(async {
            let missing = ours.get(&location).await.unwrap_err();
            assert!(matches!(missing, Error::NotFound { .. }), "{missing}");
        });
        let (file, location) = hundred_bytes("short");
        block_on(async {
            let past = ours
                .get_ranges(&location, &[0..10, 90..110])
                .await
                .unwrap_err();
            assert!(past.to_string().contains("short"), "{past}");
            #[allow(clippy::reversed_empty_ranges, reason = "the case under test")]
            let reversed = ours
                .get_ranges(&location, &[0..10, 20..10])
                .await
                .unwrap_err();
            assert!(reversed.to_string().contains("20..10"), "{reversed}");
            let folder = Path::from_absolute_path(file.parent().unwrap()).unwrap();
            let folder = ours.head(&folder).await.unwrap_err();
            assert!(matches!(folder, Error::NotFound { .. }), "{folder}");
        });
        std::fs::remove_file(file).unwrap();
    }
}

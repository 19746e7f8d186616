//! Checksums of a snapshot's column chunks, so that a damaged snapshot is an error instead of
//! different answers. kqlite's Parquet writer cannot write page checksums, so `convert` stores a
//! CRC-32 of every column chunk in the footer's key-value metadata ([`KEY`]), and every read of
//! a snapshot checks the chunks it reads: [`super::local_files`] for scans in place, and
//! [`verify_file`] for snapshots loaded into memory. Snapshots without the key (other writers'
//! Parquet files) are read unchecked. The footer itself is checked by its own structure only.

use datafusion::parquet::file::metadata::{ParquetMetaData, RowGroupMetaData};
use std::collections::HashMap;
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// The footer key holding the checksums: 8 hex digits per column chunk, row group by row group,
/// columns in schema order.
pub(crate) const KEY: &str = "kqlite.chunk_crc32";

/// The byte ranges of a file's column chunks and their CRC-32s.
#[derive(Debug, Default)]
pub(crate) struct ChunkChecksums {
    /// (chunk bytes, CRC-32, "row group R, column C"), sorted by start.
    chunks: Vec<(Range<u64>, u32, String)>,
}

impl ChunkChecksums {
    /// The checksums a snapshot's footer holds; `None` when it holds none or they do not match
    /// its column chunks (then the file is not one of kqlite's, or its footer is damaged: the
    /// chunk count is checked by the caller through [`ChunkChecksums::expected`]).
    pub(crate) fn from_metadata(meta: &ParquetMetaData) -> Option<Result<ChunkChecksums, String>> {
        let text = meta
            .file_metadata()
            .key_value_metadata()?
            .iter()
            .find(|kv| kv.key == KEY)?
            .value
            .clone()
            .unwrap_or_default();
        let crcs: Option<Vec<u32>> = (0..text.len() / 8)
            .map(|i| u32::from_str_radix(text.get(i * 8..i * 8 + 8)?, 16).ok())
            .collect();
        let ranges: Vec<(Range<u64>, String)> = meta
            .row_groups()
            .iter()
            .enumerate()
            .flat_map(|(g, rg)| {
                rg.columns().iter().map(move |c| {
                    let (start, len) = c.byte_range();
                    (
                        start..start.saturating_add(len),
                        format!("row group {g}, column {}", c.column_path()),
                    )
                })
            })
            .collect();
        Some(match crcs {
            Some(crcs) if text.len() % 8 == 0 && crcs.len() == ranges.len() => {
                let mut chunks: Vec<_> = ranges
                    .into_iter()
                    .zip(crcs)
                    .map(|((range, label), crc)| (range, crc, label))
                    .collect();
                chunks.sort_by_key(|(r, ..)| r.start);
                Ok(ChunkChecksums { chunks })
            }
            _ => Err(format!(
                "its checksums ({} of them) do not match its {} column chunks: the footer is damaged",
                text.len() / 8,
                ranges.len()
            )),
        })
    }

    /// `range` grown to cover whole every chunk it touches, so that what is read can be checked.
    pub(crate) fn cover(&self, range: Range<u64>) -> Range<u64> {
        let mut out = range.clone();
        for (chunk, ..) in self.touching(&range) {
            out.start = out.start.min(chunk.start);
            out.end = out.end.max(chunk.end);
        }
        out
    }

    /// Whether every chunk `range` touches lies whole within it, so that [`Self::verify`] of
    /// its bytes checks every byte of a chunk in it.
    pub(crate) fn holds_whole(&self, range: &Range<u64>) -> bool {
        self.touching(range)
            .all(|(c, ..)| range.start <= c.start && c.end <= range.end)
    }

    fn touching<'a>(
        &'a self,
        range: &'a Range<u64>,
    ) -> impl Iterator<Item = &'a (Range<u64>, u32, String)> + 'a {
        let first = self.chunks.partition_point(|(c, ..)| c.end <= range.start);
        self.chunks[first..]
            .iter()
            .take_while(move |(c, ..)| c.start < range.end)
    }

    /// Checks every chunk that lies whole within `bytes`, read from offset `start`.
    pub(crate) fn verify(&self, start: u64, bytes: &[u8]) -> Result<(), String> {
        let range = start..start + bytes.len() as u64;
        for (chunk, crc, label) in self.touching(&range) {
            if chunk.start < range.start || chunk.end > range.end {
                continue;
            }
            let at = (chunk.start - start) as usize;
            let got = crc32fast::hash(&bytes[at..at + (chunk.end - chunk.start) as usize]);
            if got != *crc {
                return Err(format!(
                    "damaged: {label} does not match its checksum (bytes {}..{})",
                    chunk.start, chunk.end
                ));
            }
        }
        Ok(())
    }
}

/// Checks every column chunk of a snapshot file whose footer is `meta`.
pub(crate) fn verify_file(path: &Path, meta: &ParquetMetaData) -> Result<(), String> {
    use std::io::{Read, Seek, SeekFrom};
    let Some(checksums) = ChunkChecksums::from_metadata(meta) else {
        return Ok(());
    };
    let checksums = checksums?;
    let mut file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut buf = Vec::new();
    for (chunk, ..) in &checksums.chunks {
        buf.resize((chunk.end - chunk.start) as usize, 0);
        file.seek(SeekFrom::Start(chunk.start))
            .and_then(|_| file.read_exact(&mut buf))
            .map_err(|e| format!("cannot read bytes {}..{}: {e}", chunk.start, chunk.end))?;
        checksums.verify(chunk.start, &buf)?;
    }
    Ok(())
}

/// The checksums of the snapshots opened in this process, by path, with the size and time of
/// modification they hold for. Process-wide because the object store that reads scans
/// (`LocalFiles`) is found by URL, not handed the table it reads for.
static OPENED: Mutex<Option<HashMap<PathBuf, Opened>>> = Mutex::new(None);

/// A snapshot's size and time of modification when opened, and its checksums.
type Opened = (u64, SystemTime, Arc<ChunkChecksums>);

/// Remembers the checksums of a snapshot as opened (`size`, `modified`).
pub(crate) fn remember(path: &Path, size: u64, modified: SystemTime, sums: ChunkChecksums) {
    let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if let Ok(mut opened) = OPENED.lock() {
        opened
            .get_or_insert_with(HashMap::new)
            .insert(key, (size, modified, Arc::new(sums)));
    }
}

/// The checksums of the file at `path` if it is a snapshot opened unchanged since (a file
/// rewritten since is read unchecked, as the scan reads it afresh).
pub(crate) fn of(path: &Path, size: u64, modified: SystemTime) -> Option<Arc<ChunkChecksums>> {
    let opened = OPENED.lock().ok()?;
    let opened = opened.as_ref()?;
    let key = std::fs::canonicalize(path).ok()?;
    let (s, m, sums) = opened.get(&key)?;
    (*s == size && *m == modified).then(|| sums.clone())
}

/// The writer under a snapshot's `ArrowWriter`: holds the bytes written since the last row group
/// whose chunks were summed, so that each chunk is summed as written, never read back.
pub(crate) struct Summing<W> {
    inner: W,
    /// Bytes written at offsets `held_from..`.
    held: Vec<u8>,
    held_from: u64,
    sums: String,
}

impl<W: Write> Summing<W> {
    pub(crate) fn new(inner: W) -> Summing<W> {
        Summing {
            inner,
            held: Vec::new(),
            held_from: 0,
            sums: String::new(),
        }
    }

    /// Sums the chunks of `groups` (the row groups flushed and not summed yet, in order) whose
    /// bytes have all come through; returns how many were summed. Bytes a row group's writer
    /// still buffers arrive later.
    pub(crate) fn sum(&mut self, groups: &[RowGroupMetaData]) -> usize {
        let mut summed = 0;
        for rg in groups {
            let arrived = self.held_from + self.held.len() as u64;
            let ranges: Vec<(u64, u64)> = rg.columns().iter().map(|c| c.byte_range()).collect();
            let end = ranges
                .iter()
                .map(|(s, l)| s + l)
                .max()
                .unwrap_or(self.held_from);
            if end > arrived || ranges.iter().any(|(s, _)| *s < self.held_from) {
                break;
            }
            for (start, len) in ranges {
                let at = (start - self.held_from) as usize;
                let crc = crc32fast::hash(&self.held[at..at + len as usize]);
                self.sums.push_str(&format!("{crc:08x}"));
            }
            let done = (end - self.held_from) as usize;
            self.held.drain(..done);
            self.held_from = end;
            summed += 1;
        }
        summed
    }

    /// The checksums so far, as [`KEY`]'s value.
    pub(crate) fn value(&self) -> String {
        self.sums.clone()
    }

    pub(crate) fn into_inner(self) -> W {
        self.inner
    }
}

impl<W: Write> Write for Summing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.held.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::ChunkChecksums;

    #[test]
    fn a_range_holds_chunks_whole_only_when_none_it_touches_runs_past_it() {
        // Overlapping chunks, as a damaged footer may declare them.
        let sums = ChunkChecksums {
            chunks: vec![(0..10, 0, "a".to_owned()), (5..20, 0, "b".to_owned())],
        };
        // One chunk read whole to check it holds part of the other, unchecked.
        assert_eq!(sums.cover(0..3), 0..10);
        assert!(!sums.holds_whole(&(0..10)));
        assert!(sums.holds_whole(&(0..20)));
        assert!(
            sums.holds_whole(&(20..30)),
            "no chunk: nothing left unchecked"
        );
    }
}

//! Column chunks read and checked lately. A scan that skips pages (a filter run inside the
//! decoder, with the offset index) asks for many small ranges of one column chunk; a chunk's
//! checksum covers it whole, so each range would read and check the whole chunk again (a query
//! picking a few thousand rows out of a snapshot read it many times over). Each range is
//! answered from the chunk checked once instead, while it is held here.

use super::checksums::ChunkChecksums;
use bytes::Bytes;
use std::collections::VecDeque;
use std::ops::Range;
use std::sync::{Arc, Mutex};

/// The most bytes held: about a row group's worth of a wide snapshot.
const MAX_BYTES: usize = 128 << 20;

struct Chunk {
    /// The checksums of the file version the chunk was read from: the same `Arc` only while the
    /// file is unchanged (same path, size and modification time).
    sums: Arc<ChunkChecksums>,
    path: std::path::PathBuf,
    range: Range<u64>,
    bytes: Bytes,
}

/// Checked chunks, the most recently used last.
#[derive(Default)]
pub(crate) struct CheckedChunks {
    held: Mutex<VecDeque<Chunk>>,
}

impl std::fmt::Debug for CheckedChunks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckedChunks").finish_non_exhaustive()
    }
}

impl CheckedChunks {
    /// `range` of the file at `path` (whose checksums are `sums`), if a checked chunk holds it.
    pub(crate) fn get(
        &self,
        path: &std::path::Path,
        sums: &Arc<ChunkChecksums>,
        range: &Range<u64>,
    ) -> Option<Bytes> {
        let mut held = self.held.lock().ok()?;
        let at = held.iter().position(|c| {
            Arc::ptr_eq(&c.sums, sums)
                && c.path == path
                && c.range.start <= range.start
                && range.end <= c.range.end
        })?;
        let chunk = held.remove(at)?;
        let from = (range.start - chunk.range.start) as usize;
        let bytes = chunk
            .bytes
            .slice(from..from + (range.end - range.start) as usize);
        held.push_back(chunk);
        Some(bytes)
    }

    /// Keeps `bytes`, the checked `range` of the file at `path`, dropping the least recently
    /// used chunks beyond [`MAX_BYTES`].
    pub(crate) fn put(
        &self,
        path: &std::path::Path,
        sums: &Arc<ChunkChecksums>,
        range: Range<u64>,
        bytes: Bytes,
    ) {
        if bytes.len() > MAX_BYTES {
            return;
        }
        let Ok(mut held) = self.held.lock() else {
            return;
        };
        let mut total = bytes.len() + held.iter().map(|c| c.bytes.len()).sum::<usize>();
        while total > MAX_BYTES {
            match held.pop_front() {
                Some(c) => total -= c.bytes.len(),
                None => break,
            }
        }
        held.push_back(Chunk {
            sums: sums.clone(),
            path: path.to_path_buf(),
            range,
            bytes,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_inside_a_held_chunk_of_the_same_file_version_is_answered_from_it() {
        let held = CheckedChunks::default();
        let (path, sums) = (std::path::Path::new("a.parquet"), Arc::default());
        let bytes = Bytes::from((0u8..100).collect::<Vec<u8>>());
        held.put(path, &sums, 1000..1100, bytes);
        let got = held.get(path, &sums, &(1010..1013)).expect("held");
        assert_eq!(&got[..], &[10, 11, 12]);
        // Past the chunk, another file, or the same file changed (new checksums): not held.
        assert!(held.get(path, &sums, &(1090..1101)).is_none());
        assert!(
            held.get(std::path::Path::new("b"), &sums, &(1010..1013))
                .is_none()
        );
        assert!(held.get(path, &Arc::default(), &(1010..1013)).is_none());
    }

    #[test]
    fn the_least_recently_used_chunks_go_first_beyond_the_bound() {
        let held = CheckedChunks::default();
        let (path, sums) = (std::path::Path::new("a.parquet"), Arc::default());
        let half = MAX_BYTES / 2;
        let chunk = |at: u64| (at..at + half as u64, Bytes::from(vec![0u8; half]));
        for at in [0, 1 << 40, 2 << 40] {
            let (range, bytes) = chunk(at);
            held.put(path, &sums, range, bytes);
            // The first chunk is used after each new one, so the second one is dropped.
            let _ = held.get(path, &sums, &(0..1));
        }
        assert!(held.get(path, &sums, &(0..1)).is_some());
        assert!(held.get(path, &sums, &((1 << 40)..(1 << 40) + 1)).is_none());
        assert!(held.get(path, &sums, &((2 << 40)..(2 << 40) + 1)).is_some());
    }
}

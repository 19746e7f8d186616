//! Reading a file of lines block by block, on a thread of its own, so that it is never held
//! whole; a line too long to be a record is passed over unread rather than held.

use std::io::Read;
use std::sync::mpsc::{Receiver, SyncSender};

/// How much is read at a time, and the longest line read as a record (larger than a block).
#[derive(Clone, Copy, Debug)]
pub(crate) struct BlockSizes {
    pub read: usize,
    pub max_line: usize,
}

impl BlockSizes {
    /// Resource-log files: 64 MiB a block. Log records are kilobytes (Log Analytics refuses a
    /// record past 32 MB); a line past 256 MiB is damage, or a file that is not a log (a disk
    /// image), and holding it would take the memory of the machine.
    pub(crate) const FILES: BlockSizes = BlockSizes {
        read: 64 << 20,
        max_line: 256 << 20,
    };
}

/// Whole lines of the input, in order.
pub(crate) struct Block {
    pub bytes: Vec<u8>,
    /// A line passed over just before `bytes` for its length (bytes, newline excluded).
    pub skipped: Option<u64>,
}

/// The rejection reason of a line passed over.
pub(crate) fn too_long(bytes: u64, sizes: BlockSizes) -> String {
    format!(
        "a line of {bytes} bytes, longer than a record can be ({} bytes); not read",
        sizes.max_line
    )
}

/// Reads `input` in blocks of about `sizes.read` into buffers taken from `empty` and sends them
/// on `full`, each cut after its last newline (the rest starts the next block; a line longer
/// than a block makes a longer block, up to `sizes.max_line`: a longer line is passed over).
/// The last block holds the end of the input.
pub(crate) fn read_blocks(
    mut input: impl Read,
    sizes: BlockSizes,
    empty: &Receiver<Vec<u8>>,
    full: &SyncSender<std::io::Result<Block>>,
) {
    let BlockSizes {
        read: read_size,
        max_line,
    } = sizes;
    let mut carry: Vec<u8> = Vec::new();
    while let Ok(mut buf) = empty.recv() {
        buf.append(&mut carry);
        let mut skipped = None;
        let eof = loop {
            // `take` + `read_to_end` reads into the spare capacity without zeroing it first.
            let n = match (&mut input).take(read_size as u64).read_to_end(&mut buf) {
                Ok(n) => n,
                Err(e) => {
                    let _ = full.send(Err(e));
                    return;
                }
            };
            if let Some(p) = memchr::memrchr(b'\n', &buf) {
                carry.extend_from_slice(&buf[p + 1..]);
                buf.truncate(p + 1);
                break n < read_size && carry.is_empty();
            }
            if n < read_size {
                break true;
            }
            // No newline yet: `buf` is one line, too long to hold on to.
            if buf.len() > max_line {
                match pass_over_line(&mut input, read_size, &mut buf) {
                    Ok((length, at_end)) => {
                        skipped = Some(length);
                        if at_end {
                            break true;
                        }
                    }
                    Err(e) => {
                        let _ = full.send(Err(e));
                        return;
                    }
                }
            }
        };
        if full
            .send(Ok(Block {
                bytes: buf,
                skipped,
            }))
            .is_err()
            || eof
        {
            return;
        }
    }
}

/// Reads on past the end of the line `buf` holds, keeping in `buf` what follows its newline.
/// Returns the line's length and whether the input ended.
fn pass_over_line(
    input: &mut impl Read,
    read_size: usize,
    buf: &mut Vec<u8>,
) -> std::io::Result<(u64, bool)> {
    let mut length = buf.len() as u64;
    loop {
        buf.clear();
        let n = input.take(read_size as u64).read_to_end(buf)?;
        if let Some(p) = memchr::memchr(b'\n', buf) {
            buf.drain(..=p);
            return Ok((length + p as u64, n < read_size && buf.is_empty()));
        }
        length += buf.len() as u64;
        if n < read_size {
            buf.clear();
            return Ok((length, true));
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests report failures by panicking")]
mod tests {
    use super::*;

    /// The blocks of `input` read `read_size` at a time, lines past `max_line` passed over.
    fn blocks(input: &[u8], read_size: usize, max_line: usize) -> Vec<(String, Option<u64>)> {
        let (full_tx, full_rx) = std::sync::mpsc::sync_channel(1);
        let (empty_tx, empty_rx) = std::sync::mpsc::channel();
        std::thread::scope(|s| {
            let sizes = BlockSizes {
                read: read_size,
                max_line,
            };
            s.spawn(move || read_blocks(input, sizes, &empty_rx, &full_tx));
            let _ = empty_tx.send(Vec::new());
            let mut out = Vec::new();
            for b in &full_rx {
                let b = b.unwrap();
                out.push((String::from_utf8(b.bytes).unwrap(), b.skipped));
                let _ = empty_tx.send(Vec::new());
            }
            out
        })
    }

    #[test]
    fn blocks_end_at_newlines_and_keep_every_byte() {
        let text = "a\nbb\nccc\ndddd\neeeee";
        for read_size in 1..8 {
            let got = blocks(text.as_bytes(), read_size, 100);
            let joined: String = got.iter().map(|(b, _)| b.as_str()).collect();
            assert_eq!(joined, text, "{read_size}");
            assert!(got.iter().all(|(_, s)| s.is_none()));
            let (last, rest) = got.split_last().unwrap();
            assert!(rest.iter().all(|(b, _)| b.ends_with('\n')), "{got:?}");
            assert!(last.0.ends_with("eeeee"), "{got:?}");
        }
    }

    #[test]
    fn a_line_past_the_limit_is_passed_over_with_its_length() {
        let long = "x".repeat(50);
        // Blocks smaller than the limit, as they are (a line within one block is bounded by it).
        for read_size in [1, 3, 7] {
            let text = format!("a\n{long}\nb\n");
            let got = blocks(text.as_bytes(), read_size, 10);
            let kept: String = got.iter().map(|(b, _)| b.as_str()).collect();
            assert_eq!(kept, "a\nb\n", "{read_size}: {got:?}");
            let skipped: Vec<u64> = got.iter().filter_map(|(_, s)| *s).collect();
            assert_eq!(skipped, vec![50], "{read_size}");
            // The block after the long line starts with the line after it.
            let at = got.iter().position(|(_, s)| s.is_some()).unwrap();
            assert!(
                got[at].0.is_empty() || got[at].0.starts_with('b'),
                "{got:?}"
            );
            // An endless last line: passed over to the end.
            let got = blocks(format!("a\n{long}").as_bytes(), read_size, 10);
            let skipped: Vec<u64> = got.iter().filter_map(|(_, s)| *s).collect();
            assert_eq!(skipped, vec![50], "{read_size}: {got:?}");
        }
    }
}

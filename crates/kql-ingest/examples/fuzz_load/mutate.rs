//! Seeds (every export shape kqlite reads) and the damage done to them: what disks, networks,
//! editors, `tail`, `head`, PowerShell and half-finished downloads do to exports.

use flate2::Compression;
use flate2::write::GzEncoder;
use kql_ingest::generate::{DEMO_START, GenOptions, Shape, rows, write, write_portal_csv};
use std::io::Write;

pub(crate) use crate::fuzz_common::Rng;

/// One seed file: its name (the loaders never look at it, but failure files keep it) and bytes.
pub(crate) struct Seed {
    pub name: String,
    pub bytes: Vec<u8>,
    /// A Parquet snapshot (mutated as bytes, never as text).
    pub binary: bool,
}

/// Every text shape, from a few generated rows.
pub(crate) fn seeds(rows_per_seed: usize) -> Vec<Seed> {
    let table = rows(&GenOptions {
        rows: rows_per_seed,
        seed: 7,
        start: DEMO_START,
        days: 1,
    });
    let mut out: Vec<Seed> = [
        ("rows.ndjson", Shape::Ndjson),
        ("graph.json", Shape::Graph),
        ("portal.json", Shape::PortalJson),
        ("PT1H.json", Shape::ResourceLog),
        ("eventhub.json", Shape::EventHub),
        ("query.json", Shape::QueryApi),
        ("export.csv", Shape::Csv),
    ]
    .into_iter()
    .map(|(name, shape)| Seed {
        name: name.to_owned(),
        bytes: write(&table, shape).into_bytes(),
        binary: false,
    })
    .collect();
    let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
    if write_portal_csv(table.iter().cloned(), 1000, [&mut a, &mut b, &mut c]).is_ok() {
        for (i, part) in [a, b, c].into_iter().enumerate() {
            out.push(Seed {
                name: format!("portal-{i}.csv"),
                bytes: part,
                binary: false,
            });
        }
    }
    out
}

/// Damage done to text, a few at a time.
pub(crate) fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut b = input.to_vec();
    for _ in 0..=rng.below(3) {
        mutate_once(rng, &mut b);
    }
    b
}

/// A random line's byte range (without its newline).
fn line_range(rng: &mut Rng, b: &[u8]) -> (usize, usize) {
    let at = rng.below(b.len() + 1);
    let start = memchr::memrchr(b'\n', &b[..at]).map_or(0, |p| p + 1);
    let end = memchr::memchr(b'\n', &b[at..]).map_or(b.len(), |p| at + p);
    (start, end)
}

const JUNK: &[&[u8]] = &[
    b"\0",
    b"\xff\xfe\xfd",
    b"\r",
    b"\r\n",
    b"\n",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b"\"",
    b"\\",
    b"\xef\xbb\xbf",
    b"18446744073709551616",
    b"-9223372036854775809",
    b"1.5",
    b"1e400",
    b"NaN",
    b"null",
    b"\"\"",
    b"{\"records\":[",
    b"{\"value\":[",
    b"\xc3\x28",
    b"\xe2\x80\xa8",
    b"\xc2\xa0",
    b"9999-12-31T23:59:59.9999999Z",
    b"0001-01-01",
];

fn mutate_once(rng: &mut Rng, b: &mut Vec<u8>) {
    let len = b.len();
    match rng.below(13) {
        // `tail -c +N`: the start is gone, the first line is cut.
        0 => {
            let n = rng.below(len.min(4096) + 1);
            b.drain(..n);
        }
        // `head -c N`, an interrupted download.
        1 => b.truncate(len - rng.below(len.min(4096) + 1)),
        // Flipped bytes.
        2 => {
            for _ in 0..=rng.below(8) {
                if !b.is_empty() {
                    let at = rng.below(b.len());
                    b[at] = rng.next() as u8;
                }
            }
        }
        // Junk inserted.
        3 => {
            let at = rng.below(len + 1);
            let junk = JUNK[rng.below(JUNK.len())];
            b.splice(at..at, junk.iter().copied());
        }
        // Two lines run together.
        4 => {
            let (_, end) = line_range(rng, b);
            if end < b.len() {
                b.remove(end);
            }
        }
        // A line twice (a record delivered twice).
        5 => {
            let (start, end) = line_range(rng, b);
            let line: Vec<u8> = b[start..end.min(b.len())].to_vec();
            b.splice(start..start, line.into_iter().chain([b'\n']));
        }
        // A line of text that is no record.
        6 => {
            let (start, _) = line_range(rng, b);
            let junk = JUNK[rng.below(JUNK.len())];
            b.splice(start..start, junk.iter().copied().chain(*b"garbage\n"));
        }
        // A zeroed region (a damaged disk block).
        7 => {
            let at = rng.below(len + 1);
            let end = (at + 1 + rng.below(512)).min(len);
            b[at..end].iter_mut().for_each(|x| *x = 0);
        }
        // A line lost.
        8 => {
            let (start, end) = line_range(rng, b);
            b.drain(start..(end + 1).min(b.len()));
        }
        // A value replaced by one that does not fit its column.
        9 => {
            if let Some(at) = (0..8)
                .map(|_| rng.below(len.max(1)))
                .find(|p| b.get(*p).is_some_and(u8::is_ascii_digit))
            {
                let end = b[at..]
                    .iter()
                    .position(|c| !c.is_ascii_digit())
                    .map_or(b.len(), |p| at + p);
                let junk = JUNK[13 + rng.below(5)];
                b.splice(at..end, junk.iter().copied());
            }
        }
        // A quote or bracket changed.
        10 => {
            let at = rng.below(len.max(1));
            if let Some(c) = b.get_mut(at) {
                *c = [b'"', b'\'', b'{', b'[', b':', b','][(*c as usize) % 6];
            }
        }
        // Line endings changed to lone CRs in one stretch.
        11 => {
            let at = rng.below(len + 1);
            let end = (at + rng.below(2048)).min(len);
            b[at..end]
                .iter_mut()
                .filter(|c| **c == b'\n')
                .for_each(|c| *c = b'\r');
        }
        // Nothing but a tail end of the file.
        _ => {
            let keep = rng.below(len.min(300) + 1);
            b.drain(..len - keep);
        }
    }
}

/// How the (damaged) text is stored: as it is, gzip (maybe cut), or UTF-16.
pub(crate) fn encode(rng: &mut Rng, text: Vec<u8>) -> Vec<u8> {
    match rng.below(10) {
        0 => gzip(&text),
        1 => {
            let mut z = gzip(&text);
            z.truncate(z.len() - rng.below(z.len().min(64) + 1));
            z
        }
        2 => {
            let s = String::from_utf8_lossy(&text);
            let mut out = vec![0xFF, 0xFE];
            out.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
            out
        }
        _ => text,
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    let _ = e.write_all(bytes);
    e.finish().unwrap_or_default()
}

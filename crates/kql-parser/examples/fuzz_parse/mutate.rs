//! Seeds and mutations: the inputs the fuzzer tries.

use super::*;
use crate::mutation_inputs::{self, TOKENS};

/// Built-in seeds (see `tests/mutation_inputs`).
pub(crate) static SEEDS: std::sync::LazyLock<Vec<&'static str>> =
    std::sync::LazyLock::new(mutation_inputs::seeds);

/// Characters that stress the lexer and span arithmetic.
pub(crate) const TRICKY: &[char] = &[
    '\u{0}',
    '\r',
    '\u{b}',
    '\u{c}',
    '\u{85}',
    '\u{a0}',
    '\u{2028}',
    '\u{2029}',
    '\u{feff}',
    '\u{200b}',
    '\u{301}',
    '\u{fffd}',
    'é',
    'ß',
    'İ',
    'ﬁ',
    '日',
    '\u{1F600}',
    '\u{10FFFF}',
    '\u{202e}',
];

// ---------------------------------------------------------------------------------------------
// RNG

/// xorshift64*: small, fast and reproducible.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        // splitmix64 so that nearby seeds give unrelated streams; never zero.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        Rng(if z == 0 { 0x2545_F491_4F6C_DD1D } else { z })
    }

    pub(crate) fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (`0` when `n == 0`).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    pub(crate) fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }
}

pub(crate) fn time_seed() -> u64 {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    d.as_secs().wrapping_mul(1_000_000_007)
        ^ u64::from(d.subsec_nanos())
        ^ u64::from(std::process::id())
}

// ---------------------------------------------------------------------------------------------
// Mutation

pub(crate) struct Corpus {
    pub(crate) seeds: Vec<String>,
    /// Words harvested from the seeds (identifiers, keywords, operators).
    pub(crate) words: Vec<String>,
}

impl Corpus {
    pub(crate) fn new(seeds: Vec<String>) -> Corpus {
        let mut set = HashSet::new();
        for s in &seeds {
            for w in s.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-')) {
                if (2..=24).contains(&w.len()) && set.len() < 20_000 {
                    set.insert(w.to_string());
                }
            }
        }
        let mut words: Vec<String> = set.into_iter().collect();
        words.sort();
        Corpus { seeds, words }
    }

    pub(crate) fn seed(&self, rng: &mut Rng) -> &str {
        self.seeds
            .get(rng.below(self.seeds.len()))
            .map_or("", String::as_str)
    }
}

/// A random byte range of `buf`, at most `max` long.
pub(crate) fn range(rng: &mut Rng, len: usize, max: usize) -> (usize, usize) {
    let start = rng.below(len + 1);
    let n = 1 + rng.below(max.max(1));
    (start, (start + n).min(len))
}

/// Applies one random mutation to `buf`.
pub(crate) fn mutate_once(rng: &mut Rng, corpus: &Corpus, buf: &mut Vec<u8>) {
    let len = buf.len();
    let at = rng.below(len + 1);
    match rng.below(16) {
        0 => buf.insert(at, rng.next() as u8),
        1 => {
            let c = if rng.chance(2) {
                rng.pick(TRICKY).copied().unwrap_or('\0')
            } else {
                char::from_u32(rng.below(0x11_0000) as u32).unwrap_or('\u{fffd}')
            };
            let mut tmp = [0u8; 4];
            buf.splice(at..at, c.encode_utf8(&mut tmp).bytes());
        }
        2 | 3 => {
            let t = rng.pick(TOKENS).copied().unwrap_or("|");
            buf.splice(at..at, t.bytes());
        }
        4 => {
            if let Some(w) = rng.pick(&corpus.words) {
                let w = w.clone();
                buf.splice(at..at, w.bytes());
            }
        }
        5 | 6 => {
            let (s, e) = range(rng, len, 16);
            buf.drain(s..e);
        }
        7 => {
            // Duplicate a substring elsewhere.
            let (s, e) = range(rng, len, 32);
            let piece = buf.get(s..e).unwrap_or(&[]).to_vec();
            let to = rng.below(len + 1);
            buf.splice(to..to, piece);
        }
        8 => {
            // Repeat a short substring in place many times: builds long chains and deep nesting.
            let (s, e) = range(rng, len, 12);
            let piece = buf.get(s..e).unwrap_or(&[]).to_vec();
            let most = if rng.chance(8) { 3000 } else { 60 };
            let times = 1 + rng.below(most);
            let mut rep = Vec::with_capacity(piece.len() * times);
            for _ in 0..times {
                rep.extend_from_slice(&piece);
            }
            buf.splice(e..e, rep);
        }
        9 => {
            // Splice: our prefix + another seed's suffix.
            let other = corpus.seed(rng).as_bytes();
            let from = rng.below(other.len() + 1);
            buf.truncate(at);
            buf.extend_from_slice(other.get(from..).unwrap_or(&[]));
        }
        10 => {
            // Insert a whole chunk of another seed.
            let other = corpus.seed(rng).as_bytes();
            let (s, e) = range(rng, other.len(), 64);
            buf.splice(at..at, other.get(s..e).unwrap_or(&[]).iter().copied());
        }
        11 => {
            if let Some(b) = buf.get_mut(rng.below(len)) {
                *b = rng.next() as u8;
            }
        }
        12 => {
            // Flip case / swap a byte for a neighbouring one in the punctuation set.
            if let Some(b) = buf.get_mut(rng.below(len)) {
                let punct = b"()[]{}|,;:=.'\"@$!<>-+*/ \n";
                let r = rng.below(punct.len());
                *b = if b.is_ascii_alphabetic() {
                    *b ^ 0x20
                } else {
                    punct.get(r).copied().unwrap_or(b' ')
                };
            }
        }
        13 => {
            // Wrap a range in brackets of one kind.
            let (s, e) = range(rng, len, 40);
            let (open, close) = *rng
                .pick(&[
                    ("(", ")"),
                    ("[", "]"),
                    ("{", "}"),
                    ("dynamic(", ")"),
                    ("f(", ")"),
                    ("'", "'"),
                ])
                .unwrap_or(&("(", ")"));
            buf.splice(e..e, close.bytes());
            buf.splice(s..s, open.bytes());
        }
        14 => {
            // Swap two chunks.
            let (s1, e1) = range(rng, len, 24);
            let (s2, e2) = range(rng, len, 24);
            if e1 <= s2 {
                let a = buf.get(s1..e1).unwrap_or(&[]).to_vec();
                let b = buf.get(s2..e2).unwrap_or(&[]).to_vec();
                buf.splice(s2..e2, a);
                buf.splice(s1..e1, b);
            }
        }
        _ => buf.truncate(at),
    }
}

pub(crate) fn mutate(rng: &mut Rng, corpus: &Corpus, max_len: usize) -> String {
    let mut buf = corpus.seed(rng).as_bytes().to_vec();
    let most = if rng.chance(4) { 16 } else { 4 };
    let n = if rng.chance(16) {
        0
    } else {
        1 + rng.below(most)
    };
    for _ in 0..n {
        mutate_once(rng, corpus, &mut buf);
        buf.truncate(max_len);
    }
    String::from_utf8_lossy(&buf).into_owned()
}

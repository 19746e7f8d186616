//! String operators with Kusto's rules: `has` matches whole *terms* (maximal runs of letters and
//! digits), comparisons without `_cs` ignore case, regexes are RE2-style (Rust `regex`).
//! <https://learn.microsoft.com/kusto/query/datatypes-string-operators>

use super::args::{arg, done, longs, strs};
use datafusion_common::Result;
use datafusion_common::arrow::array::{BooleanBuilder, Int64Builder, StringBuilder};
use datafusion_expr::ColumnarValue;
use regex::Regex;
use std::collections::HashMap;

fn is_term_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Finds `needle` in `hay` (optionally ignoring case) at a position accepted by `ok(start, end)`.
fn find_with(hay: &str, needle: &str, cs: bool, ok: impl Fn(&str, usize, usize) -> bool) -> bool {
    if needle.is_empty() {
        return ok(hay, 0, 0);
    }
    if cs {
        return hay
            .match_indices(needle)
            .any(|(s, m)| ok(hay, s, s + m.len()));
    }
    if hay.is_ascii() && needle.is_ascii() {
        let (h, n) = (hay.as_bytes(), needle.as_bytes());
        if n.len() > h.len() {
            return false;
        }
        let first = n[0].to_ascii_lowercase();
        for s in 0..=h.len() - n.len() {
            if h[s].to_ascii_lowercase() == first
                && h[s..s + n.len()].eq_ignore_ascii_case(n)
                && ok(hay, s, s + n.len())
            {
                return true;
            }
        }
        return false;
    }
    let (h, n) = (hay.to_lowercase(), needle.to_lowercase());
    h.match_indices(&n).any(|(s, m)| ok(&h, s, s + m.len()))
}

fn starts_term(hay: &str, start: usize, needle_starts_alnum: bool) -> bool {
    !needle_starts_alnum || !hay[..start].chars().next_back().is_some_and(is_term_char)
}

fn ends_term(hay: &str, end: usize, needle_ends_alnum: bool) -> bool {
    !needle_ends_alnum || !hay[end..].chars().next().is_some_and(is_term_char)
}

/// Whether `needle` occurs in `hay` as whole terms.
pub fn has_term(hay: &str, needle: &str, cs: bool) -> bool {
    let (a, b) = (
        needle.chars().next().is_some_and(is_term_char),
        needle.chars().next_back().is_some_and(is_term_char),
    );
    find_with(hay, needle, cs, |h, s, e| {
        starts_term(h, s, a) && ends_term(h, e, b)
    })
}

fn has_prefix(hay: &str, needle: &str, cs: bool) -> bool {
    let a = needle.chars().next().is_some_and(is_term_char);
    find_with(hay, needle, cs, |h, s, _| starts_term(h, s, a))
}

fn has_suffix(hay: &str, needle: &str, cs: bool) -> bool {
    let b = needle.chars().next_back().is_some_and(is_term_char);
    find_with(hay, needle, cs, |h, _, e| ends_term(h, e, b))
}

fn contains_(hay: &str, needle: &str, cs: bool) -> bool {
    find_with(hay, needle, cs, |_, _, _| true)
}

fn starts_(hay: &str, needle: &str, cs: bool) -> bool {
    match hay.get(..needle.len()) {
        Some(p) if cs => p == needle,
        Some(p) if needle.is_ascii() => p.eq_ignore_ascii_case(needle),
        _ => hay.to_lowercase().starts_with(&needle.to_lowercase()),
    }
}

fn ends_(hay: &str, needle: &str, cs: bool) -> bool {
    let cut = hay.len().checked_sub(needle.len());
    match cut.and_then(|c| hay.get(c..)) {
        Some(p) if cs => p == needle,
        Some(p) if needle.is_ascii() => p.eq_ignore_ascii_case(needle),
        _ => hay.to_lowercase().ends_with(&needle.to_lowercase()),
    }
}

/// Applies a binary string predicate row by row; null operands give null.
fn predicate(
    args: &[ColumnarValue],
    n: usize,
    f: impl Fn(&str, &str) -> bool,
) -> Result<ColumnarValue> {
    let hay = strs(arg(args, 0, "string operator")?)?;
    let needle = strs(arg(args, 1, "string operator")?)?;
    let mut out = BooleanBuilder::with_capacity(n);
    for i in 0..n {
        out.append_option(hay.get(i).zip(needle.get(i)).map(|(h, x)| f(h, x)));
    }
    done(out.finish())
}

macro_rules! string_predicates {
    ($($name:ident => $f:expr;)*) => {
        $(
            /// A Kusto string operator kernel.
            pub fn $name(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
                predicate(args, n, $f)
            }
        )*
    };
}

string_predicates! {
    has => |h, x| has_term(h, x, false);
    has_cs => |h, x| has_term(h, x, true);
    hasprefix => |h, x| has_prefix(h, x, false);
    hasprefix_cs => |h, x| has_prefix(h, x, true);
    hassuffix => |h, x| has_suffix(h, x, false);
    hassuffix_cs => |h, x| has_suffix(h, x, true);
    contains => |h, x| contains_(h, x, false);
    contains_cs => |h, x| contains_(h, x, true);
    startswith => |h, x| starts_(h, x, false);
    startswith_cs => |h, x| starts_(h, x, true);
    endswith => |h, x| ends_(h, x, false);
    endswith_cs => |h, x| ends_(h, x, true);
    eq_ci => |h, x| h.len() == x.len() && (h.eq_ignore_ascii_case(x) || h.to_lowercase() == x.to_lowercase());
}

/// Compiled regexes by pattern, per kernel call.
#[derive(Default)]
pub struct RegexCache {
    map: HashMap<String, Option<Regex>>,
}

impl RegexCache {
    /// The compiled pattern, or `None` when it does not compile.
    pub fn get(&mut self, pattern: &str) -> Option<&Regex> {
        self.map
            .entry(pattern.to_owned())
            .or_insert_with(|| Regex::new(pattern).ok())
            .as_ref()
    }
}

/// `text matches regex pattern`: the text *contains* a match.
pub fn matches_regex(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let text = strs(arg(args, 0, "matches regex")?)?;
    let pattern = strs(arg(args, 1, "matches regex")?)?;
    let mut cache = RegexCache::default();
    let mut out = BooleanBuilder::with_capacity(n);
    for i in 0..n {
        out.append_option(
            text.get(i)
                .zip(pattern.get(i))
                .and_then(|(t, p)| cache.get(p).map(|r| r.is_match(t))),
        );
    }
    done(out.finish())
}

/// `extract(regex, group, text)`: the group's text, `""` when there is no match.
pub fn extract(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let pattern = strs(arg(args, 0, "extract")?)?;
    let group = longs(arg(args, 1, "extract")?)?;
    let text = strs(arg(args, 2, "extract")?)?;
    let mut cache = RegexCache::default();
    let mut out = StringBuilder::with_capacity(n, n * 8);
    for i in 0..n {
        let v = (|| {
            let re = cache.get(pattern.get(i)?)?;
            let g = usize::try_from(group.get(i)?).ok()?;
            Some(re.captures(text.get(i)?)?.get(g)?.as_str().to_owned())
        })();
        out.append_value(v.unwrap_or_default());
    }
    done(out.finish())
}

/// `replace_regex(text, regex, rewrite)`: `\1` in the rewrite refers to group 1.
pub fn replace_regex(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let text = strs(arg(args, 0, "replace_regex")?)?;
    let pattern = strs(arg(args, 1, "replace_regex")?)?;
    let rewrite = strs(arg(args, 2, "replace_regex")?)?;
    let mut cache = RegexCache::default();
    let group_ref = Regex::new(r"\\(\d)").ok();
    let mut out = StringBuilder::with_capacity(n, n * 8);
    for i in 0..n {
        let v = (|| {
            let t = text.get(i)?;
            let re = cache.get(pattern.get(i)?)?;
            let rw = rewrite.get(i)?;
            let rw = match &group_ref {
                Some(g) => g.replace_all(&rw.replace('$', "$$"), "$${$1}").into_owned(),
                None => rw.to_owned(),
            };
            Some(re.replace_all(t, rw.as_str()).into_owned())
        })();
        out.append_value(v.unwrap_or_default());
    }
    done(out.finish())
}

/// `countof(text, search[, kind])`: non-overlapping occurrences; `kind="regex"` counts matches.
pub fn countof(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let text = strs(arg(args, 0, "countof")?)?;
    let search = strs(arg(args, 1, "countof")?)?;
    let kind = match args.get(2) {
        Some(k) => Some(strs(k)?),
        None => None,
    };
    let mut cache = RegexCache::default();
    let mut out = Int64Builder::with_capacity(n);
    for i in 0..n {
        let (Some(t), Some(s)) = (text.get(i), search.get(i)) else {
            out.append_null();
            continue;
        };
        let regex = kind
            .as_ref()
            .and_then(|k| k.get(i))
            .is_some_and(|k| k == "regex");
        let count = if regex {
            cache.get(s).map(|r| r.find_iter(t).count() as i64)
        } else if s.is_empty() {
            Some(0)
        } else {
            // Plain matches may overlap ("aaaa" has 3 of "aa"); regex matches do not.
            let step = s.chars().next().map_or(1, char::len_utf8);
            let mut n = 0i64;
            let mut from = 0;
            while let Some(p) = t.get(from..).and_then(|r| r.find(s)) {
                n += 1;
                from += p + step;
            }
            Some(n)
        };
        out.append_option(count);
    }
    done(out.finish())
}

/// `indexof(text, lookup[, start[, length[, occurrence]]])`: character index or -1.
pub fn indexof(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let text = strs(arg(args, 0, "indexof")?)?;
    let lookup = strs(arg(args, 1, "indexof")?)?;
    let opt = |k: usize| args.get(k).map(longs).transpose();
    let (start, length, occurrence) = (opt(2)?, opt(3)?, opt(4)?);
    let mut out = Int64Builder::with_capacity(n);
    for i in 0..n {
        let (Some(t), Some(l)) = (text.get(i), lookup.get(i)) else {
            out.append_null();
            continue;
        };
        let chars: Vec<char> = t.chars().collect();
        let len = chars.len() as i64;
        let mut s = start.as_ref().and_then(|x| x.get(i)).unwrap_or(0);
        if s < 0 {
            s += len;
        }
        if s < 0 || s > len {
            out.append_null();
            continue;
        }
        let span = length.as_ref().and_then(|x| x.get(i)).unwrap_or(-1);
        // Saturating: a length near i64::MAX means "to the end", not an overflow.
        let end = if span < 0 {
            len
        } else {
            s.saturating_add(span).min(len)
        };
        let window: String = chars[s as usize..end as usize].iter().collect();
        let occ = occurrence
            .as_ref()
            .and_then(|x| x.get(i))
            .unwrap_or(1)
            .max(1);
        let mut found = -1;
        let mut from = 0;
        for _ in 0..occ {
            match window.get(from..).and_then(|w| w.find(l)) {
                Some(p) => {
                    found = (from + p) as i64;
                    from += p + l.len().max(1);
                }
                None => {
                    found = -1;
                    break;
                }
            }
        }
        let idx = if found < 0 {
            -1
        } else {
            s + window[..found as usize].chars().count() as i64
        };
        out.append_value(idx);
    }
    done(out.finish())
}

/// `substring(text, start[, length])`: by characters; out-of-range parts are clipped.
pub fn substring(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let text = strs(arg(args, 0, "substring")?)?;
    let start = longs(arg(args, 1, "substring")?)?;
    let length = args.get(2).map(longs).transpose()?;
    let mut out = StringBuilder::with_capacity(n, n * 8);
    for i in 0..n {
        let v = (|| {
            let t = text.get(i)?;
            let s = start.get(i)?;
            // A negative start counts from the end of the string.
            let s = if s < 0 {
                (t.chars().count() as i64 + s).max(0) as usize
            } else {
                s as usize
            };
            let l = match &length {
                Some(l) => usize::try_from(l.get(i)?).ok()?,
                None => usize::MAX,
            };
            Some(t.chars().skip(s).take(l).collect::<String>())
        })();
        out.append_value(v.unwrap_or_default());
    }
    done(out.finish())
}

/// `trim(regex, text)`: removes leading and trailing matches of the regex.
pub fn trim(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let pattern = strs(arg(args, 0, "trim")?)?;
    let text = strs(arg(args, 1, "trim")?)?;
    let mut cache: HashMap<String, Option<(Regex, Regex)>> = HashMap::new();
    let mut out = StringBuilder::with_capacity(n, n * 8);
    for i in 0..n {
        let v = (|| {
            let p = pattern.get(i)?;
            let t = text.get(i)?;
            let pair = cache
                .entry(p.to_owned())
                .or_insert_with(|| {
                    Some((
                        Regex::new(&format!("^(?:{p})+")).ok()?,
                        Regex::new(&format!("(?:{p})+$")).ok()?,
                    ))
                })
                .as_ref()?;
            let head = pair.0.replace(t, "");
            Some(pair.1.replace(&head, "").into_owned())
        })();
        out.append_value(v.unwrap_or_default());
    }
    done(out.finish())
}

/// `hash(value[, mod])`: a stable 64-bit hash (xxHash64 of the value's text), optionally modulo.
pub fn hash(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let text = strs(arg(args, 0, "hash")?)?;
    let modulo = args.get(1).map(longs).transpose()?;
    let mut out = Int64Builder::with_capacity(n);
    for i in 0..n {
        let h = text.get(i).map(|t| xxhash64(t.as_bytes(), 0) as i64);
        let h = match (&modulo, h) {
            (Some(m), Some(h)) => m.get(i).filter(|m| *m != 0).map(|m| h.rem_euclid(m)),
            (_, h) => h,
        };
        out.append_option(h);
    }
    done(out.finish())
}

/// xxHash64, the algorithm Kusto's `hash()` documents.
fn xxhash64(data: &[u8], seed: u64) -> u64 {
    const P1: u64 = 0x9E37_79B1_85EB_CA87;
    const P2: u64 = 0xC2B2_AE3D_27D4_EB4F;
    const P3: u64 = 0x1656_67B1_9E37_79F9;
    const P4: u64 = 0x85EB_CA77_C2B2_AE63;
    const P5: u64 = 0x27D4_EB2F_1656_67C5;
    let read64 = |b: &[u8]| u64::from_le_bytes(b.try_into().unwrap_or([0; 8]));
    let read32 = |b: &[u8]| u64::from(u32::from_le_bytes(b.try_into().unwrap_or([0; 4])));
    let round = |acc: u64, v: u64| {
        acc.wrapping_add(v.wrapping_mul(P2))
            .rotate_left(31)
            .wrapping_mul(P1)
    };
    let merge = |acc: u64, v: u64| (acc ^ round(0, v)).wrapping_mul(P1).wrapping_add(P4);
    let len = data.len() as u64;
    let mut rest = data;
    let mut h = if data.len() >= 32 {
        let mut v = [
            seed.wrapping_add(P1).wrapping_add(P2),
            seed.wrapping_add(P2),
            seed,
            seed.wrapping_sub(P1),
        ];
        while rest.len() >= 32 {
            for (k, lane) in v.iter_mut().enumerate() {
                *lane = round(*lane, read64(&rest[k * 8..k * 8 + 8]));
            }
            rest = &rest[32..];
        }
        let mut h = v[0]
            .rotate_left(1)
            .wrapping_add(v[1].rotate_left(7))
            .wrapping_add(v[2].rotate_left(12))
            .wrapping_add(v[3].rotate_left(18));
        for lane in v {
            h = merge(h, lane);
        }
        h
    } else {
        seed.wrapping_add(P5)
    };
    h = h.wrapping_add(len);
    while rest.len() >= 8 {
        h = (h ^ round(0, read64(&rest[..8])))
            .rotate_left(27)
            .wrapping_mul(P1)
            .wrapping_add(P4);
        rest = &rest[8..];
    }
    if rest.len() >= 4 {
        h = (h ^ read32(&rest[..4]).wrapping_mul(P1))
            .rotate_left(23)
            .wrapping_mul(P2)
            .wrapping_add(P3);
        rest = &rest[4..];
    }
    for b in rest {
        h = (h ^ u64::from(*b).wrapping_mul(P5))
            .rotate_left(11)
            .wrapping_mul(P1);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(P2);
    h ^= h >> 29;
    h = h.wrapping_mul(P3);
    h ^ (h >> 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn has_matches_whole_terms() {
        assert!(has_term("North America", "america", false));
        assert!(!has_term("KustoExplorerQueryRun", "Explorer", false));
        assert!(has_term("user@contoso.com logged in", "contoso.com", false));
        assert!(!has_term("North America", "amer", false));
        assert!(!has_term("North America", "america", true));
        assert!(has_term("Ünïcode Wörds", "wörds", false));
        assert!(has_prefix("North America", "amer", false));
        assert!(!has_prefix("North America", "meri", false));
        assert!(has_suffix("North America", "rica", false));
        assert!(contains_("FabriKam", "BRik", false));
        assert!(!contains_("FabriKam", "BRik", true));
        assert!(starts_("Fabrikam", "fab", false) && ends_("Fabrikam", "KAM", false));
    }

    #[test]
    fn xxhash64_known_values() {
        assert_eq!(xxhash64(b"", 0), 0xEF46_DB37_51D8_E999);
        assert_eq!(xxhash64(b"abc", 0), 0x44BC_2CF5_AD77_0999);
    }
}

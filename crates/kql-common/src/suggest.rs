//! "Did you mean" suggestions: the closest candidate by edit distance.

/// The candidate closest to `name`: one equal but for case wins; otherwise the one with the
/// smallest edit distance, if that distance is small for the name's length. `None` when nothing
/// is close, or when `name` itself is a candidate.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = name.to_lowercase();
    let limit = (name.chars().count() / 3).max(2);
    let mut best: Option<(usize, &'a str)> = None;
    for c in candidates {
        if c == name {
            return None;
        }
        let d = if c.to_lowercase() == lower {
            0
        } else {
            levenshtein(&lower, &c.to_lowercase()) + 1
        };
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// Edit distance (insertions, deletions, substitutions) between two strings, by characters.
pub fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            cur.push(sub.min(del).min(ins));
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(closest("wher", ["where", "extend"]), Some("where"));
        assert_eq!(
            closest("resulttype", ["ResultType", "ResultSignature"]),
            Some("ResultType")
        );
        assert_eq!(closest("zzzzzz", ["where"]), None);
        assert_eq!(closest("where", ["where", "were"]), None);
        assert_eq!(levenshtein("kitten", "sitting"), 3);
    }
}

//! Where a query's characters sit in the file it was read from: a quoted string with escapes
//! (JSON, TOML basic strings) or a block of lines (YAML block scalars).

use crate::rule::{QueryText, Segment};

/// 1-based line and column (in characters) of byte `offset` of `source`.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let before = source.get(..offset.min(source.len())).unwrap_or(source);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// The query held by the quoted string whose content (between the quotes) starts at byte `start`
/// of `source` and is `raw`, with JSON's escapes. Each escape starts a new segment, so offsets
/// after it map to the right column; the decoded text is returned with them. `None` when `raw`
/// has an escape JSON does not know (the caller falls back to the start of the string).
pub fn escaped(source: &str, start: usize, raw: &str) -> Option<QueryText> {
    let (mut line, mut column) = line_col(source, start);
    let mut text = String::with_capacity(raw.len());
    let mut segments = vec![Segment {
        offset: 0,
        line,
        column,
    }];
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\n' {
            // A raw newline (TOML multi-line basic strings).
            text.push('\n');
            line += 1;
            column = 1;
            segments.push(Segment {
                offset: text.len(),
                line,
                column,
            });
            continue;
        }
        if c != '\\' {
            text.push(c);
            column += 1;
            continue;
        }
        let (decoded, width) = match chars.next()? {
            'n' => ('\n', 2),
            't' => ('\t', 2),
            'r' => ('\r', 2),
            'b' => ('\u{8}', 2),
            'f' => ('\u{c}', 2),
            '"' => ('"', 2),
            '\\' => ('\\', 2),
            '/' => ('/', 2),
            'u' => {
                let unit = hex4(&mut chars)?;
                if (0xD800..0xDC00).contains(&unit) {
                    // A surrogate pair (`\ud83d\ude00`), as JSON writes characters past the BMP.
                    if chars.next()? != '\\' || chars.next()? != 'u' {
                        return None;
                    }
                    let low = hex4(&mut chars)?;
                    let c = 0x10000 + ((unit - 0xD800) << 10) + low.checked_sub(0xDC00)?;
                    (char::from_u32(c)?, 12)
                } else {
                    (char::from_u32(unit)?, 6)
                }
            }
            _ => return None,
        };
        text.push(decoded);
        column += width;
        // The next query character sits after the escape.
        segments.push(Segment {
            offset: text.len(),
            line,
            column,
        });
    }
    Some(QueryText { text, segments })
}

/// Four hex digits of a `\u` escape.
fn hex4(chars: &mut impl Iterator<Item = char>) -> Option<u32> {
    let h: String = chars.take(4).collect();
    (h.len() == 4)
        .then(|| u32::from_str_radix(&h, 16).ok())
        .flatten()
}

/// The query held by a YAML literal block whose content lines start on `first_line` of
/// `source`, indented by `indent` columns: query line i is file line `first_line + i`.
pub fn block(text: &str, first_line: usize, indent: usize) -> QueryText {
    let mut segments = Vec::new();
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        segments.push(Segment {
            offset,
            line: first_line + i,
            column: indent + 1,
        });
        offset += l.len();
    }
    if segments.is_empty() {
        segments.push(Segment {
            offset: 0,
            line: first_line,
            column: indent + 1,
        });
    }
    QueryText {
        text: text.to_owned(),
        segments,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_keep_columns_true() {
        let source = "{\"q\": \"T\\n| where x == \\\"a\\\"\"}";
        let start = source.find("T\\n").expect("test value");
        let raw = &source[start..source.len() - 2];
        let q = escaped(source, start, raw).expect("test value");
        assert_eq!(q.text, "T\n| where x == \"a\"");
        // `where` is on the file's line 1, after `T\n| ` (4 + 2 characters in).
        let at = q.text.find("where").expect("test value");
        assert_eq!(q.locate(at), (1, start + 1 + 5));
        let quote = q.text.find('"').expect("test value");
        assert_eq!(
            q.locate(quote),
            line_col(source, source.find("\\\"a").expect("test value"))
        );
    }

    #[test]
    fn surrogate_pairs_decode_and_keep_columns() {
        let source = r#""x == \ud83d\ude00 | y""#;
        let q = escaped(source, 1, &source[1..source.len() - 1]).expect("decodes");
        assert_eq!(q.text, "x == \u{1F600} | y");
        let at = q.text.find('|').expect("a pipe");
        assert_eq!(q.locate(at), (1, source.find('|').expect("a pipe") + 1));
    }

    #[test]
    fn blocks_map_line_by_line() {
        let q = block("T\n| where x\n", 7, 2);
        assert_eq!(q.locate(0), (7, 3));
        assert_eq!(q.locate(4), (8, 5));
    }
}

//! Byte offsets to 1-based line and column numbers.

/// A 1-based line and column; columns count Unicode scalar values, as editors and CI annotations do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineCol {
    /// 1-based line.
    pub line: usize,
    /// 1-based column in characters.
    pub column: usize,
}

/// Line starts of a text, for repeated offset lookups.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes `text`; `\n` ends a line (a preceding `\r` belongs to the line ending).
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    /// The line and column of byte `offset` (clamped to the text, and back to a char boundary).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = floor_char_boundary(self.text, offset);
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let column = self
            .text
            .get(start..offset)
            .map_or(0, |s| s.chars().count())
            + 1;
        LineCol {
            line: line + 1,
            column,
        }
    }

    /// The text of 1-based `line` without its line ending.
    pub fn line_text(&self, line: usize) -> &'a str {
        let start = self
            .starts
            .get(line.wrapping_sub(1))
            .copied()
            .unwrap_or(self.text.len());
        let end = self
            .starts
            .get(line)
            .map_or(self.text.len(), |e| e.saturating_sub(1));
        let s = self.text.get(start..end.max(start)).unwrap_or("");
        s.strip_suffix('\r').unwrap_or(s)
    }

    /// Byte offset where 1-based `line` starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.starts
            .get(line.wrapping_sub(1))
            .copied()
            .unwrap_or(self.text.len())
    }

    /// The whole indexed text.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// Number of lines.
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }
}

/// The largest char boundary not after `offset`, clamped to the text length.
pub fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut o = offset.min(text.len());
    while !text.is_char_boundary(o) {
        o -= 1;
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_are_one_based() {
        let ix = LineIndex::new("ab\ncé\r\nx");
        assert_eq!(ix.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(ix.line_col(3), LineCol { line: 2, column: 1 });
        assert_eq!(ix.line_col(6), LineCol { line: 2, column: 3 });
        assert_eq!(ix.line_text(2), "cé");
        assert_eq!(ix.line_col(99), LineCol { line: 3, column: 2 });
    }

    #[test]
    fn offsets_inside_a_character_round_down() {
        let ix = LineIndex::new("é");
        assert_eq!(ix.line_col(1), LineCol { line: 1, column: 1 });
    }
}

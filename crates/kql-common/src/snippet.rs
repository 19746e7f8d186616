//! The human form of a [`Diagnostic`]: a rustc-style snippet with file, line, column and a
//! caret under the offending text. Colour is the caller's choice ([`plain`] never styles).

use crate::position::{LineCol, LineIndex, floor_char_boundary};
use crate::{Diagnostic, Span};
use std::fmt::Write;

/// Styling hooks; the CLI supplies ANSI sequences, tests use [`Style::plain`].
#[derive(Clone, Copy, Debug)]
pub struct Style {
    /// Before the `error[..]`/`warning[..]` head.
    pub severity: &'static str,
    /// Before gutters and arrows.
    pub gutter: &'static str,
    /// Before carets.
    pub caret: &'static str,
    /// Resets styling.
    pub reset: &'static str,
}

impl Style {
    /// No escape sequences at all.
    pub const fn plain() -> Style {
        Style {
            severity: "",
            gutter: "",
            caret: "",
            reset: "",
        }
    }
}

/// Renders without colour.
pub fn plain(d: &Diagnostic, file: &str, src: &str) -> String {
    styled(d, file, src, Style::plain())
}

/// Renders `d` against `src`, naming the source `file`.
pub fn styled(d: &Diagnostic, file: &str, src: &str, style: Style) -> String {
    let ix = LineIndex::new(src);
    let start = ix.line_col(d.span.start as usize);
    let mut out = String::new();
    let Style {
        severity,
        gutter,
        reset,
        ..
    } = style;
    let _ = writeln!(
        out,
        "{severity}{}[{}]{reset}: {}",
        d.severity.as_str(),
        d.code.id,
        d.message
    );
    let mut lines: Vec<usize> = vec![start.line];
    for l in &d.secondary {
        lines.push(ix.line_col(l.span.start as usize).line);
    }
    lines.sort_unstable();
    lines.dedup();
    let width = lines.last().copied().unwrap_or(1).to_string().len();
    let pad = " ".repeat(width);
    let _ = writeln!(
        out,
        "{pad}{gutter}-->{reset} {file}:{}:{}",
        start.line, start.column
    );
    let _ = writeln!(out, "{pad} {gutter}|{reset}");
    for line in lines {
        let text = ix.line_text(line);
        let _ = writeln!(out, "{gutter}{line:>width$} |{reset} {}", expand_tabs(text));
        if start.line == line {
            underline(
                &mut out,
                &ix,
                d.span,
                d.label.as_deref(),
                width,
                &style,
                '^',
            );
        }
        for l in d
            .secondary
            .iter()
            .filter(|l| ix.line_col(l.span.start as usize).line == line)
        {
            underline(&mut out, &ix, l.span, Some(&l.message), width, &style, '-');
        }
    }
    let _ = writeln!(out, "{pad} {gutter}|{reset}");
    for n in &d.notes {
        let _ = writeln!(out, "{pad} {gutter}={reset} note: {n}");
    }
    if let Some(h) = &d.help {
        let _ = writeln!(out, "{pad} {gutter}={reset} help: {h}");
    }
    out
}

/// Draws `mark`s under `span` on its first line (clipped at the line end).
fn underline(
    out: &mut String,
    ix: &LineIndex,
    span: Span,
    label: Option<&str>,
    width: usize,
    style: &Style,
    mark: char,
) {
    let LineCol { line, column } = ix.line_col(span.start as usize);
    let text = ix.line_text(line);
    let line_start = ix.line_start(line);
    let line_end = line_start + text.len();
    let end = (span.end as usize).clamp(span.start as usize, line_end);
    let start_byte = floor_char_boundary(ix.text(), (span.start as usize).min(line_end));
    let end = floor_char_boundary(ix.text(), end);
    let covered = text
        .get(start_byte - line_start..end - line_start)
        .map_or(0, display_width);
    let lead = text
        .get(..start_byte.saturating_sub(line_start))
        .map_or(column - 1, display_width);
    let marks = mark.to_string().repeat(covered.max(1));
    let label = label.map(|l| format!(" {l}")).unwrap_or_default();
    let _ = writeln!(
        out,
        "{}{} |{} {}{}{}{}{}",
        style.gutter,
        " ".repeat(width),
        style.reset,
        " ".repeat(lead),
        style.caret,
        marks,
        label,
        style.reset
    );
}

fn expand_tabs(s: &str) -> String {
    s.replace('\t', "    ")
}

/// Columns a piece of a line occupies once tabs are expanded (one per other character).
fn display_width(s: &str) -> usize {
    s.chars().map(|c| if c == '\t' { 4 } else { 1 }).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes;

    #[test]
    fn renders_caret_under_span() {
        let src = "T\n| where Sttae == 1";
        let d = Diagnostic::error(codes::SYNTAX, "something wrong", Span::new(10, 15))
            .with_label("here")
            .with_help("try `State`");
        insta::assert_snapshot!(plain(&d, "q.kql", src), @r"
        error[KP001]: something wrong
         --> q.kql:2:9
          |
        2 | | where Sttae == 1
          |         ^^^^^ here
          |
          = help: try `State`
        ");
    }

    #[test]
    fn span_at_end_of_text_gets_one_caret() {
        let src = "T | where";
        let d = Diagnostic::error(codes::UNEXPECTED_END, "expected a predicate", Span::at(9));
        let out = plain(&d, "q", src);
        assert!(out.contains("q:1:10"), "{out}");
        assert!(out.contains("          ^"), "{out}");
    }

    #[test]
    fn non_ascii_before_the_span_keeps_alignment() {
        let src = "print 'é' | x";
        let d = Diagnostic::error(codes::UNKNOWN_OPERATOR, "unknown", Span::new(13, 14));
        let out = plain(&d, "q", src);
        assert!(out.contains("q:1:13"), "{out}");
        assert!(out.contains("  |             ^\n"), "{out}");
    }
}

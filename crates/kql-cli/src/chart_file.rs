//! Charts of `render`: `--chart FILE` draws it into an SVG file, a PNG image or an HTML page
//! holding the SVG, written whole or not at all; on a terminal it is drawn under the table.

use crate::files::describe;
use crate::query::Kept;
use kql_output::chart::{Chart, png, svg};
use kql_workspace::output_file::OutputFile;
use std::io::Write;
use std::path::Path;

/// What a chart file's extension asks for; the error (printed) is a usage error.
pub(crate) fn file_kind(path: &Path, asker: &str) -> Result<FileKind, ()> {
    match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("svg") => Ok(FileKind::Svg),
        Some(e) if e.eq_ignore_ascii_case("png") => Ok(FileKind::Png),
        Some(e) if e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm") => {
            Ok(FileKind::Html)
        }
        _ => {
            eprintln!(
                "error: {asker} {}: name an .svg, .png or .html file",
                path.display()
            );
            Err(())
        }
    }
}

pub(crate) enum FileKind {
    Svg,
    Png,
    Html,
}

/// Writes the chart of `kept` to `path`; returns the exit code (messages printed, naming `asker`:
/// `--chart`, `#chart`) and whether the file was written.
pub(crate) fn write(path: &Path, kept: &Kept, asker: &str) -> (u8, bool) {
    let Some(render) = &kept.render else {
        eprintln!(
            "error: {asker} {}: the query has no `render` (end it with, say, `| render timechart`)",
            path.display()
        );
        return (crate::EXIT_USAGE, false);
    };
    let Ok(kind) = file_kind(path, asker) else {
        return (crate::EXIT_USAGE, false);
    };
    let drawn = Chart::from_result(&kept.schema, &kept.batches, render)
        .and_then(|chart| svg::to_svg(&chart).map(|svg| (chart, svg)));
    let (chart, svg) = match drawn {
        Ok(d) => d,
        Err(why) => {
            // As Azure Monitor does with a render it cannot draw: the rows stand, no chart.
            eprintln!("warning: {asker} {}: {why}", path.display());
            return (0, false);
        }
    };
    let bytes = match kind {
        FileKind::Svg => svg.into_bytes(),
        FileKind::Html => page(chart.title.as_deref().unwrap_or("kqlite chart"), &svg).into_bytes(),
        FileKind::Png => match png::to_png(&svg) {
            Ok(b) => b,
            Err(why) => {
                eprintln!("error: {asker} {}: {why}", path.display());
                return (1, false);
            }
        },
    };
    let written = OutputFile::create(path).and_then(|mut f| {
        f.write_all(&bytes)?;
        f.commit()
    });
    match written {
        Ok(()) => (0, true),
        Err(e) => {
            eprintln!("error: {asker} {}: {}", path.display(), describe(&e));
            (1, false)
        }
    }
}

/// The chart of `kept` (if it has a render that its columns can make) as text to go under its
/// table, sized to the terminal; a chart that cannot be drawn is a warning.
pub(crate) fn text(kept: &Kept, color: bool) -> Option<String> {
    let render = kept.render.as_ref()?;
    match Chart::from_result(&kept.schema, &kept.batches, render) {
        Ok(chart) => Some(format!(
            "\n{}",
            kql_output::chart::terminal::to_text(&chart, crate::terminal::columns(), color)
        )),
        Err(why) => {
            eprintln!("warning: {why}");
            None
        }
    }
}

/// A standalone HTML page showing `svg`.
fn page(title: &str, svg: &str) -> String {
    let title = title
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <style>body{{font-family:sans-serif;margin:2em}}</style></head>\n<body>\n{svg}\n</body></html>\n"
    )
}

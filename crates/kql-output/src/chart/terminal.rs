//! A [`Chart`] drawn in the terminal, under the table: lines and areas in braille dots
//! (textplots), columns, bars and pie slices as bars of block characters, a card as its values.

use super::{Chart, XKind};
use kql_parser::ast::Visualization;
use textplots::{ColorPlot, LabelBuilder, LabelFormat, Plot, Shape};

/// The series colours, as in the SVG.
const PALETTE: [(u8, u8, u8); 6] = [
    (78, 121, 167),
    (242, 142, 43),
    (225, 87, 89),
    (118, 183, 178),
    (89, 161, 79),
    (237, 201, 72),
];

/// `chart` as text `columns` wide; with `color`, each series in its colour (ANSI).
pub fn to_text(chart: &Chart, columns: usize, color: bool) -> String {
    let mut out = String::new();
    if let Some(title) = &chart.title {
        out.push_str(title);
        out.push('\n');
    }
    match chart.kind {
        Visualization::Card => {
            for (name, value) in &chart.card {
                out.push_str(&format!("{name}: {value}\n"));
            }
        }
        Visualization::ColumnChart | Visualization::BarChart | Visualization::PieChart => {
            out.push_str(&bars(chart, columns, color));
        }
        _ => out.push_str(&lines(chart, columns, color)),
    }
    out
}

fn paint(text: &str, i: usize, color: bool) -> String {
    if !color {
        return text.to_owned();
    }
    let (r, g, b) = PALETTE[i % PALETTE.len()];
    format!("\x1b[38;2;{r};{g};{b}m{text}\x1b[0m")
}

/// One row per category and series: `label │████ value`, the longest bar the width left.
fn bars(chart: &Chart, columns: usize, color: bool) -> String {
    let labels: Vec<String> = chart
        .categories
        .iter()
        .map(|c| c.chars().take(28).collect())
        .collect();
    let label_width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let max = chart
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .fold(0.0f64, f64::max);
    let room = columns.saturating_sub(label_width + 14).max(10);
    let total: f64 = chart
        .series
        .first()
        .map_or(0.0, |s| s.points.iter().map(|p| p.1.max(0.0)).sum());
    let mut out = String::new();
    for (c, label) in labels.iter().enumerate() {
        for (i, s) in chart.series.iter().enumerate() {
            let value: f64 = s
                .points
                .iter()
                .filter(|p| p.0 as usize == c)
                .map(|p| p.1)
                .sum();
            let cells = if max > 0.0 {
                ((value.max(0.0) / max) * room as f64).round() as usize
            } else {
                0
            };
            let shown = if chart.kind == Visualization::PieChart && total > 0.0 {
                format!("{:.1}%", value * 100.0 / total)
            } else {
                kql_functions::convert::format_real(value)
            };
            let name = if i == 0 { label.as_str() } else { "" };
            out.push_str(&format!(
                "{name:>label_width$} │{} {shown}\n",
                paint(&"█".repeat(cells), i, color)
            ));
            if chart.kind == Visualization::PieChart {
                break;
            }
        }
    }
    out.push_str(&legend(chart, color));
    out
}

/// Lines (braille, 2 × 4 dots a character) over x, with the x axis's ends labelled.
fn lines(chart: &Chart, columns: usize, color: bool) -> String {
    let Some((lo, hi)) = chart
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .fold(None, |r: Option<(f64, f64)>, x| {
            Some(r.map_or((x, x), |(a, b)| (a.min(x), b.max(x))))
        })
    else {
        return "(no rows to draw)\n".to_owned();
    };
    // textplots works in f32: x as an offset from the first point keeps time's precision.
    let scale = if chart.x_kind == XKind::Time {
        (3600 * kql_common::time::TICKS_PER_SEC) as f64
    } else {
        1.0
    };
    let offsets: Vec<Vec<(f32, f32)>> = chart
        .series
        .iter()
        .map(|s| {
            s.points
                .iter()
                .map(|&(x, y)| (((x - lo) / scale) as f32, y as f32))
                .collect()
        })
        .collect();
    let shapes: Vec<Shape<'_>> = offsets.iter().map(|p| Shape::Lines(p)).collect();
    let width = (columns.saturating_sub(14).max(20) * 2) as u32;
    let span = (((hi - lo) / scale) as f32).max(1.0);
    let time = chart.x_kind == XKind::Time;
    let x_label = move |x: f32| {
        let at = lo + f64::from(x) * scale;
        if time {
            kql_common::time::format_datetime(at as i64)
                .get(..16)
                .unwrap_or("")
                .replace('T', " ")
        } else {
            kql_functions::convert::format_real(at)
        }
    };
    let mut plot = textplots::Chart::new(width, 60, 0.0, span);
    let mut plot = plot.x_label_format(LabelFormat::Custom(Box::new(x_label)));
    for (i, shape) in shapes.iter().enumerate() {
        plot = if color {
            let (r, g, b) = PALETTE[i % PALETTE.len()];
            plot.linecolorplot(shape, rgb::RGB8 { r, g, b })
        } else {
            plot.lineplot(shape)
        };
    }
    plot.axis();
    plot.figures();
    format!("{plot}{}", legend(chart, color))
}

fn legend(chart: &Chart, color: bool) -> String {
    if !chart.legend || chart.series.len() < 2 {
        return String::new();
    }
    let keys: Vec<String> = chart
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{} {}", paint("■", i, color), s.name))
        .collect();
    format!("{}\n", keys.join("   "))
}

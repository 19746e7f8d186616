//! A [`Chart`] as a standalone SVG (plotters' SVG backend): title, axes with their titles, a
//! dated time axis, a legend, and up to ten series in distinct colours; 800 × 450.

use super::{Chart, Stacking, XKind};
use chrono::{DateTime, Utc};
use kql_parser::ast::Visualization;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Width and height of a chart, in pixels.
pub const SIZE: (u32, u32) = (800, 450);

/// The series colours (Tableau 10: told apart by most people, printed or not).
const PALETTE: [RGBColor; 10] = [
    RGBColor(78, 121, 167),
    RGBColor(242, 142, 43),
    RGBColor(225, 87, 89),
    RGBColor(118, 183, 178),
    RGBColor(89, 161, 79),
    RGBColor(237, 201, 72),
    RGBColor(176, 122, 161),
    RGBColor(255, 157, 167),
    RGBColor(156, 117, 95),
    RGBColor(186, 176, 172),
];

fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

type Failed = Box<dyn std::error::Error>;

/// `chart` as SVG text.
pub fn to_svg(chart: &Chart) -> Result<String, String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, SIZE).into_drawing_area();
        draw(chart, &root).map_err(|e| format!("drawing the chart: {e}"))?;
        root.present()
            .map_err(|e| format!("drawing the chart: {e}"))?;
    }
    Ok(out)
}

fn draw(chart: &Chart, root: &DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), Failed> {
    root.fill(&WHITE)?;
    match chart.kind {
        Visualization::Card => card(chart, root),
        Visualization::PieChart => pie(chart, root),
        Visualization::ColumnChart | Visualization::BarChart => bars(chart, root),
        _ => match chart.x_kind {
            XKind::Time => lines_over_time(chart, root),
            _ => lines(chart, root),
        },
    }
}

/// The y range: `ymin`/`ymax`, else from zero (or the lowest value) to the highest, padded.
fn y_range(chart: &Chart, values: impl Iterator<Item = f64>) -> std::ops::Range<f64> {
    let (mut lo, mut hi) = (0.0f64, f64::MIN);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if hi == f64::MIN || hi <= lo {
        hi = lo + 1.0;
    }
    let lo = chart.ymin.unwrap_or(lo);
    let hi = chart.ymax.unwrap_or(hi + (hi - lo) * 0.05);
    lo..hi.max(lo + f64::EPSILON)
}

/// Each series' points, stacked as `chart.stacking` says (x values matched exactly).
fn stacked(chart: &Chart) -> Vec<Vec<(f64, f64)>> {
    use std::collections::HashMap;
    if chart.stacking == Stacking::None {
        return chart.series.iter().map(|s| s.points.clone()).collect();
    }
    // Each x's total (for shares) and the height reached so far, by the x value's bits.
    let mut totals: HashMap<u64, f64> = HashMap::new();
    if chart.stacking == Stacking::Stacked100 {
        for &(x, y) in chart.series.iter().flat_map(|s| &s.points) {
            *totals.entry(x.to_bits()).or_insert(0.0) += y;
        }
    }
    let mut below: HashMap<u64, f64> = HashMap::new();
    chart
        .series
        .iter()
        .map(|s| {
            s.points
                .iter()
                .map(|&(x, y)| {
                    let y = match totals.get(&x.to_bits()) {
                        Some(t) if *t != 0.0 => y * 100.0 / t,
                        _ => y,
                    };
                    let top = below.entry(x.to_bits()).or_insert(0.0);
                    *top += y;
                    (x, *top)
                })
                .collect()
        })
        .collect()
}

/// `label` cut to `max` characters (with an ellipsis), so long categories do not overlap.
fn short(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        return label.to_owned();
    }
    let mut cut: String = label.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// A value on an axis, as Kusto prints reals (`500`, not `500.0`).
fn number(v: &f64) -> String {
    kql_functions::convert::format_real(*v)
}

fn time_of(ticks: f64) -> DateTime<Utc> {
    let unix_ticks = ticks as i64 - kql_common::time::UNIX_EPOCH_TICKS;
    DateTime::from_timestamp(
        unix_ticks.div_euclid(10_000_000),
        (unix_ticks.rem_euclid(10_000_000) * 100) as u32,
    )
    .unwrap_or_default()
}

/// The x extent of `series` and the y range to show.
fn extent(chart: &Chart, series: &[Vec<(f64, f64)>]) -> ((f64, f64), std::ops::Range<f64>) {
    let (lo, hi) = series
        .iter()
        .flatten()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let x = if lo > hi {
        (0.0, 1.0)
    } else {
        (lo, hi.max(lo + 1.0))
    };
    (x, y_range(chart, series.iter().flatten().map(|p| p.1)))
}

/// The title and the room for axis labels of a chart with axes.
fn frame<'a, 'b>(
    chart: &Chart,
    root: &'a DrawingArea<SVGBackend<'b>, Shift>,
) -> ChartBuilder<'a, 'b, SVGBackend<'b>> {
    let mut b = ChartBuilder::on(root);
    b.caption(chart.title.as_deref().unwrap_or(""), ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(64);
    b
}

fn lines_over_time(chart: &Chart, root: &DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), Failed> {
    let series = stacked(chart);
    let ((lo, hi), y) = extent(chart, &series);
    let mut c = frame(chart, root).build_cartesian_2d(time_of(lo)..time_of(hi), y.clone())?;
    // Dates as the span needs them: days over a week, hours within a day.
    let span_days = (hi - lo) / kql_common::time::TICKS_PER_DAY as f64;
    let pattern = if span_days > 3.0 {
        "%b %d"
    } else if span_days > 1.0 {
        "%b %d %H:%M"
    } else {
        "%H:%M"
    };
    let date = |d: &DateTime<Utc>| d.format(pattern).to_string();
    c.configure_mesh()
        .x_desc(chart.xtitle.as_str())
        .y_desc(chart.ytitle.as_str())
        .x_labels(8)
        .x_label_formatter(&date)
        .y_label_formatter(&number)
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    let area = matches!(
        chart.kind,
        Visualization::AreaChart | Visualization::StackedAreaChart
    );
    for (i, (s, points)) in chart.series.iter().zip(&series).enumerate() {
        let colour = colour(i);
        let points = points.iter().map(|&(x, y)| (time_of(x), y));
        let drawn = if area {
            c.draw_series(AreaSeries::new(points, y.start, colour.mix(0.35)).border_style(colour))?
        } else if chart.kind == Visualization::ScatterChart {
            c.draw_series(points.map(|p| Circle::new(p, 3, colour.filled())))?
        } else {
            c.draw_series(LineSeries::new(points, colour.stroke_width(2)))?
        };
        drawn
            .label(s.name.as_str())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], colour.filled()));
    }
    legend(chart, &mut c)
}

fn lines(chart: &Chart, root: &DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), Failed> {
    let series = stacked(chart);
    let ((lo, hi), y) = extent(chart, &series);
    let mut c = frame(chart, root).build_cartesian_2d(lo..hi, y.clone())?;
    let categories = &chart.categories;
    let label = |x: &f64| {
        if chart.x_kind == XKind::Category {
            short(categories.get(*x as usize).map_or("", |c| c.as_str()), 24)
        } else {
            kql_functions::convert::format_real(*x)
        }
    };
    c.configure_mesh()
        .x_desc(chart.xtitle.as_str())
        .y_desc(chart.ytitle.as_str())
        .x_label_formatter(&label)
        .y_label_formatter(&number)
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    for (i, (s, points)) in chart.series.iter().zip(&series).enumerate() {
        let colour = colour(i);
        let points = points.iter().copied();
        let drawn = match chart.kind {
            Visualization::AreaChart | Visualization::StackedAreaChart => c.draw_series(
                AreaSeries::new(points, y.start, colour.mix(0.35)).border_style(colour),
            )?,
            Visualization::ScatterChart => {
                c.draw_series(points.map(|p| Circle::new(p, 3, colour.filled())))?
            }
            _ => c.draw_series(LineSeries::new(points, colour.stroke_width(2)))?,
        };
        drawn
            .label(s.name.as_str())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], colour.filled()));
    }
    legend(chart, &mut c)
}

fn legend<'a, DB: DrawingBackend + 'a, CT: plotters::coord::CoordTranslate>(
    chart: &Chart,
    c: &mut ChartContext<'a, DB, CT>,
) -> Result<(), Failed>
where
    DB::ErrorType: 'static,
{
    if chart.legend && chart.series.len() > 1 {
        c.configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .position(SeriesLabelPosition::UpperRight)
            .draw()?;
    }
    Ok(())
}

/// Column charts (vertical bars) and bar charts (horizontal): one group per category, one bar
/// per series in it, side by side (or on top of each other when stacked).
fn bars(chart: &Chart, root: &DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), Failed> {
    let n = chart.categories.len().max(1);
    let series = stacked(chart);
    let y = y_range(chart, series.iter().flatten().map(|p| p.1));
    let groups = if chart.stacking == Stacking::None {
        chart.series.len().max(1)
    } else {
        1
    };
    let horizontal = chart.kind == Visualization::BarChart;
    let categories = &chart.categories;
    // Room for each label: the plot's width shared out (columns), or a fixed margin (bars).
    let room = if horizontal { 28 } else { (110 / n).max(6) };
    let label = |x: &f64| {
        let i = x.floor();
        if (x - i - 0.5).abs() < 1e-9 {
            short(categories.get(i as usize).map_or("", |c| c.as_str()), room)
        } else {
            String::new()
        }
    };
    let builder = |root| {
        let mut b = ChartBuilder::on(root);
        b.caption(chart.title.as_deref().unwrap_or(""), ("sans-serif", 22))
            .margin(16)
            .x_label_area_size(if horizontal { 44 } else { 60 })
            .y_label_area_size(if horizontal { 170 } else { 64 });
        b
    };
    let bar = |i: usize, s: usize, lo: f64, hi: f64| {
        let slot = 0.8 / groups as f64;
        let left = i as f64 + 0.1 + slot * s as f64;
        (left, left + slot * 0.9, lo, hi)
    };
    // Bars are drawn from the top of the one below when stacked.
    let mut drawn: Vec<Vec<(usize, f64, f64)>> = Vec::new();
    for points in &series {
        let mut bars = Vec::new();
        for &(x, top) in points {
            let i = x as usize;
            let lo = if chart.stacking == Stacking::None {
                0.0f64.max(y.start)
            } else {
                drawn
                    .iter()
                    .flatten()
                    .filter(|(j, ..)| *j == i)
                    .map(|(.., hi)| *hi)
                    .fold(0.0, f64::max)
            };
            bars.push((i, lo, top));
        }
        drawn.push(bars);
    }
    // Bars lie along x (columns) or y (bars): the same rectangles with the axes swapped.
    let mut c = if horizontal {
        let mut c = builder(root).build_cartesian_2d(y.clone(), 0.0..n as f64)?;
        c.configure_mesh()
            .x_desc(chart.ytitle.as_str())
            .y_desc(chart.xtitle.as_str())
            .y_labels(n * 2 + 1)
            .y_label_formatter(&label)
            .x_label_formatter(&number)
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        c
    } else {
        let mut c = builder(root).build_cartesian_2d(0.0..n as f64, y.clone())?;
        c.configure_mesh()
            .x_desc(chart.xtitle.as_str())
            .y_desc(chart.ytitle.as_str())
            .x_labels(n * 2 + 1)
            .x_label_formatter(&label)
            .y_label_formatter(&number)
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        c
    };
    for (s, bars) in drawn.iter().enumerate() {
        let colour = colour(s);
        let slot = if chart.stacking == Stacking::None {
            s
        } else {
            0
        };
        c.draw_series(bars.iter().map(|&(i, lo, hi)| {
            let (a, b, lo, hi) = bar(i, slot, lo, hi);
            let corners = if horizontal {
                [(lo, a), (hi, b)]
            } else {
                [(a, lo), (b, hi)]
            };
            Rectangle::new(corners, colour.filled())
        }))?
        .label(chart.series[s].name.as_str())
        .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], colour.filled()));
    }
    legend(chart, &mut c)
}

/// One slice per category (the first series' values), labelled with the category.
fn pie(chart: &Chart, root: &DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), Failed> {
    let area = root.titled(chart.title.as_deref().unwrap_or(""), ("sans-serif", 22))?;
    let (w, h) = area.dim_in_pixel();
    let center = (w as i32 / 2, h as i32 / 2);
    let radius = f64::from(w.min(h)) * 0.38;
    let Some(first) = chart.series.first() else {
        return Ok(());
    };
    let mut sizes = vec![0.0; chart.categories.len()];
    for &(x, y) in &first.points {
        if let Some(s) = sizes.get_mut(x as usize) {
            *s += y.max(0.0);
        }
    }
    let colours: Vec<RGBColor> = (0..sizes.len()).map(colour).collect();
    let labels: Vec<String> = chart.categories.clone();
    let mut pie = Pie::new(&center, &radius, &sizes, &colours, &labels);
    pie.label_style(("sans-serif", 14).into_font());
    pie.percentages(("sans-serif", 12).into_font().color(&WHITE));
    area.draw(&pie)?;
    Ok(())
}

/// The first row's values, large, each under its column's name.
fn card(chart: &Chart, root: &DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), Failed> {
    let area = root.titled(chart.title.as_deref().unwrap_or(""), ("sans-serif", 22))?;
    let (w, h) = area.dim_in_pixel();
    let n = chart.card.len().max(1) as i32;
    let step = w as i32 / n;
    for (i, (name, value)) in chart.card.iter().enumerate() {
        let x = step * i as i32 + step / 2;
        // As large as fits the card's share of the width.
        let size = (f64::from(step) * 1.7 / value.chars().count().max(1) as f64).clamp(12.0, 48.0);
        let centre = ("sans-serif", size).into_font().color(&BLACK).pos(
            plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Center,
                plotters::style::text_anchor::VPos::Center,
            ),
        );
        area.draw_text(value, &centre, (x, h as i32 / 2))?;
        let small = ("sans-serif", 16).into_font().color(&BLACK.mix(0.6)).pos(
            plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Center,
                plotters::style::text_anchor::VPos::Center,
            ),
        );
        area.draw_text(name, &small, (x, h as i32 / 2 + 44))?;
    }
    Ok(())
}

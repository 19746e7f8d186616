//! Charts for `render`: which columns become the axes and series (the reference's data model),
//! each kind's SVG as a snapshot, and an SVG rasterized to check it draws.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use datafusion_common::arrow::array::{ArrayRef, Float64Array, Int64Array, StringArray};
use datafusion_common::arrow::record_batch::RecordBatch;
use kql_functions::{KqlSchema, KqlType};
use kql_output::chart::{Chart, Stacking, XKind, png, svg};
use kql_parser::ast::Visualization;
use kql_planner::RenderSpec;
use std::sync::Arc;

const HOUR: i64 = 36_000_000_000;
/// 2026-11-24T00:00:00Z in ticks.
const DAY: i64 = 639_310_752_000_000_000;

/// A result: its schema and rows.
type Rows = (KqlSchema, Vec<RecordBatch>);

/// Hourly failures of two apps over six hours: (TimeGenerated, App, Failures).
fn hourly() -> Rows {
    let schema = KqlSchema::new(
        [
            ("TimeGenerated", KqlType::DateTime),
            ("App", KqlType::String),
            ("Failures", KqlType::Long),
        ]
        .map(|(n, t)| (n.to_owned(), t)),
    );
    let mut times = Vec::new();
    let mut apps = Vec::new();
    let mut counts = Vec::new();
    for h in 0..6 {
        for (app, base) in [("ServiceNow", 3), ("Workday", 1)] {
            times.push(DAY + h * HOUR);
            apps.push(app);
            counts.push(base + h * h % 7);
        }
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from(times)),
        Arc::new(StringArray::from(apps)),
        Arc::new(Int64Array::from(counts)),
    ];
    let batch = RecordBatch::try_new(schema.to_arrow(), columns).unwrap();
    (schema, vec![batch])
}

/// Failures by error code: (ErrorCode, Failures, Share).
fn by_code() -> Rows {
    let schema = KqlSchema::new(
        [
            ("ErrorCode", KqlType::String),
            ("Failures", KqlType::Long),
            ("Share", KqlType::Real),
        ]
        .map(|(n, t)| (n.to_owned(), t)),
    );
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(vec![
            "SalesforceDuplicateUserName",
            "SystemForCrossDomainIdentityManagementBadRequest",
            "AzureActiveDirectoryCannotUpdateObjectsOriginatedInExternalService",
        ])),
        Arc::new(Int64Array::from(vec![120, 45, 12])),
        Arc::new(Float64Array::from(vec![0.68, 0.25, 0.07])),
    ];
    let batch = RecordBatch::try_new(schema.to_arrow(), columns).unwrap();
    (schema, vec![batch])
}

fn spec(kind: Visualization, properties: &[(&str, &str)]) -> RenderSpec {
    RenderSpec {
        visualization: kind,
        properties: properties
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    }
}

fn chart(data: &Rows, spec: &RenderSpec) -> Chart {
    Chart::from_result(&data.0, &data.1, spec).unwrap()
}

#[test]
fn a_time_chart_splits_series_by_the_first_text_column() {
    let c = chart(&hourly(), &spec(Visualization::TimeChart, &[]));
    assert_eq!(c.x_kind, XKind::Time);
    assert_eq!(c.xtitle, "TimeGenerated");
    assert_eq!(c.ytitle, "Failures");
    let names: Vec<&str> = c.series.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["ServiceNow", "Workday"]);
    assert_eq!(c.series[0].points.len(), 6);
    assert_eq!(c.series[0].points[1], ((DAY + HOUR) as f64, 4.0));
}

#[test]
fn properties_choose_the_columns_and_accumulate() {
    let data = by_code();
    let c = chart(
        &data,
        &spec(
            Visualization::ColumnChart,
            &[
                ("ycolumns", "Failures"),
                ("title", "Errors"),
                ("legend", "hidden"),
            ],
        ),
    );
    assert_eq!(c.x_kind, XKind::Category);
    assert_eq!(c.categories.len(), 3);
    assert_eq!(c.series.len(), 1);
    assert_eq!(c.series[0].name, "Failures");
    assert!(!c.legend);
    assert_eq!(c.title.as_deref(), Some("Errors"));
    let both = chart(&data, &spec(Visualization::ColumnChart, &[]));
    assert_eq!(both.series.len(), 2, "every numeric column is a y axis");
    let summed = chart(
        &hourly(),
        &spec(Visualization::TimeChart, &[("accumulate", "true")]),
    );
    let last = summed.series[1].points.last().unwrap().1;
    let total: i64 = (0..6).map(|h| 1 + h * h % 7).sum();
    assert_eq!(last, total as f64);
    let stacked = chart(
        &hourly(),
        &spec(Visualization::AreaChart, &[("kind", "stacked")]),
    );
    assert_eq!(stacked.stacking, Stacking::Stacked);
}

#[test]
fn a_time_chart_without_a_datetime_says_what_to_do() {
    let e = Chart::from_result(
        &by_code().0,
        &by_code().1,
        &spec(Visualization::TimeChart, &[]),
    )
    .unwrap_err();
    assert!(e.contains("not a datetime"), "{e}");
    let e = Chart::from_result(
        &hourly().0,
        &hourly().1,
        &spec(Visualization::TimeChart, &[("ycolumns", "Nope")]),
    )
    .unwrap_err();
    assert!(e.contains("no column `Nope`"), "{e}");
}

#[test]
fn every_kind_draws_as_svg() {
    let time = hourly();
    let codes = by_code();
    let cases: [(&str, &Rows, RenderSpec); 9] = [
        (
            "timechart",
            &time,
            spec(Visualization::TimeChart, &[("title", "Failures per hour")]),
        ),
        (
            "linechart",
            &time,
            spec(Visualization::LineChart, &[("ytitle", "count")]),
        ),
        ("areachart", &time, spec(Visualization::AreaChart, &[])),
        (
            "stackedareachart",
            &time,
            spec(Visualization::StackedAreaChart, &[]),
        ),
        (
            "scatterchart",
            &time,
            spec(Visualization::ScatterChart, &[]),
        ),
        (
            "columnchart",
            &codes,
            spec(Visualization::ColumnChart, &[("ycolumns", "Failures")]),
        ),
        (
            "barchart",
            &codes,
            spec(Visualization::BarChart, &[("ycolumns", "Failures")]),
        ),
        (
            "piechart",
            &codes,
            spec(Visualization::PieChart, &[("title", "Errors")]),
        ),
        ("card", &codes, spec(Visualization::Card, &[])),
    ];
    for (name, data, spec) in cases {
        let drawn = svg::to_svg(&chart(data, &spec)).unwrap();
        insta::assert_snapshot!(name, drawn);
    }
}

/// The SVG is rasterized (resvg, no fonts: shapes only) and the series' colours are on it.
#[test]
fn a_time_chart_rasterizes_with_its_lines_in_their_colours() {
    let drawn = svg::to_svg(&chart(&hourly(), &spec(Visualization::TimeChart, &[]))).unwrap();
    let tree = resvg::usvg::Tree::from_str(&drawn, &resvg::usvg::Options::default()).unwrap();
    let (w, h) = svg::SIZE;
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w, h).unwrap();
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::default(),
        &mut pixmap.as_mut(),
    );
    let near = |rgb: (u8, u8, u8)| {
        pixmap
            .pixels()
            .iter()
            .filter(|p| {
                p.red().abs_diff(rgb.0) < 16
                    && p.green().abs_diff(rgb.1) < 16
                    && p.blue().abs_diff(rgb.2) < 16
            })
            .count()
    };
    let white = near((255, 255, 255));
    assert!(white > (w * h / 2) as usize, "a white canvas: {white}");
    // Both series' lines (and legend keys): the first two colours of the palette.
    assert!(near((78, 121, 167)) > 300, "{}", near((78, 121, 167)));
    assert!(near((242, 142, 43)) > 300, "{}", near((242, 142, 43)));
}

/// Dark pixels in the band of rows `rows` of a PNG: text, axes and lines are dark, the canvas white.
fn dark_pixels(png: &[u8], rows: std::ops::Range<u32>) -> usize {
    let pixmap = resvg::tiny_skia::Pixmap::decode_png(png).unwrap();
    let w = pixmap.width();
    pixmap
        .pixels()
        .iter()
        .enumerate()
        .filter(|(i, p)| rows.contains(&(*i as u32 / w)) && p.red() < 96 && p.green() < 96)
        .count()
}

/// The PNG is the SVG at twice its size, with its text set in the bundled font: the title
/// band is empty without a title and inked with one, whatever fonts the machine has.
#[test]
fn a_png_chart_has_its_text() {
    let untitled =
        png::to_png(&svg::to_svg(&chart(&hourly(), &spec(Visualization::TimeChart, &[]))).unwrap())
            .unwrap();
    let titled = png::to_png(
        &svg::to_svg(&chart(
            &hourly(),
            &spec(Visualization::TimeChart, &[("title", "Failures per hour")]),
        ))
        .unwrap(),
    )
    .unwrap();
    assert_eq!(&titled[1..4], b"PNG");
    let pixmap = resvg::tiny_skia::Pixmap::decode_png(&titled).unwrap();
    let (w, h) = svg::SIZE;
    assert_eq!((pixmap.width(), pixmap.height()), (2 * w, 2 * h));
    let title_band = 0..70;
    assert_eq!(dark_pixels(&untitled, title_band.clone()), 0);
    let inked = dark_pixels(&titled, title_band);
    assert!(inked > 500, "the title's glyphs: {inked} dark pixels");
    // The axis labels (dates, counts) are text too: the bottom band has ink.
    assert!(dark_pixels(&titled, 2 * h - 120..2 * h) > 500);
}

#[test]
fn charts_draw_in_the_terminal() {
    use kql_output::chart::terminal::to_text;
    let time = chart(
        &hourly(),
        &spec(Visualization::TimeChart, &[("title", "Failures per hour")]),
    );
    insta::assert_snapshot!("terminal_timechart", to_text(&time, 80, false));
    let columns = chart(
        &by_code(),
        &spec(Visualization::ColumnChart, &[("ycolumns", "Failures")]),
    );
    insta::assert_snapshot!("terminal_columnchart", to_text(&columns, 80, false));
    let pie = chart(&by_code(), &spec(Visualization::PieChart, &[]));
    let text = to_text(&pie, 80, false);
    assert!(text.contains("67.8%"), "{text}");
    let coloured = to_text(&time, 80, true);
    assert!(
        coloured.contains("\x1b[38;2;78;121;167m"),
        "the first series' colour"
    );
}

#[test]
fn a_column_chart_over_time_has_a_column_per_datetime() {
    let c = chart(&hourly(), &spec(Visualization::ColumnChart, &[]));
    assert_eq!(c.x_kind, XKind::Category);
    assert_eq!(c.categories.len(), 6);
    assert_eq!(c.categories[1], "2026-11-24T01:00:00Z");
    assert_eq!(c.series.len(), 2, "split by App");
}

#[test]
fn decimals_are_numbers_and_too_many_series_are_refused() {
    use datafusion_common::arrow::array::Decimal128Array;
    let schema = KqlSchema::new(
        [("Code", KqlType::String), ("Total", KqlType::Decimal)].map(|(n, t)| (n.to_owned(), t)),
    );
    let totals =
        Decimal128Array::from(vec![1_500_000_000_000_000_000i128, 250_000_000_000_000_000])
            .with_precision_and_scale(38, 18)
            .unwrap();
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(vec!["a", "b"])),
        Arc::new(totals),
    ];
    let batch = RecordBatch::try_new(schema.to_arrow(), columns).unwrap();
    let c = chart(
        &(schema, vec![batch]),
        &spec(Visualization::ColumnChart, &[]),
    );
    assert_eq!(c.series[0].points, [(0.0, 1.5), (1.0, 0.25)]);

    // One series per row (a text column taken for the series): refused, not drawn for ever.
    let schema = KqlSchema::new(
        [
            ("TimeGenerated", KqlType::DateTime),
            ("Id", KqlType::String),
            ("DurationMs", KqlType::Long),
        ]
        .map(|(n, t)| (n.to_owned(), t)),
    );
    let n = 100;
    let ids: Vec<String> = (0..n).map(|i| format!("id-{i}")).collect();
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from(
            (0..n).map(|i| DAY + i * HOUR).collect::<Vec<_>>(),
        )),
        Arc::new(StringArray::from(ids)),
        Arc::new(Int64Array::from(vec![5; n as usize])),
    ];
    let batch = RecordBatch::try_new(schema.to_arrow(), columns).unwrap();
    let e =
        Chart::from_result(&schema, &[batch], &spec(Visualization::TimeChart, &[])).unwrap_err();
    assert!(
        e.contains("more than 64 series") && e.contains("`Id`"),
        "{e}"
    );
}

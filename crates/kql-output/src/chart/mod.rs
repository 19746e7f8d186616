//! Charts for `render`: what the result's columns mean ([`Chart::from_result`], following the
//! `render` reference's data model), drawn as SVG ([`svg`]).
//!
//! The x axis is `xcolumn`, or the first column; the series are the distinct combined values of
//! the `series` columns, or of the first text column after the x axis; the y axes are
//! `ycolumns`, or every other numeric column. <https://learn.microsoft.com/kusto/query/render-operator>

pub mod png;
pub mod svg;
pub mod terminal;

use datafusion_common::arrow::array::{Array, ArrayRef, AsArray};
use datafusion_common::arrow::datatypes::{
    DataType, Decimal128Type, Float64Type, Int32Type, Int64Type,
};
use datafusion_common::arrow::record_batch::RecordBatch;
use kql_functions::{KqlSchema, KqlType};
use kql_parser::ast::{ClosedSet, Visualization};
use kql_planner::RenderSpec;
use std::collections::HashMap;

/// The most series a chart draws: a legend of more is no longer read (and a text column taken
/// for the series by mistake, one per row, is better refused than drawn).
const MAX_SERIES: usize = 64;

/// The most categories (columns, bars, slices) a chart draws.
const MAX_CATEGORIES: usize = 1_000;

/// What the x axis holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XKind {
    /// Datetimes, in ticks.
    Time,
    /// Numbers.
    Number,
    /// Text (or anything else), one category per distinct value in order of appearance.
    Category,
}

/// How series share the y axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stacking {
    /// Each series from zero.
    None,
    /// Each series on top of the ones before.
    Stacked,
    /// Stacked, as shares of each x's total.
    Stacked100,
}

/// One line, area, set of bars or slices.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Its name in the legend.
    pub name: String,
    /// (x, y): x is ticks for time, the value for numbers, the category's index for categories.
    pub points: Vec<(f64, f64)>,
}

/// A chart, ready to draw.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    /// The visualization `render` asked for.
    pub kind: Visualization,
    /// `title`.
    pub title: Option<String>,
    /// `xtitle`, or the x column's name.
    pub xtitle: String,
    /// `ytitle`, or the y column's name when there is one.
    pub ytitle: String,
    /// Whether to draw the legend (`legend=hidden` hides it).
    pub legend: bool,
    /// `ymin`, `ymax`.
    pub ymin: Option<f64>,
    /// `ymax`.
    pub ymax: Option<f64>,
    /// `kind=stacked` and friends (`stackedareachart` is stacked).
    pub stacking: Stacking,
    /// What the x axis holds.
    pub x_kind: XKind,
    /// The categories, for [`XKind::Category`].
    pub categories: Vec<String>,
    /// The series.
    pub series: Vec<Series>,
    /// For a card: the first row, as (column, value) text.
    pub card: Vec<(String, String)>,
}

/// A cell as a chart reads it.
#[derive(Clone, Debug, PartialEq)]
enum Cell {
    Number(f64),
    Text(String),
    Null,
}

fn cell(a: &ArrayRef, row: usize, ty: KqlType) -> Cell {
    if a.is_null(row) {
        return Cell::Null;
    }
    match a.data_type() {
        // Datetimes and timespans are ticks: numbers on their axes.
        DataType::Int64 => Cell::Number(a.as_primitive::<Int64Type>().value(row) as f64),
        DataType::Int32 => Cell::Number(f64::from(a.as_primitive::<Int32Type>().value(row))),
        DataType::Float64 => Cell::Number(a.as_primitive::<Float64Type>().value(row)),
        DataType::Decimal128(_, scale) => Cell::Number(
            a.as_primitive::<Decimal128Type>().value(row) as f64 / 10f64.powi(i32::from(*scale)),
        ),
        _ => Cell::Text(kql_functions::value::text_value(a, row, ty).unwrap_or_default()),
    }
}

/// A cell as a label: a category, a series name, a card's value.
fn text(c: &Cell) -> String {
    match c {
        Cell::Number(v) => kql_functions::convert::format_real(*v),
        Cell::Text(t) => t.clone(),
        Cell::Null => String::new(),
    }
}

fn is_numeric(ty: KqlType) -> bool {
    matches!(
        ty,
        KqlType::Int | KqlType::Long | KqlType::Real | KqlType::Decimal | KqlType::Timespan
    )
}

/// The property `name` of `spec`.
fn property<'a>(spec: &'a RenderSpec, name: &str) -> Option<&'a str> {
    spec.properties
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim().trim_matches(|c| c == '"' || c == '\''))
}

/// Column names of a comma-separated property (`ycolumns=a, b`).
fn column_list(spec: &RenderSpec, name: &str) -> Option<Vec<String>> {
    property(spec, name).map(|v| {
        v.split(',')
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
            .collect()
    })
}

impl Chart {
    /// The chart `spec` asks for over the rows of `schema` in `batches`; the error says why the
    /// columns cannot make it (a time chart without a datetime, no numeric column, ...).
    pub fn from_result(
        schema: &KqlSchema,
        batches: &[RecordBatch],
        spec: &RenderSpec,
    ) -> Result<Chart, String> {
        let kind = spec.visualization;
        let index = |name: &str| {
            schema
                .fields
                .iter()
                .position(|f| f.name == name)
                .ok_or_else(|| format!("render: the result has no column `{name}`"))
        };
        if schema.fields.is_empty() {
            return Err("render: the result has no columns".to_owned());
        }
        let rows: Vec<Vec<Cell>> = batches
            .iter()
            .flat_map(|b| {
                (0..b.num_rows()).map(move |r| {
                    schema
                        .fields
                        .iter()
                        .enumerate()
                        .map(|(i, f)| cell(b.column(i), r, f.ty))
                        .collect()
                })
            })
            .collect();
        let mut chart = Chart {
            kind,
            title: property(spec, "title").map(str::to_owned),
            xtitle: String::new(),
            ytitle: property(spec, "ytitle").unwrap_or("").to_owned(),
            legend: property(spec, "legend").is_none_or(|v| !v.eq_ignore_ascii_case("hidden")),
            ymin: property(spec, "ymin").and_then(|v| v.parse().ok()),
            ymax: property(spec, "ymax").and_then(|v| v.parse().ok()),
            stacking: match (kind, property(spec, "kind")) {
                (_, Some(k)) if k.eq_ignore_ascii_case("stacked") => Stacking::Stacked,
                (Visualization::StackedAreaChart, _) => Stacking::Stacked,
                (_, Some(k)) if k.eq_ignore_ascii_case("stacked100") => Stacking::Stacked100,
                _ => Stacking::None,
            },
            x_kind: XKind::Category,
            categories: Vec::new(),
            series: Vec::new(),
            card: Vec::new(),
        };
        if kind == Visualization::Card {
            if let Some(first) = rows.first() {
                chart.card = schema
                    .fields
                    .iter()
                    .zip(first)
                    .map(|(f, c)| (f.name.clone(), text(c)))
                    .collect();
            }
            return Ok(chart);
        }
        let x = match property(spec, "xcolumn") {
            Some(name) => index(name)?,
            None => 0,
        };
        let x_field = &schema.fields[x];
        chart.xtitle = property(spec, "xtitle").unwrap_or(&x_field.name).to_owned();
        // Columns, bars and slices are categories whatever the x column holds.
        let categorical = matches!(
            kind,
            Visualization::ColumnChart | Visualization::BarChart | Visualization::PieChart
        );
        chart.x_kind = match x_field.ty {
            _ if categorical => XKind::Category,
            KqlType::DateTime => XKind::Time,
            t if is_numeric(t) => XKind::Number,
            _ => XKind::Category,
        };
        if kind == Visualization::TimeChart && chart.x_kind != XKind::Time {
            return Err(format!(
                "render timechart: the x axis `{}` is a {}, not a datetime (put the time column first, or name it with xcolumn=)",
                x_field.name,
                x_field.ty.name()
            ));
        }
        let series_cols: Vec<usize> = match column_list(spec, "series") {
            Some(names) => names.iter().map(|n| index(n)).collect::<Result<_, _>>()?,
            None => schema
                .fields
                .iter()
                .enumerate()
                .find(|(i, f)| *i != x && !is_numeric(f.ty) && f.ty != KqlType::DateTime)
                .map(|(i, _)| i)
                .into_iter()
                .collect(),
        };
        let y_cols: Vec<usize> = match column_list(spec, "ycolumns") {
            Some(names) => names.iter().map(|n| index(n)).collect::<Result<_, _>>()?,
            None => schema
                .fields
                .iter()
                .enumerate()
                .filter(|(i, f)| *i != x && !series_cols.contains(i) && is_numeric(f.ty))
                .map(|(i, _)| i)
                .collect(),
        };
        if y_cols.is_empty() {
            return Err(format!(
                "render {}: the result has no numeric column to draw",
                kind.as_str()
            ));
        }
        if chart.ytitle.is_empty() && y_cols.len() == 1 {
            chart.ytitle = schema.fields[y_cols[0]].name.clone();
        }
        // Where each category and series is, so that a row finds its own in constant time.
        let mut category_at: HashMap<String, usize> = HashMap::new();
        let mut series_at: HashMap<String, usize> = HashMap::new();
        for row in &rows {
            let xv = match (&row[x], chart.x_kind) {
                (Cell::Number(v), XKind::Time | XKind::Number) => *v,
                (Cell::Null, XKind::Time | XKind::Number) => continue,
                (c, _) => {
                    let label = match (c, x_field.ty) {
                        (Cell::Number(t), KqlType::DateTime) => {
                            kql_common::time::format_datetime(*t as i64)
                        }
                        _ => text(c),
                    };
                    let next = chart.categories.len();
                    let at = *category_at.entry(label.clone()).or_insert(next);
                    if at == next {
                        if next == MAX_CATEGORIES {
                            return Err(format!(
                                "render {}: more than {MAX_CATEGORIES} values of `{}` to draw; summarize or take fewer first",
                                kind.as_str(),
                                x_field.name
                            ));
                        }
                        chart.categories.push(label);
                    }
                    at as f64
                }
            };
            let key: Vec<String> = series_cols.iter().map(|c| text(&row[*c])).collect();
            let key = key.join(", ");
            for y in &y_cols {
                let Cell::Number(yv) = row[*y] else {
                    continue;
                };
                let column = &schema.fields[*y].name;
                let name = match (key.is_empty(), y_cols.len()) {
                    (true, _) => column.clone(),
                    (false, 1) => key.clone(),
                    (false, _) => format!("{key}:{column}"),
                };
                let next = chart.series.len();
                let at = *series_at.entry(name.clone()).or_insert(next);
                if at == next {
                    if next == MAX_SERIES {
                        return Err(format!(
                            "render {}: more than {MAX_SERIES} series to draw (one per value of {}); name fewer with series= or project the others away",
                            kind.as_str(),
                            series_cols
                                .iter()
                                .map(|c| format!("`{}`", schema.fields[*c].name))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ));
                    }
                    chart.series.push(Series {
                        name,
                        points: Vec::new(),
                    });
                }
                chart.series[at].points.push((xv, yv));
            }
        }
        if chart.x_kind != XKind::Category {
            for s in &mut chart.series {
                s.points.sort_by(|a, b| a.0.total_cmp(&b.0));
            }
        }
        if property(spec, "accumulate").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
            for s in &mut chart.series {
                let mut sum = 0.0;
                for p in &mut s.points {
                    sum += p.1;
                    p.1 = sum;
                }
            }
        }
        Ok(chart)
    }
}

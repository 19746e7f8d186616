//! The `render` operator's result: a visualization spec kept beside the rows (it changes none).
//! <https://learn.microsoft.com/kusto/query/render-operator>

/// A chart request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderSpec {
    /// The visualization (`timechart`, `columnchart`, ...).
    pub visualization: String,
    /// Properties in source order (`title`, `kind`, `xcolumn`, ...), values as text.
    pub properties: Vec<(String, String)>,
}

/// Visualizations Kusto defines.
pub const VISUALIZATIONS: &[&str] = &[
    "anomalychart",
    "areachart",
    "barchart",
    "card",
    "columnchart",
    "ladderchart",
    "linechart",
    "piechart",
    "pivotchart",
    "scatterchart",
    "stackedareachart",
    "table",
    "timechart",
    "timepivot",
    "treemap",
];

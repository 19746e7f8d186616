//! The `render` operator's closed sets: visualizations, property names and the values of
//! `kind`, `legend`, `xaxis`/`yaxis` and `ysplit`. Kusto matches them case-sensitively.
//! <https://learn.microsoft.com/kusto/query/render-operator>

use super::options::closed_set;

closed_set!(
    /// The chart `render` asks for.
    Visualization, "a visualization", any_case = false, {
        AnomalyChart = "anomalychart",
        AreaChart = "areachart",
        BarChart = "barchart",
        Card = "card",
        ColumnChart = "columnchart",
        LadderChart = "ladderchart",
        LineChart = "linechart",
        PieChart = "piechart",
        PivotChart = "pivotchart",
        ScatterChart = "scatterchart",
        StackedAreaChart = "stackedareachart",
        Table = "table",
        TimeChart = "timechart",
        TimePivot = "timepivot",
        TreeMap = "treemap",
    }
);

closed_set!(
    /// The properties `render` takes, in `with (...)` or (legacy) after the visualization.
    RenderProperty, "a render property", any_case = false, {
        Accumulate = "accumulate",
        Kind = "kind",
        Legend = "legend",
        Series = "series",
        YMin = "ymin",
        YMax = "ymax",
        Title = "title",
        XAxis = "xaxis",
        XColumn = "xcolumn",
        XTitle = "xtitle",
        YAxis = "yaxis",
        YColumns = "ycolumns",
        YSplit = "ysplit",
        YTitle = "ytitle",
        AnomalyColumns = "anomalycolumns",
    }
);

closed_set!(
    /// `kind=`: a further elaboration of the visualization.
    RenderKind, "a render kind", any_case = false, {
        Default = "default",
        Unstacked = "unstacked",
        Stacked = "stacked",
        Stacked100 = "stacked100",
        Map = "map",
    }
);

closed_set!(
    /// `legend=`.
    Legend, "`visible` or `hidden`", any_case = false, {
        Visible = "visible",
        Hidden = "hidden",
    }
);

closed_set!(
    /// `xaxis=` / `yaxis=`: how an axis is scaled.
    AxisScale, "`linear` or `log`", any_case = false, {
        Linear = "linear",
        Log = "log",
    }
);

closed_set!(
    /// `ysplit=`: how the y-axis values are split.
    YSplit, "`none`, `axes` or `panels`", any_case = false, {
        None = "none",
        Axes = "axes",
        Panels = "panels",
    }
);

//! The `render` operator's result: a visualization spec kept beside the rows (it changes none).
//! <https://learn.microsoft.com/kusto/query/render-operator>

use kql_parser::ast::Visualization;

/// A chart request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderSpec {
    /// The visualization (`timechart`, `columnchart`, ...), checked by the parser.
    pub visualization: Visualization,
    /// Properties in source order (`title`, `kind`, `xcolumn`, ...), values as text.
    pub properties: Vec<(String, String)>,
}

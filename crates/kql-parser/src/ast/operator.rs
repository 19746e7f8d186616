//! Tabular operators: one struct per operator, gathered in [`Operator`].
//! Reference: <https://learn.microsoft.com/kusto/query/tabular-expression-statements>

use super::{
    ColumnDecl, ColumnPattern, Expr, Ident, Keyword, NamedExpr, OptionArg, OptionValue,
    RenderProperty, Schema, Span, TypeName, Visualization,
};

/// `source | op | op ...`. `source` is `None` when the pipeline starts with an operator: a source
/// operator (`print`, `range`, `datatable`, `union`, ...) or, inside `fork`, `facet`, `mv-apply` and
/// `partition`, an operator applied to the enclosing input.
#[derive(Clone, Debug, PartialEq)]
pub struct Pipeline {
    /// The input expression (usually a table name).
    pub source: Option<Expr>,
    /// The operators, in order.
    pub operators: Vec<Operator>,
    /// The whole pipeline.
    pub span: Span,
}

/// Every tabular operator.
#[derive(Clone, Debug, PartialEq)]
pub enum Operator {
    /// `where` / `filter`.
    Where(Where),
    /// `extend`.
    Extend(Extend),
    /// `project`.
    Project(Project),
    /// `project-away`.
    ProjectAway(ProjectPatterns),
    /// `project-keep`.
    ProjectKeep(ProjectPatterns),
    /// `project-rename`.
    ProjectRename(ProjectRename),
    /// `project-reorder`.
    ProjectReorder(ProjectReorder),
    /// `summarize`.
    Summarize(Summarize),
    /// `count`.
    Count(Count),
    /// `distinct`.
    Distinct(Distinct),
    /// `sort by` / `order by`.
    Sort(Sort),
    /// `top`.
    Top(Top),
    /// `top-nested`.
    TopNested(TopNested),
    /// `top-hitters`.
    TopHitters(TopHitters),
    /// `take` / `limit`.
    Take(Take),
    /// `sample`.
    Sample(Sample),
    /// `sample-distinct`.
    SampleDistinct(SampleDistinct),
    /// `join`.
    Join(Join),
    /// `lookup`.
    Lookup(Join),
    /// `union`.
    Union(Union),
    /// `mv-expand` (and legacy `mvexpand`).
    MvExpand(MvExpand),
    /// `mv-apply`.
    MvApply(MvApply),
    /// `parse` / `parse-where`.
    Parse(Parse),
    /// `parse-kv`.
    ParseKv(ParseKv),
    /// `make-series`.
    MakeSeries(MakeSeries),
    /// `render`.
    Render(Render),
    /// `datatable`.
    Datatable(Datatable),
    /// `print`.
    Print(Print),
    /// `range`.
    Range(Range),
    /// `serialize`.
    Serialize(Serialize),
    /// `as`.
    As(As),
    /// `invoke`.
    Invoke(Invoke),
    /// `evaluate`.
    Evaluate(Evaluate),
    /// `getschema`.
    Getschema(Span),
    /// `externaldata` / `external_data`.
    Externaldata(Externaldata),
    /// `search`.
    Search(Search),
    /// `find`.
    Find(Find),
    /// `facet`.
    Facet(Facet),
    /// `fork`.
    Fork(Fork),
    /// `partition`.
    Partition(Partition),
    /// `scan`.
    Scan(Scan),
    /// `consume`.
    Consume(Consume),
    /// `reduce`.
    Reduce(Reduce),
}

/// `where [options] predicate` (also spelled `filter`).
/// <https://learn.microsoft.com/kusto/query/where-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct Where {
    /// `filter` instead of `where`.
    pub filter_keyword: bool,
    /// Options such as `hint.*`.
    pub options: Vec<OptionArg>,
    /// The predicate.
    pub predicate: Expr,
    /// The whole operator.
    pub span: Span,
}

/// `extend [name =] expr, ...`. <https://learn.microsoft.com/kusto/query/extend-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct Extend {
    /// New or replaced columns.
    pub columns: Vec<NamedExpr>,
    /// The whole operator.
    pub span: Span,
}

/// `project [name =] expr, ...`. <https://learn.microsoft.com/kusto/query/project-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct Project {
    /// Output columns in order.
    pub columns: Vec<NamedExpr>,
    /// The whole operator.
    pub span: Span,
}

/// `project-away` / `project-keep` with names and wildcard patterns.
/// <https://learn.microsoft.com/kusto/query/project-away-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct ProjectPatterns {
    /// Names and patterns.
    pub columns: Vec<ColumnPattern>,
    /// The whole operator.
    pub span: Span,
}

/// `project-rename new = old, ...`. <https://learn.microsoft.com/kusto/query/project-rename-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct ProjectRename {
    /// `(new, old)` pairs.
    pub renames: Vec<(Ident, Ident)>,
    /// The whole operator.
    pub span: Span,
}

/// Order for `project-reorder` columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReorderOrder {
    /// `asc`
    Asc,
    /// `desc`
    Desc,
    /// `granny-asc`
    GrannyAsc,
    /// `granny-desc`
    GrannyDesc,
}

/// `project-reorder pattern [asc|desc|granny-asc|granny-desc], ...`.
/// <https://learn.microsoft.com/kusto/query/project-reorder-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct ProjectReorder {
    /// Patterns with their optional order.
    pub columns: Vec<(ColumnPattern, Option<ReorderOrder>)>,
    /// The whole operator.
    pub span: Span,
}

/// `summarize [options] [aggregates] [by keys]`. <https://learn.microsoft.com/kusto/query/summarize-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct Summarize {
    /// Options such as `hint.strategy=shuffle`.
    pub options: Vec<OptionArg>,
    /// Aggregations.
    pub aggregates: Vec<NamedExpr>,
    /// Group keys (`None` without `by`).
    pub by: Option<Vec<NamedExpr>>,
    /// The whole operator.
    pub span: Span,
}

/// `count`. <https://learn.microsoft.com/kusto/query/count-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct Count {
    /// `count as Name`: the name of the count column (default `Count`).
    pub name: Option<Ident>,
    /// The whole operator.
    pub span: Span,
}

/// `distinct [options] col, ...` or `distinct *`. <https://learn.microsoft.com/kusto/query/distinct-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct Distinct {
    /// Options such as `hint.shufflekey`.
    pub options: Vec<OptionArg>,
    /// Columns, optionally named (a single unnamed [`Expr::Star`] for `*`).
    pub columns: Vec<NamedExpr>,
    /// The whole operator.
    pub span: Span,
}

/// Sort direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SortOrder {
    /// `asc`
    Asc,
    /// `desc`
    Desc,
}

/// Null placement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NullsOrder {
    /// `nulls first`
    First,
    /// `nulls last`
    Last,
}

/// `expr [asc|desc] [nulls first|last]`.
#[derive(Clone, Debug, PartialEq)]
pub struct SortKey {
    /// The sort expression.
    pub expr: Expr,
    /// Direction as written (Kusto's default is `desc`).
    pub order: Option<SortOrder>,
    /// Null placement as written.
    pub nulls: Option<NullsOrder>,
}

/// `sort by key, ...` / `order by key, ...`. <https://learn.microsoft.com/kusto/query/sort-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct Sort {
    /// `order` instead of `sort`.
    pub order_keyword: bool,
    /// Options such as `hint.strategy`.
    pub options: Vec<OptionArg>,
    /// Keys in order.
    pub keys: Vec<SortKey>,
    /// The whole operator.
    pub span: Span,
}

/// `top N by key`. <https://learn.microsoft.com/kusto/query/top-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct Top {
    /// Options.
    pub options: Vec<OptionArg>,
    /// Row count.
    pub count: Expr,
    /// Sort keys (Kusto documents one; several are accepted by the service).
    pub keys: Vec<SortKey>,
    /// The whole operator.
    pub span: Span,
}

/// One level of `top-nested [N] of expr [with others = expr] by agg [asc|desc]`.
#[derive(Clone, Debug, PartialEq)]
pub struct TopNestedLevel {
    /// How many values to keep (all when absent).
    pub count: Option<Expr>,
    /// The grouping expression, optionally named.
    pub of: NamedExpr,
    /// `with others = expr`.
    pub others: Option<Expr>,
    /// The aggregation, optionally named.
    pub by: NamedExpr,
    /// Direction.
    pub order: Option<SortOrder>,
    /// This level.
    pub span: Span,
}

/// `top-nested ..., top-nested ...`. <https://learn.microsoft.com/kusto/query/top-nested-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct TopNested {
    /// The levels.
    pub levels: Vec<TopNestedLevel>,
    /// The whole operator.
    pub span: Span,
}

/// `top-hitters N of expr [by expr]`. <https://learn.microsoft.com/kusto/query/top-hitters-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct TopHitters {
    /// How many.
    pub count: Expr,
    /// The value counted.
    pub of: Expr,
    /// The weight summed.
    pub by: Option<Expr>,
    /// The whole operator.
    pub span: Span,
}

/// `take N` / `limit N`. <https://learn.microsoft.com/kusto/query/take-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct Take {
    /// `limit` instead of `take`.
    pub limit_keyword: bool,
    /// Options.
    pub options: Vec<OptionArg>,
    /// Row count.
    pub count: Expr,
    /// The whole operator.
    pub span: Span,
}

/// `sample N`. <https://learn.microsoft.com/kusto/query/sample-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// Options.
    pub options: Vec<OptionArg>,
    /// Row count.
    pub count: Expr,
    /// The whole operator.
    pub span: Span,
}

/// `sample-distinct N of col`. <https://learn.microsoft.com/kusto/query/sample-distinct-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct SampleDistinct {
    /// Options.
    pub options: Vec<OptionArg>,
    /// Value count.
    pub count: Expr,
    /// The column.
    pub of: Expr,
    /// The whole operator.
    pub span: Span,
}

/// `join [options] right on conditions` (also the shape of `lookup`).
/// <https://learn.microsoft.com/kusto/query/join-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct Join {
    /// `kind=`, `hint.*=`, ...
    pub options: Vec<OptionArg>,
    /// The right side: a parenthesised pipeline or a table expression.
    pub right: Expr,
    /// `on` conditions: column names or `$left.a == $right.b` comparisons (absent in `join ... where`).
    pub on: Vec<Expr>,
    /// `where` form (non-equi join condition), when used instead of `on`.
    pub where_: Option<Expr>,
    /// The whole operator.
    pub span: Span,
}

/// `union [options] table, ...`. <https://learn.microsoft.com/kusto/query/union-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct Union {
    /// `kind=`, `withsource=`, `isfuzzy=`, ...
    pub options: Vec<OptionArg>,
    /// The legs: names, wildcard names (as [`Expr::Name`] containing `*`), pipelines, calls.
    pub tables: Vec<Expr>,
    /// The whole operator.
    pub span: Span,
}

/// One `mv-expand` / `mv-apply` item: `[name =] expr [to typeof(T)]`.
#[derive(Clone, Debug, PartialEq)]
pub struct MvItem {
    /// The expanded expression, optionally named.
    pub expr: NamedExpr,
    /// `to typeof(T)`.
    pub to: Option<TypeName>,
}

/// `mv-expand [options] item, ... [limit N]`. <https://learn.microsoft.com/kusto/query/mv-expand-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct MvExpand {
    /// Written as legacy `mvexpand`.
    pub legacy_keyword: bool,
    /// `bagexpansion=`, `with_itemindex=`, `kind=`.
    pub options: Vec<OptionArg>,
    /// Expanded columns.
    pub items: Vec<MvItem>,
    /// `limit N`.
    pub limit: Option<Expr>,
    /// The whole operator.
    pub span: Span,
}

/// `mv-apply [options] item, ... [limit N] [id_column] on (subquery)`.
/// <https://learn.microsoft.com/kusto/query/mv-apply-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct MvApply {
    /// `with_itemindex=`, ...
    pub options: Vec<OptionArg>,
    /// Expanded columns.
    pub items: Vec<MvItem>,
    /// `limit N`.
    pub limit: Option<Expr>,
    /// The sub-query applied to each row's expansion.
    pub on: Pipeline,
    /// The whole operator.
    pub span: Span,
}

/// A piece of a `parse` pattern.
#[derive(Clone, Debug, PartialEq)]
pub enum ParsePart {
    /// A string constant to match.
    Text(Expr),
    /// `*`: skip.
    Star(Span),
    /// `Column[:type]`: capture.
    Column(ColumnDecl),
}

/// `parse [kind=...] [flags=...] expr with pattern` and `parse-where`.
/// <https://learn.microsoft.com/kusto/query/parse-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct Parse {
    /// `parse-where` (rows that do not match are dropped).
    pub where_: bool,
    /// `kind=`, `flags=`.
    pub options: Vec<OptionArg>,
    /// The parsed string expression.
    pub source: Expr,
    /// The pattern.
    pub pattern: Vec<ParsePart>,
    /// The whole operator.
    pub span: Span,
}

/// `parse-kv expr as (col:type, ...) [with (option = value, ...)]`.
/// <https://learn.microsoft.com/kusto/query/parse-kv-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct ParseKv {
    /// The parsed expression.
    pub source: Expr,
    /// Extracted keys.
    pub schema: Schema,
    /// `with (...)` options.
    pub with: Vec<OptionArg>,
    /// The whole operator.
    pub span: Span,
}

/// One aggregation of `make-series`: `[name =] agg [default = value]`.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesAggregate {
    /// The aggregation.
    pub expr: NamedExpr,
    /// `default = value`.
    pub default: Option<Expr>,
}

/// The axis range of `make-series`.
#[derive(Clone, Debug, PartialEq)]
pub enum SeriesRange {
    /// `[from start] [to end] step s`.
    FromTo {
        /// Start (inclusive).
        from: Option<Expr>,
        /// End (exclusive).
        to: Option<Expr>,
        /// Bin size.
        step: Expr,
    },
    /// `in range(start, stop, step)`.
    InRange(Expr),
}

/// `make-series [options] aggs on axis range [by keys]`.
/// <https://learn.microsoft.com/kusto/query/make-series-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct MakeSeries {
    /// `kind=nonempty`, hints.
    pub options: Vec<OptionArg>,
    /// Aggregations.
    pub aggregates: Vec<SeriesAggregate>,
    /// The axis column.
    pub on: Expr,
    /// The axis range.
    pub range: SeriesRange,
    /// Group keys.
    pub by: Option<Vec<NamedExpr>>,
    /// The whole operator.
    pub span: Span,
}

/// `render chart [with (prop = value, ...)]`. <https://learn.microsoft.com/kusto/query/render-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct Render {
    /// The visualization (`timechart`, `barchart`, ...).
    pub chart: Keyword<Visualization>,
    /// Properties from `with (...)`.
    pub with: Vec<RenderProp>,
    /// Legacy properties written without `with`: `render timechart kind=stacked`.
    pub legacy: Vec<RenderProp>,
    /// The whole operator.
    pub span: Span,
}

/// A `render` property `name=value`: `kind=stacked`, `title="Failures"`.
#[derive(Clone, Debug, PartialEq)]
pub struct RenderProp {
    /// Which property.
    pub name: Keyword<RenderProperty>,
    /// Its value: a keyword for `kind`, `legend`, `xaxis`, `yaxis` and `ysplit`; else as written.
    pub value: OptionValue,
    /// The whole `name=value`.
    pub span: Span,
}

/// `datatable (schema) [values]`. <https://learn.microsoft.com/kusto/query/datatable-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct Datatable {
    /// Options.
    pub options: Vec<OptionArg>,
    /// The columns.
    pub schema: Schema,
    /// Values, row-major.
    pub values: Vec<Expr>,
    /// The whole operator.
    pub span: Span,
}

/// `print [name =] expr, ...`. <https://learn.microsoft.com/kusto/query/print-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct Print {
    /// Printed columns.
    pub columns: Vec<NamedExpr>,
    /// The whole operator.
    pub span: Span,
}

/// `range col from start to stop step s`. <https://learn.microsoft.com/kusto/query/range-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct Range {
    /// The generated column.
    pub column: Ident,
    /// First value.
    pub from: Expr,
    /// Last value (inclusive).
    pub to: Expr,
    /// Increment.
    pub step: Expr,
    /// The whole operator.
    pub span: Span,
}

/// `serialize [name = expr, ...]`. <https://learn.microsoft.com/kusto/query/serialize-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct Serialize {
    /// Extra columns computed after serialization.
    pub columns: Vec<NamedExpr>,
    /// The whole operator.
    pub span: Span,
}

/// `as [options] Name`. <https://learn.microsoft.com/kusto/query/as-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct As {
    /// `hint.materialized=`.
    pub options: Vec<OptionArg>,
    /// The bound name.
    pub name: Ident,
    /// The whole operator.
    pub span: Span,
}

/// `invoke function(args)`. <https://learn.microsoft.com/kusto/query/invoke-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct Invoke {
    /// The call (a [`Expr::Call`], possibly qualified).
    pub call: Expr,
    /// The whole operator.
    pub span: Span,
}

/// `evaluate [options] plugin(args)`. <https://learn.microsoft.com/kusto/query/evaluate-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluate {
    /// `hint.distribution=`, ...
    pub options: Vec<OptionArg>,
    /// The plugin call.
    pub call: Expr,
    /// Output schema `: (col:type, ...)`.
    pub schema: Option<Schema>,
    /// The whole operator.
    pub span: Span,
}

/// `externaldata (schema) [uris] [with (...)]`. <https://learn.microsoft.com/kusto/query/externaldata-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct Externaldata {
    /// Written `external_data`.
    pub underscore_keyword: bool,
    /// Options.
    pub options: Vec<OptionArg>,
    /// The columns.
    pub schema: Schema,
    /// Storage connection strings.
    pub uris: Vec<Expr>,
    /// `with (...)` properties.
    pub with: Vec<OptionArg>,
    /// The whole operator.
    pub span: Span,
}

/// `search [options] [in (tables)] predicate`. <https://learn.microsoft.com/kusto/query/search-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct Search {
    /// `kind=`, `withsource=`.
    pub options: Vec<OptionArg>,
    /// `in (T1, T2)`.
    pub tables: Option<Vec<Expr>>,
    /// The predicate (bare string terms allowed).
    pub predicate: Expr,
    /// The whole operator.
    pub span: Span,
}

/// What `find` outputs.
#[derive(Clone, Debug, PartialEq)]
pub enum FindProject {
    /// `project-smart`
    Smart,
    /// `project col, ...`
    Columns(Vec<Expr>),
    /// `project-away col, ...`
    Away(Vec<ColumnPattern>),
}

/// `find [options] [in (tables)] where predicate [project ...]`.
/// <https://learn.microsoft.com/kusto/query/find-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct Find {
    /// `withsource=`, `datascope=`, ...
    pub options: Vec<OptionArg>,
    /// `in (T1, T2)`.
    pub tables: Option<Vec<Expr>>,
    /// The predicate.
    pub predicate: Expr,
    /// Output columns.
    pub project: Option<FindProject>,
    /// The whole operator.
    pub span: Span,
}

/// `facet by col, ... [with (subquery)]`. <https://learn.microsoft.com/kusto/query/facet-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct Facet {
    /// Faceted columns.
    pub by: Vec<Expr>,
    /// `with (operators)` applied to the input.
    pub with: Option<Pipeline>,
    /// The whole operator.
    pub span: Span,
}

/// `fork [name =] (subquery) ...`. <https://learn.microsoft.com/kusto/query/fork-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct Fork {
    /// Branches, optionally named.
    pub branches: Vec<(Option<Ident>, Pipeline)>,
    /// The whole operator.
    pub span: Span,
}

/// The body of `partition`.
#[derive(Clone, Debug, PartialEq)]
pub enum PartitionBody {
    /// `( subquery )` applied to each partition.
    Subquery(Pipeline),
    /// `{ query }`, a full query where the partition is referenced with `$`-free syntax.
    Braced(Expr),
}

/// `partition [options] by col body`. <https://learn.microsoft.com/kusto/query/partition-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct Partition {
    /// `hint.strategy=`, ...
    pub options: Vec<OptionArg>,
    /// The partition key.
    pub by: Expr,
    /// The per-partition query.
    pub body: PartitionBody,
    /// The whole operator.
    pub span: Span,
}

/// One `step` of `scan`.
#[derive(Clone, Debug, PartialEq)]
pub struct ScanStep {
    /// Step name.
    pub name: Ident,
    /// `optional`.
    pub optional: bool,
    /// `output=all|last|none`.
    pub output: Option<Ident>,
    /// Condition.
    pub condition: Expr,
    /// `=> col = expr, ...` assignments.
    pub assignments: Vec<NamedExpr>,
}

/// `scan [with_match_id=...] [declare (...)] with (step ...;)`.
/// <https://learn.microsoft.com/kusto/query/scan-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct Scan {
    /// Options.
    pub options: Vec<OptionArg>,
    /// `declare (col:type [= default], ...)`.
    pub declare: Vec<(ColumnDecl, Option<Expr>)>,
    /// The steps.
    pub steps: Vec<ScanStep>,
    /// The whole operator.
    pub span: Span,
}

/// `consume [options]`. <https://learn.microsoft.com/kusto/query/consume-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct Consume {
    /// `decodeblocks=`.
    pub options: Vec<OptionArg>,
    /// The whole operator.
    pub span: Span,
}

/// `reduce [options] by expr [with option = value, ...]`. <https://learn.microsoft.com/kusto/query/reduce-operator>
#[derive(Clone, Debug, PartialEq)]
pub struct Reduce {
    /// `kind=`.
    pub options: Vec<OptionArg>,
    /// The reduced string expression.
    pub by: Expr,
    /// `threshold=`, `characters=`.
    pub with: Vec<OptionArg>,
    /// The whole operator.
    pub span: Span,
}

impl Operator {
    /// Where the operator was written (from its keyword to its last token).
    pub fn span(&self) -> Span {
        use Operator as O;
        match self {
            O::Where(x) => x.span,
            O::Extend(x) => x.span,
            O::Project(x) => x.span,
            O::ProjectAway(x) | O::ProjectKeep(x) => x.span,
            O::ProjectRename(x) => x.span,
            O::ProjectReorder(x) => x.span,
            O::Summarize(x) => x.span,
            O::Count(x) => x.span,
            O::Distinct(x) => x.span,
            O::Sort(x) => x.span,
            O::Top(x) => x.span,
            O::TopNested(x) => x.span,
            O::TopHitters(x) => x.span,
            O::Take(x) => x.span,
            O::Sample(x) => x.span,
            O::SampleDistinct(x) => x.span,
            O::Join(x) | O::Lookup(x) => x.span,
            O::Union(x) => x.span,
            O::MvExpand(x) => x.span,
            O::MvApply(x) => x.span,
            O::Parse(x) => x.span,
            O::ParseKv(x) => x.span,
            O::MakeSeries(x) => x.span,
            O::Render(x) => x.span,
            O::Datatable(x) => x.span,
            O::Print(x) => x.span,
            O::Range(x) => x.span,
            O::Serialize(x) => x.span,
            O::As(x) => x.span,
            O::Invoke(x) => x.span,
            O::Evaluate(x) => x.span,
            O::Getschema(s) => *s,
            O::Externaldata(x) => x.span,
            O::Search(x) => x.span,
            O::Find(x) => x.span,
            O::Facet(x) => x.span,
            O::Fork(x) => x.span,
            O::Partition(x) => x.span,
            O::Scan(x) => x.span,
            O::Consume(x) => x.span,
            O::Reduce(x) => x.span,
        }
    }

    /// The operator's keyword as Kusto spells it (`where`, `project-away`, ...).
    pub fn name(&self) -> &'static str {
        use Operator as O;
        match self {
            O::Where(w) if w.filter_keyword => "filter",
            O::Where(_) => "where",
            O::Extend(_) => "extend",
            O::Project(_) => "project",
            O::ProjectAway(_) => "project-away",
            O::ProjectKeep(_) => "project-keep",
            O::ProjectRename(_) => "project-rename",
            O::ProjectReorder(_) => "project-reorder",
            O::Summarize(_) => "summarize",
            O::Count(_) => "count",
            O::Distinct(_) => "distinct",
            O::Sort(s) if s.order_keyword => "order",
            O::Sort(_) => "sort",
            O::Top(_) => "top",
            O::TopNested(_) => "top-nested",
            O::TopHitters(_) => "top-hitters",
            O::Take(t) if t.limit_keyword => "limit",
            O::Take(_) => "take",
            O::Sample(_) => "sample",
            O::SampleDistinct(_) => "sample-distinct",
            O::Join(_) => "join",
            O::Lookup(_) => "lookup",
            O::Union(_) => "union",
            O::MvExpand(m) if m.legacy_keyword => "mvexpand",
            O::MvExpand(_) => "mv-expand",
            O::MvApply(_) => "mv-apply",
            O::Parse(p) if p.where_ => "parse-where",
            O::Parse(_) => "parse",
            O::ParseKv(_) => "parse-kv",
            O::MakeSeries(_) => "make-series",
            O::Render(_) => "render",
            O::Datatable(_) => "datatable",
            O::Print(_) => "print",
            O::Range(_) => "range",
            O::Serialize(_) => "serialize",
            O::As(_) => "as",
            O::Invoke(_) => "invoke",
            O::Evaluate(_) => "evaluate",
            O::Getschema(_) => "getschema",
            O::Externaldata(e) if e.underscore_keyword => "external_data",
            O::Externaldata(_) => "externaldata",
            O::Search(_) => "search",
            O::Find(_) => "find",
            O::Facet(_) => "facet",
            O::Fork(_) => "fork",
            O::Partition(_) => "partition",
            O::Scan(_) => "scan",
            O::Consume(_) => "consume",
            O::Reduce(_) => "reduce",
        }
    }
}

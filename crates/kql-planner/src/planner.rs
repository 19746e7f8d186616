//! The planner entry point: statements, `let` scopes, tabular expressions and the pipeline fold.

use crate::catalog::Catalog;
use crate::diag::{R, did_you_mean, err, internal, not_supported};
use crate::expr::{ExprCx, Typed};
use crate::render::RenderSpec;
use crate::schema::KqlSchema;
use datafusion_expr::{LogicalPlan, LogicalPlanBuilder, SortExpr};
use kql_common::{Diagnostic, Diagnostics, codes};
use kql_parser::ast::{self, Operator};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// Planning options.
#[derive(Clone, Copy, Debug)]
pub struct PlannerOptions {
    /// The value of `now()` for the whole query, in 100 ns ticks (`ago()` is relative to it).
    pub now: i64,
    /// Rows every table shows the query, by `TimeGenerated`, as the query API's `timespan` and
    /// an alert rule's window do: applied outside the query, so no `ago()` in it reaches past.
    pub window: Option<TimeWindow>,
}

impl PlannerOptions {
    /// Options with `now()` at `now` and every row visible.
    pub fn at(now: i64) -> PlannerOptions {
        PlannerOptions { now, window: None }
    }
}

/// A half-open time range `[from, to)` in ticks: consecutive windows never count a row twice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeWindow {
    /// First tick inside.
    pub from: i64,
    /// First tick past the end.
    pub to: i64,
}

/// The column a [`TimeWindow`] filters on.
pub const WINDOW_COLUMN: &str = "TimeGenerated";

/// `TimeGenerated >= from and TimeGenerated < to` (datetimes are ticks).
fn window_filter(w: TimeWindow) -> datafusion_expr::Expr {
    use datafusion_expr::{Expr, lit};
    let at = || Expr::Column(datafusion_common::Column::new_unqualified(WINDOW_COLUMN));
    at().gt_eq(lit(w.from)).and(at().lt(lit(w.to)))
}

/// A planned query: the plan, its Kusto schema and the `render` request, if any.
#[derive(Clone, Debug)]
pub struct PlannedQuery {
    /// The DataFusion plan; its output columns are `schema`'s, in order.
    pub plan: LogicalPlan,
    /// Kusto names and types of the output columns.
    pub schema: KqlSchema,
    /// The visualization requested by a final `render`.
    pub render: Option<RenderSpec>,
}

/// A tabular value during planning: a plan, its Kusto schema, and the row order established by
/// `sort`/`top`/`serialize` (used by `row_number()`).
#[derive(Clone, Debug)]
pub(crate) struct Tab {
    pub plan: LogicalPlan,
    pub schema: KqlSchema,
    pub order: Option<Vec<SortExpr>>,
}

impl Tab {
    pub fn new(plan: LogicalPlan, schema: KqlSchema) -> Tab {
        Tab {
            plan,
            schema,
            order: None,
        }
    }

    pub fn builder(&self) -> LogicalPlanBuilder {
        LogicalPlanBuilder::from(self.plan.clone())
    }
}

/// What a `let` name (or function parameter) stands for.
#[derive(Clone)]
pub(crate) enum Binding {
    Scalar(Typed),
    Tabular(Tab),
    /// A user function and the scope it was defined in.
    Function(Rc<ast::FunctionDecl>, Scope),
}

/// `let` bindings visible at a point of the query: layers of names, newest first. A function
/// keeps the scope it was defined in, and a clone shares every layer, so defining a function
/// costs no copy. A name set while the top layer is shared goes into a new layer, merged with
/// the layers below it that are no larger (a binary counter): at most log2(n) layers, and each
/// binding is copied O(log n) times over a query of n `let`s.
#[derive(Clone, Default)]
pub(crate) struct Scope {
    top: Option<Rc<Layer>>,
}

struct Layer {
    vars: HashMap<String, Rc<Binding>>,
    below: Option<Rc<Layer>>,
}

impl Scope {
    fn layers(&self) -> impl Iterator<Item = &Layer> {
        std::iter::successors(self.top.as_deref(), |l| l.below.as_deref())
    }

    pub fn get(&self, name: &str) -> Option<&Binding> {
        self.layers().find_map(|l| l.vars.get(name)).map(Rc::as_ref)
    }

    pub fn set(&mut self, name: &str, b: Binding) {
        let b = Rc::new(b);
        if let Some(top) = self.top.as_mut().and_then(Rc::get_mut) {
            top.vars.insert(name.to_owned(), b);
            return;
        }
        let mut vars = HashMap::from([(name.to_owned(), b)]);
        let mut below = self.top.take();
        while let Some(layer) = below.as_ref().filter(|l| l.vars.len() <= vars.len()) {
            let next = layer.below.clone();
            let mut merged = layer.vars.clone();
            // The newer binding of a name shadows the older.
            merged.extend(vars);
            vars = merged;
            below = next;
        }
        self.top = Some(Rc::new(Layer { vars, below }));
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.layers()
            .flat_map(|l| l.vars.keys().map(String::as_str))
    }
}

/// How many plan nodes deep a query may grow (operators chained, across `let`s and function
/// calls). DataFusion optimizes, plans and runs a plan by recursion; deeper plans get a
/// diagnostic rather than risking the stack of the threads that run them (see
/// `kql_engine::QUERY_STACK_SIZE`).
pub const MAX_PLAN_DEPTH: usize = 2000;

/// The stack planning runs on, enough for [`MAX_PLAN_DEPTH`] in a debug build.
const PLAN_STACK: usize = 64 << 20;

/// Whether `plan` has a path from its root more than `limit` nodes long.
fn deeper_than(plan: &LogicalPlan, limit: usize) -> bool {
    // A loop, not recursion: the point is to judge plans too deep to recurse over.
    let mut todo = vec![(plan, 1)];
    while let Some((p, depth)) = todo.pop() {
        if depth > limit {
            return true;
        }
        todo.extend(p.inputs().into_iter().map(|i| (i, depth + 1)));
    }
    false
}

/// How many columns the projections of a plan may compute in all (the widths of its `extend`s,
/// `project`s and the like, summed). DataFusion's work on a projection grows with the square of
/// its width and its optimizer collapses chains of them in about cubic time, so 300 `extend`s
/// that each add a column (45,000 columns) already take seconds to optimize in a debug build.
pub const MAX_PLAN_COLUMNS: usize = 50_000;

/// A KS013 diagnostic at `span` when the projections of `plan` compute more than
/// [`MAX_PLAN_COLUMNS`] columns in all.
pub(crate) fn check_plan_columns(plan: &LogicalPlan, span: kql_common::Span) -> R<()> {
    // A loop, not recursion, as in `deeper_than`.
    let mut columns = 0;
    let mut todo = vec![plan];
    while let Some(p) = todo.pop() {
        if let LogicalPlan::Projection(proj) = p {
            columns += proj.expr.len();
        }
        if columns > MAX_PLAN_COLUMNS {
            return err(
                codes::TOO_COMPLEX,
                format!("the query's plan computes more than {MAX_PLAN_COLUMNS} columns in all"),
                span,
            )
            .map_err(|d| {
                d.with_help(
                    "`project` away the columns no longer needed, so that each step carries fewer",
                )
            });
        }
        todo.extend(p.inputs());
    }
    Ok(())
}

/// Whether `e` nests more than `limit` levels deep.
fn expr_deeper_than(e: &datafusion_expr::Expr, limit: usize) -> bool {
    use datafusion_common::tree_node::{TreeNode, TreeNodeRecursion};
    let mut todo = vec![(e, 1)];
    while let Some((e, depth)) = todo.pop() {
        if depth > limit {
            return true;
        }
        let _ = e.apply_children(|c| {
            todo.push((c, depth + 1));
            Ok(TreeNodeRecursion::Continue)
        });
    }
    false
}

/// Plans KQL against a [`Catalog`].
pub struct KqlToRel<'a> {
    pub(crate) catalog: &'a dyn Catalog,
    pub(crate) options: PlannerOptions,
    render: RefCell<Option<RenderSpec>>,
}

impl<'a> KqlToRel<'a> {
    /// A planner over `catalog`.
    pub fn new(catalog: &'a dyn Catalog, options: PlannerOptions) -> KqlToRel<'a> {
        KqlToRel {
            catalog,
            options,
            render: RefCell::new(None),
        }
    }

    /// Plans a whole query: `let`s and other statements, then the final tabular expression.
    pub fn query_to_plan(&self, q: &ast::Query) -> Result<PlannedQuery, Diagnostics> {
        // DataFusion's plan builder recurses over the plan built so far; a stack of known size
        // (whatever thread calls) makes MAX_PLAN_DEPTH enough, as a debug build's frames need.
        stacker::grow(PLAN_STACK, || self.plan_query(q)).map_err(Diagnostics::from)
    }

    fn plan_query(&self, q: &ast::Query) -> R<PlannedQuery> {
        let mut scope = Scope::default();
        let mut result: Option<Tab> = None;
        let last = q
            .statements
            .iter()
            .rposition(|s| matches!(s, ast::Statement::Expr(_)));
        for (i, s) in q.statements.iter().enumerate() {
            match s {
                ast::Statement::Expr(e) => {
                    if Some(i) != last {
                        return not_supported("a query with several result expressions", e.span());
                    }
                    *self.render.borrow_mut() = None;
                    let tab = self.pipeline_or_tabular(e, &scope, true)?;
                    result = Some(tab);
                }
                other => self.statement(other, &mut scope)?,
            }
        }
        let Some(tab) = result else {
            return err(codes::WRONG_KIND, "the query has no tabular expression to run", q.span)
                .map_err(|d| d.with_help("end the query with a table expression, for example `AADProvisioningLogs | take 10`"));
        };
        Ok(PlannedQuery {
            plan: tab.plan,
            schema: tab.schema,
            render: self.render.borrow_mut().take(),
        })
    }

    /// Applies a non-result statement to the scope.
    pub(crate) fn statement(&self, s: &ast::Statement, scope: &mut Scope) -> R<()> {
        match s {
            ast::Statement::Let { name, value, .. } => {
                let b = if self.is_tabular(value, scope) {
                    Binding::Tabular(self.tabular(value, scope)?)
                } else {
                    let empty = KqlSchema::default();
                    let cx = ExprCx {
                        schema: &empty,
                        scope,
                        aggs: None,
                    };
                    let t = self.scalar(value, &cx)?;
                    // A let's value is inlined where its name is used, so a chain of lets
                    // (`let a1 = a0 + 1; ...`) nests one expression ever deeper.
                    if expr_deeper_than(&t.expr, MAX_PLAN_DEPTH / 2) {
                        let depth = MAX_PLAN_DEPTH / 2;
                        return err(
                            codes::TOO_COMPLEX,
                            format!(
                                "the value of `{}` nests more than {depth} levels deep",
                                name.name
                            ),
                            value.span(),
                        )
                        .map_err(|d| d.with_help("compute the value in fewer steps"));
                    }
                    Binding::Scalar(t)
                };
                scope.set(&name.name, b);
            }
            ast::Statement::LetFunction { name, decl, .. } => {
                if decl.view {
                    // A view is a function without parameters; calling it by name works as well.
                }
                let def = scope.clone();
                scope.set(&name.name, Binding::Function(Rc::new(decl.clone()), def));
            }
            ast::Statement::Set { .. } => {}
            ast::Statement::DeclareQueryParameters { params, span } => {
                for p in params {
                    let Some(d) = &p.default else {
                        return err(
                            codes::NOT_SUPPORTED,
                            format!("query parameter `{}` has no value", p.name.name),
                            *span,
                        )
                        .map_err(|d| d.with_help("give the parameter a default value"));
                    };
                    let empty = KqlSchema::default();
                    let cx = ExprCx {
                        schema: &empty,
                        scope,
                        aggs: None,
                    };
                    let t = self.scalar(d, &cx)?;
                    scope.set(&p.name.name, Binding::Scalar(t));
                }
            }
            ast::Statement::Alias { span, .. } => return not_supported("`alias database`", *span),
            ast::Statement::Restrict { .. } => {}
            ast::Statement::Expr(e) => {
                return not_supported(
                    "an expression statement before the end of the query",
                    e.span(),
                );
            }
        }
        Ok(())
    }

    /// Whether `e` denotes a table (decided syntactically and from the scope).
    pub(crate) fn is_tabular(&self, e: &ast::Expr, scope: &Scope) -> bool {
        match e {
            ast::Expr::Pipeline(_) => true,
            ast::Expr::Paren(inner, _) => self.is_tabular(inner, scope),
            ast::Expr::Name(n) => match scope.get(&n.name) {
                Some(Binding::Tabular(_)) => true,
                Some(_) => false,
                None => self.catalog.table(&n.name).is_some(),
            },
            ast::Expr::Call(c) => match c.name.name.as_str() {
                "materialize" | "table" | "view" => true,
                name => match scope.get(name) {
                    Some(Binding::Function(decl, s)) => {
                        let mut inner = s.clone();
                        for p in &decl.params {
                            if let ast::ParamType::Tabular(_) = p.ty {
                                inner.set(
                                    &p.name.name,
                                    Binding::Tabular(Tab::new(empty_plan(), KqlSchema::default())),
                                );
                            }
                        }
                        matches!(decl.body.statements.last(), Some(ast::Statement::Expr(b)) if self.is_tabular(b, &inner))
                    }
                    _ => false,
                },
            },
            _ => false,
        }
    }

    /// Plans a tabular expression.
    pub(crate) fn tabular(&self, e: &ast::Expr, scope: &Scope) -> R<Tab> {
        self.pipeline_or_tabular(e, scope, false)
    }

    fn pipeline_or_tabular(&self, e: &ast::Expr, scope: &Scope, outermost: bool) -> R<Tab> {
        match e {
            ast::Expr::Pipeline(p) => self.pipeline(p, scope, outermost, None),
            ast::Expr::Paren(inner, _) => self.pipeline_or_tabular(inner, scope, outermost),
            ast::Expr::Name(n) => self.table_by_name(n, scope),
            ast::Expr::Call(c) => self.tabular_call(c, scope),
            ast::Expr::Command(_, span) => not_supported("management commands", *span),
            other => err(codes::WRONG_KIND, "expected a table expression here", other.span())
                .map_err(|d| d.with_help("a query needs a table such as `AADProvisioningLogs`, or `print`, `range`, `datatable`")),
        }
    }

    fn table_by_name(&self, n: &ast::Ident, scope: &Scope) -> R<Tab> {
        match scope.get(&n.name) {
            Some(Binding::Tabular(t)) => return Ok(t.clone()),
            Some(Binding::Function(decl, def)) if decl.params.is_empty() => {
                let call = ast::Call {
                    receiver: None,
                    name: n.clone(),
                    args: Vec::new(),
                    span: n.span,
                };
                return self.inline_tabular_function(&call, decl, def, scope);
            }
            Some(_) => {
                return err(
                    codes::WRONG_KIND,
                    format!("`{}` is a scalar value, not a table", n.name),
                    n.span,
                );
            }
            None => {}
        }
        if let Some(entry) = self.catalog.table(&n.name) {
            // A bare reference: DataFusion must not parse or lower-case the (case-sensitive) name.
            let table = datafusion_common::TableReference::bare(n.name.clone());
            let scan = LogicalPlanBuilder::scan(table, entry.source, None);
            let windowed = match (self.options.window, entry.schema.field(WINDOW_COLUMN)) {
                (Some(w), Some((_, f))) if f.ty == crate::types::KqlType::DateTime => {
                    scan.and_then(|b| b.filter(window_filter(w)))
                }
                _ => scan,
            };
            let plan = windowed
                .and_then(LogicalPlanBuilder::build)
                .map_err(|e| internal(e, n.span))?;
            return Ok(Tab::new(plan, entry.schema));
        }
        let mut d = Diagnostic::error(
            codes::UNKNOWN_TABLE,
            format!(
                "failed to resolve table or column expression named '{}'",
                n.name
            ),
            n.span,
        )
        .with_label("not a table or tabular `let`");
        let tables = self.catalog.table_names();
        let candidates: Vec<&str> = tables
            .iter()
            .map(String::as_str)
            .chain(scope.names())
            .collect();
        if let Some(best) = did_you_mean(&n.name, candidates.iter().copied()) {
            d = d.with_help(format!("did you mean `{best}`?"));
        } else if !tables.is_empty() {
            d = d.with_note(format!("known tables: {}", tables.join(", ")));
        }
        Err(d)
    }

    fn tabular_call(&self, c: &ast::Call, scope: &Scope) -> R<Tab> {
        match c.name.name.as_str() {
            "materialize" => match c.args.as_slice() {
                [a] => self.tabular(&a.value, scope),
                _ => err(
                    codes::ARGUMENT_COUNT,
                    "`materialize` takes one tabular argument",
                    c.span,
                ),
            },
            // A data scope (`hotcache`, `all`) means nothing for local data.
            "table" => match c.args.as_slice() {
                [a] | [a, _] => match &a.value {
                    ast::Expr::Literal(ast::Literal {
                        value: ast::LiteralValue::String(s),
                        span,
                        ..
                    }) => self.table_by_name(&ast::Ident::new(s.clone(), *span), scope),
                    // Kusto also takes a name computed at run time (a function's parameter).
                    other => not_supported(
                        "`table()` of a name that is not a constant string",
                        other.span(),
                    ),
                },
                _ => err(
                    codes::ARGUMENT_COUNT,
                    "`table` takes a table name and an optional data scope",
                    c.span,
                ),
            },
            name => match scope.get(name) {
                Some(Binding::Function(decl, def)) => {
                    self.inline_tabular_function(c, decl, def, scope)
                }
                // A scalar function where a table is needed.
                _ if crate::expr::registry::lookup(name).is_some() => err(
                    codes::WRONG_KIND,
                    format!("`{name}(...)` is not a table"),
                    c.span,
                ),
                _ if matches!(
                    name,
                    "materialized_view" | "external_table" | "cluster" | "database"
                ) =>
                {
                    not_supported(&format!("`{name}()`"), c.span)
                }
                // A stored function of the workspace (a Sentinel parser, a watchlist), maybe.
                _ => err(
                    codes::UNKNOWN_TABLE,
                    format!("failed to resolve the tabular function `{name}`"),
                    c.span,
                ),
            },
        }
    }

    fn inline_tabular_function(
        &self,
        c: &ast::Call,
        decl: &ast::FunctionDecl,
        def: &Scope,
        scope: &Scope,
    ) -> R<Tab> {
        let empty = KqlSchema::default();
        let cx = ExprCx {
            schema: &empty,
            scope,
            aggs: None,
        };
        let mut inner = self.bind_arguments(c, decl, def, &cx)?;
        let Some((last, init)) = decl.body.statements.split_last() else {
            return err(
                codes::WRONG_KIND,
                format!("function `{}` has an empty body", c.name.name),
                c.span,
            );
        };
        for s in init {
            self.statement(s, &mut inner)?;
        }
        match last {
            ast::Statement::Expr(e) => self.tabular(e, &inner),
            other => err(
                codes::WRONG_KIND,
                "a function body must end with an expression",
                other.span(),
            ),
        }
    }

    /// `T | invoke f(args)`: calls `f` with `T` as its first (tabular) argument.
    /// <https://learn.microsoft.com/kusto/query/invoke-operator>
    fn invoke_to_plan(&self, input: Tab, inv: &ast::Invoke, scope: &Scope) -> R<Tab> {
        let ast::Expr::Call(c) = &inv.call else {
            return err(
                codes::WRONG_KIND,
                "`invoke` needs a function call",
                inv.span,
            );
        };
        let Some(Binding::Function(decl, def)) = scope.get(&c.name.name) else {
            return err(
                codes::UNKNOWN_FUNCTION,
                format!("`{}` is not a function defined with `let`", c.name.name),
                c.name.span,
            );
        };
        let Some(first) = decl.params.first() else {
            return err(
                codes::ARGUMENT_COUNT,
                format!("`{}` takes no table to invoke with", c.name.name),
                c.span,
            );
        };
        let mut rest = decl.as_ref().clone();
        rest.params.remove(0);
        let mut def = def.clone();
        def.set(&first.name.name, Binding::Tabular(input));
        self.inline_tabular_function(c, &rest, &def, scope)
    }

    /// Plans `source | op | op ...`; `input` is the implicit input of sub-queries.
    pub(crate) fn pipeline(
        &self,
        p: &ast::Pipeline,
        scope: &Scope,
        outermost: bool,
        input: Option<Tab>,
    ) -> R<Tab> {
        let mut ops = p.operators.iter().peekable();
        let mut tab = match (&p.source, input) {
            (Some(src), _) => self.tabular(src, scope)?,
            (None, Some(t)) => t,
            (None, None) => match ops.next() {
                Some(op) => self.source_operator(op, scope)?,
                None => return err(codes::WRONG_KIND, "an empty pipeline", p.span),
            },
        };
        while let Some(op) = ops.next() {
            if let Operator::Render(r) = op {
                if ops.peek().is_some() || !outermost {
                    return err(
                        codes::RENDER_NOT_LAST,
                        "`render` must be the last operator of the query",
                        r.span,
                    );
                }
                *self.render.borrow_mut() = Some(self.render_spec(r)?);
                continue;
            }
            tab = self.operator(tab, op, scope)?;
            if deeper_than(&tab.plan, MAX_PLAN_DEPTH) {
                return err(
                    codes::TOO_COMPLEX,
                    format!("the query's plan is more than {MAX_PLAN_DEPTH} operators deep"),
                    op.span(),
                )
                .map_err(|d| {
                    d.with_help("combine consecutive `where`s into one (`where A and B`)")
                });
            }
            check_plan_columns(&tab.plan, op.span())?;
        }
        Ok(tab)
    }

    /// Plans an operator that starts a pipeline without input.
    fn source_operator(&self, op: &Operator, scope: &Scope) -> R<Tab> {
        match op {
            Operator::Print(p) => self.print_to_plan(p, scope),
            Operator::Range(r) => self.range_to_plan(r, scope),
            Operator::Datatable(d) => self.datatable_to_plan(d, scope),
            Operator::Union(u) => not_supported("`union`", u.span),
            Operator::Evaluate(e) => not_supported(&format!("`evaluate {}`", e.call), e.span),
            Operator::Externaldata(e) => not_supported("`externaldata`", e.span),
            Operator::Search(s) => not_supported("`search`", s.span),
            Operator::Find(f) => not_supported("`find`", f.span),
            other => err(
                codes::WRONG_KIND,
                format!("`{}` needs an input table", other.name()),
                other.span(),
            )
            .map_err(|d| d.with_help(format!("write the input first: `T | {}`", other.name()))),
        }
    }

    /// Applies one operator (exhaustive: a new operator must be handled here).
    fn operator(&self, input: Tab, op: &Operator, scope: &Scope) -> R<Tab> {
        use Operator as O;
        match op {
            O::Where(w) => self.where_to_plan(input, w, scope),
            O::Extend(x) => self.extend_to_plan(input, &x.columns, scope),
            O::Project(x) => self.project_to_plan(input, &x.columns, scope),
            O::ProjectAway(x) => self.project_away_to_plan(input, x, scope, false),
            O::ProjectKeep(x) => self.project_away_to_plan(input, x, scope, true),
            O::ProjectRename(x) => self.project_rename_to_plan(input, x),
            O::ProjectReorder(x) => self.project_reorder_to_plan(input, x),
            O::Summarize(x) => self.summarize_to_plan(input, x, scope),
            O::Count(x) => self.count_to_plan(input, x),
            O::Distinct(x) => self.distinct_to_plan(input, x, scope),
            O::Sort(x) => self.sort_to_plan(input, &x.keys, scope, None),
            O::Top(x) => self.top_to_plan(input, x, scope),
            O::Take(x) => self.take_to_plan(input, &x.count, scope),
            O::MvExpand(x) => self.mv_expand_to_plan(input, x, scope),
            O::Serialize(x) => self.serialize_to_plan(input, x, scope),
            O::Getschema(s) => self.getschema_to_plan(input, *s),
            O::Render(r) => err(
                codes::RENDER_NOT_LAST,
                "`render` must be the last operator of the query",
                r.span,
            ),
            O::Print(x) => err(codes::WRONG_KIND, "`print` takes no input", x.span),
            O::Range(x) => err(codes::WRONG_KIND, "`range` takes no input", x.span),
            O::Datatable(x) => err(codes::WRONG_KIND, "`datatable` takes no input", x.span),
            O::TopNested(x) => not_supported("`top-nested`", x.span),
            O::TopHitters(x) => not_supported("`top-hitters`", x.span),
            O::Sample(x) => not_supported("`sample`", x.span),
            O::SampleDistinct(x) => not_supported("`sample-distinct`", x.span),
            O::Join(x) => not_supported("`join`", x.span),
            O::Lookup(x) => not_supported("`lookup`", x.span),
            O::Union(x) => not_supported("`union`", x.span),
            O::MvApply(x) => not_supported("`mv-apply`", x.span),
            O::Parse(x) => {
                not_supported(if x.where_ { "`parse-where`" } else { "`parse`" }, x.span)
            }
            O::ParseKv(x) => not_supported("`parse-kv`", x.span),
            O::MakeSeries(x) => not_supported("`make-series`", x.span),
            O::As(x) => not_supported("`as`", x.span),
            O::Invoke(x) => self.invoke_to_plan(input, x, scope),
            O::Evaluate(x) => not_supported(&format!("`evaluate {}`", x.call), x.span),
            O::Externaldata(x) => not_supported("`externaldata`", x.span),
            O::Search(x) => not_supported("`search`", x.span),
            O::Find(x) => not_supported("`find`", x.span),
            O::Facet(x) => not_supported("`facet`", x.span),
            O::Fork(x) => not_supported("`fork`", x.span),
            O::Partition(x) => not_supported("`partition`", x.span),
            O::Scan(x) => not_supported("`scan`", x.span),
            O::Consume(x) => not_supported("`consume`", x.span),
            O::Reduce(x) => not_supported("`reduce`", x.span),
        }
    }
}

/// A plan with no rows and no columns (a placeholder while deciding kinds).
fn empty_plan() -> LogicalPlan {
    LogicalPlanBuilder::empty(false)
        .build()
        .unwrap_or_else(|_| {
            LogicalPlan::EmptyRelation(datafusion_expr::EmptyRelation {
                produce_one_row: false,
                schema: std::sync::Arc::new(datafusion_common::DFSchema::empty()),
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::KqlType;

    fn long(v: i64) -> Binding {
        Binding::Scalar(Typed::new(datafusion_expr::lit(v), KqlType::Long))
    }

    fn value(scope: &Scope, name: &str) -> Option<String> {
        match scope.get(name) {
            Some(Binding::Scalar(t)) => Some(t.expr.to_string()),
            _ => None,
        }
    }

    #[test]
    fn a_clone_keeps_what_it_saw_and_later_names_shadow() {
        let mut scope = Scope::default();
        scope.set("a", long(1));
        let kept = scope.clone();
        scope.set("a", long(2));
        scope.set("b", long(3));
        assert_eq!(value(&kept, "a").as_deref(), Some("Int64(1)"));
        assert_eq!(value(&kept, "b"), None);
        assert_eq!(value(&scope, "a").as_deref(), Some("Int64(2)"));
        assert_eq!(value(&scope, "b").as_deref(), Some("Int64(3)"));
    }

    #[test]
    fn functions_defined_one_after_another_share_their_scopes() {
        // Each function keeps a clone of the scope; before, each clone copied every name, so
        // 20,000 function `let`s made 200 million copies and ran out of memory.
        let mut scope = Scope::default();
        let mut kept = Vec::new();
        for i in 0..5000 {
            kept.push(scope.clone());
            scope.set(&format!("f{i}"), long(i));
        }
        assert!(scope.layers().count() <= 13, "{}", scope.layers().count());
        assert_eq!(value(&scope, "f0").as_deref(), Some("Int64(0)"));
        assert_eq!(value(&scope, "f4999").as_deref(), Some("Int64(4999)"));
        assert_eq!(value(&kept[100], "f99").as_deref(), Some("Int64(99)"));
        assert_eq!(value(&kept[100], "f100"), None);
        assert_eq!(scope.names().count(), 5000);
    }
}

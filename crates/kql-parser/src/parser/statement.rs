//! Statements: `let`, `set`, `declare query_parameters`, `alias`, `restrict`, and the query
//! expression itself, separated by `;`.
//! <https://learn.microsoft.com/kusto/query/statements>

use super::error::{PError, found_token};
use super::expr::pipe_expr;
use super::lexical::{
    at_end, expect, expect_ident, expect_keyword, expect_punct, ident, is_keyword, is_punct, off,
    opt_keyword, opt_punct, span_from, ws,
};
use super::operators::common::{comma_list, schema, type_name};
use super::{Input, PResult};
use crate::ast::{FunctionBody, FunctionDecl, Param, ParamType, Query, Statement};
use kql_common::{Diagnostic, Span, codes};
use nom::Input as _;

/// `query = [ statement { ";" statement } ] [ ";" ]`
pub(crate) fn query(i: Input) -> PResult<Query> {
    let i = ws(i);
    let start = off(&i);
    let (i, statements) = statement_list(i, false, false)?;
    Ok((
        i,
        Query {
            statements,
            span: Span::new(start, off(&i)),
        },
    ))
}

/// `script = query { blank_line query }`: a file of queries. As in Kusto.Explorer, a blank line
/// ends a complete query, so `T1 | count` and `T2 | count` separated by an empty line are two
/// queries; a blank line inside a query (before `|`, after `;`) does not split it.
pub(crate) fn script(mut i: Input) -> PResult<Vec<Query>> {
    let mut queries = Vec::new();
    loop {
        let j = ws(i);
        if at_end(&j) {
            return Ok((j, queries));
        }
        let start = off(&j);
        let (r, statements) = statement_list(j, false, true)?;
        if !statements.is_empty() {
            queries.push(Query {
                statements,
                span: span_from(start, &r),
            });
        }
        i = r;
    }
}

/// Whether the trivia between offsets `from` and `to` contains an empty line.
fn blank_line_between(i: &Input, to: &Input) -> bool {
    let len = off(to).saturating_sub(off(i));
    let gap = i.fragment().get(..len).unwrap_or("");
    let mut lines = gap.split('\n');
    lines.next();
    let mut lines: Vec<&str> = lines.collect();
    lines.pop();
    lines.iter().any(|l| l.trim().is_empty())
}

/// Statements separated by `;`, stopping at the end (or at `}` inside a function body, or at a
/// blank line after a complete statement when `split_on_blank`).
fn statement_list(mut i: Input, in_body: bool, split_on_blank: bool) -> PResult<Vec<Statement>> {
    let mut statements = Vec::new();
    loop {
        let j = ws(i);
        if at_end(&j) || (in_body && is_punct(&j, "}")) {
            return Ok((j, statements));
        }
        if let (r, true) = opt_punct(j, ";") {
            i = r;
            continue;
        }
        let (after, s) = statement(j)?;
        let is_let = matches!(
            s,
            Statement::Let { .. } | Statement::LetFunction { .. } | Statement::Set { .. }
        );
        statements.push(s);
        let r = ws(after);
        if at_end(&r) || (in_body && is_punct(&r, "}")) {
            return Ok((r, statements));
        }
        if split_on_blank && !is_let && !is_punct(&r, ";") && blank_line_between(&after, &r) {
            return Ok((r, statements));
        }
        if !is_punct(&r, ";") {
            return Err(nom::Err::Failure(PError::diagnostic(
                trailing_diagnostic_at(&r),
            )));
        }
        i = r.take_from(1);
    }
}

fn trailing_diagnostic_at(i: &Input) -> Diagnostic {
    let (found, span) = found_token_in(i);
    if found == "`{`" {
        let rest = super::lexical::peek(i);
        if let Some(end) = rest.find('}').filter(|&n| n < 80) {
            let text = rest.get(..=end).unwrap_or("{");
            return Diagnostic::error(codes::SYNTAX, format!("`{text}` is a workbook parameter placeholder, not KQL"), Span::new(span.start as usize, span.start as usize + end + 1))
                .with_help("substitute workbook parameters (such as {TimeRange}) with values before checking the query");
        }
    }
    let d = Diagnostic::error(
        codes::SYNTAX,
        format!("expected `|`, `;` or the end of the query, found {found}"),
        span,
    )
    .with_label("the expression before this is complete");
    if found == "`=`" {
        return d.with_help("compare values with `==`; `=` only names columns (`extend x = ...`)");
    }
    d.with_help("operators are chained with `|`; statements are separated with `;`")
}

fn found_token_in(i: &Input) -> (String, Span) {
    let (found, span) = found_token(i.fragment(), 0);
    let base = off(i) as u32;
    (
        found,
        Span {
            start: span.start + base,
            end: span.end + base,
        },
    )
}

/// The diagnostic for text after a complete query.
pub(crate) fn trailing_diagnostic(src: &str, offset: usize) -> Diagnostic {
    let (found, span) = found_token(src, offset);
    Diagnostic::error(
        codes::TRAILING_INPUT,
        format!("unexpected {found} after the end of the query"),
        span,
    )
}

/// `statement = let_stmt | set_stmt | declare_stmt | alias_stmt | restrict_stmt | pipe_expr`
fn statement(i: Input) -> PResult<Statement> {
    let i = ws(i);
    if is_keyword(&i, "let") {
        return let_stmt(i);
    }
    if is_keyword(&i, "set") && !followed_by_pipe_or_end(&i, 3) {
        return set_stmt(i);
    }
    if is_keyword(&i, "declare") {
        return declare_stmt(i);
    }
    if is_keyword(&i, "alias") && is_keyword(&ws(i.take_from(5)), "database") {
        return alias_stmt(i);
    }
    if is_keyword(&i, "restrict") && is_keyword(&ws(i.take_from(8)), "access") {
        return restrict_stmt(i);
    }
    if is_command_start(&i) {
        return command_stmt(i);
    }
    let (r, e) = pipe_expr(i)?;
    Ok((r, Statement::Expr(e)))
}

fn is_command_start(i: &Input) -> bool {
    let rest = super::lexical::peek(i);
    rest.starts_with('.')
        && rest
            .get(1..)
            .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_alphabetic()))
}

/// `command_stmt = "." command_text { "|" tabular_operator }`: a management command such as
/// `.show tables`, whose text runs to the first `|` outside quotes or the end of the statement.
fn command_stmt(i: Input) -> PResult<Statement> {
    let start = off(&i);
    let rest = *i.fragment();
    let mut quote: Option<char> = None;
    let mut end = rest.len();
    for (idx, c) in rest.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '|' | ';') => {
                end = idx;
                break;
            }
            _ => {}
        }
    }
    let text = rest.get(..end).unwrap_or("").trim_end();
    let after = i.take_from(text.len());
    let command = crate::ast::Expr::Command(text.to_owned(), Span::new(start, start + text.len()));
    let mut operators = Vec::new();
    let mut r = after;
    loop {
        let j = ws(r);
        if !is_punct(&j, "|") {
            break;
        }
        let (next, op) = super::operators::operator_after_pipe(j.take_from(1))?;
        operators.push(op);
        r = next;
    }
    if operators.is_empty() {
        return Ok((r, Statement::Expr(command)));
    }
    let pipeline = crate::ast::Pipeline {
        source: Some(command),
        operators,
        span: span_from(start, &r),
    };
    Ok((
        r,
        Statement::Expr(crate::ast::Expr::Pipeline(Box::new(pipeline))),
    ))
}

fn followed_by_pipe_or_end(i: &Input, len: usize) -> bool {
    let after = ws(i.take_from(len));
    at_end(&after) || is_punct(&after, "|")
}

/// `let_stmt = "let" name "=" ( function_decl | pipe_expr )`
/// <https://learn.microsoft.com/kusto/query/let-statement>
fn let_stmt(i: Input) -> PResult<Statement> {
    let start = off(&i);
    let (i, _) = expect_keyword(i, "let", "`let`")?;
    let (i, name) = expect_ident(i, "a name after `let`")?;
    let (i, _) = expect_punct(i, "=", "`=` after the name")?;
    if let Some(r) = function_decl(i)? {
        let (r, decl) = r;
        return Ok((
            r,
            Statement::LetFunction {
                name,
                decl,
                span: span_from(start, &r),
            },
        ));
    }
    let (i, value) = expect("a value after `=`", pipe_expr)(i)?;
    Ok((
        i,
        Statement::Let {
            name,
            value,
            span: span_from(start, &i),
        },
    ))
}

/// `function_decl = [ "view" ] "(" [ param { "," param } ] ")" "{" function_body "}"`.
/// Returns `None` (consuming nothing) when this is not a function declaration, e.g. `(T | count)`.
fn function_decl(i: Input) -> Result<Option<(Input, FunctionDecl)>, nom::Err<PError>> {
    super::lexical::with_stack(|| function_decl_inner(i))
}

fn function_decl_inner(i: Input) -> Result<Option<(Input, FunctionDecl)>, nom::Err<PError>> {
    let _guard = super::lexical::enter(&i)?;
    let i = ws(i);
    let start = off(&i);
    let (j, view) = opt_keyword(i, "view");
    let Ok((j, params)) = param_list(j) else {
        if view {
            return Err(nom::Err::Failure(PError::expected(
                &ws(j),
                "`(` and the parameters after `view`",
            )));
        }
        return Ok(None);
    };
    let j = ws(j);
    if !is_punct(&j, "{") {
        if view || !params.is_empty() {
            return Err(nom::Err::Failure(PError::expected(
                &j,
                "`{` and the function body",
            )));
        }
        return Ok(None);
    }
    let body_start = off(&j);
    let (r, statements) = statement_list(j.take_from(1), true, false)?;
    let (r, _) = expect_punct(r, "}", "`}` to close the function body")?;
    let body = FunctionBody {
        statements,
        span: span_from(body_start, &r),
    };
    Ok(Some((
        r,
        FunctionDecl {
            view,
            params,
            body,
            span: span_from(start, &r),
        },
    )))
}

/// `"(" [ param { "," param } ] ")"`, failing softly so `(expr)` can be tried instead.
fn param_list(i: Input) -> PResult<Vec<Param>> {
    let (i, _) = super::lexical::punct("(")(i)?;
    if let (r, true) = opt_punct(i, ")") {
        return Ok((r, Vec::new()));
    }
    let mut params = Vec::new();
    let mut i = i;
    loop {
        let (r, p) = param(i)?;
        params.push(p);
        let (r, more) = opt_punct(r, ",");
        i = r;
        if !more {
            break;
        }
    }
    let (i, _) = super::lexical::punct(")")(i)?;
    Ok((i, params))
}

/// `param = name ":" ( type_name | schema ) [ "=" expr ]`
fn param(i: Input) -> PResult<Param> {
    let i = ws(i);
    let start = off(&i);
    let (i, name) = ident(i)?;
    let (i, _) = super::lexical::punct(":")(i)?;
    let j = ws(i);
    let (i, ty) = if is_punct(&j, "(") {
        let (r, s) = schema(j)?;
        (r, ParamType::Tabular(s))
    } else {
        let (r, t) = type_name(j)?;
        (r, ParamType::Scalar(t))
    };
    let (i, default) = if let (r, true) = opt_punct(i, "=") {
        let (r, d) = expect("a default value", super::expr::expr)(r)?;
        (r, Some(d))
    } else {
        (i, None)
    };
    Ok((
        i,
        Param {
            name,
            ty,
            default,
            span: span_from(start, &i),
        },
    ))
}

/// `set_stmt = "set" name [ "=" expr ]`
/// <https://learn.microsoft.com/kusto/query/set-statement>
fn set_stmt(i: Input) -> PResult<Statement> {
    let start = off(&i);
    let (i, _) = expect_keyword(i, "set", "`set`")?;
    let (i, name) = expect_ident(i, "an option name after `set`")?;
    let (i, value) = if let (r, true) = opt_punct(i, "=") {
        let (r, v) = expect("a value", super::expr::expr)(r)?;
        (r, Some(v))
    } else {
        (i, None)
    };
    Ok((
        i,
        Statement::Set {
            name,
            value,
            span: span_from(start, &i),
        },
    ))
}

/// `declare_stmt = "declare" "query_parameters" "(" param { "," param } ")"`
/// <https://learn.microsoft.com/kusto/query/query-parameters-statement>
fn declare_stmt(i: Input) -> PResult<Statement> {
    let start = off(&i);
    let (i, _) = expect_keyword(i, "declare", "`declare`")?;
    let (i, _) = expect_keyword(i, "query_parameters", "`query_parameters` after `declare`")?;
    let (i, _) = expect_punct(i, "(", "`(` and the parameters")?;
    let (i, params) = comma_list(i, "a parameter `name:type`", param)?;
    let (i, _) = expect_punct(i, ")", "`,` or `)` after the parameter")?;
    Ok((
        i,
        Statement::DeclareQueryParameters {
            params,
            span: span_from(start, &i),
        },
    ))
}

/// `alias_stmt = "alias" "database" name "=" pipe_expr`
/// <https://learn.microsoft.com/kusto/query/alias-statement>
fn alias_stmt(i: Input) -> PResult<Statement> {
    let start = off(&i);
    let (i, _) = expect_keyword(i, "alias", "`alias`")?;
    let (i, _) = expect_keyword(i, "database", "`database`")?;
    let (i, name) = expect_ident(i, "the alias name")?;
    let (i, _) = expect_punct(i, "=", "`=`")?;
    let (i, value) = expect("a database reference", pipe_expr)(i)?;
    Ok((
        i,
        Statement::Alias {
            name,
            value,
            span: span_from(start, &i),
        },
    ))
}

/// `restrict_stmt = "restrict" "access" "to" "(" expr { "," expr } ")"`
/// <https://learn.microsoft.com/kusto/query/restrict-statement>
fn restrict_stmt(i: Input) -> PResult<Statement> {
    let start = off(&i);
    let (i, _) = expect_keyword(i, "restrict", "`restrict`")?;
    let (i, _) = expect_keyword(i, "access", "`access`")?;
    let (i, _) = expect_keyword(i, "to", "`to`")?;
    let (i, _) = expect_punct(i, "(", "`(`")?;
    let (i, entities) = comma_list(i, "a table or function name", super::expr::unary_expr)?;
    let (i, _) = expect_punct(i, ")", "`,` or `)`")?;
    Ok((
        i,
        Statement::Restrict {
            entities,
            span: span_from(start, &i),
        },
    ))
}

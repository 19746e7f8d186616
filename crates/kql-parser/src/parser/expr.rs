//! Expressions, loosest to tightest: pipe, `or`, `and`, equality and string operators (incl. `in`,
//! `between`), relational, additive, multiplicative, unary, postfix (`.`, `[]`), primary.
//! <https://learn.microsoft.com/kusto/query/scalar-data-types/>

use super::error::{PError, unclosed};
use super::lexical::{
    enter, expect, expect_punct, fail, ident, is_keyword, is_punct, no_match, off, opt_punct, peek,
    peek_word, span_from, with_stack, ws,
};
use super::literal::{
    bool_value, number_lit, starts_number, starts_string, string_lit, typed_lit, typed_literal_type,
};
use super::operators::{operator_after_pipe, source_operator, starts_operator, subquery_operator};
use super::{Input, PResult};
use crate::ast::{
    Arg, BinaryOp, Call, Expr, Ident, ListOp, Literal, LiteralValue, Pipeline, Span, StringOp,
    StringOpKind, TypeOfArg, UnaryOp,
};
use kql_common::{Diagnostic, codes};
use nom::Input as _;

/// Longest `or`/`and`/operator chain at one level; bounds the depth of the left-nested tree.
const MAX_CHAIN: usize = 1000;

/// `pipe_expr = (source_operator | or_expr) { "|" tabular_operator }`
pub(crate) fn pipe_expr(i: Input) -> PResult<Expr> {
    with_stack(|| pipe_expr_inner(i))
}

fn pipe_expr_inner(i: Input) -> PResult<Expr> {
    let _guard = enter(&i)?;
    let i = ws(i);
    let start = off(&i);
    let (mut i, source, mut operators) = match source_operator(i)? {
        Some((rest, op)) => (rest, None, vec![op]),
        None => {
            let (rest, e) = or_expr(i)?;
            (rest, Some(e), Vec::new())
        }
    };
    loop {
        let j = ws(i);
        if !is_punct(&j, "|") {
            break;
        }
        let (rest, op) = operator_after_pipe(j.take_from(1))?;
        operators.push(op);
        i = rest;
    }
    match (source, operators.is_empty()) {
        (Some(e), true) => Ok((i, e)),
        (source, _) => Ok((
            i,
            Expr::Pipeline(Box::new(Pipeline {
                source,
                operators,
                span: span_from(start, &i),
            })),
        )),
    }
}

/// `subquery = [ "|" ] tabular_operator { "|" tabular_operator } | pipe_expr`: the body of `fork`,
/// `facet`, `mv-apply` and `partition`, whose input is implicit.
pub(crate) fn subquery(i: Input) -> PResult<Pipeline> {
    let _guard = enter(&i)?;
    let i = ws(i);
    let start = off(&i);
    let (i, leading_pipe) = opt_punct(i, "|");
    if leading_pipe || starts_operator(&i) {
        let (mut i, first) = if leading_pipe {
            operator_after_pipe(i)?
        } else {
            subquery_operator(i)?
        };
        let mut operators = vec![first];
        loop {
            let j = ws(i);
            if !is_punct(&j, "|") {
                break;
            }
            let (rest, op) = operator_after_pipe(j.take_from(1))?;
            operators.push(op);
            i = rest;
        }
        return Ok((
            i,
            Pipeline {
                source: None,
                operators,
                span: span_from(start, &i),
            },
        ));
    }
    let (rest, e) = pipe_expr(i)?;
    Ok(match e {
        Expr::Pipeline(p) => (rest, *p),
        e => {
            let span = e.span();
            (
                rest,
                Pipeline {
                    source: Some(e),
                    operators: Vec::new(),
                    span,
                },
            )
        }
    })
}

/// A scalar expression: `or_expr`.
pub(crate) fn expr(i: Input) -> PResult<Expr> {
    or_expr(i)
}

fn binary(op: BinaryOp, left: Expr, right: Expr) -> Expr {
    let span = left.span().to(right.span());
    Expr::Binary {
        op,
        left: Box::new(left),
        right: Box::new(right),
        span,
    }
}

fn too_long(i: &Input) -> nom::Err<PError> {
    nom::Err::Failure(PError::diagnostic(
        Diagnostic::error(
            codes::TOO_DEEP,
            format!("more than {MAX_CHAIN} operands in one chain"),
            super::lexical::next_char_span(i),
        )
        .with_help("use `in (...)` or `has_any (...)` for long lists of alternatives"),
    ))
}

/// `or_expr = and_expr { "or" and_expr }`
fn or_expr(i: Input) -> PResult<Expr> {
    let (mut i, mut left) = and_expr(i)?;
    let mut n = 0;
    while is_keyword(&i, "or") {
        n += 1;
        if n > MAX_CHAIN {
            return Err(too_long(&i));
        }
        let (rest, right) = expect("an expression after `or`", and_expr)(ws(i).take_from(2))?;
        left = binary(BinaryOp::Or, left, right);
        i = rest;
    }
    Ok((i, left))
}

/// `and_expr = eq_expr { "and" eq_expr }`
fn and_expr(i: Input) -> PResult<Expr> {
    let (mut i, mut left) = eq_expr(i)?;
    let mut n = 0;
    while is_keyword(&i, "and") {
        n += 1;
        if n > MAX_CHAIN {
            return Err(too_long(&i));
        }
        let (rest, right) = expect("an expression after `and`", eq_expr)(ws(i).take_from(3))?;
        left = binary(BinaryOp::And, left, right);
        i = rest;
    }
    Ok((i, left))
}

/// What follows the left operand at the equality level.
enum EqOp {
    Binary(BinaryOp),
    List(ListOp),
    Between(bool),
}

fn str_op(kind: StringOpKind, negated: bool, case_sensitive: bool) -> EqOp {
    EqOp::Binary(BinaryOp::Str(StringOp {
        kind,
        negated,
        case_sensitive,
    }))
}

/// Recognises an equality-level operator at the start of `rest`, returning it and its length.
/// Word operators are whole words: `has` does not match `has_any`.
fn eq_operator(rest: &str) -> Option<(EqOp, usize)> {
    for (tok, op) in [
        ("==", BinaryOp::Eq),
        ("!=", BinaryOp::NotEq),
        ("<>", BinaryOp::NotEq),
        ("=~", BinaryOp::EqCi),
        ("!~", BinaryOp::NotEqCi),
    ] {
        if rest.starts_with(tok) {
            return Some((EqOp::Binary(op), 2));
        }
    }
    let (neg, body) = match rest.strip_prefix('!') {
        Some(b) => (true, b),
        None => (false, rest),
    };
    let n = super::lexical::word_len(body);
    let word = body.get(..n)?;
    let bang = usize::from(neg);
    use StringOpKind as K;
    let op = match (neg, word) {
        (_, "in") if body.get(2..).is_some_and(|r| r.starts_with('~')) => {
            return Some((
                EqOp::List(if neg { ListOp::NotInCi } else { ListOp::InCi }),
                bang + 3,
            ));
        }
        (false, "in") => EqOp::List(ListOp::In),
        (true, "in") => EqOp::List(ListOp::NotIn),
        (false, "notin") => EqOp::List(ListOp::NotIn),
        (false, "has_any") => EqOp::List(ListOp::HasAny),
        (false, "has_all") => EqOp::List(ListOp::HasAll),
        (_, "between") => EqOp::Between(neg),
        (false, "notbetween") => EqOp::Between(true),
        (false, "matches") => {
            let after = body.get(n..)?;
            let gap = after.len() - after.trim_start().len();
            let tail = after.trim_start();
            if tail.starts_with("regex")
                && !tail
                    .get(5..)
                    .is_some_and(|r| r.starts_with(super::lexical::is_ident_char))
            {
                return Some((str_op(K::MatchesRegex, false, false), n + gap + 5));
            }
            return None;
        }
        (false, "notcontains") => str_op(K::Contains, true, false),
        (false, "notcontainscs") => str_op(K::Contains, true, true),
        (false, "containscs") => str_op(K::Contains, false, true),
        (false, "notlike") => str_op(K::Like, true, false),
        (false, "likecs") => str_op(K::Like, false, true),
        (false, "notlikecs") => str_op(K::Like, true, true),
        (neg, w) => {
            let (base, cs) = match w.strip_suffix("_cs") {
                Some(b) => (b, true),
                None => (w, false),
            };
            let kind = match base {
                "has" => K::Has,
                "hasprefix" => K::HasPrefix,
                "hassuffix" => K::HasSuffix,
                "contains" => K::Contains,
                "startswith" => K::StartsWith,
                "endswith" => K::EndsWith,
                "like" => K::Like,
                _ => return None,
            };
            str_op(kind, neg, cs)
        }
    };
    Some((op, bang + n))
}

/// `eq_expr = rel_expr { eq_op rel_expr | list_op list | between_op range }`
fn eq_expr(i: Input) -> PResult<Expr> {
    let (mut i, mut left) = rel_expr(i)?;
    let mut n = 0;
    loop {
        let j = ws(i);
        let Some((op, len)) = eq_operator(peek(&j)) else {
            break;
        };
        n += 1;
        if n > MAX_CHAIN {
            return Err(too_long(&j));
        }
        let after = j.take_from(len);
        match op {
            EqOp::Binary(op) => {
                let (rest, right) = expect("an expression after the operator", rel_expr)(after)?;
                left = binary(op, left, right);
                i = rest;
            }
            EqOp::List(op) => {
                let (rest, list) = in_list(after)?;
                let span = left.span().to(span_from(off(&j), &rest));
                left = Expr::InList {
                    left: Box::new(left),
                    op,
                    list,
                    span,
                };
                i = rest;
            }
            EqOp::Between(negated) => {
                let (rest, (low, high)) = between_range(after)?;
                let span = left.span().to(span_from(off(&j), &rest));
                left = Expr::Between {
                    expr: Box::new(left),
                    negated,
                    low: Box::new(low),
                    high: Box::new(high),
                    span,
                };
                i = rest;
            }
        }
    }
    Ok((i, left))
}

/// `list = "(" [ pipe_expr { "," pipe_expr } ] ")" | name`
fn in_list(i: Input) -> PResult<Vec<Expr>> {
    let i = ws(i);
    if !is_punct(&i, "(") {
        // `x in names` with a bare `let`-bound list is seen in the wild; only a plain name is
        // accepted this way (it prints as `in (names)`, which parses to the same tree).
        let word = peek_word(&i);
        if !word.is_empty()
            && !super::operators::is_operator_keyword(word)
            && let Ok((rest, name)) = ident(i)
            && !is_punct(&rest, "(")
            && !is_punct(&rest, ".")
            && !is_punct(&rest, "[")
        {
            return Ok((rest, vec![Expr::Name(name)]));
        }
        return Err(nom::Err::Failure(PError::expected(
            &i,
            "`(` and a list of values",
        )));
    }
    let _guard = enter(&i)?;
    let (mut i, _) = expect_punct(i, "(", "`(`")?;
    let mut list = Vec::new();
    if let (rest, true) = opt_punct(i, ")") {
        return Ok((rest, list));
    }
    loop {
        let (rest, e) = expect("a value in the list", pipe_expr)(i)?;
        list.push(e);
        let (rest, more) = opt_punct(rest, ",");
        i = rest;
        if !more {
            break;
        }
    }
    let (i, _) = expect_punct(i, ")", "`,` or `)` in the list")?;
    Ok((i, list))
}

/// `range = "(" add_expr ".." add_expr ")"`
fn between_range(i: Input) -> PResult<(Expr, Expr)> {
    let (i, _) = expect_punct(i, "(", "`(` after `between`")?;
    let (i, low) = expect("the lower bound", add_expr)(i)?;
    let (i, _) = expect_punct(i, "..", "`..` between the bounds")?;
    let (i, high) = expect("the upper bound", add_expr)(i)?;
    let (i, _) = expect_punct(i, ")", "`)` after the upper bound")?;
    Ok((i, (low, high)))
}

/// `rel_expr = add_expr { ("<" | "<=" | ">" | ">=") add_expr }`
fn rel_expr(i: Input) -> PResult<Expr> {
    let (mut i, mut left) = add_expr(i)?;
    loop {
        let j = ws(i);
        let op = if is_punct(&j, "<=") {
            (BinaryOp::Le, 2)
        } else if is_punct(&j, ">=") {
            (BinaryOp::Ge, 2)
        } else if is_punct(&j, "<") {
            (BinaryOp::Lt, 1)
        } else if is_punct(&j, ">") {
            (BinaryOp::Gt, 1)
        } else {
            break;
        };
        let (rest, right) =
            expect("an expression after the comparison", add_expr)(j.take_from(op.1))?;
        left = binary(op.0, left, right);
        i = rest;
    }
    Ok((i, left))
}

/// `add_expr = mul_expr { ("+" | "-") mul_expr }`
fn add_expr(i: Input) -> PResult<Expr> {
    let (mut i, mut left) = mul_expr(i)?;
    let mut n = 0;
    loop {
        let j = ws(i);
        let op = match peek(&j).as_bytes().first() {
            Some(b'+') => BinaryOp::Add,
            Some(b'-') => BinaryOp::Sub,
            _ => break,
        };
        n += 1;
        if n > MAX_CHAIN {
            return Err(too_long(&j));
        }
        let (rest, right) = expect("an expression after the operator", mul_expr)(j.take_from(1))?;
        left = binary(op, left, right);
        i = rest;
    }
    Ok((i, left))
}

/// `mul_expr = unary_expr { ("*" | "/" | "%") unary_expr }`
fn mul_expr(i: Input) -> PResult<Expr> {
    let (mut i, mut left) = unary_expr(i)?;
    let mut n = 0;
    loop {
        let j = ws(i);
        let op = match peek(&j).as_bytes().first() {
            Some(b'*') => BinaryOp::Mul,
            Some(b'/') => BinaryOp::Div,
            Some(b'%') => BinaryOp::Mod,
            _ => break,
        };
        n += 1;
        if n > MAX_CHAIN {
            return Err(too_long(&j));
        }
        let (rest, right) = expect("an expression after the operator", unary_expr)(j.take_from(1))?;
        left = binary(op, left, right);
        i = rest;
    }
    Ok((i, left))
}

/// `unary_expr = ("-" | "+") unary_expr | postfix_expr`
pub(crate) fn unary_expr(i: Input) -> PResult<Expr> {
    with_stack(|| unary_expr_inner(i))
}

fn unary_expr_inner(i: Input) -> PResult<Expr> {
    let i = ws(i);
    let op = match peek(&i).as_bytes().first() {
        Some(b'-') => UnaryOp::Neg,
        Some(b'+') => UnaryOp::Plus,
        _ => return postfix_expr(i),
    };
    let _guard = enter(&i)?;
    let start = off(&i);
    let (rest, e) = expect("an expression after the sign", unary_expr)(i.take_from(1))?;
    Ok((
        rest,
        Expr::Unary {
            op,
            expr: Box::new(e),
            span: span_from(start, &rest),
        },
    ))
}

/// `search_predicate = or_expr`, where operands may also be `Column:"term"` or `*:"term"`.
/// <https://learn.microsoft.com/kusto/query/search-operator>
pub(crate) fn search_predicate(i: Input) -> PResult<Expr> {
    let state = i.extra;
    let outer = state.colon_terms.replace(true);
    let result = or_expr(i);
    state.colon_terms.set(outer);
    result
}

/// `postfix_expr = primary { "." name | "." "[" expr "]" | "[" expr "]" }`
pub(crate) fn postfix_expr(i: Input) -> PResult<Expr> {
    let (i, e) = postfix_chain(i)?;
    let j = ws(i);
    if i.extra.colon_terms.get() && matches!(e, Expr::Name(_) | Expr::Star(_)) && is_punct(&j, ":")
    {
        let (r, value) = expect("a search term after `:`", postfix_chain)(j.take_from(1))?;
        return Ok((r, binary(BinaryOp::SearchColon, e, value)));
    }
    Ok((i, e))
}

fn postfix_chain(i: Input) -> PResult<Expr> {
    let (mut i, mut e) = primary(i)?;
    let mut n = 0;
    loop {
        let j = ws(i);
        let rest = peek(&j);
        let dotted = is_punct(&j, ".");
        let bracket = if dotted {
            rest.get(1..)
                .is_some_and(|r| r.trim_start().starts_with('['))
        } else {
            rest.starts_with('[')
        };
        n += 1;
        if n > MAX_CHAIN {
            return Err(too_long(&j));
        }
        if dotted && !bracket {
            let after = j.take_from(1);
            // `.['name']` is covered by `ident`; any word is a property name after a dot.
            let (r, member) = expect("a property name after `.`", ident)(after)?;
            let r2 = ws(r);
            if is_punct(&r2, "(") {
                let (r3, args) = call_args(r2)?;
                let span = e.span().to(span_from(off(&r2), &r3));
                e = Expr::Call(Call {
                    receiver: Some(Box::new(e)),
                    name: member,
                    args,
                    span,
                });
                i = r3;
                continue;
            }
            let span = e.span().to(member.span);
            e = Expr::Member {
                target: Box::new(e),
                member,
                span,
            };
            i = r;
        } else if bracket {
            let after = if dotted { ws(j.take_from(1)) } else { j };
            let inner = after.take_from(1);
            if dotted && starts_string(peek(&inner)) {
                // `.['name']`: a quoted member name.
                let (r, member) = ident(after)?;
                let span = e.span().to(member.span);
                e = Expr::Member {
                    target: Box::new(e),
                    member,
                    span,
                };
                i = r;
                continue;
            }
            let _guard = enter(&inner)?;
            let (r, index) = expect("an index or key inside `[ ]`", pipe_expr)(inner)?;
            let (r, close) = expect_punct(r, "]", "`]` to close the index")?;
            let span = e.span().to(close);
            e = Expr::Index {
                target: Box::new(e),
                index: Box::new(index),
                dotted,
                span,
            };
            i = r;
        } else {
            break;
        }
    }
    Ok((i, e))
}

/// `primary = literal | "(" pipe_expr ")" | call | name | "*" | typeof`
fn primary(i: Input) -> PResult<Expr> {
    let i = ws(i);
    let start = off(&i);
    let rest = peek(&i);
    if starts_string(rest) {
        let (r, l) = string_lit(i)?;
        return Ok((r, Expr::Literal(l)));
    }
    if starts_number(rest) {
        match number_lit(i) {
            Ok((r, l)) => return Ok((r, Expr::Literal(l))),
            Err(nom::Err::Error(_)) => {
                // A digit-led name such as `4xxrate`.
                let (r, name) = ident(i)?;
                return name_or_call(r, name);
            }
            Err(e) => return Err(e),
        }
    }
    let Some(first) = rest.chars().next() else {
        return no_match(&i);
    };
    match first {
        '(' => {
            let _guard = enter(&i)?;
            let (r, e) = expect("an expression after `(`", pipe_expr)(i.take_from(1))?;
            let r = ws(r);
            if !is_punct(&r, ")") {
                return Err(nom::Err::Failure(unclosed(
                    &r,
                    Span::new(start, start + 1),
                    ")",
                    "parenthesis",
                )));
            }
            let r = r.take_from(1);
            return Ok((r, Expr::Paren(Box::new(e), span_from(start, &r))));
        }
        '*' => return Ok((i.take_from(1), Expr::Star(Span::new(start, start + 1)))),
        '{' => return fail(placeholder(rest, start)),
        '[' => {
            let (r, name) = ident(i)?;
            return name_or_call(r, name);
        }
        _ => {}
    }
    let word = peek_word(&i);
    if word.is_empty() {
        return no_match(&i);
    }
    if let Some(b) = bool_value(word) {
        let after = i.take_from(word.len());
        if !is_punct(&after, "(") {
            let lit = Literal {
                value: LiteralValue::Bool(b),
                text: word.to_owned(),
                span: Span::new(start, start + word.len()),
            };
            return Ok((after, Expr::Literal(lit)));
        }
    }
    if word == "typeof" && is_punct(&i.take_from(6), "(") {
        return typeof_expr(i);
    }
    if let Some(ty) = typed_literal_type(word) {
        match typed_lit(i, word, ty) {
            Ok((r, l)) => return Ok((r, Expr::Literal(l))),
            Err(nom::Err::Error(_)) => {}
            Err(e) => return Err(e),
        }
    }
    let (r, name) = ident(i)?;
    name_or_call(r, name)
}

fn placeholder(rest: &str, start: usize) -> Diagnostic {
    // Up to the closing brace, or a short prefix (on a char boundary) when there is none nearby.
    let len = match rest.find('}') {
        Some(n) if n < 80 => n + 1,
        _ => kql_common::position::floor_char_boundary(rest, 80).max(1),
    };
    let text = rest.get(..len).unwrap_or("{");
    Diagnostic::error(codes::SYNTAX, format!("`{text}` is a workbook parameter placeholder, not KQL"), Span::new(start, start + len))
        .with_help("substitute workbook parameters (such as {TimeRange}) with values before checking the query")
}

/// A name, or a call when `(` follows.
fn name_or_call(i: Input, name: Ident) -> PResult<Expr> {
    let j = ws(i);
    if !is_punct(&j, "(") {
        return Ok((i, Expr::Name(name)));
    }
    let (rest, args) = call_args(j)?;
    let span = name.span.to(span_from(off(&j), &rest));
    Ok((
        rest,
        Expr::Call(Call {
            receiver: None,
            name,
            args,
            span,
        }),
    ))
}

/// `call_args = "(" [ arg { "," arg } ] ")"`; `arg = [ name "=" ] pipe_expr`
pub(crate) fn call_args(i: Input) -> PResult<Vec<Arg>> {
    let _guard = enter(&i)?;
    let (mut i, open) = expect_punct(i, "(", "`(`")?;
    let mut args = Vec::new();
    if let (rest, true) = opt_punct(i, ")") {
        return Ok((rest, args));
    }
    loop {
        let mut name = None;
        if let Ok((after_name, n)) = ident(i)
            && is_punct(&after_name, "=")
        {
            name = Some(n);
            i = ws(after_name).take_from(1);
        }
        let (rest, value) = expect("a function argument", pipe_expr)(i)?;
        args.push(Arg { name, value });
        let (rest, more) = opt_punct(rest, ",");
        i = rest;
        if !more {
            break;
        }
    }
    let i = ws(i);
    if !is_punct(&i, ")") {
        return Err(nom::Err::Failure(unclosed(&i, open, ")", "argument list")));
    }
    Ok((i.take_from(1), args))
}

/// `typeof = "typeof" "(" ( type | schema_body ) ")"`
fn typeof_expr(i: Input) -> PResult<Expr> {
    let i = ws(i);
    let start = off(&i);
    let after = i.take_from(6);
    let inner = ws(after).take_from(1);
    let w = peek_word(&inner);
    let single =
        crate::ast::KqlType::from_name(w).is_some() && is_punct(&ws(inner).take_from(w.len()), ")");
    if single {
        let (r, t) = super::operators::common::type_name(inner)?;
        let (r, _) = expect_punct(r, ")", "`)`")?;
        return Ok((r, Expr::TypeOf(TypeOfArg::Type(t), span_from(start, &r))));
    }
    let (r, schema) = super::operators::common::schema(after)?;
    Ok((
        r,
        Expr::TypeOf(TypeOfArg::Schema(schema), span_from(start, &r)),
    ))
}

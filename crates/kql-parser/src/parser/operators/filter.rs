//! Row filters and small operators: where/filter, take/limit, sample, sample-distinct, count,
//! getschema, serialize, as, consume.

use super::common::{comma_list, count_expr, named_expr, options};
use crate::ast::*;
use crate::parser::expr::expr;
use crate::parser::lexical::{
    at_end, expect, expect_ident, expect_keyword, is_punct, opt_keyword, span_from, ws,
};
use crate::parser::{Input, PResult};

fn starts_body(i: &Input) -> bool {
    let j = ws(*i);
    !(at_end(&j)
        || is_punct(&j, "|")
        || is_punct(&j, ";")
        || is_punct(&j, ")")
        || is_punct(&j, "}"))
}

/// `where_op = ("where" | "filter") options predicate`
/// <https://learn.microsoft.com/kusto/query/where-operator>
pub(crate) fn where_op(i: Input, kw: Span) -> PResult<Operator> {
    let filter_keyword = kw.end - kw.start == 6;
    let (i, options) = options(i, &["hint.*"])?;
    let (i, predicate) = expect("a predicate after `where`", expr)(i)?;
    let span = kw.to(span_from(kw.start as usize, &i));
    Ok((
        i,
        Operator::Where(Where {
            filter_keyword,
            options,
            predicate,
            span,
        }),
    ))
}

/// `take_op = ("take" | "limit") options expr`
/// <https://learn.microsoft.com/kusto/query/take-operator>
pub(crate) fn take_op(i: Input, kw: Span) -> PResult<Operator> {
    let limit_keyword = kw.end - kw.start == 5;
    let (i, options) = options(i, &["hint.*"])?;
    let (i, count) = expect("a row count", count_expr)(i)?;
    Ok((
        i,
        Operator::Take(Take {
            limit_keyword,
            options,
            count,
            span: span_from(kw.start as usize, &i),
        }),
    ))
}

/// `sample_op = "sample" options expr`
pub(crate) fn sample_op(i: Input, kw: Span) -> PResult<Operator> {
    let (i, options) = options(i, &["hint.*"])?;
    let (i, count) = expect("a row count", count_expr)(i)?;
    Ok((
        i,
        Operator::Sample(Sample {
            options,
            count,
            span: span_from(kw.start as usize, &i),
        }),
    ))
}

/// `sample_distinct_op = "sample-distinct" options expr "of" expr`
pub(crate) fn sample_distinct_op(i: Input, kw: Span) -> PResult<Operator> {
    let (i, options) = options(i, &["hint.*"])?;
    let (i, count) = expect("a value count", count_expr)(i)?;
    let (i, _) = expect_keyword(i, "of", "`of` and a column")?;
    let (i, of) = expect("a column after `of`", expr)(i)?;
    Ok((
        i,
        Operator::SampleDistinct(SampleDistinct {
            options,
            count,
            of,
            span: span_from(kw.start as usize, &i),
        }),
    ))
}

/// `count_op = "count" [ "as" name ]`
pub(crate) fn count_op(i: Input, kw: Span) -> PResult<Operator> {
    if let (r, true) = opt_keyword(i, "as") {
        let (r, name) = expect_ident(r, "a column name after `as`")?;
        return Ok((
            r,
            Operator::Count(Count {
                name: Some(name),
                span: span_from(kw.start as usize, &r),
            }),
        ));
    }
    Ok((
        i,
        Operator::Count(Count {
            name: None,
            span: kw,
        }),
    ))
}

/// `getschema_op = "getschema"`
pub(crate) fn getschema_op(i: Input, kw: Span) -> PResult<Operator> {
    Ok((i, Operator::Getschema(kw)))
}

/// `serialize_op = "serialize" [ named_expr { "," named_expr } ]`
pub(crate) fn serialize_op(i: Input, kw: Span) -> PResult<Operator> {
    let (i, columns) = if starts_body(&i) {
        comma_list(i, "a column", named_expr)?
    } else {
        (i, Vec::new())
    };
    Ok((
        i,
        Operator::Serialize(Serialize {
            columns,
            span: span_from(kw.start as usize, &i),
        }),
    ))
}

/// `as_op = "as" options name`
pub(crate) fn as_op(i: Input, kw: Span) -> PResult<Operator> {
    let (i, options) = options(i, &["hint.*"])?;
    let (i, name) = expect_ident(i, "a name after `as`")?;
    Ok((
        i,
        Operator::As(As {
            options,
            name,
            span: span_from(kw.start as usize, &i),
        }),
    ))
}

/// `consume_op = "consume" options`
pub(crate) fn consume_op(i: Input, kw: Span) -> PResult<Operator> {
    let (i, options) = options(i, &["decodeblocks", "hint.*"])?;
    Ok((
        i,
        Operator::Consume(Consume {
            options,
            span: span_from(kw.start as usize, &i),
        }),
    ))
}

//! Every literal form: decoded value and verbatim print.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "tests report failures by panicking"
)]

mod common;
use common::{expr, verified};
use kql_parser::ast::{DynamicValue, Expr, KqlType, LiteralValue};

#[track_caller]
fn lit(src: &str) -> LiteralValue {
    match expr(src) {
        Expr::Literal(l) => {
            assert_eq!(l.to_string(), src, "literal prints as written");
            l.value
        }
        Expr::Unary { .. } => panic!("{src} is a signed expression, not a literal"),
        other => panic!("{src} is not a literal: {other:?}"),
    }
}

fn s(v: &str) -> LiteralValue {
    LiteralValue::String(v.to_owned())
}

#[test]
fn strings() {
    assert_eq!(lit(r#""a\"b\\c\n""#), s("a\"b\\c\n"));
    assert_eq!(lit(r"'it\'s'"), s("it's"));
    assert_eq!(lit(r#"@"C:\temp\""#), s(r"C:\temp\"));
    assert_eq!(lit(r#"@"say ""hi""""#), s("say \"hi\""));
    assert_eq!(lit(r"@'C:\x'"), s(r"C:\x"));
    assert_eq!(lit(r#"h"secret""#), s("secret"));
    assert_eq!(lit(r#"H'secret'"#), s("secret"));
    assert_eq!(lit(r#"h@"C:\s""#), s(r"C:\s"));
    assert_eq!(lit("```line1\nline2```"), s("line1\nline2"));
    assert_eq!(lit(r#""\u00e9""#), s("é"));
    assert_eq!(lit(r#""regex \d+""#), s(r"regex \d+"));
    assert_eq!(lit(r#""a" 'b'"#), s("ab"), "adjacent literals concatenate");
    assert_eq!(lit("'日本語'"), s("日本語"));
}

#[test]
fn numbers() {
    assert_eq!(lit("42"), LiteralValue::Long(42));
    assert_eq!(lit("1.5"), LiteralValue::Real(1.5));
    assert_eq!(lit("1e-3"), LiteralValue::Real(1e-3));
    assert_eq!(lit("2.5E+2"), LiteralValue::Real(250.0));
    assert_eq!(lit("1000."), LiteralValue::Real(1000.0));
    assert_eq!(lit("0x1F"), LiteralValue::Long(31));
    assert_eq!(lit("9223372036854775807"), LiteralValue::Long(i64::MAX));
    assert_eq!(lit("true"), LiteralValue::Bool(true));
    assert_eq!(lit("False"), LiteralValue::Bool(false));
    assert!(matches!(expr("-1"), Expr::Unary { .. }));
}

#[test]
fn typed_literals() {
    assert_eq!(lit("int(5)"), LiteralValue::Int(5));
    assert_eq!(lit("long(-5)"), LiteralValue::Long(-5));
    assert_eq!(lit("real(2.5)"), LiteralValue::Real(2.5));
    assert_eq!(lit("double(1)"), LiteralValue::Real(1.0));
    assert!(matches!(lit("real(nan)"), LiteralValue::Real(x) if x.is_nan()));
    assert_eq!(lit("real(+inf)"), LiteralValue::Real(f64::INFINITY));
    assert_eq!(lit("real(-inf)"), LiteralValue::Real(f64::NEG_INFINITY));
    assert_eq!(lit("decimal(1.25)"), LiteralValue::Decimal("1.25".into()));
    assert_eq!(lit("bool(true)"), LiteralValue::Bool(true));
    assert_eq!(
        lit("guid(74be27de-1e4e-49d9-b579-fe0b331d3642)"),
        LiteralValue::Guid("74be27de-1e4e-49d9-b579-fe0b331d3642".into())
    );
    for (src, ty) in [
        ("long(null)", KqlType::Long),
        ("int(null)", KqlType::Int),
        ("real(null)", KqlType::Real),
        ("bool(null)", KqlType::Bool),
        ("datetime(null)", KqlType::DateTime),
        ("timespan(null)", KqlType::Timespan),
        ("guid(null)", KqlType::Guid),
        ("decimal(null)", KqlType::Decimal),
    ] {
        assert_eq!(lit(src), LiteralValue::Null(ty), "{src}");
    }
}

#[test]
fn datetimes() {
    for (src, inner) in [
        ("datetime(2024-01-31)", "2024-01-31"),
        (
            "datetime(2024-01-31 10:20:30.1234567)",
            "2024-01-31 10:20:30.1234567",
        ),
        ("datetime(2024-01-31T10:20:30Z)", "2024-01-31T10:20:30Z"),
        ("datetime(\"2024-01-31\")", "2024-01-31"),
        (
            "datetime(Sat, 8 Nov 2014 15:05:02 GMT)",
            "Sat, 8 Nov 2014 15:05:02 GMT",
        ),
        ("date(2024-02-01)", "2024-02-01"),
    ] {
        assert_eq!(lit(src), LiteralValue::DateTime(inner.into()), "{src}");
    }
}

#[test]
fn timespans() {
    const S: i64 = 10_000_000;
    for (src, ticks) in [
        ("1d", 86_400 * S),
        ("2h", 7_200 * S),
        ("30m", 1_800 * S),
        ("10s", 10 * S),
        ("100ms", S / 10),
        ("5microseconds", 50),
        ("1microsecond", 10),
        ("1tick", 1),
        ("3ticks", 3),
        ("1.5h", 5_400 * S),
        ("2days", 2 * 86_400 * S),
        ("1hr", 3_600 * S),
        ("1min", 60 * S),
        ("1sec", S),
        ("1millisecond", 10_000),
        ("time(1.02:03:04)", (((26 * 60) + 3) * 60 + 4) * S),
        ("time(00:01:00)", 60 * S),
        ("timespan(2d)", 2 * 86_400 * S),
        ("timespan(2)", 2 * 86_400 * S),
        ("timespan(15 seconds)", 15 * S),
        (
            "time(0.12:34:56.7)",
            ((12 * 60 + 34) * 60 + 56) * S + 7 * S / 10,
        ),
    ] {
        assert_eq!(lit(src), LiteralValue::Timespan(ticks), "{src}");
    }
}

#[test]
fn dynamic_literals() {
    use DynamicValue as D;
    let dynamic = |src: &str| match lit(src) {
        LiteralValue::Dynamic(d) => d,
        other => panic!("{other:?}"),
    };
    assert_eq!(dynamic("dynamic(null)"), D::Null);
    assert_eq!(dynamic("dynamic([])"), D::Array(vec![]));
    assert_eq!(
        dynamic("dynamic([1, 'a', \"b\", true, null, 2.5, -3])"),
        D::Array(vec![
            D::Long(1),
            D::String("a".into()),
            D::String("b".into()),
            D::Bool(true),
            D::Null,
            D::Real(2.5),
            D::Long(-3),
        ])
    );
    assert_eq!(
        dynamic("dynamic({\"a\": 1, 'b': [2], c: {}})"),
        D::Object(vec![
            ("a".into(), D::Long(1)),
            ("b".into(), D::Array(vec![D::Long(2)])),
            ("c".into(), D::Object(vec![])),
        ])
    );
    assert_eq!(
        dynamic("dynamic([datetime(2024-01-01), 1h])"),
        D::Array(vec![
            D::Scalar(Box::new(LiteralValue::DateTime("2024-01-01".into()))),
            D::Scalar(Box::new(LiteralValue::Timespan(36_000_000_000))),
        ])
    );
}

#[test]
fn names() {
    verified("T | project ['with space'], [\"double\"], ['it\\'s']");
    verified("T | extend a = d.b.c, e = d['k'], f = d[0], g = d[-1], h = d.[0], i = d.['x y']");
    verified("T | extend a = f(x=1, y=2)");
    verified("T | where $left.a == $right.b");
    verified("T | extend 90th_Percentile = 1, 4xxrate = 2");
    verified("T | summarize arg_max(t, *), count(*)");
}

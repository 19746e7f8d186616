//! Options whose values form a closed set: every keyword parses into its enum and prints back as
//! written; a word outside the set is KP011 with the caret at the word; an unknown render
//! property is KP010.
//! <https://learn.microsoft.com/kusto/query/join-operator>,
//! <https://learn.microsoft.com/kusto/query/render-operator>

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "tests report failures by panicking"
)]

mod common;
use common::{fails, first_expr, verified};
use kql_parser::ast::*;

/// The operators of `src`'s pipeline, after checking it round-trips.
#[track_caller]
fn operators(src: &str) -> Vec<Operator> {
    let q = verified(src);
    match first_expr(&q) {
        Expr::Pipeline(p) => p.operators.clone(),
        other => panic!("not a pipeline: {other}"),
    }
}

/// The option values of the first operator of `src`.
#[track_caller]
fn values(src: &str) -> Vec<OptionValue> {
    let options = match operators(src).into_iter().next() {
        Some(Operator::Join(j) | Operator::Lookup(j)) => j.options,
        Some(Operator::Union(u)) => u.options,
        Some(Operator::MvExpand(m)) => m.options,
        Some(Operator::Parse(p)) => p.options,
        Some(Operator::Search(s)) => s.options,
        Some(Operator::MakeSeries(m)) => m.options,
        other => panic!("no options: {other:?}"),
    };
    options.into_iter().map(|o| o.value).collect()
}

/// Every keyword of `T`, written into `template` at `{}`, parses and `check`s.
#[track_caller]
fn each<T: ClosedSet + std::fmt::Display>(template: &str, check: impl Fn(T, &[OptionValue])) {
    for k in T::ALL {
        let src = template.replace("{}", k.as_str());
        check(*k, &values(&src));
    }
}

#[test]
fn every_keyword_of_every_set_parses_into_its_enum() {
    each("T | join kind={} (U) on x", |k: JoinKind, v| {
        assert!(matches!(v, [OptionValue::JoinKind(w)] if w.value == k))
    });
    each("T | lookup kind={} (U) on x", |k: LookupKind, v| {
        assert!(matches!(v, [OptionValue::LookupKind(w)] if w.value == k))
    });
    each(
        "T | join hint.strategy={} (U) on x",
        |k: JoinStrategy, v| assert!(matches!(v, [OptionValue::JoinStrategy(w)] if w.value == k)),
    );
    each("T | join hint.remote={} (U) on x", |k: JoinRemote, v| {
        assert!(matches!(v, [OptionValue::JoinRemote(w)] if w.value == k))
    });
    each("union kind={} T, U", |k: UnionKind, v| {
        assert!(matches!(v, [OptionValue::UnionKind(w)] if w.value == k))
    });
    each("T | mv-expand kind={} x", |k: MvExpandKind, v| {
        assert!(matches!(v, [OptionValue::MvExpandKind(w)] if w.value == k))
    });
    each("T | mv-expand bagexpansion={} x", |k: MvExpandKind, v| {
        assert!(matches!(v, [OptionValue::MvExpandKind(w)] if w.value == k))
    });
    each("T | parse kind={} m with a", |k: ParseKind, v| {
        assert!(matches!(v, [OptionValue::ParseKind(w)] if w.value == k))
    });
    each("search kind={} \"x\"", |k: SearchKind, v| {
        assert!(matches!(v, [OptionValue::SearchKind(w)] if w.value == k))
    });
    each(
        "T | make-series kind={} count() on t step 1h",
        |k: MakeSeriesKind, v| {
            assert!(matches!(v, [OptionValue::MakeSeriesKind(w)] if w.value == k))
        },
    );
}

#[test]
fn free_values_stay_as_written() {
    let v = values("T | join kind=inner withsource=Src hint.shufflekey=k (U) on x");
    assert!(matches!(&v[1], OptionValue::Value(Expr::Name(n)) if n.name == "Src"));
    assert!(matches!(&v[2], OptionValue::Value(Expr::Name(n)) if n.name == "k"));
    let v = values("T | mv-expand with_itemindex=i kind=array x");
    assert!(matches!(&v[0], OptionValue::Value(Expr::Name(n)) if n.name == "i"));
}

#[test]
fn hint_values_match_whatever_their_case() {
    let q = kql_parser::parse_query("T | join hint.strategy=Shuffle hint.remote=LOCAL (U) on x")
        .unwrap();
    assert_eq!(
        q.to_string(),
        "T | join hint.strategy=shuffle hint.remote=local (U) on x"
    );
}

/// The render operator of `src`.
#[track_caller]
fn render(src: &str) -> Render {
    match operators(src).pop() {
        Some(Operator::Render(r)) => r,
        other => panic!("not a render: {other:?}"),
    }
}

#[test]
fn every_visualization_and_render_keyword_parses() {
    for v in Visualization::ALL {
        assert_eq!(render(&format!("T | render {v}")).chart.value, *v);
    }
    for k in RenderKind::ALL {
        let r = render(&format!("T | render columnchart with (kind={k})"));
        assert!(matches!(&r.with[0].value, OptionValue::RenderKind(w) if w.value == *k));
    }
    for l in Legend::ALL {
        let r = render(&format!("T | render timechart legend={l}"));
        assert_eq!(r.legacy[0].name.value, RenderProperty::Legend);
        assert!(matches!(&r.legacy[0].value, OptionValue::Legend(w) if w.value == *l));
    }
    for a in AxisScale::ALL {
        let r = render(&format!("T | render timechart with (xaxis={a}, yaxis={a})"));
        assert!(matches!(&r.with[1].value, OptionValue::AxisScale(w) if w.value == *a));
    }
    for y in YSplit::ALL {
        let r = render(&format!("T | render timechart with (ysplit={y})"));
        assert!(matches!(&r.with[0].value, OptionValue::YSplit(w) if w.value == *y));
    }
    for p in RenderProperty::ALL {
        let value = match p {
            RenderProperty::Kind => "stacked",
            RenderProperty::Legend => "hidden",
            RenderProperty::XAxis | RenderProperty::YAxis => "log",
            RenderProperty::YSplit => "panels",
            _ => "x",
        };
        let r = render(&format!(
            "T | render timechart {p}={value} with ({p}={value})"
        ));
        assert_eq!((r.legacy[0].name.value, r.with[0].name.value), (*p, *p));
    }
}

/// The diagnostic for `src`, which must fail with `code`, on one line: code, byte range of the
/// caret, message, label and help.
#[track_caller]
fn described(src: &str, code: &str) -> String {
    let d = fails(src, code);
    format!(
        "{} {:?} {} | {} | {}",
        d.code.id,
        d.span.range(),
        d.message,
        d.label.unwrap_or_default(),
        d.help.unwrap_or_default()
    )
}

#[test]
fn a_misspelt_join_kind_is_kp011_at_the_word() {
    assert_eq!(
        described("T | join kind=innr (U) on x", "KP011"),
        "KP011 14..18 `innr` is not a join kind | expected a join kind | did you mean `inner`?"
    );
}

#[test]
fn kinds_are_case_sensitive() {
    let d = fails("T | join kind=LeftOuter (U) on x", "KP011");
    assert_eq!(d.help.as_deref(), Some("did you mean `leftouter`?"));
    fails("T | mv-expand bagexpansion=Array x", "KP011");
    fails("T | render Timechart", "KP011");
}

#[test]
fn a_misspelt_visualization_is_kp011() {
    assert_eq!(
        described("T\n| render timechrt", "KP011"),
        "KP011 11..19 `timechrt` is not a visualization | expected a visualization | \
         did you mean `timechart`?"
    );
}

#[test]
fn a_value_far_from_the_set_lists_the_set() {
    assert_eq!(
        described("T | render timechart with (ysplit=zzz)", "KP011"),
        "KP011 34..37 `zzz` is not `none`, `axes` or `panels` | \
         expected `none`, `axes` or `panels` | one of: `none`, `axes`, `panels`"
    );
}

#[test]
fn an_unknown_render_property_is_kp010() {
    assert_eq!(
        described("T | render timechart with (titl='x')", "KP010"),
        "KP010 27..31 `titl` is not a render property | unknown property | did you mean `title`?"
    );
}

#[test]
fn other_closed_sets_are_checked_too() {
    for src in [
        "T | lookup kind=fullouter (U) on x",
        "T | join hint.strategy=fast (U) on x",
        "union kind=left T, U",
        "T | parse kind=glob m with a",
        "search kind=exact \"x\"",
        "T | make-series kind=empty count() on t step 1h",
        "T | render columnchart kind=stack",
        "T | render timechart with (legend=shown)",
        "T | render timechart with (xaxis=logarithmic)",
    ] {
        fails(src, "KP011");
    }
}

#[test]
fn a_missing_value_is_still_expected() {
    let d = fails("T | render", "KP002");
    assert_eq!(d.message, "expected a visualization, found end of query");
    fails("T | join kind=\"inner\" (U) on x", "KP001");
}

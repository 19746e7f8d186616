//! One or more cases per tabular operator and option form: each parses and prints back
//! canonically (and the printed text parses to the same tree).

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "tests report failures by panicking"
)]

mod common;
use common::{parses_to, verified};
use kql_parser::ast::{Expr, Operator};

fn ops(src: &str) -> Vec<Operator> {
    match common::first_expr(&verified(src)) {
        Expr::Pipeline(p) => p.operators.clone(),
        other => panic!("not a pipeline: {other:?}"),
    }
}

#[test]
fn where_and_filter() {
    verified("T | where A == 1 and B != 'x' or not(C)");
    verified("T | filter A > 1");
    verified("T | where hint.remote=auto A > 1");
    assert!(matches!(ops("T | filter x")[0], Operator::Where(ref w) if w.filter_keyword));
}

#[test]
fn extend_project_and_friends() {
    verified("T | extend x = 1, y = strcat(a, b), z");
    verified("T | extend (a, b) = f(x)");
    verified("T | project a, b = c * 2, ['col with space'] = 1");
    verified("T | project-away a, b*, *c, d*e");
    verified("T | project-keep a, b*");
    verified("T | project-rename new = old, ['n 2'] = o2");
    verified("T | project-reorder b asc, a* desc, c granny-asc, d granny-desc, e");
    assert!(matches!(
        ops("T | project-away a")[0],
        Operator::ProjectAway(_)
    ));
    assert!(matches!(ops("T | project a")[0], Operator::Project(_)));
}

#[test]
fn summarize_forms() {
    verified("T | summarize count()");
    verified("T | summarize count() by bin(TimeGenerated, 1h), Action");
    verified("T | summarize by a, b");
    verified("T | summarize n = dcount(x), arg_max(TimeGenerated, *) by k = tostring(y)");
    verified("T | summarize hint.strategy=shuffle count() by a");
    verified("T | summarize hint.shufflekey=a hint.num_partitions=10 count() by a");
    verified("T | summarize (t, v) = arg_max(TimeGenerated, Value) by k");
    verified("T | summarize percentiles(x, 50, 95) by bin_at(t, 1d, datetime(2024-01-01))");
}

#[test]
fn count_distinct_sort_top_take() {
    verified("T | count");
    verified("T | count as Total");
    verified("T | distinct a, b");
    verified("T | distinct *");
    verified("T | distinct hint.strategy=shuffle a");
    verified("T | distinct Name = tolower(n)");
    verified("T | sort by a");
    verified("T | sort by a asc, b desc nulls first, c nulls last");
    verified("T | order by a desc");
    verified("T | top 10 by a");
    verified("T | top 10 by a asc nulls last");
    verified("T | take 5");
    verified("T | limit 5");
    verified("T | take hint.x=1 5");
    verified("T | sample 10");
    verified("T | sample-distinct 5 of a");
    assert!(matches!(ops("T | order by a")[0], Operator::Sort(ref s) if s.order_keyword));
    assert!(matches!(ops("T | limit 1")[0], Operator::Take(ref t) if t.limit_keyword));
}

#[test]
fn top_nested_and_top_hitters() {
    verified("T | top-nested 3 of a by n = count()");
    verified(
        "T | top-nested 3 of a with others = 'other' by sum(x) desc, top-nested 2 of b by max(y) asc",
    );
    verified("T | top-nested of a by count()");
    verified("T | top-hitters 5 of a");
    verified("T | top-hitters 5 of a by b");
}

#[test]
fn joins_lookups_unions() {
    verified("T | join (U) on a");
    verified("T | join kind=inner (U | where x) on $left.a == $right.b");
    verified("T | join kind=leftouter hint.strategy=broadcast U on a, b");
    verified("T | join kind=leftanti (U) on $left.a == $right.b and $left.c == $right.d");
    verified("T | lookup kind=leftouter (U) on a");
    verified("T | lookup U on a");
    verified("union T, U");
    verified("union kind=outer withsource=SourceTable isfuzzy=true T, (U | where x), V*");
    verified("T | union U, W");
    verified("union withsource=TableName App*");
    verified("T | join kind=inner (cluster('c').database('d').U) on k");
}

#[test]
fn mv_expand_and_mv_apply() {
    verified("T | mv-expand x");
    verified("T | mv-expand x to typeof(long), y = z limit 10");
    verified("T | mv-expand bagexpansion=array with_itemindex=Idx d");
    verified("T | mvexpand x");
    verified("T | mv-apply x to typeof(long) on (summarize s = sum(x))");
    verified("T | mv-apply with_itemindex=i v = arr on (where v > 1 | top 1 by v)");
    verified("T | mv-apply x limit 5 on (take 1)");
    assert!(matches!(ops("T | mvexpand x")[0], Operator::MvExpand(ref m) if m.legacy_keyword));
}

#[test]
fn parse_family() {
    verified("T | parse Message with * \"user=\" User:string \" id=\" Id:long *");
    verified("T | parse kind=regex flags=Ui Message with \"(?P<x>\\\\d+)\" x");
    verified("T | parse kind=relaxed m with a \",\" b");
    verified("T | parse-where m with \"a=\" a:int");
    verified("T | parse-kv m as (a:string, b:long) with (pair_delimiter=',', kv_delimiter='=')");
    verified("T | parse-kv m as (a:string)");
}

#[test]
fn make_series_and_render() {
    verified("T | make-series n = count() on t from ago(1d) to now() step 1h by k");
    verified("T | make-series kind=nonempty avg(x) default = 0 on t step 1h");
    verified("T | make-series count() on t in range(ago(1d), now(), 1h)");
    verified("T | render timechart");
    verified("T | render columnchart with (kind=stacked, title='Failures', ymin=0)");
    verified("T | render barchart kind=stacked");
}

#[test]
fn source_operators() {
    verified("print 1");
    verified("print x = 1, y = 'a'");
    verified("range x from 1 to 10 step 1");
    verified("range t from ago(1d) to now() step 1h | count");
    verified("datatable (a:long, b:string) [1, 'x', 2, 'y']");
    verified("datatable (a:long) []");
    verified(
        "externaldata (a:string) ['https://example.invalid/x.csv'] with (format='csv', ignoreFirstRecord=true)",
    );
    verified("external_data (a:string) ['u']");
    verified("evaluate bag_unpack(d)");
    verified("T | evaluate pivot(a, count(), b)");
    verified("T | evaluate hint.distribution=per_node bag_unpack(d) : (a:string, *)");
    verified("search \"error\"");
    verified("search kind=case_sensitive in (T, U*) \"x\" and Level:\"Warn\"");
    verified("T | search * has \"x\"");
    verified("find withsource=Src in (T, U) where a == 1 project-smart");
    verified("find where a == 1 project a, b");
    verified("find where x > 1 project-away c*");
}

#[test]
fn remaining_operators() {
    verified("T | serialize");
    verified("T | serialize rn = row_number()");
    verified("T | as Saved");
    verified("T | as hint.materialized=true Saved");
    verified("T | invoke f(1)");
    verified("T | getschema");
    verified("T | facet by a, b");
    verified("T | facet by a with (take 3)");
    verified("T | fork (where a > 1) (take 2) named = (count)");
    verified("T | partition by k (top 1 by t)");
    verified("T | partition hint.strategy=native by k {U | where a}");
    verified(
        "T | scan declare (s:long = 0) with ( step a: x > 1 => s = s + 1; step b optional output=last: x < 0; )",
    );
    verified("T | consume");
    verified("T | consume decodeblocks=true");
    verified("T | reduce by m");
    verified("T | reduce kind=source by m with threshold=0.1, characters='_'");
}

#[test]
fn statements() {
    verified("let x = 1; T | where a > x");
    verified("let f = (a:long, b:string = 'd') { a + 1 }; print f(1)");
    verified("let g = (T:(a:long, *)) { T | where a > 1 }; g(U)");
    verified("let h = (T:(*)) { T | count }; h(U)");
    verified("let v = view () { T | take 1 }; v");
    verified("let m = materialize(T | summarize count() by a); m | join (m) on a");
    verified("set query_now = datetime(2024-01-01); T");
    verified("set notruncation; T");
    verified("declare query_parameters(a:string = 'x', b:long); T | where c == a");
    verified("alias database db = cluster('https://c.kusto.windows.net').database('d'); T");
    verified("restrict access to (T, U); T");
    verified(".show tables");
    verified(".show tables | where TableName startswith 'AAD'");
    parses_to("let x = 1;;\nT\n;", "let x = 1; T");
}

#[test]
fn keyword_prefixes_are_not_confused() {
    // `project` must not match `project-away`, `has` must not match `has_any`.
    assert!(matches!(
        ops("T | project-away a")[0],
        Operator::ProjectAway(_)
    ));
    assert!(matches!(
        ops("T | project-keep a")[0],
        Operator::ProjectKeep(_)
    ));
    assert!(matches!(
        ops("T | top-nested 1 of a by count()")[0],
        Operator::TopNested(_)
    ));
    assert!(matches!(ops("T | parse-where m with a")[0], Operator::Parse(ref p) if p.where_));
    assert!(matches!(
        ops("T | sample-distinct 1 of a")[0],
        Operator::SampleDistinct(_)
    ));
    verified("T | where a has_any ('x') and b has 'y' and c has_all ('z')");
    verified("T | where a in ('x') and b in~ ('y') and c !in ('z') and d !in~ ('w')");
}

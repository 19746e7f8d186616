//! `dynamic` values are JSON text (see `crate::types`). These kernels read and build them.
//! <https://learn.microsoft.com/kusto/query/scalar-data-types/dynamic>

use super::args::{arg, done, longs, strs};
use super::json::{self, Kind};
use datafusion_common::arrow::array::{
    Array, ArrayRef, BooleanBuilder, Float64Builder, Int64Builder, StringBuilder,
};
use datafusion_common::arrow::datatypes::DataType;
use datafusion_common::{Result, ScalarValue, exec_err};
use datafusion_expr::ColumnarValue;
use kql_common::time;

/// One step of a property path: a key or an array index.
enum Step {
    Key(String),
    Index(i64),
}

/// `kql_dyn_get(value, step, ...)`: the value at a path of keys (strings) and indexes (integers).
/// Steps may be per-row (`d[key_column]`).
pub fn dyn_get(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let value = strs(arg(args, 0, "dyn_get")?)?;
    let mut constant: Option<Vec<Step>> = Some(Vec::new());
    for a in args.iter().skip(1) {
        match a {
            ColumnarValue::Scalar(ScalarValue::Utf8(Some(k))) => {
                if let Some(c) = constant.as_mut() {
                    c.push(Step::Key(k.clone()));
                }
            }
            ColumnarValue::Scalar(s) if s.data_type().is_integer() => {
                let ScalarValue::Int64(Some(i)) = s.cast_to(&DataType::Int64)? else {
                    constant = None;
                    break;
                };
                if let Some(c) = constant.as_mut() {
                    c.push(Step::Index(i));
                }
            }
            _ => constant = None,
        }
    }
    let mut out = StringBuilder::with_capacity(n, n * 8);
    match constant {
        Some(path) => {
            for i in 0..n {
                out.append_option(value.get(i).and_then(|v| walk(v, &path)));
            }
        }
        None => {
            let steps: Vec<StepArg> = args.iter().skip(1).map(step_arg).collect::<Result<_>>()?;
            for i in 0..n {
                let path: Option<Vec<Step>> = steps.iter().map(|s| s.get(i)).collect();
                out.append_option(value.get(i).zip(path).and_then(|(v, p)| walk(v, &p)));
            }
        }
    }
    done(out.finish())
}

enum StepArg<'a> {
    Keys(super::args::Strs<'a>),
    Indexes(super::args::Longs),
}

impl StepArg<'_> {
    fn get(&self, i: usize) -> Option<Step> {
        match self {
            StepArg::Keys(s) => s.get(i).map(|k| Step::Key(k.to_owned())),
            StepArg::Indexes(l) => l.get(i).map(Step::Index),
        }
    }
}

fn step_arg(v: &ColumnarValue) -> Result<StepArg<'_>> {
    if v.data_type().is_integer() {
        Ok(StepArg::Indexes(longs(v)?))
    } else {
        Ok(StepArg::Keys(strs(v)?))
    }
}

fn walk<'a>(mut v: &'a str, path: &[Step]) -> Option<&'a str> {
    for step in path {
        v = match step {
            Step::Key(k) => json::value_of_key(v, k)?,
            Step::Index(i) => json::element_at(v, *i)?,
        };
    }
    (json::kind(v) != Kind::Null).then_some(v)
}

/// `tostring(dynamic)`: a JSON string's text, `""` for null, other values as compact JSON.
pub fn dyn_tostring(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let value = strs(arg(args, 0, "tostring")?)?;
    let mut out = StringBuilder::with_capacity(n, n * 8);
    for i in 0..n {
        out.append_value(value.get(i).map_or(String::new(), dynamic_to_string));
    }
    done(out.finish())
}

/// The text `tostring()` gives for a dynamic value.
pub fn dynamic_to_string(v: &str) -> String {
    match json::kind(v) {
        Kind::String => json::unquote(v).unwrap_or_else(|| v.to_owned()),
        Kind::Null => String::new(),
        Kind::Object | Kind::Array => compact(v),
        Kind::Number | Kind::Bool => v.trim().to_owned(),
        Kind::Text => v.to_owned(),
    }
}

/// Compact JSON text for a dynamic value (text that is not JSON becomes a JSON string).
pub fn compact(v: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(v) {
        Ok(j) => j.to_string(),
        Err(_) => json::quote(v),
    }
}

/// The scalar inside a dynamic value as text: strings unquoted, numbers and bools as written.
fn scalar_text(v: &str) -> Option<String> {
    match json::kind(v) {
        Kind::String => json::unquote(v),
        Kind::Number | Kind::Bool | Kind::Text => Some(v.trim().to_owned()),
        _ => None,
    }
}

macro_rules! dyn_convert {
    ($name:ident, $builder:ty, $conv:expr) => {
        /// Converts a dynamic value; null when it does not convert.
        pub fn $name(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
            let value = strs(arg(args, 0, stringify!($name))?)?;
            let mut out = <$builder>::with_capacity(n);
            let conv = $conv;
            for i in 0..n {
                out.append_option(
                    value
                        .get(i)
                        .and_then(|v| scalar_text(v))
                        .and_then(|t| conv(&t)),
                );
            }
            done(out.finish())
        }
    };
}

dyn_convert!(dyn_tolong, Int64Builder, |t: &str| {
    super::convert::parse_long(t)
});
dyn_convert!(dyn_toreal, Float64Builder, |t: &str| {
    super::convert::parse_real(t)
});
dyn_convert!(dyn_tobool, BooleanBuilder, |t: &str| {
    super::convert::parse_bool(t)
});
dyn_convert!(
    dyn_todatetime,
    Int64Builder,
    |t: &str| time::parse_datetime(t)
);
dyn_convert!(dyn_totimespan, Int64Builder, |t: &str| {
    kql_common::timespan::parse_text(t)
});

/// `gettype(dynamic)`: `dictionary`, `array`, `string`, `long`, `real`, `bool`, `null`.
pub fn gettype(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let value = strs(arg(args, 0, "gettype")?)?;
    let mut out = StringBuilder::with_capacity(n, n * 6);
    for i in 0..n {
        out.append_value(match value.get(i).map(json::kind) {
            None | Some(Kind::Null) => "null",
            Some(Kind::Object) => "dictionary",
            Some(Kind::Array) => "array",
            Some(Kind::String | Kind::Text) => "string",
            Some(Kind::Bool) => "bool",
            Some(Kind::Number) => {
                let t = value.get(i).unwrap_or("").trim();
                if t.contains(['.', 'e', 'E']) {
                    "real"
                } else {
                    "long"
                }
            }
        });
    }
    done(out.finish())
}

/// `array_length(dynamic)`: element count, null when not an array.
pub fn array_length(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let value = strs(arg(args, 0, "array_length")?)?;
    let mut out = Int64Builder::with_capacity(n);
    for i in 0..n {
        out.append_option(
            value
                .get(i)
                .and_then(json::array_elements)
                .map(|e| e.len() as i64),
        );
    }
    done(out.finish())
}

fn object_entries(v: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    match serde_json::from_str::<serde_json::Value>(v).ok()? {
        serde_json::Value::Object(m) => Some(m),
        _ => None,
    }
}

/// `bag_keys(dynamic)`: the keys of a property bag as a dynamic array.
pub fn bag_keys(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let value = strs(arg(args, 0, "bag_keys")?)?;
    let mut out = StringBuilder::with_capacity(n, n * 8);
    for i in 0..n {
        out.append_option(value.get(i).and_then(object_entries).map(|m| {
            serde_json::Value::Array(
                m.keys()
                    .map(|k| serde_json::Value::String(k.clone()))
                    .collect(),
            )
            .to_string()
        }));
    }
    done(out.finish())
}

/// `bag_has_key(bag, key)`.
pub fn bag_has_key(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let value = strs(arg(args, 0, "bag_has_key")?)?;
    let key = strs(arg(args, 1, "bag_has_key")?)?;
    let mut out = BooleanBuilder::with_capacity(n);
    for i in 0..n {
        out.append_option(
            value
                .get(i)
                .zip(key.get(i))
                .map(|(v, k)| match k.strip_prefix("$.") {
                    // `$.a.b` looks a nested key up.
                    Some(path) => {
                        let mut cur = Some(v);
                        for part in path.split('.') {
                            cur = cur.and_then(|c| json::value_of_key(c, part));
                        }
                        cur.is_some()
                    }
                    None => json::value_of_key(v, k).is_some(),
                }),
        );
    }
    done(out.finish())
}

fn parse_array(v: &str) -> Option<Vec<serde_json::Value>> {
    match serde_json::from_str::<serde_json::Value>(v).ok()? {
        serde_json::Value::Array(a) => Some(a),
        _ => None,
    }
}

/// `array_concat(a, b, ...)`: null when any argument is not an array.
pub fn array_concat(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let cols: Vec<_> = args.iter().map(strs).collect::<Result<_>>()?;
    let mut out = StringBuilder::with_capacity(n, n * 16);
    for i in 0..n {
        let mut all = Vec::new();
        let mut ok = true;
        for c in &cols {
            match c.get(i).and_then(parse_array) {
                Some(a) => all.extend(a),
                None => ok = false,
            }
        }
        out.append_option(ok.then(|| serde_json::Value::Array(all).to_string()));
    }
    done(out.finish())
}

/// `array_slice(arr, start, end)`: inclusive bounds, negative counting from the end.
pub fn array_slice(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let value = strs(arg(args, 0, "array_slice")?)?;
    let start = longs(arg(args, 1, "array_slice")?)?;
    let end = longs(arg(args, 2, "array_slice")?)?;
    let mut out = StringBuilder::with_capacity(n, n * 16);
    for i in 0..n {
        let r = value
            .get(i)
            .and_then(parse_array)
            .zip(start.get(i).zip(end.get(i)))
            .map(|(a, (s, e))| {
                let len = a.len() as i64;
                let norm = |x: i64| if x < 0 { x + len } else { x };
                let (s, e) = (norm(s).max(0), norm(e).min(len - 1));
                let items: Vec<_> = if s > e {
                    Vec::new()
                } else {
                    a[s as usize..=e as usize].to_vec()
                };
                serde_json::Value::Array(items).to_string()
            });
        out.append_option(r);
    }
    done(out.finish())
}

fn sort_values_nulls(
    mut a: Vec<serde_json::Value>,
    asc: bool,
    nulls_last: bool,
) -> Vec<serde_json::Value> {
    use serde_json::Value as V;
    // Kusto sorts nulls last in both directions; numbers before strings.
    let rank = |v: &V| match v {
        V::Number(_) => 0,
        V::String(_) => 1,
        V::Bool(_) => 2,
        _ => 3,
    };
    let (mut nulls, mut rest): (Vec<V>, Vec<V>) = a.drain(..).partition(V::is_null);
    rest.sort_by(|x, y| {
        let o = rank(x).cmp(&rank(y)).then_with(|| match (x, y) {
            (V::Number(p), V::Number(q)) => p
                .as_f64()
                .unwrap_or(0.0)
                .partial_cmp(&q.as_f64().unwrap_or(0.0))
                .unwrap_or(std::cmp::Ordering::Equal),
            (V::String(p), V::String(q)) => p.cmp(q),
            (V::Bool(p), V::Bool(q)) => p.cmp(q),
            _ => std::cmp::Ordering::Equal,
        });
        if asc { o } else { o.reverse() }
    });
    if nulls_last {
        rest.append(&mut nulls);
        rest
    } else {
        nulls.append(&mut rest);
        nulls
    }
}

fn array_sort(args: &[ColumnarValue], n: usize, asc: bool) -> Result<ColumnarValue> {
    let value = strs(arg(args, 0, "array_sort")?)?;
    let nulls_last = match args.get(1) {
        Some(v) => Some(super::args::bools(v)?),
        None => None,
    };
    let mut out = StringBuilder::with_capacity(n, n * 16);
    for i in 0..n {
        let last = nulls_last.as_ref().and_then(|b| b.get(i)).unwrap_or(true);
        let sorted = value
            .get(i)
            .and_then(parse_array)
            .map(|a| serde_json::Value::Array(sort_values_nulls(a, asc, last)));
        out.append_option(sorted.map(|v| v.to_string()));
    }
    done(out.finish())
}

/// `array_sort_asc(arr)`.
pub fn array_sort_asc(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    array_sort(args, n, true)
}

/// `array_sort_desc(arr)`.
pub fn array_sort_desc(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    array_sort(args, n, false)
}

/// `set_union(a, b, ...)`: distinct values in first-seen order.
pub fn set_union(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let cols: Vec<_> = args.iter().map(strs).collect::<Result<_>>()?;
    let mut out = StringBuilder::with_capacity(n, n * 16);
    for i in 0..n {
        let mut seen: Vec<serde_json::Value> = Vec::new();
        let mut ok = true;
        for c in &cols {
            match c.get(i).and_then(parse_array) {
                Some(a) => {
                    for v in a {
                        if !seen.contains(&v) {
                            seen.push(v);
                        }
                    }
                }
                None => ok = false,
            }
        }
        out.append_option(ok.then(|| serde_json::Value::Array(seen).to_string()));
    }
    done(out.finish())
}

fn json_value(v: Option<&str>) -> serde_json::Value {
    match v {
        None => serde_json::Value::Null,
        Some(t) => {
            serde_json::from_str(t).unwrap_or_else(|_| serde_json::Value::String(t.to_owned()))
        }
    }
}

/// `pack(key, value, ...)` / `bag_pack`: values arrive as dynamic (JSON) text.
pub fn pack(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let cols: Vec<_> = args.iter().map(strs).collect::<Result<_>>()?;
    let mut out = StringBuilder::with_capacity(n, n * 32);
    for i in 0..n {
        let mut m = serde_json::Map::new();
        for pair in cols.chunks(2) {
            if let [k, v] = pair
                && let Some(key) = k.get(i)
            {
                m.insert(key.to_owned(), json_value(v.get(i)));
            }
        }
        out.append_value(serde_json::Value::Object(m).to_string());
    }
    done(out.finish())
}

/// `pack_array(value, ...)`: values arrive as dynamic (JSON) text.
pub fn pack_array(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let cols: Vec<_> = args.iter().map(strs).collect::<Result<_>>()?;
    let mut out = StringBuilder::with_capacity(n, n * 16);
    for i in 0..n {
        let items: Vec<_> = cols.iter().map(|c| json_value(c.get(i))).collect();
        out.append_value(serde_json::Value::Array(items).to_string());
    }
    done(out.finish())
}

/// `kql_parse_json(text)`: the text itself is the dynamic value; empty text is null. Text that
/// is not JSON reads as a string value wherever it is used (Kusto's `parse_json` behaviour).
pub fn parse_json(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let value = strs(arg(args, 0, "parse_json")?)?;
    let mut out = StringBuilder::with_capacity(n, n * 32);
    for i in 0..n {
        match value.get(i).map(str::trim) {
            Some(t) if !t.is_empty() && json::kind(t) != Kind::Text => out.append_value(t),
            Some(t) if !t.is_empty() => out.append_value(json::quote(t)),
            _ => out.append_null(),
        }
    }
    done(out.finish())
}

/// `kql_to_json(value, type_name)`: any typed value (or list of values from an aggregate) as
/// dynamic JSON text. Datetimes and timespans become strings in the query-API format.
pub fn to_json(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let value = arg(args, 0, "to_json")?;
    let ty = match args.get(1) {
        Some(ColumnarValue::Scalar(ScalarValue::Utf8(Some(t)))) => t.clone(),
        _ => return exec_err!("to_json: missing type name"),
    };
    let array: ArrayRef = value.to_array(n)?;
    let mut out = StringBuilder::with_capacity(n, n * 16);
    for i in 0..n {
        out.append_option(json_of(&array, i, &ty).map(|v| v.to_string()));
    }
    done(out.finish())
}

/// The JSON value at row `i` of `array` whose Kusto type (or list element type) is `ty`.
fn json_of(array: &ArrayRef, i: usize, ty: &str) -> Option<serde_json::Value> {
    use serde_json::Value as V;
    if array.is_null(i) {
        return None;
    }
    let scalar = ScalarValue::try_from_array(array, i).ok()?;
    Some(match (ty, scalar) {
        (_, ScalarValue::List(l)) => {
            let inner = l.value(0);
            V::Array(
                (0..inner.len())
                    .map(|j| json_of(&inner, j, ty).unwrap_or(V::Null))
                    .collect(),
            )
        }
        ("dynamic", s) => json_value(Some(&s.to_string())),
        ("datetime", ScalarValue::Int64(Some(t))) => V::String(time::format_datetime(t)),
        ("timespan", ScalarValue::Int64(Some(t))) => V::String(time::format_timespan(t)),
        (_, ScalarValue::Boolean(Some(b))) => V::Bool(b),
        (_, ScalarValue::Int32(Some(x))) => V::from(x),
        (_, ScalarValue::Int64(Some(x))) => V::from(x),
        (_, ScalarValue::Float64(Some(x))) => {
            serde_json::Number::from_f64(x).map_or(V::String(x.to_string()), V::Number)
        }
        (
            _,
            ScalarValue::Utf8(Some(s))
            | ScalarValue::Utf8View(Some(s))
            | ScalarValue::LargeUtf8(Some(s)),
        ) => V::String(s),
        (_, s) => V::String(s.to_string()),
    })
}

/// `split(text, delimiter[, index])`: a dynamic array of strings (or one element of it).
pub fn split(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let text = strs(arg(args, 0, "split")?)?;
    let delim = strs(arg(args, 1, "split")?)?;
    let index = match args.get(2) {
        Some(v) => Some(longs(v)?),
        None => None,
    };
    let mut out = StringBuilder::with_capacity(n, n * 16);
    for i in 0..n {
        let (Some(t), Some(d)) = (text.get(i), delim.get(i)) else {
            out.append_null();
            continue;
        };
        let parts: Vec<serde_json::Value> = if d.is_empty() {
            vec![serde_json::Value::String(t.to_owned())]
        } else {
            t.split(d)
                .map(|p| serde_json::Value::String(p.to_owned()))
                .collect()
        };
        let value = match &index {
            None => Some(serde_json::Value::Array(parts)),
            Some(ix) => ix
                .get(i)
                .and_then(|k| usize::try_from(k).ok())
                .and_then(|k| parts.get(k).cloned())
                .map(|p| serde_json::Value::Array(vec![p])),
        };
        out.append_option(value.map(|v| v.to_string()));
    }
    done(out.finish())
}

/// `extract_all(regex, text)`: all matches of the first group (or all groups) as a dynamic array.
pub fn extract_all(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let pattern = strs(arg(args, 0, "extract_all")?)?;
    // `extract_all(regex, [groups,] text)`: an optional dynamic array of capture-group numbers.
    let (groups_arg, text) = if args.len() == 3 {
        (
            Some(strs(arg(args, 1, "extract_all")?)?),
            strs(arg(args, 2, "extract_all")?)?,
        )
    } else {
        (None, strs(arg(args, 1, "extract_all")?)?)
    };
    let mut cache = super::strings::RegexCache::default();
    let mut out = StringBuilder::with_capacity(n, n * 16);
    for i in 0..n {
        let (Some(p), Some(t)) = (pattern.get(i), text.get(i)) else {
            out.append_null();
            continue;
        };
        let Some(re) = cache.get(p) else {
            out.append_null();
            continue;
        };
        let groups = re.captures_len();
        let wanted: Option<Vec<usize>> = groups_arg
            .as_ref()
            .and_then(|g| g.get(i))
            .and_then(parse_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_u64().and_then(|x| usize::try_from(x).ok()))
                    .collect()
            });
        let mut items = Vec::new();
        for caps in re.captures_iter(t) {
            let text_of = |g: usize| {
                serde_json::Value::String(caps.get(g).map_or("", |m| m.as_str()).to_owned())
            };
            if let Some(w) = &wanted {
                items.push(if w.len() == 1 {
                    text_of(w[0])
                } else {
                    serde_json::Value::Array(w.iter().map(|g| text_of(*g)).collect())
                });
                continue;
            }
            let v = match groups {
                1 => serde_json::Value::String(caps.get(0).map_or("", |m| m.as_str()).to_owned()),
                2 => serde_json::Value::String(caps.get(1).map_or("", |m| m.as_str()).to_owned()),
                _ => serde_json::Value::Array(
                    (1..groups)
                        .map(|g| {
                            serde_json::Value::String(
                                caps.get(g).map_or("", |m| m.as_str()).to_owned(),
                            )
                        })
                        .collect(),
                ),
            };
            items.push(v);
        }
        out.append_option((!items.is_empty()).then(|| serde_json::Value::Array(items).to_string()));
    }
    done(out.finish())
}

/// `has_any_index(text, dynamic_array)`: index of the first array element that `text` has (as a
/// whole term, case-insensitive), or -1.
pub fn has_any_index(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let text = strs(arg(args, 0, "has_any_index")?)?;
    let values = strs(arg(args, 1, "has_any_index")?)?;
    let mut out = Int64Builder::with_capacity(n);
    for i in 0..n {
        let (Some(t), Some(v)) = (text.get(i), values.get(i)) else {
            out.append_null();
            continue;
        };
        let items = json::array_elements(v).unwrap_or_default();
        let idx = items.iter().position(|e| {
            let needle = dynamic_to_string(e);
            super::strings::has_term(t, &needle, false)
        });
        out.append_value(idx.map_or(-1, |x| x as i64));
    }
    done(out.finish())
}

/// `text has_all (values)`: every element of the dynamic array is a term of `text`.
pub fn has_all(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let text = strs(arg(args, 0, "has_all")?)?;
    let values = strs(arg(args, 1, "has_all")?)?;
    let mut out = BooleanBuilder::with_capacity(n);
    for i in 0..n {
        let (Some(t), Some(v)) = (text.get(i), values.get(i)) else {
            out.append_null();
            continue;
        };
        let items = json::array_elements(v).unwrap_or_default();
        out.append_value(
            items
                .iter()
                .all(|e| super::strings::has_term(t, &dynamic_to_string(e), false)),
        );
    }
    done(out.finish())
}

/// `kql_percentile(values, p)`: nearest-rank percentile of a dynamic array of numbers (the
/// smallest value with at least p% of the values at or below it).
pub fn percentile(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let values = strs(arg(args, 0, "percentile")?)?;
    let p = super::args::reals(arg(args, 1, "percentile")?)?;
    let mut out = StringBuilder::with_capacity(n, n * 8);
    for i in 0..n {
        let r = values
            .get(i)
            .and_then(parse_array)
            .zip(p.get(i))
            .and_then(|(a, p)| {
                let mut nums: Vec<(f64, serde_json::Value)> = a
                    .into_iter()
                    .filter_map(|v| {
                        Some((
                            v.as_f64()
                                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))?,
                            v,
                        ))
                    })
                    .collect();
                if nums.is_empty() {
                    return None;
                }
                nums.sort_by(|x, y| x.0.partial_cmp(&y.0).unwrap_or(std::cmp::Ordering::Equal));
                let rank = ((p / 100.0) * nums.len() as f64).ceil().max(1.0) as usize;
                nums.get(rank.min(nums.len()) - 1)
                    .map(|(_, v)| v.to_string())
            });
        out.append_option(r);
    }
    done(out.finish())
}

/// `kql_merge_bags(array_of_bags)`: one property bag with every key (later values win).
pub fn merge_bags(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let values = strs(arg(args, 0, "make_bag")?)?;
    let mut out = StringBuilder::with_capacity(n, n * 16);
    for i in 0..n {
        let Some(items) = values.get(i).and_then(parse_array) else {
            out.append_null();
            continue;
        };
        let mut m = serde_json::Map::new();
        for item in items {
            let obj = match item {
                serde_json::Value::Object(o) => Some(o),
                serde_json::Value::String(s) => object_entries(&s),
                _ => None,
            };
            if let Some(o) = obj {
                m.extend(o);
            }
        }
        out.append_value(serde_json::Value::Object(m).to_string());
    }
    done(out.finish())
}

/// The items `mv-expand` makes of a dynamic value: array elements, or one single-key bag (or
/// `[key, value]` array when `mode` is `array`) per property; a scalar is itself; null is one
/// null item (the row is kept); an empty array or bag is no item.
fn mv_items(v: Option<&str>, array_mode: bool) -> Vec<Option<String>> {
    let Some(v) = v else { return vec![None] };
    match json::kind(v) {
        Kind::Array => json::array_elements(v)
            .unwrap_or_default()
            .into_iter()
            .map(|e| Some(e.to_owned()))
            .collect(),
        Kind::Object => object_entries(v)
            .map(|m| {
                m.into_iter()
                    .map(|(k, val)| {
                        let item = if array_mode {
                            serde_json::Value::Array(vec![serde_json::Value::String(k), val])
                        } else {
                            serde_json::Value::Object([(k, val)].into_iter().collect())
                        };
                        Some(item.to_string())
                    })
                    .collect()
            })
            .unwrap_or_default(),
        Kind::Null => vec![None],
        _ => vec![Some(v.to_owned())],
    }
}

/// `kql_mv_items(value, mode, limit)`: a list of item texts per row, for `mv-expand`.
pub fn mv_expand_items(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    use datafusion_common::arrow::array::ListBuilder;
    let value = strs(arg(args, 0, "mv-expand")?)?;
    let mode = strs(arg(args, 1, "mv-expand")?)?;
    let limit = longs(arg(args, 2, "mv-expand")?)?;
    let mut out = ListBuilder::new(StringBuilder::new());
    for i in 0..n {
        let items = mv_items(value.get(i), mode.get(i) == Some("array"));
        let cap = limit
            .get(i)
            .and_then(|l| usize::try_from(l).ok())
            .unwrap_or(usize::MAX);
        for item in items.into_iter().take(cap) {
            out.values().append_option(item);
        }
        out.append(true);
    }
    done(out.finish())
}

/// `kql_mv_index(value, mode, limit)`: the item positions `0, 1, ...` matching `kql_mv_items`.
pub fn mv_expand_index(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    use datafusion_common::arrow::array::ListBuilder;
    let value = strs(arg(args, 0, "mv-expand")?)?;
    let mode = strs(arg(args, 1, "mv-expand")?)?;
    let limit = longs(arg(args, 2, "mv-expand")?)?;
    let mut out = ListBuilder::new(Int64Builder::new());
    for i in 0..n {
        let count = mv_items(value.get(i), mode.get(i) == Some("array")).len();
        let cap = limit
            .get(i)
            .and_then(|l| usize::try_from(l).ok())
            .unwrap_or(usize::MAX);
        for k in 0..count.min(cap) {
            out.values().append_value(k as i64);
        }
        out.append(true);
    }
    done(out.finish())
}

/// `kql_parse_json_scalar(text)`: text as a dynamic string value (empty text is null), so typed
/// conversions (`extract(..., typeof(long))`) can read it.
pub fn parse_json_scalar(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let value = strs(arg(args, 0, "extract")?)?;
    let mut out = StringBuilder::with_capacity(n, n * 8);
    for i in 0..n {
        out.append_option(value.get(i).filter(|t| !t.is_empty()).map(json::quote));
    }
    done(out.finish())
}

/// `kql_set_flatten(array)`: the distinct elements of an array whose elements may themselves be
/// arrays (`make_set` over an array column is the set of the arrays' elements).
pub fn set_flatten(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let value = strs(arg(args, 0, "make_set")?)?;
    let mut out = StringBuilder::with_capacity(n, n * 16);
    for i in 0..n {
        let r = value.get(i).and_then(parse_array).map(|items| {
            let mut seen: Vec<serde_json::Value> = Vec::new();
            for item in items {
                let parts = match item {
                    serde_json::Value::Array(a) => a,
                    other => vec![other],
                };
                for p in parts {
                    if !seen.contains(&p) {
                        seen.push(p);
                    }
                }
            }
            serde_json::Value::Array(seen).to_string()
        });
        out.append_option(r);
    }
    done(out.finish())
}

//! Kusto functions whose semantics differ from DataFusion's built-ins, as scalar UDFs. Each is a
//! plain kernel function registered in [`udf`]; the planner calls them through [`call`].
//!
//! Files: `json.rs` (the dynamic-value text scanner), `dynamic.rs` (property access, `gettype`,
//! conversions), `strings.rs` (`has`, `contains`, ... with Kusto's case and term rules),
//! `datetime.rs` (tick arithmetic, `bin`, parts, formatting), `convert.rs` (`tostring`, `tolong`, ...),
//! `arith.rs` (`+`, `-`, `*` on longs, timespans and datetimes: null where Int64 or the datetime
//! range would overflow), `decimal.rs` (the same for decimals), `power.rs` (`pow` as .NET's `Math.Pow`), `range.rs` (the count and values
//! of `range`).

mod args;
pub mod arith;
pub mod convert;
pub mod datetime;
pub mod decimal;
pub mod dynamic;
pub mod json;
pub mod power;
pub mod range;
pub mod strings;

use datafusion_common::Result;
use datafusion_common::arrow::datatypes::DataType;
use datafusion_expr::{
    ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// A kernel: evaluated arguments and the row count to a result.
pub type Kernel = fn(&[ColumnarValue], usize) -> Result<ColumnarValue>;

/// A KQL scalar function backed by a [`Kernel`]. Identity is the name (names are unique).
#[derive(Debug)]
pub struct KqlUdf {
    name: &'static str,
    signature: Signature,
    ret: DataType,
    kernel: Kernel,
}

impl PartialEq for KqlUdf {
    fn eq(&self, other: &KqlUdf) -> bool {
        self.name == other.name
    }
}

impl Eq for KqlUdf {}

impl std::hash::Hash for KqlUdf {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl ScalarUDFImpl for KqlUdf {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(self.ret.clone())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        (self.kernel)(&args.args, args.number_rows)
    }
}

fn list_item(dt: DataType) -> Arc<datafusion_common::arrow::datatypes::Field> {
    Arc::new(datafusion_common::arrow::datatypes::Field::new(
        "item", dt, true,
    ))
}

/// Every KQL UDF: name, return type, kernel. Arguments are checked by the planner, so the
/// DataFusion signature accepts any arguments.
fn udfs() -> Vec<(&'static str, DataType, Kernel)> {
    vec![
        ("kql_dyn_get", DataType::Utf8, dynamic::dyn_get),
        ("kql_dyn_tostring", DataType::Utf8, dynamic::dyn_tostring),
        ("kql_dyn_tolong", DataType::Int64, dynamic::dyn_tolong),
        ("kql_dyn_toreal", DataType::Float64, dynamic::dyn_toreal),
        ("kql_dyn_tobool", DataType::Boolean, dynamic::dyn_tobool),
        (
            "kql_dyn_todatetime",
            DataType::Int64,
            dynamic::dyn_todatetime,
        ),
        (
            "kql_dyn_totimespan",
            DataType::Int64,
            dynamic::dyn_totimespan,
        ),
        ("kql_gettype_dynamic", DataType::Utf8, dynamic::gettype),
        ("kql_array_length", DataType::Int64, dynamic::array_length),
        ("kql_bag_keys", DataType::Utf8, dynamic::bag_keys),
        ("kql_bag_has_key", DataType::Boolean, dynamic::bag_has_key),
        ("kql_array_concat", DataType::Utf8, dynamic::array_concat),
        ("kql_array_slice", DataType::Utf8, dynamic::array_slice),
        (
            "kql_array_sort_asc",
            DataType::Utf8,
            dynamic::array_sort_asc,
        ),
        (
            "kql_array_sort_desc",
            DataType::Utf8,
            dynamic::array_sort_desc,
        ),
        ("kql_set_union", DataType::Utf8, dynamic::set_union),
        ("kql_pack", DataType::Utf8, dynamic::pack),
        ("kql_pack_array", DataType::Utf8, dynamic::pack_array),
        ("kql_to_json", DataType::Utf8, dynamic::to_json),
        ("kql_parse_json", DataType::Utf8, dynamic::parse_json),
        ("kql_split", DataType::Utf8, dynamic::split),
        ("kql_extract_all", DataType::Utf8, dynamic::extract_all),
        ("kql_has_any_index", DataType::Int64, dynamic::has_any_index),
        ("kql_has_all", DataType::Boolean, dynamic::has_all),
        ("kql_percentile", DataType::Utf8, dynamic::percentile),
        ("kql_merge_bags", DataType::Utf8, dynamic::merge_bags),
        (
            "kql_mv_items",
            DataType::List(list_item(DataType::Utf8)),
            dynamic::mv_expand_items,
        ),
        (
            "kql_mv_index",
            DataType::List(list_item(DataType::Int64)),
            dynamic::mv_expand_index,
        ),
        ("kql_has", DataType::Boolean, strings::has),
        ("kql_has_cs", DataType::Boolean, strings::has_cs),
        ("kql_hasprefix", DataType::Boolean, strings::hasprefix),
        ("kql_hasprefix_cs", DataType::Boolean, strings::hasprefix_cs),
        ("kql_hassuffix", DataType::Boolean, strings::hassuffix),
        ("kql_hassuffix_cs", DataType::Boolean, strings::hassuffix_cs),
        ("kql_contains", DataType::Boolean, strings::contains),
        ("kql_contains_cs", DataType::Boolean, strings::contains_cs),
        ("kql_startswith", DataType::Boolean, strings::startswith),
        (
            "kql_startswith_cs",
            DataType::Boolean,
            strings::startswith_cs,
        ),
        ("kql_endswith", DataType::Boolean, strings::endswith),
        ("kql_endswith_cs", DataType::Boolean, strings::endswith_cs),
        ("kql_eq_ci", DataType::Boolean, strings::eq_ci),
        (
            "kql_matches_regex",
            DataType::Boolean,
            strings::matches_regex,
        ),
        ("kql_extract", DataType::Utf8, strings::extract),
        ("kql_replace_regex", DataType::Utf8, strings::replace_regex),
        ("kql_countof", DataType::Int64, strings::countof),
        ("kql_indexof", DataType::Int64, strings::indexof),
        ("kql_substring", DataType::Utf8, strings::substring),
        ("kql_trim", DataType::Utf8, strings::trim),
        ("kql_hash", DataType::Int64, strings::hash),
        ("kql_tostring", DataType::Utf8, convert::tostring),
        ("kql_tolong", DataType::Int64, convert::tolong),
        ("kql_toint", DataType::Int32, convert::toint),
        ("kql_toreal", DataType::Float64, convert::toreal),
        ("kql_pow", DataType::Float64, power::pow),
        ("kql_tobool", DataType::Boolean, convert::tobool),
        ("kql_todatetime", DataType::Int64, convert::todatetime),
        ("kql_totimespan", DataType::Int64, convert::totimespan),
        ("kql_toguid", DataType::Utf8, convert::toguid),
        (
            "kql_format_datetime",
            DataType::Utf8,
            datetime::format_datetime,
        ),
        (
            "kql_format_timespan",
            DataType::Utf8,
            datetime::format_timespan,
        ),
        (
            "kql_datetime_part",
            DataType::Int64,
            datetime::datetime_part,
        ),
        ("kql_datetime_add", DataType::Int64, datetime::datetime_add),
        (
            "kql_datetime_diff",
            DataType::Int64,
            datetime::datetime_diff,
        ),
        ("kql_startof", DataType::Int64, datetime::startof),
        ("kql_endof", DataType::Int64, datetime::endof),
        ("kql_dayofweek", DataType::Int64, datetime::dayofweek),
        (
            "kql_unixtime_todatetime",
            DataType::Int64,
            datetime::unixtime_todatetime,
        ),
        ("kql_mod", DataType::Int64, convert::euclid_mod),
        ("kql_add_long", DataType::Int64, arith::add_long),
        ("kql_sub_long", DataType::Int64, arith::sub_long),
        ("kql_mul_long", DataType::Int64, arith::mul_long),
        ("kql_neg_long", DataType::Int64, arith::neg_long),
        ("kql_neg_int", DataType::Int32, arith::neg_int),
        ("kql_add_datetime", DataType::Int64, arith::add_datetime),
        ("kql_sub_datetime", DataType::Int64, arith::sub_datetime),
        ("kql_add_saturating", DataType::Int64, arith::add_saturating),
        (
            "kql_decimal_add",
            DataType::Decimal128(38, 18),
            decimal::add_kernel,
        ),
        (
            "kql_decimal_sub",
            DataType::Decimal128(38, 18),
            decimal::sub_kernel,
        ),
        (
            "kql_decimal_mul",
            DataType::Decimal128(38, 18),
            decimal::mul_kernel,
        ),
        (
            "kql_decimal_div",
            DataType::Decimal128(38, 18),
            decimal::div_kernel,
        ),
        ("kql_abs_long", DataType::Int64, arith::abs_long),
        ("kql_abs_int", DataType::Int32, arith::abs_int),
        ("kql_round_long", DataType::Int64, arith::round_long_kernel),
        ("kql_div", DataType::Int64, convert::int_div),
        ("kql_bin_long", DataType::Int64, convert::bin_long),
        ("kql_bin_real", DataType::Float64, convert::bin_real),
        ("kql_bin_at", DataType::Int64, convert::bin_at),
        (
            "kql_bin_at_datetime",
            DataType::Int64,
            convert::bin_at_datetime,
        ),
        (
            "kql_parse_json_scalar",
            DataType::Utf8,
            dynamic::parse_json_scalar,
        ),
        ("kql_set_flatten", DataType::Utf8, dynamic::set_flatten),
        (
            "kql_make_datetime",
            DataType::Int64,
            datetime::make_datetime,
        ),
        (
            "kql_make_timespan",
            DataType::Int64,
            datetime::make_timespan,
        ),
    ]
}

fn registry() -> &'static HashMap<&'static str, Arc<ScalarUDF>> {
    static REG: OnceLock<HashMap<&'static str, Arc<ScalarUDF>>> = OnceLock::new();
    REG.get_or_init(|| {
        udfs()
            .into_iter()
            .map(|(name, ret, kernel)| {
                let udf = KqlUdf {
                    name,
                    signature: Signature::variadic_any(Volatility::Immutable),
                    ret,
                    kernel,
                };
                (name, Arc::new(ScalarUDF::new_from_impl(udf)))
            })
            .collect()
    })
}

/// The UDF named `name`.
pub fn udf(name: &str) -> Option<Arc<ScalarUDF>> {
    registry().get(name).cloned()
}

/// Every KQL UDF, for registration with a session.
pub fn all() -> Vec<Arc<ScalarUDF>> {
    registry().values().cloned().collect()
}

/// A call of KQL UDF `name`. Panics only on a misspelt name, which tests catch.
pub fn call(name: &str, args: Vec<Expr>) -> Expr {
    match udf(name) {
        Some(u) => u.call(args),
        None => datafusion_expr::lit(datafusion_common::ScalarValue::Null),
    }
}

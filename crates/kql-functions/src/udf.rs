//! The KQL UDFs as typed handles: one row per kernel in the table below gives its [`Udf`]
//! variant, its DataFusion name, its return type and its kernel. The planner calls a kernel
//! through its variant ([`call`]), so a misspelt or missing kernel is a compile error.

use super::{arith, convert, datetime, decimal, dynamic, power, strings};
use datafusion_common::Result;
use datafusion_common::arrow::datatypes::{DataType, Field};
use datafusion_expr::{
    ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use std::sync::{Arc, OnceLock};

/// A kernel: evaluated arguments and the row count to a result.
pub type Kernel = fn(&[ColumnarValue], usize) -> Result<ColumnarValue>;

/// Declares [`Udf`] from `Variant = "name", return type, kernel;` rows, so the handle, the
/// name, the type and the kernel cannot drift apart.
macro_rules! udf_table {
    ($($variant:ident = $name:literal, $ret:expr, $kernel:path;)*) => {
        /// A KQL scalar UDF. Arguments are checked by the planner, so each accepts any.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Udf {
            $($variant,)*
        }

        impl Udf {
            /// Every UDF, in declaration order (`Udf::X as usize` is its index).
            pub const ALL: &'static [Udf] = &[$(Udf::$variant,)*];

            /// Its name in DataFusion plans.
            pub fn name(self) -> &'static str {
                match self {
                    $(Udf::$variant => $name,)*
                }
            }

            fn return_type(self) -> DataType {
                match self {
                    $(Udf::$variant => $ret,)*
                }
            }

            fn kernel(self) -> Kernel {
                match self {
                    $(Udf::$variant => $kernel,)*
                }
            }
        }
    };
}

udf_table! {
    DynGet = "kql_dyn_get", DataType::Utf8, dynamic::dyn_get;
    DynTostring = "kql_dyn_tostring", DataType::Utf8, dynamic::dyn_tostring;
    DynTolong = "kql_dyn_tolong", DataType::Int64, dynamic::dyn_tolong;
    DynToreal = "kql_dyn_toreal", DataType::Float64, dynamic::dyn_toreal;
    DynTobool = "kql_dyn_tobool", DataType::Boolean, dynamic::dyn_tobool;
    DynTodatetime = "kql_dyn_todatetime", DataType::Int64, dynamic::dyn_todatetime;
    DynTotimespan = "kql_dyn_totimespan", DataType::Int64, dynamic::dyn_totimespan;
    GettypeDynamic = "kql_gettype_dynamic", DataType::Utf8, dynamic::gettype;
    ArrayLength = "kql_array_length", DataType::Int64, dynamic::array_length;
    BagKeys = "kql_bag_keys", DataType::Utf8, dynamic::bag_keys;
    BagHasKey = "kql_bag_has_key", DataType::Boolean, dynamic::bag_has_key;
    ArrayConcat = "kql_array_concat", DataType::Utf8, dynamic::array_concat;
    ArraySlice = "kql_array_slice", DataType::Utf8, dynamic::array_slice;
    ArraySortAsc = "kql_array_sort_asc", DataType::Utf8, dynamic::array_sort_asc;
    ArraySortDesc = "kql_array_sort_desc", DataType::Utf8, dynamic::array_sort_desc;
    SetUnion = "kql_set_union", DataType::Utf8, dynamic::set_union;
    Pack = "kql_pack", DataType::Utf8, dynamic::pack;
    PackArray = "kql_pack_array", DataType::Utf8, dynamic::pack_array;
    ToJson = "kql_to_json", DataType::Utf8, dynamic::to_json;
    ParseJson = "kql_parse_json", DataType::Utf8, dynamic::parse_json;
    Split = "kql_split", DataType::Utf8, dynamic::split;
    ExtractAll = "kql_extract_all", DataType::Utf8, dynamic::extract_all;
    HasAnyIndex = "kql_has_any_index", DataType::Int64, dynamic::has_any_index;
    HasAll = "kql_has_all", DataType::Boolean, dynamic::has_all;
    Percentile = "kql_percentile", DataType::Utf8, dynamic::percentile;
    MergeBags = "kql_merge_bags", DataType::Utf8, dynamic::merge_bags;
    MvItems = "kql_mv_items", list_of(DataType::Utf8), dynamic::mv_expand_items;
    MvIndex = "kql_mv_index", list_of(DataType::Int64), dynamic::mv_expand_index;
    Has = "kql_has", DataType::Boolean, strings::has;
    HasCs = "kql_has_cs", DataType::Boolean, strings::has_cs;
    Hasprefix = "kql_hasprefix", DataType::Boolean, strings::hasprefix;
    HasprefixCs = "kql_hasprefix_cs", DataType::Boolean, strings::hasprefix_cs;
    Hassuffix = "kql_hassuffix", DataType::Boolean, strings::hassuffix;
    HassuffixCs = "kql_hassuffix_cs", DataType::Boolean, strings::hassuffix_cs;
    Contains = "kql_contains", DataType::Boolean, strings::contains;
    ContainsCs = "kql_contains_cs", DataType::Boolean, strings::contains_cs;
    Startswith = "kql_startswith", DataType::Boolean, strings::startswith;
    StartswithCs = "kql_startswith_cs", DataType::Boolean, strings::startswith_cs;
    Endswith = "kql_endswith", DataType::Boolean, strings::endswith;
    EndswithCs = "kql_endswith_cs", DataType::Boolean, strings::endswith_cs;
    EqCi = "kql_eq_ci", DataType::Boolean, strings::eq_ci;
    MatchesRegex = "kql_matches_regex", DataType::Boolean, strings::matches_regex;
    Extract = "kql_extract", DataType::Utf8, strings::extract;
    ReplaceRegex = "kql_replace_regex", DataType::Utf8, strings::replace_regex;
    Countof = "kql_countof", DataType::Int64, strings::countof;
    Indexof = "kql_indexof", DataType::Int64, strings::indexof;
    Substring = "kql_substring", DataType::Utf8, strings::substring;
    Trim = "kql_trim", DataType::Utf8, strings::trim;
    Hash = "kql_hash", DataType::Int64, strings::hash;
    Tostring = "kql_tostring", DataType::Utf8, convert::tostring;
    Tolong = "kql_tolong", DataType::Int64, convert::tolong;
    Toint = "kql_toint", DataType::Int32, convert::toint;
    Toreal = "kql_toreal", DataType::Float64, convert::toreal;
    Pow = "kql_pow", DataType::Float64, power::pow;
    Tobool = "kql_tobool", DataType::Boolean, convert::tobool;
    Todatetime = "kql_todatetime", DataType::Int64, convert::todatetime;
    Totimespan = "kql_totimespan", DataType::Int64, convert::totimespan;
    Toguid = "kql_toguid", DataType::Utf8, convert::toguid;
    FormatDatetime = "kql_format_datetime", DataType::Utf8, datetime::format_datetime;
    FormatTimespan = "kql_format_timespan", DataType::Utf8, datetime::format_timespan;
    DatetimePart = "kql_datetime_part", DataType::Int64, datetime::datetime_part;
    DatetimeAdd = "kql_datetime_add", DataType::Int64, datetime::datetime_add;
    DatetimeDiff = "kql_datetime_diff", DataType::Int64, datetime::datetime_diff;
    Startof = "kql_startof", DataType::Int64, datetime::startof;
    Endof = "kql_endof", DataType::Int64, datetime::endof;
    Dayofweek = "kql_dayofweek", DataType::Int64, datetime::dayofweek;
    UnixtimeTodatetime = "kql_unixtime_todatetime", DataType::Int64, datetime::unixtime_todatetime;
    Mod = "kql_mod", DataType::Int64, convert::euclid_mod;
    AddLong = "kql_add_long", DataType::Int64, arith::add_long;
    SubLong = "kql_sub_long", DataType::Int64, arith::sub_long;
    MulLong = "kql_mul_long", DataType::Int64, arith::mul_long;
    NegLong = "kql_neg_long", DataType::Int64, arith::neg_long;
    NegInt = "kql_neg_int", DataType::Int32, arith::neg_int;
    AddDatetime = "kql_add_datetime", DataType::Int64, arith::add_datetime;
    SubDatetime = "kql_sub_datetime", DataType::Int64, arith::sub_datetime;
    AddSaturating = "kql_add_saturating", DataType::Int64, arith::add_saturating;
    DecimalAdd = "kql_decimal_add", DataType::Decimal128(38, 18), decimal::add_kernel;
    DecimalSub = "kql_decimal_sub", DataType::Decimal128(38, 18), decimal::sub_kernel;
    DecimalMul = "kql_decimal_mul", DataType::Decimal128(38, 18), decimal::mul_kernel;
    DecimalDiv = "kql_decimal_div", DataType::Decimal128(38, 18), decimal::div_kernel;
    AbsLong = "kql_abs_long", DataType::Int64, arith::abs_long;
    AbsInt = "kql_abs_int", DataType::Int32, arith::abs_int;
    RoundLong = "kql_round_long", DataType::Int64, arith::round_long_kernel;
    Div = "kql_div", DataType::Int64, convert::int_div;
    BinLong = "kql_bin_long", DataType::Int64, convert::bin_long;
    BinReal = "kql_bin_real", DataType::Float64, convert::bin_real;
    BinAt = "kql_bin_at", DataType::Int64, convert::bin_at;
    BinAtDatetime = "kql_bin_at_datetime", DataType::Int64, convert::bin_at_datetime;
    ParseJsonScalar = "kql_parse_json_scalar", DataType::Utf8, dynamic::parse_json_scalar;
    SetFlatten = "kql_set_flatten", DataType::Utf8, dynamic::set_flatten;
    MakeDatetime = "kql_make_datetime", DataType::Int64, datetime::make_datetime;
    MakeTimespan = "kql_make_timespan", DataType::Int64, datetime::make_timespan;
}

fn list_of(dt: DataType) -> DataType {
    DataType::List(Arc::new(Field::new("item", dt, true)))
}

/// A KQL scalar function backed by a [`Kernel`]. Identity is the handle.
#[derive(Debug, PartialEq, Eq, Hash)]
struct KqlUdf {
    udf: Udf,
    signature: Signature,
}

impl ScalarUDFImpl for KqlUdf {
    fn name(&self) -> &str {
        self.udf.name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(self.udf.return_type())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        (self.udf.kernel())(&args.args, args.number_rows)
    }
}

/// The DataFusion function objects, indexed by `Udf as usize`, built once.
fn registry() -> &'static [Arc<ScalarUDF>] {
    static REG: OnceLock<Vec<Arc<ScalarUDF>>> = OnceLock::new();
    REG.get_or_init(|| {
        Udf::ALL
            .iter()
            .map(|&udf| {
                Arc::new(ScalarUDF::new_from_impl(KqlUdf {
                    udf,
                    signature: Signature::variadic_any(Volatility::Immutable),
                }))
            })
            .collect()
    })
}

impl Udf {
    /// Its DataFusion function object.
    pub fn scalar_udf(self) -> Arc<ScalarUDF> {
        Arc::clone(&registry()[self as usize])
    }
}

/// Every KQL UDF, for registration with a session.
pub fn all() -> Vec<Arc<ScalarUDF>> {
    registry().to_vec()
}

/// A call of `udf` with already checked arguments.
pub fn call(udf: Udf, args: Vec<Expr>) -> Expr {
    udf.scalar_udf().call(args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_handle_has_its_own_name_and_function_object() {
        let mut names: Vec<&str> = Udf::ALL.iter().map(|u| u.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Udf::ALL.len(), "UDF names are unique");
        for &u in Udf::ALL {
            assert_eq!(u.scalar_udf().name(), u.name());
        }
    }
}

//! The registry of KQL functions: one row per function kqlite plans, with its legacy aliases,
//! its arity, the kinds of its arguments, its result type and the [`Function`] the planner
//! dispatches on (`call.rs`, `aggregate.rs`). "Did you mean", arity checks and the planner all
//! read it; a name outside it is an unknown function.
//! <https://learn.microsoft.com/kusto/query/scalar-functions>,
//! <https://learn.microsoft.com/kusto/query/aggregation-functions>

use crate::types::KqlType;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Where a function may stand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A value per row.
    Scalar,
    /// An aggregate inside `summarize`.
    Aggregate,
    /// An aggregate that gives several columns and must stand alone in `summarize`.
    AggregateColumns,
}

/// How an argument is checked (and converted) by the planner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg {
    /// Any value.
    Any,
    /// A string (a dynamic value is converted).
    Str,
    /// Any value, as its string form.
    Text,
    /// A number, as long.
    Long,
    /// A number, as real.
    Real,
    /// A number of any numeric type.
    Number,
    /// A bool (a dynamic value is converted).
    Bool,
    /// A datetime.
    DateTime,
    /// A timespan.
    Timespan,
    /// A dynamic value.
    Dyn,
    /// `typeof(T)`: a type, not a value.
    Type,
}

/// The result type of a function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ret {
    /// Always this type.
    Is(KqlType),
    /// Decided by the arguments' types, as the rule says.
    Rule(&'static str),
}

/// Any number of arguments.
pub const MANY: usize = usize::MAX;

/// One KQL function.
#[derive(Debug)]
pub struct FunctionDef {
    /// What the planner dispatches on.
    pub function: Dispatch,
    pub name: &'static str,
    /// Other names of the same function (deprecated or legacy spellings).
    pub aliases: &'static [&'static str],
    pub kind: Kind,
    /// The fewest and the most arguments (`MANY`: no limit).
    pub min: usize,
    pub max: usize,
    /// The kinds of the arguments by position; past the end, the last kind repeats.
    pub args: &'static [Arg],
    pub result: Ret,
}

impl FunctionDef {
    /// The kind of argument `i`.
    pub fn arg(&self, i: usize) -> Option<Arg> {
        self.args.get(i).or(self.args.last()).copied()
    }
}

/// What the planner dispatches on: `call.rs` on scalars, `aggregate.rs` on aggregates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dispatch {
    Scalar(Scalar),
    Aggregate(Aggregate),
}

/// Declares an enum of functions and the table of their rows, so the names the planner
/// dispatches on and the names it knows are one list.
macro_rules! function_table {
    ($enum:ident, $table:ident: $($variant:ident = $name:literal [$($alias:literal),*] $kind:ident
        ($min:expr, $max:expr) [$($arg:ident),*] $ret:expr;)*) => {
        /// A KQL function, as the planner dispatches on it (one variant per row of the table).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $enum {
            $($variant,)*
        }

        pub static $table: &[FunctionDef] = &[$(FunctionDef {
            function: Dispatch::$enum($enum::$variant),
            name: $name,
            aliases: &[$($alias),*],
            kind: Kind::$kind,
            min: $min,
            max: $max,
            args: &[$(Arg::$arg),*],
            result: $ret,
        },)*];
    };
}

use KqlType::{Bool, DateTime, Decimal, Dynamic, Guid, Int, Long, Real, String, Timespan};
use Ret::{Is, Rule};

/// Result rules shared by several functions.
const SAME: Ret = Rule("the argument's type");
const COMMON: Ret = Rule("the common type of the values");
const BINNED: Ret = Rule("the value's type; long for integers, real for other numbers");

function_table! {
    Scalar, SCALARS:
    Coalesce = "coalesce" [] Scalar (1, MANY) [Any] COMMON;
    Isnull = "isnull" [] Scalar (1, 1) [Any] Is(Bool);
    Isnotnull = "isnotnull" ["notnull"] Scalar (1, 1) [Any] Is(Bool);
    Isempty = "isempty" [] Scalar (1, 1) [Any] Is(Bool);
    Isnotempty = "isnotempty" ["notempty"] Scalar (1, 1) [Any] Is(Bool);
    Sqrt = "sqrt" [] Scalar (1, 1) [Number] Is(Real);
    Exp = "exp" [] Scalar (1, 1) [Number] Is(Real);
    Log = "log" [] Scalar (1, 1) [Number] Is(Real);
    Log10 = "log10" [] Scalar (1, 1) [Number] Is(Real);
    Log2 = "log2" [] Scalar (1, 1) [Number] Is(Real);
    Extract = "extract" [] Scalar (3, 4) [Str, Number, Str, Type] Rule("string, or the type of typeof(T)");
    // extract_all(regex, [captureGroups,] source): with 3 arguments the 2nd is dynamic.
    ExtractAll = "extract_all" [] Scalar (2, 3) [Str, Str, Str] Is(Dynamic);
    ArrayLength = "array_length" [] Scalar (1, 1) [Dyn] Is(Long);
    BagKeys = "bag_keys" [] Scalar (1, 1) [Dyn] Is(Dynamic);
    ArraySortAsc = "array_sort_asc" [] Scalar (1, 2) [Dyn, Bool] Is(Dynamic);
    ArraySortDesc = "array_sort_desc" [] Scalar (1, 2) [Dyn, Bool] Is(Dynamic);
    FormatDatetime = "format_datetime" [] Scalar (2, 2) [DateTime, Str] Is(String);
    FormatTimespan = "format_timespan" [] Scalar (2, 2) [Timespan, Str] Is(String);
    DatetimePart = "datetime_part" [] Scalar (2, 2) [Str, DateTime] Is(Long);
    Dayofweek = "dayofweek" [] Scalar (1, 1) [DateTime] Is(Timespan);
    DatetimeAdd = "datetime_add" [] Scalar (3, 3) [Str, Long, DateTime] Is(DateTime);
    DatetimeDiff = "datetime_diff" [] Scalar (3, 3) [Str, DateTime, DateTime] Is(Long);
    BagHasKey = "bag_has_key" [] Scalar (2, 2) [Dyn, Str] Is(Bool);
    HasAnyIndex = "has_any_index" [] Scalar (2, 2) [Str, Dyn] Is(Long);
    ArraySlice = "array_slice" [] Scalar (3, 3) [Dyn, Long, Long] Is(Dynamic);
    Substring = "substring" [] Scalar (2, 3) [Str, Long, Long] Is(String);
    Split = "split" [] Scalar (2, 3) [Str, Str, Long] Is(Dynamic);
    Indexof = "indexof" [] Scalar (2, 5) [Text, Text, Long, Long, Long] Is(Long);
    MakeDatetime = "make_datetime" [] Scalar (3, 6) [Real] Is(DateTime);
    MakeTimespan = "make_timespan" [] Scalar (2, 4) [Real] Is(Timespan);
    Now = "now" [] Scalar (0, 1) [Timespan] Is(DateTime);
    Ago = "ago" [] Scalar (1, 1) [Timespan] Is(DateTime);
    Bin = "bin" ["floor"] Scalar (2, 2) [Number, Number] BINNED;
    BinAt = "bin_at" [] Scalar (3, 3) [Number, Number, Number] BINNED;
    Iff = "iff" ["iif"] Scalar (3, 3) [Bool, Any, Any] COMMON;
    Case = "case" [] Scalar (3, MANY) [Bool, Any] COMMON;
    Not = "not" [] Scalar (1, 1) [Bool] Is(Bool);
    Isnan = "isnan" [] Scalar (1, 1) [Number] Is(Bool);
    Abs = "abs" [] Scalar (1, 1) [Number] SAME;
    Sign = "sign" [] Scalar (1, 1) [Number] Is(Real);
    Ceiling = "ceiling" [] Scalar (1, 1) [Number] SAME;
    Round = "round" [] Scalar (1, 2) [Number, Long] Rule("long for integers, else real");
    Pow = "pow" [] Scalar (2, 2) [Number, Number] Is(Real);
    MaxOf = "max_of" [] Scalar (2, MANY) [Any] COMMON;
    MinOf = "min_of" [] Scalar (2, MANY) [Any] COMMON;
    Tostring = "tostring" [] Scalar (1, 1) [Any] Is(String);
    Tolong = "tolong" [] Scalar (1, 1) [Any] Is(Long);
    Toint = "toint" [] Scalar (1, 1) [Any] Is(Int);
    Toreal = "toreal" ["todouble"] Scalar (1, 1) [Any] Is(Real);
    Tobool = "tobool" ["toboolean"] Scalar (1, 1) [Any] Is(Bool);
    Todecimal = "todecimal" [] Scalar (1, 1) [Any] Is(Decimal);
    Todatetime = "todatetime" [] Scalar (1, 1) [Any] Is(DateTime);
    Totimespan = "totimespan" [] Scalar (1, 1) [Any] Is(Timespan);
    Toguid = "toguid" [] Scalar (1, 1) [Any] Is(Guid);
    ParseJson = "parse_json" ["todynamic", "parsejson"] Scalar (1, 1) [Any] Is(Dynamic);
    Gettype = "gettype" [] Scalar (1, 1) [Any] Is(String);
    Tolower = "tolower" [] Scalar (1, 1) [Str] Is(String);
    Toupper = "toupper" [] Scalar (1, 1) [Str] Is(String);
    Strlen = "strlen" [] Scalar (1, 1) [Str] Is(Long);
    Strcmp = "strcmp" [] Scalar (2, 2) [Str, Str] Is(Long);
    Strcat = "strcat" [] Scalar (1, 64) [Text] Is(String);
    StrcatDelim = "strcat_delim" [] Scalar (2, 65) [Text] Is(String);
    ReplaceString = "replace_string" [] Scalar (3, 3) [Str] Is(String);
    ReplaceRegex = "replace_regex" [] Scalar (3, 3) [Str] Is(String);
    Trim = "trim" [] Scalar (2, 2) [Str] Is(String);
    TrimStart = "trim_start" [] Scalar (2, 2) [Str] Is(String);
    TrimEnd = "trim_end" [] Scalar (2, 2) [Str] Is(String);
    Countof = "countof" [] Scalar (2, 3) [Str] Is(Long);
    Hash = "hash" [] Scalar (1, 2) [Text, Number] Is(Long);
    ArrayConcat = "array_concat" [] Scalar (1, 64) [Dyn] Is(Dynamic);
    SetUnion = "set_union" [] Scalar (1, 64) [Dyn] Is(Dynamic);
    BagPack = "bag_pack" ["pack"] Scalar (2, 128) [Str, Any] Is(Dynamic);
    PackArray = "pack_array" [] Scalar (1, 128) [Any] Is(Dynamic);
    Getyear = "getyear" [] Scalar (1, 1) [DateTime] Is(Long);
    Getmonth = "getmonth" [] Scalar (1, 1) [DateTime] Is(Long);
    Monthofyear = "monthofyear" [] Scalar (1, 1) [DateTime] Is(Long);
    Dayofmonth = "dayofmonth" [] Scalar (1, 1) [DateTime] Is(Long);
    Dayofyear = "dayofyear" [] Scalar (1, 1) [DateTime] Is(Long);
    Hourofday = "hourofday" [] Scalar (1, 1) [DateTime] Is(Long);
    WeekOfYear = "week_of_year" ["weekofyear"] Scalar (1, 1) [DateTime] Is(Long);
    Startofday = "startofday" [] Scalar (1, 2) [DateTime, Long] Is(DateTime);
    Startofweek = "startofweek" [] Scalar (1, 2) [DateTime, Long] Is(DateTime);
    Startofmonth = "startofmonth" [] Scalar (1, 2) [DateTime, Long] Is(DateTime);
    Startofyear = "startofyear" [] Scalar (1, 2) [DateTime, Long] Is(DateTime);
    Endofday = "endofday" [] Scalar (1, 2) [DateTime, Long] Is(DateTime);
    Endofweek = "endofweek" [] Scalar (1, 2) [DateTime, Long] Is(DateTime);
    Endofmonth = "endofmonth" [] Scalar (1, 2) [DateTime, Long] Is(DateTime);
    Endofyear = "endofyear" [] Scalar (1, 2) [DateTime, Long] Is(DateTime);
    UnixtimeSecondsTodatetime = "unixtime_seconds_todatetime" [] Scalar (1, 1) [Number] Is(DateTime);
    UnixtimeMillisecondsTodatetime = "unixtime_milliseconds_todatetime" [] Scalar (1, 1) [Number] Is(DateTime);
    UnixtimeMicrosecondsTodatetime = "unixtime_microseconds_todatetime" [] Scalar (1, 1) [Number] Is(DateTime);
    UnixtimeNanosecondsTodatetime = "unixtime_nanoseconds_todatetime" [] Scalar (1, 1) [Number] Is(DateTime);
    RowNumber = "row_number" [] Scalar (0, 2) [Long, Bool] Is(Long);
    Toscalar = "toscalar" [] Scalar (1, 1) [Any] Rule("not supported: a tabular argument");
}

function_table! {
    Aggregate, AGGREGATES:
    Count = "count" [] Aggregate (0, 1) [Any] Is(Long);
    Countif = "countif" [] Aggregate (1, 1) [Bool] Is(Long);
    Sum = "sum" [] Aggregate (1, 1) [Number] Rule("long for integers, else the argument's type");
    Sumif = "sumif" [] Aggregate (2, 2) [Number, Bool] Rule("long for integers, else the argument's type");
    Min = "min" [] Aggregate (1, 1) [Any] SAME;
    Max = "max" [] Aggregate (1, 1) [Any] SAME;
    Minif = "minif" [] Aggregate (2, 2) [Any, Bool] SAME;
    Maxif = "maxif" [] Aggregate (2, 2) [Any, Bool] SAME;
    TakeAny = "take_any" ["any"] Aggregate (1, MANY) [Any] SAME;
    TakeAnyif = "take_anyif" [] Aggregate (2, 2) [Any, Bool] SAME;
    MakeList = "make_list" ["makelist"] Aggregate (1, 2) [Any, Long] Is(Dynamic);
    MakeSet = "make_set" ["makeset"] Aggregate (1, 2) [Any, Long] Is(Dynamic);
    MakeListIf = "make_list_if" [] Aggregate (2, 3) [Any, Bool, Long] Is(Dynamic);
    MakeSetIf = "make_set_if" [] Aggregate (2, 3) [Any, Bool, Long] Is(Dynamic);
    MakeBag = "make_bag" [] Aggregate (1, 2) [Dyn, Long] Is(Dynamic);
    MakeBagIf = "make_bag_if" [] Aggregate (2, 3) [Dyn, Bool, Long] Is(Dynamic);
    Dcount = "dcount" [] Aggregate (1, 2) [Any, Number] Is(Long);
    CountDistinct = "count_distinct" [] Aggregate (1, 2) [Any, Number] Is(Long);
    Dcountif = "dcountif" [] Aggregate (2, 3) [Any, Bool, Number] Is(Long);
    Avg = "avg" [] Aggregate (1, 1) [Number] Rule("real, or timespan for timespans");
    Avgif = "avgif" [] Aggregate (2, 2) [Number, Bool] Rule("real, or timespan for timespans");
    Stdev = "stdev" [] Aggregate (1, 1) [Number] Is(Real);
    Stdevp = "stdevp" [] Aggregate (1, 1) [Number] Is(Real);
    Variance = "variance" [] Aggregate (1, 1) [Number] Is(Real);
    Variancep = "variancep" [] Aggregate (1, 1) [Number] Is(Real);
    Stdevif = "stdevif" [] Aggregate (2, 2) [Number, Bool] Is(Real);
    Varianceif = "varianceif" [] Aggregate (2, 2) [Number, Bool] Is(Real);
    Percentile = "percentile" [] Aggregate (2, 2) [Number, Number] SAME;
    ArgMax = "arg_max" [] AggregateColumns (1, MANY) [Any] Rule("the columns of the row with the largest value");
    ArgMin = "arg_min" [] AggregateColumns (1, MANY) [Any] Rule("the columns of the row with the smallest value");
    Percentiles = "percentiles" [] AggregateColumns (2, MANY) [Number] Rule("one column per percentile, of the value's type");
}

/// Every KQL function kqlite plans: scalars, then aggregates.
pub fn functions() -> impl Iterator<Item = &'static FunctionDef> {
    SCALARS.iter().chain(AGGREGATES)
}

/// The function called `name` (its name or an alias; names are case-sensitive).
pub fn lookup(name: &str) -> Option<&'static FunctionDef> {
    static BY_NAME: OnceLock<HashMap<&'static str, &'static FunctionDef>> = OnceLock::new();
    BY_NAME
        .get_or_init(|| {
            functions()
                .flat_map(|f| {
                    std::iter::once(f.name)
                        .chain(f.aliases.iter().copied())
                        .map(move |n| (n, f))
                })
                .collect()
        })
        .get(name)
        .copied()
}

/// Every name and alias, for "did you mean" and completion.
pub fn names() -> impl Iterator<Item = &'static str> {
    functions().flat_map(|f| std::iter::once(f.name).chain(f.aliases.iter().copied()))
}

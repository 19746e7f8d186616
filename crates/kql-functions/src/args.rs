//! Uniform, allocation-light access to kernel arguments: a scalar is read as a constant for every
//! row instead of being expanded into an array.

use datafusion_common::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Float64Array, Int64Array, LargeStringArray,
    StringArray, StringViewArray,
};
use datafusion_common::arrow::compute::{CastOptions, cast};
use datafusion_common::arrow::datatypes::DataType;
use datafusion_common::arrow::util::display::FormatOptions;
use datafusion_common::{Result, ScalarValue, exec_err};
use datafusion_expr::ColumnarValue;

/// A string argument.
pub enum Strs<'a> {
    /// The same value for every row.
    Scalar(Option<String>),
    /// `Utf8`
    Utf8(&'a StringArray),
    /// `LargeUtf8`
    Large(&'a LargeStringArray),
    /// `Utf8View`
    View(&'a StringViewArray),
}

impl Strs<'_> {
    /// Row `i`.
    pub fn get(&self, i: usize) -> Option<&str> {
        match self {
            Strs::Scalar(s) => s.as_deref(),
            Strs::Utf8(a) => a.is_valid(i).then(|| a.value(i)),
            Strs::Large(a) => a.is_valid(i).then(|| a.value(i)),
            Strs::View(a) => a.is_valid(i).then(|| a.value(i)),
        }
    }
}

/// Reads argument `v` as strings (non-string scalars are formatted).
pub fn strs(v: &ColumnarValue) -> Result<Strs<'_>> {
    Ok(match v {
        ColumnarValue::Scalar(s) => Strs::Scalar(match s {
            ScalarValue::Utf8(x) | ScalarValue::LargeUtf8(x) | ScalarValue::Utf8View(x) => {
                x.clone()
            }
            other if other.is_null() => None,
            other => Some(other.to_string()),
        }),
        ColumnarValue::Array(a) => match a.data_type() {
            DataType::Utf8 => Strs::Utf8(a.as_string::<i32>()),
            DataType::LargeUtf8 => Strs::Large(a.as_string::<i64>()),
            DataType::Utf8View => Strs::View(a.as_string_view()),
            DataType::Null => Strs::Scalar(None),
            other => return exec_err!("expected a string argument, got {other}"),
        },
    })
}

/// A numeric argument read as `i64`.
pub enum Longs {
    /// Constant.
    Scalar(Option<i64>),
    /// Per row.
    Array(Int64Array),
}

impl Longs {
    /// Row `i`.
    pub fn get(&self, i: usize) -> Option<i64> {
        match self {
            Longs::Scalar(v) => *v,
            Longs::Array(a) => a.is_valid(i).then(|| a.value(i)),
        }
    }
}

/// Casts that give null for a value the target type cannot hold, as arrays are cast: a constant
/// out of range must not fail where the same value in a column is null.
const NULL_IF_OUT_OF_RANGE: CastOptions<'static> = CastOptions {
    safe: true,
    format_options: FormatOptions::new(),
};

/// Reads argument `v` as `i64` (other integer and float types are cast; a value out of range,
/// or NaN, is null).
pub fn longs(v: &ColumnarValue) -> Result<Longs> {
    Ok(match v {
        ColumnarValue::Scalar(s) => Longs::Scalar(
            match s.cast_to_with_options(&DataType::Int64, &NULL_IF_OUT_OF_RANGE)? {
                ScalarValue::Int64(x) => x,
                _ => None,
            },
        ),
        ColumnarValue::Array(a) => Longs::Array(cast(a, &DataType::Int64)?.as_primitive().clone()),
    })
}

/// A numeric argument read as `f64`.
pub enum Reals {
    /// Constant.
    Scalar(Option<f64>),
    /// Per row.
    Array(Float64Array),
}

impl Reals {
    /// Row `i`.
    pub fn get(&self, i: usize) -> Option<f64> {
        match self {
            Reals::Scalar(v) => *v,
            Reals::Array(a) => a.is_valid(i).then(|| a.value(i)),
        }
    }
}

/// Reads argument `v` as `f64`.
pub fn reals(v: &ColumnarValue) -> Result<Reals> {
    Ok(match v {
        ColumnarValue::Scalar(s) => Reals::Scalar(match s.cast_to(&DataType::Float64)? {
            ScalarValue::Float64(x) => x,
            _ => None,
        }),
        ColumnarValue::Array(a) => {
            Reals::Array(cast(a, &DataType::Float64)?.as_primitive().clone())
        }
    })
}

/// A boolean argument.
pub enum Bools {
    /// Constant.
    Scalar(Option<bool>),
    /// Per row.
    Array(BooleanArray),
}

impl Bools {
    /// Row `i`.
    pub fn get(&self, i: usize) -> Option<bool> {
        match self {
            Bools::Scalar(v) => *v,
            Bools::Array(a) => a.is_valid(i).then(|| a.value(i)),
        }
    }
}

/// Reads argument `v` as booleans.
pub fn bools(v: &ColumnarValue) -> Result<Bools> {
    Ok(match v {
        ColumnarValue::Scalar(s) => Bools::Scalar(match s.cast_to(&DataType::Boolean)? {
            ScalarValue::Boolean(x) => x,
            _ => None,
        }),
        ColumnarValue::Array(a) => Bools::Array(cast(a, &DataType::Boolean)?.as_boolean().clone()),
    })
}

/// Argument `i`, or an execution error naming the function.
pub fn arg<'a>(args: &'a [ColumnarValue], i: usize, func: &str) -> Result<&'a ColumnarValue> {
    match args.get(i) {
        Some(a) => Ok(a),
        None => exec_err!("{func}: missing argument {}", i + 1),
    }
}

/// Wraps a finished array as a kernel result.
pub fn done(a: impl Array + 'static) -> Result<ColumnarValue> {
    Ok(ColumnarValue::Array(std::sync::Arc::new(a) as ArrayRef))
}

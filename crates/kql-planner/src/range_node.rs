//! [`RangeNode`]: `range x from a to b step s` as a logical plan node of its own, so that the
//! engine can make its rows as a stream, a batch at a time (`kql-engine/src/physical/range_exec.rs`),
//! however many there are. Its three bounds are its expressions, so the optimizer folds
//! `now()`, `ago(1d)` and casts in them before the query runs.
//! <https://learn.microsoft.com/kusto/query/range-operator>

use crate::types::KqlArrow;
use crate::types::KqlType;
use datafusion_common::arrow::datatypes::Field;
use datafusion_common::{DFSchema, DFSchemaRef, Result, internal_err};
use datafusion_expr::{Expr, LogicalPlan, UserDefinedLogicalNodeCore};
use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

/// A leaf that makes one column: `from`, `from + step`, ... up to and including `to`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RangeNode {
    /// The Kusto type of the column: long, real, datetime or timespan.
    pub ty: KqlType,
    /// The first value: an Int64 expression, or Float64 for a real range (as `to` and `step`).
    pub from: Expr,
    /// The bound the values do not pass.
    pub to: Expr,
    /// The difference between two values; its sign says which way the range goes.
    pub step: Expr,
    schema: DFSchemaRef,
}

impl RangeNode {
    /// The range of column `name` of type `ty` (real: Float64 bounds, otherwise Int64 ones).
    pub fn try_new(name: &str, ty: KqlType, from: Expr, to: Expr, step: Expr) -> Result<Self> {
        let field = Field::new(name, ty.arrow(), false);
        let schema = DFSchema::from_unqualified_fields(vec![field].into(), Default::default())?;
        Ok(RangeNode {
            ty,
            from,
            to,
            step,
            schema: Arc::new(schema),
        })
    }

    /// The name of the column.
    pub fn column(&self) -> &str {
        self.schema.field(0).name()
    }

    /// This node as a plan.
    pub fn into_plan(self) -> LogicalPlan {
        LogicalPlan::Extension(datafusion_expr::Extension {
            node: Arc::new(self),
        })
    }
}

// Plans are compared (and so must be ordered) by their expressions; the schema is their result.
impl PartialOrd for RangeNode {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        match (&self.from, &self.to, &self.step).partial_cmp(&(&other.from, &other.to, &other.step))
        {
            Some(Ordering::Equal) if self != other => None,
            order => order,
        }
    }
}

impl UserDefinedLogicalNodeCore for RangeNode {
    fn name(&self) -> &str {
        "Range"
    }

    fn inputs(&self) -> Vec<&LogicalPlan> {
        vec![]
    }

    fn schema(&self) -> &DFSchemaRef {
        &self.schema
    }

    fn expressions(&self) -> Vec<Expr> {
        vec![self.from.clone(), self.to.clone(), self.step.clone()]
    }

    fn fmt_for_explain(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "Range: {} from {} to {} step {}",
            self.column(),
            self.from,
            self.to,
            self.step
        )
    }

    fn with_exprs_and_inputs(&self, exprs: Vec<Expr>, inputs: Vec<LogicalPlan>) -> Result<Self> {
        let Ok([from, to, step]) = <[Expr; 3]>::try_from(exprs) else {
            return internal_err!("a range has three bounds");
        };
        if !inputs.is_empty() {
            return internal_err!("a range has no inputs");
        }
        Ok(RangeNode {
            from,
            to,
            step,
            ..self.clone()
        })
    }
}

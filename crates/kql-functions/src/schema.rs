//! The Kusto view of a table's columns: names (case-sensitive, in order) and Kusto types.

use crate::types::{KQL_TYPE_KEY, KqlArrow, KqlType};
use datafusion_common::arrow::datatypes::{Field, Schema};
use std::sync::Arc;

/// One column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KqlField {
    /// Column name, exactly as Kusto shows it.
    pub name: String,
    /// Kusto type.
    pub ty: KqlType,
}

impl KqlField {
    /// The Arrow field, tagged with the Kusto type.
    pub fn to_arrow(&self) -> Field {
        let meta = [(KQL_TYPE_KEY.to_owned(), self.ty.name().to_owned())]
            .into_iter()
            .collect();
        Field::new(&self.name, self.ty.arrow(), true).with_metadata(meta)
    }
}

/// Columns in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KqlSchema {
    /// The columns.
    pub fields: Vec<KqlField>,
}

impl KqlSchema {
    /// A schema from `(name, type)` pairs.
    pub fn new(fields: impl IntoIterator<Item = (String, KqlType)>) -> KqlSchema {
        KqlSchema {
            fields: fields
                .into_iter()
                .map(|(name, ty)| KqlField { name, ty })
                .collect(),
        }
    }

    /// The column named `name` and its position.
    pub fn field(&self, name: &str) -> Option<(usize, &KqlField)> {
        self.fields.iter().enumerate().find(|(_, f)| f.name == name)
    }

    /// Column names in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|f| f.name.as_str())
    }

    /// The Arrow schema values are stored in; every column nullable and tagged with its Kusto
    /// type so stored tables describe themselves.
    pub fn to_arrow(&self) -> Arc<Schema> {
        Arc::new(Schema::new(
            self.fields.iter().map(|f| f.to_arrow()).collect::<Vec<_>>(),
        ))
    }

    /// Reads the Kusto schema of a stored table (`kql.type` metadata, else Arrow types).
    pub fn from_arrow(schema: &Schema) -> KqlSchema {
        KqlSchema {
            fields: schema
                .fields()
                .iter()
                .map(|f| KqlField {
                    name: f.name().clone(),
                    ty: crate::types::of_field(f).unwrap_or(KqlType::String),
                })
                .collect(),
        }
    }

    /// Number of columns.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether there are no columns.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }
}

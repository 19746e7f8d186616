//! Definitions that outlive the input that made them: `let`s, functions, `set` and `declare
//! query_parameters` typed on their own (in a REPL, say) are kept and put before every later
//! query, as Kusto.Explorer keeps a script's `let`s for the queries below them.

use crate::error::Error;
use crate::query::Prepared;
use crate::workspace::Workspace;
use kql_parser::ast::{Query, Statement};

/// What one input was.
#[derive(Debug)]
pub enum Input {
    /// A query to run.
    Query(Box<Prepared>),
    /// Definitions only, now kept: the names defined (`let`s and functions).
    Defined(Vec<String>),
}

/// The name a statement defines, if any.
fn defined_name(s: &Statement) -> Option<&str> {
    match s {
        Statement::Let { name, .. } | Statement::LetFunction { name, .. } => Some(&name.name),
        _ => None,
    }
}

impl Workspace {
    /// Prepares one input, as a REPL reads them: a query is prepared as by
    /// [`Workspace::prepare`]; an input of definitions only (`let x = 5;`) is checked (planned
    /// with the definitions kept before it) and kept for every later query, a new definition of
    /// a name replacing the old one.
    pub fn prepare_input(&self, text: &str, now: i64) -> Result<Input, Error> {
        let query = kql_parser::parse_query(text)?;
        if query
            .statements
            .iter()
            .any(|s| matches!(s, Statement::Expr(_)))
        {
            return Ok(Input::Query(Box::new(
                self.prepare_parsed(text, query, now)?,
            )));
        }
        // Planned before a query that reads nothing, so a wrong definition is an error now.
        let mut check = self.with_definitions(query.clone());
        let nothing = kql_parser::parse_query("print 0")?;
        check.statements.extend(nothing.statements);
        self.context().plan_optimized(&check, now, text.len())?;
        let names: Vec<String> = query
            .statements
            .iter()
            .filter_map(defined_name)
            .map(str::to_owned)
            .collect();
        if let Ok(mut kept) = self.definitions.lock() {
            kept.retain(|s| defined_name(s).is_none_or(|n| !names.iter().any(|m| m == n)));
            kept.extend(query.statements);
        }
        Ok(Input::Defined(names))
    }

    /// `query` with the kept definitions before its own statements.
    pub(crate) fn with_definitions(&self, mut query: Query) -> Query {
        let kept = self
            .definitions
            .lock()
            .map(|k| k.clone())
            .unwrap_or_default();
        if !kept.is_empty() {
            query.statements.splice(0..0, kept);
        }
        query
    }

    /// Forgets every kept definition.
    pub fn clear_definitions(&self) {
        if let Ok(mut kept) = self.definitions.lock() {
            kept.clear();
        }
    }
}

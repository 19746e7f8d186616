//! Calls to user-defined functions (`let f = (x: long) { ... }; T | extend y = f(x)`): the
//! arguments are bound to the parameters, and the body is planned in place of the call.
//! <https://learn.microsoft.com/kusto/query/functions/user-defined-functions>

use super::common_type::convert_to;
use super::{ExprCx, Typed};
use crate::diag::{R, err};
use crate::planner::{Binding, KqlToRel};
use kql_common::codes;
use kql_parser::ast::{self, Call};

impl KqlToRel<'_> {
    /// The value of a call to a user-defined function (`let f = (x: long) { ... }`): its body,
    /// planned with the arguments bound to its parameters.
    pub(crate) fn inline_scalar_function(
        &self,
        c: &Call,
        decl: &ast::FunctionDecl,
        def_scope: &crate::planner::Scope,
        cx: &ExprCx,
    ) -> R<Typed> {
        let scope = self.bind_arguments(c, decl, def_scope, cx)?;
        let Some(ast::Statement::Expr(body)) = decl.body.statements.last() else {
            return err(
                codes::WRONG_KIND,
                format!("function `{}` has no result expression", c.name.name),
                c.span,
            );
        };
        let mut scope = scope;
        for s in &decl.body.statements[..decl.body.statements.len() - 1] {
            self.statement(s, &mut scope)?;
        }
        let inner = ExprCx {
            schema: cx.schema,
            scope: &scope,
            aggs: cx.aggs,
        };
        self.scalar(body, &inner)
    }

    /// Binds call arguments (positional or named, with defaults) to a function's parameters.
    pub(crate) fn bind_arguments(
        &self,
        c: &Call,
        decl: &ast::FunctionDecl,
        def_scope: &crate::planner::Scope,
        cx: &ExprCx,
    ) -> R<crate::planner::Scope> {
        let mut scope = def_scope.clone();
        if c.args.len() > decl.params.len() {
            return err(
                codes::ARGUMENT_COUNT,
                format!(
                    "`{}` takes {} arguments, not {}",
                    c.name.name,
                    decl.params.len(),
                    c.args.len()
                ),
                c.span,
            );
        }
        for (i, p) in decl.params.iter().enumerate() {
            let arg = c
                .args
                .iter()
                .find(|a| a.name.as_ref().is_some_and(|n| n.name == p.name.name))
                .or_else(|| c.args.get(i).filter(|a| a.name.is_none()));
            let binding = match (&p.ty, arg, &p.default) {
                (ast::ParamType::Tabular(_), Some(a), _) => {
                    Binding::Tabular(self.tabular(&a.value, cx.scope)?)
                }
                (ast::ParamType::Scalar(ty), Some(a), _) => {
                    let t = self.scalar(&a.value, cx)?;
                    Binding::Scalar(convert_to(t, ty.ty))
                }
                (ast::ParamType::Scalar(ty), None, Some(d)) => {
                    let t = self.scalar(
                        d,
                        &ExprCx {
                            schema: &crate::schema::KqlSchema::default(),
                            scope: def_scope,
                            aggs: None,
                        },
                    )?;
                    Binding::Scalar(convert_to(t, ty.ty))
                }
                _ => {
                    return err(
                        codes::ARGUMENT_COUNT,
                        format!("missing argument `{}` of `{}`", p.name.name, c.name.name),
                        c.span,
                    );
                }
            };
            scope.set(&p.name.name, binding);
        }
        Ok(scope)
    }
}

//! Lowering of Ruff's pattern constructs: `match` statements and destructuring
//! declarations (`let [a, ...rest] := xs`, `let {a, b} := d`). Both become plain IR: tests
//! on a temporary, field reads, and `Define`s of the bound names.

use crate::ir::*;
use crate::lower_ruff::{e, Lowerer};
use tandem_syntax::ruff::ast::{self, BindPattern, DeclKind, Pattern};
use tandem_syntax::{Diagnostic, Span};

impl Lowerer<'_> {
    pub(crate) fn match_stmt(
        &mut self,
        subject: &ast::Expr,
        cases: &[ast::MatchCase],
        default: Option<&ast::Block>,
        span: Span,
    ) -> Expr {
        let subj = self.expr(subject);
        let t = self.new_var("$match", false, span);
        let mut chain = match default {
            Some(b) => self.block(b),
            None => Expr::null(span),
        };
        // Lower the cases in source order (bindings get their variables in order), then
        // chain them from the last one outwards.
        let mut arms = Vec::new();
        for case in cases {
            self.push_block();
            let (cond, binds) = self.pattern(&case.pattern, e(ExprKind::Local(t), span), true);
            let mut items = Vec::new();
            for (id, value) in binds {
                let v = self.bind_local(&id.name, true, true, id.span);
                items.push(e(ExprKind::Define(v, Box::new(value)), id.span));
            }
            items.push(self.block(&case.body));
            self.scopes.pop();
            arms.push((cond, e(ExprKind::Block(items), case.span)));
        }
        for (cond, body) in arms.into_iter().rev() {
            chain = match cond {
                None => body,
                Some(c) => e(
                    ExprKind::If {
                        cond: Box::new(c),
                        then: Box::new(body),
                        else_: Box::new(chain),
                        truth: Truth::Ruff,
                    },
                    span,
                ),
            };
        }
        e(
            ExprKind::Block(vec![e(ExprKind::Define(t, Box::new(subj)), span), chain]),
            span,
        )
    }

    /// The test a pattern makes on `value` (`None`: always matches) and the names it binds.
    /// At the top of a case a bare identifier matches the string with its text (Ruff's
    /// convention); inside a constructor pattern it binds the payload.
    fn pattern(
        &mut self,
        p: &Pattern,
        value: Expr,
        top: bool,
    ) -> (Option<Expr>, Vec<(ast::Ident, Expr)>) {
        match p {
            Pattern::Wildcard(_) => (None, Vec::new()),
            Pattern::Literal(lit) => {
                let span = lit.span;
                let l = self.expr(lit);
                (
                    Some(e(ExprKind::Prim(Prim::Eq, vec![value, l]), span)),
                    Vec::new(),
                )
            }
            Pattern::Ident(id) if top => {
                let s = e(ExprKind::Const(Const::Str(id.name.clone())), id.span);
                (
                    Some(e(ExprKind::Prim(Prim::Eq, vec![value, s]), id.span)),
                    Vec::new(),
                )
            }
            Pattern::Ident(id) => (None, vec![(id.clone(), value)]),
            Pattern::Ctor { name, args, span } => {
                let family = match name.name.as_str() {
                    "Ok" | "Err" => Some("Result".to_string()),
                    "Some" | "None" => Some("Option".to_string()),
                    _ => None,
                };
                let arity = if args.is_empty() && name.name != "None" {
                    None
                } else {
                    Some(self.payload_arity(&name.name, args.len(), *span))
                };
                self.variant_pattern(value, family, &name.name, arity, args, *span)
            }
            Pattern::Variant {
                enum_name,
                variant,
                args,
                span,
            } => {
                let arity = if args.is_empty() {
                    None
                } else {
                    Some(self.payload_arity(&variant.name, args.len(), *span))
                };
                self.variant_pattern(
                    value,
                    Some(enum_name.name.clone()),
                    &variant.name,
                    arity,
                    args,
                    *span,
                )
            }
        }
    }

    fn variant_pattern(
        &mut self,
        value: Expr,
        family: Option<String>,
        tag: &str,
        arity: Option<u8>,
        args: &[Pattern],
        span: Span,
    ) -> (Option<Expr>, Vec<(ast::Ident, Expr)>) {
        let mut cond = e(
            ExprKind::VariantTest {
                value: Box::new(value.clone()),
                family,
                tag: tag.to_string(),
                arity,
            },
            span,
        );
        let mut binds = Vec::new();
        // Past 255 payload values `arity` was reported as an error: the rest have no index.
        for (i, a) in (0..=u8::MAX).zip(args) {
            let field = e(ExprKind::VariantField(Box::new(value.clone()), i), span);
            let (c, b) = self.pattern(a, field, false);
            if let Some(c) = c {
                cond = e(ExprKind::And(Box::new(cond), Box::new(c)), span);
            }
            binds.extend(b);
        }
        (Some(cond), binds)
    }

    /// `let [a, b, ...rest] := xs` and `let {a, b, ...rest} := d`.
    pub(crate) fn destructure(
        &mut self,
        kind: DeclKind,
        pattern: &BindPattern,
        value: &ast::Expr,
        span: Span,
    ) -> Expr {
        let init = self.expr(value);
        let t = self.new_var("$destructure", false, span);
        let mut items = vec![e(ExprKind::Define(t, Box::new(init)), span)];
        self.bind_pattern(kind, pattern, t, span, &mut items);
        items.push(Expr::null(span));
        e(ExprKind::Seq(items), span)
    }

    fn bind_pattern(
        &mut self,
        kind: DeclKind,
        pattern: &BindPattern,
        source: VarId,
        span: Span,
        out: &mut Vec<Expr>,
    ) {
        let src = || e(ExprKind::Local(source), span);
        let builtin = |name: &str, args: Vec<Expr>| {
            e(
                ExprKind::Call {
                    callee: Box::new(e(ExprKind::Global(name.to_string()), span)),
                    args,
                    tail: false,
                },
                span,
            )
        };
        match pattern {
            BindPattern::Name(id) => {
                let d = self.declare_name(kind, id, src(), span);
                out.push(d);
            }
            BindPattern::Array { items, rest, span } => {
                let n = e(ExprKind::Const(Const::Int(items.len() as i64)), *span);
                out.push(builtin("__destructure_len", vec![src(), n.clone()]));
                for (i, item) in items.iter().enumerate() {
                    let idx = e(ExprKind::Const(Const::Int(i as i64)), *span);
                    let elem = e(ExprKind::Prim(Prim::Index, vec![src(), idx]), *span);
                    match item {
                        BindPattern::Name(id) => out.push(self.declare_name(kind, id, elem, *span)),
                        nested => {
                            let t = self.new_var("$destructure", false, *span);
                            out.push(e(ExprKind::Define(t, Box::new(elem)), *span));
                            self.bind_pattern(kind, nested, t, *span, out);
                        }
                    }
                }
                if let Some(r) = rest {
                    let value = builtin("__array_rest", vec![src(), n]);
                    out.push(self.declare_name(kind, r, value, r.span));
                }
            }
            BindPattern::Dict { keys, rest, span } => {
                for k in keys {
                    let key = e(ExprKind::Const(Const::Str(k.name.clone())), k.span);
                    let elem = e(ExprKind::Prim(Prim::Index, vec![src(), key]), k.span);
                    out.push(self.declare_name(kind, k, elem, k.span));
                }
                if let Some(r) = rest {
                    let mut args = vec![src()];
                    args.extend(
                        keys.iter()
                            .map(|k| e(ExprKind::Const(Const::Str(k.name.clone())), k.span)),
                    );
                    let value = builtin("__dict_rest", args);
                    out.push(self.declare_name(kind, r, value, r.span));
                }
                if keys.is_empty() && rest.is_none() {
                    self.error(Diagnostic::error("empty destructuring pattern", *span));
                }
            }
        }
    }
}

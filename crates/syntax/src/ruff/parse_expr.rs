//! Expressions and match patterns for the Ruff parser (precedence climbing).
//!
//! Every expression function returns the expression together with its tree height, so that
//! long operator chains (which the parser builds iteratively) still cannot produce a tree
//! deeper than [`MAX_EXPR_HEIGHT`] for later recursive passes.

use super::ast::*;
use super::parser::{PResult, Parser, MAX_EXPR_HEIGHT};
use super::token::{InterpPart, Token, TokenKind};
use crate::diagnostic::Diagnostic;
use crate::span::Span;

/// Binary operators with their precedence (higher binds tighter).
fn binop(k: &TokenKind) -> Option<(BinOp, u8)> {
    use TokenKind as T;
    Some(match k {
        T::PipeGt => (BinOp::Pipe, 1),
        T::QuestionQuestion => (BinOp::Coalesce, 2),
        T::OrOr => (BinOp::Or, 3),
        T::AndAnd => (BinOp::And, 4),
        T::EqEq => (BinOp::Eq, 5),
        T::NotEq => (BinOp::Ne, 5),
        T::Lt => (BinOp::Lt, 6),
        T::Le => (BinOp::Le, 6),
        T::Gt => (BinOp::Gt, 6),
        T::Ge => (BinOp::Ge, 6),
        T::Plus => (BinOp::Add, 7),
        T::Minus => (BinOp::Sub, 7),
        T::Star => (BinOp::Mul, 8),
        T::Slash => (BinOp::Div, 8),
        T::Percent => (BinOp::Mod, 8),
        _ => return None,
    })
}

const I64_MIN_MAGNITUDE: u64 = 1u64 << 63;

type EH = (Expr, u32);

impl Parser<'_> {
    /// Parse a full expression.
    pub(super) fn expr(&mut self) -> PResult<Expr> {
        Ok(self.expr_h()?.0)
    }

    /// A full expression with its height, one nesting level deeper.
    fn expr_h(&mut self) -> PResult<EH> {
        self.nested(|p| p.expr_bp(1))
    }

    /// A nested expression where struct literals are allowed again (inside brackets).
    fn inner_expr(&mut self) -> PResult<EH> {
        self.with_no_struct(false, |p| p.expr_h())
    }

    /// One more level of tree height; fails (fatally) past the limit.
    fn grow(&mut self, h: u32, span: Span) -> PResult<u32> {
        let h = h + 1;
        if h > MAX_EXPR_HEIGHT {
            if !self.fatal {
                self.report(
                    Diagnostic::error(
                        format!("expression nested too deeply (limit {MAX_EXPR_HEIGHT})"),
                        span,
                    )
                    .with_hint("split the expression using intermediate variables"),
                );
                self.fatal = true;
            }
            return Err(());
        }
        Ok(h)
    }

    fn expr_bp(&mut self, min_prec: u8) -> PResult<EH> {
        let (mut lhs, mut h) = self.unary()?;
        while let Some((op, prec)) = binop(self.kind()) {
            if prec < min_prec {
                break;
            }
            self.bump();
            let (rhs, rh) = self.expr_bp(prec + 1)?;
            let span = lhs.span.to(rhs.span);
            h = self.grow(h.max(rh), span)?;
            lhs = Expr {
                kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
                span,
            };
        }
        Ok((lhs, h))
    }

    fn unary(&mut self) -> PResult<EH> {
        let op = match self.kind() {
            TokenKind::Bang => UnOp::Not,
            TokenKind::Minus => UnOp::Neg,
            _ => return self.postfix(),
        };
        if op == UnOp::Neg && self.nth(1).kind == TokenKind::Int(I64_MIN_MAGNITUDE) {
            // `-9223372036854775808` is the one literal that only exists negated.
            let start = self.bump().span;
            let lit = self.bump().span;
            let e = Expr {
                kind: ExprKind::Int(i64::MIN),
                span: start.to(lit),
            };
            return self.postfix_ops(e, 1);
        }
        self.nested(|p| {
            let start = p.bump().span;
            let (operand, h) = p.unary()?;
            let span = start.to(operand.span);
            let h = p.grow(h, span)?;
            Ok((
                Expr {
                    kind: ExprKind::Unary(op, Box::new(operand)),
                    span,
                },
                h,
            ))
        })
    }

    fn postfix(&mut self) -> PResult<EH> {
        let (e, h) = self.primary()?;
        self.postfix_ops(e, h)
    }

    /// Calls, indexing, field access and `?`. A `(` or `[` on a new line does not continue the
    /// expression.
    fn postfix_ops(&mut self, mut e: Expr, mut h: u32) -> PResult<EH> {
        loop {
            let t = self.peek();
            let nl = t.nl_before;
            match t.kind {
                TokenKind::LParen if !nl => {
                    let open = self.bump().span;
                    let mut args = Vec::new();
                    let mut ah = 0;
                    while !self.at(&TokenKind::RParen) {
                        if self.at(&TokenKind::Ellipsis) {
                            let d = Diagnostic::error(
                                "spread '...' is not allowed in call arguments",
                                self.span_here(),
                            )
                            .with_hint("pass the array itself, or index its elements");
                            return self.fail(d);
                        }
                        let (a, h1) = self.inner_expr()?;
                        ah = ah.max(h1);
                        args.push(a);
                        if !self.eat(&TokenKind::Comma) {
                            break;
                        }
                    }
                    let close = self.expect_close(&TokenKind::RParen, ")", "(", open)?;
                    let span = e.span.to(close);
                    h = self.grow(h.max(ah), span)?;
                    e = Expr {
                        kind: ExprKind::Call {
                            callee: Box::new(e),
                            args,
                        },
                        span,
                    };
                }
                TokenKind::LBracket if !nl => {
                    let open = self.bump().span;
                    let (index, ih) = self.inner_expr()?;
                    let close = self.expect_close(&TokenKind::RBracket, "]", "[", open)?;
                    let span = e.span.to(close);
                    h = self.grow(h.max(ih), span)?;
                    e = Expr {
                        kind: ExprKind::Index {
                            object: Box::new(e),
                            index: Box::new(index),
                        },
                        span,
                    };
                }
                TokenKind::Dot => {
                    self.bump();
                    let name = match &self.peek().kind {
                        TokenKind::Ident(n) => n.clone(),
                        k => match k.keyword_text() {
                            Some(kw) => kw.to_string(),
                            None => return self.expected("a field name after '.'"),
                        },
                    };
                    let nspan = self.bump().span;
                    let span = e.span.to(nspan);
                    h = self.grow(h, span)?;
                    e = Expr {
                        kind: ExprKind::Field {
                            object: Box::new(e),
                            name: Ident { name, span: nspan },
                        },
                        span,
                    };
                }
                TokenKind::Question => {
                    let q = self.bump().span;
                    let span = e.span.to(q);
                    h = self.grow(h, span)?;
                    e = Expr {
                        kind: ExprKind::Try(Box::new(e)),
                        span,
                    };
                }
                _ => return Ok((e, h)),
            }
        }
    }

    fn int_literal(&mut self, v: u64, span: Span) -> PResult<i64> {
        match i64::try_from(v) {
            Ok(v) => Ok(v),
            Err(_) => {
                let d = Diagnostic::error(
                    "integer literal '9223372036854775808' is too large for a 64-bit integer",
                    span,
                )
                .with_note("the largest integer is 9223372036854775807");
                self.report(d);
                Err(())
            }
        }
    }

    fn primary(&mut self) -> PResult<EH> {
        use TokenKind as T;
        let span = self.span_here();
        let leaf = |kind| Ok((Expr { kind, span }, 1));
        match self.kind() {
            T::Int(v) => {
                let v = *v;
                self.bump();
                let v = self.int_literal(v, span)?;
                leaf(ExprKind::Int(v))
            }
            T::Float(f) => {
                let f = *f;
                self.bump();
                leaf(ExprKind::Float(f))
            }
            T::Str(s) => {
                let s = s.clone();
                self.bump();
                leaf(ExprKind::Str(s))
            }
            T::True => {
                self.bump();
                leaf(ExprKind::Bool(true))
            }
            T::False => {
                self.bump();
                leaf(ExprKind::Bool(false))
            }
            T::Null => {
                self.bump();
                leaf(ExprKind::Null)
            }
            T::Interp(_) => self.interp(),
            T::Ident(name) => {
                let name = name.clone();
                if self.nth(1).kind == T::ColonColon {
                    let enum_name = self.ident("a name")?;
                    self.bump();
                    let variant = self.ident("a variant name after '::'")?;
                    let span = enum_name.span.to(variant.span);
                    return Ok((
                        Expr {
                            kind: ExprKind::Path { enum_name, variant },
                            span,
                        },
                        1,
                    ));
                }
                if self.struct_lit_ahead() {
                    return self.struct_lit();
                }
                self.bump();
                leaf(ExprKind::Ident(name))
            }
            T::LParen => self.nested(|p| {
                let open = p.bump().span;
                let (mut e, h) = p.inner_expr()?;
                let close = p.expect_close(&T::RParen, ")", "(", open)?;
                e.span = open.to(close);
                Ok((e, h))
            }),
            T::LBracket => self.array(),
            T::LBrace => self.dict(),
            T::Func => {
                self.bump();
                if let T::Ident(n) = self.kind() {
                    let d = Diagnostic::error(
                        format!("a named function '{n}' cannot be used as an expression"),
                        self.span_here(),
                    )
                    .with_hint("drop the name for an anonymous function: func(a, b) { ... }");
                    return self.fail(d);
                }
                let params = self.params()?;
                let body = self.with_no_struct(false, |p| p.block("the function body"))?;
                let span = span.to(body.span);
                leaf_owned(ExprKind::Func { params, body }, span)
            }
            T::If | T::Match | T::While | T::For | T::Loop => {
                let d = Diagnostic::error(
                    format!("expected an expression but found {}", self.found()),
                    span,
                )
                .with_hint("this is a statement and cannot be used as a value");
                self.fail(d)
            }
            _ => self.expected("an expression"),
        }
    }

    /// `Name {` followed by `}` or `field :`, on one line, outside a condition.
    fn struct_lit_ahead(&self) -> bool {
        if self.no_struct {
            return false;
        }
        let brace = self.nth(1);
        if brace.kind != TokenKind::LBrace || brace.nl_before {
            return false;
        }
        match &self.nth(2).kind {
            TokenKind::RBrace => true,
            TokenKind::Ident(_) => self.nth(3).kind == TokenKind::Colon,
            _ => false,
        }
    }

    fn struct_lit(&mut self) -> PResult<EH> {
        let name = self.ident("a struct name")?;
        self.nested(|p| {
            let open = p.bump().span;
            let mut fields: Vec<(Ident, Expr)> = Vec::new();
            let mut h = 0;
            while !p.at(&TokenKind::RBrace) {
                let f = p.ident("a field name")?;
                if let Some((prev, _)) = fields.iter().find(|(g, _)| g.name == f.name) {
                    let d = Diagnostic::error(format!("field '{}' given twice", f.name), f.span)
                        .with_label(prev.span, "first given here");
                    p.report(d);
                    return Err(());
                }
                p.expect(&TokenKind::Colon, "':' after the field name")?;
                let (v, vh) = p.inner_expr()?;
                h = h.max(vh);
                fields.push((f, v));
                if !p.eat(&TokenKind::Comma) {
                    break;
                }
            }
            let close = p.expect_close(&TokenKind::RBrace, "}", "{", open)?;
            let span = name.span.to(close);
            let h = p.grow(h, span)?;
            Ok((
                Expr {
                    kind: ExprKind::StructLit { name, fields },
                    span,
                },
                h,
            ))
        })
    }

    fn array(&mut self) -> PResult<EH> {
        self.nested(|p| {
            let open = p.bump().span;
            let mut items = Vec::new();
            let mut h = 0;
            while !p.at(&TokenKind::RBracket) {
                let spread = p.eat(&TokenKind::Ellipsis);
                let (e, eh) = p.inner_expr()?;
                h = h.max(eh);
                items.push(if spread {
                    ArrayItem::Spread(e)
                } else {
                    ArrayItem::Item(e)
                });
                if !p.eat(&TokenKind::Comma) {
                    break;
                }
            }
            let close = p.expect_close(&TokenKind::RBracket, "]", "[", open)?;
            let span = open.to(close);
            let h = p.grow(h, span)?;
            Ok((
                Expr {
                    kind: ExprKind::Array(items),
                    span,
                },
                h,
            ))
        })
    }

    fn dict(&mut self) -> PResult<EH> {
        self.nested(|p| {
            let open = p.bump().span;
            let mut items = Vec::new();
            let mut h = 0;
            while !p.at(&TokenKind::RBrace) {
                if p.eat(&TokenKind::Ellipsis) {
                    let (e, eh) = p.inner_expr()?;
                    h = h.max(eh);
                    items.push(DictItem::Spread(e));
                } else {
                    let (k, kh) = p.inner_expr()?;
                    if !p.at(&TokenKind::Colon) {
                        let d = Diagnostic::error(
                            format!("expected ':' after the dict key but found {}", p.found()),
                            p.span_here(),
                        )
                        .with_label(open, "in this dict literal");
                        return p.fail(d);
                    }
                    p.bump();
                    let (v, vh) = p.inner_expr()?;
                    h = h.max(kh).max(vh);
                    items.push(DictItem::Pair(k, v));
                }
                if !p.eat(&TokenKind::Comma) {
                    break;
                }
            }
            let close = p.expect_close(&TokenKind::RBrace, "}", "{", open)?;
            let span = open.to(close);
            let h = p.grow(h, span)?;
            Ok((
                Expr {
                    kind: ExprKind::Dict(items),
                    span,
                },
                h,
            ))
        })
    }

    /// An interpolated string: each `${ ... }` is parsed from its own token list.
    fn interp(&mut self) -> PResult<EH> {
        let span = self.span_here();
        let parts = match &mut self.toks[self.pos].kind {
            TokenKind::Interp(parts) => std::mem::take(parts),
            _ => Vec::new(),
        };
        self.bump();
        let mut out = Vec::with_capacity(parts.len());
        let mut h = 0;
        for part in parts {
            match part {
                InterpPart::Lit(s) => out.push(StrPart::Lit(s)),
                InterpPart::Expr { tokens, span } => {
                    let (e, eh) = self.nested(|p| p.sub_expr(tokens, span))?;
                    h = h.max(eh);
                    out.push(StrPart::Expr(e));
                }
            }
        }
        let h = self.grow(h, span)?;
        Ok((
            Expr {
                kind: ExprKind::Interp(out),
                span,
            },
            h,
        ))
    }

    /// Parse one interpolation's tokens as a complete expression.
    fn sub_expr(&mut self, tokens: Vec<Token>, whole: Span) -> PResult<EH> {
        let saved_toks = std::mem::replace(&mut self.toks, tokens);
        let saved_pos = std::mem::replace(&mut self.pos, 0);
        let saved_prev = (self.prev_span, self.prev_rbrace);
        let r = self.sub_expr_inner(whole);
        self.toks = saved_toks;
        self.pos = saved_pos;
        (self.prev_span, self.prev_rbrace) = saved_prev;
        r
    }

    fn sub_expr_inner(&mut self, whole: Span) -> PResult<EH> {
        if self.at(&TokenKind::Eof) {
            self.report(Diagnostic::error("empty interpolation '${}'", whole));
            return Err(());
        }
        let e = self.inner_expr()?;
        if !self.at(&TokenKind::Eof) {
            let d = Diagnostic::error(
                format!(
                    "expected '}}' to close the interpolation but found {}",
                    self.found()
                ),
                self.span_here(),
            )
            .with_label(
                Span {
                    end: whole.start + 2,
                    ..whole
                },
                "interpolation starts here",
            );
            return self.fail(d);
        }
        Ok(e)
    }

    // ----- match patterns -----

    pub(super) fn pattern(&mut self) -> PResult<Pattern> {
        self.nested(|p| p.pattern_inner())
    }

    fn pattern_inner(&mut self) -> PResult<Pattern> {
        use TokenKind as T;
        let span = self.span_here();
        let lit = |kind, span| Ok(Pattern::Literal(Expr { kind, span }));
        match self.kind() {
            T::Ident(n) if n == "_" => {
                self.bump();
                Ok(Pattern::Wildcard(span))
            }
            T::Minus => {
                self.bump();
                match self.kind() {
                    T::Int(v) => {
                        let v = *v;
                        let end = self.bump().span;
                        let n = if v == I64_MIN_MAGNITUDE {
                            i64::MIN
                        } else {
                            -(self.int_literal(v, end)?)
                        };
                        lit(ExprKind::Int(n), span.to(end))
                    }
                    T::Float(f) => {
                        let f = *f;
                        let end = self.bump().span;
                        lit(ExprKind::Float(-f), span.to(end))
                    }
                    _ => self.expected("a number after '-' in a pattern"),
                }
            }
            T::Int(v) => {
                let v = *v;
                self.bump();
                let v = self.int_literal(v, span)?;
                lit(ExprKind::Int(v), span)
            }
            T::Float(f) => {
                let f = *f;
                self.bump();
                lit(ExprKind::Float(f), span)
            }
            T::Str(s) => {
                let s = s.clone();
                self.bump();
                lit(ExprKind::Str(s), span)
            }
            T::True => {
                self.bump();
                lit(ExprKind::Bool(true), span)
            }
            T::False => {
                self.bump();
                lit(ExprKind::Bool(false), span)
            }
            T::Null => {
                self.bump();
                lit(ExprKind::Null, span)
            }
            T::Interp(_) => {
                let d =
                    Diagnostic::error("an interpolated string cannot be used as a pattern", span);
                self.fail(d)
            }
            T::Ident(_) => {
                let name = self.ident("a pattern")?;
                if self.eat(&T::ColonColon) {
                    let variant = self.ident("a variant name after '::'")?;
                    let args = self.pattern_args()?;
                    return Ok(Pattern::Variant {
                        enum_name: name,
                        variant,
                        args,
                        span: span.to(self.prev_span),
                    });
                }
                if self.at(&T::LParen) && !self.peek().nl_before {
                    let args = self.pattern_args()?;
                    return Ok(Pattern::Ctor {
                        name,
                        args,
                        span: span.to(self.prev_span),
                    });
                }
                if name.name == "None" {
                    return Ok(Pattern::Ctor {
                        name,
                        args: Vec::new(),
                        span,
                    });
                }
                Ok(Pattern::Ident(name))
            }
            _ => self.expected("a pattern"),
        }
    }

    /// `(p, ...)` after a constructor or variant name; nothing if there is no `(`.
    fn pattern_args(&mut self) -> PResult<Vec<Pattern>> {
        let mut args = Vec::new();
        if !self.at(&TokenKind::LParen) || self.peek().nl_before {
            return Ok(args);
        }
        let open = self.bump().span;
        while !self.at(&TokenKind::RParen) {
            args.push(self.pattern()?);
            if !self.eat(&TokenKind::Comma) {
                break;
            }
        }
        self.expect_close(&TokenKind::RParen, ")", "(", open)?;
        Ok(args)
    }
}

fn leaf_owned(kind: ExprKind, span: Span) -> PResult<EH> {
    Ok((Expr { kind, span }, 1))
}

//! `quasiquote`: constant parts stay constants; the rest is built with calls to the builtins
//! `cons`, `append` and `list->vector`. Nested quasiquotes raise the depth; only unquotes at
//! depth 1 are evaluated.

use super::expand::{Env, Lx, Sf};
use super::lower::*;
use crate::ir::*;
use std::rc::Rc;
use tandem_syntax::scheme::{Datum, DatumKind};
use tandem_syntax::Span;

/// A quasiquoted part: a constant (when nothing inside is unquoted) or code.
enum Qq {
    Const(Const),
    Code(Expr),
}

impl Qq {
    fn into_expr(self, span: Span) -> Expr {
        match self {
            Qq::Const(c) => constant(c, span),
            Qq::Code(e) => e,
        }
    }
}

fn cons(a: Qq, b: Qq, span: Span) -> Qq {
    match (a, b) {
        (Qq::Const(a), Qq::Const(b)) => Qq::Const(match b {
            Const::Null => Const::List(vec![a], Box::new(Const::Null)),
            Const::List(mut items, tail) => {
                items.insert(0, a);
                Const::List(items, tail)
            }
            other => Const::List(vec![a], Box::new(other)),
        }),
        (a, b) => Qq::Code(global_call(
            "cons",
            vec![a.into_expr(span), b.into_expr(span)],
            span,
        )),
    }
}

/// The constants `rev` (last first) in front of `acc`, joined in one step when `acc` is a
/// constant too (it always is when `rev` is not empty).
fn prepend(mut rev: Vec<Const>, acc: Qq, span: Span) -> Qq {
    match acc {
        Qq::Const(tail) if !rev.is_empty() => {
            rev.reverse();
            Qq::Const(match tail {
                Const::Null => Const::List(rev, Box::new(Const::Null)),
                Const::List(items, t) => {
                    rev.extend(items);
                    Const::List(rev, t)
                }
                other => Const::List(rev, Box::new(other)),
            })
        }
        acc => rev
            .into_iter()
            .fold(acc, |acc, c| cons(Qq::Const(c), acc, span)),
    }
}

impl Lx {
    pub(crate) fn quasiquote(&mut self, d: &Datum, env: &Rc<Env>, depth: u32) -> Expr {
        self.qq(d, env, depth).into_expr(d.span)
    }

    /// `(unquote x)`-like form: the keyword it starts with (by binding) and its operand.
    fn qq_form<'d>(&self, d: &'d Datum, env: &Rc<Env>) -> Option<(Sf, &'d Datum)> {
        match d.list_items() {
            Some([head, x]) => match self.special_of(head, env) {
                Some(sf @ (Sf::Unquote | Sf::UnquoteSplicing | Sf::Quasiquote)) => Some((sf, x)),
                _ => None,
            },
            _ => None,
        }
    }

    fn qq(&mut self, d: &Datum, env: &Rc<Env>, depth: u32) -> Qq {
        let span = d.span;
        match &d.kind {
            DatumKind::List(items, tail) if !items.is_empty() => {
                if let Some((sf, x)) = self.qq_form(d, env) {
                    let name = match sf {
                        Sf::Unquote => "unquote",
                        Sf::UnquoteSplicing => "unquote-splicing",
                        _ => "quasiquote",
                    };
                    let inner = match sf {
                        Sf::Unquote if depth == 1 => return Qq::Code(self.expr(x, env)),
                        Sf::UnquoteSplicing if depth == 1 => {
                            self.err("unquote-splicing: not inside a list", span);
                            return Qq::Const(Const::Null);
                        }
                        Sf::Quasiquote => self.qq(x, env, depth + 1),
                        _ => self.qq(x, env, depth - 1),
                    };
                    let tail = cons(inner, Qq::Const(Const::Null), span);
                    return cons(Qq::Const(Const::Symbol(name.into())), tail, span);
                }
                // `(a . ,x)` reads as `(a unquote x)`.
                let n = items.len();
                let dotted_unquote = tail.is_none()
                    && n >= 3
                    && self.special_of(&items[n - 2], env) == Some(Sf::Unquote);
                let (elems, mut acc) = if dotted_unquote {
                    let t = Datum::new(DatumKind::List(items[n - 2..].to_vec(), None), span);
                    (&items[..n - 2], self.qq(&t, env, depth))
                } else {
                    let acc = match tail {
                        Some(t) => self.qq(t, env, depth),
                        None => Qq::Const(Const::Null),
                    };
                    (&items[..], acc)
                };
                // Constant items in front of a constant `acc` collect here (last first) and
                // join it in one step: consing them one at a time would be quadratic.
                let mut consts: Vec<Const> = Vec::new();
                for item in elems.iter().rev() {
                    let q = match self.qq_form(item, env) {
                        Some((Sf::UnquoteSplicing, x)) if depth == 1 => {
                            let spliced = self.expr(x, env);
                            let rest = prepend(std::mem::take(&mut consts), acc, item.span);
                            acc = Qq::Code(global_call(
                                "append",
                                vec![spliced, rest.into_expr(item.span)],
                                item.span,
                            ));
                            continue;
                        }
                        _ => self.qq(item, env, depth),
                    };
                    match q {
                        Qq::Const(c) if matches!(acc, Qq::Const(_)) => consts.push(c),
                        q => {
                            acc = prepend(std::mem::take(&mut consts), acc, item.span);
                            acc = cons(q, acc, item.span);
                        }
                    }
                }
                prepend(consts, acc, span)
            }
            DatumKind::Vector(items) => {
                let l = Datum::new(DatumKind::List(items.clone(), None), span);
                match self.qq(&l, env, depth) {
                    Qq::Const(Const::Null) => Qq::Const(Const::Vector(Vec::new())),
                    Qq::Const(Const::List(xs, _)) => Qq::Const(Const::Vector(xs)),
                    q => Qq::Code(global_call("list->vector", vec![q.into_expr(span)], span)),
                }
            }
            _ => Qq::Const(const_of(d)),
        }
    }
}

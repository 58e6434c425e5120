//! IR-building helpers for the Scheme lowering, and the contract with the natives.
//!
//! # Builtins the lowering calls
//!
//! Free identifiers become `Global(name)` in the `"scheme"` builtin namespace. Besides what a
//! program names itself, the lowering generates calls to these globals:
//!
//! | name | arguments | meaning |
//! |------|-----------|---------|
//! | `cons` | `(a d)` | a pair (quasiquote, `apply` with spread arguments) |
//! | `list` | `(x ...)` | a proper list (quasiquote, `parameterize`) |
//! | `append` | `(l1 l2)` | `l1` copied in front of `l2` (quasiquote `,@`) |
//! | `list->vector` | `(l)` | a vector of a list's items (quasiquote of a vector) |
//! | `eqv?` | `(a b)` | `case` on floats, strings and other non-immediate data |
//! | `length` | `(l)` | `case-lambda` dispatch on the argument count |
//! | `error` | `(msg irritant ...)` | `case-lambda` with no clause for the argument count |
//! | `call-with-values` | `(thunk consumer)` | `let-values`, `let*-values`, `define-values` |
//! | `%delay` | `(thunk)` | `(delay e)`: a promise that, when first forced, calls `thunk` and memoizes its value |
//! | `%delay-force` | `(thunk)` | `(delay-force e)`: a promise that, when forced, calls `thunk` (which returns a promise) and forces that promise in its place (iteratively, R7RS `delay-force` semantics, so chains run in constant space) |
//! | `%parameterize` | `(params values thunk)` | `(parameterize ((p v) ...) body)`: `params` and `values` are lists of equal length; converts each value with its parameter's converter, installs the new values for the dynamic extent of calling `thunk` (restoring them when it returns or escapes), and returns the thunk's result |
//! | `%guard-body` | `(thunk)` | `guard`'s body: calls `thunk` with no `with-exception-handler` handlers visible (restoring them on exit) |
//! | `%escape?` | `(obj)` | `guard`'s handler: is the raised object a call/cc escape (re-raised, never handled by a guard)? |
//! | `%record-instance?` | `(obj type)` | `#t` when `obj` is an instance of the record type (struct type) `type` (record predicates, and the check in accessors and modifiers) |
//! | `%make-error-object` | `(message irritants)` | an error object, as `error` makes (a record accessor or modifier given another type's record) |
//! | `%raise` | `(obj)` | raise `obj` as natives raise their errors (the same) |
//! | `%jue-print` | `(v)` | Jue: print a top-level expression's value on its own line (`write` notation, `true`/`false`, `nil`) |
//! | `%with-tier` | `(tier-symbol thunk)` | Jue `(:formal e)` etc.: call `thunk` with capabilities narrowed to the tier (`formal`, `verified`, `empirical`, `experimental`), restoring them afterwards; returns the thunk's value |
//!
//! The Scheme prelude (lowered with `lower_scheme_library`) gets raw guards: no
//! `%guard-body` wrapper and no `%escape?` test (its `guard` is the primitive
//! catch-everything the runtime support is built on).
//!
//! `(apply f a ... lst)` with the builtin `apply` becomes an [`ExprKind::Apply`] (so it can be
//! a tail call); `apply` used any other way (passed as a value, rebound) is the procedure.
//! Like the inlined arithmetic, this is decided once the whole program is expanded: a name
//! the program defines or assigns anywhere, or its namespace already has (REPL, imports), is
//! not the builtin.
//!
//! Records: `define-record-type` makes an [`ExprKind::StructDef`] (no methods) bound to the
//! type's name; the constructor builds it with [`ExprKind::StructLit`] (fields the
//! constructor does not take start as `#f`); accessors and modifiers check their argument
//! with `%record-instance?` (raising `NAME: expected a TYPE record, got OBJ` otherwise) and
//! then use [`ExprKind::Field`] / [`ExprKind::SetField`].

use crate::ir::*;
use tandem_syntax::scheme::{Datum, DatumKind};
use tandem_syntax::Span;

pub(crate) fn mk(kind: ExprKind, span: Span) -> Expr {
    Expr::new(kind, span)
}

pub(crate) fn call(callee: Expr, args: Vec<Expr>, span: Span) -> Expr {
    mk(
        ExprKind::Call {
            callee: Box::new(callee),
            args,
            tail: false,
        },
        span,
    )
}

pub(crate) fn global_call(name: &str, args: Vec<Expr>, span: Span) -> Expr {
    call(mk(ExprKind::Global(name.into()), span), args, span)
}

pub(crate) fn if_(cond: Expr, then: Expr, else_: Expr, span: Span) -> Expr {
    mk(
        ExprKind::If {
            cond: Box::new(cond),
            then: Box::new(then),
            else_: Box::new(else_),
            truth: Truth::Scheme,
        },
        span,
    )
}

pub(crate) fn local(v: VarId, span: Span) -> Expr {
    mk(ExprKind::Local(v), span)
}

pub(crate) fn define(v: VarId, value: Expr, span: Span) -> Expr {
    mk(ExprKind::Define(v, Box::new(value)), span)
}

pub(crate) fn constant(c: Const, span: Span) -> Expr {
    mk(ExprKind::Const(c), span)
}

pub(crate) fn sym(name: &str, span: Span) -> Datum {
    Datum::new(DatumKind::Symbol(name.to_string()), span)
}

/// A quoted datum as a constant (renamed symbols are written as their original names).
pub(crate) fn const_of(d: &Datum) -> Const {
    match &d.kind {
        DatumKind::Bool(b) => Const::Bool(*b),
        DatumKind::Int(i) => Const::Int(*i),
        DatumKind::Float(f) => Const::Float(*f),
        DatumKind::Char(c) => Const::Char(*c),
        DatumKind::Str(s) => Const::Str(s.clone()),
        DatumKind::Symbol(s) => Const::Symbol(super::expand::base_name(s).to_string()),
        DatumKind::List(items, None) if items.is_empty() => Const::Null,
        DatumKind::List(items, tail) => Const::List(
            items.iter().map(const_of).collect(),
            Box::new(tail.as_ref().map(|t| const_of(t)).unwrap_or(Const::Null)),
        ),
        DatumKind::Vector(items) => Const::Vector(items.iter().map(const_of).collect()),
        DatumKind::Bytevector(b) => Const::Bytes(b.clone()),
    }
}

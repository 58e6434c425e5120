//! `define-record-type`: a struct type (bound to the type's name), a constructor building
//! it with `StructLit`, a predicate calling `%record-instance?`, and accessors / modifiers
//! that check their argument the same way before using `Field` / `SetField`.

use super::expand::{base_name, Binding, Def, DefVal, Env, Lx};
use super::forms::WriteShort;
use super::lower::*;
use crate::ir::*;
use std::rc::Rc;
use tandem_syntax::scheme::{Datum, DatumKind};
use tandem_syntax::Span;

pub(crate) enum RecordPart {
    Type {
        name: String,
        fields: Vec<String>,
    },
    /// `params`: the constructor's parameters, as field names.
    Ctor {
        ty: String,
        params: Vec<String>,
        fields: Vec<String>,
    },
    Pred {
        ty: String,
    },
    /// An accessor, or with `modifier` a modifier, of `field`. It knows its type (`ty`, the
    /// type's name as bound) and the type's display name, to check its argument.
    Field {
        ty: String,
        shown: String,
        field: String,
        modifier: bool,
    },
}

impl Lx {
    /// Parse `(define-record-type <name> (ctor field ...) pred (field accessor [modifier]) ...)`
    /// into definitions.
    pub(crate) fn parse_record(
        &mut self,
        items: &[Datum],
        span: Span,
    ) -> Option<Vec<Def<'static>>> {
        if items.len() < 4 {
            self.err(
                "define-record-type: expected a type name, a constructor and a predicate",
                span,
            );
            return None;
        }
        let ty_d = match &items[1].kind {
            DatumKind::List(xs, _) if !xs.is_empty() => &xs[0],
            _ => &items[1],
        };
        let Some(ty) = ty_d.as_symbol() else {
            self.err("define-record-type: expected a type name", items[1].span);
            return None;
        };
        let display = base_name(ty)
            .trim_start_matches('<')
            .trim_end_matches('>')
            .to_string();
        let shown = if display.is_empty() {
            base_name(ty).to_string()
        } else {
            display
        };
        // The field names as written (without any renaming).
        let mut fields: Vec<String> = Vec::new();
        let mut defs = Vec::new();
        let mut accessors = Vec::new();
        for f in items.get(4..).unwrap_or(&[]) {
            let spec: Vec<&Datum> = match &f.kind {
                DatumKind::Symbol(_) => vec![f],
                DatumKind::List(xs, None) if !xs.is_empty() && xs.len() <= 3 => xs.iter().collect(),
                _ => {
                    self.err(
                        format!("define-record-type: bad field spec {}", f.write_short()),
                        f.span,
                    );
                    return None;
                }
            };
            let mut names = Vec::new();
            for s in &spec {
                match s.as_symbol() {
                    Some(n) => names.push(n.to_string()),
                    None => {
                        self.err(
                            "define-record-type: a field spec must contain symbols",
                            s.span,
                        );
                        return None;
                    }
                }
            }
            let field = base_name(&names[0]).to_string();
            if fields.contains(&field) {
                self.err(
                    format!("define-record-type: duplicate field `{field}`"),
                    f.span,
                );
                return None;
            }
            // `(field accessor modifier)`: the names after the field's own.
            for (proc_name, modifier) in names[1..].iter().zip([false, true]) {
                accessors.push(Def {
                    name: proc_name.clone(),
                    span: f.span,
                    val: DefVal::Record(RecordPart::Field {
                        ty: ty.to_string(),
                        shown: shown.clone(),
                        field: field.clone(),
                        modifier,
                    }),
                });
            }
            fields.push(field);
        }
        defs.push(Def {
            name: ty.to_string(),
            span,
            val: DefVal::Record(RecordPart::Type {
                name: shown,
                fields: fields.clone(),
            }),
        });
        // The constructor's name and parameters, if it has one.
        let ctor = match &items[2].kind {
            DatumKind::Bool(false) => None,
            DatumKind::Symbol(c) => Some((c.as_str(), fields.clone())),
            DatumKind::List(xs, None) if !xs.is_empty() => {
                let Some(c) = xs[0].as_symbol() else {
                    self.err(
                        "define-record-type: expected a constructor name",
                        xs[0].span,
                    );
                    return None;
                };
                let mut params = Vec::new();
                for p in &xs[1..] {
                    match p.as_symbol().map(base_name) {
                        Some(p) if fields.iter().any(|f| f == p) => {
                            if params.iter().any(|q| q == p) {
                                self.err(
                                    format!(
                                        "define-record-type: duplicate constructor field `{p}`"
                                    ),
                                    xs[0].span,
                                );
                                return None;
                            }
                            params.push(p.to_string())
                        }
                        _ => {
                            self.err(
                                format!(
                                    "define-record-type: constructor argument {} is not a field",
                                    p.write_short()
                                ),
                                p.span,
                            );
                            return None;
                        }
                    }
                }
                Some((c, params))
            }
            _ => {
                self.err("define-record-type: bad constructor spec", items[2].span);
                return None;
            }
        };
        if let Some((c, params)) = ctor {
            defs.push(Def {
                name: c.to_string(),
                span: items[2].span,
                val: DefVal::Record(RecordPart::Ctor {
                    ty: ty.to_string(),
                    params,
                    fields,
                }),
            });
        }
        match &items[3].kind {
            DatumKind::Bool(false) => {}
            DatumKind::Symbol(p) => defs.push(Def {
                name: p.clone(),
                span: items[3].span,
                val: DefVal::Record(RecordPart::Pred { ty: ty.to_string() }),
            }),
            _ => {
                self.err(
                    "define-record-type: expected a predicate name",
                    items[3].span,
                );
                return None;
            }
        }
        defs.extend(accessors);
        Some(defs)
    }

    pub(crate) fn record_part(
        &mut self,
        part: &RecordPart,
        env: &Rc<Env>,
        name: &str,
        span: Span,
    ) -> Expr {
        let ty_ref = |lx: &Lx, ty: &str| match lx.lookup(env, ty) {
            Binding::Var(v) => local(v, span),
            Binding::Global(g) => mk(ExprKind::Global(g), span),
            _ => Expr::null(span),
        };
        let fid = match part {
            RecordPart::Type { name, fields } => {
                return mk(
                    ExprKind::StructDef {
                        name: name.clone(),
                        fields: fields.clone(),
                        methods: Vec::new(),
                    },
                    span,
                )
            }
            RecordPart::Ctor { ty, params, fields } => {
                self.make_func(name, span, params, None, |lx, pv, _| {
                    let ty = ty_ref(lx, ty);
                    let vals = fields
                        .iter()
                        .map(|f| {
                            let v = match params.iter().position(|p| p == f) {
                                Some(i) => local(pv[i], span),
                                None => constant(Const::Bool(false), span),
                            };
                            (f.clone(), v)
                        })
                        .collect();
                    mk(
                        ExprKind::StructLit {
                            ty: Box::new(ty),
                            fields: vals,
                        },
                        span,
                    )
                })
            }
            RecordPart::Pred { ty } => {
                self.make_func(name, span, &["obj".into()], None, |lx, pv, _| {
                    let ty = ty_ref(lx, ty);
                    global_call("%record-instance?", vec![local(pv[0], span), ty], span)
                })
            }
            RecordPart::Field {
                ty,
                shown,
                field,
                modifier,
            } => {
                let params: Vec<String> = if *modifier {
                    vec!["obj".into(), "value".into()]
                } else {
                    vec!["obj".into()]
                };
                self.make_func(name, span, &params, None, |lx, pv, _| {
                    let obj = || local(pv[0], span);
                    let access = match pv.get(1) {
                        Some(&value) => ExprKind::SetField(
                            Box::new(obj()),
                            field.clone(),
                            Box::new(local(value, span)),
                        ),
                        None => ExprKind::Field(Box::new(obj()), field.clone()),
                    };
                    let ty = ty_ref(lx, ty);
                    checked(name, shown, obj, ty, mk(access, span), span)
                })
            }
        };
        mk(ExprKind::Closure(fid), span)
    }
}

/// `body` when `obj()` is an instance of the record type `ty`, else an error naming the
/// procedure and the type (`point-x: expected a point record, got 42`), raised as the
/// natives raise theirs.
fn checked(
    proc_name: &str,
    shown: &str,
    obj: impl Fn() -> Expr,
    ty: Expr,
    body: Expr,
    span: Span,
) -> Expr {
    let test = global_call("%record-instance?", vec![obj(), ty], span);
    let message = constant(
        Const::Str(format!(
            "{}: expected a {shown} record, got",
            base_name(proc_name)
        )),
        span,
    );
    let irritants = global_call("cons", vec![obj(), constant(Const::Null, span)], span);
    let error = global_call("%make-error-object", vec![message, irritants], span);
    if_(test, body, global_call("%raise", vec![error], span), span)
}

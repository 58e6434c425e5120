//! `syntax-rules` transformers: pattern matching (literals, `_`, ellipses anywhere in a
//! list — also before a tail or dotted rest — nested ellipses, vectors) and template
//! instantiation with hygienic renaming (see [`super::expand`] for how aliases resolve).

use super::expand::{base_name, strip, Binding, Env, Lx, Sf, MAX_EXPANSION_NODES};
use super::forms::WriteShort;
use rustc_hash::FxHashMap;
use std::rc::Rc;
use tandem_syntax::scheme::{Datum, DatumKind};
use tandem_syntax::Span;

pub(crate) struct Macro {
    name: String,
    /// The ellipsis identifier (by its original name), `...` unless given.
    ellipsis: String,
    literals: Vec<String>,
    rules: Vec<(Datum, Datum)>,
    /// Where the macro was defined: its templates' free identifiers mean what they mean here.
    env: Rc<Env>,
}

/// What a pattern variable matched: one datum, or (under an ellipsis) a sequence.
enum Tree {
    One(Datum),
    Many(Vec<Tree>),
}

type Binds = FxHashMap<String, Tree>;
type View<'a> = FxHashMap<&'a str, &'a Tree>;

impl Lx {
    /// Parse a transformer spec (`(syntax-rules ...)`) for a macro named `name` defined in
    /// `env`.
    pub(crate) fn parse_transformer(
        &mut self,
        spec: &Datum,
        env: &Rc<Env>,
        name: &str,
    ) -> Option<Macro> {
        let items = match spec.list_items() {
            Some(items) if self.form_of(spec, env) == Some(Sf::SyntaxRules) => items,
            _ => {
                self.err(
                    format!(
                        "define-syntax: expected a (syntax-rules ...) transformer for `{}`, got {}",
                        base_name(name),
                        spec.write_short()
                    ),
                    spec.span,
                );
                return None;
            }
        };
        let (ellipsis, rest) = match items.get(1).and_then(|d| d.as_symbol()) {
            Some(e) => (base_name(e).to_string(), &items[2..]),
            None => ("...".to_string(), &items[1..]),
        };
        let Some((lits, rules)) = rest.split_first() else {
            self.err("syntax-rules: expected a list of literals", spec.span);
            return None;
        };
        let Some(lit_items) = lits.list_items() else {
            self.err("syntax-rules: expected a list of literals", lits.span);
            return None;
        };
        let mut literals = Vec::new();
        for l in lit_items {
            match l.as_symbol() {
                Some(s) => literals.push(s.to_string()),
                None => {
                    self.err("syntax-rules: a literal must be a symbol", l.span);
                    return None;
                }
            }
        }
        let mut out = Vec::new();
        for r in rules {
            match r.list_items() {
                Some([p, t]) if matches!(p.kind, DatumKind::List(..)) => {
                    out.push((p.clone(), t.clone()))
                }
                _ => {
                    self.err(
                        format!(
                            "syntax-rules: bad rule {} (expected ((_ pattern ...) template))",
                            r.write_short()
                        ),
                        r.span,
                    );
                    return None;
                }
            }
        }
        Some(Macro {
            name: base_name(name).to_string(),
            ellipsis,
            literals,
            rules: out,
            env: env.clone(),
        })
    }
}

impl Macro {
    /// Expand one use `d` of the macro in `use_env`.
    pub(crate) fn expand(
        &self,
        lx: &mut Lx,
        d: &Datum,
        use_env: &Rc<Env>,
    ) -> Result<Datum, String> {
        let DatumKind::List(xs, xtail) = &d.kind else {
            return Err(format!("{}: bad macro use", self.name));
        };
        for (pat, tmpl) in &self.rules {
            let DatumKind::List(ps, ptail) = &pat.kind else {
                continue;
            };
            let mut b = Binds::default();
            let ok = !ps.is_empty()
                && self.match_seq(
                    lx,
                    &ps[1..],
                    ptail.as_deref(),
                    &xs[1..],
                    xtail.as_deref(),
                    use_env,
                    &mut b,
                );
            if ok {
                let view: View = b.iter().map(|(k, v)| (k.as_str(), v)).collect();
                let mut ren = FxHashMap::default();
                // One budget for every expansion of the program (see `Lx::expansion_nodes`).
                let mut budget = lx.expansion_nodes;
                let r = self.inst(lx, tmpl, &view, &mut ren, d.span, false, &mut budget);
                lx.expansion_nodes = budget;
                return r;
            }
        }
        Err(format!(
            "no syntax-rules pattern matches {}",
            strip(d).write_short()
        ))
    }

    fn is_ellipsis(&self, d: &Datum) -> bool {
        d.as_symbol().is_some_and(|s| base_name(s) == self.ellipsis)
    }

    fn is_literal(&self, s: &str) -> bool {
        self.literals.iter().any(|l| l == s)
    }

    /// Is `s` a pattern variable (not a literal, `_` or the ellipsis)?
    fn is_pvar(&self, s: &str) -> bool {
        !self.is_literal(s) && base_name(s) != "_" && base_name(s) != self.ellipsis
    }

    fn pvars(&self, p: &Datum, out: &mut Vec<String>) {
        match &p.kind {
            DatumKind::Symbol(s) if self.is_pvar(s) => out.push(s.clone()),
            DatumKind::List(items, tail) => {
                for i in items {
                    self.pvars(i, out);
                }
                if let Some(t) = tail {
                    self.pvars(t, out);
                }
            }
            DatumKind::Vector(items) => items.iter().for_each(|i| self.pvars(i, out)),
            _ => {}
        }
    }

    fn match_one(&self, lx: &Lx, p: &Datum, x: &Datum, use_env: &Rc<Env>, b: &mut Binds) -> bool {
        match &p.kind {
            DatumKind::Symbol(s) => {
                if self.is_literal(s) {
                    let Some(xs) = x.as_symbol() else {
                        return false;
                    };
                    let lb: Binding = lx.lookup(&self.env, s);
                    return lb == lx.lookup(use_env, xs);
                }
                if base_name(s) != "_" {
                    b.insert(s.clone(), Tree::One(x.clone()));
                }
                true
            }
            DatumKind::List(ps, ptail) => match &x.kind {
                DatumKind::List(xs, xtail) => {
                    self.match_seq(lx, ps, ptail.as_deref(), xs, xtail.as_deref(), use_env, b)
                }
                // A pattern `(p ... . r)` can match a non-list through its tail.
                _ => self.match_seq(lx, ps, ptail.as_deref(), &[], Some(x), use_env, b),
            },
            DatumKind::Vector(ps) => match &x.kind {
                DatumKind::Vector(xs) => self.match_seq(lx, ps, None, xs, None, use_env, b),
                _ => false,
            },
            _ => datum_eq(p, x),
        }
    }

    /// Match pattern items `ps` (with an optional dotted tail) against input items `xs`
    /// (with an optional dotted tail).
    #[allow(clippy::too_many_arguments)]
    fn match_seq(
        &self,
        lx: &Lx,
        ps: &[Datum],
        ptail: Option<&Datum>,
        xs: &[Datum],
        xtail: Option<&Datum>,
        use_env: &Rc<Env>,
        b: &mut Binds,
    ) -> bool {
        let ell = (0..ps.len()).find(|&i| ps.get(i + 1).is_some_and(|e| self.is_ellipsis(e)));
        let (before, after_start) = match ell {
            Some(k) => (k, k + 2),
            None => (ps.len(), ps.len()),
        };
        let after = ps.len() - after_start;
        if xs.len() < before + after || (ell.is_none() && ptail.is_none() && xs.len() != ps.len()) {
            return false;
        }
        for (p, x) in ps[..before].iter().zip(xs) {
            if !self.match_one(lx, p, x, use_env, b) {
                return false;
            }
        }
        let consumed = match ell {
            None => before,
            Some(k) => {
                let end = xs.len() - after;
                let sub = &ps[k];
                let mut vars = Vec::new();
                self.pvars(sub, &mut vars);
                let mut seqs: Vec<Vec<Tree>> = vars.iter().map(|_| Vec::new()).collect();
                for x in &xs[k..end] {
                    let mut b2 = Binds::default();
                    if !self.match_one(lx, sub, x, use_env, &mut b2) {
                        return false;
                    }
                    for (v, seq) in vars.iter().zip(seqs.iter_mut()) {
                        seq.push(b2.remove(v).unwrap_or(Tree::Many(Vec::new())));
                    }
                }
                for (v, seq) in vars.into_iter().zip(seqs) {
                    b.insert(v, Tree::Many(seq));
                }
                for (p, x) in ps[after_start..].iter().zip(&xs[end..]) {
                    if !self.match_one(lx, p, x, use_env, b) {
                        return false;
                    }
                }
                xs.len()
            }
        };
        match ptail {
            None => xtail.is_none() && consumed == xs.len(),
            Some(pt) => {
                let rest = &xs[consumed..];
                let span = pt.span;
                let rest_d = match (rest.is_empty(), xtail) {
                    (true, Some(t)) => t.clone(),
                    (true, None) => Datum::new(DatumKind::List(Vec::new(), None), span),
                    (false, t) => Datum::new(
                        DatumKind::List(rest.to_vec(), t.map(|t| Box::new(t.clone()))),
                        span,
                    ),
                };
                self.match_one(lx, pt, &rest_d, use_env, b)
            }
        }
    }

    /// The error when the program's expansions pass [`MAX_EXPANSION_NODES`] nodes.
    fn too_large(&self) -> String {
        format!(
            "{}: macro expansion too large (the program's macro expansions passed \
             {MAX_EXPANSION_NODES} forms)",
            self.name
        )
    }

    /// Instantiate a template. `esc`: inside `(... template)`, where the ellipsis is literal.
    #[allow(clippy::too_many_arguments)]
    fn inst(
        &self,
        lx: &mut Lx,
        t: &Datum,
        b: &View,
        ren: &mut FxHashMap<String, String>,
        span: Span,
        esc: bool,
        budget: &mut u64,
    ) -> Result<Datum, String> {
        *budget += 1;
        if *budget > MAX_EXPANSION_NODES {
            return Err(self.too_large());
        }
        match &t.kind {
            DatumKind::Symbol(s) => match b.get(s.as_str()) {
                Some(Tree::One(d)) => {
                    *budget += datum_size(d);
                    if *budget > MAX_EXPANSION_NODES {
                        return Err(self.too_large());
                    }
                    Ok(d.clone())
                }
                Some(Tree::Many(_)) => Err(format!(
                    "{}: pattern variable `{}` used without an ellipsis in the template",
                    self.name,
                    base_name(s)
                )),
                None => {
                    let alias = match ren.get(s) {
                        Some(a) => a.clone(),
                        None => {
                            let a = lx.new_alias(s, &self.env);
                            ren.insert(s.clone(), a.clone());
                            a
                        }
                    };
                    Ok(Datum::new(DatumKind::Symbol(alias), span))
                }
            },
            DatumKind::List(items, tail) => {
                if !esc && items.len() == 2 && tail.is_none() && self.is_ellipsis(&items[0]) {
                    return self.inst(lx, &items[1], b, ren, span, true, budget);
                }
                let mut out = self.inst_items(lx, items, b, ren, span, esc, budget)?;
                let mut new_tail = None;
                if let Some(tl) = tail {
                    let x = self.inst(lx, tl, b, ren, span, esc, budget)?;
                    match x.kind {
                        DatumKind::List(mut xs, xt) => {
                            out.append(&mut xs);
                            new_tail = xt;
                        }
                        _ => new_tail = Some(Box::new(x)),
                    }
                }
                if out.is_empty() {
                    if let Some(t) = new_tail {
                        return Ok(*t);
                    }
                }
                Ok(Datum::new(DatumKind::List(out, new_tail), span))
            }
            DatumKind::Vector(items) => {
                let out = self.inst_items(lx, items, b, ren, span, esc, budget)?;
                Ok(Datum::new(DatumKind::Vector(out), span))
            }
            _ => Ok(t.clone()),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn inst_items(
        &self,
        lx: &mut Lx,
        items: &[Datum],
        b: &View,
        ren: &mut FxHashMap<String, String>,
        span: Span,
        esc: bool,
        budget: &mut u64,
    ) -> Result<Vec<Datum>, String> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < items.len() {
            let mut k = 0;
            while !esc && items.get(i + 1 + k).is_some_and(|e| self.is_ellipsis(e)) {
                k += 1;
            }
            if k == 0 {
                out.push(self.inst(lx, &items[i], b, ren, span, esc, budget)?);
            } else {
                self.inst_ellipsis(lx, &items[i], k, b, ren, span, budget, &mut out)?;
            }
            i += 1 + k;
        }
        Ok(out)
    }

    /// Instantiate `t` followed by `k` ellipses, once per element of the sequences its
    /// pattern variables matched.
    #[allow(clippy::too_many_arguments)]
    fn inst_ellipsis(
        &self,
        lx: &mut Lx,
        t: &Datum,
        k: usize,
        b: &View,
        ren: &mut FxHashMap<String, String>,
        span: Span,
        budget: &mut u64,
        out: &mut Vec<Datum>,
    ) -> Result<(), String> {
        let mut syms = Vec::new();
        template_symbols(t, &mut syms);
        let mut vars: Vec<(&str, &Vec<Tree>)> = Vec::new();
        for s in syms {
            if let Some((name, Tree::Many(seq))) = b.get_key_value(s).map(|(k, v)| (*k, *v)) {
                if !vars.iter().any(|(n, _)| *n == name) {
                    vars.push((name, seq));
                }
            }
        }
        let Some(len) = vars.first().map(|(_, s)| s.len()) else {
            return Err(format!(
                "{}: no pattern variable with an ellipsis in the template {}",
                self.name,
                strip(t).write_short()
            ));
        };
        if vars.iter().any(|(_, s)| s.len() != len) {
            return Err(format!(
                "{}: pattern variables under one ellipsis matched sequences of different lengths",
                self.name
            ));
        }
        for i in 0..len {
            let mut b2: View = b.clone();
            for (name, seq) in &vars {
                b2.insert(name, &seq[i]);
            }
            if k == 1 {
                out.push(self.inst(lx, t, &b2, ren, span, false, budget)?);
            } else {
                self.inst_ellipsis(lx, t, k - 1, &b2, ren, span, budget, out)?;
            }
        }
        Ok(())
    }
}

fn template_symbols<'d>(t: &'d Datum, out: &mut Vec<&'d str>) {
    match &t.kind {
        DatumKind::Symbol(s) => out.push(s),
        DatumKind::List(items, tail) => {
            for i in items {
                template_symbols(i, out);
            }
            if let Some(t) = tail {
                template_symbols(t, out);
            }
        }
        DatumKind::Vector(items) => items.iter().for_each(|i| template_symbols(i, out)),
        _ => {}
    }
}

fn datum_size(d: &Datum) -> u64 {
    match &d.kind {
        DatumKind::List(items, tail) => {
            1 + items.iter().map(datum_size).sum::<u64>()
                + tail.as_ref().map_or(0, |t| datum_size(t))
        }
        DatumKind::Vector(items) => 1 + items.iter().map(datum_size).sum::<u64>(),
        _ => 1,
    }
}

/// `equal?` on literal pattern data, ignoring spans.
fn datum_eq(a: &Datum, b: &Datum) -> bool {
    match (&a.kind, &b.kind) {
        (DatumKind::List(xs, xt), DatumKind::List(ys, yt)) => {
            xs.len() == ys.len()
                && xs.iter().zip(ys).all(|(x, y)| datum_eq(x, y))
                && match (xt, yt) {
                    (None, None) => true,
                    (Some(x), Some(y)) => datum_eq(x, y),
                    _ => false,
                }
        }
        (DatumKind::Vector(xs), DatumKind::Vector(ys)) => {
            xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| datum_eq(x, y))
        }
        (DatumKind::Symbol(x), DatumKind::Symbol(y)) => base_name(x) == base_name(y),
        (x, y) => x == y,
    }
}

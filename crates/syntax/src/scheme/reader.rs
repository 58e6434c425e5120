//! The Scheme reader: source text → [`Datum`]s.
//!
//! The reader is iterative: open brackets, quote abbreviations and `#;` push frames on an
//! explicit stack, so no input can overflow the native stack. Nesting is capped at
//! [`MAX_DEPTH`], which also keeps every datum tree shallow enough for later stages to walk
//! (and drop) recursively.
//!
//! On an error the reader records a diagnostic, substitutes a placeholder for the bad datum
//! and carries on, so one file can report several errors (up to [`MAX_ERRORS`]).

use super::datum::{Datum, DatumKind};
use super::lexer::{Bracket, Lexer, Tok};
use crate::diagnostic::Diagnostic;
use crate::span::{FileId, Span};

/// Maximum nesting of lists, vectors, quote abbreviations and `#;` comments.
///
/// Real programs nest a few dozen levels at most. 1,000 keeps every tree shallow enough that
/// the derived (recursive) `Drop`, `Clone`, `PartialEq` and `Debug` of [`Datum`], and the
/// recursive passes after the reader, fit in a 1 MiB thread stack with room to spare (a
/// clone plus comparison costs a few hundred bytes of stack per level).
pub const MAX_DEPTH: usize = 1_000;
/// Reading stops after this many errors.
pub const MAX_ERRORS: usize = 20;

/// Which literals the reader knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ReadMode {
    /// R7RS Scheme.
    #[default]
    Scheme,
    /// Jue: additionally `true` and `false` read as booleans and `nil` as `()`.
    Jue,
}

/// Read every datum in a source file.
pub fn read(source: &str, file: FileId, mode: ReadMode) -> Result<Vec<Datum>, Vec<Diagnostic>> {
    read_with(Lexer::new(source, file, mode))
}

/// Read the datums in `source[range]`, a part of a source file: spans are positions in the
/// whole of `source`, as if the file had been read. (Used to read only some of the
/// top-level forms of a file.) A range that is not inside `source` on character boundaries
/// is an error.
pub fn read_range(
    source: &str,
    range: std::ops::Range<usize>,
    file: FileId,
    mode: ReadMode,
) -> Result<Vec<Datum>, Vec<Diagnostic>> {
    // `is_char_boundary` is false past the end, so this also rejects `start > end`.
    match source
        .get(..range.end)
        .filter(|s| s.is_char_boundary(range.start))
    {
        Some(src) => read_with(Lexer::new_at(src, range.start, file, mode)),
        None => Err(vec![Diagnostic::error(
            format!(
                "cannot read bytes {}..{} of a {}-byte text",
                range.start,
                range.end,
                source.len()
            ),
            Span::new(file, 0, 0),
        )]),
    }
}

fn read_with(lx: Lexer) -> Result<Vec<Datum>, Vec<Diagnostic>> {
    let mut r = Reader {
        lx,
        stack: Vec::new(),
        out: Vec::new(),
        diags: Vec::new(),
    };
    r.run();
    let mut diags = r.diags;
    diags.append(&mut r.lx.diags);
    if diags.is_empty() {
        return Ok(r.out);
    }
    // Report in source order, as the Ruff parser does.
    diags.sort_by_key(|d| d.span.map(|s| s.start).unwrap_or(0));
    diags.truncate(MAX_ERRORS);
    Err(diags)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FrameKind {
    List(Bracket),
    Vector,
    Bytevector,
    /// `'`, `` ` ``, `,`, `,@`: waiting for the datum to wrap in `(quote ...)` etc.
    Prefix(&'static str),
    /// `#;`: waiting for the datum to discard.
    Comment,
}

impl FrameKind {
    fn opener(self) -> &'static str {
        match self {
            FrameKind::List(Bracket::Round) => "(",
            FrameKind::List(Bracket::Square) => "[",
            FrameKind::Vector => "#(",
            FrameKind::Bytevector => "#u8(",
            FrameKind::Prefix("quote") => "'",
            FrameKind::Prefix("quasiquote") => "`",
            FrameKind::Prefix("unquote") => ",",
            FrameKind::Prefix(_) => ",@",
            FrameKind::Comment => "#;",
        }
    }

    fn is_bracket(self) -> bool {
        matches!(
            self,
            FrameKind::List(_) | FrameKind::Vector | FrameKind::Bytevector
        )
    }

    fn noun(self) -> &'static str {
        match self {
            FrameKind::Vector => "vector",
            FrameKind::Bytevector => "bytevector",
            _ => "list",
        }
    }
}

struct Frame {
    kind: FrameKind,
    /// The span of the opening token.
    open: Span,
    items: Vec<Datum>,
    /// The `.` of a dotted list, once seen.
    dot: Option<Span>,
    tail: Option<Datum>,
}

struct Reader<'a> {
    lx: Lexer<'a>,
    stack: Vec<Frame>,
    out: Vec<Datum>,
    diags: Vec<Diagnostic>,
}

impl Reader<'_> {
    fn error(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn error_count(&self) -> usize {
        self.diags.len() + self.lx.diags.len()
    }

    fn run(&mut self) {
        while self.error_count() < MAX_ERRORS {
            let t = self.lx.next_token();
            let span = t.span;
            let kind = match t.tok {
                Tok::Eof => {
                    self.end_of_input();
                    return;
                }
                Tok::Atom(kind) => {
                    self.emit(Datum::new(kind, span));
                    continue;
                }
                Tok::Error => {
                    // A placeholder keeps the surrounding structure intact (no cascade of
                    // "expected a datum" errors); the result is an error anyway.
                    // (`0` is valid everywhere, even in a bytevector.)
                    self.emit(Datum::new(DatumKind::Int(0), span));
                    continue;
                }
                Tok::Close(b) => {
                    self.close(b, span);
                    continue;
                }
                Tok::Dot => {
                    self.dot(span);
                    continue;
                }
                Tok::Open(b) => FrameKind::List(b),
                Tok::VecOpen => FrameKind::Vector,
                Tok::BytesOpen => FrameKind::Bytevector,
                Tok::Prefix(name) => FrameKind::Prefix(name),
                Tok::DatumComment => FrameKind::Comment,
            };
            if self.stack.len() >= MAX_DEPTH {
                self.error(
                    Diagnostic::error(format!("nesting too deep (limit {MAX_DEPTH})"), span)
                        .with_note(format!(
                            "lists, vectors and quote marks may nest at most {MAX_DEPTH} deep"
                        )),
                );
                return;
            }
            self.stack.push(Frame {
                kind,
                open: span,
                items: Vec::new(),
                dot: None,
                tail: None,
            });
        }
    }

    /// A finished datum goes to the innermost open frame (or the top level).
    fn emit(&mut self, mut d: Datum) {
        loop {
            let Some(top) = self.stack.last_mut() else {
                self.out.push(d);
                return;
            };
            match top.kind {
                FrameKind::List(_) if top.dot.is_some() => {
                    if top.tail.is_none() {
                        top.tail = Some(d);
                    } else {
                        let dot = top.dot.unwrap_or(d.span);
                        self.error(
                            Diagnostic::error(
                                "bad '.' placement: only one datum may follow '.'",
                                d.span,
                            )
                            .with_label(dot, "the '.' is here")
                            .with_hint("a dotted list looks like (a b . c)"),
                        );
                    }
                    return;
                }
                FrameKind::List(_) | FrameKind::Vector | FrameKind::Bytevector => {
                    top.items.push(d);
                    return;
                }
                FrameKind::Comment => {
                    self.stack.pop();
                    return;
                }
                FrameKind::Prefix(name) => {
                    let open = top.open;
                    self.stack.pop();
                    let head = Datum::new(DatumKind::Symbol(name.to_string()), open);
                    let span = open.to(d.span);
                    d = Datum::new(DatumKind::List(vec![head, d], None), span);
                }
            }
        }
    }

    /// Discard `'` and `#;` frames that are still waiting for a datum when something that
    /// cannot be one arrives (`what`, at `span`).
    fn abandon_prefixes(&mut self, what: &str, span: Span) {
        while let Some(top) = self.stack.last() {
            if top.kind.is_bracket() {
                break;
            }
            let (kind, open) = (top.kind, top.open);
            self.stack.pop();
            self.error(
                Diagnostic::error(format!("expected a datum after '{}'", kind.opener()), open)
                    .with_label(span, format!("found {what}")),
            );
        }
    }

    fn close(&mut self, b: Bracket, span: Span) {
        self.abandon_prefixes(&format!("'{}'", b.close()), span);
        let Some(frame) = self.stack.pop() else {
            self.error(
                Diagnostic::error(format!("unexpected '{}'", b.close()), span)
                    .with_hint("there is no open bracket here for it to close"),
            );
            return;
        };
        let expected = match frame.kind {
            FrameKind::List(ob) => ob,
            _ => Bracket::Round,
        };
        if expected != b {
            self.error(
                Diagnostic::error(
                    format!(
                        "mismatched brackets: '{}' closed by '{}'",
                        frame.kind.opener(),
                        b.close()
                    ),
                    span,
                )
                .with_label(
                    frame.open,
                    format!("expected '{}' to close this", expected.close()),
                )
                .with_hint("'(' closes with ')' and '[' with ']'"),
            );
        }
        let full = frame.open.to(span);
        if let (Some(dot), None) = (frame.dot, &frame.tail) {
            self.error(
                Diagnostic::error("bad '.' placement: expected a datum after '.'", dot)
                    .with_hint("a dotted list looks like (a b . c)"),
            );
        }
        let kind = match frame.kind {
            FrameKind::Vector => DatumKind::Vector(frame.items),
            FrameKind::Bytevector => DatumKind::Bytevector(self.bytes(frame.items)),
            _ => make_list(frame.items, frame.tail),
        };
        self.emit(Datum::new(kind, full));
    }

    fn bytes(&mut self, items: Vec<Datum>) -> Vec<u8> {
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            match item.kind {
                DatumKind::Int(v) if (0..=255).contains(&v) => out.push(v as u8),
                _ => self.error(Diagnostic::error(
                    format!(
                        "a bytevector element must be an integer from 0 to 255, not {}",
                        item.write()
                    ),
                    item.span,
                )),
            }
        }
        out
    }

    fn dot(&mut self, span: Span) {
        self.abandon_prefixes("'.'", span);
        let Some(top) = self.stack.last_mut() else {
            self.error(
                Diagnostic::error("unexpected '.' outside a list", span)
                    .with_hint("'.' only appears in dotted lists like (a . b)"),
            );
            return;
        };
        let d = match top.kind {
            FrameKind::List(_) if top.dot.is_some() => {
                Diagnostic::error("bad '.' placement: a list may have only one '.'", span)
            }
            FrameKind::List(_) if top.items.is_empty() => {
                Diagnostic::error("bad '.' placement: nothing before '.' in this list", span)
                    .with_hint("a dotted list needs at least one datum before the '.': (a . b)")
            }
            FrameKind::List(_) => {
                top.dot = Some(span);
                return;
            }
            kind => Diagnostic::error(format!("'.' is not allowed in a {}", kind.noun()), span),
        };
        self.error(d);
    }

    fn end_of_input(&mut self) {
        if self.stack.is_empty() {
            return;
        }
        if self.lx.unterminated {
            // The unterminated string or comment is the real error.
            return;
        }
        if let Some(top) = self.stack.last() {
            if !top.kind.is_bracket() {
                let (kind, open) = (top.kind, top.open);
                self.error(
                    Diagnostic::error(format!("expected a datum after '{}'", kind.opener()), open)
                        .with_note("the input ended first"),
                );
            }
        }
        let brackets: Vec<(FrameKind, Span)> = self
            .stack
            .iter()
            .filter(|f| f.kind.is_bracket())
            .map(|f| (f.kind, f.open))
            .collect();
        let (Some(&(kind, open)), Some(&(inner_kind, inner))) = (brackets.first(), brackets.last())
        else {
            return;
        };
        let close = match kind {
            FrameKind::List(b) => b.close(),
            _ => ')',
        };
        let mut d = Diagnostic::error(
            format!(
                "unclosed {}: '{}' is never closed",
                kind.noun(),
                kind.opener()
            ),
            open,
        )
        .with_hint(format!("add a matching '{close}'"));
        if brackets.len() > 1 {
            d = d
                .with_label(
                    inner,
                    format!("the innermost unclosed '{}' is here", inner_kind.opener()),
                )
                .with_note(format!(
                    "{} brackets are still open at the end of the input",
                    brackets.len()
                ));
        }
        self.error(d);
    }
}

/// A list from items and a dotted tail, normalised so that a tail is never itself a list:
/// `(a . (b . c))` is `(a b . c)` and `(a . ())` is `(a)`.
fn make_list(mut items: Vec<Datum>, tail: Option<Datum>) -> DatumKind {
    match tail {
        Some(Datum {
            kind: DatumKind::List(more, rest),
            ..
        }) => {
            items.extend(more);
            DatumKind::List(items, rest)
        }
        tail => DatumKind::List(items, tail.map(Box::new)),
    }
}

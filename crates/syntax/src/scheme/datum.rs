//! The datum tree: what the Scheme reader produces and every later stage (the expander, the
//! lowering to IR) consumes. A [`Datum`] is plain data with a [`Span`]; it is not a runtime value.
//!
//! Invariants the reader guarantees:
//! - the tail of an improper list is never itself a list: `(a . (b c))` reads as `(a b c)` and
//!   `(a . ())` as `(a)`, so one shape has one representation;
//! - no tree is nested deeper than [`crate::scheme::MAX_DEPTH`], so recursive walks (and the
//!   compiler-generated `Drop`) stay well within a thread's stack.

use crate::span::Span;
use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub struct Datum {
    pub kind: DatumKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum DatumKind {
    Bool(bool),
    Int(i64),
    Float(f64),
    Char(char),
    Str(String),
    Symbol(String),
    /// A proper or improper list: items, and the tail after a dot (None for a proper list).
    /// The empty list `()` is `List(vec![], None)`. A tail is never itself a `List`.
    List(Vec<Datum>, Option<Box<Datum>>),
    Vector(Vec<Datum>),
    Bytevector(Vec<u8>),
}

impl Datum {
    pub fn new(kind: DatumKind, span: Span) -> Datum {
        Datum { kind, span }
    }

    /// Is this the symbol `name`?
    pub fn is_symbol(&self, name: &str) -> bool {
        matches!(&self.kind, DatumKind::Symbol(s) if s == name)
    }

    /// The name of a symbol.
    pub fn as_symbol(&self) -> Option<&str> {
        match &self.kind {
            DatumKind::Symbol(s) => Some(s),
            _ => None,
        }
    }

    /// The items of a *proper* list (`None` for anything else, including improper lists).
    pub fn list_items(&self) -> Option<&[Datum]> {
        match &self.kind {
            DatumKind::List(items, None) => Some(items),
            _ => None,
        }
    }

    /// Is this the empty list `()`?
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, DatumKind::List(items, None) if items.is_empty())
    }

    /// Is this a non-empty proper list whose first item is the symbol `head`
    /// (e.g. `(quote x)`, `(:formal e)`)?
    pub fn is_form(&self, head: &str) -> bool {
        self.list_items()
            .and_then(|items| items.first())
            .is_some_and(|h| h.is_symbol(head))
    }

    /// A short description of the datum's type, for error messages ("a symbol", "a list").
    pub fn describe(&self) -> &'static str {
        match &self.kind {
            DatumKind::Bool(_) => "a boolean",
            DatumKind::Int(_) => "an integer",
            DatumKind::Float(_) => "a float",
            DatumKind::Char(_) => "a character",
            DatumKind::Str(_) => "a string",
            DatumKind::Symbol(_) => "a symbol",
            DatumKind::List(items, None) if items.is_empty() => "the empty list",
            DatumKind::List(_, None) => "a list",
            DatumKind::List(_, Some(_)) => "an improper list",
            DatumKind::Vector(_) => "a vector",
            DatumKind::Bytevector(_) => "a bytevector",
        }
    }

    /// The datum in Scheme `write` notation, as chibi-scheme writes it: `(quote x)` stays
    /// spelled out, strings and characters are escaped, symbols that would not read back as
    /// themselves are written `|like this|`.
    pub fn write(&self) -> String {
        let mut out = String::new();
        write_datum(self, &mut out);
        out
    }
}

impl fmt::Display for Datum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.write())
    }
}

/// Append the `write` notation of `d` to `out`. Iterative (an explicit work stack), so any
/// depth is safe.
pub fn write_datum(d: &Datum, out: &mut String) {
    enum Task<'a> {
        Datum(&'a Datum),
        Text(&'static str),
    }
    let mut stack = vec![Task::Datum(d)];
    while let Some(task) = stack.pop() {
        let d = match task {
            Task::Text(s) => {
                out.push_str(s);
                continue;
            }
            Task::Datum(d) => d,
        };
        let (open, items) = match &d.kind {
            DatumKind::Bool(b) => {
                out.push_str(if *b { "#t" } else { "#f" });
                continue;
            }
            DatumKind::Int(v) => {
                out.push_str(&v.to_string());
                continue;
            }
            DatumKind::Float(v) => {
                out.push_str(&format_float(*v));
                continue;
            }
            DatumKind::Char(c) => {
                write_char(*c, out);
                continue;
            }
            DatumKind::Str(s) => {
                write_string(s, out);
                continue;
            }
            DatumKind::Symbol(s) => {
                write_symbol(s, out);
                continue;
            }
            DatumKind::Bytevector(bytes) => {
                out.push_str("#u8(");
                for (i, b) in bytes.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    out.push_str(&b.to_string());
                }
                out.push(')');
                continue;
            }
            DatumKind::List(items, tail) => {
                stack.push(Task::Text(")"));
                if let Some(t) = tail {
                    stack.push(Task::Datum(t));
                    stack.push(Task::Text(" . "));
                }
                ("(", items)
            }
            DatumKind::Vector(items) => {
                stack.push(Task::Text(")"));
                ("#(", items)
            }
        };
        out.push_str(open);
        for (i, item) in items.iter().enumerate().rev() {
            stack.push(Task::Datum(item));
            if i > 0 {
                stack.push(Task::Text(" "));
            }
        }
    }
}

/// A float as chibi-scheme prints it: `0.5`, `3.0`, `-0.0`, `+inf.0`, `+nan.0`, `1e+21`.
pub fn format_float(v: f64) -> String {
    if v.is_nan() {
        return "+nan.0".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "+inf.0" } else { "-inf.0" }.to_string();
    }
    // `{:?}` is the shortest text that reads back as the same float, and always has a '.' or
    // an exponent; exponents are written `e+21` / `e-7` as C's printf does.
    let s = format!("{v:?}");
    match s.split_once('e') {
        Some((mant, exp)) if !exp.starts_with('-') => format!("{mant}e+{exp}"),
        _ => s,
    }
}

/// Character names `#\name` (R7RS), as written by `write`.
pub const CHAR_NAMES: &[(&str, char)] = &[
    ("alarm", '\u{7}'),
    ("backspace", '\u{8}'),
    ("delete", '\u{7f}'),
    ("escape", '\u{1b}'),
    ("newline", '\n'),
    ("null", '\0'),
    ("return", '\r'),
    ("space", ' '),
    ("tab", '\t'),
];

/// Write a character in `write` notation (`#\a`, `#\space`, `#\x7`).
pub fn write_char(c: char, out: &mut String) {
    out.push_str("#\\");
    if let Some((name, _)) = CHAR_NAMES.iter().find(|(_, ch)| *ch == c) {
        out.push_str(name);
    } else if c.is_control() || c.is_whitespace() {
        out.push_str(&format!("x{:x}", c as u32));
    } else {
        out.push(c);
    }
}

/// Escapes shared by strings and `|symbols|`; `quote` is the delimiter that must be escaped.
fn push_escaped(c: char, quote: char, out: &mut String) {
    match c {
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        c if c == quote => {
            out.push('\\');
            out.push(c);
        }
        c if c.is_control() => out.push_str(&format!("\\x{:x};", c as u32)),
        c => out.push(c),
    }
}

/// Write a string in `write` notation (quoted, with escapes).
pub fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        push_escaped(c, '"', out);
    }
    out.push('"');
}

/// Write a symbol so that it reads back as itself (in `|..|` when it must be).
pub fn write_symbol(s: &str, out: &mut String) {
    if symbol_needs_bars(s) {
        out.push('|');
        for c in s.chars() {
            push_escaped(c, '|', out);
        }
        out.push('|');
    } else {
        out.push_str(s);
    }
}

/// Characters that end a symbol or number in source text.
pub(crate) fn is_delimiter(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(
            c,
            '(' | ')' | '[' | ']' | '{' | '}' | '"' | ';' | '|' | '\'' | '`' | ','
        )
}

/// Does `text` start like a number (so the reader treats it as one, or reports a bad number)?
pub(crate) fn looks_numeric(text: &str) -> bool {
    let b = text.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(|c| c.is_ascii_digit());
    let i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    if digit(i) || (b.get(i) == Some(&b'.') && digit(i + 1)) {
        return true;
    }
    matches!(
        text.to_ascii_lowercase().as_str(),
        "+inf.0" | "-inf.0" | "+nan.0" | "-nan.0"
    )
}

/// Would this symbol read back as something else (or not at all) if written plainly?
fn symbol_needs_bars(s: &str) -> bool {
    s.is_empty()
        || s == "."
        || s.starts_with('#')
        || s.chars().any(|c| is_delimiter(c) || c == '\\')
        || looks_numeric(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::FileId;

    fn d(kind: DatumKind) -> Datum {
        Datum::new(kind, Span::new(FileId(0), 0, 0))
    }

    fn sym(s: &str) -> Datum {
        d(DatumKind::Symbol(s.to_string()))
    }

    #[test]
    fn writes_atoms() {
        assert_eq!(d(DatumKind::Bool(true)).write(), "#t");
        assert_eq!(d(DatumKind::Bool(false)).write(), "#f");
        assert_eq!(d(DatumKind::Int(-42)).write(), "-42");
        assert_eq!(d(DatumKind::Int(i64::MIN)).write(), "-9223372036854775808");
        assert_eq!(d(DatumKind::Float(0.5)).write(), "0.5");
        assert_eq!(d(DatumKind::Float(3.0)).write(), "3.0");
        assert_eq!(d(DatumKind::Float(-0.0)).write(), "-0.0");
        assert_eq!(d(DatumKind::Float(f64::INFINITY)).write(), "+inf.0");
        assert_eq!(d(DatumKind::Float(f64::NEG_INFINITY)).write(), "-inf.0");
        assert_eq!(d(DatumKind::Float(f64::NAN)).write(), "+nan.0");
        assert_eq!(d(DatumKind::Float(1e21)).write(), "1e+21");
        assert_eq!(d(DatumKind::Float(1e-7)).write(), "1e-7");
        assert_eq!(d(DatumKind::Char('a')).write(), "#\\a");
        assert_eq!(d(DatumKind::Char(' ')).write(), "#\\space");
        assert_eq!(d(DatumKind::Char('\0')).write(), "#\\null");
        assert_eq!(d(DatumKind::Char('\u{1}')).write(), "#\\x1");
        assert_eq!(d(DatumKind::Char('λ')).write(), "#\\λ");
        assert_eq!(
            d(DatumKind::Str("a\"b\\c\nd\te\u{7}\u{1}é".into())).write(),
            r#""a\"b\\c\nd\te\a\x1;é""#
        );
        assert_eq!(d(DatumKind::Bytevector(vec![1, 255])).write(), "#u8(1 255)");
        assert_eq!(d(DatumKind::Bytevector(vec![])).write(), "#u8()");
    }

    #[test]
    fn writes_symbols_with_bars_when_needed() {
        for plain in [
            "abc", "+", "-", "...", "->x", "<=?", "a.b", ":formal", "λ", "1+",
        ] {
            // `1+` starts with a digit: it needs bars.
            let expect_bars = plain == "1+";
            let w = sym(plain).write();
            assert_eq!(w.starts_with('|'), expect_bars, "{plain} -> {w}");
        }
        assert_eq!(sym("weird symbol").write(), "|weird symbol|");
        assert_eq!(sym("").write(), "||");
        assert_eq!(sym(".").write(), "|.|");
        assert_eq!(sym("a|b").write(), "|a\\|b|");
        assert_eq!(sym("#foo").write(), "|#foo|");
        assert_eq!(sym("12").write(), "|12|");
        assert_eq!(sym("+inf.0").write(), "|+inf.0|");
        assert_eq!(sym("-.5").write(), "|-.5|");
        assert_eq!(sym("(").write(), "|(|");
    }

    #[test]
    fn writes_lists_and_vectors() {
        let l = d(DatumKind::List(
            vec![sym("a"), d(DatumKind::Int(1))],
            Some(Box::new(sym("b"))),
        ));
        assert_eq!(l.write(), "(a 1 . b)");
        assert_eq!(d(DatumKind::List(vec![], None)).write(), "()");
        let v = d(DatumKind::Vector(vec![
            l.clone(),
            d(DatumKind::Vector(vec![])),
        ]));
        assert_eq!(v.write(), "#((a 1 . b) #())");
        assert_eq!(format!("{v}"), "#((a 1 . b) #())");
    }

    #[test]
    fn helpers() {
        let q = d(DatumKind::List(vec![sym("quote"), sym("x")], None));
        assert!(q.is_form("quote"));
        assert!(!q.is_form("x"));
        assert_eq!(q.list_items().map(|i| i.len()), Some(2));
        assert!(q.list_items().unwrap()[1].is_symbol("x"));
        assert_eq!(q.list_items().unwrap()[1].as_symbol(), Some("x"));
        assert_eq!(sym("x").list_items(), None);
        assert!(d(DatumKind::List(vec![], None)).is_null());
        assert!(!q.is_null());
        let improper = d(DatumKind::List(vec![sym("a")], Some(Box::new(sym("b")))));
        assert_eq!(improper.list_items(), None);
        assert_eq!(improper.describe(), "an improper list");
        assert_eq!(d(DatumKind::Int(1)).as_symbol(), None);
    }

    #[test]
    fn writing_a_very_deep_datum_is_iterative() {
        let mut x = sym("x");
        for _ in 0..100_000 {
            x = d(DatumKind::List(vec![x], None));
        }
        let text = x.write();
        assert_eq!(text.len(), 200_001);
        // Dismantle without recursion (this test builds deeper than the reader ever would).
        let mut cur = Some(x);
        while let Some(mut node) = cur.take() {
            if let DatumKind::List(items, _) = &mut node.kind {
                cur = items.pop();
            }
        }
    }
}

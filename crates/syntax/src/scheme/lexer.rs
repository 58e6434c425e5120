//! Tokens of the Scheme reader. The lexer turns every atom (number, string, character, boolean,
//! symbol) into its finished [`DatumKind`]; the reader only assembles brackets and prefixes.
//! It never panics: anything it does not understand becomes [`Tok::Error`] plus a diagnostic.

use super::datum::{is_delimiter, looks_numeric, DatumKind, CHAR_NAMES};
use super::reader::ReadMode;
use crate::diagnostic::{show_char, Diagnostic};
use crate::span::{FileId, Span};

/// The lexer stops recording diagnostics after this many.
pub(super) const MAX_LEX_ERRORS: usize = 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Bracket {
    Round,
    Square,
}

impl Bracket {
    pub(super) fn close(self) -> char {
        match self {
            Bracket::Round => ')',
            Bracket::Square => ']',
        }
    }
}

#[derive(Debug)]
pub(super) enum Tok {
    /// `(` or `[`.
    Open(Bracket),
    /// `#(`.
    VecOpen,
    /// `#u8(`.
    BytesOpen,
    /// `)` or `]`.
    Close(Bracket),
    /// `'`, `` ` ``, `,` or `,@`, carrying the symbol the abbreviation stands for.
    Prefix(&'static str),
    /// `#;`.
    DatumComment,
    /// A lone `.`.
    Dot,
    Atom(DatumKind),
    /// Something malformed; a diagnostic was recorded.
    Error,
    Eof,
}

#[derive(Debug)]
pub(super) struct Token {
    pub tok: Tok,
    pub span: Span,
}

pub(super) struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    /// Where the text starts (after a byte-order mark): a `#!` here may be a shebang line.
    text_start: usize,
    file: FileId,
    mode: ReadMode,
    fold_case: bool,
    pub diags: Vec<Diagnostic>,
    /// An unterminated string, `|symbol|` or block comment swallowed the rest of the input.
    pub unterminated: bool,
}

const ESCAPE_HINT: &str = "valid escapes are \\n \\t \\r \\a \\b \\0 \\\\ \\\" \\| and \\xHH; \
                           (a backslash at the end of a line continues the string)";

impl<'a> Lexer<'a> {
    pub(super) fn new(src: &'a str, file: FileId, mode: ReadMode) -> Lexer<'a> {
        let start = if src.starts_with('\u{feff}') {
            '\u{feff}'.len_utf8()
        } else {
            0
        };
        Lexer {
            src,
            pos: start,
            text_start: start,
            file,
            mode,
            fold_case: false,
            diags: Vec::new(),
            unterminated: false,
        }
    }

    /// A lexer for `src` from byte `start` on (a part of a file: no byte-order mark or
    /// shebang line there).
    pub(super) fn new_at(src: &'a str, start: usize, file: FileId, mode: ReadMode) -> Lexer<'a> {
        let mut lx = Lexer::new(src, file, mode);
        if start > lx.pos {
            lx.pos = start;
            lx.text_start = usize::MAX;
        }
        lx
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    fn error(&mut self, d: Diagnostic) {
        if self.diags.len() < MAX_LEX_ERRORS {
            self.diags.push(d);
        }
    }

    fn rest(&self) -> &'a str {
        self.src.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn peek2(&self) -> Option<char> {
        self.rest().chars().nth(1)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    /// Advance over characters up to the next delimiter (or the end).
    fn skip_to_delimiter(&mut self) {
        while let Some(c) = self.peek() {
            if is_delimiter(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
    }

    /// The next token, after skipping whitespace, comments and directives.
    pub(super) fn next_token(&mut self) -> Token {
        self.skip_trivia();
        let start = self.pos;
        let tok = self.token();
        let end = self.pos.max(start);
        Token {
            tok,
            span: self.span(start, end),
        }
    }

    fn skip_trivia(&mut self) {
        while let Some(c) = self.peek() {
            if c.is_whitespace() {
                self.pos += c.len_utf8();
            } else if c == ';' {
                match self.rest().find('\n') {
                    Some(i) => self.pos += i + 1,
                    None => self.pos = self.src.len(),
                }
            } else if self.rest().starts_with("#|") {
                self.block_comment();
            } else if self.rest().starts_with("#!") {
                self.directive();
            } else {
                break;
            }
        }
    }

    /// `#| ... |#`, nestable.
    fn block_comment(&mut self) {
        let start = self.pos;
        self.pos += 2;
        let mut depth = 1usize;
        while depth > 0 {
            let rest = self.rest();
            if rest.starts_with("|#") {
                depth -= 1;
                self.pos += 2;
            } else if rest.starts_with("#|") {
                depth += 1;
                self.pos += 2;
            } else if self.bump().is_none() {
                self.error(
                    Diagnostic::error("unterminated block comment", self.span(start, start + 2))
                        .with_hint("close the comment with '|#' (block comments nest)"),
                );
                self.unterminated = true;
                return;
            }
        }
    }

    /// `#!fold-case`, `#!no-fold-case`, or a `#!` shebang line at the very start.
    fn directive(&mut self) {
        let start = self.pos;
        if start == self.text_start && matches!(self.rest().as_bytes().get(2), Some(b'/' | b' ')) {
            match self.rest().find('\n') {
                Some(i) => self.pos += i + 1,
                None => self.pos = self.src.len(),
            }
            return;
        }
        self.pos += 2;
        self.skip_to_delimiter();
        let text = &self.src[start..self.pos];
        match text {
            "#!fold-case" => self.fold_case = true,
            "#!no-fold-case" => self.fold_case = false,
            _ => self.error(
                Diagnostic::error(
                    format!("unknown directive '{text}'"),
                    self.span(start, self.pos),
                )
                .with_hint("the directives are #!fold-case and #!no-fold-case"),
            ),
        }
    }

    /// Lex one token at the current (non-trivia) position.
    fn token(&mut self) -> Tok {
        let start = self.pos;
        let Some(c) = self.peek() else {
            return Tok::Eof;
        };
        let simple = match c {
            '(' => Some(Tok::Open(Bracket::Round)),
            '[' => Some(Tok::Open(Bracket::Square)),
            ')' => Some(Tok::Close(Bracket::Round)),
            ']' => Some(Tok::Close(Bracket::Square)),
            '\'' => Some(Tok::Prefix("quote")),
            '`' => Some(Tok::Prefix("quasiquote")),
            ',' if self.peek2() == Some('@') => {
                self.pos += 2;
                return Tok::Prefix("unquote-splicing");
            }
            ',' => Some(Tok::Prefix("unquote")),
            _ => None,
        };
        if let Some(tok) = simple {
            self.pos += 1;
            return tok;
        }
        match c {
            '"' => self.string(),
            '|' => self.bar_symbol(),
            '#' => self.hash(),
            c if is_delimiter(c) => {
                // `{`, `}`, or a control character.
                self.pos += c.len_utf8();
                let mut d = Diagnostic::error(
                    format!("unexpected character '{}'", show_char(c)),
                    self.span(start, self.pos),
                );
                if c == '{' || c == '}' {
                    d = d.with_hint("braces are reserved in Scheme; use '(' ')' or '[' ']'");
                }
                self.error(d);
                Tok::Error
            }
            _ => {
                self.skip_to_delimiter();
                let text = &self.src[start..self.pos];
                if text == "." {
                    Tok::Dot
                } else {
                    self.atom(text, start)
                }
            }
        }
    }

    /// A number or a symbol (an undelimited run not starting with `#`).
    fn atom(&mut self, text: &str, start: usize) -> Tok {
        if looks_numeric(text) {
            return self.number(text, start);
        }
        let name = if self.fold_case {
            text.to_lowercase()
        } else {
            text.to_string()
        };
        if self.mode == ReadMode::Jue {
            match name.as_str() {
                "true" => return Tok::Atom(DatumKind::Bool(true)),
                "false" => return Tok::Atom(DatumKind::Bool(false)),
                "nil" => return Tok::Atom(DatumKind::List(Vec::new(), None)),
                _ => {}
            }
        }
        Tok::Atom(DatumKind::Symbol(name))
    }

    fn number(&mut self, text: &str, start: usize) -> Tok {
        match parse_number(text) {
            Ok(k) => Tok::Atom(k),
            Err(msg) => {
                let mut d = Diagnostic::error(msg, self.span(start, self.pos));
                if text.contains('/') && !text.starts_with('#') {
                    d = d.with_note("a ratio like 1/3 reads as an integer if it divides evenly, else as a float");
                } else if text.ends_with('i') {
                    d = d.with_note("complex numbers are not supported");
                }
                self.error(d);
                Tok::Error
            }
        }
    }

    /// Everything starting with `#` except `#|` and `#!` (handled as trivia).
    fn hash(&mut self) -> Tok {
        let start = self.pos;
        let rest = self.rest();
        if rest.starts_with("#(") {
            self.pos += 2;
            return Tok::VecOpen;
        }
        if rest.starts_with("#u8(") || rest.starts_with("#U8(") {
            self.pos += 4;
            return Tok::BytesOpen;
        }
        if rest.starts_with("#;") {
            self.pos += 2;
            return Tok::DatumComment;
        }
        if rest.starts_with("#\\") {
            return self.character();
        }
        self.pos += 1;
        self.skip_to_delimiter();
        let text = &self.src[start..self.pos];
        let lower = text.to_ascii_lowercase();
        match lower.as_str() {
            "#t" | "#true" => return Tok::Atom(DatumKind::Bool(true)),
            "#f" | "#false" => return Tok::Atom(DatumKind::Bool(false)),
            _ => {}
        }
        let second = lower.as_bytes().get(1).copied();
        if matches!(second, Some(b'x' | b'b' | b'o' | b'd' | b'e' | b'i')) {
            return self.number(text, start);
        }
        let span = self.span(start, self.pos.max(start + 1));
        let d = if lower == "#u8" {
            Diagnostic::error("expected '(' right after '#u8'", span)
                .with_hint("a bytevector is written #u8(1 2 3)")
        } else if second.is_some_and(|b| b.is_ascii_digit()) {
            Diagnostic::error(
                format!("datum labels like '{text}' are not supported"),
                span,
            )
        } else if text == "#" {
            let what = match self.peek() {
                Some(c) => format!("'#' followed by '{}'", show_char(c)),
                None => "'#' at the end of the input".to_string(),
            };
            Diagnostic::error(format!("unknown '#' syntax: {what}"), span).with_hint(
                "'#' starts #t, #f, #\\char, #(vector), #u8(bytes), #x1F, #| comments |# or #;",
            )
        } else {
            Diagnostic::error(format!("unknown '#' syntax '{text}'"), span).with_hint(
                "'#' starts #t, #f, #\\char, #(vector), #u8(bytes), #x1F, #| comments |# or #;",
            )
        };
        self.error(d);
        Tok::Error
    }

    /// `#\a`, `#\space`, `#\x41`, `#\(`.
    fn character(&mut self) -> Tok {
        let start = self.pos;
        self.pos += 2;
        let Some(first) = self.bump() else {
            self.error(Diagnostic::error(
                "expected a character after '#\\'",
                self.span(start, self.pos),
            ));
            return Tok::Error;
        };
        let name_start = self.pos - first.len_utf8();
        self.skip_to_delimiter();
        let name = &self.src[name_start..self.pos];
        if name.chars().count() == 1 {
            return Tok::Atom(DatumKind::Char(first));
        }
        if let Some(hex) = name.strip_prefix(['x', 'X']) {
            if hex.chars().all(|c| c.is_ascii_hexdigit()) {
                return match u32::from_str_radix(hex, 16).ok().and_then(char::from_u32) {
                    Some(c) => Tok::Atom(DatumKind::Char(c)),
                    None => {
                        self.error(Diagnostic::error(
                            format!("invalid character code '#\\{name}'"),
                            self.span(start, self.pos),
                        ));
                        Tok::Error
                    }
                };
            }
        }
        let lookup = if self.fold_case {
            name.to_lowercase()
        } else {
            name.to_string()
        };
        let found = CHAR_NAMES
            .iter()
            .find(|(n, _)| *n == lookup)
            .map(|(_, c)| *c)
            .or(match lookup.as_str() {
                "nul" => Some('\0'),
                "linefeed" => Some('\n'),
                "altmode" => Some('\u{1b}'),
                "rubout" => Some('\u{7f}'),
                _ => None,
            });
        match found {
            Some(c) => Tok::Atom(DatumKind::Char(c)),
            None => {
                self.error(
                    Diagnostic::error(
                        format!("unknown character name '#\\{name}'"),
                        self.span(start, self.pos),
                    )
                    .with_hint(
                        "character names are alarm backspace delete escape newline null \
                         return space tab, or a hex code like #\\x41",
                    ),
                );
                Tok::Error
            }
        }
    }

    /// A string, from its opening `"`.
    fn string(&mut self) -> Tok {
        let start = self.pos;
        self.pos += 1;
        match self.quoted('"') {
            Some(s) => Tok::Atom(DatumKind::Str(s)),
            None => {
                self.error(
                    Diagnostic::error("unterminated string", self.span(start, start + 1))
                        .with_hint("add a closing '\"'"),
                );
                Tok::Error
            }
        }
    }

    /// A `|symbol with any characters|`. Never case-folded, never a Jue literal.
    fn bar_symbol(&mut self) -> Tok {
        let start = self.pos;
        self.pos += 1;
        match self.quoted('|') {
            // The expander spells its hygienic renamings `name\0N`: a symbol read from source
            // must not be able to forge one. (A NUL outside `|...|` is a control character,
            // a delimiter, so this is the only way to put one in a symbol.)
            Some(s) if s.contains('\0') => {
                self.error(
                    Diagnostic::error(
                        "a symbol cannot contain the character U+0000 (NUL)",
                        self.span(start, self.pos),
                    )
                    .with_hint("use a string if you need the NUL character"),
                );
                Tok::Error
            }
            Some(s) => Tok::Atom(DatumKind::Symbol(s)),
            None => {
                self.error(
                    Diagnostic::error("unterminated '|' symbol", self.span(start, start + 1))
                        .with_hint("add a closing '|'"),
                );
                Tok::Error
            }
        }
    }

    /// The body of a string or `|symbol|` up to the closing `close` (consumed). `None` when the
    /// input ends first (the rest of the input is consumed).
    fn quoted(&mut self, close: char) -> Option<String> {
        let mut buf = String::new();
        loop {
            let Some(c) = self.bump() else {
                self.unterminated = true;
                return None;
            };
            if c == close {
                return Some(buf);
            }
            if c == '\\' {
                self.escape(&mut buf);
            } else {
                buf.push(c);
            }
        }
    }

    /// After a backslash inside a string or `|symbol|`.
    fn escape(&mut self, buf: &mut String) {
        let start = self.pos - 1;
        let Some(c) = self.bump() else {
            return; // the caller reports the unterminated string
        };
        let out = match c {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            'a' => '\u{7}',
            'b' => '\u{8}',
            '0' => '\0',
            '\\' | '"' | '|' => c,
            'x' | 'X' => {
                let digits_start = self.pos;
                while self.peek().is_some_and(|c| c.is_ascii_hexdigit()) {
                    self.pos += 1;
                }
                let hex = &self.src[digits_start..self.pos];
                if self.peek() != Some(';') || hex.is_empty() {
                    self.error(
                        Diagnostic::error(
                            "invalid hex escape: expected hex digits and ';'",
                            self.span(start, self.pos),
                        )
                        .with_hint("write a hex escape as \\x41; (with the semicolon)"),
                    );
                    return;
                }
                self.pos += 1;
                match u32::from_str_radix(hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) => ch,
                    None => {
                        self.error(Diagnostic::error(
                            format!("invalid character code in escape '\\x{hex};'"),
                            self.span(start, self.pos),
                        ));
                        return;
                    }
                }
            }
            c if c == '\n' || c == '\r' || c == ' ' || c == '\t' => {
                // A line continuation: \ <spaces> <newline> <spaces>.
                let mut p = self.pos - c.len_utf8();
                let bytes = self.src.as_bytes();
                while matches!(bytes.get(p), Some(b' ' | b'\t')) {
                    p += 1;
                }
                let newline_len = match (bytes.get(p), bytes.get(p + 1)) {
                    (Some(b'\r'), Some(b'\n')) => 2,
                    (Some(b'\n' | b'\r'), _) => 1,
                    _ => 0,
                };
                if newline_len == 0 {
                    self.pos = p;
                    self.error(
                        Diagnostic::error(
                            "invalid escape: '\\' followed by spaces must end the line",
                            self.span(start, p),
                        )
                        .with_hint(ESCAPE_HINT),
                    );
                    return;
                }
                p += newline_len;
                while matches!(bytes.get(p), Some(b' ' | b'\t')) {
                    p += 1;
                }
                self.pos = p;
                return;
            }
            _ => {
                self.error(
                    Diagnostic::error(
                        format!("invalid escape '\\{}'", show_char(c)),
                        self.span(start, self.pos),
                    )
                    .with_hint(ESCAPE_HINT),
                );
                c
            }
        };
        buf.push(out);
    }
}

const TOO_LARGE: &str = "integer literal too large (tandem has no bignums)";

/// Parse a number literal (with optional `#x #b #o #d #e #i` prefixes). `Err` carries the
/// message. Ratios `n/d` give an integer when `d` divides `n`, else the nearest float (tandem
/// has no exact rationals, and `(/ 1 3)` is a float too).
pub(super) fn parse_number(text: &str) -> Result<DatumKind, String> {
    let bad = || format!("bad number literal '{text}'");
    let mut body = text;
    let mut radix = None;
    let mut exact = None;
    while let Some(rest) = body.strip_prefix('#') {
        let mut chars = rest.chars();
        let p = chars.next().map(|c| c.to_ascii_lowercase());
        let (slot_radix, slot_exact) = match p {
            Some('x') => (Some(16), None),
            Some('b') => (Some(2), None),
            Some('o') => (Some(8), None),
            Some('d') => (Some(10), None),
            Some('e') => (None, Some(true)),
            Some('i') => (None, Some(false)),
            _ => return Err(bad()),
        };
        if let Some(r) = slot_radix {
            if radix.replace(r).is_some() {
                return Err(bad());
            }
        }
        if let Some(e) = slot_exact {
            if exact.replace(e).is_some() {
                return Err(bad());
            }
        }
        body = chars.as_str();
    }
    let radix = radix.unwrap_or(10);
    let value = parse_real(body, radix).ok_or_else(bad)??;
    match (exact, value) {
        (Some(false), DatumKind::Int(v)) => Ok(DatumKind::Float(v as f64)),
        (Some(true), DatumKind::Float(f)) => {
            // -2^63 <= f < 2^63: exactly the floats that convert to an i64 without saturating.
            if f.fract() == 0.0 && (i64::MIN as f64..-(i64::MIN as f64)).contains(&f) {
                return Ok(DatumKind::Int(f as i64));
            }
            if f.is_finite() && f.fract() == 0.0 {
                Err(TOO_LARGE.to_string())
            } else {
                Err(format!(
                    "'{text}' has no exact integer value (tandem has no exact rationals)"
                ))
            }
        }
        (_, v) => Ok(v),
    }
}

/// `None`: not a number at all. `Some(Err)`: a number with a specific problem.
fn parse_real(body: &str, radix: u32) -> Option<Result<DatumKind, String>> {
    let lower = body.to_ascii_lowercase();
    match lower.as_str() {
        "+inf.0" => return Some(Ok(DatumKind::Float(f64::INFINITY))),
        "-inf.0" => return Some(Ok(DatumKind::Float(f64::NEG_INFINITY))),
        "+nan.0" | "-nan.0" => return Some(Ok(DatumKind::Float(f64::NAN))),
        _ => {}
    }
    if let Some((num, den)) = body.split_once('/') {
        let n = parse_int(num, radix, true)?;
        let d = parse_int(den, radix, false)?;
        let (n, d) = match (n, d) {
            (Ok(n), Ok(d)) => (n, d),
            (Err(e), _) | (_, Err(e)) => return Some(Err(e)),
        };
        if d == 0 {
            return Some(Err(format!("division by zero in '{body}'")));
        }
        return Some(Ok(if n % d == 0 {
            DatumKind::Int(n / d)
        } else {
            DatumKind::Float(n as f64 / d as f64)
        }));
    }
    if radix != 10 {
        return parse_int(body, radix, true).map(|r| r.map(DatumKind::Int));
    }
    // Decimal: sign? (digits ('.' digits*)? | '.' digits) (e sign? digits)?
    let b = body.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let int_digits = count_digits(&b[i..]);
    i += int_digits;
    let mut is_float = false;
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        is_float = true;
        i += 1;
        frac_digits = count_digits(&b[i..]);
        i += frac_digits;
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        is_float = true;
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp_digits = count_digits(&b[i..]);
        if exp_digits == 0 {
            return None;
        }
        i += exp_digits;
    }
    if i != b.len() {
        return None;
    }
    if is_float {
        body.parse::<f64>().ok().map(|f| Ok(DatumKind::Float(f)))
    } else {
        parse_int(body, 10, true).map(|r| r.map(DatumKind::Int))
    }
}

fn count_digits(b: &[u8]) -> usize {
    b.iter().take_while(|c| c.is_ascii_digit()).count()
}

/// An integer in `radix`, with an optional sign if `signed`.
fn parse_int(text: &str, radix: u32, signed: bool) -> Option<Result<i64, String>> {
    let digits = match text.as_bytes().first() {
        Some(b'+' | b'-') if signed => &text[1..],
        _ => text,
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    Some(i64::from_str_radix(text, radix).map_err(|_| TOO_LARGE.to_string()))
}

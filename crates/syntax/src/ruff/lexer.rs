//! The Ruff-dialect lexer. It never panics: any character it does not understand becomes an
//! [`TokenKind::Error`] token plus a diagnostic, and lexing continues.
//!
//! String interpolation `"a ${expr} b"` is lexed recursively: the tokens of each `${ ... }` are
//! stored inside the string token (see [`InterpPart`]), with spans into the original file.

use super::token::{keyword, InterpPart, Token, TokenKind};
use crate::diagnostic::{show_char, Diagnostic};
use crate::span::{FileId, Span};

/// Maximum nesting of interpolations inside interpolations.
pub const MAX_INTERP_DEPTH: usize = 256;
/// The lexer stops recording diagnostics after this many.
const MAX_LEX_ERRORS: usize = 20;

/// Everything the lexer produced.
#[derive(Debug)]
pub struct LexOutput {
    /// The tokens, always ending with [`TokenKind::Eof`].
    pub tokens: Vec<Token>,
    pub diags: Vec<Diagnostic>,
    /// Lexing stopped early (nesting limit); the tokens are incomplete and should not be parsed.
    pub fatal: bool,
    /// An unterminated string or block comment swallowed the rest of the file.
    pub unterminated: bool,
}

/// Lex a whole source file.
pub fn lex(source: &str, file: FileId) -> LexOutput {
    let mut lx = Lexer {
        src: source,
        bytes: source.as_bytes(),
        pos: 0,
        file,
        diags: Vec::new(),
        fatal: false,
        unterminated: false,
        depth: 0,
    };
    // Skip a byte-order mark.
    if source.starts_with('\u{feff}') {
        lx.pos = '\u{feff}'.len_utf8();
    }
    let (tokens, _) = lx.stream(false);
    LexOutput {
        tokens,
        diags: lx.diags,
        fatal: lx.fatal,
        unterminated: lx.unterminated,
    }
}

struct Lexer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    file: FileId,
    diags: Vec<Diagnostic>,
    fatal: bool,
    unterminated: bool,
    depth: usize,
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl<'a> Lexer<'a> {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    fn error(&mut self, d: Diagnostic) {
        if self.diags.len() < MAX_LEX_ERRORS {
            self.diags.push(d);
        }
    }

    fn peek(&self, ahead: usize) -> u8 {
        self.bytes.get(self.pos + ahead).copied().unwrap_or(0)
    }

    fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    /// The character at the current position (the position is always a char boundary).
    fn current_char(&self) -> Option<char> {
        self.src.get(self.pos..).and_then(|s| s.chars().next())
    }

    /// Lex tokens until end of input, or (inside an interpolation) until the `}` that closes
    /// it. Returns the tokens (ending with `Eof`) and whether the closing `}` was found.
    fn stream(&mut self, in_interp: bool) -> (Vec<Token>, bool) {
        let mut toks = Vec::new();
        let mut braces = 0usize;
        loop {
            let nl = self.skip_trivia();
            let start = self.pos;
            if self.fatal || self.at_end() {
                let end = self.bytes.len();
                toks.push(Token {
                    kind: TokenKind::Eof,
                    span: self.span(end, end),
                    nl_before: nl,
                });
                return (toks, false);
            }
            let b = self.bytes[start];
            if in_interp && b == b'}' && braces == 0 {
                self.pos += 1;
                toks.push(Token {
                    kind: TokenKind::Eof,
                    span: self.span(start, start + 1),
                    nl_before: nl,
                });
                return (toks, true);
            }
            match b {
                b'{' => braces += 1,
                b'}' => braces = braces.saturating_sub(1),
                _ => {}
            }
            let kind = self.token();
            toks.push(Token {
                kind,
                span: self.span(start, self.pos.max(start + 1).min(self.bytes.len())),
                nl_before: nl,
            });
        }
    }

    /// Skip whitespace and comments; report whether a newline was crossed.
    fn skip_trivia(&mut self) -> bool {
        let mut nl = false;
        while !self.at_end() {
            match self.bytes[self.pos] {
                b'\n' => {
                    nl = true;
                    self.pos += 1;
                }
                b' ' | b'\t' | b'\r' | 0x0b | 0x0c => self.pos += 1,
                b'#' => self.skip_line(),
                b'/' if self.peek(1) == b'/' => self.skip_line(),
                b'/' if self.peek(1) == b'*' => {
                    let start = self.pos;
                    match self.src[start + 2..].find("*/") {
                        Some(off) => {
                            let end = start + 2 + off + 2;
                            if self.src[start..end].contains('\n') {
                                nl = true;
                            }
                            self.pos = end;
                        }
                        None => {
                            self.error(
                                Diagnostic::error(
                                    "unterminated block comment",
                                    self.span(start, start + 2),
                                )
                                .with_hint("close the comment with '*/'"),
                            );
                            self.unterminated = true;
                            self.pos = self.bytes.len();
                        }
                    }
                }
                _ => break,
            }
        }
        nl
    }

    fn skip_line(&mut self) {
        while !self.at_end() && self.bytes[self.pos] != b'\n' {
            self.pos += 1;
        }
    }

    /// Lex one token starting at the current (non-trivia, non-end) position.
    fn token(&mut self) -> TokenKind {
        use TokenKind::*;
        let b = self.bytes[self.pos];
        if b.is_ascii_digit() {
            return self.number();
        }
        if is_ident_start(b) {
            let start = self.pos;
            while !self.at_end() && is_ident_continue(self.bytes[self.pos]) {
                self.pos += 1;
            }
            let word = &self.src[start..self.pos];
            return keyword(word).unwrap_or_else(|| Ident(word.to_string()));
        }
        if b == b'"' {
            return self.string();
        }
        let b1 = self.peek(1);
        let (kind, len) = match (b, b1) {
            (b':', b'=') => (ColonEq, 2),
            (b':', b':') => (ColonColon, 2),
            (b':', _) => (Colon, 1),
            (b'=', b'=') => (EqEq, 2),
            (b'=', b'>') => (FatArrow, 2),
            (b'=', _) => (Eq, 1),
            (b'+', b'=') => (PlusEq, 2),
            (b'+', _) => (Plus, 1),
            (b'-', b'=') => (MinusEq, 2),
            (b'-', b'>') => (Arrow, 2),
            (b'-', _) => (Minus, 1),
            (b'*', b'=') => (StarEq, 2),
            (b'*', _) => (Star, 1),
            (b'/', b'=') => (SlashEq, 2),
            (b'/', _) => (Slash, 1),
            (b'%', b'=') => (PercentEq, 2),
            (b'%', _) => (Percent, 1),
            (b'!', b'=') => (NotEq, 2),
            (b'!', _) => (Bang, 1),
            (b'<', b'=') => (Le, 2),
            (b'<', _) => (Lt, 1),
            (b'>', b'=') => (Ge, 2),
            (b'>', _) => (Gt, 1),
            (b'&', b'&') => (AndAnd, 2),
            (b'|', b'|') => (OrOr, 2),
            (b'|', b'>') => (PipeGt, 2),
            (b'?', b'?') => (QuestionQuestion, 2),
            (b'?', _) => (Question, 1),
            (b'.', b'.') if self.peek(2) == b'.' => (Ellipsis, 3),
            (b'.', b'.') => {
                let start = self.pos;
                self.pos += 2;
                self.error(
                    Diagnostic::error("unexpected '..'", self.span(start, start + 2))
                        .with_hint("use '...' to spread, or range(a, b) for a range"),
                );
                return Error;
            }
            (b'.', _) => (Dot, 1),
            (b',', _) => (Comma, 1),
            (b';', _) => (Semi, 1),
            (b'(', _) => (LParen, 1),
            (b')', _) => (RParen, 1),
            (b'[', _) => (LBracket, 1),
            (b']', _) => (RBracket, 1),
            (b'{', _) => (LBrace, 1),
            (b'}', _) => (RBrace, 1),
            _ => return self.bad_char(),
        };
        self.pos += len;
        kind
    }

    fn bad_char(&mut self) -> TokenKind {
        let start = self.pos;
        let c = self.current_char().unwrap_or('\u{fffd}');
        self.pos += c.len_utf8().max(1);
        let mut d = Diagnostic::error(
            format!("unexpected character '{}'", show_char(c)),
            self.span(start, self.pos),
        );
        match c {
            '\'' => d = d.with_hint("strings use double quotes: \"text\""),
            '&' => d = d.with_hint("did you mean '&&'?"),
            '|' => d = d.with_hint("did you mean '||' or '|>'?"),
            '$' => d = d.with_hint("'${...}' interpolation only works inside a string"),
            '`' => d = d.with_hint("strings use double quotes: \"text\""),
            _ => {}
        }
        self.error(d);
        TokenKind::Error
    }

    fn number(&mut self) -> TokenKind {
        let start = self.pos;
        let b1 = self.peek(1);
        if self.bytes[start] == b'0' && (b1 == b'x' || b1 == b'X') {
            self.pos += 2;
            let digits_start = self.pos;
            while !self.at_end()
                && (self.bytes[self.pos].is_ascii_hexdigit() || self.bytes[self.pos] == b'_')
            {
                self.pos += 1;
            }
            let digits: String = self.src[digits_start..self.pos]
                .chars()
                .filter(|&c| c != '_')
                .collect();
            if let Some(k) = self.bad_suffix(start) {
                return k;
            }
            if digits.is_empty() {
                self.error(Diagnostic::error(
                    "hexadecimal literal has no digits",
                    self.span(start, self.pos),
                ));
                return TokenKind::Error;
            }
            return match u64::from_str_radix(&digits, 16) {
                Ok(v) if v <= 1u64 << 63 => TokenKind::Int(v),
                _ => self.int_overflow(start),
            };
        }
        let mut is_float = false;
        self.digits();
        if self.peek(0) == b'.' && self.peek(1).is_ascii_digit() {
            is_float = true;
            self.pos += 1;
            self.digits();
        }
        let e = self.peek(0);
        if e == b'e' || e == b'E' {
            let s = self.peek(1);
            if s.is_ascii_digit() {
                is_float = true;
                self.pos += 1;
                self.digits();
            } else if (s == b'+' || s == b'-') && self.peek(2).is_ascii_digit() {
                is_float = true;
                self.pos += 2;
                self.digits();
            }
        }
        if let Some(k) = self.bad_suffix(start) {
            return k;
        }
        let text: String = self.src[start..self.pos]
            .chars()
            .filter(|&c| c != '_')
            .collect();
        if is_float {
            match text.parse::<f64>() {
                Ok(v) if v.is_finite() => TokenKind::Float(v),
                _ => {
                    self.error(Diagnostic::error(
                        format!(
                            "float literal '{}' is out of range",
                            &self.src[start..self.pos]
                        ),
                        self.span(start, self.pos),
                    ));
                    TokenKind::Error
                }
            }
        } else {
            match text.parse::<u64>() {
                Ok(v) if v <= 1u64 << 63 => TokenKind::Int(v),
                _ => self.int_overflow(start),
            }
        }
    }

    fn digits(&mut self) {
        while !self.at_end()
            && (self.bytes[self.pos].is_ascii_digit() || self.bytes[self.pos] == b'_')
        {
            self.pos += 1;
        }
    }

    /// A number immediately followed by letters (`12abc`) is an error.
    fn bad_suffix(&mut self, start: usize) -> Option<TokenKind> {
        if self.at_end() || !is_ident_continue(self.bytes[self.pos]) {
            return None;
        }
        let suffix_start = self.pos;
        while !self.at_end() && is_ident_continue(self.bytes[self.pos]) {
            self.pos += 1;
        }
        self.error(Diagnostic::error(
            format!(
                "invalid suffix '{}' on number literal '{}'",
                &self.src[suffix_start..self.pos],
                &self.src[start..suffix_start]
            ),
            self.span(start, self.pos),
        ));
        Some(TokenKind::Error)
    }

    fn int_overflow(&mut self, start: usize) -> TokenKind {
        self.error(
            Diagnostic::error(
                format!(
                    "integer literal '{}' is too large for a 64-bit integer",
                    &self.src[start..self.pos]
                ),
                self.span(start, self.pos),
            )
            .with_note("the largest integer is 9223372036854775807")
            .with_hint("write it as a float (e.g. 1e20) if you need a larger number"),
        );
        TokenKind::Error
    }

    /// Lex a string starting at the opening `"`.
    fn string(&mut self) -> TokenKind {
        let start = self.pos;
        self.pos += 1;
        let mut parts: Vec<InterpPart> = Vec::new();
        let mut buf = String::new();
        loop {
            if self.at_end() {
                self.error(
                    Diagnostic::error("unterminated string", self.span(start, start + 1))
                        .with_hint("add a closing '\"'"),
                );
                self.unterminated = true;
                return TokenKind::Error;
            }
            match self.bytes[self.pos] {
                b'"' => {
                    self.pos += 1;
                    break;
                }
                b'\\' => self.escape(&mut buf),
                b'$' if self.peek(1) == b'{' => {
                    let istart = self.pos;
                    if self.depth >= MAX_INTERP_DEPTH {
                        self.error(Diagnostic::error(
                            format!("nesting too deep (limit {MAX_INTERP_DEPTH})"),
                            self.span(istart, istart + 2),
                        ));
                        self.fatal = true;
                        self.pos = self.bytes.len();
                        return TokenKind::Error;
                    }
                    self.pos += 2;
                    self.depth += 1;
                    let (tokens, closed) = self.stream(true);
                    self.depth -= 1;
                    if self.fatal {
                        return TokenKind::Error;
                    }
                    if !closed {
                        self.error(
                            Diagnostic::error(
                                "unterminated interpolation in string",
                                self.span(istart, istart + 2),
                            )
                            .with_hint("close the interpolation with '}' and the string with '\"'")
                            .with_label(self.span(start, start + 1), "string starts here"),
                        );
                        self.unterminated = true;
                        return TokenKind::Error;
                    }
                    if !buf.is_empty() {
                        parts.push(InterpPart::Lit(std::mem::take(&mut buf)));
                    }
                    parts.push(InterpPart::Expr {
                        tokens,
                        span: self.span(istart, self.pos),
                    });
                }
                _ => {
                    // Copy a run of ordinary characters.
                    let run_start = self.pos;
                    while !self.at_end() && !matches!(self.bytes[self.pos], b'"' | b'\\' | b'$') {
                        self.pos += 1;
                    }
                    if self.pos == run_start {
                        // A lone '$'.
                        self.pos += 1;
                    }
                    // Runs stop only at ASCII bytes, so both ends are char boundaries.
                    buf.push_str(self.src.get(run_start..self.pos).unwrap_or(""));
                }
            }
        }
        if parts.is_empty() {
            TokenKind::Str(buf)
        } else {
            if !buf.is_empty() {
                parts.push(InterpPart::Lit(buf));
            }
            TokenKind::Interp(parts)
        }
    }

    /// Process an escape sequence starting at the backslash.
    fn escape(&mut self, buf: &mut String) {
        let start = self.pos;
        self.pos += 1;
        let Some(c) = self.current_char() else {
            // End of input right after the backslash: the caller reports the unterminated string.
            return;
        };
        self.pos += c.len_utf8();
        let out = match c {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            '\\' => '\\',
            '"' => '"',
            '$' => '$',
            '0' => '\0',
            '\'' => '\'',
            'u' if self.peek(0) == b'{' => {
                let close = self.src[self.pos..].find('}').filter(|&i| i <= 8);
                let decoded = close.and_then(|i| {
                    let hex = &self.src[self.pos + 1..self.pos + i];
                    u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
                });
                match (close, decoded) {
                    (Some(i), Some(ch)) => {
                        self.pos += i + 1;
                        ch
                    }
                    _ => {
                        self.error(
                            Diagnostic::error(
                                "invalid unicode escape",
                                self.span(start, self.pos + 1),
                            )
                            .with_hint("write it as \\u{1F600} with 1 to 6 hex digits"),
                        );
                        return;
                    }
                }
            }
            _ => {
                self.error(
                    Diagnostic::error(
                        format!("unknown escape sequence '\\{}'", show_char(c)),
                        self.span(start, self.pos),
                    )
                    .with_hint(
                        "valid escapes are \\n \\t \\r \\\\ \\\" \\$ \\0 \\' and \\u{...}; \
                         write '\\\\' for a literal backslash",
                    ),
                );
                c
            }
        };
        buf.push(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TokenKind::*;

    fn kinds(src: &str) -> Vec<TokenKind> {
        let out = lex(src, FileId(0));
        assert!(out.diags.is_empty(), "{src:?}: {:?}", out.diags);
        out.tokens.into_iter().map(|t| t.kind).collect()
    }

    fn errors(src: &str) -> Vec<String> {
        lex(src, FileId(0))
            .diags
            .into_iter()
            .map(|d| d.message)
            .collect()
    }

    fn one(src: &str) -> TokenKind {
        let mut k = kinds(src);
        assert_eq!(k.len(), 2, "{src:?}: {k:?}");
        k.remove(0)
    }

    #[test]
    fn numbers_in_every_form() {
        assert_eq!(one("123"), Int(123));
        assert_eq!(one("0"), Int(0));
        assert_eq!(one("1_000"), Int(1000));
        assert_eq!(one("0x1F"), Int(31));
        assert_eq!(one("0XfF"), Int(255));
        assert_eq!(one("0x_10"), Int(16));
        assert_eq!(one("1.5"), Float(1.5));
        assert_eq!(one("1e3"), Float(1000.0));
        assert_eq!(one("1E3"), Float(1000.0));
        assert_eq!(one("1.5e-3"), Float(0.0015));
        assert_eq!(one("2e+2"), Float(200.0));
        assert_eq!(one("1_000.000_5"), Float(1000.0005));
        assert_eq!(one("9223372036854775807"), Int(i64::MAX as u64));
        assert_eq!(one("9223372036854775808"), Int(1u64 << 63));
        // `1.foo` is a number then a field access; `1..` is not a float.
        assert_eq!(kinds("1.foo"), vec![Int(1), Dot, Ident("foo".into()), Eof]);
        assert_eq!(kinds("3.x")[0], Int(3));
        // `1e` without digits: the `e` is an invalid suffix.
        assert_eq!(errors("1e").len(), 1);
    }

    #[test]
    fn number_errors() {
        let e = errors("99999999999999999999");
        assert_eq!(e.len(), 1);
        assert!(e[0].contains("too large"), "{e:?}");
        assert!(errors("0xFFFFFFFFFFFFFFFFF")[0].contains("too large"));
        assert!(errors("0x")[0].contains("no digits"));
        assert!(errors("12abc")[0].contains("invalid suffix 'abc'"));
        assert!(errors("1e999")[0].contains("out of range"));
    }

    #[test]
    fn identifiers_and_keywords() {
        assert_eq!(
            kinds("foo _x1 func Ok None throw"),
            vec![
                Ident("foo".into()),
                Ident("_x1".into()),
                Func,
                Ident("Ok".into()),
                Ident("None".into()),
                Ident("throw".into()),
                Eof
            ]
        );
    }

    #[test]
    fn operators() {
        assert_eq!(
            kinds(":= = += -= *= /= %= + - * / % == != < <= > >= && || ! ?? |> ? . , : ; :: ( ) [ ] { } ... -> =>"),
            vec![
                ColonEq, Eq, PlusEq, MinusEq, StarEq, SlashEq, PercentEq, Plus, Minus, Star,
                Slash, Percent, EqEq, NotEq, Lt, Le, Gt, Ge, AndAnd, OrOr, Bang,
                QuestionQuestion, PipeGt, Question, Dot, Comma, Colon, Semi, ColonColon, LParen,
                RParen, LBracket, RBracket, LBrace, RBrace, Ellipsis, Arrow, FatArrow, Eof
            ]
        );
        assert_eq!(
            kinds("a?.b"),
            vec![Ident("a".into()), Question, Dot, Ident("b".into()), Eof]
        );
    }

    #[test]
    fn escapes() {
        assert_eq!(
            one(r#""a\nb\tc\rd\\e\"f\$g\0h\'i""#),
            Str("a\nb\tc\rd\\e\"f$g\0h'i".into())
        );
        assert_eq!(one(r#""\u{41}\u{1F600}""#), Str("A\u{1F600}".into()));
        assert_eq!(one(r#""cost: $5""#), Str("cost: $5".into()));
        assert_eq!(one(r#""$""#), Str("$".into()));
        assert_eq!(one("\"multi\nline é\""), Str("multi\nline é".into()));
        let e = errors(r#""bad \q escape""#);
        assert_eq!(e, vec!["unknown escape sequence '\\q'".to_string()]);
        assert!(errors(r#""\u{zz}""#)[0].contains("unicode"));
    }

    #[test]
    fn interpolation() {
        let toks = lex(r#""a ${x + 1} b""#, FileId(0)).tokens;
        let Interp(parts) = &toks[0].kind else {
            panic!("{toks:?}")
        };
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0], InterpPart::Lit("a ".into()));
        assert_eq!(parts[2], InterpPart::Lit(" b".into()));
        let InterpPart::Expr { tokens, span } = &parts[1] else {
            panic!()
        };
        assert_eq!((span.start, span.end), (3, 11));
        let ks: Vec<_> = tokens.iter().map(|t| t.kind.clone()).collect();
        assert_eq!(ks, vec![Ident("x".into()), Plus, Int(1), Eof]);
        // Spans point into the original file.
        assert_eq!((tokens[0].span.start, tokens[0].span.end), (5, 6));
        assert_eq!((tokens[3].span.start, tokens[3].span.end), (10, 11));
    }

    #[test]
    fn interpolation_with_nested_braces_and_strings() {
        let src = r#""v=${ {"k": "}"}["k"] } and ${"in ${y} ner"}!""#;
        let toks = lex(src, FileId(0));
        assert!(toks.diags.is_empty(), "{:?}", toks.diags);
        let Interp(parts) = &toks.tokens[0].kind else {
            panic!()
        };
        assert_eq!(parts.len(), 5);
        let InterpPart::Expr { tokens, .. } = &parts[1] else {
            panic!()
        };
        let ks: Vec<_> = tokens.iter().map(|t| t.kind.clone()).collect();
        assert_eq!(
            ks,
            vec![
                LBrace,
                Str("k".into()),
                Colon,
                Str("}".into()),
                RBrace,
                LBracket,
                Str("k".into()),
                RBracket,
                Eof
            ]
        );
        let InterpPart::Expr { tokens, .. } = &parts[3] else {
            panic!()
        };
        assert!(matches!(&tokens[0].kind, Interp(p) if p.len() == 3));
        assert_eq!(parts[4], InterpPart::Lit("!".into()));
        assert_eq!(toks.tokens[1].kind, Eof);
    }

    #[test]
    fn comments_and_newlines() {
        let toks = lex(
            "a # c1\nb // c2\n/* multi\nline */ c /* inline */ d",
            FileId(0),
        )
        .tokens;
        let ks: Vec<_> = toks.iter().map(|t| (t.kind.clone(), t.nl_before)).collect();
        assert_eq!(
            ks,
            vec![
                (Ident("a".into()), false),
                (Ident("b".into()), true),
                (Ident("c".into()), true),
                (Ident("d".into()), false),
                (Eof, false)
            ]
        );
        assert_eq!(
            kinds("a / b"),
            vec![Ident("a".into()), Slash, Ident("b".into()), Eof]
        );
    }

    #[test]
    fn error_cases() {
        assert_eq!(
            errors("/* never closed"),
            vec!["unterminated block comment"]
        );
        assert_eq!(errors("\"never closed"), vec!["unterminated string"]);
        assert_eq!(
            errors("\"a ${x"),
            vec!["unterminated interpolation in string"]
        );
        assert_eq!(errors("a @ b"), vec!["unexpected character '@'"]);
        assert_eq!(errors("'x'").len(), 2);
        assert_eq!(errors("a & b"), vec!["unexpected character '&'"]);
        assert_eq!(errors("\0"), vec!["unexpected character '\\0'"]);
        assert_eq!(errors("$"), vec!["unexpected character '$'"]);
        assert_eq!(errors("é"), vec!["unexpected character 'é'"]);
        assert_eq!(errors("1..2"), vec!["unexpected '..'"]);
        // The error token keeps lexing going.
        let out = lex("a @ b", FileId(0));
        assert_eq!(out.tokens.len(), 4);
        assert_eq!(out.tokens[1].kind, Error);
    }

    #[test]
    fn deep_interpolation_is_an_error_not_a_crash() {
        let src = "\"${".repeat(10_000);
        let out = lex(&src, FileId(0));
        assert!(out.fatal);
        assert!(out.diags[0].message.contains("nesting too deep"));
    }

    #[test]
    fn garbage_never_panics() {
        for src in [
            "",
            "\"",
            "\\",
            "\"\\",
            "\"${",
            "\"${}",
            "\"$",
            "/*",
            "/",
            "0x",
            "0x_",
            "1e+",
            "1.",
            "\u{feff}x",
            "\u{0}\u{1}\u{7f}",
            "🦀 \"🦀\\🦀\"",
            "\"\\u{",
            "\"\\u{110000}\"",
            "}}}}",
            "\"${\"${\"${",
            "é\"é${é}é\"",
        ] {
            let out = lex(src, FileId(0));
            assert_eq!(out.tokens.last().map(|t| &t.kind), Some(&Eof), "{src:?}");
        }
    }
}

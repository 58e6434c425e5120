//! The Ruff-dialect parser: hand-written recursive descent, with precedence climbing for
//! expressions (see `parse_expr.rs`). Statements are in this file.
//!
//! Newlines matter in three places:
//! - `return` takes no value when the next token is on a new line (or is `}` / `;`);
//! - a `(` or `[` on a new line starts a new statement instead of calling/indexing the previous
//!   expression, and a struct literal's `{` must be on the same line as its name;
//! - statements must be separated by a newline, a `;`, or follow a `}`.
//!
//! Binary operators and `.` continue an expression across newlines.
//!
//! On a syntax error the parser records a diagnostic and skips to the next statement boundary,
//! so one file can report several errors. Nesting is capped at [`MAX_DEPTH`], so the parser
//! never overflows the native stack.

use super::ast::*;
use super::lexer::lex;
use super::token::{Token, TokenKind};
use crate::diagnostic::Diagnostic;
use crate::span::{FileId, Span};

/// Maximum nesting of blocks, brackets, unary operators and the like.
pub const MAX_DEPTH: usize = 256;
/// Maximum height of one expression tree (long operator chains nest too).
pub const MAX_EXPR_HEIGHT: u32 = 256;
/// Parsing stops after this many errors.
pub const MAX_ERRORS: usize = 20;

pub(super) type PResult<T> = Result<T, ()>;

/// Parse a Ruff source file.
pub fn parse(source: &str, file: FileId) -> Result<Program, Vec<Diagnostic>> {
    let lexed = lex(source, file);
    if lexed.fatal {
        return Err(lexed.diags);
    }
    let mut p = Parser {
        src: source,
        toks: lexed.tokens,
        pos: 0,
        diags: lexed.diags,
        depth: 0,
        fatal: false,
        no_struct: false,
        suppress_eof: lexed.unterminated,
        prev_span: Span::new(file, 0, 0),
        prev_rbrace: false,
    };
    if p.diags.len() >= MAX_ERRORS {
        p.fatal = true;
    }
    let stmts = p.program();
    if p.diags.is_empty() {
        Ok(Program { stmts })
    } else {
        let mut diags = p.diags;
        diags.sort_by_key(|d| d.span.map(|s| s.start).unwrap_or(0));
        diags.truncate(MAX_ERRORS);
        Err(diags)
    }
}

pub(super) struct Parser<'a> {
    pub(super) src: &'a str,
    pub(super) toks: Vec<Token>,
    pub(super) pos: usize,
    pub(super) diags: Vec<Diagnostic>,
    pub(super) depth: usize,
    /// Stop parsing: too many errors or nesting too deep.
    pub(super) fatal: bool,
    /// In a condition (`if`, `while`, `for`, `match` subject): `Name {` is not a struct literal.
    pub(super) no_struct: bool,
    /// The lexer already reported an unterminated string/comment: errors at the end of the
    /// file are consequences of it.
    pub(super) suppress_eof: bool,
    pub(super) prev_span: Span,
    pub(super) prev_rbrace: bool,
}

impl<'a> Parser<'a> {
    // ----- token access -----

    pub(super) fn peek(&self) -> &Token {
        let i = self.pos.min(self.toks.len().saturating_sub(1));
        &self.toks[i]
    }

    pub(super) fn kind(&self) -> &TokenKind {
        &self.peek().kind
    }

    pub(super) fn nth(&self, n: usize) -> &Token {
        let i = (self.pos + n).min(self.toks.len().saturating_sub(1));
        &self.toks[i]
    }

    pub(super) fn at(&self, k: &TokenKind) -> bool {
        std::mem::discriminant(self.kind()) == std::mem::discriminant(k)
    }

    /// Consume the current token (never moves past `Eof`) and return it.
    pub(super) fn bump(&mut self) -> Token {
        let t = self.peek().clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        self.prev_span = t.span;
        self.prev_rbrace = t.kind == TokenKind::RBrace;
        t
    }

    pub(super) fn eat(&mut self, k: &TokenKind) -> bool {
        if self.at(k) {
            self.bump();
            true
        } else {
            false
        }
    }

    pub(super) fn span_here(&self) -> Span {
        self.peek().span
    }

    /// `'text'` of a token for messages, or `end of file`.
    pub(super) fn describe(&self, t: &Token) -> String {
        if t.kind == TokenKind::Eof && t.span.is_empty() {
            return "end of file".to_string();
        }
        let text = self
            .src
            .get(t.span.start as usize..t.span.end as usize)
            .unwrap_or("");
        let mut short: String = text.chars().take(30).collect();
        if short.len() < text.len() {
            short.push_str("...");
        }
        format!("'{}'", short.escape_debug())
    }

    pub(super) fn found(&self) -> String {
        self.describe(self.peek())
    }

    // ----- diagnostics -----

    /// Record a diagnostic (at most [`MAX_ERRORS`], one per span).
    #[cold]
    #[inline(never)]
    pub(super) fn report(&mut self, d: Diagnostic) {
        if self.fatal {
            return;
        }
        if let Some(last) = self.diags.last() {
            if last.span == d.span {
                return;
            }
        }
        self.diags.push(d);
        if self.diags.len() >= MAX_ERRORS {
            self.fatal = true;
        }
    }

    /// Report a diagnostic about the current token, unless that token is one the lexer already
    /// complained about. Always returns `Err`.
    #[cold]
    #[inline(never)]
    pub(super) fn fail<T>(&mut self, d: Diagnostic) -> PResult<T> {
        let t = self.peek();
        let silent = t.kind == TokenKind::Error
            || (t.kind == TokenKind::Eof && t.span.is_empty() && self.suppress_eof);
        if !silent {
            self.report(d);
        }
        Err(())
    }

    /// `expected WHAT but found X` at the current token.
    #[cold]
    #[inline(never)]
    pub(super) fn expected<T>(&mut self, what: &str) -> PResult<T> {
        let d = Diagnostic::error(
            format!("expected {what} but found {}", self.found()),
            self.span_here(),
        );
        self.fail(d)
    }

    pub(super) fn expect(&mut self, k: &TokenKind, what: &str) -> PResult<Span> {
        if self.at(k) {
            Ok(self.bump().span)
        } else {
            self.expected(what)
        }
    }

    /// Expect a closing delimiter, pointing back at the opening one when it is missing.
    pub(super) fn expect_close(
        &mut self,
        k: &TokenKind,
        close: &str,
        open: &str,
        open_span: Span,
    ) -> PResult<Span> {
        if self.at(k) {
            return Ok(self.bump().span);
        }
        self.unclosed(close, open, open_span)
    }

    #[cold]
    #[inline(never)]
    fn unclosed<T>(&mut self, close: &str, open: &str, open_span: Span) -> PResult<T> {
        let d = Diagnostic::error(
            format!(
                "expected '{close}' to close '{open}' but found {}",
                self.found()
            ),
            self.span_here(),
        )
        .with_label(open_span, format!("this '{open}' is not closed"));
        self.fail(d)
    }

    pub(super) fn ident(&mut self, what: &str) -> PResult<Ident> {
        if let TokenKind::Ident(name) = self.kind() {
            let name = name.clone();
            let span = self.bump().span;
            return Ok(Ident { name, span });
        }
        if let Some(kw) = self.kind().keyword_text() {
            let d = Diagnostic::error(
                format!("expected {what} but found keyword '{kw}'"),
                self.span_here(),
            )
            .with_hint(format!("'{kw}' is reserved and cannot be used as a name"));
            return self.fail(d);
        }
        self.expected(what)
    }

    /// Enter one level of nesting; fails (fatally) past [`MAX_DEPTH`].
    pub(super) fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.depth -= 1;
            if !self.fatal {
                let span = self.span_here();
                self.report(Diagnostic::error(
                    format!("nesting too deep (limit {MAX_DEPTH})"),
                    span,
                ));
                self.fatal = true;
            }
            return Err(());
        }
        Ok(())
    }

    pub(super) fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Run `f` one nesting level deeper.
    pub(super) fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<T> {
        self.enter()?;
        let r = f(self);
        self.leave();
        r
    }

    /// Run `f` with the struct-literal restriction set to `no_struct`.
    pub(super) fn with_no_struct<T>(
        &mut self,
        no_struct: bool,
        f: impl FnOnce(&mut Self) -> T,
    ) -> T {
        let saved = std::mem::replace(&mut self.no_struct, no_struct);
        let r = f(self);
        self.no_struct = saved;
        r
    }

    // ----- recovery -----

    /// Skip to the next statement boundary: a `;` (consumed), a `}` closing the enclosing block
    /// (not consumed), or a token starting a new line. Braces opened since `stmt_start` are
    /// skipped as a unit.
    fn sync(&mut self, stmt_start: usize) {
        let mut depth: usize = 0;
        for t in &self.toks[stmt_start.min(self.pos)..self.pos] {
            match t.kind {
                TokenKind::LBrace => depth += 1,
                TokenKind::RBrace => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        loop {
            if self.fatal {
                return;
            }
            let t = self.peek();
            let nl = t.nl_before;
            match t.kind {
                TokenKind::Eof => return,
                TokenKind::Semi if depth == 0 => {
                    self.bump();
                    return;
                }
                TokenKind::RBrace if depth == 0 => return,
                _ if depth == 0 && nl && self.pos != stmt_start => return,
                TokenKind::LBrace => depth += 1,
                TokenKind::RBrace => depth -= 1,
                _ => {}
            }
            self.bump();
        }
    }

    /// Parse statements until `}` (when `in_block`) or end of file.
    fn stmt_list(&mut self, in_block: bool) -> Vec<Stmt> {
        let mut stmts = Vec::new();
        loop {
            if self.fatal {
                return stmts;
            }
            match self.kind() {
                TokenKind::Eof => return stmts,
                TokenKind::RBrace if in_block => return stmts,
                TokenKind::RBrace => {
                    let d = Diagnostic::error("unexpected '}'", self.span_here())
                        .with_hint("there is no open '{' for this '}' to close");
                    self.report(d);
                    self.bump();
                    continue;
                }
                TokenKind::Semi => {
                    self.bump();
                    continue;
                }
                _ => {}
            }
            let start = self.pos;
            match self.stmt() {
                Ok(s) => {
                    stmts.push(s);
                    if self.end_stmt().is_err() {
                        self.sync(self.pos);
                    }
                }
                Err(()) => {
                    if self.pos == start {
                        self.bump();
                    }
                    self.sync(start);
                }
            }
        }
    }

    /// After a statement: a `;`, a newline, `}` or end of file must follow (or the statement
    /// ended with `}`).
    fn end_stmt(&mut self) -> PResult<()> {
        let t = self.peek();
        match t.kind {
            TokenKind::Semi => {
                self.bump();
                Ok(())
            }
            TokenKind::RBrace | TokenKind::Eof => Ok(()),
            _ if t.nl_before || self.prev_rbrace => Ok(()),
            _ => self.missing_separator(),
        }
    }

    #[cold]
    #[inline(never)]
    fn missing_separator(&mut self) -> PResult<()> {
        let d = Diagnostic::error(
            format!(
                "expected ';' or a new line after the statement but found {}",
                self.found()
            ),
            self.span_here(),
        );
        let d = match self.kind() {
            TokenKind::LBrace => {
                d.with_hint("a struct literal or block cannot start here; put it on its own line")
            }
            TokenKind::Ident(w) if w == "and" || w == "or" => {
                d.with_hint("use '&&' and '||' for logical operators")
            }
            _ => d,
        };
        self.fail(d)
    }

    fn program(&mut self) -> Vec<Stmt> {
        self.stmt_list(false)
    }

    /// Parse a `{ ... }` block.
    pub(super) fn block(&mut self, context: &str) -> PResult<Block> {
        if !self.at(&TokenKind::LBrace) {
            return self.no_block(context);
        }
        self.nested(|p| {
            let open = p.bump().span;
            let stmts = p.stmt_list(true);
            if p.fatal {
                return Err(());
            }
            if p.at(&TokenKind::RBrace) {
                let close = p.bump().span;
                Ok(Block {
                    stmts,
                    span: open.to(close),
                })
            } else {
                p.unclosed_block(open, context)
            }
        })
    }

    #[cold]
    #[inline(never)]
    fn no_block<T>(&mut self, context: &str) -> PResult<T> {
        let d = Diagnostic::error(
            format!(
                "expected '{{' to start {context} but found {}",
                self.found()
            ),
            self.span_here(),
        );
        let d = match self.kind() {
            TokenKind::Colon => d.with_hint("blocks use braces, not ':' (write `{ ... }`)"),
            TokenKind::Ident(w) if w == "and" => d.with_hint("use '&&' for logical and"),
            TokenKind::Ident(w) if w == "or" => d.with_hint("use '||' for logical or"),
            TokenKind::Ident(w) if w == "then" || w == "do" => {
                d.with_hint("no 'then'/'do' is needed; write the block in braces")
            }
            _ => d,
        };
        self.fail(d)
    }

    #[cold]
    #[inline(never)]
    fn unclosed_block<T>(&mut self, open: Span, context: &str) -> PResult<T> {
        let d = Diagnostic::error(
            format!("expected '}}' to close '{{' but found {}", self.found()),
            self.span_here(),
        )
        .with_label(open, format!("this '{{' ({context}) is never closed"));
        self.fail(d)
    }

    // ----- statements -----

    fn stmt(&mut self) -> PResult<Stmt> {
        let start = self.span_here();
        let kind = self.stmt_kind()?;
        Ok(Stmt {
            kind,
            span: start.to(self.prev_span),
        })
    }

    /// Dispatch on the first token. Each form lives in its own non-inlined function so that
    /// this function, which is on every recursion path, keeps a small stack frame.
    fn stmt_kind(&mut self) -> PResult<StmtKind> {
        use TokenKind as T;
        match self.kind() {
            T::Let => self.decl(DeclKind::Let),
            T::Mut => self.decl(DeclKind::Mut),
            T::Const => self.decl(DeclKind::Const),
            T::Func if matches!(self.nth(1).kind, T::Ident(_)) => {
                Ok(StmtKind::Func(self.func_decl()?))
            }
            T::Return => self.return_stmt(),
            T::If => Ok(self.if_stmt()?.kind),
            T::While => self.while_stmt(),
            T::Loop => self.loop_stmt(),
            T::For => self.for_stmt(),
            T::Break => {
                self.bump();
                Ok(StmtKind::Break)
            }
            T::Continue => {
                self.bump();
                Ok(StmtKind::Continue)
            }
            T::LBrace => Ok(StmtKind::Block(self.block("a block")?)),
            T::Struct => Ok(StmtKind::Struct(self.struct_decl()?)),
            T::Enum => Ok(StmtKind::Enum(self.enum_decl()?)),
            T::Match => self.match_stmt(),
            T::Try => self.try_stmt(),
            T::Import => self.import(),
            T::From => self.import_from(),
            T::Export => self.export(),
            T::Else | T::Case | T::Default | T::Except => self.misplaced_keyword(),
            T::Ident(_) => {
                self.misused_word()?;
                self.expr_stmt()
            }
            _ => self.expr_stmt(),
        }
    }

    #[inline(never)]
    fn return_stmt(&mut self) -> PResult<StmtKind> {
        self.bump();
        let t = self.peek();
        if t.nl_before || matches!(t.kind, TokenKind::RBrace | TokenKind::Semi | TokenKind::Eof) {
            Ok(StmtKind::Return(None))
        } else {
            Ok(StmtKind::Return(Some(self.expr()?)))
        }
    }

    #[inline(never)]
    fn while_stmt(&mut self) -> PResult<StmtKind> {
        self.bump();
        let cond = self.cond()?;
        let body = self.block("the 'while' body")?;
        Ok(StmtKind::While { cond, body })
    }

    #[inline(never)]
    fn loop_stmt(&mut self) -> PResult<StmtKind> {
        self.bump();
        Ok(StmtKind::Loop {
            body: self.block("the 'loop' body")?,
        })
    }

    #[inline(never)]
    fn for_stmt(&mut self) -> PResult<StmtKind> {
        self.bump();
        let var = self.ident("a loop variable name after 'for'")?;
        if self.at(&TokenKind::Comma) {
            let d = Diagnostic::error("a 'for' loop takes a single variable", self.span_here())
                .with_hint("iterate over enumerate(xs) or items(d) and index the pair");
            return self.fail(d);
        }
        self.expect(&TokenKind::In, "'in' after the loop variable")?;
        let iter = self.cond()?;
        let body = self.block("the 'for' body")?;
        Ok(StmtKind::For { var, iter, body })
    }

    #[inline(never)]
    fn try_stmt(&mut self) -> PResult<StmtKind> {
        self.bump();
        let body = self.block("the 'try' body")?;
        if !self.at(&TokenKind::Except) {
            let d = Diagnostic::error(
                format!(
                    "expected 'except' after the 'try' block but found {}",
                    self.found()
                ),
                self.span_here(),
            );
            let d = if matches!(self.kind(), TokenKind::Ident(w) if w == "catch") {
                d.with_hint("Ruff spells it `except err { ... }`")
            } else {
                d
            };
            return self.fail(d);
        }
        self.bump();
        let err = self.ident("a name for the caught error after 'except'")?;
        let handler = self.block("the 'except' handler")?;
        Ok(StmtKind::Try { body, err, handler })
    }

    #[inline(never)]
    fn export(&mut self) -> PResult<StmtKind> {
        use TokenKind as T;
        self.bump();
        match self.kind() {
            T::Func | T::Let | T::Mut | T::Const | T::Struct | T::Enum => {}
            _ => {
                return self
                    .expected("'func', 'let', 'mut', 'const', 'struct' or 'enum' after 'export'")
            }
        }
        let inner = self.stmt()?;
        Ok(StmtKind::Export(Box::new(inner)))
    }

    #[cold]
    #[inline(never)]
    fn misplaced_keyword(&mut self) -> PResult<StmtKind> {
        let here = self.span_here();
        let d = match self.kind() {
            TokenKind::Else => Diagnostic::error("'else' without a matching 'if'", here)
                .with_hint("'else' must follow the closing '}' of an 'if' block"),
            TokenKind::Except => Diagnostic::error("'except' without a matching 'try'", here),
            _ => Diagnostic::error(format!("{} outside of a 'match'", self.found()), here),
        };
        self.fail(d)
    }

    /// Helpful errors for words from other languages used at the start of a statement.
    #[inline(never)]
    fn misused_word(&mut self) -> PResult<()> {
        let TokenKind::Ident(w) = self.kind() else {
            return Ok(());
        };
        let w = w.as_str();
        let next = &self.nth(1).kind;
        let next2 = &self.nth(2).kind;
        let is_assign = matches!(
            next,
            TokenKind::ColonEq
                | TokenKind::Eq
                | TokenKind::PlusEq
                | TokenKind::MinusEq
                | TokenKind::StarEq
                | TokenKind::SlashEq
                | TokenKind::PercentEq
                | TokenKind::Dot
                | TokenKind::LParen
                | TokenKind::LBracket
        );
        if is_assign || self.nth(1).nl_before {
            return Ok(());
        }
        let hint = match w {
            "elif" => "use 'else if'",
            "function" | "def" | "fn" | "fun" | "func_"
                if matches!(next, TokenKind::Ident(_)) && *next2 == TokenKind::LParen =>
            {
                "functions are declared with 'func': func name(a, b) { ... }"
            }
            "var" | "val" if matches!(next, TokenKind::Ident(_)) => {
                "declare with 'x := value', 'let x := value' or 'mut x := value'"
            }
            "catch" | "finally" => "Ruff uses `try { ... } except err { ... }`",
            "switch" => "use `match value { case P: { ... } default: { ... } }`",
            _ => return Ok(()),
        };
        let d =
            Diagnostic::error(format!("unknown keyword '{w}'"), self.span_here()).with_hint(hint);
        self.fail(d)
    }

    /// A condition: an expression in which `Name {` does not start a struct literal.
    fn cond(&mut self) -> PResult<Expr> {
        self.with_no_struct(true, |p| p.expr())
    }

    #[inline(never)]
    fn if_stmt(&mut self) -> PResult<Stmt> {
        let start = self.bump().span;
        let cond = self.cond()?;
        let then = self.block("the 'if' body")?;
        let mut else_ = None;
        if self.at(&TokenKind::Else) {
            self.bump();
            let else_start = self.span_here();
            if self.at(&TokenKind::If) {
                let nested = self.nested(|p| p.if_stmt())?;
                else_ = Some(Box::new(nested));
            } else {
                let b = self.block("the 'else' body")?;
                else_ = Some(Box::new(Stmt {
                    span: else_start.to(b.span),
                    kind: StmtKind::Block(b),
                }));
            }
        } else if matches!(self.kind(), TokenKind::Ident(w) if w == "elif") {
            let d = Diagnostic::error("unknown keyword 'elif'", self.span_here())
                .with_hint("use 'else if'");
            return self.fail(d);
        }
        Ok(Stmt {
            kind: StmtKind::If { cond, then, else_ },
            span: start.to(self.prev_span),
        })
    }

    #[inline(never)]
    fn decl(&mut self, kind: DeclKind) -> PResult<StmtKind> {
        let kw = self.bump();
        let pattern = self.bind_pattern()?;
        if matches!(pattern, BindPattern::Name(_)) && self.eat(&TokenKind::Colon) {
            self.skip_type()?;
        }
        if !self.eat(&TokenKind::ColonEq) && !self.eat(&TokenKind::Eq) {
            let kwtext = self.describe(&kw);
            return self.expected(&format!("':=' after the {kwtext} declaration"));
        }
        let value = self.expr()?;
        Ok(StmtKind::Decl {
            kind,
            pattern,
            value,
        })
    }

    #[inline(never)]
    fn bind_pattern(&mut self) -> PResult<BindPattern> {
        match self.kind() {
            TokenKind::LBracket => self.nested(|p| {
                let open = p.bump().span;
                let mut items = Vec::new();
                let mut rest = None;
                while !p.at(&TokenKind::RBracket) {
                    if rest.is_some() {
                        let d = Diagnostic::error(
                            "the '...rest' element must come last",
                            p.span_here(),
                        );
                        return p.fail(d);
                    }
                    if p.eat(&TokenKind::Ellipsis) {
                        rest = Some(p.ident("a name after '...'")?);
                    } else {
                        items.push(p.bind_pattern()?);
                    }
                    if !p.eat(&TokenKind::Comma) {
                        break;
                    }
                }
                let close = p.expect_close(&TokenKind::RBracket, "]", "[", open)?;
                Ok(BindPattern::Array {
                    items,
                    rest,
                    span: open.to(close),
                })
            }),
            TokenKind::LBrace => self.nested(|p| {
                let open = p.bump().span;
                let mut keys = Vec::new();
                let mut rest = None;
                while !p.at(&TokenKind::RBrace) {
                    if rest.is_some() {
                        let d = Diagnostic::error(
                            "the '...rest' element must come last",
                            p.span_here(),
                        );
                        return p.fail(d);
                    }
                    if p.eat(&TokenKind::Ellipsis) {
                        rest = Some(p.ident("a name after '...'")?);
                    } else {
                        keys.push(p.ident("a key name in the destructuring pattern")?);
                    }
                    if !p.eat(&TokenKind::Comma) {
                        break;
                    }
                }
                let close = p.expect_close(&TokenKind::RBrace, "}", "{", open)?;
                Ok(BindPattern::Dict {
                    keys,
                    rest,
                    span: open.to(close),
                })
            }),
            _ => Ok(BindPattern::Name(self.ident("a name to declare")?)),
        }
    }

    /// Skip a type annotation: `int`, `Name<T, U>`, `[T]`, `T[]`, `T?`, `func(T) -> U`, `null`.
    #[inline(never)]
    pub(super) fn skip_type(&mut self) -> PResult<()> {
        self.nested(|p| {
            match p.kind() {
                TokenKind::Ident(_) | TokenKind::Null => {
                    p.bump();
                    if p.eat(&TokenKind::Lt) {
                        loop {
                            p.skip_type()?;
                            if !p.eat(&TokenKind::Comma) {
                                break;
                            }
                        }
                        p.expect(&TokenKind::Gt, "'>' to close the type arguments")?;
                    }
                }
                TokenKind::LBracket => {
                    let open = p.bump().span;
                    p.skip_type()?;
                    p.expect_close(&TokenKind::RBracket, "]", "[", open)?;
                }
                TokenKind::Func => {
                    p.bump();
                    let open = p.expect(&TokenKind::LParen, "'(' after 'func' in a type")?;
                    while !p.at(&TokenKind::RParen) {
                        p.skip_type()?;
                        if !p.eat(&TokenKind::Comma) {
                            break;
                        }
                    }
                    p.expect_close(&TokenKind::RParen, ")", "(", open)?;
                    if p.eat(&TokenKind::Arrow) {
                        p.skip_type()?;
                    }
                }
                _ => return p.expected("a type"),
            }
            loop {
                if p.at(&TokenKind::LBracket) && p.nth(1).kind == TokenKind::RBracket {
                    p.bump();
                    p.bump();
                } else if p.at(&TokenKind::Question) {
                    p.bump();
                } else {
                    return Ok(());
                }
            }
        })
    }

    /// `(a, b: int, ...)` then an optional `-> type`.
    #[inline(never)]
    pub(super) fn params(&mut self) -> PResult<Vec<Ident>> {
        let open = self.expect(&TokenKind::LParen, "'(' to start the parameter list")?;
        let mut params: Vec<Ident> = Vec::new();
        while !self.at(&TokenKind::RParen) {
            let p = self.ident("a parameter name")?;
            if let Some(prev) = params.iter().find(|q| q.name == p.name) {
                let d = Diagnostic::error(format!("duplicate parameter '{}'", p.name), p.span)
                    .with_label(prev.span, "first declared here");
                self.report(d);
                return Err(());
            }
            params.push(p);
            if self.eat(&TokenKind::Colon) {
                self.skip_type()?;
            }
            if !self.eat(&TokenKind::Comma) {
                break;
            }
        }
        self.expect_close(&TokenKind::RParen, ")", "(", open)?;
        if self.eat(&TokenKind::Arrow) || self.eat(&TokenKind::Colon) {
            self.skip_type()?;
        }
        Ok(params)
    }

    /// `func name(params) { body }`
    #[inline(never)]
    pub(super) fn func_decl(&mut self) -> PResult<FuncDecl> {
        let start = self.expect(&TokenKind::Func, "'func'")?;
        let name = self.ident("a function name")?;
        let params = self.params()?;
        let body = self.block("the function body")?;
        Ok(FuncDecl {
            name,
            params,
            span: start.to(body.span),
            body,
        })
    }

    #[inline(never)]
    fn struct_decl(&mut self) -> PResult<StructDecl> {
        self.bump();
        let name = self.ident("a struct name")?;
        let open = self.expect(&TokenKind::LBrace, "'{' to start the struct body")?;
        let mut fields: Vec<Ident> = Vec::new();
        let mut methods = Vec::new();
        loop {
            match self.kind() {
                TokenKind::RBrace => {
                    self.bump();
                    break;
                }
                TokenKind::Comma | TokenKind::Semi => {
                    self.bump();
                }
                TokenKind::Func => methods.push(self.nested(|p| p.func_decl())?),
                TokenKind::Ident(_) => {
                    let f = self.ident("a field name")?;
                    if let Some(prev) = fields.iter().find(|g| g.name == f.name) {
                        let d = Diagnostic::error(format!("duplicate field '{}'", f.name), f.span)
                            .with_label(prev.span, "first declared here");
                        self.report(d);
                        return Err(());
                    }
                    fields.push(f);
                    if self.eat(&TokenKind::Colon) {
                        self.skip_type()?;
                    }
                }
                TokenKind::Eof => {
                    self.expect_close(&TokenKind::RBrace, "}", "{", open)?;
                }
                _ => return self.expected("a field name, 'func' or '}' in the struct body"),
            }
        }
        Ok(StructDecl {
            name,
            fields,
            methods,
        })
    }

    #[inline(never)]
    fn enum_decl(&mut self) -> PResult<EnumDecl> {
        self.bump();
        let name = self.ident("an enum name")?;
        let open = self.expect(&TokenKind::LBrace, "'{' to start the enum body")?;
        let mut variants: Vec<EnumVariant> = Vec::new();
        loop {
            match self.kind() {
                TokenKind::RBrace => {
                    self.bump();
                    break;
                }
                TokenKind::Comma | TokenKind::Semi => {
                    self.bump();
                }
                TokenKind::Ident(_) => {
                    let vname = self.ident("a variant name")?;
                    if let Some(prev) = variants.iter().find(|v| v.name.name == vname.name) {
                        let d = Diagnostic::error(
                            format!("duplicate variant '{}'", vname.name),
                            vname.span,
                        )
                        .with_label(prev.name.span, "first declared here");
                        self.report(d);
                        return Err(());
                    }
                    let mut arity = 0;
                    if self.at(&TokenKind::LParen) {
                        let popen = self.bump().span;
                        while !self.at(&TokenKind::RParen) {
                            if let TokenKind::Ident(_) = self.kind() {
                                if self.nth(1).kind == TokenKind::Colon {
                                    self.bump();
                                    self.bump();
                                }
                            }
                            self.skip_type()?;
                            arity += 1;
                            if !self.eat(&TokenKind::Comma) {
                                break;
                            }
                        }
                        self.expect_close(&TokenKind::RParen, ")", "(", popen)?;
                    }
                    variants.push(EnumVariant { name: vname, arity });
                }
                TokenKind::Eof => {
                    self.expect_close(&TokenKind::RBrace, "}", "{", open)?;
                }
                _ => return self.expected("a variant name or '}' in the enum body"),
            }
        }
        Ok(EnumDecl { name, variants })
    }

    #[inline(never)]
    fn match_stmt(&mut self) -> PResult<StmtKind> {
        self.bump();
        let subject = self.cond()?;
        let open = self.expect(&TokenKind::LBrace, "'{' after the match subject")?;
        let mut cases = Vec::new();
        let mut default: Option<Block> = None;
        let mut default_span = None;
        loop {
            match self.kind() {
                TokenKind::RBrace => {
                    self.bump();
                    break;
                }
                TokenKind::Comma | TokenKind::Semi => {
                    self.bump();
                }
                TokenKind::Case => {
                    let start = self.bump().span;
                    let pattern = self.pattern()?;
                    self.case_sep("the pattern")?;
                    let body = self.block("the case body")?;
                    cases.push(MatchCase {
                        pattern,
                        span: start.to(body.span),
                        body,
                    });
                }
                TokenKind::Default => {
                    let start = self.bump().span;
                    self.case_sep("'default'")?;
                    let body = self.block("the default body")?;
                    if let Some(prev) = default_span {
                        let d = Diagnostic::error("duplicate 'default' in match", start)
                            .with_label(prev, "first 'default' here");
                        self.report(d);
                        return Err(());
                    }
                    default_span = Some(start);
                    default = Some(body);
                }
                TokenKind::Eof => {
                    self.expect_close(&TokenKind::RBrace, "}", "{", open)?;
                }
                _ => {
                    let d = Diagnostic::error(
                        format!(
                            "expected 'case', 'default' or '}}' in the match body but found {}",
                            self.found()
                        ),
                        self.span_here(),
                    )
                    .with_hint("each arm is written `case PATTERN: { ... }`");
                    return self.fail(d);
                }
            }
        }
        Ok(StmtKind::Match {
            subject,
            cases,
            default,
        })
    }

    /// The `:` (or `=>`) after a case pattern or `default`.
    #[inline(never)]
    fn case_sep(&mut self, after: &str) -> PResult<()> {
        if self.eat(&TokenKind::Colon) || self.eat(&TokenKind::FatArrow) {
            return Ok(());
        }
        let d = Diagnostic::error(
            format!("expected ':' after {after} but found {}", self.found()),
            self.span_here(),
        )
        .with_hint("write `case PATTERN: { ... }` (`=>` is accepted too)");
        self.fail(d)
    }

    #[inline(never)]
    fn module_path(&mut self) -> PResult<String> {
        match self.kind().clone() {
            TokenKind::Str(s) => {
                self.bump();
                Ok(s)
            }
            TokenKind::Ident(first) => {
                self.bump();
                let mut path = first;
                while self.at(&TokenKind::Slash) && !self.peek().nl_before {
                    if let TokenKind::Ident(next) = &self.nth(1).kind {
                        path.push('/');
                        path.push_str(next);
                        self.bump();
                        self.bump();
                    } else {
                        self.bump();
                        return self.expected("a module name after '/'");
                    }
                }
                Ok(path)
            }
            _ => self.expected("a module name"),
        }
    }

    #[inline(never)]
    fn import(&mut self) -> PResult<StmtKind> {
        self.bump();
        let path = self.module_path()?;
        let alias = if self.eat(&TokenKind::As) {
            Some(self.ident("an alias name after 'as'")?)
        } else {
            None
        };
        Ok(StmtKind::Import { path, alias })
    }

    #[inline(never)]
    fn import_from(&mut self) -> PResult<StmtKind> {
        self.bump();
        let path = self.module_path()?;
        self.expect(&TokenKind::Import, "'import' after the module name")?;
        let paren = if self.at(&TokenKind::LParen) {
            Some(self.bump().span)
        } else {
            None
        };
        let mut names = Vec::new();
        loop {
            names.push(self.ident("a name to import")?);
            if !self.eat(&TokenKind::Comma) {
                break;
            }
            if paren.is_some() && self.at(&TokenKind::RParen) {
                break;
            }
        }
        if let Some(open) = paren {
            self.expect_close(&TokenKind::RParen, ")", "(", open)?;
        }
        Ok(StmtKind::FromImport { path, names })
    }

    /// An expression statement or an assignment.
    #[inline(never)]
    fn expr_stmt(&mut self) -> PResult<StmtKind> {
        let target = self.expr()?;
        let op = match self.kind() {
            TokenKind::ColonEq | TokenKind::Eq => None,
            TokenKind::PlusEq => Some(BinOp::Add),
            TokenKind::MinusEq => Some(BinOp::Sub),
            TokenKind::StarEq => Some(BinOp::Mul),
            TokenKind::SlashEq => Some(BinOp::Div),
            TokenKind::PercentEq => Some(BinOp::Mod),
            _ => return Ok(StmtKind::Expr(target)),
        };
        let op_tok = self.bump();
        let valid = matches!(
            target.kind,
            ExprKind::Ident(_) | ExprKind::Index { .. } | ExprKind::Field { .. }
        );
        if !valid {
            let mut d = Diagnostic::error("invalid assignment target", target.span).with_label(
                op_tok.span,
                "only a variable, `a[i]` or `p.x` can be assigned",
            );
            if matches!(target.kind, ExprKind::Call { .. }) {
                d = d.with_hint("a function call cannot be assigned to");
            }
            self.report(d);
            // Consume the value so recovery resumes after it.
            let _ = self.expr();
            return Err(());
        }
        let value = self.expr()?;
        Ok(StmtKind::Assign { target, op, value })
    }
}

#[cfg(test)]
#[path = "parser_tests.rs"]
mod tests;

//! Tokens of the Ruff dialect. Every token carries its span and whether a newline preceded it
//! (the parser uses that for `return` without a value and for statement boundaries).

use crate::span::Span;

/// A piece of an interpolated string as the lexer sees it.
#[derive(Clone, Debug, PartialEq)]
pub enum InterpPart {
    /// Literal text with escapes already processed.
    Lit(String),
    /// The tokens of one `${ ... }`, ending with an [`TokenKind::Eof`] whose span is the closing
    /// `}`. `span` covers the whole `${ ... }`.
    Expr { tokens: Vec<Token>, span: Span },
}

#[derive(Clone, Debug, PartialEq)]
pub enum TokenKind {
    /// An integer literal. The lexer allows values up to `2^63` so that `-9223372036854775808`
    /// can be written; the parser rejects `2^63` anywhere but directly after a unary minus.
    Int(u64),
    Float(f64),
    /// A string literal without interpolation (escapes processed).
    Str(String),
    /// A string literal with at least one `${ ... }`.
    Interp(Vec<InterpPart>),
    Ident(String),

    // Keywords.
    Func,
    Return,
    If,
    Else,
    While,
    Loop,
    For,
    In,
    Break,
    Continue,
    Let,
    Mut,
    Const,
    True,
    False,
    Null,
    Struct,
    Enum,
    Match,
    Case,
    Default,
    Try,
    Except,
    Import,
    From,
    Export,
    As,

    // Operators and punctuation.
    /// `:=`
    ColonEq,
    /// `=`
    Eq,
    PlusEq,
    MinusEq,
    StarEq,
    SlashEq,
    PercentEq,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    /// `==`
    EqEq,
    /// `!=`
    NotEq,
    Lt,
    Le,
    Gt,
    Ge,
    /// `&&`
    AndAnd,
    /// `||`
    OrOr,
    /// `!`
    Bang,
    /// `??`
    QuestionQuestion,
    /// `|>`
    PipeGt,
    /// `?`
    Question,
    Dot,
    Comma,
    Colon,
    Semi,
    /// `::`
    ColonColon,
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    /// `...`
    Ellipsis,
    /// `->`
    Arrow,
    /// `=>`
    FatArrow,

    /// A character or literal the lexer could not understand (already reported).
    Error,
    /// End of input (or of an interpolation's tokens).
    Eof,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
    /// A newline (possibly inside a comment) appeared between the previous token and this one.
    pub nl_before: bool,
}

/// The keyword for an identifier-shaped word, if it is one.
pub fn keyword(word: &str) -> Option<TokenKind> {
    use TokenKind::*;
    Some(match word {
        "func" => Func,
        "return" => Return,
        "if" => If,
        "else" => Else,
        "while" => While,
        "loop" => Loop,
        "for" => For,
        "in" => In,
        "break" => Break,
        "continue" => Continue,
        "let" => Let,
        "mut" => Mut,
        "const" => Const,
        "true" => True,
        "false" => False,
        "null" => Null,
        "struct" => Struct,
        "enum" => Enum,
        "match" => Match,
        "case" => Case,
        "default" => Default,
        "try" => Try,
        "except" => Except,
        "import" => Import,
        "from" => From,
        "export" => Export,
        "as" => As,
        _ => return None,
    })
}

impl TokenKind {
    /// The text of a keyword token (used to allow keywords as field names after `.`).
    pub fn keyword_text(&self) -> Option<&'static str> {
        use TokenKind::*;
        Some(match self {
            Func => "func",
            Return => "return",
            If => "if",
            Else => "else",
            While => "while",
            Loop => "loop",
            For => "for",
            In => "in",
            Break => "break",
            Continue => "continue",
            Let => "let",
            Mut => "mut",
            Const => "const",
            True => "true",
            False => "false",
            Null => "null",
            Struct => "struct",
            Enum => "enum",
            Match => "match",
            Case => "case",
            Default => "default",
            Try => "try",
            Except => "except",
            Import => "import",
            From => "from",
            Export => "export",
            As => "as",
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_round_trip() {
        for w in [
            "func", "return", "if", "else", "while", "loop", "for", "in", "break", "continue",
            "let", "mut", "const", "true", "false", "null", "struct", "enum", "match", "case",
            "default", "try", "except", "import", "from", "export", "as",
        ] {
            let k = keyword(w).unwrap();
            assert_eq!(k.keyword_text(), Some(w));
        }
        for w in ["Ok", "Err", "Some", "None", "throw", "elif", "function"] {
            assert!(keyword(w).is_none(), "{w}");
        }
    }
}

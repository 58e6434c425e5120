//! Tests for the Scheme reader: every syntax form, spans, write round trips, Jue literals,
//! errors with locations, recovery, and robustness (deep nesting, garbage, prefixes).

use super::datum::{Datum, DatumKind};
use super::reader::{read, read_range, ReadMode, MAX_DEPTH, MAX_ERRORS};
use crate::diagnostic::Diagnostic;
use crate::span::{FileId, SourceMap, Span};
use crate::test_support::{each_pair, on_small_stack};

fn render(src: &str, diags: &[Diagnostic]) -> String {
    crate::test_support::render("t.scm", src, diags)
}

fn read_mode(src: &str, mode: ReadMode) -> Vec<Datum> {
    match read(src, FileId(0), mode) {
        Ok(ds) => ds,
        Err(diags) => panic!("unexpected errors for {src:?}:\n{}", render(src, &diags)),
    }
}

fn read_ok(src: &str) -> Vec<Datum> {
    read_mode(src, ReadMode::Scheme)
}

/// Read exactly one datum.
fn one(src: &str) -> Datum {
    let mut ds = read_ok(src);
    assert_eq!(ds.len(), 1, "{src:?}: {ds:?}");
    ds.remove(0)
}

fn kind(src: &str) -> DatumKind {
    one(src).kind
}

/// Read and write back, all data separated by spaces.
fn w(src: &str) -> String {
    w_mode(src, ReadMode::Scheme)
}

fn w_mode(src: &str, mode: ReadMode) -> String {
    let ds = read_mode(src, mode);
    ds.iter().map(|d| d.write()).collect::<Vec<_>>().join(" ")
}

fn errs(src: &str) -> Vec<Diagnostic> {
    match read(src, FileId(0), ReadMode::Scheme) {
        Ok(ds) => panic!("expected errors for {src:?}, got {ds:?}"),
        Err(d) => d,
    }
}

fn first_err(src: &str) -> String {
    errs(src)[0].message.clone()
}

/// The message and `line:col` of the first error.
fn err_at(src: &str) -> (String, String) {
    let e = errs(src);
    let mut sm = SourceMap::new();
    sm.add("t.scm", src);
    let loc = sm.location(e[0].span.expect("span"));
    (
        e[0].message.clone(),
        loc.trim_start_matches("t.scm:").to_string(),
    )
}

fn sp(start: usize, end: usize) -> Span {
    Span::new(FileId(0), start, end)
}

// ----- atoms -----

#[test]
fn booleans() {
    assert_eq!(kind("#t"), DatumKind::Bool(true));
    assert_eq!(kind("#f"), DatumKind::Bool(false));
    assert_eq!(kind("#true"), DatumKind::Bool(true));
    assert_eq!(kind("#false"), DatumKind::Bool(false));
    assert_eq!(kind("#T"), DatumKind::Bool(true));
    // In Scheme mode `true` is just a symbol.
    assert_eq!(kind("true"), DatumKind::Symbol("true".into()));
    assert_eq!(kind("nil"), DatumKind::Symbol("nil".into()));
}

#[test]
fn integers() {
    assert_eq!(kind("0"), DatumKind::Int(0));
    assert_eq!(kind("42"), DatumKind::Int(42));
    assert_eq!(kind("-7"), DatumKind::Int(-7));
    assert_eq!(kind("+7"), DatumKind::Int(7));
    assert_eq!(kind("9223372036854775807"), DatumKind::Int(i64::MAX));
    assert_eq!(kind("-9223372036854775808"), DatumKind::Int(i64::MIN));
    assert_eq!(kind("#x1F"), DatumKind::Int(31));
    assert_eq!(kind("#X1f"), DatumKind::Int(31));
    assert_eq!(kind("#x-ff"), DatumKind::Int(-255));
    assert_eq!(kind("#b101"), DatumKind::Int(5));
    assert_eq!(kind("#o17"), DatumKind::Int(15));
    assert_eq!(kind("#d10"), DatumKind::Int(10));
    assert_eq!(kind("#x7fffffffffffffff"), DatumKind::Int(i64::MAX));
}

#[test]
fn floats() {
    assert_eq!(kind("1.5"), DatumKind::Float(1.5));
    assert_eq!(kind(".5"), DatumKind::Float(0.5));
    assert_eq!(kind("-.5"), DatumKind::Float(-0.5));
    assert_eq!(kind("1."), DatumKind::Float(1.0));
    assert_eq!(kind("1e3"), DatumKind::Float(1000.0));
    assert_eq!(kind("1E-2"), DatumKind::Float(0.01));
    assert_eq!(kind("2.5e+2"), DatumKind::Float(250.0));
    assert_eq!(kind("#d1.5"), DatumKind::Float(1.5));
    assert_eq!(kind("+inf.0"), DatumKind::Float(f64::INFINITY));
    assert_eq!(kind("-inf.0"), DatumKind::Float(f64::NEG_INFINITY));
    match kind("+nan.0") {
        DatumKind::Float(f) => assert!(f.is_nan()),
        k => panic!("{k:?}"),
    }
    match kind("-0.0") {
        DatumKind::Float(f) => assert!(f == 0.0 && f.is_sign_negative()),
        k => panic!("{k:?}"),
    }
    // Beyond f64's range reads as infinity, as chibi does.
    assert_eq!(kind("1e400"), DatumKind::Float(f64::INFINITY));
}

#[test]
fn exactness_prefixes() {
    assert_eq!(kind("#i3"), DatumKind::Float(3.0));
    assert_eq!(kind("#e1.0"), DatumKind::Int(1));
    assert_eq!(kind("#e1e3"), DatumKind::Int(1000));
    assert_eq!(kind("#x#e10"), DatumKind::Int(16));
    assert_eq!(kind("#e#x10"), DatumKind::Int(16));
    assert_eq!(kind("#i#x10"), DatumKind::Float(16.0));
    assert!(first_err("#e1.5").contains("no exact integer value"));
    assert!(first_err("#e1e30").contains("too large"));
    assert!(first_err("#x#x1").contains("bad number literal"));
    assert!(first_err("#e#i1").contains("bad number literal"));
}

#[test]
fn ratios_read_as_integers_or_floats() {
    assert_eq!(kind("4/2"), DatumKind::Int(2));
    assert_eq!(kind("-6/3"), DatumKind::Int(-2));
    assert_eq!(kind("1/2"), DatumKind::Float(0.5));
    assert_eq!(kind("1/3"), DatumKind::Float(1.0 / 3.0));
    assert_eq!(kind("#x10/2"), DatumKind::Int(8));
    assert_eq!(kind("#i4/2"), DatumKind::Float(2.0));
    assert!(first_err("1/0").contains("division by zero"));
    assert!(first_err("1/-2").contains("bad number literal"));
    assert!(first_err("1.5/2").contains("bad number literal"));
}

#[test]
fn number_errors() {
    assert_eq!(
        err_at("(+ 1 99999999999999999999)"),
        (
            "integer literal too large (tandem has no bignums)".to_string(),
            "1:6".to_string()
        )
    );
    assert!(first_err("9223372036854775808").contains("too large"));
    assert!(first_err("-9223372036854775809").contains("too large"));
    assert!(first_err("#x10000000000000000").contains("too large"));
    for bad in [
        "1abc", "1+", "+5a", "1e", "1e+", "1.2.3", "#xZZ", "#b102", "#x1.5", "1+2i",
    ] {
        assert!(
            first_err(bad).starts_with("bad number literal"),
            "{bad}: {}",
            first_err(bad)
        );
    }
    assert!(errs("1+2i")[0].notes[0].contains("complex"));
}

#[test]
fn characters() {
    for (src, c) in [
        ("#\\a", 'a'),
        ("#\\A", 'A'),
        ("#\\x", 'x'),
        ("#\\space", ' '),
        ("#\\newline", '\n'),
        ("#\\tab", '\t'),
        ("#\\nul", '\0'),
        ("#\\null", '\0'),
        ("#\\alarm", '\u{7}'),
        ("#\\backspace", '\u{8}'),
        ("#\\delete", '\u{7f}'),
        ("#\\escape", '\u{1b}'),
        ("#\\return", '\r'),
        ("#\\x41", 'A'),
        ("#\\x3bb", 'λ'),
        ("#\\λ", 'λ'),
        ("#\\(", '('),
        ("#\\)", ')'),
        ("#\\;", ';'),
        ("#\\\"", '"'),
        ("#\\ ", ' '),
        ("#\\#", '#'),
    ] {
        assert_eq!(kind(src), DatumKind::Char(c), "{src}");
    }
    // A character is delimited like any atom.
    assert_eq!(w("(#\\a #\\( #\\))"), "(#\\a #\\( #\\))");
    assert_eq!(w("(#\\))"), "(#\\))");
}

#[test]
fn strings_and_escapes() {
    assert_eq!(kind(r#""hello""#), DatumKind::Str("hello".into()));
    assert_eq!(kind(r#""""#), DatumKind::Str(String::new()));
    assert_eq!(
        kind(r#""a\nb\tc\rd\\e\"f\ag\bh\0i""#),
        DatumKind::Str("a\nb\tc\rd\\e\"f\u{7}g\u{8}h\0i".into())
    );
    assert_eq!(kind(r#""\x41;\x3bb;""#), DatumKind::Str("Aλ".into()));
    assert_eq!(kind(r#""a\|b""#), DatumKind::Str("a|b".into()));
    assert_eq!(
        kind("\"line1\nline2\""),
        DatumKind::Str("line1\nline2".into())
    );
    // Line continuations swallow the newline and the next line's indentation.
    assert_eq!(kind("\"abc\\\n     def\""), DatumKind::Str("abcdef".into()));
    assert_eq!(
        kind("\"abc\\  \t\r\n  def\""),
        DatumKind::Str("abcdef".into())
    );
    assert_eq!(kind("\"é🦀\""), DatumKind::Str("é🦀".into()));
}

#[test]
fn symbols() {
    for s in [
        "abc",
        "+",
        "-",
        "...",
        "->x",
        "<=?",
        "a.b",
        "set!",
        "x->y",
        "*",
        "/",
        ":formal",
        "λ",
        "a#b",
        "..",
        "+a",
        "-b",
        ".a",
        "@",
        "string->symbol",
        "list?",
        "+i",
    ] {
        assert_eq!(kind(s), DatumKind::Symbol(s.into()), "{s}");
    }
    assert_eq!(kind("ABC"), DatumKind::Symbol("ABC".into()));
    assert_eq!(
        kind("|weird symbol|"),
        DatumKind::Symbol("weird symbol".into())
    );
    assert_eq!(kind("||"), DatumKind::Symbol(String::new()));
    assert_eq!(kind(r"|a\|b\x41;\n|"), DatumKind::Symbol("a|bA\n".into()));
    assert_eq!(kind("|12|"), DatumKind::Symbol("12".into()));
}

#[test]
fn fold_case_directive() {
    assert_eq!(
        w("ABC #!fold-case ABC #\\SPACE |ABC| #!no-fold-case ABC"),
        "ABC abc #\\space ABC ABC"
    );
    assert_eq!(first_err("#!bogus x"), "unknown directive '#!bogus'");
    // A shebang line at the start is skipped.
    assert_eq!(w("#!/usr/bin/env tandem\n(display 1)"), "(display 1)");
    // A byte-order mark too.
    assert_eq!(w("\u{feff}#!/usr/bin/env tandem\nx"), "x");
}

// ----- compound data -----

#[test]
fn lists_and_brackets() {
    assert_eq!(w("()"), "()");
    assert_eq!(w("(a b c)"), "(a b c)");
    assert_eq!(w("[a b]"), "(a b)");
    assert_eq!(
        w("(let ([x 1] [y 2]) (+ x y))"),
        "(let ((x 1) (y 2)) (+ x y))"
    );
    assert_eq!(w("(  a\n\t b  )"), "(a b)");
    let d = one("(1 (2) [3])");
    let items = d.list_items().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[1].list_items().unwrap()[0].kind, DatumKind::Int(2));
}

#[test]
fn dotted_lists() {
    assert_eq!(w("(a . b)"), "(a . b)");
    assert_eq!(w("(a b . c)"), "(a b . c)");
    assert_eq!(w("(define (f . args) args)"), "(define (f . args) args)");
    assert_eq!(w("(a .b)"), "(a .b)");
    // A list tail is spliced, so one shape has one representation.
    assert_eq!(w("(a . (b c))"), "(a b c)");
    assert_eq!(w("(a . (b . c))"), "(a b . c)");
    assert_eq!(w("(a . ())"), "(a)");
    match kind("(a . ())") {
        DatumKind::List(items, None) => assert_eq!(items.len(), 1),
        k => panic!("{k:?}"),
    }
    match kind("(a b . c)") {
        DatumKind::List(items, Some(tail)) => {
            assert_eq!(items.len(), 2);
            assert!(tail.is_symbol("c"));
        }
        k => panic!("{k:?}"),
    }
}

#[test]
fn vectors_and_bytevectors() {
    assert_eq!(w("#()"), "#()");
    assert_eq!(w("#(1 #(2) \"s\" (a . b))"), "#(1 #(2) \"s\" (a . b))");
    assert_eq!(kind("#u8(0 1 255)"), DatumKind::Bytevector(vec![0, 1, 255]));
    assert_eq!(kind("#u8()"), DatumKind::Bytevector(vec![]));
    assert_eq!(kind("#u8(#xff)"), DatumKind::Bytevector(vec![255]));
    assert!(first_err("#u8(256)").contains("must be an integer from 0 to 255, not 256"));
    assert!(first_err("#u8(a)").contains("not a"));
    assert!(first_err("#u8(1.0)").contains("not 1.0"));
    assert_eq!(first_err("#u8 (1)"), "expected '(' right after '#u8'");
    // A bad element is reported once, not again as a bad byte.
    assert_eq!(errs("#u8(#xZZ #\\bogus)").len(), 2);
}

#[test]
fn quote_abbreviations() {
    assert_eq!(w("'x"), "(quote x)");
    assert_eq!(w("`x"), "(quasiquote x)");
    assert_eq!(w(",x"), "(unquote x)");
    assert_eq!(w(",@x"), "(unquote-splicing x)");
    assert_eq!(w("''x"), "(quote (quote x))");
    assert_eq!(w("'(a . b)"), "(quote (a . b))");
    assert_eq!(
        w("`(a ,b ,@(c d) . ,e)"),
        "(quasiquote (a (unquote b) (unquote-splicing (c d)) unquote e))"
    );
    assert_eq!(w("' x"), "(quote x)");
    assert_eq!(w("'#(1 2)"), "(quote #(1 2))");
    assert_eq!(w("(a'b)"), "(a (quote b))");
}

#[test]
fn comments() {
    assert_eq!(w("; line\n(a ; inner\n b) ; end"), "(a b)");
    assert_eq!(w("(a #| block |# b)"), "(a b)");
    assert_eq!(w("#| outer #| nested |# still |# x"), "x");
    assert_eq!(w("#|\nmulti\nline\n|#x"), "x");
    assert_eq!(w("(a #;b c)"), "(a c)");
    assert_eq!(w("(a #; (b (c)) d)"), "(a d)");
    assert_eq!(w("#;x y"), "y");
    // `#; #; a b` skips both.
    assert_eq!(w("(#; #; a b c)"), "(c)");
    assert_eq!(w("(a #;'b c)"), "(a c)");
    assert_eq!(w("'#;a b"), "(quote b)");
    assert_eq!(w(";only a comment"), "");
    assert_eq!(w(""), "");
}

#[test]
fn jue_literals() {
    assert_eq!(
        w_mode("(list true false nil)", ReadMode::Jue),
        "(list #t #f ())"
    );
    assert_eq!(kind_jue("nil"), DatumKind::List(vec![], None));
    assert_eq!(kind_jue("true"), DatumKind::Bool(true));
    assert_eq!(kind_jue("#t"), DatumKind::Bool(true));
    // Barred symbols stay symbols.
    assert_eq!(kind_jue("|nil|"), DatumKind::Symbol("nil".into()));
    assert_eq!(kind_jue("nil?"), DatumKind::Symbol("nil?".into()));
    // `(a . nil)` is the proper list `(a)`.
    assert_eq!(w_mode("(a . nil)", ReadMode::Jue), "(a)");
    // Tier annotations are lists headed by a symbol.
    let d = read_mode("(:formal (+ 1 2))", ReadMode::Jue).remove(0);
    assert!(d.is_form(":formal"));
    assert_eq!(d.write(), "(:formal (+ 1 2))");
}

fn kind_jue(src: &str) -> DatumKind {
    read_mode(src, ReadMode::Jue).remove(0).kind
}

#[test]
fn several_top_level_data() {
    let ds = read_ok("(define x 1)\n(display x)\n42 \"s\" sym");
    assert_eq!(ds.len(), 5);
    assert_eq!(ds[2].kind, DatumKind::Int(42));
}

// ----- spans -----

#[test]
fn spans_cover_source_text() {
    let src = "(define (f x)\n  '(a . \"s\"))  #(1 2) [b]";
    let ds = read_ok(src);
    let text = |d: &Datum| &src[d.span.start as usize..d.span.end as usize];
    assert_eq!(text(&ds[0]), "(define (f x)\n  '(a . \"s\"))");
    assert_eq!(text(&ds[1]), "#(1 2)");
    assert_eq!(text(&ds[2]), "[b]");
    let items = ds[0].list_items().unwrap();
    assert_eq!(text(&items[0]), "define");
    assert_eq!(text(&items[1]), "(f x)");
    let quoted = &items[2];
    assert_eq!(text(quoted), "'(a . \"s\")");
    let q = quoted.list_items().unwrap();
    assert_eq!(text(&q[0]), "'");
    assert_eq!(text(&q[1]), "(a . \"s\")");
    match &q[1].kind {
        DatumKind::List(_, Some(tail)) => assert_eq!(text(tail), "\"s\""),
        k => panic!("{k:?}"),
    }
    assert_eq!(one(" #\\space ").span, sp(1, 8));
    assert_eq!(one("#u8(1 2)").span, sp(0, 8));
    assert_eq!(one(",@x").span, sp(0, 3));
    assert_eq!(one("|a b|").span, sp(0, 5));
    assert_eq!(one("é").span, sp(0, 2));
}

// ----- round trips -----

#[test]
fn write_round_trips() {
    for (src, canonical) in [
        ("(a b . c)", "(a b . c)"),
        ("#(1 2.5 \"x\" #\\a)", "#(1 2.5 \"x\" #\\a)"),
        ("[1 2]", "(1 2)"),
        ("#true", "#t"),
        ("#x10", "16"),
        ("1e3", "1000.0"),
        ("-0.0", "-0.0"),
        ("+inf.0", "+inf.0"),
        ("-inf.0", "-inf.0"),
        ("+nan.0", "+nan.0"),
        (".5", "0.5"),
        ("1e21", "1e+21"),
        ("#\\x41", "#\\A"),
        ("#\\x0", "#\\null"),
        ("#\\x1", "#\\x1"),
        ("\"a\\x41;\\n\"", "\"aA\\n\""),
        ("|a b|", "|a b|"),
        ("|abc|", "abc"),
        ("|1|", "|1|"),
        ("'x", "(quote x)"),
        ("#u8(1 2)", "#u8(1 2)"),
        ("(#t #f ())", "(#t #f ())"),
    ] {
        assert_eq!(w(src), canonical, "{src}");
        // The canonical text is a fixed point.
        assert_eq!(w(canonical), canonical, "{canonical}");
    }
    let program = PROGRAM;
    let once = w(program);
    assert_eq!(w(&once), once);
}

// ----- errors -----

#[test]
fn unclosed_list_points_at_its_bracket() {
    let src = "(define (f x)\n  (+ x 1)\n";
    let (msg, at) = err_at(src);
    assert_eq!(msg, "unclosed list: '(' is never closed");
    assert_eq!(at, "1:1");
    let e = errs(src);
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].hint.as_deref(), Some("add a matching ')'"));
    // Several open: the outermost is the error, the innermost is labelled.
    let e = errs("(a\n  [b (c");
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].span, Some(sp(0, 1)));
    assert_eq!(e[0].labels[0].span, sp(8, 9));
    assert!(e[0].notes[0].contains("3 brackets"));
    assert_eq!(first_err("#(1 2"), "unclosed vector: '#(' is never closed");
    assert_eq!(
        first_err("#u8(1 2"),
        "unclosed bytevector: '#u8(' is never closed"
    );
    let text = render(src, &errs(src));
    assert!(text.contains("--> t.scm:1:1"), "{text}");
}

#[test]
fn unexpected_and_mismatched_brackets() {
    assert_eq!(
        err_at("(a b))"),
        ("unexpected ')'".to_string(), "1:6".to_string())
    );
    assert_eq!(
        err_at("\n  ]"),
        ("unexpected ']'".to_string(), "2:3".to_string())
    );
    let e = errs("(a\n b]");
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].message, "mismatched brackets: '(' closed by ']'");
    assert_eq!(e[0].span, Some(sp(5, 6)));
    assert_eq!(e[0].labels[0].span, sp(0, 1));
    assert_eq!(e[0].labels[0].message, "expected ')' to close this");
    assert_eq!(first_err("[a)"), "mismatched brackets: '[' closed by ')'");
    assert_eq!(first_err("#(a]"), "mismatched brackets: '#(' closed by ']'");
    // Recovery: the mismatched bracket closes the list and reading goes on.
    assert_eq!(errs("(a] (b c] d").len(), 2);
}

#[test]
fn bad_dot_placement() {
    assert_eq!(
        err_at("( . a)"),
        (
            "bad '.' placement: nothing before '.' in this list".to_string(),
            "1:3".to_string()
        )
    );
    assert_eq!(
        err_at("(a . b c)"),
        (
            "bad '.' placement: only one datum may follow '.'".to_string(),
            "1:8".to_string()
        )
    );
    assert_eq!(
        err_at("(a . )"),
        (
            "bad '.' placement: expected a datum after '.'".to_string(),
            "1:4".to_string()
        )
    );
    assert_eq!(
        first_err("(a . b . c)"),
        "bad '.' placement: a list may have only one '.'"
    );
    assert_eq!(first_err("#(a . b)"), "'.' is not allowed in a vector");
    assert_eq!(
        first_err("#u8(1 . 2)"),
        "'.' is not allowed in a bytevector"
    );
    assert_eq!(first_err(". a"), "unexpected '.' outside a list");
    assert_eq!(first_err("(a '. b)"), "expected a datum after '''");
}

#[test]
fn missing_datum_after_prefix() {
    assert_eq!(
        err_at("(a ')"),
        ("expected a datum after '''".into(), "1:4".into())
    );
    assert_eq!(first_err("(a #;)"), "expected a datum after '#;'");
    assert_eq!(first_err("'"), "expected a datum after '''");
    let e = errs("(a ,@");
    assert_eq!(e.len(), 2);
    assert_eq!(e[1].message, "expected a datum after ',@'");
    assert_eq!(first_err("#;"), "expected a datum after '#;'");
}

#[test]
fn hash_syntax_errors() {
    assert_eq!(
        err_at("(a #foo)"),
        ("unknown '#' syntax '#foo'".into(), "1:4".into())
    );
    assert!(first_err("#").starts_with("unknown '#' syntax"));
    assert!(first_err("# a").starts_with("unknown '#' syntax"));
    assert!(first_err("#0=(a . #0#)").contains("datum labels"));
    assert!(first_err("#define").starts_with("bad number literal"));
    assert_eq!(
        err_at("(list #\\bogus)"),
        ("unknown character name '#\\bogus'".into(), "1:7".into())
    );
    assert_eq!(first_err("#\\"), "expected a character after '#\\'");
    assert_eq!(first_err("#\\xD800"), "invalid character code '#\\xD800'");
    assert_eq!(first_err("#\\Space"), "unknown character name '#\\Space'");
    assert!(first_err("{").starts_with("unexpected character '{'"));
    assert_eq!(first_err("a\u{1}"), "unexpected character '\\u{1}'");
}

#[test]
fn string_errors() {
    assert_eq!(
        err_at("(display \"abc)\n(newline)"),
        ("unterminated string".into(), "1:10".into())
    );
    // The unterminated string explains the unclosed list: one error.
    assert_eq!(errs("(display \"abc)").len(), 1);
    assert_eq!(
        err_at(r#""a\qb""#),
        ("invalid escape '\\q'".into(), "1:3".into())
    );
    assert!(first_err(r#""\x41""#).starts_with("invalid hex escape"));
    assert!(first_err(r#""\x;""#).starts_with("invalid hex escape"));
    assert!(first_err(r#""\xD800;""#).starts_with("invalid character code"));
    assert!(first_err("\"a\\  b\"").starts_with("invalid escape: '\\' followed by spaces"));
    assert_eq!(first_err("|abc"), "unterminated '|' symbol");
}

#[test]
fn a_symbol_cannot_contain_nul() {
    // The expander's renamed identifiers are `name\0N`: source must not be able to spell one.
    let nul = "a symbol cannot contain the character U+0000 (NUL)";
    for src in [
        "(display |foo\\x0;0|)",
        "(display |foo\\0 0|)",
        "(display |foo\u{0}0|)",
        "'|a\\x0;b|",
    ] {
        let (msg, at) = err_at(src);
        assert_eq!(msg, nul, "{src:?}");
        assert_eq!(
            at,
            if src.starts_with('\'') { "1:2" } else { "1:10" },
            "{src:?}"
        );
    }
    // A NUL outside `|...|` is a delimiter, an error of its own.
    assert!(first_err("foo\u{0}0").starts_with("unexpected character"));
    // Other escapes in `|...|` symbols still work, and NUL is fine in strings and characters.
    assert_eq!(kind("|a\\x41;b|"), DatumKind::Symbol("aAb".into()));
    assert_eq!(kind("\"a\\x0;b\""), DatumKind::Str("a\0b".into()));
    assert_eq!(kind("#\\x0"), DatumKind::Char('\0'));
}

#[test]
fn block_comment_errors() {
    assert_eq!(
        err_at("(a)\n #| never closed"),
        ("unterminated block comment".into(), "2:2".into())
    );
    assert_eq!(errs("(a #| #| |#").len(), 1);
}

#[test]
fn several_errors_in_one_file() {
    let src = "(a #foo)\n(b . )\n\"\\q\"\n(c ]\n#\\bogus\n)";
    let e = errs(src);
    let msgs: Vec<&str> = e.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        msgs,
        [
            "unknown '#' syntax '#foo'",
            "bad '.' placement: expected a datum after '.'",
            "invalid escape '\\q'",
            "mismatched brackets: '(' closed by ']'",
            "unknown character name '#\\bogus'",
            "unexpected ')'",
        ]
    );
    let text = render(src, &e);
    assert!(text.contains("--> t.scm:4:4"), "{text}");
}

#[test]
fn diagnostics_render_like_a_compiler() {
    let src = "(define (f x)\n  (g x]\n";
    let text = render(src, &errs(src));
    // Sorted by position: the unclosed `(define` (1:1) comes first.
    assert!(
        text.starts_with("error: unclosed list: '(' is never closed\n"),
        "{text}"
    );
    assert!(
        text.contains("error: mismatched brackets: '(' closed by ']'\n"),
        "{text}"
    );
    assert!(text.contains("--> t.scm:2:7"), "{text}");
    assert!(text.contains(" 2 |   (g x]"), "{text}");
    assert!(
        text.contains("   |   ^ expected ')' to close this"),
        "{text}"
    );
}

#[test]
fn error_count_is_capped() {
    let src = ")".repeat(100);
    assert_eq!(errs(&src).len(), MAX_ERRORS);
    let src = "#foo ".repeat(100);
    assert_eq!(errs(&src).len(), MAX_ERRORS);
    let src = "\"\\q\" #foo ".repeat(100);
    assert_eq!(errs(&src).len(), MAX_ERRORS);
}

// ----- robustness -----

#[test]
fn very_deep_nesting_is_an_error_not_a_crash() {
    for open in ["(", "[", "#(", "'", "#;", "`,@"] {
        let src = open.repeat(100_000);
        let e = errs(&src);
        assert_eq!(e.len(), 1, "{open}");
        assert_eq!(
            e[0].message,
            format!("nesting too deep (limit {MAX_DEPTH})")
        );
    }
}

/// A datum nested exactly at the limit can be read, written, cloned, compared, debug-printed
/// and dropped (the derived impls recurse) on a thread with a small stack.
#[test]
fn nesting_at_the_limit_is_fine_on_a_small_stack() {
    let src = format!("{}x{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
    let quotes = format!("{}x", "'".repeat(MAX_DEPTH));
    on_small_stack(move || {
        let ds = read(&src, FileId(0), ReadMode::Scheme).expect("reads");
        assert_eq!(ds[0].write(), src);
        let copy = ds.clone();
        assert_eq!(copy, ds);
        assert!(format!("{copy:?}").len() > MAX_DEPTH);
        drop(copy);
        drop(ds);
        let ds = read(&quotes, FileId(0), ReadMode::Scheme).expect("reads");
        assert!(ds[0].write().starts_with("(quote (quote"));
        drop(ds);
    });
    let over = format!("{}x", "(".repeat(MAX_DEPTH + 1));
    assert!(first_err(&over).starts_with("nesting too deep"));
}

#[test]
fn long_flat_lists_are_fine() {
    let src = format!("({})", "a ".repeat(200_000));
    assert_eq!(one(&src).list_items().unwrap().len(), 200_000);
    // Each `. (b ...)` splices: a flat list, despite the source nesting deeply.
    let n = MAX_DEPTH - 1;
    let src = format!("(a{})", " . (b".repeat(n) + &")".repeat(n));
    let d = one(&src);
    assert_eq!(d.list_items().unwrap().len(), n + 1);
}

const PROGRAM: &str = r#"#!fold-case
;; A small program touching most of the syntax.
(import (scheme base) (scheme write))
#| a block #| nested |# comment |#
(define-record-type point (make-point x y) point? (x point-x) (y point-y set-point-y!))
(define (f . args) (apply + args))
(define (g a b . rest) `(,a ,@rest . ,b))
(define v #(1 2.5 "three" #\4 #\space (five . 6)))
(define bv #u8(0 1 255))
(let loop ([i 0] [acc '()])
  (if (< i 10)
      (loop (+ i 1) (cons (* i i) acc))
      (begin (write (reverse acc)) (newline))))
(display "tab:\t quote:\" hex:\x41; done\
          continued")
#;(this is ignored)
(write '|odd symbol| ) (write -0.0) (write +inf.0) (write #x-1F) (write 1/2)
(cond ((assv 2 '((1 . one) (2 . two))) => cdr) (else #f))
"#;

#[test]
fn the_sample_program_reads() {
    let ds = read_ok(PROGRAM);
    assert_eq!(ds.len(), 14);
    assert!(ds[0].is_form("import"));
}

#[test]
fn every_prefix_and_suffix_never_panics() {
    for (i, _) in PROGRAM.char_indices() {
        let _ = read(&PROGRAM[..i], FileId(0), ReadMode::Scheme);
        let _ = read(&PROGRAM[i..], FileId(0), ReadMode::Jue);
    }
}

#[test]
fn garbage_never_panics() {
    let nasty = [
        "",
        " ",
        "\0",
        "#",
        "#\\",
        "#\\x",
        "#\\xffffffffff",
        "#u",
        "#u8",
        "#u8(",
        "#(",
        "(",
        ")",
        "[",
        "]",
        "'",
        "`",
        ",",
        ",@",
        ".",
        "..",
        "...",
        "#;",
        "#|",
        "|#",
        "#!",
        "#!f",
        "|",
        "\"",
        "\"\\",
        "\"\\x",
        "\"\\x41",
        "\\",
        "1/",
        "/1",
        "1/0",
        "#e",
        "#x",
        "#b2",
        "+",
        "-",
        "+.",
        "-.e",
        "1e",
        "#e1e400",
        "#i",
        "\u{feff}",
        "🦀",
        "λ(",
        "{",
        "}",
        ";",
        "\r\n",
        "#\\\n",
        "#t#f",
        "#true#",
        "(. .)",
        "(a . . b)",
        "#;#;#;",
        "'''",
        "(#;)",
        "#0#",
        "#!/x",
        "\"\\\r\n  x\"",
        "#x-",
        "#x+",
        "-nan.0",
        "+NaN.0",
        "9/3/2",
    ];
    each_pair(&nasty, |s| {
        let _ = read(s, FileId(0), ReadMode::Scheme);
        let _ = read(s, FileId(0), ReadMode::Jue);
    });
}

#[test]
fn random_inputs_never_panic() {
    const ALPHABET: &[char] = &[
        '(', ')', '[', ']', '#', '\\', '"', '|', ';', '\'', '`', ',', '@', '.', ' ', '\n', 'a',
        'x', 'u', '8', '1', '0', '-', '+', 'e', '/', 't', 'f', '!', 'λ', '{', '\0', '\t', 'i',
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..3000 {
        let len = (next() % 40) as usize;
        let s: String = (0..len)
            .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
            .collect();
        let _ = read(&s, FileId(0), ReadMode::Scheme);
    }
    // Random bytes, made valid UTF-8 lossily.
    for _ in 0..1000 {
        let len = (next() % 64) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        let s = String::from_utf8_lossy(&bytes);
        let _ = read(&s, FileId(0), ReadMode::Jue);
    }
}

#[test]
fn read_range_reads_part_of_a_file_with_the_file_s_spans() {
    let src = "#!/usr/bin/env x\n(a b)\n(c \"d\") ; note\n(e)\n";
    let all = read_ok(src);
    let (start, end) = (all[1].span.start as usize, all[2].span.end as usize);
    let part = read_range(src, start..end, FileId(3), ReadMode::Scheme).unwrap();
    assert_eq!(part.len(), 2);
    assert_eq!(part[0].write(), "(c \"d\")");
    assert_eq!(
        part[0].span,
        Span::new(FileId(3), start, all[1].span.end as usize)
    );
    assert_eq!(
        part[1].span,
        Span::new(FileId(3), all[2].span.start as usize, end)
    );
    // An empty range reads nothing; the whole range reads everything.
    assert!(read_range(src, 5..5, FileId(0), ReadMode::Scheme)
        .unwrap()
        .is_empty());
    assert_eq!(
        read_range(src, 0..src.len(), FileId(0), ReadMode::Scheme).unwrap(),
        all
    );
    // A range that cuts a form reports it, at the file's positions.
    let cut = read_range(src, start..start + 3, FileId(0), ReadMode::Scheme).unwrap_err();
    assert!(cut[0].span.unwrap().start as usize >= start, "{cut:?}");
}

#[test]
fn read_range_outside_the_text_is_an_error_not_a_panic() {
    let src = "(λ x)";
    for (a, b) in [(0, 99), (2, 1), (2, 3), (1, 2)] {
        assert!(
            read_range(src, a..b, FileId(0), ReadMode::Scheme).is_err(),
            "{a}..{b}"
        );
    }
}

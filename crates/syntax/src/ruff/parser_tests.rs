//! Tests for the Ruff parser (statements, expressions, patterns, recovery, robustness).

use super::*;
use crate::span::SourceMap;
use crate::test_support::{each_pair, on_small_stack, render};

fn parse_ok(src: &str) -> Program {
    match parse(src, FileId(0)) {
        Ok(p) => p,
        Err(diags) => panic!(
            "unexpected errors for {src:?}:\n{}",
            render("t.ruff", src, &diags)
        ),
    }
}

fn errs(src: &str) -> Vec<Diagnostic> {
    match parse(src, FileId(0)) {
        Ok(p) => panic!("expected errors for {src:?}, got {p:?}"),
        Err(d) => d,
    }
}

fn first_err(src: &str) -> String {
    errs(src)[0].message.clone()
}

fn one_stmt(src: &str) -> StmtKind {
    let mut p = parse_ok(src);
    assert_eq!(p.stmts.len(), 1, "{src:?}: {:?}", p.stmts);
    p.stmts.remove(0).kind
}

fn one_expr(src: &str) -> Expr {
    match one_stmt(src) {
        StmtKind::Expr(e) => e,
        k => panic!("not an expression statement: {k:?}"),
    }
}

/// A compact S-expression rendering of an expression.
fn sx(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Int(v) => v.to_string(),
        ExprKind::Float(v) => format!("{v:?}"),
        ExprKind::Str(s) => format!("{s:?}"),
        ExprKind::Interp(parts) => {
            let ps: Vec<String> = parts
                .iter()
                .map(|p| match p {
                    StrPart::Lit(s) => format!("{s:?}"),
                    StrPart::Expr(e) => sx(e),
                })
                .collect();
            format!("(interp {})", ps.join(" "))
        }
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Null => "null".into(),
        ExprKind::Ident(n) => n.clone(),
        ExprKind::Array(items) => {
            let xs: Vec<String> = items
                .iter()
                .map(|i| match i {
                    ArrayItem::Item(e) => sx(e),
                    ArrayItem::Spread(e) => format!("...{}", sx(e)),
                })
                .collect();
            format!("[{}]", xs.join(" "))
        }
        ExprKind::Dict(items) => {
            let xs: Vec<String> = items
                .iter()
                .map(|i| match i {
                    DictItem::Pair(k, v) => format!("{}:{}", sx(k), sx(v)),
                    DictItem::Spread(e) => format!("...{}", sx(e)),
                })
                .collect();
            format!("{{{}}}", xs.join(" "))
        }
        ExprKind::Unary(UnOp::Not, x) => format!("(! {})", sx(x)),
        ExprKind::Unary(UnOp::Neg, x) => format!("(neg {})", sx(x)),
        ExprKind::Binary(op, a, b) => format!("({} {} {})", op.symbol(), sx(a), sx(b)),
        ExprKind::Call { callee, args } => {
            let xs: Vec<String> = args.iter().map(sx).collect();
            if xs.is_empty() {
                format!("(call {})", sx(callee))
            } else {
                format!("(call {} {})", sx(callee), xs.join(" "))
            }
        }
        ExprKind::Index { object, index } => format!("(idx {} {})", sx(object), sx(index)),
        ExprKind::Field { object, name } => format!("(. {} {})", sx(object), name.name),
        ExprKind::Func { params, body } => {
            let ps: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
            format!("(func ({}) {})", ps.join(" "), body.stmts.len())
        }
        ExprKind::Try(x) => format!("(? {})", sx(x)),
        ExprKind::StructLit { name, fields } => {
            let fs: Vec<String> = fields
                .iter()
                .map(|(f, v)| format!("{}:{}", f.name, sx(v)))
                .collect();
            format!("(struct {} {})", name.name, fs.join(" "))
        }
        ExprKind::Path { enum_name, variant } => format!("{}::{}", enum_name.name, variant.name),
    }
}

fn ex(src: &str) -> String {
    sx(&one_expr(src))
}

fn text(src: &str, span: Span) -> &str {
    &src[span.start as usize..span.end as usize]
}

#[test]
fn precedence() {
    assert_eq!(ex("1 + 2 * 3"), "(+ 1 (* 2 3))");
    assert_eq!(ex("(1 + 2) * 3"), "(* (+ 1 2) 3)");
    assert_eq!(ex("1 - 2 - 3"), "(- (- 1 2) 3)");
    assert_eq!(ex("8 / 4 % 3 * 2"), "(* (% (/ 8 4) 3) 2)");
    assert_eq!(ex("a || b && c"), "(|| a (&& b c))");
    assert_eq!(ex("a && b || c"), "(|| (&& a b) c)");
    assert_eq!(ex("x ?? y |> f"), "(|> (?? x y) f)");
    assert_eq!(ex("x |> f |> g"), "(|> (|> x f) g)");
    assert_eq!(ex("a ?? b || c"), "(?? a (|| b c))");
    assert_eq!(ex("a < b == c >= d"), "(== (< a b) (>= c d))");
    assert_eq!(ex("a != b && c <= d + 1"), "(&& (!= a b) (<= c (+ d 1)))");
    assert_eq!(ex("-a * b"), "(* (neg a) b)");
    assert_eq!(ex("!a == b"), "(== (! a) b)");
    assert_eq!(ex("- -a"), "(neg (neg a))");
    assert_eq!(ex("!!a"), "(! (! a))");
    assert_eq!(ex("-a.b"), "(neg (. a b))");
    assert_eq!(ex("-f(x)?"), "(neg (? (call f x)))");
    assert_eq!(ex("a.b(c)[d]?"), "(? (idx (call (. a b) c) d))");
    assert_eq!(ex("f()()"), "(call (call f))");
    assert_eq!(ex("a.match.default"), "(. (. a match) default)");
    assert_eq!(ex("1 +\n 2"), "(+ 1 2)");
    assert_eq!(
        ex("xs\n  .map(f)\n  .len()"),
        "(call (. (call (. xs map) f) len))"
    );
}

#[test]
fn literals() {
    assert_eq!(ex("42"), "42");
    assert_eq!(ex("0x1F"), "31");
    assert_eq!(ex("1_000"), "1000");
    assert_eq!(ex("1.5e-3"), "0.0015");
    assert_eq!(ex("\"hi\\n\""), "\"hi\\n\"");
    assert_eq!(ex("true"), "true");
    assert_eq!(ex("null"), "null");
    assert_eq!(ex("-9223372036854775808"), "-9223372036854775808");
    assert_eq!(ex("-5"), "(neg 5)");
    assert_eq!(ex("[1, 2, ...xs,]"), "[1 2 ...xs]");
    assert_eq!(ex("[]"), "[]");
    assert_eq!(ex("({})"), "{}");
    assert_eq!(ex("({\"a\": 1, k: v, ...d})"), "{\"a\":1 k:v ...d}");
    assert_eq!(ex("func(a, b) { return a }"), "(func (a b) 1)");
    assert_eq!(ex("Color::Red"), "Color::Red");
    assert_eq!(ex("Shape::Circle(2)"), "(call Shape::Circle 2)");
    assert_eq!(ex("Ok(1)"), "(call Ok 1)");
    assert_eq!(ex("throw(\"x\")"), "(call throw \"x\")");
    assert!(first_err("x := 9223372036854775808").contains("too large"));
}

#[test]
fn interpolation_spans_point_into_the_file() {
    let src = "s := \"a ${x + f(\"}\")} b ${ {\"k\": 1}[\"k\"] }\"";
    let StmtKind::Assign { value, .. } = one_stmt(src) else {
        panic!()
    };
    assert_eq!(
        sx(&value),
        "(interp \"a \" (+ x (call f \"}\")) \" b \" (idx {\"k\":1} \"k\"))"
    );
    let ExprKind::Interp(parts) = &value.kind else {
        panic!()
    };
    let StrPart::Expr(e) = &parts[1] else {
        panic!()
    };
    assert_eq!(text(src, e.span), "x + f(\"}\")");
    assert_eq!(text(src, value.span), &src[5..]);
    // Nested interpolation.
    assert_eq!(ex("\"${\"${a}!\"}\""), "(interp (interp a \"!\"))");
    assert_eq!(ex("\"${P { x: 1 }.x}\""), "(interp (. (struct P x:1) x))");
    assert!(first_err("\"${}\"").contains("empty interpolation"));
    assert!(first_err("\"${a b}\"").contains("to close the interpolation"));
    assert_eq!(
        first_err("\"${a +}\""),
        "expected an expression but found '}'"
    );
}

#[test]
fn spans_cover_the_source() {
    let src = "x := a + b * c\nfoo(1)";
    let p = parse_ok(src);
    assert_eq!(text(src, p.stmts[0].span), "x := a + b * c");
    let StmtKind::Assign { value, .. } = &p.stmts[0].kind else {
        panic!()
    };
    assert_eq!(text(src, value.span), "a + b * c");
    assert_eq!(text(src, p.stmts[1].span), "foo(1)");
    let src = "if a { b }\nelse { c }";
    let p = parse_ok(src);
    assert_eq!(text(src, p.stmts[0].span), src);
    let src = "func f(a) {\n  return a\n}";
    let StmtKind::Func(f) = one_stmt(src) else {
        panic!()
    };
    assert_eq!(text(src, f.span), src);
    assert_eq!(text(src, f.body.span), "{\n  return a\n}");
}

#[test]
fn assignments() {
    let StmtKind::Assign { target, op, value } = one_stmt("x := 1") else {
        panic!()
    };
    assert_eq!(
        (sx(&target), op, sx(&value)),
        ("x".into(), None, "1".into())
    );
    let StmtKind::Assign { op, .. } = one_stmt("x = 1") else {
        panic!()
    };
    assert_eq!(op, None);
    for (src, want) in [
        ("x += 1", BinOp::Add),
        ("x -= 1", BinOp::Sub),
        ("x *= 1", BinOp::Mul),
        ("x /= 1", BinOp::Div),
        ("x %= 1", BinOp::Mod),
    ] {
        let StmtKind::Assign { op, .. } = one_stmt(src) else {
            panic!()
        };
        assert_eq!(op, Some(want), "{src}");
    }
    let StmtKind::Assign { target, .. } = one_stmt("a[i] := 2") else {
        panic!()
    };
    assert_eq!(sx(&target), "(idx a i)");
    let StmtKind::Assign { target, .. } = one_stmt("p.x := 3") else {
        panic!()
    };
    assert_eq!(sx(&target), "(. p x)");
    assert_eq!(first_err("f() := 1"), "invalid assignment target");
    assert_eq!(first_err("1 + 2 = 3"), "invalid assignment target");
    assert_eq!(first_err("Color::Red := 1"), "invalid assignment target");
}

#[test]
fn declarations() {
    let StmtKind::Decl {
        kind,
        pattern,
        value,
    } = one_stmt("let x := 5")
    else {
        panic!()
    };
    assert_eq!(kind, DeclKind::Let);
    assert!(matches!(pattern, BindPattern::Name(ref i) if i.name == "x"));
    assert_eq!(sx(&value), "5");
    let StmtKind::Decl { kind, .. } = one_stmt("mut y = 1") else {
        panic!()
    };
    assert_eq!(kind, DeclKind::Mut);
    let StmtKind::Decl { kind, .. } = one_stmt("const Z: int := 1") else {
        panic!()
    };
    assert_eq!(kind, DeclKind::Const);
    let StmtKind::Decl { pattern, .. } = one_stmt("let [a, [b, c], ...rest] := xs") else {
        panic!()
    };
    let BindPattern::Array { items, rest, .. } = pattern else {
        panic!()
    };
    assert_eq!(items.len(), 2);
    assert!(matches!(&items[1], BindPattern::Array { items, .. } if items.len() == 2));
    assert_eq!(rest.unwrap().name, "rest");
    let StmtKind::Decl { pattern, .. } = one_stmt("let {a, b, ...others} := d") else {
        panic!()
    };
    let BindPattern::Dict { keys, rest, .. } = pattern else {
        panic!()
    };
    let names: Vec<_> = keys.iter().map(|k| k.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(rest.unwrap().name, "others");
    assert!(first_err("let [...r, a] := xs").contains("must come last"));
    assert!(first_err("let x 5").contains("expected ':='"));
    assert!(first_err("let if := 5").contains("keyword 'if'"));
}

#[test]
fn functions_and_returns() {
    let StmtKind::Func(f) = one_stmt("func add(a: int, b: int) -> int { return a + b }") else {
        panic!()
    };
    assert_eq!(f.name.name, "add");
    assert_eq!(f.params.len(), 2);
    let StmtKind::Func(f) = one_stmt("func f() {\n  return\n}") else {
        panic!()
    };
    assert_eq!(f.body.stmts[0].kind, StmtKind::Return(None));
    let StmtKind::Func(f) = one_stmt("func f() { return }") else {
        panic!()
    };
    assert_eq!(f.body.stmts[0].kind, StmtKind::Return(None));
    let StmtKind::Func(f) = one_stmt("func f() { return; }") else {
        panic!()
    };
    assert_eq!(f.body.stmts[0].kind, StmtKind::Return(None));
    // `return` then a newline: the next line is its own statement.
    let StmtKind::Func(f) = one_stmt("func f() {\n  return\n  g()\n}") else {
        panic!()
    };
    assert_eq!(f.body.stmts.len(), 2);
    let StmtKind::Func(f) = one_stmt("func f(a,) { return a * 2 }") else {
        panic!()
    };
    let StmtKind::Return(Some(e)) = &f.body.stmts[0].kind else {
        panic!()
    };
    assert_eq!(sx(e), "(* a 2)");
    assert!(first_err("func f(a, a) {}").contains("duplicate parameter"));
    // Newline before `(`: not a call.
    let p = parse_ok("x := f\n(1 + 2)");
    assert_eq!(p.stmts.len(), 2);
}

#[test]
fn control_flow() {
    let StmtKind::If { cond, then, else_ } =
        one_stmt("if x > 1 { a() } else if (y) { b() } else { c() }")
    else {
        panic!()
    };
    assert_eq!(sx(&cond), "(> x 1)");
    assert_eq!(then.stmts.len(), 1);
    let else_ = else_.unwrap();
    let StmtKind::If { cond, else_, .. } = else_.kind else {
        panic!()
    };
    assert_eq!(sx(&cond), "y");
    assert!(matches!(else_.unwrap().kind, StmtKind::Block(_)));
    let StmtKind::If { else_, .. } = one_stmt("if a {\n}\nelse {\n}") else {
        panic!()
    };
    assert!(else_.is_some());
    let StmtKind::While { cond, .. } = one_stmt("while (i < 10) { i += 1 }") else {
        panic!()
    };
    assert_eq!(sx(&cond), "(< i 10)");
    let StmtKind::Loop { body } = one_stmt("loop { break; continue }") else {
        panic!()
    };
    assert_eq!(body.stmts[0].kind, StmtKind::Break);
    assert_eq!(body.stmts[1].kind, StmtKind::Continue);
    let StmtKind::For { var, iter, body } = one_stmt("for x in range(3) { print(x) }") else {
        panic!()
    };
    assert_eq!(
        (var.name.as_str(), sx(&iter)),
        ("x", "(call range 3)".into())
    );
    assert_eq!(body.stmts.len(), 1);
    let StmtKind::Block(b) = one_stmt("{ x := 1; y := 2 }") else {
        panic!()
    };
    assert_eq!(b.stmts.len(), 2);
    let StmtKind::Try { err, handler, .. } =
        one_stmt("try { throw(\"e\") } except e { print(e.message) }")
    else {
        panic!()
    };
    assert_eq!(err.name, "e");
    assert_eq!(handler.stmts.len(), 1);
}

#[test]
fn struct_and_enum_declarations() {
    let StmtKind::Struct(s) = one_stmt(
        "struct Point {\n  x: int,\n  y\n  z: [float]\n  func sum(self) { return self.x + self.y }\n}",
    ) else {
        panic!()
    };
    let names: Vec<_> = s.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["x", "y", "z"]);
    assert_eq!(s.methods.len(), 1);
    assert_eq!(s.methods[0].params[0].name, "self");
    let StmtKind::Enum(e) = one_stmt("enum Color { Red, Green\n Blue(x), Rgb(int, int, int) }")
    else {
        panic!()
    };
    let vs: Vec<_> = e
        .variants
        .iter()
        .map(|v| (v.name.name.as_str(), v.arity))
        .collect();
    assert_eq!(vs, [("Red", 0), ("Green", 0), ("Blue", 1), ("Rgb", 3)]);
    assert!(first_err("struct P { x, x }").contains("duplicate field"));
}

#[test]
fn struct_literal_vs_block() {
    assert_eq!(ex("Point { x: 1, y: 2 }"), "(struct Point x:1 y:2)");
    assert_eq!(ex("Empty {}"), "(struct Empty )");
    assert_eq!(ex("P { x: Q { y: 1 }, }"), "(struct P x:(struct Q y:1))");
    // In a condition, `x {` starts the block.
    let StmtKind::If { cond, then, .. } = one_stmt("if ready {}") else {
        panic!()
    };
    assert_eq!((sx(&cond), then.stmts.len()), ("ready".into(), 0));
    let StmtKind::If { cond, .. } = one_stmt("if p == (P { x: 1 }) { }") else {
        panic!()
    };
    assert_eq!(sx(&cond), "(== p (struct P x:1))");
    let StmtKind::While { cond, .. } = one_stmt("while running { x := 1 }") else {
        panic!()
    };
    assert_eq!(sx(&cond), "running");
    let StmtKind::For { iter, .. } = one_stmt("for k in items { print(k) }") else {
        panic!()
    };
    assert_eq!(sx(&iter), "items");
    let StmtKind::Match { subject, .. } = one_stmt("match v { default: {} }") else {
        panic!()
    };
    assert_eq!(sx(&subject), "v");
    // Brackets inside a condition allow struct literals again.
    let StmtKind::If { cond, .. } = one_stmt("if f(P { x: 1 }) { }") else {
        panic!()
    };
    assert_eq!(sx(&cond), "(call f (struct P x:1))");
    // A `{` on the next line is a block, not a struct literal.
    let p = parse_ok("x := y\n{ z := 1 }");
    assert_eq!(p.stmts.len(), 2);
}

#[test]
fn match_patterns() {
    let src = r#"match v {
        case _: { }
        case 1: { }
        case -2: { }
        case 1.5: { }
        case -0.5 => { }
        case "s": { }
        case true: { }
        case null: { }
        case start: { }
        case Ok(x): { }
        case Err(_): { }
        case Some(Ok(1)): { }
        case None: { }
        case Pair(a, b): { }
        case Color::Red: { }
        case Shape::Rect(w, h): { }
        default => { print("other") }
    }"#;
    let StmtKind::Match { cases, default, .. } = one_stmt(src) else {
        panic!()
    };
    assert_eq!(default.unwrap().stmts.len(), 1);
    let pats: Vec<String> = cases
        .iter()
        .map(|c| match &c.pattern {
            Pattern::Wildcard(_) => "_".to_string(),
            Pattern::Literal(e) => format!("lit {}", sx(e)),
            Pattern::Ident(i) => format!("id {}", i.name),
            Pattern::Ctor { name, args, .. } => format!("ctor {} {}", name.name, args.len()),
            Pattern::Variant {
                enum_name,
                variant,
                args,
                ..
            } => format!("var {}::{} {}", enum_name.name, variant.name, args.len()),
        })
        .collect();
    assert_eq!(
        pats,
        [
            "_",
            "lit 1",
            "lit -2",
            "lit 1.5",
            "lit -0.5",
            "lit \"s\"",
            "lit true",
            "lit null",
            "id start",
            "ctor Ok 1",
            "ctor Err 1",
            "ctor Some 1",
            "ctor None 0",
            "ctor Pair 2",
            "var Color::Red 0",
            "var Shape::Rect 2",
        ]
    );
    assert_eq!(text(src, cases[1].span), "case 1: { }");
    let e = errs("match v { case 1 { } }");
    assert!(
        e[0].message.contains("expected ':' after the pattern"),
        "{e:?}"
    );
    assert!(e[0].hint.is_some());
    assert!(first_err("match v { 1: {} }").contains("expected 'case'"));
    assert!(first_err("match v { default: {} default: {} }").contains("duplicate 'default'"));
}

#[test]
fn modules() {
    assert_eq!(
        one_stmt("import math"),
        StmtKind::Import {
            path: "math".into(),
            alias: None
        }
    );
    let StmtKind::Import { path, alias } = one_stmt("import lib/util as u") else {
        panic!()
    };
    assert_eq!(
        (path.as_str(), alias.unwrap().name.as_str()),
        ("lib/util", "u")
    );
    let StmtKind::Import { path, .. } = one_stmt("import \"path/m\"") else {
        panic!()
    };
    assert_eq!(path, "path/m");
    let StmtKind::FromImport { path, names } = one_stmt("from m import a, b") else {
        panic!()
    };
    assert_eq!(path, "m");
    assert_eq!(names.len(), 2);
    let StmtKind::Export(inner) = one_stmt("export func f() { }") else {
        panic!()
    };
    assert!(matches!(inner.kind, StmtKind::Func(_)));
    let StmtKind::Export(inner) = one_stmt("export let x := 1") else {
        panic!()
    };
    assert!(matches!(inner.kind, StmtKind::Decl { .. }));
    assert!(first_err("export x := 1").contains("after 'export'"));
}

#[test]
fn semicolons_and_separators() {
    assert_eq!(parse_ok("a := 1; b := 2;; c := 3;").stmts.len(), 3);
    assert_eq!(parse_ok("if a { } b := 1").stmts.len(), 2);
    assert_eq!(parse_ok("").stmts.len(), 0);
    assert_eq!(
        parse_ok("# only a comment\n// another\n/* and */")
            .stmts
            .len(),
        0
    );
    assert!(first_err("a := 1 b := 2").contains("expected ';' or a new line"));
}

#[test]
fn error_messages() {
    assert_eq!(
        first_err("if (x > 1 {\n  print(x)\n}"),
        "expected ')' to close '(' but found '{'"
    );
    let e = errs("func f() {\n  x := 1\n");
    assert_eq!(
        e[0].message,
        "expected '}' to close '{' but found end of file"
    );
    assert_eq!(e[0].labels.len(), 1);
    assert_eq!(e[0].labels[0].span.start, 9);
    let e = errs("if a { } elif b { }");
    assert!(e[0].hint.as_deref().unwrap().contains("else if"), "{e:?}");
    let e = errs("x := 1\nelif b { }");
    assert!(e[0].hint.as_deref().unwrap().contains("else if"), "{e:?}");
    for kw in ["function", "def", "fn"] {
        let e = errs(&format!("{kw} f(a) {{ return a }}"));
        assert!(
            e[0].hint.as_deref().unwrap().contains("func"),
            "{kw}: {e:?}"
        );
    }
    let e = errs("if x: { }");
    assert!(e[0].hint.as_deref().unwrap().contains("braces"), "{e:?}");
}

#[test]
fn error_messages_name_the_token() {
    assert_eq!(first_err("x := )"), "expected an expression but found ')'");
    assert_eq!(
        first_err("x :="),
        "expected an expression but found end of file"
    );
    assert_eq!(
        first_err("f(1 2)"),
        "expected ')' to close '(' but found '2'"
    );
    assert_eq!(
        first_err("[1, 2"),
        "expected ']' to close '[' but found end of file"
    );
    assert_eq!(first_err("}"), "unexpected '}'");
    assert_eq!(first_err("else { }"), "'else' without a matching 'if'");
    assert_eq!(
        first_err("try { } catch e { }").as_str(),
        "expected 'except' after the 'try' block but found 'catch'"
    );
}

#[test]
fn recovery_reports_several_errors() {
    let src = "x := (1 +\ny := 2\nz := ]\nfunc f( {\n}\nw := 3 3\nok := 1\n";
    let e = errs(src);
    assert!(e.len() >= 3, "{e:?}");
    let lines: Vec<u32> = e
        .iter()
        .map(|d| src[..d.span.unwrap().start as usize].matches('\n').count() as u32 + 1)
        .collect();
    assert!(lines.windows(2).all(|w| w[0] <= w[1]), "{lines:?}");
    assert!(lines.contains(&3) && lines.contains(&6), "{lines:?} {e:?}");
    // Errors inside blocks recover at the block's end.
    let e = errs("func f() {\n  a := (\n}\nfunc g() {\n  b := ]\n}\n");
    assert_eq!(e.len(), 2, "{e:?}");
    // Errors in a lexed-bad token do not cascade.
    let e = errs("a := 1 @ 2\nb := 3 $ 4\n");
    assert_eq!(e.len(), 2, "{e:?}");
    // The cap.
    let many = "x := )\n".repeat(100);
    assert_eq!(errs(&many).len(), MAX_ERRORS);
}

#[test]
fn unterminated_string_does_not_cascade() {
    let e = errs("func f() {\n  x := \"abc\n}\n");
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].message, "unterminated string");
}

fn deep_err(src: &str) -> String {
    let e = errs(src);
    assert_eq!(e.len(), 1, "{e:?}");
    e[0].message.clone()
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let n = 100_000;
    for open in ["(", "[", "{", "!", "-", "f(", "\"${", "if x {", "func() {"] {
        let src = open.repeat(n);
        let msg = deep_err(&src);
        assert!(msg.contains("too deep"), "{open}: {msg}");
    }
    let chain = format!("x := 1{}", " + 1".repeat(n));
    assert!(deep_err(&chain).contains("nested too deeply"));
    let chain = format!("x := a{}", ".b".repeat(n));
    assert!(deep_err(&chain).contains("nested too deeply"));
    let chain = format!("x := f{}", "(1)".repeat(n));
    assert!(deep_err(&chain).contains("nested too deeply"));
    let chain = format!("x := [1]{}", "? ".repeat(n));
    assert!(deep_err(&chain).contains("nested too deeply"));
    let chain = format!("if a {{ }}{}", " else if a { }".repeat(n));
    assert!(deep_err(&chain).contains("too deep"));
    let pat = format!("match x {{ case {}", "Some(".repeat(n));
    assert!(deep_err(&pat).contains("too deep"));
    let pat = format!("let {} := x", "[".repeat(n));
    assert!(deep_err(&pat).contains("too deep"));
    let ty = format!("let x: {} := 1", "[".repeat(n));
    assert!(deep_err(&ty).contains("too deep"));
}

#[test]
fn moderate_nesting_parses() {
    // Well inside the limits, even on a small thread stack.
    let run = || {
        let n = 120;
        parse_ok(&format!("x := {}1{}", "(".repeat(n), ")".repeat(n)));
        parse_ok(&format!("x := {}1{}", "[".repeat(n), "]".repeat(n)));
        parse_ok(&format!("{}{}", "{".repeat(n), "}".repeat(n)));
        parse_ok(&format!("x := {}1", "-".repeat(n)));
        parse_ok(&format!("{}{}", "if x {".repeat(n), "}".repeat(n)));
        parse_ok(&format!(
            "x := {}{}",
            "func() {".repeat(n / 2),
            "}".repeat(n / 2)
        ));
        parse_ok(&format!("x := {}1{}", "f(".repeat(n), ")".repeat(n)));
        parse_ok(&format!("x := {}1{}", "\"${".repeat(n), "}\"".repeat(n)));
        parse_ok(&format!("x := 1{}", " + 1".repeat(200)));
        parse_ok(&format!("if a {{ }}{}", " else if a { }".repeat(200)));
    };
    on_small_stack(run);
}

#[test]
fn max_nesting_fits_in_a_small_stack() {
    // Right at the limit, in the worst shapes, on a 1 MiB stack (half the default for threads).
    let run = || {
        for open in ["(", "[", "{", "-", "f(", "if x {", "func() {", "\"${"] {
            for n in [200, 300] {
                let _ = parse(&open.repeat(n), FileId(0));
            }
        }
        let mixed = "([{(f(-!\"${".repeat(40);
        let _ = parse(&mixed, FileId(0));
    };
    on_small_stack(run);
}

const PROGRAM: &str = r#"
# A small but complete program.
import math
from util import helper, other
struct Point {
    x: int, y: int
    func dist(self) { return sqrt(self.x * self.x + self.y * self.y) }
}
enum Shape { Circle(r), Square(s), Empty }
func area(s) {
    match s {
        case Shape::Circle(r): { return 3.14 * r * r }
        case Shape::Square(x): { return x * x }
        default: { return 0 }
    }
}
let [a, b, ...rest] := [1, 2, 3, 4]
mut total := 0
for i in range(10) {
    if i % 2 == 0 { continue } else if i > 7 { break }
    total += i
}
p := Point { x: 3, y: 4 }
p.x := p.x + 1
d := {"k": [1, 2], ...{"z": null}}
d["k"][0] := -1
msg := "total=${total} p=${p.dist()} nested=${ {"a": "}"}["a"] }"
try { throw("bad") } except err { print(err.message) }
r := Ok(5)?
v := x ?? 0 |> to_string
/* block
   comment */ loop { break }
export func f(a, b) { return func(c) { return a + b + c } }
"#;

#[test]
fn real_program_parses() {
    let p = parse_ok(PROGRAM);
    assert_eq!(p.stmts.len(), 18);
}

#[test]
fn every_prefix_and_suffix_never_panics() {
    for (i, _) in PROGRAM.char_indices() {
        let _ = parse(&PROGRAM[..i], FileId(0));
        let _ = parse(&PROGRAM[i..], FileId(0));
    }
}

#[test]
fn garbage_never_panics() {
    let nasty = [
        "",
        " ",
        "\0",
        "$",
        "${",
        "\"${",
        "\"${}\"",
        "}",
        "{",
        ")",
        "(",
        "]",
        "[",
        "::",
        ":::",
        "...",
        "?",
        "??",
        "|>",
        "->",
        "=>",
        "a.",
        "a.1",
        "1.",
        "-",
        "!",
        "match",
        "match x",
        "match x {",
        "match x { case",
        "match x { case (",
        "match x { case -",
        "case",
        "default",
        "struct",
        "struct S {",
        "struct S { func",
        "enum",
        "enum E { A(",
        "try",
        "try {} except",
        "import",
        "import a/",
        "from",
        "from m import",
        "export",
        "let",
        "let [",
        "let {",
        "let x:",
        "let x: Map<",
        "func",
        "func(",
        "func f(",
        "func f(a:",
        "func f() ->",
        "return",
        "if",
        "if (",
        "for",
        "for x",
        "for x in",
        "while",
        "loop",
        "x :=",
        "a[",
        "a(",
        "P {",
        "P { x:",
        "P { x: 1",
        "\"\\",
        "\"\\u{",
        "/*",
        "0x",
        "99999999999999999999",
        "é",
        "🦀",
        "\u{feff}",
        "x := \"a\" \"b\"",
        "else",
        "except",
        "in",
        "as",
        "break continue",
        "{{{{}}}}}}}}",
        "))))((((",
        "[[[[",
        "\"${\"${\"${\"",
        "a = = b",
        "a := := b",
        "return return return",
        "if a { } else",
        "if a { } else if",
        "x?.y?.z",
        "-9223372036854775808",
        "- 9223372036854775808",
        "match x { case -9223372036854775808: {} }",
        "match x { case 9223372036854775808: {} }",
        "f(...x)",
        "Some(",
        "None(",
        "A::",
        "A::1",
        "\n\n\n;;;\n",
        "x := {\n",
        "x := [\n1,\n2\n",
        "// c\n/* c */ # c",
    ];
    for src in nasty {
        let r = std::panic::catch_unwind(|| parse(src, FileId(0)));
        assert!(r.is_ok(), "panicked on {src:?}");
    }
    // Every prefix of every nasty string too, and all pairs.
    each_pair(&nasty, |s| {
        let _ = parse(s, FileId(0));
    });
}

#[test]
fn diagnostics_render() {
    let src = "x := 1\nif (x > 1 {\n  print(x)\n}\n";
    let e = errs(src);
    let mut sm = SourceMap::new();
    let f = sm.add("p.ruff", src);
    assert_eq!(f, FileId(0));
    let text = e[0].render(&sm);
    assert!(text.contains("--> p.ruff:2:11"), "{text}");
    assert!(
        text.contains("expected ')' to close '(' but found '{'"),
        "{text}"
    );
}
/// Every `.ruff` program in the repository parses, except the deliberate syntax-error tests
/// (`err_syntax_*`), which must fail cleanly.
#[test]
fn repository_programs_parse() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    for dir in [
        "tests/programs/ruff",
        "bench",
        "examples",
        "crates/tandem/src",
    ] {
        let rd =
            std::fs::read_dir(root.join(dir)).unwrap_or_else(|e| panic!("cannot list {dir}: {e}"));
        for e in rd.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "ruff") {
                files.push(p);
            }
        }
    }
    // The conformance programs alone are in the hundreds.
    assert!(files.len() > 100, "only {} .ruff files found", files.len());
    let mut failures = String::new();
    for p in &files {
        let src = match std::fs::read_to_string(p) {
            Ok(src) => src,
            Err(e) => {
                failures.push_str(&format!("{}: cannot read: {e}\n", p.display()));
                continue;
            }
        };
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        let result = parse(&src, FileId(0));
        match (name.starts_with("err_syntax"), result) {
            (false, Err(e)) => failures.push_str(&render(&p.display().to_string(), &src, &e)),
            (true, Ok(_)) => failures.push_str(&format!("{name} should not parse\n")),
            _ => {}
        }
    }
    assert!(failures.is_empty(), "{failures}");
}

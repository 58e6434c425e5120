//! Serde conversions (`to_value`, `from_value`, `eval` into a `Deserialize` type) in both
//! dialects, and host types: a Rust struct registered as a script type with methods and
//! fields, used from Ruff and from Scheme.

mod common;

use by_hand::{element, set, skip, take, Field, Variant};
use common::{captured, engine};
use serde::de::{Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor};
use serde::ser::{SerializeStruct, SerializeStructVariant, SerializeTupleVariant, Serializer};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use tandem::{Dialect, Error, HostType, Serde, Value};

// The serde impls of this file's types are at its end, written out as
// `#[derive(Serialize, Deserialize)]` writes them (the workspace builds no proc-macro crates).

#[derive(Debug, Clone, PartialEq)]
struct Point {
    x: f64,
    y: f64,
}

impl HostType for Point {}

#[derive(Debug, Clone, PartialEq)]
enum Shape {
    Empty,
    Circle(f64),
    Rect { w: f64, h: f64 },
    Segment(Point, Point),
}

#[derive(Debug, Clone, PartialEq)]
struct Scene {
    name: String,
    tags: Vec<String>,
    origin: Option<Point>,
    shapes: Vec<Shape>,
    weights: BTreeMap<String, i64>,
    visible: bool,
    id: u32,
    note: Option<String>,
}

fn scene() -> Scene {
    Scene {
        name: "demo".into(),
        tags: vec!["a".into(), "b".into()],
        origin: Some(Point { x: 1.0, y: -2.5 }),
        shapes: vec![
            Shape::Empty,
            Shape::Circle(2.0),
            Shape::Rect { w: 3.0, h: 4.0 },
            Shape::Segment(Point { x: 0.0, y: 0.0 }, Point { x: 1.0, y: 1.0 }),
        ],
        weights: [("k".to_string(), 7), ("m".to_string(), -1)].into(),
        visible: true,
        id: 42,
        note: None,
    }
}

#[test]
fn serde_values_round_trip_through_rust() {
    let (mut engine, _out) = engine();
    let s = scene();
    let v = engine.to_value(&s).unwrap();
    let back: Scene = engine.from_value(v).unwrap();
    assert_eq!(back, s);
    // Plain types too.
    let v = engine.to_value(&vec![Some(1u8), None]).unwrap();
    assert_eq!(engine.display(v), "[1, null]");
    let back: Vec<Option<u8>> = engine.from_value(v).unwrap();
    assert_eq!(back, vec![Some(1), None]);
    let v = engine.to_value(&HashMap::from([(3i64, "three")])).unwrap();
    assert_eq!(engine.display(v), "{\"3\": three}");
    let back: HashMap<i64, String> = engine.from_value(v).unwrap();
    assert_eq!(back[&3], "three");
}

#[test]
fn ruff_sees_dicts_arrays_strings_and_numbers() {
    let (mut engine, out) = engine();
    engine.register_fn("scene", || Serde(scene()));
    engine
        .run_source(
            "r.ruff",
            "s := scene()\n\
             print(s.name, s.tags, s.origin.y, s.shapes[0], s.shapes[1].Circle)\n\
             print(s.shapes[2].Rect.w * s.shapes[2].Rect.h, s.weights[\"k\"], s.visible, s.note)\n\
             print(type(s), type(s.tags), type(s.id))",
        )
        .unwrap();
    assert_eq!(
        captured(&out),
        "demo [a, b] -2.5 Empty 2\n12 7 true null\ndict array int\n"
    );
    // And a dict built in Ruff reads back into the struct.
    let back: Scene = engine
        .eval(
            Dialect::Ruff,
            "d := {\"name\": \"r\", \"tags\": [], \"origin\": null, \
              \"shapes\": [\"Empty\", {\"Circle\": 1}, {\"Rect\": {\"w\": 1, \"h\": 2.5}}], \
              \"weights\": {}, \"visible\": false, \"id\": 7}\nd",
        )
        .unwrap();
    assert_eq!(back.shapes[1], Shape::Circle(1.0));
    assert_eq!(back.shapes[2], Shape::Rect { w: 1.0, h: 2.5 });
    assert_eq!(back.note, None, "a missing Option field is None");
    assert_eq!(back.id, 7);
    // A Ruff struct instance reads as a struct, a Ruff enum variant as an enum.
    let p: Point = engine
        .eval(Dialect::Ruff, "struct P { x, y }\nP { x: 3, y: 4 }")
        .unwrap();
    assert_eq!(p, Point { x: 3.0, y: 4.0 });
    let sh: Vec<Shape> = engine
        .eval(
            Dialect::Ruff,
            "enum S { Empty, Circle(r) }\n[S::Empty, S::Circle(2)]",
        )
        .unwrap();
    assert_eq!(sh, vec![Shape::Empty, Shape::Circle(2.0)]);
}

#[test]
fn scheme_sees_hash_tables_vectors_and_lists() {
    let (mut engine, out) = engine();
    engine.register_fn("scene", || Serde(scene()));
    engine
        .run_source(
            "s.scm",
            "(define s (scene))\n\
             (display (hash-table-ref/default s \"name\" #f))\n\
             (display (vector-ref (hash-table-ref/default s \"tags\" #f) 1))\n\
             (display (hash-table-ref/default (hash-table-ref/default s \"origin\" #f) \"x\" #f))\n\
             (display (vector-length (hash-table-ref/default s \"shapes\" #f)))\n\
             (display (null? (hash-table-ref/default s \"note\" 0)))",
        )
        .unwrap();
    assert_eq!(captured(&out), "demob1.04#t");
    // Association lists, lists, vectors and symbols read back into Rust data.
    let back: Scene = engine
        .eval(
            Dialect::Scheme,
            "`((name . \"from scheme\") (tags \"x\" \"y\") (origin (x . 1) (y . 2)) \
               (shapes Empty (Circle 2.5) (Rect (w . 1) (h . 2)) \"Empty\") \
               (weights (a . 1)) (visible . #t) (id . 3) (note . \"n\"))",
        )
        .unwrap();
    assert_eq!(back.name, "from scheme");
    assert_eq!(back.tags, ["x", "y"]);
    assert_eq!(back.origin, Some(Point { x: 1.0, y: 2.0 }));
    assert_eq!(
        back.shapes,
        vec![
            Shape::Empty,
            Shape::Circle(2.5),
            Shape::Rect { w: 1.0, h: 2.0 },
            Shape::Empty
        ]
    );
    assert_eq!(back.weights["a"], 1);
    assert_eq!(back.note.as_deref(), Some("n"));
    // The same struct, made in Rust, goes through Scheme code and back unchanged.
    engine
        .run_source(
            "id.scm",
            "(define (same x) x)\n(define (tags s) (hash-table-ref/default s \"tags\" #f))",
        )
        .unwrap();
    let same: Scene = engine.call_fn("same", (Serde(scene()),)).unwrap();
    assert_eq!(same, scene());
    let tags: Vec<String> = engine.call_fn("tags", (Serde(scene()),)).unwrap();
    assert_eq!(tags, ["a", "b"]);
    // A record reads as a struct.
    let p: Point = engine
        .eval(
            Dialect::Scheme,
            "(define-record-type point (make-pt x y) pt? (x pt-x) (y pt-y))\n(make-pt 1 2)",
        )
        .unwrap();
    assert_eq!(p, Point { x: 1.0, y: 2.0 });
}

#[test]
fn conversion_errors_say_what_and_where() {
    let (mut engine, _out) = engine();
    let e = engine
        .eval::<Scene, _>(
            Dialect::Ruff,
            "d := {\"name\": \"r\", \"tags\": [\"ok\", 5], \"shapes\": [], \"weights\": {}, \"visible\": true, \"id\": 1}\nd",
        )
        .unwrap_err();
    assert!(matches!(e, Error::Host(_)));
    assert_eq!(
        e.to_string(),
        "eval: the result: expected string, got int (at .tags[1])"
    );
    let e = engine
        .eval::<Point, _>(Dialect::Ruff, "d := {\"x\": 1}\nd")
        .unwrap_err();
    assert_eq!(e.to_string(), "eval: the result: missing field `y`");
    let e = engine.eval::<u8, _>(Dialect::Ruff, "300").unwrap_err();
    assert!(e.to_string().contains("300"), "{e}");
    let e = engine
        .eval::<Vec<i64>, _>(Dialect::Scheme, "'(1 . 2)")
        .unwrap_err();
    assert!(e.to_string().contains("proper list"), "{e}");
    let e = engine
        .eval::<Shape, _>(Dialect::Ruff, "d := {\"Circle\": 1, \"Rect\": 2}\nd")
        .unwrap_err();
    assert!(e.to_string().contains("one entry"), "{e}");
    let e = engine
        .eval::<Point, _>(Dialect::Ruff, "func(x) { return x }")
        .unwrap_err();
    assert!(e.to_string().contains("function"), "{e}");
    // Rust values that do not fit.
    let e = engine.to_value(&u64::MAX).unwrap_err();
    assert!(e.to_string().starts_with("to_value: the integer"), "{e}");
    let e = engine.to_value(&HashMap::from([(vec![1], 2)])).unwrap_err();
    assert!(e.to_string().contains("map key"), "{e}");
}

#[test]
fn deep_and_circular_data_is_an_error_not_a_crash() {
    let (mut engine, _out) = engine();
    let e = engine
        .eval::<serde_value_like::Any, _>(
            Dialect::Ruff,
            "a := []\nb := a\nfor i in range(100000) { c := [] \n push(b, c)\n b = c }\na",
        )
        .unwrap_err();
    assert!(e.to_string().contains("nests more than 128 levels"), "{e}");
    let e = engine
        .eval::<serde_value_like::Any, _>(Dialect::Ruff, "a := [1]\npush(a, a)\na")
        .unwrap_err();
    assert!(e.to_string().contains("contains itself"), "{e}");
    let e = engine
        .eval::<Vec<i64>, _>(
            Dialect::Scheme,
            "(define l (list 1 2))\n(set-cdr! (cdr l) l)\nl",
        )
        .unwrap_err();
    assert!(e.to_string().contains("circular"), "{e}");
    // A cycle that starts further in, through a host function's argument.
    engine.register_fn("total", |xs: Vec<i64>| xs.iter().sum::<i64>());
    let e = engine
        .eval::<i64, _>(
            Dialect::Scheme,
            "(define l (list 0 1 2 3))\n(set-cdr! (cdddr l) (cdr l))\n(total l)",
        )
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "total: argument 1: expected a list, got a circular one"
    );
}

/// A type that reads any value, as a JSON value type would (serde's `deserialize_any`).
mod serde_value_like {
    use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

    #[derive(Debug)]
    pub struct Any;

    impl<'de> Deserialize<'de> for Any {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Any, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Any;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("anything")
                }
                fn visit_i64<E>(self, _: i64) -> Result<Any, E> {
                    Ok(Any)
                }
                fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Any, A::Error> {
                    while s.next_element::<Any>()?.is_some() {}
                    Ok(Any)
                }
                fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Any, A::Error> {
                    while m.next_entry::<IgnoredAny, Any>()?.is_some() {}
                    Ok(Any)
                }
            }
            d.deserialize_any(V)
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Counter {
    name: String,
    count: i64,
    step: i64,
}

impl HostType for Counter {}

fn counter_engine() -> (tandem::Engine, common::Buf) {
    let (mut engine, out) = engine();
    engine
        .register_type::<Point>()
        .unwrap()
        .method("norm", |p: &Point| (p.x * p.x + p.y * p.y).sqrt())
        .method("scale", |p: &mut Point, k: f64| {
            p.x *= k;
            p.y *= k;
        })
        .method("plus", |p: &Point, q: Point| Point {
            x: p.x + q.x,
            y: p.y + q.y,
        });
    engine
        .register_type::<Counter>()
        .unwrap()
        .method("bump", |c: &mut Counter, times: Option<i64>| {
            c.count += c.step * times.unwrap_or(1);
            c.count
        })
        .method("label", |c: &Counter, prefix: &str| {
            format!("{prefix}{}={}", c.name, c.count)
        });
    engine.register_fn("origin", || Point { x: 0.0, y: 0.0 });
    engine.register_fn("dist", |a: Point, b: Point| {
        ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt()
    });
    (engine, out)
}

#[test]
fn host_types_from_ruff() {
    let (mut engine, out) = counter_engine();
    engine
        .run_source(
            "h.ruff",
            "p := Point { x: 3.0, y: 4.0 }\n\
             print(p.norm(), p.x, type(p))\n\
             p.scale(2)\n\
             print(p.x, p.y)\n\
             p.x := 0.5\n\
             print(p.plus(Point { x: 1, y: 1 }).x)\n\
             o := origin()\n\
             print(dist(o, Point { x: 6, y: 8 }), o.norm())\n\
             c := Counter { name: \"hits\", count: 0, step: 5 }\n\
             c.bump()\n\
             print(c.bump(3), c.count, c.label(\"#\"))",
        )
        .unwrap();
    assert_eq!(
        captured(&out),
        "5 3 struct\n6 8\n1.5\n10 0\n20 20 #hits=20\n"
    );
    // A Point made by the script comes back as a Point.
    let p: Point = engine
        .eval(Dialect::Ruff, "q := Point { x: 1, y: 2 }\nq.scale(3)\nq")
        .unwrap();
    assert_eq!(p, Point { x: 3.0, y: 6.0 });
}

#[test]
fn host_types_from_scheme() {
    let (mut engine, out) = counter_engine();
    engine
        .run_source(
            "h.scm",
            "(define p (make-point 3 4))\n\
             (display (list (point-norm p) (point? p) (point? 5) (point-x p)))\n\
             (point-scale p 2)\n\
             (point-y-set! p 0.5)\n\
             (display (list (point-x p) (point-y p)))\n\
             (define c (make-counter \"n\" 1 10))\n\
             (counter-bump c)\n\
             (display (list (counter-count c) (counter-label c \"@\") (dist (origin) (make-point 0 2))))",
        )
        .unwrap();
    assert_eq!(captured(&out), "(5.0 #t #f 3.0)(6.0 0.5)(11 @n=11 2.0)");
    let c: Counter = engine
        .eval(
            Dialect::Scheme,
            "(define c (make-counter \"z\" 0 2))\n(counter-bump c 4)\nc",
        )
        .unwrap();
    assert_eq!(c.count, 8);
}

#[test]
fn host_type_misuse_is_a_script_error() {
    let (mut engine, _out) = counter_engine();
    let cases = [
        (
            Dialect::Ruff,
            "p := Point { x: \"a\", y: 1 }\np.norm()",
            "Point.norm: the Point it was called on: expected float, got string (at .x)",
        ),
        (
            Dialect::Ruff,
            "p := Point { x: 1 }\np.norm()",
            "Point.norm: the Point it was called on: expected float, got null (at .y)",
        ),
        (
            Dialect::Ruff,
            "p := Point { x: 1, y: 1 }\np.scale()",
            "Point.scale expects 1 argument, got 0",
        ),
        (
            Dialect::Ruff,
            "p := Point { x: 1, y: 1 }\np.scale(\"x\")",
            "Point.scale: argument 2: expected float, got string",
        ),
        (
            Dialect::Ruff,
            "p := Point { x: 1, y: 1 }\np.nope()",
            "Struct Point has no method 'nope'",
        ),
        (
            Dialect::Scheme,
            "(point-norm 5)",
            "point-norm: expected a Point to call it on, got int",
        ),
        (
            Dialect::Scheme,
            "(point-x '())",
            "point-x: expected a Point, got null",
        ),
        (
            Dialect::Scheme,
            "(make-point 1)",
            "make-point expects 2 arguments, got 1",
        ),
        (
            Dialect::Scheme,
            "(make-point 1 \"y\")",
            "make-point: expected float, got string (at .y)",
        ),
        (
            Dialect::Scheme,
            "(point-scale (make-point 1 1))",
            "point-scale expects 2 arguments, got 1",
        ),
        (
            Dialect::Scheme,
            "(counter-bump (make-counter \"n\" 0 1) 1 2)",
            "counter-bump expects 1 to 2 arguments, got 3",
        ),
    ];
    for (d, src, want) in cases {
        let e = engine.eval::<Value, _>(d, src).unwrap_err();
        assert_eq!(e.to_string(), want, "{src}");
    }
    // Not a struct.
    let e = engine.register_type::<Wrapper>().err().unwrap();
    assert!(
        e.to_string().contains("not a struct with named fields"),
        "{e}"
    );
    // The engine is fine afterwards.
    let n: f64 = engine
        .eval(Dialect::Ruff, "Point { x: 0, y: 2 }.norm()")
        .unwrap();
    assert_eq!(n, 2.0);
}

struct Wrapper(i64);

impl HostType for Wrapper {}

// The serde impls of the types above, as `#[derive(Serialize, Deserialize)]` writes them.
// The workspace builds no proc-macro crates (the binary is linked statically:
// docs/ARCHITECTURE.md), serde's derive among them. What matters to the tests is what the
// impls ask of tandem's serializer and deserializer, and that is the derive's: a struct
// with named fields goes through `serialize_struct` and `deserialize_struct` with its name
// and field list (which `register_type` probes), and reads from a map (unknown fields
// ignored, a missing `Option` field `None`) or a sequence; `Shape` goes through
// `serialize_*_variant` and `deserialize_enum`; `Wrapper` is a newtype struct, which
// `register_type` refuses.

/// What the derived `Deserialize` impls share (serde's derive generates it for each type).
mod by_hand {
    use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess};
    use serde::de::{Unexpected, Visitor};
    use serde::Deserialize;
    use std::fmt;
    use std::marker::PhantomData;

    /// A struct's field name as the derive reads it (`deserialize_identifier`: the name,
    /// its bytes, or its index), given back as the entry of the field list; `None` for a
    /// field not in it (its value is skipped).
    pub struct Field(pub &'static [&'static str]);

    impl<'de> DeserializeSeed<'de> for Field {
        type Value = Option<&'static str>;

        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_identifier(self)
        }
    }

    impl<'de> Visitor<'de> for Field {
        type Value = Option<&'static str>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("field identifier")
        }

        fn visit_u64<E: de::Error>(self, i: u64) -> Result<Self::Value, E> {
            Ok(usize::try_from(i).ok().and_then(|i| self.0.get(i).copied()))
        }

        fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
            Ok(self.0.iter().copied().find(|name| *name == s))
        }

        fn visit_bytes<E: de::Error>(self, b: &[u8]) -> Result<Self::Value, E> {
            Ok(self.0.iter().copied().find(|name| name.as_bytes() == b))
        }
    }

    /// An enum's variant name, read as a field name is, given back as the entry of the
    /// variant list; a variant not in it is an error.
    pub struct Variant(pub &'static [&'static str]);

    impl<'de> DeserializeSeed<'de> for Variant {
        type Value = &'static str;

        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_identifier(self)
        }
    }

    impl<'de> Visitor<'de> for Variant {
        type Value = &'static str;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("variant identifier")
        }

        fn visit_u64<E: de::Error>(self, i: u64) -> Result<Self::Value, E> {
            match usize::try_from(i).ok().and_then(|i| self.0.get(i)) {
                Some(name) => Ok(name),
                None => Err(E::invalid_value(
                    Unexpected::Unsigned(i),
                    &format!("variant index 0 <= i < {}", self.0.len()).as_str(),
                )),
            }
        }

        fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
            match self.0.iter().find(|name| **name == s) {
                Some(name) => Ok(name),
                None => Err(E::unknown_variant(s, self.0)),
            }
        }

        fn visit_bytes<E: de::Error>(self, b: &[u8]) -> Result<Self::Value, E> {
            match self.0.iter().find(|name| name.as_bytes() == b) {
                Some(name) => Ok(name),
                None => Err(E::unknown_variant(&String::from_utf8_lossy(b), self.0)),
            }
        }
    }

    /// Store a field's value read from a map; a field given twice is an error.
    pub fn set<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
        map: &mut A,
        slot: &mut Option<T>,
        name: &'static str,
    ) -> Result<(), A::Error> {
        if slot.is_some() {
            return Err(de::Error::duplicate_field(name));
        }
        *slot = Some(map.next_value()?);
        Ok(())
    }

    /// Skip the value of a field the struct does not have.
    pub fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
        map.next_value::<IgnoredAny>().map(drop)
    }

    /// A field's value; for a field the map did not give, what the derive's `missing_field`
    /// makes of it: `None` for an `Option`, otherwise a `missing field` error.
    pub fn take<'de, T: Deserialize<'de>, E: de::Error>(
        slot: Option<T>,
        name: &'static str,
    ) -> Result<T, E> {
        match slot {
            Some(value) => Ok(value),
            None => T::deserialize(Missing(name, PhantomData)),
        }
    }

    /// The next element of a struct or variant read from a sequence; too few is an error.
    pub fn element<'de, A: SeqAccess<'de>, T: Deserialize<'de>>(
        seq: &mut A,
        index: usize,
        expected: &'static str,
    ) -> Result<T, A::Error> {
        seq.next_element()?
            .ok_or_else(|| de::Error::invalid_length(index, &expected))
    }

    /// The deserializer of a missing field: `None` to an `Option`, an error to anything else.
    struct Missing<E>(&'static str, PhantomData<E>);

    impl<'de, E: de::Error> Deserializer<'de> for Missing<E> {
        type Error = E;

        fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, E> {
            Err(E::missing_field(self.0))
        }

        fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
            visitor.visit_none()
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
            identifier ignored_any
        }
    }
}

impl Serialize for Point {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Point", 2)?;
        st.serialize_field("x", &self.x)?;
        st.serialize_field("y", &self.y)?;
        st.end()
    }
}

impl<'de> Deserialize<'de> for Point {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Point, D::Error> {
        const FIELDS: &[&str] = &["x", "y"];
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Point;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("struct Point")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Point, A::Error> {
                const LEN: &str = "struct Point with 2 elements";
                let x = element(&mut seq, 0, LEN)?;
                let y = element(&mut seq, 1, LEN)?;
                Ok(Point { x, y })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Point, A::Error> {
                let (mut x, mut y) = (None, None);
                while let Some(field) = map.next_key_seed(Field(FIELDS))? {
                    match field {
                        Some("x") => set(&mut map, &mut x, "x")?,
                        Some("y") => set(&mut map, &mut y, "y")?,
                        _ => skip(&mut map)?,
                    }
                }
                Ok(Point {
                    x: take(x, "x")?,
                    y: take(y, "y")?,
                })
            }
        }
        d.deserialize_struct("Point", FIELDS, V)
    }
}

impl Serialize for Shape {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Shape::Empty => s.serialize_unit_variant("Shape", 0, "Empty"),
            Shape::Circle(r) => s.serialize_newtype_variant("Shape", 1, "Circle", r),
            Shape::Rect { w, h } => {
                let mut st = s.serialize_struct_variant("Shape", 2, "Rect", 2)?;
                st.serialize_field("w", w)?;
                st.serialize_field("h", h)?;
                st.end()
            }
            Shape::Segment(a, b) => {
                let mut st = s.serialize_tuple_variant("Shape", 3, "Segment", 2)?;
                st.serialize_field(a)?;
                st.serialize_field(b)?;
                st.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Shape {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Shape, D::Error> {
        const VARIANTS: &[&str] = &["Empty", "Circle", "Rect", "Segment"];
        const RECT_FIELDS: &[&str] = &["w", "h"];
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Shape;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("enum Shape")
            }
            fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Shape, A::Error> {
                let (variant, access) = data.variant_seed(Variant(VARIANTS))?;
                match variant {
                    "Empty" => access.unit_variant().map(|()| Shape::Empty),
                    "Circle" => access.newtype_variant().map(Shape::Circle),
                    "Rect" => access.struct_variant(RECT_FIELDS, Rect),
                    "Segment" => access.tuple_variant(2, Segment),
                    _ => unreachable!("Variant gives one of VARIANTS"),
                }
            }
        }
        struct Rect;
        impl<'de> Visitor<'de> for Rect {
            type Value = Shape;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("struct variant Shape::Rect")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Shape, A::Error> {
                const LEN: &str = "struct variant Shape::Rect with 2 elements";
                let w = element(&mut seq, 0, LEN)?;
                let h = element(&mut seq, 1, LEN)?;
                Ok(Shape::Rect { w, h })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shape, A::Error> {
                let (mut w, mut h) = (None, None);
                while let Some(field) = map.next_key_seed(Field(RECT_FIELDS))? {
                    match field {
                        Some("w") => set(&mut map, &mut w, "w")?,
                        Some("h") => set(&mut map, &mut h, "h")?,
                        _ => skip(&mut map)?,
                    }
                }
                Ok(Shape::Rect {
                    w: take(w, "w")?,
                    h: take(h, "h")?,
                })
            }
        }
        struct Segment;
        impl<'de> Visitor<'de> for Segment {
            type Value = Shape;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("tuple variant Shape::Segment")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Shape, A::Error> {
                const LEN: &str = "tuple variant Shape::Segment with 2 elements";
                let a = element(&mut seq, 0, LEN)?;
                let b = element(&mut seq, 1, LEN)?;
                Ok(Shape::Segment(a, b))
            }
        }
        d.deserialize_enum("Shape", VARIANTS, V)
    }
}

impl Serialize for Scene {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Scene", 8)?;
        st.serialize_field("name", &self.name)?;
        st.serialize_field("tags", &self.tags)?;
        st.serialize_field("origin", &self.origin)?;
        st.serialize_field("shapes", &self.shapes)?;
        st.serialize_field("weights", &self.weights)?;
        st.serialize_field("visible", &self.visible)?;
        st.serialize_field("id", &self.id)?;
        st.serialize_field("note", &self.note)?;
        st.end()
    }
}

impl<'de> Deserialize<'de> for Scene {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Scene, D::Error> {
        const FIELDS: &[&str] = &[
            "name", "tags", "origin", "shapes", "weights", "visible", "id", "note",
        ];
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scene;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("struct Scene")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scene, A::Error> {
                const LEN: &str = "struct Scene with 8 elements";
                Ok(Scene {
                    name: element(&mut seq, 0, LEN)?,
                    tags: element(&mut seq, 1, LEN)?,
                    origin: element(&mut seq, 2, LEN)?,
                    shapes: element(&mut seq, 3, LEN)?,
                    weights: element(&mut seq, 4, LEN)?,
                    visible: element(&mut seq, 5, LEN)?,
                    id: element(&mut seq, 6, LEN)?,
                    note: element(&mut seq, 7, LEN)?,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scene, A::Error> {
                let (mut name, mut tags, mut origin, mut shapes) = (None, None, None, None);
                let (mut weights, mut visible, mut id, mut note) = (None, None, None, None);
                while let Some(field) = map.next_key_seed(Field(FIELDS))? {
                    match field {
                        Some("name") => set(&mut map, &mut name, "name")?,
                        Some("tags") => set(&mut map, &mut tags, "tags")?,
                        Some("origin") => set(&mut map, &mut origin, "origin")?,
                        Some("shapes") => set(&mut map, &mut shapes, "shapes")?,
                        Some("weights") => set(&mut map, &mut weights, "weights")?,
                        Some("visible") => set(&mut map, &mut visible, "visible")?,
                        Some("id") => set(&mut map, &mut id, "id")?,
                        Some("note") => set(&mut map, &mut note, "note")?,
                        _ => skip(&mut map)?,
                    }
                }
                Ok(Scene {
                    name: take(name, "name")?,
                    tags: take(tags, "tags")?,
                    origin: take(origin, "origin")?,
                    shapes: take(shapes, "shapes")?,
                    weights: take(weights, "weights")?,
                    visible: take(visible, "visible")?,
                    id: take(id, "id")?,
                    note: take(note, "note")?,
                })
            }
        }
        d.deserialize_struct("Scene", FIELDS, V)
    }
}

impl Serialize for Counter {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Counter", 3)?;
        st.serialize_field("name", &self.name)?;
        st.serialize_field("count", &self.count)?;
        st.serialize_field("step", &self.step)?;
        st.end()
    }
}

impl<'de> Deserialize<'de> for Counter {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Counter, D::Error> {
        const FIELDS: &[&str] = &["name", "count", "step"];
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Counter;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("struct Counter")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Counter, A::Error> {
                const LEN: &str = "struct Counter with 3 elements";
                let name = element(&mut seq, 0, LEN)?;
                let count = element(&mut seq, 1, LEN)?;
                let step = element(&mut seq, 2, LEN)?;
                Ok(Counter { name, count, step })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Counter, A::Error> {
                let (mut name, mut count, mut step) = (None, None, None);
                while let Some(field) = map.next_key_seed(Field(FIELDS))? {
                    match field {
                        Some("name") => set(&mut map, &mut name, "name")?,
                        Some("count") => set(&mut map, &mut count, "count")?,
                        Some("step") => set(&mut map, &mut step, "step")?,
                        _ => skip(&mut map)?,
                    }
                }
                Ok(Counter {
                    name: take(name, "name")?,
                    count: take(count, "count")?,
                    step: take(step, "step")?,
                })
            }
        }
        d.deserialize_struct("Counter", FIELDS, V)
    }
}

impl Serialize for Wrapper {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_newtype_struct("Wrapper", &self.0)
    }
}

impl<'de> Deserialize<'de> for Wrapper {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Wrapper, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Wrapper;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("tuple struct Wrapper")
            }
            fn visit_newtype_struct<E: Deserializer<'de>>(self, e: E) -> Result<Wrapper, E::Error> {
                i64::deserialize(e).map(Wrapper)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Wrapper, A::Error> {
                element(&mut seq, 0, "tuple struct Wrapper with 1 element").map(Wrapper)
            }
        }
        d.deserialize_newtype_struct("Wrapper", V)
    }
}

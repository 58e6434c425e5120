//! The serde impls of `embed.rs`'s types, as `#[derive(Serialize, Deserialize)]` writes them:
//! each struct goes through `serialize_struct` and `deserialize_struct` with its name and
//! field names (which `register_type` reads), and reads from a map (fields it does not
//! have are skipped) or a sequence. A crate of yours derives them instead; this repository
//! builds no proc-macro crates, serde's derive among them (its binary is linked statically).

use super::{MyStruct, Point};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};
use std::fmt;

impl Serialize for MyStruct {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("MyStruct", 3)?;
        st.serialize_field("x", &self.x)?;
        st.serialize_field("y", &self.y)?;
        st.serialize_field("tags", &self.tags)?;
        st.end()
    }
}

impl<'de> Deserialize<'de> for MyStruct {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<MyStruct, D::Error> {
        const FIELDS: &[&str] = &["x", "y", "tags"];
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MyStruct;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("struct MyStruct")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<MyStruct, A::Error> {
                const LEN: &str = "struct MyStruct with 3 elements";
                let x = element(&mut seq, 0, LEN)?;
                let y = element(&mut seq, 1, LEN)?;
                let tags = element(&mut seq, 2, LEN)?;
                Ok(MyStruct { x, y, tags })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<MyStruct, A::Error> {
                let (mut x, mut y, mut tags) = (None, None, None);
                while let Some(field) = map.next_key_seed(Field(FIELDS))? {
                    match field {
                        Some("x") => set(&mut map, &mut x, "x")?,
                        Some("y") => set(&mut map, &mut y, "y")?,
                        Some("tags") => set(&mut map, &mut tags, "tags")?,
                        _ => skip(&mut map)?,
                    }
                }
                Ok(MyStruct {
                    x: take(x, "x")?,
                    y: take(y, "y")?,
                    tags: take(tags, "tags")?,
                })
            }
        }
        d.deserialize_struct("MyStruct", FIELDS, V)
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

/// A field name as the derive reads it (`deserialize_identifier`: the name, its bytes, or
/// its index), given back as the entry of the field list; `None` for a field not in it.
struct Field(&'static [&'static str]);

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

/// Store a field's value read from a map; a field given twice is an error.
fn set<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
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
fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>().map(drop)
}

/// A field's value, or the error for a field the map did not give. (The derive makes a
/// missing `Option` field `None`; these structs have none.)
fn take<T, E: de::Error>(slot: Option<T>, name: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(name))
}

/// The next element of a struct read from a sequence; too few is an error.
fn element<'de, A: SeqAccess<'de>, T: Deserialize<'de>>(
    seq: &mut A,
    index: usize,
    expected: &'static str,
) -> Result<T, A::Error> {
    seq.next_element()?
        .ok_or_else(|| de::Error::invalid_length(index, &expected))
}

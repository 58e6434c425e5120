//! Script values read as serde data: a `Deserializer` over a [`Value`], for
//! [`crate::Engine::from_value`], `eval` and `call_fn` results, and host types.
//!
//! The mapping (documented in `docs/embedding.md`), the same for values made by either
//! dialect:
//! - `null` / `'()` is serde's unit and `None`; `Some(x)` (a Ruff option) is `Some`.
//! - bools, ints and floats are themselves; an int is accepted where a float is wanted,
//!   never the other way round. Integer types check their range.
//! - strings are strings; a Scheme symbol reads as its name, a char as a one-char string.
//! - sequences: arrays (Scheme vectors), proper lists (`'()` is empty), multiple values,
//!   Sets, Queues and Stacks.
//! - maps and structs: dicts (Scheme hash tables, keys as their text), struct instances
//!   (Ruff structs, Scheme records, host types: their fields), association lists
//!   (`((key . value) ...)`, string or symbol keys).
//! - enums: a string or symbol names a unit variant; a one-entry map `{"Variant": payload}`,
//!   a Scheme list `(Variant payload ...)` or a Ruff enum variant `Shape::Circle(2.0)` one
//!   with data.
//!
//! Nesting deeper than [`MAX_DEPTH`] (or a cycle) is an error, not a stack overflow.

use crate::convert::{self, expected, shown_type};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, EnumAccess, IntoDeserializer, MapAccess, SeqAccess,
    VariantAccess, Visitor,
};
use std::fmt;
use tandem_vm::object::Family;
use tandem_vm::{Value, Vm};

/// How deep a value may nest (as serde_json's default recursion limit).
pub const MAX_DEPTH: u32 = 128;

/// Why a value could not be read as the Rust type: the reason, and where in the value.
#[derive(Debug, Clone, PartialEq)]
pub struct DeError {
    message: String,
    /// Innermost last: `.tags`, `[0]`.
    path: Vec<String>,
}

impl DeError {
    fn new(message: impl Into<String>) -> DeError {
        DeError {
            message: message.into(),
            path: Vec::new(),
        }
    }

    /// The same error, one level further out: inside `step`.
    fn at(mut self, step: String) -> DeError {
        self.path.insert(0, step);
        self
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if !self.path.is_empty() {
            write!(f, " (at {})", self.path.concat())?;
        }
        Ok(())
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError::new(msg.to_string())
    }
}

/// Read `v` as a `T`.
pub fn from_value<T: DeserializeOwned>(vm: &Vm, v: Value) -> Result<T, DeError> {
    T::deserialize(ValueDeserializer { vm, v, depth: 0 })
}

/// A deserializer over one value.
#[derive(Clone, Copy)]
pub struct ValueDeserializer<'a> {
    vm: &'a Vm,
    v: Value,
    depth: u32,
}

impl<'a> ValueDeserializer<'a> {
    /// A deserializer for a value inside this one.
    fn inner(&self, v: Value) -> Result<ValueDeserializer<'a>, DeError> {
        if self.depth >= MAX_DEPTH {
            return Err(DeError::new(format!(
                "the value nests more than {MAX_DEPTH} levels deep (or contains itself)"
            )));
        }
        Ok(ValueDeserializer {
            vm: self.vm,
            v,
            depth: self.depth + 1,
        })
    }

    fn seq<V: Visitor<'a>>(self, visitor: V, items: Vec<Value>) -> Result<V::Value, DeError> {
        let mut access = Seq {
            de: self,
            items: items.into_iter(),
            index: 0,
        };
        let out = visitor.visit_seq(&mut access)?;
        let left = access.items.len();
        if left > 0 {
            return Err(DeError::new(format!(
                "expected {} elements, got {}",
                access.index,
                access.index + left
            )));
        }
        Ok(out)
    }

    fn map<V: Visitor<'a>>(
        self,
        visitor: V,
        entries: Vec<(String, Value)>,
    ) -> Result<V::Value, DeError> {
        visitor.visit_map(Map {
            de: self,
            entries: entries.into_iter(),
            value: None,
        })
    }

    /// The entries of a map-like value, or the error for anything else.
    fn entries(&self) -> Result<Vec<(String, Value)>, DeError> {
        match convert::map_entries(self.vm, self.v) {
            Some(r) => r.map_err(DeError::new),
            None => Err(DeError::new(expected("a dict", self.v))),
        }
    }

    fn items(&self) -> Result<Vec<Value>, DeError> {
        match convert::seq_items(self.v) {
            Some(r) => r.map_err(DeError::new),
            None => match self.v {
                Value::Bytes(b) => Ok(b.bytes().iter().map(|&x| Value::Int(x as i64)).collect()),
                v => Err(DeError::new(expected("an array or a list", v))),
            },
        }
    }
}

macro_rules! ints {
    ($($method:ident),*) => {$(
        fn $method<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
            // serde's visitors check the range of the target type.
            visitor.visit_i64(convert::int_of(self.v).map_err(DeError::new)?)
        }
    )*};
}

impl<'a> de::Deserializer<'a> for ValueDeserializer<'a> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.v {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Int(i) => visitor.visit_i64(i),
            Value::Float(f) => visitor.visit_f64(f),
            Value::Str(_) | Value::Symbol(_) => {
                visitor.visit_str(convert::str_of(self.vm, self.v).map_err(DeError::new)?)
            }
            Value::Char(c) => visitor.visit_char(c),
            Value::Bytes(b) => visitor.visit_bytes(b.bytes()),
            Value::Array(_) | Value::Values(_) | Value::Pair(_) | Value::Coll(_) => {
                let items = self.items()?;
                self.seq(visitor, items)
            }
            Value::Dict(_) | Value::Struct(_) => {
                let entries = self.entries()?;
                self.map(visitor, entries)
            }
            Value::Variant(var) => match (&var.family, var.payload.first()) {
                (Family::Option, None) => visitor.visit_none(),
                (Family::Option, Some(&x)) => visitor.visit_some(self.inner(x)?),
                _ => {
                    // `{tag: payload}`, as an enum with data serializes.
                    let payload = match var.payload.len() {
                        0 => Value::Null,
                        1 => var.payload[0],
                        _ => {
                            return Err(DeError::new(format!(
                                "the variant {} holds several values: it can be read as a tuple variant of an enum, not as untyped data",
                                var.tag
                            )))
                        }
                    };
                    self.map(visitor, vec![(var.tag.to_string(), payload)])
                }
            },
            v => Err(DeError::new(format!(
                "a {} cannot be converted to Rust data",
                shown_type(v)
            ))),
        }
    }

    fn deserialize_bool<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_bool(convert::bool_of(self.v).map_err(DeError::new)?)
    }

    ints!(
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64
    );
    ints!(
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64
    );

    fn deserialize_f32<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_f64(convert::float_of(self.v).map_err(DeError::new)?)
    }

    fn deserialize_char<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_char(convert::char_of(self.v).map_err(DeError::new)?)
    }

    fn deserialize_str<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.v {
            Value::Char(c) => visitor.visit_str(c.encode_utf8(&mut [0; 4])),
            v => visitor.visit_str(convert::str_of(self.vm, v).map_err(DeError::new)?),
        }
    }

    fn deserialize_string<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.v {
            Value::Bytes(b) => visitor.visit_bytes(b.bytes()),
            Value::Str(s) => visitor.visit_bytes(s.as_str().as_bytes()),
            _ => self.deserialize_seq(visitor),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.v {
            Value::Null => visitor.visit_none(),
            Value::Variant(var) if var.family == Family::Option => match var.payload.first() {
                None => visitor.visit_none(),
                Some(&x) => visitor.visit_some(self.inner(x)?),
            },
            _ => visitor.visit_some(self),
        }
    }

    /// Unit (and `()` results): any value, ignored.
    fn deserialize_unit<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        let items = self.items()?;
        self.seq(visitor, items)
    }

    fn deserialize_tuple<V: Visitor<'a>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        let entries = self.entries()?;
        self.map(visitor, entries)
    }

    fn deserialize_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let (tag, payload) = match self.v {
            Value::Str(_) | Value::Symbol(_) => (
                convert::str_of(self.vm, self.v)
                    .map_err(DeError::new)?
                    .to_string(),
                None,
            ),
            Value::Variant(var) if var.family != Family::Option => {
                // Several values are read from the variant itself (`tuple_variant`).
                let payload = match var.payload.len() {
                    0 => None,
                    1 => Some(var.payload[0]),
                    _ => Some(self.v),
                };
                (var.tag.to_string(), payload)
            }
            Value::Pair(p) if matches!(p.car.get(), Value::Symbol(_)) => {
                // `(Variant payload ...)`: one element is the payload; several are a tuple
                // (or, for a struct variant, an association list).
                let tag = convert::str_of(self.vm, p.car.get())
                    .map_err(DeError::new)?
                    .to_string();
                let rest = p.cdr.get();
                let payload = match rest {
                    Value::Null => None,
                    Value::Pair(q) if matches!(q.cdr.get(), Value::Null) => Some(q.car.get()),
                    _ => Some(rest),
                };
                (tag, payload)
            }
            _ => {
                let mut entries = self.entries().map_err(|_| {
                    DeError::new(expected(
                        "an enum variant (a string, or a dict of one entry)",
                        self.v,
                    ))
                })?;
                if entries.len() != 1 {
                    return Err(DeError::new(format!(
                        "expected an enum variant (a dict of one entry), got a dict of {}",
                        entries.len()
                    )));
                }
                let (tag, payload) = entries.remove(0);
                (tag, Some(payload))
            }
        };
        visitor.visit_enum(Enum {
            de: self,
            tag,
            payload,
        })
    }

    fn deserialize_identifier<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }
}

struct Seq<'a> {
    de: ValueDeserializer<'a>,
    items: std::vec::IntoIter<Value>,
    index: usize,
}

impl<'a> SeqAccess<'a> for &mut Seq<'a> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'a>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        let Some(v) = self.items.next() else {
            return Ok(None);
        };
        let i = self.index;
        self.index += 1;
        let de = self.de.inner(v)?;
        seed.deserialize(de)
            .map(Some)
            .map_err(|e| e.at(format!("[{i}]")))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct Map<'a> {
    de: ValueDeserializer<'a>,
    entries: std::vec::IntoIter<(String, Value)>,
    /// The value of the entry whose key was just read, and that key.
    value: Option<(String, Value)>,
}

impl<'a> MapAccess<'a> for Map<'a> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'a>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let Some((k, v)) = self.entries.next() else {
            return Ok(None);
        };
        let key = seed
            .deserialize(KeyDeserializer(&k))
            .map_err(|e| e.at(format!(" key {k:?}")))?;
        self.value = Some((k, v));
        Ok(Some(key))
    }

    fn next_value_seed<T: DeserializeSeed<'a>>(&mut self, seed: T) -> Result<T::Value, DeError> {
        let (k, v) = self
            .value
            .take()
            .ok_or_else(|| DeError::new("internal error: a map value read before its key"))?;
        let de = self.de.inner(v)?;
        seed.deserialize(de).map_err(|e| e.at(format!(".{k}")))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// A map key: its text, also read as a number when the key type is one (`HashMap<i64, T>`:
/// dict keys are strings to scripts).
struct KeyDeserializer<'k>(&'k str);

macro_rules! key_ints {
    ($($method:ident $t:ty => $visit:ident),*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
            match self.0.parse::<$t>() {
                Ok(n) => visitor.$visit(n),
                Err(_) => Err(DeError::new(format!("expected a number as the key, got {:?}", self.0))),
            }
        }
    )*};
}

impl<'de> de::Deserializer<'de> for KeyDeserializer<'_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_str(self.0)
    }

    key_ints!(
        deserialize_i8 i8 => visit_i8, deserialize_i16 i16 => visit_i16,
        deserialize_i32 i32 => visit_i32, deserialize_i64 i64 => visit_i64,
        deserialize_u8 u8 => visit_u8, deserialize_u16 u16 => visit_u16,
        deserialize_u32 u32 => visit_u32, deserialize_u64 u64 => visit_u64,
        deserialize_f32 f32 => visit_f32, deserialize_f64 f64 => visit_f64,
        deserialize_bool bool => visit_bool, deserialize_char char => visit_char
    );

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_enum(self.0.into_deserializer())
    }

    serde::forward_to_deserialize_any! {
        i128 u128 str string bytes byte_buf option unit unit_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

struct Enum<'a> {
    de: ValueDeserializer<'a>,
    tag: String,
    payload: Option<Value>,
}

impl<'a> EnumAccess<'a> for Enum<'a> {
    type Error = DeError;
    type Variant = Self;

    fn variant_seed<T: DeserializeSeed<'a>>(self, seed: T) -> Result<(T::Value, Self), DeError> {
        let tag = seed.deserialize(KeyDeserializer(&self.tag))?;
        Ok((tag, self))
    }
}

impl<'a> VariantAccess<'a> for Enum<'a> {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        match self.payload {
            None | Some(Value::Null) => Ok(()),
            Some(v) => Err(DeError::new(format!(
                "variant {} has no data, got a {}",
                self.tag,
                shown_type(v)
            ))),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'a>>(self, seed: T) -> Result<T::Value, DeError> {
        let v = self.payload.unwrap_or(Value::Null);
        let tag = self.tag;
        seed.deserialize(self.de.inner(v)?)
            .map_err(|e| e.at(format!(".{tag}")))
    }

    fn tuple_variant<V: Visitor<'a>>(self, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        let tag = self.tag;
        let inner = self.de.inner(self.payload.unwrap_or(Value::Null))?;
        let items = match self.de.v {
            // A Ruff variant's values are its payload.
            Value::Variant(var) if var.family != Family::Option => var.payload.to_vec(),
            _ => inner.items()?,
        };
        inner
            .seq(visitor, items)
            .map_err(|e| e.at(format!(".{tag}")))
    }

    fn struct_variant<V: Visitor<'a>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let tag = self.tag;
        let inner = self.de.inner(self.payload.unwrap_or(Value::Null))?;
        let entries = inner.entries()?;
        inner
            .map(visitor, entries)
            .map_err(|e| e.at(format!(".{tag}")))
    }
}

//! Serde data made into script values: a `Serializer` producing a [`Value`], for
//! [`crate::Engine::to_value`] and host types.
//!
//! The mapping (documented in `docs/embedding.md`) gives values both dialects use as they
//! are:
//! - unit, `None` and unit structs are `null` (Scheme's `'()`); `Some(x)` is `x`.
//! - bools, integers (which must fit in 64 signed bits) and floats are themselves.
//! - strings are strings, and so is a char (one character: Ruff has no character type).
//! - bytes are a bytevector.
//! - sequences, tuples and tuple structs are arrays (Scheme vectors).
//! - maps are dicts (Scheme hash tables); keys must be strings, chars or integers, and a
//!   key that spells an int is stored as that int (as Ruff's `d["7"]` is `d[7]`).
//! - structs are dicts of their fields, except the structs of a type registered with
//!   [`crate::Engine::register_type`]: instances of that script type.
//! - newtype structs are their content.
//! - enums are externally tagged, as in JSON: a unit variant is its name (a string); a
//!   variant with data is a one-entry dict `{"Variant": data}`.

use crate::convert::new_dict;
use serde::ser::{self, Serialize};
use std::fmt;
use tandem_vm::object::Bytevector;
use tandem_vm::{Value, Vm};

/// Why a Rust value could not be made into a script value.
#[derive(Debug, Clone, PartialEq)]
pub struct SerError(String);

impl fmt::Display for SerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SerError {}

impl ser::Error for SerError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        SerError(msg.to_string())
    }
}

/// Make `value` into a script value.
pub fn to_value<T: Serialize + ?Sized>(vm: &mut Vm, value: &T) -> Result<Value, SerError> {
    value.serialize(ValueSerializer { vm })
}

/// A serializer producing one value. No collection runs while it works (only the
/// interpreter collects), so the values it has made so far need no rooting.
pub struct ValueSerializer<'a> {
    vm: &'a mut Vm,
}

fn int(n: impl TryInto<i64> + fmt::Display + Copy) -> Result<Value, SerError> {
    n.try_into().map(Value::Int).map_err(|_| {
        SerError(format!(
            "the integer {n} does not fit in a script int (64-bit signed)"
        ))
    })
}

impl<'a> ser::Serializer for ValueSerializer<'a> {
    type Ok = Value;
    type Error = SerError;
    type SerializeSeq = Seq<'a>;
    type SerializeTuple = Seq<'a>;
    type SerializeTupleStruct = Seq<'a>;
    type SerializeTupleVariant = Tagged<Seq<'a>>;
    type SerializeMap = Map<'a>;
    type SerializeStruct = Struct<'a>;
    type SerializeStructVariant = Tagged<Struct<'a>>;

    fn serialize_bool(self, v: bool) -> Result<Value, SerError> {
        Ok(Value::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Value, SerError> {
        int(v)
    }
    fn serialize_i16(self, v: i16) -> Result<Value, SerError> {
        int(v)
    }
    fn serialize_i32(self, v: i32) -> Result<Value, SerError> {
        int(v)
    }
    fn serialize_i64(self, v: i64) -> Result<Value, SerError> {
        int(v)
    }
    fn serialize_i128(self, v: i128) -> Result<Value, SerError> {
        int(v)
    }
    fn serialize_u8(self, v: u8) -> Result<Value, SerError> {
        int(v)
    }
    fn serialize_u16(self, v: u16) -> Result<Value, SerError> {
        int(v)
    }
    fn serialize_u32(self, v: u32) -> Result<Value, SerError> {
        int(v)
    }
    fn serialize_u64(self, v: u64) -> Result<Value, SerError> {
        int(v)
    }
    fn serialize_u128(self, v: u128) -> Result<Value, SerError> {
        int(v)
    }
    fn serialize_f32(self, v: f32) -> Result<Value, SerError> {
        Ok(Value::Float(v as f64))
    }
    fn serialize_f64(self, v: f64) -> Result<Value, SerError> {
        Ok(Value::Float(v))
    }
    fn serialize_char(self, v: char) -> Result<Value, SerError> {
        Ok(self.vm.new_str(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Value, SerError> {
        Ok(self.vm.new_str(v))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Value, SerError> {
        Ok(Value::Bytes(
            self.vm.heap.alloc_bytes(Bytevector::new(v.to_vec())),
        ))
    }
    fn serialize_none(self) -> Result<Value, SerError> {
        Ok(Value::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value, SerError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Value, SerError> {
        Ok(Value::Null)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value, SerError> {
        Ok(Value::Null)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Value, SerError> {
        Ok(self.vm.new_str(variant))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Value, SerError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Value, SerError> {
        let vm = self.vm;
        let v = value.serialize(ValueSerializer { vm: &mut *vm })?;
        Ok(new_dict(vm, vec![(variant.to_string(), v)]))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Seq<'a>, SerError> {
        Ok(Seq {
            vm: self.vm,
            items: Vec::with_capacity(len.unwrap_or(0).min(4096)),
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq<'a>, SerError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Seq<'a>, SerError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Tagged<Seq<'a>>, SerError> {
        Ok(Tagged {
            variant,
            inner: self.serialize_seq(Some(len))?,
        })
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Map<'a>, SerError> {
        Ok(Map {
            vm: self.vm,
            entries: Vec::new(),
            key: None,
        })
    }
    fn serialize_struct(self, name: &'static str, _len: usize) -> Result<Struct<'a>, SerError> {
        Ok(Struct {
            vm: self.vm,
            name: Some(name),
            fields: Vec::new(),
        })
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Tagged<Struct<'a>>, SerError> {
        Ok(Tagged {
            variant,
            // A variant's fields are a dict, never an instance of a host type.
            inner: Struct {
                vm: self.vm,
                name: None,
                fields: Vec::new(),
            },
        })
    }
}

/// A sequence being built (an array).
pub struct Seq<'a> {
    vm: &'a mut Vm,
    items: Vec<Value>,
}

impl Seq<'_> {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        let v = value.serialize(ValueSerializer { vm: &mut *self.vm })?;
        self.items.push(v);
        Ok(())
    }
}

impl ser::SerializeSeq for Seq<'_> {
    type Ok = Value;
    type Error = SerError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        self.push(value)
    }
    fn end(self) -> Result<Value, SerError> {
        Ok(self.vm.new_array(self.items))
    }
}

impl ser::SerializeTuple for Seq<'_> {
    type Ok = Value;
    type Error = SerError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        self.push(value)
    }
    fn end(self) -> Result<Value, SerError> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for Seq<'_> {
    type Ok = Value;
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        self.push(value)
    }
    fn end(self) -> Result<Value, SerError> {
        ser::SerializeSeq::end(self)
    }
}

/// A map being built (a dict).
pub struct Map<'a> {
    vm: &'a mut Vm,
    entries: Vec<(String, Value)>,
    key: Option<String>,
}

impl ser::SerializeMap for Map<'_> {
    type Ok = Value;
    type Error = SerError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), SerError> {
        self.key = Some(key.serialize(KeySerializer)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        let key = self
            .key
            .take()
            .ok_or_else(|| SerError("a map value came before its key".into()))?;
        let v = value.serialize(ValueSerializer { vm: &mut *self.vm })?;
        self.entries.push((key, v));
        Ok(())
    }
    fn end(self) -> Result<Value, SerError> {
        Ok(new_dict(self.vm, self.entries))
    }
}

/// A struct being built: an instance of a registered host type of its name, else a dict.
pub struct Struct<'a> {
    vm: &'a mut Vm,
    /// The struct's name (`None` for a variant's fields).
    name: Option<&'static str>,
    fields: Vec<(&'static str, Value)>,
}

impl ser::SerializeStruct for Struct<'_> {
    type Ok = Value;
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), SerError> {
        let v = value.serialize(ValueSerializer { vm: &mut *self.vm })?;
        self.fields.push((key, v));
        Ok(())
    }
    fn end(self) -> Result<Value, SerError> {
        if let Some(ty) = self
            .name
            .and_then(|n| crate::host_type::script_type(self.vm, n))
        {
            // Only when every field serialized is one of the type's (a type of the same
            // name but other fields is another type).
            let mut slots = vec![Value::Null; ty.fields.len()];
            let all_known = self.fields.iter().all(|(k, v)| match ty.field_index(k) {
                Some(i) => {
                    slots[i] = *v;
                    true
                }
                None => false,
            });
            if all_known && self.fields.len() == ty.fields.len() {
                let inst = self.vm.heap.alloc_instance(ty, &slots);
                return Ok(Value::Struct(inst));
            }
        }
        let entries = self
            .fields
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        Ok(new_dict(self.vm, entries))
    }
}

/// A variant with data being built: `{variant: data}`.
pub struct Tagged<S> {
    variant: &'static str,
    inner: S,
}

impl ser::SerializeTupleVariant for Tagged<Seq<'_>> {
    type Ok = Value;
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        self.inner.push(value)
    }
    fn end(self) -> Result<Value, SerError> {
        let vm = self.inner.vm;
        let data = vm.new_array(self.inner.items);
        Ok(new_dict(vm, vec![(self.variant.to_string(), data)]))
    }
}

impl ser::SerializeStructVariant for Tagged<Struct<'_>> {
    type Ok = Value;
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), SerError> {
        ser::SerializeStruct::serialize_field(&mut self.inner, key, value)
    }
    fn end(self) -> Result<Value, SerError> {
        let Tagged { variant, inner } = self;
        let entries = inner
            .fields
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        let data = new_dict(inner.vm, entries);
        Ok(new_dict(inner.vm, vec![(variant.to_string(), data)]))
    }
}

/// A map key: a string, a char or an integer, as text.
struct KeySerializer;

fn bad_key(what: &str) -> SerError {
    SerError(format!(
        "a map key must be a string, a char or an integer, not {what}"
    ))
}

impl ser::Serializer for KeySerializer {
    type Ok = String;
    type Error = SerError;
    type SerializeSeq = ser::Impossible<String, SerError>;
    type SerializeTuple = ser::Impossible<String, SerError>;
    type SerializeTupleStruct = ser::Impossible<String, SerError>;
    type SerializeTupleVariant = ser::Impossible<String, SerError>;
    type SerializeMap = ser::Impossible<String, SerError>;
    type SerializeStruct = ser::Impossible<String, SerError>;
    type SerializeStructVariant = ser::Impossible<String, SerError>;

    fn serialize_str(self, v: &str) -> Result<String, SerError> {
        Ok(v.to_string())
    }
    fn serialize_char(self, v: char) -> Result<String, SerError> {
        Ok(v.to_string())
    }
    fn serialize_i8(self, v: i8) -> Result<String, SerError> {
        Ok(v.to_string())
    }
    fn serialize_i16(self, v: i16) -> Result<String, SerError> {
        Ok(v.to_string())
    }
    fn serialize_i32(self, v: i32) -> Result<String, SerError> {
        Ok(v.to_string())
    }
    fn serialize_i64(self, v: i64) -> Result<String, SerError> {
        Ok(v.to_string())
    }
    fn serialize_u8(self, v: u8) -> Result<String, SerError> {
        Ok(v.to_string())
    }
    fn serialize_u16(self, v: u16) -> Result<String, SerError> {
        Ok(v.to_string())
    }
    fn serialize_u32(self, v: u32) -> Result<String, SerError> {
        Ok(v.to_string())
    }
    fn serialize_u64(self, v: u64) -> Result<String, SerError> {
        Ok(v.to_string())
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<String, SerError> {
        Ok(variant.to_string())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<String, SerError> {
        value.serialize(self)
    }
    fn serialize_bool(self, _v: bool) -> Result<String, SerError> {
        Err(bad_key("a bool"))
    }
    fn serialize_f32(self, _v: f32) -> Result<String, SerError> {
        Err(bad_key("a float"))
    }
    fn serialize_f64(self, _v: f64) -> Result<String, SerError> {
        Err(bad_key("a float"))
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<String, SerError> {
        Err(bad_key("bytes"))
    }
    fn serialize_none(self) -> Result<String, SerError> {
        Err(bad_key("None"))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<String, SerError> {
        Err(bad_key("an Option"))
    }
    fn serialize_unit(self) -> Result<String, SerError> {
        Err(bad_key("()"))
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<String, SerError> {
        Err(bad_key("a unit struct"))
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<String, SerError> {
        Err(bad_key("an enum variant with data"))
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, SerError> {
        Err(bad_key("a sequence"))
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, SerError> {
        Err(bad_key("a tuple"))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, SerError> {
        Err(bad_key("a tuple struct"))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, SerError> {
        Err(bad_key("an enum variant with data"))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, SerError> {
        Err(bad_key("a map"))
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, SerError> {
        Err(bad_key("a struct"))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, SerError> {
        Err(bad_key("an enum variant with data"))
    }
}

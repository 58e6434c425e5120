//! The interpreter's operations on structured data: indexing, struct fields and methods,
//! module members, enum and Result/Option variants, and error values for `try`/`except`.

use crate::error::{ErrorKind, RuntimeError};
use crate::object::{Family, Variant};
use crate::value::Value;
use crate::vm::Vm;

/// What a method call resolves to.
pub(crate) enum MethodTarget {
    /// Call with the object as the first argument (`self`, or the builtin method form).
    WithSelf(Value),
    /// Call without the object (a module member, or a function stored in a field).
    NoSelf(Value),
}

fn callable(v: &Value) -> bool {
    matches!(v, Value::Closure(_) | Value::Native(_))
}

impl Vm {
    /// `obj.name`
    pub(crate) fn get_field(&mut self, obj: Value, name: &str) -> Result<Value, String> {
        match obj {
            Value::Struct(inst) => inst
                .get(name)
                .ok_or_else(|| format!("Unknown field '{name}' for struct {}", inst.ty.name)),
            Value::Module(m) => self
                .module_member(m, name)
                .ok_or_else(|| format!("Module {} has no export '{name}'", m.name)),
            Value::Dict(d) => d
                .get(name)
                .ok_or_else(|| format!("Missing map key: {name}")),
            v => Err(format!(
                "Cannot read field '{name}' of a value of type {}",
                v.type_name()
            )),
        }
    }

    /// `obj.name := v`
    pub(crate) fn set_field(&mut self, obj: Value, name: &str, v: Value) -> Result<(), String> {
        match obj {
            Value::Struct(inst) => {
                if inst.set(name, v) {
                    Ok(())
                } else {
                    Err(format!(
                        "Unknown field '{name}' for struct {}",
                        inst.ty.name
                    ))
                }
            }
            Value::Dict(d) => self.dict_insert(d, crate::object::KeyRef::parse(name), v),
            Value::Module(m) => Err(format!(
                "Cannot assign to '{name}': module {} is read-only",
                m.name
            )),
            o => Err(format!(
                "Cannot set field '{name}' of a value of type {}",
                o.type_name()
            )),
        }
    }

    /// The current value of a module's export.
    fn module_member(
        &self,
        m: crate::value::Gc<crate::object::ModuleObj>,
        name: &str,
    ) -> Option<Value> {
        m.slot(name)
            .map(|g| self.globals.values[g as usize])
            .filter(|v| !matches!(v, Value::Undef))
    }

    /// The builtin (shared-namespace global) called `name`, if any.
    fn builtin_named(&self, name: &str) -> Option<Value> {
        self.globals
            .lookup(name)
            .map(|g| self.globals.values[g as usize])
            .filter(callable)
    }

    /// What `obj.name(...)` calls (a struct's method through the call site's cache: `k`, its
    /// name constant).
    pub(crate) fn resolve_method(
        &self,
        obj: Value,
        name: &str,
        (cache, k): (&crate::object::MethodCache, usize),
    ) -> Result<MethodTarget, String> {
        match obj {
            Value::Struct(inst) => {
                if let Some(m) = cache.method(k, &inst.ty, name) {
                    return Ok(MethodTarget::WithSelf(m));
                }
                if let Some(f) = inst.get(name).filter(callable) {
                    return Ok(MethodTarget::NoSelf(f));
                }
                match self.builtin_named(name) {
                    Some(b) => Ok(MethodTarget::WithSelf(b)),
                    None => Err(format!("Struct {} has no method '{name}'", inst.ty.name)),
                }
            }
            Value::Module(m) => self
                .module_member(m, name)
                .map(MethodTarget::NoSelf)
                .ok_or_else(|| format!("Module {} has no export '{name}'", m.name)),
            Value::Dict(d) => {
                if let Some(b) = self.builtin_named(name) {
                    return Ok(MethodTarget::WithSelf(b));
                }
                match d.get(name).filter(callable) {
                    Some(f) => Ok(MethodTarget::NoSelf(f)),
                    None => Err(format!("No method '{name}' for a dict")),
                }
            }
            v => match self.builtin_named(name) {
                Some(b) => Ok(MethodTarget::WithSelf(b)),
                None => Err(format!(
                    "No method '{name}' for a value of type {}",
                    v.type_name()
                )),
            },
        }
    }

    /// A variant value; `key` is `"family|tag"`, `ty` the enum type or null.
    pub(crate) fn new_variant(
        &mut self,
        ty: Value,
        key: &str,
        payload: &[Value],
    ) -> Result<Value, String> {
        let (family, tag) = key.split_once('|').unwrap_or(("", key));
        let family = match ty {
            Value::EnumType(et) => {
                let Some(arity) = et.arity_of(tag) else {
                    return Err(format!("Unknown variant '{tag}' for enum {}", et.name));
                };
                if arity as usize != payload.len() {
                    let noun = if arity == 1 { "value" } else { "values" };
                    return Err(format!(
                        "{}::{tag} expects {arity} {noun}, got {}",
                        et.name,
                        payload.len()
                    ));
                }
                Family::Enum(et.name.clone())
            }
            Value::Null if family == "Result" => Family::Result,
            Value::Null if family == "Option" => Family::Option,
            other => {
                return Err(format!(
                    "{family} is not an enum (it is a value of type {})",
                    other.type_name()
                ))
            }
        };
        let v = self.heap.alloc_variant(Variant {
            family,
            tag: tag.into(),
            payload: payload.into(),
        });
        Ok(Value::Variant(v))
    }

    /// Does `v` match `key` = `"family|tag|arity"` (empty parts match anything)?
    pub(crate) fn test_variant(v: Value, key: &str) -> bool {
        let Value::Variant(var) = v else {
            return false;
        };
        let mut parts = key.split('|');
        let family = parts.next().unwrap_or("");
        let tag = parts.next().unwrap_or("");
        let arity = parts.next().unwrap_or("");
        let family_ok = match (&var.family, family) {
            (_, "") => true,
            (Family::Result, f) => f == "Result",
            (Family::Option, f) => f == "Option",
            (Family::Enum(name), f) => &**name == f,
        };
        family_ok
            && &*var.tag == tag
            && (arity.is_empty() || arity.parse::<usize>().ok() == Some(var.payload.len()))
    }

    /// `e?`: is `v` an `Err(..)` or `None`?
    pub(crate) fn is_failure(v: Value) -> Result<bool, String> {
        match v {
            Value::Variant(var) if var.family == Family::Result => Ok(&*var.tag == "Err"),
            Value::Variant(var) if var.family == Family::Option => Ok(&*var.tag == "None"),
            v => Err(format!(
                "The ? operator expects a Result or Option, got {}",
                v.type_name()
            )),
        }
    }

    /// A Scheme error object with a message and a list of irritants.
    pub fn scheme_error_object(&mut self, message: &str, irritants: Value) -> Value {
        let m = self.new_str(message);
        let inst = self
            .heap
            .alloc_instance(self.scheme_error_type, &[m, irritants]);
        Value::Struct(inst)
    }

    /// The arguments `apply` spreads: the elements of a list (or an array), at most `max`.
    pub(crate) fn list_items(v: Value, max: usize) -> Result<Vec<Value>, String> {
        if let Value::Array(a) = v {
            if a.len() <= max {
                return Ok(a.to_vec());
            }
        }
        Vm::list_elements(v, max).map_err(|tail| match tail {
            None => format!("apply: too many arguments (the limit is {max})"),
            Some(other) => format!(
                "apply: the last argument must be a list, got {}",
                other.type_name()
            ),
        })
    }

    /// Is `v` an error value (an instance of the Error struct)?
    pub(crate) fn is_error_value(&self, v: Value) -> bool {
        matches!(v, Value::Struct(inst) if inst.ty == self.error_type)
    }

    /// The error value an `except` block receives for `err`.
    pub(crate) fn error_value(&mut self, err: &RuntimeError) -> Value {
        if let Some(v) = err.value {
            if self.is_error_value(v) {
                return v;
            }
        }
        let line = self.sources.line_of(err.span) as i64;
        let message = match err.value {
            // A Scheme error object: its formatted message ("boom 1 2").
            Some(Value::Struct(inst)) if inst.ty == self.scheme_error_type => {
                self.new_str(err.message.as_str())
            }
            Some(v) => v,
            None => self.new_str(err.message.as_str()),
        };
        let names: Vec<String> = err
            .trace
            .iter()
            .rev()
            .filter(|t| t.function != "<main>")
            .map(|t| t.function.clone())
            .collect();
        let stack_items = names.into_iter().map(|n| self.new_str(n)).collect();
        let stack = self.new_array(stack_items);
        let inst = self
            .heap
            .alloc_instance(self.error_type, &[Value::Int(line), message, stack]);
        Value::Struct(inst)
    }

    /// Find the handler for an error raised while running frames at or above `entry_depth`:
    /// unwind to it and return true, or return false when none applies.
    pub(crate) fn unwind(&mut self, err: &RuntimeError, entry_depth: usize) -> bool {
        // `exit()` and the host's limits are not errors a script may handle.
        if matches!(err.kind, ErrorKind::Exit(_) | ErrorKind::Limit(_)) {
            return false;
        }
        let Some(h) = self.handlers.last().copied() else {
            return false;
        };
        if h.frame < entry_depth || h.frame >= self.frames.len() {
            return false;
        }
        self.handlers.pop();
        self.frames.truncate(h.frame + 1);
        let value = if h.raw {
            match err.value {
                Some(v) => v,
                None => self.scheme_error_object(&err.message, Value::Null),
            }
        } else {
            self.error_value(err)
        };
        let frame = &mut self.frames[h.frame];
        frame.pc = h.catch_pc;
        let slot = frame.base as usize + h.reg as usize;
        self.stack[slot] = value;
        true
    }
}

impl Vm {
    /// `obj[idx]` for arrays, dicts and strings.
    pub fn get_index(&mut self, obj: Value, idx: Value) -> Result<Value, String> {
        let idx = integral_index(obj, idx);
        match (obj, idx) {
            (Value::Array(a), Value::Int(i)) => {
                let len = a.len();
                match normalize_index(i, len) {
                    Some(j) => Ok(a.items()[j]),
                    None => Err(format!("Index out of bounds: index {i}, length {len}")),
                }
            }
            (Value::Dict(d), Value::Str(k)) => d
                .get(k.as_str())
                .ok_or_else(|| format!("Missing map key: {}", k.as_str())),
            (Value::Dict(d), Value::Int(i)) => {
                d.get_int(i).ok_or_else(|| format!("Missing map key: {i}"))
            }
            (Value::Str(s), Value::Int(i)) => {
                let len = s.char_len();
                match normalize_index(i, len) {
                    Some(j) => {
                        let c = s.char_at(j).unwrap_or_default();
                        Ok(self.char_str(c))
                    }
                    None => Err(format!("Index out of bounds: index {i}, length {len}")),
                }
            }
            (Value::Array(_) | Value::Str(_), i) => {
                Err(format!("Index must be an int, got {}", i.type_name()))
            }
            (Value::Dict(_), k) => Err(format!(
                "Dict keys must be strings or ints, got {}",
                k.type_name()
            )),
            (o, _) => Err(format!("Cannot index a value of type {}", o.type_name())),
        }
    }

    /// `obj[idx] := v` for arrays and dicts.
    pub fn set_index(&mut self, obj: Value, idx: Value, v: Value) -> Result<(), String> {
        let idx = integral_index(obj, idx);
        match (obj, idx) {
            (Value::Array(a), Value::Int(i)) => {
                let len = a.len();
                match normalize_index(i, len) {
                    Some(j) => {
                        a.items_mut()[j] = v;
                        Ok(())
                    }
                    None => Err(format!("Index out of bounds: index {i}, length {len}")),
                }
            }
            (Value::Dict(d), Value::Str(k)) => {
                self.dict_insert(d, crate::object::KeyRef::parse(k.as_str()), v)
            }
            (Value::Dict(d), Value::Int(i)) => {
                self.dict_insert(d, crate::object::KeyRef::Int(i), v)
            }
            (Value::Array(_), i) => Err(format!("Index must be an int, got {}", i.type_name())),
            (Value::Dict(_), k) => Err(format!(
                "Dict keys must be strings or ints, got {}",
                k.type_name()
            )),
            (Value::Str(_), _) => Err("Strings are immutable: cannot assign to an index".into()),
            (o, _) => Err(format!("Cannot index a value of type {}", o.type_name())),
        }
    }
}

/// Array and string indexes may be floats with no fraction (the math builtins return floats,
/// so `a[floor(x)]` must work); they count as the int they equal.
fn integral_index(obj: Value, idx: Value) -> Value {
    match (obj, idx) {
        (Value::Array(_) | Value::Str(_), Value::Float(f))
            if f.fract() == 0.0 && f.abs() < 9.0e15 =>
        {
            Value::Int(f as i64)
        }
        _ => idx,
    }
}

/// Python-style index: negative counts from the end.
pub fn normalize_index(i: i64, len: usize) -> Option<usize> {
    let j = if i < 0 { i.checked_add(len as i64)? } else { i };
    if j >= 0 && (j as usize) < len {
        Some(j as usize)
    } else {
        None
    }
}

/// The instance and field index a `RECGET`/`RECSET` with field constant `k` reaches in
/// `obj`, when `obj` is an instance of exactly the struct type in the global whose slot is
/// the int `K[k+1]` (read now, as the record procedure reads it): `Some(Some(..))` when
/// the type has a field `K[k]`, `Some(None)` when it has not (the field instruction's
/// error). `None` for anything else: the instruction then falls through to the code that
/// raises the record procedure's error. The field's index comes from the constant's
/// inline cache.
#[inline]
pub(crate) fn record_slot(
    globals: &[Value],
    proto: &crate::object::Proto,
    k: u16,
    obj: &Value,
) -> Option<Option<(crate::value::Gc<crate::object::Instance>, usize)>> {
    let Value::Struct(inst) = *obj else {
        return None;
    };
    let Some(&Value::Int(g)) = proto.consts.get(k as usize + 1) else {
        return None;
    };
    match globals.get(g as usize) {
        Some(Value::StructType(t)) if inst.ty == *t => {}
        _ => return None,
    }
    let name = || match proto.consts[k as usize] {
        Value::Str(s) => Some(s),
        _ => None,
    };
    let i = proto.fields.index(k as usize, &inst.ty, name);
    Some(i.filter(|&i| i < inst.fields().len()).map(|i| (inst, i)))
}

/// What `RECIS` with constant `k` finds: whether `obj` is an instance of the struct type
/// in the global whose slot is the int `K[k+1]`, when the global whose slot is `K[k]`
/// (the predicate's) is defined and that type's global holds a struct type; `None`
/// otherwise (the instruction then falls into a call of the predicate).
#[inline]
pub(crate) fn record_test(
    globals: &[Value],
    proto: &crate::object::Proto,
    k: u16,
    obj: &Value,
) -> Option<bool> {
    let slot = |i: usize| match proto.consts.get(i) {
        Some(&Value::Int(g)) => globals.get(g as usize),
        _ => None,
    };
    match (slot(k as usize)?, slot(k as usize + 1)?) {
        (Value::Undef, _) => None,
        (_, &ty @ Value::StructType(_)) => Some(is_instance(*obj, ty)),
        _ => None,
    }
}

/// Whether `obj` is a struct of exactly the type `ty` (Scheme's `%record-instance?`, and
/// the `ISINST` instruction).
pub(crate) fn is_instance(obj: Value, ty: Value) -> bool {
    match (obj, ty) {
        (Value::Struct(inst), Value::StructType(ty)) => inst.ty == ty,
        _ => false,
    }
}

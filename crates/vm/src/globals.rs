//! The global table: one slot per global name, shared by every module an engine loads.
//! The compiler turns names into slot numbers once; the interpreter indexes a `Vec`.

use crate::value::Value;
use rustc_hash::FxHashMap;
use std::rc::Rc;

/// Names are shared strings: a VM made from the library's template (`builtins::install`)
/// copies this table without copying a single name.
#[derive(Clone, Default)]
pub struct Globals {
    names: Vec<Rc<str>>,
    /// By key: the name itself in the shared namespace, `ns` U+001F `name` in namespace `ns`.
    index: FxHashMap<Rc<str>, u32>,
    pub values: Vec<Value>,
    /// Immutable globals (`let`/`const` at top level): assignment is an error.
    pub immutable: Vec<bool>,
    /// [`Globals::lookup_static`]'s memory: a `'static` name's address and length, and its
    /// slot (slots are never taken back, so an entry stays true).
    static_slots: std::cell::RefCell<Vec<(usize, usize, u32)>>,
}

/// The key of `name` in namespace `ns` (not the shared one).
fn ns_key(ns: &str, name: &str) -> String {
    let mut key = String::with_capacity(ns.len() + 1 + name.len());
    key.push_str(ns);
    key.push('\u{1f}');
    key.push_str(name);
    key
}

impl Globals {
    pub fn new() -> Globals {
        Globals::default()
    }

    /// The slot for `name` in the shared (builtin) namespace, created (unset) when new.
    pub fn slot(&mut self, name: &str) -> u32 {
        self.slot_in("", name)
    }

    /// The slot for `name` in namespace `ns` (a module's private globals; `""` is the shared
    /// namespace of builtins), created (unset) when new.
    pub fn slot_in(&mut self, ns: &str, name: &str) -> u32 {
        let (key, shown): (Rc<str>, Rc<str>) = if ns.is_empty() {
            if let Some(&i) = self.index.get(name) {
                return i;
            }
            let key: Rc<str> = name.into();
            (key.clone(), key)
        } else {
            let key = ns_key(ns, name);
            if let Some(&i) = self.index.get(key.as_str()) {
                return i;
            }
            (key.into(), name.into())
        };
        let i = self.names.len() as u32;
        self.names.push(shown);
        self.index.insert(key, i);
        self.values.push(Value::Undef);
        self.immutable.push(false);
        i
    }

    /// The names that have a value in namespace `ns` (not the shared one).
    pub fn names_in(&self, ns: &str) -> Vec<String> {
        if ns.is_empty() {
            return Vec::new();
        }
        let prefix = format!("{ns}\u{1f}");
        let mut names: Vec<String> = self
            .index
            .iter()
            .filter(|(key, &i)| {
                key.starts_with(&prefix) && !matches!(self.values[i as usize], Value::Undef)
            })
            .map(|(key, _)| key[prefix.len()..].to_string())
            .collect();
        names.sort();
        names
    }

    /// The slot of `name` in namespace `ns`, if it exists.
    pub fn lookup_in(&self, ns: &str, name: &str) -> Option<u32> {
        if ns.is_empty() {
            return self.lookup(name);
        }
        self.index.get(ns_key(ns, name).as_str()).copied()
    }

    pub fn lookup(&self, name: &str) -> Option<u32> {
        self.index.get(name).copied()
    }

    /// [`Globals::lookup`] of a name that is a `'static` constant (the library's hidden
    /// globals, which some natives look up at every call): after the first lookup, found
    /// by the constant's address instead of by hashing its text.
    pub fn lookup_static(&self, name: &'static str) -> Option<u32> {
        let (at, len) = (name.as_ptr() as usize, name.len());
        let known = self.static_slots.borrow();
        if let Some(&(_, _, slot)) = known.iter().find(|e| e.0 == at && e.1 == len) {
            return Some(slot);
        }
        drop(known);
        let slot = self.lookup(name)?;
        self.static_slots.borrow_mut().push((at, len, slot));
        Some(slot)
    }

    pub fn name(&self, slot: u32) -> &str {
        self.names.get(slot as usize).map(|s| &**s).unwrap_or("?")
    }

    pub fn get(&self, name: &str) -> Option<Value> {
        self.lookup(name)
            .map(|i| self.values[i as usize])
            .filter(|v| !matches!(v, Value::Undef))
    }

    pub fn set(&mut self, name: &str, v: Value) {
        let i = self.slot(name) as usize;
        self.values[i] = v;
    }

    /// The names of every global of the shared namespace that currently has a value.
    pub fn defined_names(&self) -> std::collections::HashSet<String> {
        self.index
            .iter()
            .filter(|(key, _)| !key.contains('\u{1f}'))
            .filter(|(_, &i)| !matches!(self.values[i as usize], Value::Undef))
            .map(|(key, _)| key.to_string())
            .collect()
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

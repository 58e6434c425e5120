//! The global table: one slot per global name, shared by every module an engine loads.
//! The compiler turns names into slot numbers once; the interpreter indexes a `Vec`.

use crate::value::Value;
use rustc_hash::FxHashMap;

#[derive(Default)]
pub struct Globals {
    names: Vec<String>,
    index: FxHashMap<String, u32>,
    pub values: Vec<Value>,
    /// Immutable globals (`let`/`const` at top level): assignment is an error.
    pub immutable: Vec<bool>,
}

impl Globals {
    pub fn new() -> Globals {
        Globals::default()
    }

    /// The slot for `name`, created (unset) when new.
    pub fn slot(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), i);
        self.values.push(Value::Undef);
        self.immutable.push(false);
        i
    }

    pub fn lookup(&self, name: &str) -> Option<u32> {
        self.index.get(name).copied()
    }

    pub fn name(&self, slot: u32) -> &str {
        self.names
            .get(slot as usize)
            .map(|s| s.as_str())
            .unwrap_or("?")
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

    /// The names of every global that currently has a value.
    pub fn defined_names(&self) -> std::collections::HashSet<String> {
        self.names
            .iter()
            .zip(&self.values)
            .filter(|(_, v)| !matches!(v, Value::Undef))
            .map(|(n, _)| n.clone())
            .collect()
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

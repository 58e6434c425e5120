//! The hash table behind dicts: a compact map.
//!
//! Entries live densely in a `Vec` (insertion order until a removal swaps the last entry
//! into the hole); a separate open-addressing table of `u32` entry indexes, with linear
//! probing and at most half full, finds them. Compared with a table of full buckets this
//! halves the memory of a large dict (an empty index slot costs 4 bytes, not a whole entry).
//!
//! An int key's home slot follows the int (its bits folded, so large power-of-two strides
//! still spread), so nearby int keys probe nearby slots, as in Lua. Keys that defeat that
//! (say `x * 2^24 + y` for a grid, whose low bits repeat) pile up in one cluster and would
//! make every insert slow; an insert that has to probe more than [`MAX_PROBE`] slots
//! switches the map to scrambled slots (Fibonacci hashing: every bit of the hash moves the
//! slot) for good.

use crate::object::{Key, KeyRef};
use crate::value::Value;

const EMPTY: u32 = u32::MAX;
const TOMB: u32 = u32::MAX - 1;

/// Probe length beyond which an insert scrambles the map's slots. With the index at most
/// half full, a well-spread hash almost never probes this far.
const MAX_PROBE: usize = 48;

#[derive(Clone, Default)]
pub struct DictMap {
    entries: Vec<(Key, Value)>,
    /// Empty, or a power of two in length.
    index: Vec<u32>,
    /// Index slots marked deleted.
    tombs: usize,
    /// Home slots are scrambled (see the module comment).
    scrambled: bool,
}

/// The home slot of `key` in an index of `mask + 1` slots.
#[inline]
fn home(key: KeyRef<'_>, mask: usize, scrambled: bool) -> usize {
    let h = key.hash_code();
    let spread = if scrambled {
        h.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32
    } else {
        h ^ (h >> 24) ^ (h >> 48)
    };
    spread as usize & mask
}

fn same(a: KeyRef<'_>, b: &Key) -> bool {
    match (a, b) {
        (KeyRef::Int(x), Key::Int(y)) => x == *y,
        (KeyRef::Str(x), Key::Str(y)) => x == &**y,
        _ => false,
    }
}

/// Where a key is: its index slot and entry, or (when absent) the slot to insert at.
enum Probe {
    Found {
        slot: usize,
        entry: usize,
    },
    /// `dist`: how many slots the probe passed.
    Vacant {
        slot: usize,
        dist: usize,
    },
}

impl DictMap {
    pub fn new() -> DictMap {
        DictMap::default()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn probe(&self, key: KeyRef<'_>) -> Probe {
        let mask = self.index.len() - 1;
        let mut i = home(key, mask, self.scrambled);
        let mut first_tomb = None;
        let mut dist = 0;
        loop {
            let s = self.index[i];
            if s == EMPTY {
                return Probe::Vacant {
                    slot: first_tomb.unwrap_or(i),
                    dist,
                };
            }
            if s == TOMB {
                if first_tomb.is_none() {
                    first_tomb = Some(i);
                }
            } else if same(key, &self.entries[s as usize].0) {
                return Probe::Found {
                    slot: i,
                    entry: s as usize,
                };
            }
            i = (i + 1) & mask;
            dist += 1;
        }
    }

    fn find(&self, key: KeyRef<'_>) -> Option<usize> {
        if self.index.is_empty() {
            return None;
        }
        match self.probe(key) {
            Probe::Found { entry, .. } => Some(entry),
            Probe::Vacant { .. } => None,
        }
    }

    #[inline]
    pub fn get(&self, key: KeyRef<'_>) -> Option<&Value> {
        self.find(key).map(|e| &self.entries[e].1)
    }

    #[inline]
    pub fn get_mut(&mut self, key: KeyRef<'_>) -> Option<&mut Value> {
        self.find(key).map(|e| &mut self.entries[e].1)
    }

    pub fn contains_key(&self, key: KeyRef<'_>) -> bool {
        self.find(key).is_some()
    }

    /// Rebuild the index for at least `want` entries (no tombstones afterwards).
    fn rebuild(&mut self, want: usize) {
        let cap = (want * 2).next_power_of_two().max(8);
        self.index.clear();
        self.index.resize(cap, EMPTY);
        self.tombs = 0;
        let mask = cap - 1;
        for (n, (k, _)) in self.entries.iter().enumerate() {
            let mut i = home(k.as_ref(), mask, self.scrambled);
            while self.index[i] != EMPTY {
                i = (i + 1) & mask;
            }
            self.index[i] = n as u32;
        }
    }

    /// Insert or replace; returns the previous value.
    pub fn insert(&mut self, key: Key, v: Value) -> Option<Value> {
        match self.probe_for_insert(key.as_ref()) {
            Probe::Found { entry, .. } => Some(std::mem::replace(&mut self.entries[entry].1, v)),
            Probe::Vacant { slot, .. } => {
                self.fill(slot, key, v);
                None
            }
        }
    }

    /// Insert or replace, copying a borrowed key only when it is new (one probe either way).
    pub fn insert_ref(&mut self, key: KeyRef<'_>, v: Value) {
        match self.probe_for_insert(key) {
            Probe::Found { entry, .. } => self.entries[entry].1 = v,
            Probe::Vacant { slot, .. } => self.fill(slot, key.to_key(), v),
        }
    }

    /// Where `key` is or would go, with room made for one more entry first (and the slots
    /// scrambled if the probe ran too long).
    fn probe_for_insert(&mut self, key: KeyRef<'_>) -> Probe {
        if (self.entries.len() + self.tombs + 1) * 2 > self.index.len() {
            self.rebuild(self.entries.len() + 1);
        }
        let probe = self.probe(key);
        match probe {
            Probe::Vacant { dist, .. } if dist > MAX_PROBE && !self.scrambled => {
                self.scrambled = true;
                self.rebuild(self.entries.len() + 1);
                self.probe(key)
            }
            _ => probe,
        }
    }

    /// Put a new entry in the vacant index slot `slot`.
    fn fill(&mut self, slot: usize, key: Key, v: Value) {
        if self.index[slot] == TOMB {
            self.tombs -= 1;
        }
        self.index[slot] = self.entries.len() as u32;
        self.entries.push((key, v));
    }

    pub fn remove(&mut self, key: KeyRef<'_>) -> Option<Value> {
        if self.index.is_empty() {
            return None;
        }
        let Probe::Found { slot, entry } = self.probe(key) else {
            return None;
        };
        self.index[slot] = TOMB;
        self.tombs += 1;
        let last = self.entries.len() - 1;
        let (_, v) = self.entries.swap_remove(entry);
        if entry != last {
            // The former last entry now lives at `entry`: repoint its index slot.
            let mask = self.index.len() - 1;
            let mut i = home(self.entries[entry].0.as_ref(), mask, self.scrambled);
            while self.index[i] != last as u32 {
                i = (i + 1) & mask;
            }
            self.index[i] = entry as u32;
        }
        Some(v)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Key, &Value)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &Key> {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl Iterator<Item = &Value> {
        self.entries.iter().map(|(_, v)| v)
    }
}

impl<'a> IntoIterator for &'a DictMap {
    type Item = (&'a Key, &'a Value);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (Key, Value)>,
        fn(&'a (Key, Value)) -> (&'a Key, &'a Value),
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn k(i: i64) -> Key {
        Key::Int(i)
    }

    /// The longest probe any present key needs.
    fn longest_probe(m: &DictMap) -> usize {
        m.entries
            .iter()
            .map(|(key, _)| {
                let mask = m.index.len() - 1;
                let mut i = home(key.as_ref(), mask, m.scrambled);
                let mut d = 0;
                while m.index[i] == TOMB || !same(key.as_ref(), &m.entries[m.index[i] as usize].0) {
                    i = (i + 1) & mask;
                    d += 1;
                }
                d
            })
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn dense_int_keys_keep_their_locality() {
        let mut m = DictMap::new();
        for i in 0..10_000 {
            m.insert(k(i * 7), Value::Int(i));
        }
        assert!(!m.scrambled);
        assert!(longest_probe(&m) <= MAX_PROBE);
    }

    #[test]
    fn clustering_int_keys_scramble_the_slots() {
        // Grid coordinates packed as x * 2^24 + y: with the folded int hash their home
        // slots repeat, so without scrambling each insert would walk one huge cluster.
        let mut m = DictMap::new();
        for x in 0..100 {
            for y in 0..100 {
                m.insert(k(x * (1 << 24) + y), Value::Int(x * 100 + y));
            }
        }
        assert!(m.scrambled);
        assert_eq!(m.len(), 10_000);
        assert!(longest_probe(&m) <= MAX_PROBE, "{}", longest_probe(&m));
        for x in 0..100 {
            for y in 0..100 {
                let v = m.get(KeyRef::Int(x * (1 << 24) + y));
                assert!(matches!(v, Some(Value::Int(n)) if *n == x * 100 + y));
            }
        }
    }

    #[test]
    fn insert_get_replace_remove() {
        let mut m = DictMap::new();
        assert_eq!(m.insert(k(1), Value::Int(10)).map(|_| ()), None);
        m.insert(Key::Str("a".into()), Value::Int(20));
        assert!(matches!(m.get(KeyRef::Int(1)), Some(Value::Int(10))));
        assert!(matches!(m.get(KeyRef::Str("a")), Some(Value::Int(20))));
        assert!(
            m.get(KeyRef::Str("1")).is_none(),
            "KeyRef::Str(\"1\") is not canonical"
        );
        assert!(matches!(
            m.insert(k(1), Value::Int(11)),
            Some(Value::Int(10))
        ));
        assert_eq!(m.len(), 2);
        assert!(matches!(m.remove(KeyRef::Int(1)), Some(Value::Int(11))));
        assert!(m.remove(KeyRef::Int(1)).is_none());
        assert_eq!(m.len(), 1);
        assert!(matches!(m.get(KeyRef::Str("a")), Some(Value::Int(20))));
    }

    /// Random operations against std's HashMap as the model.
    #[test]
    fn agrees_with_a_model_under_random_operations() {
        let mut m = DictMap::new();
        let mut model: HashMap<i64, i64> = HashMap::new();
        let mut x: u64 = 0x1234_5678_9abc_def1;
        for step in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Small key range so inserts, replacements and removals all happen; some keys
            // are large strides to exercise clustering.
            let key = if step % 3 == 0 {
                ((x >> 8) % 512) as i64 * (1 << 20)
            } else {
                ((x >> 8) % 2000) as i64 - 1000
            };
            match x % 4 {
                0 => {
                    assert_eq!(
                        m.remove(KeyRef::Int(key)).map(|v| match v {
                            Value::Int(i) => i,
                            _ => unreachable!(),
                        }),
                        model.remove(&key)
                    );
                }
                _ => {
                    m.insert(k(key), Value::Int(step));
                    model.insert(key, step);
                }
            }
            if step % 10_000 == 0 {
                assert_eq!(m.len(), model.len());
                for (mk, mv) in &model {
                    assert!(matches!(m.get(KeyRef::Int(*mk)), Some(Value::Int(v)) if v == mv));
                }
            }
        }
        assert_eq!(m.len(), model.len());
        assert_eq!(m.iter().count(), model.len());
    }

    #[test]
    fn string_keys() {
        let mut m = DictMap::new();
        for i in 0..1000 {
            m.insert(Key::Str(format!("key{i}").into()), Value::Int(i));
        }
        for i in 0..1000 {
            let s = format!("key{i}");
            assert!(matches!(m.get(KeyRef::Str(&s)), Some(Value::Int(v)) if *v == i));
        }
        for i in (0..1000).step_by(2) {
            let s = format!("key{i}");
            assert!(m.remove(KeyRef::Str(&s)).is_some());
        }
        assert_eq!(m.len(), 500);
        assert!(m.get(KeyRef::Str("key3")).is_some());
        assert!(m.get(KeyRef::Str("key4")).is_none());
    }
}

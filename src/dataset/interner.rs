//! A string interner over one byte arena: each unique string is stored once, and looked up
//! through a hash table whose slots hold its second hash and its id, so a lookup reads the
//! table and nothing else. About 25 bytes per string besides its text, and no per-string
//! allocation.

use foldhash::fast::FixedState;
use hashbrown::HashTable;
use std::hash::BuildHasher;

/// A string with its hash, so parsers can hash in parallel and the serial merge only probes.
#[derive(Clone, Copy, Debug)]
pub struct Key<'a> {
    pub s: &'a str,
    pub hash: u64,
}

impl<'a> Key<'a> {
    pub fn new(s: &'a str) -> Key<'a> {
        Key {
            s,
            hash: hash_bytes(s.as_bytes()),
        }
    }
}

/// The one hash every interner uses: fixed-seeded, so a hash computed anywhere is valid here.
pub fn hash_bytes(b: &[u8]) -> u64 {
    FixedState::with_seed(0x9e37_79b9_7f4a_7c15).hash_one(b)
}

/// The second hash: another function than [`hash_bytes`], so that the two are independent.
pub(crate) fn check_hash(b: &[u8]) -> u64 {
    foldhash::quality::FixedState::with_seed(0x2545_f491_4f6c_dd1d).hash_one(b)
}

/// Unique strings, each with a dense `u32` id in order of first appearance.
#[derive(Default, Clone)]
pub struct Interner {
    bytes: Vec<u8>,
    ends: Vec<u64>,
    table: HashTable<Slot>,
}

/// A table entry: the string's second hash, and its id. A string is known by two independent
/// 64-bit hashes rather than by its bytes, as the texts on disk are: two strings share both
/// with a chance of about n²/2^129, and a lookup reads the table alone, not the table and a
/// string elsewhere in the arena (that second read was a tenth of reading a collection).
#[derive(Clone, Copy)]
struct Slot {
    check: u64,
    id: u32,
}

impl Interner {
    /// An interner holding no string.
    pub fn new() -> Interner {
        Interner::default()
    }

    /// The id of `s`, adding it if it is new.
    pub fn intern(&mut self, s: &str) -> u32 {
        self.intern_key(Key::new(s))
    }

    /// The id of `key.s`, adding it if it is new; `key.hash` must come from `Key::new`.
    pub fn intern_key(&mut self, key: Key) -> u32 {
        let Key { s, hash } = key;
        let check = check_hash(s.as_bytes());
        let Interner { bytes, ends, table } = self;
        if let Some(slot) = table.find(hash, |slot| slot.check == check) {
            return slot.id;
        }
        let id = u32::try_from(ends.len()).expect("more than 2^32 unique strings in one table");
        bytes.extend_from_slice(s.as_bytes());
        ends.push(bytes.len() as u64);
        table.insert_unique(hash, Slot { check, id }, |slot| {
            hash_bytes(slice(bytes, ends, slot.id))
        });
        id
    }

    /// The id of `s` if it was interned.
    pub fn lookup(&self, s: &str) -> Option<u32> {
        let (hash, check) = (hash_bytes(s.as_bytes()), check_hash(s.as_bytes()));
        (self.table.find(hash, |slot| slot.check == check)).map(|slot| slot.id)
    }

    /// The string with id `id`. Panics if `id` was not handed out by this interner.
    pub fn get(&self, id: u32) -> &str {
        str_at(&self.bytes, &self.ends, id)
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Every string, by id.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.ends.len() as u32).map(|id| self.get(id))
    }

    /// Bytes held: the arena, the offsets and the hash table.
    pub fn memory_bytes(&self) -> usize {
        self.bytes.capacity() + self.ends.capacity() * 8 + self.table.capacity() * 17
    }

    /// Bytes of the strings, all together.
    pub fn byte_len(&self) -> usize {
        self.bytes.len()
    }

    /// Every string end to end, in id order.
    pub fn arena(&self) -> &[u8] {
        &self.bytes
    }

    /// The arena and where each string ends, the table dropped.
    pub fn into_arena(self) -> (Vec<u8>, Vec<u64>) {
        (self.bytes, self.ends)
    }

    /// Give back what the arena and table hold beyond their strings.
    pub fn shrink_to_fit(&mut self) {
        self.bytes.shrink_to_fit();
        self.ends.shrink_to_fit();
        let Interner { bytes, ends, table } = self;
        table.shrink_to_fit(|slot| hash_bytes(slice(bytes, ends, slot.id)));
    }
}

fn slice<'a>(bytes: &'a [u8], ends: &[u64], id: u32) -> &'a [u8] {
    let id = id as usize;
    let start = if id == 0 { 0 } else { ends[id - 1] as usize };
    &bytes[start..ends[id] as usize]
}

fn str_at<'a>(bytes: &'a [u8], ends: &[u64], id: u32) -> &'a str {
    // SAFETY: `intern_key` is the only writer of `bytes` and `ends`, and it appends whole
    // `&str`s and records where each ends, so every slice between two ends is valid UTF-8.
    // (Checking it on every read was a tenth of writing a large graph file.)
    unsafe { std::str::from_utf8_unchecked(slice(bytes, ends, id)) }
}

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Interner({} strings)", self.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_dense_and_stable() {
        let mut i = Interner::new();
        let words = ["maga", "", "blacklivesmatter", "maga", "тест", ""];
        let ids: Vec<u32> = words.iter().map(|w| i.intern(w)).collect();
        assert_eq!(ids, vec![0, 1, 2, 0, 3, 1]);
        assert_eq!(i.len(), 4);
        assert_eq!(i.get(3), "тест");
        assert_eq!(i.lookup("blacklivesmatter"), Some(2));
        assert_eq!(i.lookup("nope"), None);
        for n in 0..10_000 {
            i.intern(&format!("s{n}"));
        }
        assert_eq!(i.lookup("s9999"), Some(4 + 9999));
        assert_eq!(i.get(2), "blacklivesmatter");
    }
}

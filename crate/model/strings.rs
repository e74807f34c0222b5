//! The dump's UTF8 strings, by ID, in one arena.
//!
//! Bytes: the text plus 16 bytes of map entry per string (an 8-byte ID key and a u32
//! offset/length pair), about 30 MB for the 1–2 M strings of a multi-gigabyte dump.

use super::hash::IdHashMap;

/// UTF8 strings by ID.
#[derive(Default)]
pub struct StringTable {
    arena: Vec<u8>,
    map: IdHashMap<u64, (u32, u32)>,
}

impl StringTable {
    /// Adds a string; a repeated ID keeps the first text.
    pub fn insert(&mut self, id: u64, bytes: &[u8]) {
        let Ok(off) = u32::try_from(self.arena.len()) else {
            return;
        };
        let Ok(len) = u32::try_from(bytes.len()) else {
            return;
        };
        if off.checked_add(len).is_none() {
            return;
        }
        self.map.entry(id).or_insert_with(|| {
            self.arena.extend_from_slice(bytes);
            (off, len)
        });
    }

    /// The text of string `id` (lossy for invalid modified UTF-8).
    pub fn get(&self, id: u64) -> Option<std::borrow::Cow<'_, str>> {
        let &(off, len) = self.map.get(&id)?;
        let b = self
            .arena
            .get(off as usize..(off as usize + len as usize))?;
        Some(String::from_utf8_lossy(b))
    }

    /// The text of string `id`, or a placeholder naming the missing ID.
    pub fn get_or(&self, id: u64) -> String {
        match self.get(id) {
            Some(s) => s.into_owned(),
            None => format!("<string 0x{id:x}>"),
        }
    }

    /// Number of strings.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.arena.capacity() + self.map.capacity() * 24
    }
}

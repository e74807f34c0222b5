//! Per-object data: class and shallow size, by dense index, and the ID map.
//!
//! | structure | bytes per object |
//! |---|---|
//! | `class_of`: class index, u16 below 65 536 classes (u32 otherwise) | 2 (4) |
//! | `sizes`: shallow size in 8-byte units, u16 (larger ones in a side table) | 2 |
//! | `ids` ([`IdMap`]): a bitmap over the address range, or keys | ~2 (bitmap, dense heaps); ~5 (keys); 9 (unsorted dumps) |
//!
//! Indices `0..class_objects` are the class objects; the rest are the other objects in
//! file order.

use super::idmap::IdMap;

/// Shallow sizes in 8-byte units; objects of 512 KiB and more live in a sorted side table.
pub struct Sizes {
    units: Vec<u16>,
    big: Vec<(u32, u64)>,
}

impl Sizes {
    /// Assembles the table (`big` sorted by index, as `push` produces it).
    pub fn new(units: Vec<u16>, big: Vec<(u32, u64)>) -> Self {
        Sizes { units, big }
    }

    /// Appends the size of object `index` (which must be `units.len()`).
    pub fn push(units: &mut Vec<u16>, big: &mut Vec<(u32, u64)>, index: u32, bytes: u64) {
        let u = bytes.div_ceil(8);
        if u < u64::from(u16::MAX) {
            units.push(u as u16);
        } else {
            units.push(u16::MAX);
            big.push((index, bytes));
        }
    }

    /// Shallow size of object `index` in bytes.
    #[inline]
    pub fn get(&self, index: u32) -> u64 {
        match self.units.get(index as usize) {
            Some(&u16::MAX) => self
                .big
                .binary_search_by_key(&index, |&(i, _)| i)
                .ok()
                .and_then(|k| self.big.get(k))
                .map_or(0, |&(_, b)| b),
            Some(&u) => u64::from(u) * 8,
            None => 0,
        }
    }

    /// Number of objects.
    pub fn len(&self) -> usize {
        self.units.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.units.capacity() * 2 + self.big.capacity() * 16
    }
}

/// Class index per object: 2 bytes while the dump has fewer than 65 536 classes (almost
/// every dump), 4 beyond.
pub enum ClassIds {
    /// u16 indices.
    Narrow(Vec<u16>),
    /// u32 indices.
    Wide(Vec<u32>),
}

impl ClassIds {
    /// Picks the narrow form when every index fits.
    pub fn new(v: Vec<u32>, classes: usize) -> Self {
        if classes <= usize::from(u16::MAX) {
            ClassIds::Narrow(
                v.into_iter()
                    .map(|c| c.min(u32::from(u16::MAX)) as u16)
                    .collect(),
            )
        } else {
            ClassIds::Wide(v)
        }
    }

    /// Class index of object `i` (`u32::MAX` past the end, or for the narrow form's
    /// missing-class marker).
    #[inline]
    pub fn get(&self, i: usize) -> Option<u32> {
        match self {
            ClassIds::Narrow(v) => v.get(i).map(|&c| {
                if c == u16::MAX {
                    u32::MAX
                } else {
                    u32::from(c)
                }
            }),
            ClassIds::Wide(v) => v.get(i).copied(),
        }
    }

    /// Number of objects.
    pub fn len(&self) -> usize {
        match self {
            ClassIds::Narrow(v) => v.len(),
            ClassIds::Wide(v) => v.len(),
        }
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        match self {
            ClassIds::Narrow(v) => v.capacity() * 2,
            ClassIds::Wide(v) => v.capacity() * 4,
        }
    }
}

/// Per-object data of a dump.
pub struct ObjectTable {
    /// Class index of every object.
    pub class_of: ClassIds,
    /// Shallow sizes.
    pub sizes: Sizes,
    /// IDs of non-class objects.
    pub ids: IdMap,
    /// Number of class objects (they come first).
    pub class_objects: u32,
}

impl ObjectTable {
    /// A table without objects.
    pub fn empty() -> Self {
        ObjectTable {
            class_of: ClassIds::Narrow(Vec::new()),
            sizes: Sizes::new(Vec::new(), Vec::new()),
            ids: IdMap::build(Vec::new(), 0),
            class_objects: 0,
        }
    }

    /// A shared empty table.
    pub fn empty_static() -> &'static ObjectTable {
        static EMPTY: std::sync::OnceLock<ObjectTable> = std::sync::OnceLock::new();
        EMPTY.get_or_init(ObjectTable::empty)
    }

    /// Number of objects.
    pub fn len(&self) -> usize {
        self.class_of.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.class_of.is_empty()
    }

    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.class_of.heap_bytes() + self.sizes.heap_bytes() + self.ids.heap_bytes()
    }
}

//! Per-object data: class and shallow size, by dense index, and the ID map.
//!
//! | structure | bytes per object |
//! |---|---|
//! | `class_of`: class index, u16 below 65 536 classes (u32 otherwise) | 2 (4) |
//! | `sizes`: a bit per object, and the size of each array and class object (u16 in 8-byte units; larger ones in a side table) | 0.14 + 2 per array or class object |
//! | `ids` ([`IdMap`]): a bitmap over the address range, or keys | ~2 (bitmap, dense heaps); ~5 (keys); 9 (unsorted dumps) |
//!
//! Indices `0..class_objects` are the class objects; the rest are the other objects in
//! file order.

use super::idmap::IdMap;
use super::rank::RankBits;

/// Shallow sizes. An instance's is its class's instance size, so only the other objects
/// (class objects and arrays) are sized one by one: a bit per object says which
/// ([`RankBits`], 1/7 byte per object), and their sizes follow in index order in 8-byte
/// units (u16; objects of 512 KiB and more in a sorted side table).
#[derive(Default)]
pub struct Sizes {
    own: RankBits,
    units: Vec<u16>,
    big: Vec<(u32, u64)>,
    /// Instance size per class (0 for array classes).
    by_class: Vec<u64>,
    len: u32,
}

/// Builds [`Sizes`] object by object, in index order.
pub struct SizesBuilder(Sizes);

impl SizesBuilder {
    /// For `len` objects whose instances are sized by `by_class`.
    pub fn new(len: u32, by_class: Vec<u64>) -> Self {
        SizesBuilder(Sizes {
            // `None` only when the bits could not be addressed; `len` is a u32, so never.
            own: RankBits::zeroed(u64::from(len)).unwrap_or_default(),
            units: Vec::new(),
            big: Vec::new(),
            by_class,
            len: 0,
        })
    }

    /// The next object is an instance of `class`, sized by its class; false if the class
    /// has no instance size (the object is then sized with [`SizesBuilder::push`]).
    pub fn push_instance(&mut self, class: u32) -> bool {
        let ok = self.0.by_class.get(class as usize).is_some_and(|&b| b > 0);
        if ok {
            self.0.len += 1;
        }
        ok
    }

    /// The next object has `bytes`.
    pub fn push(&mut self, bytes: u64) {
        let s = &mut self.0;
        let index = s.len;
        s.own.set(u64::from(index));
        let u = bytes.div_ceil(8);
        if u < u64::from(u16::MAX) {
            s.units.push(u as u16);
        } else {
            s.units.push(u16::MAX);
            s.big.push((index, bytes));
        }
        s.len += 1;
    }

    /// The finished table.
    pub fn finish(mut self) -> Sizes {
        self.0.own.finish();
        self.0.units.shrink_to_fit();
        self.0.big.shrink_to_fit();
        self.0
    }
}

impl Sizes {
    /// Shallow size in bytes of object `index`, of class `class`.
    #[inline]
    pub fn get(&self, index: u32, class: u32) -> u64 {
        if index >= self.len {
            return 0;
        }
        let Some(r) = self.own.rank(u64::from(index)) else {
            return self.by_class.get(class as usize).copied().unwrap_or(0);
        };
        match self.units.get(r as usize) {
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

    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.own.heap_bytes()
            + self.units.capacity() * 2
            + self.big.capacity() * 16
            + self.by_class.capacity() * 8
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
    /// The class indices `v` of the objects in index order, in the narrow form when there
    /// are fewer than 65 536 classes.
    pub fn new(v: impl Iterator<Item = u32>, classes: usize) -> Self {
        if classes <= usize::from(u16::MAX) {
            ClassIds::Narrow(v.map(|c| c.min(u32::from(u16::MAX)) as u16).collect())
        } else {
            ClassIds::Wide(v.collect())
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
            sizes: Sizes::default(),
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

    /// Shallow size in bytes of object `index`.
    #[inline]
    pub fn size(&self, index: u32) -> u64 {
        let class = self.class_of.get(index as usize).unwrap_or(u32::MAX);
        self.sizes.get(index, class)
    }

    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.class_of.heap_bytes() + self.sizes.heap_bytes() + self.ids.heap_bytes()
    }
}

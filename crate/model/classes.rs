//! The class table.
//!
//! Class objects (those with a `CLASS_DUMP`) are numbered first, in dump order, and a
//! class's index is also its object index. Classes that have instances but no dump
//! (missing dumps, or primitive-array classes that older writers never dump) follow, and
//! have no object. Per class: ~200 bytes plus its field lists; a large application has
//! 10–60 K classes, so the table is a few MB.

use super::hash::IdHashMap;
use crate::format::heap_dump::class_dump::{FieldDesc, StaticField};
use crate::format::tags::BasicType;
use std::collections::HashMap;

/// What the instances of a class are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClassKind {
    /// Ordinary objects with fields.
    Instance,
    /// Arrays of references.
    ObjArray,
    /// Arrays of a primitive type.
    PrimArray(BasicType),
}

impl ClassKind {
    /// The element type of an array class (`OBJECT` for arrays of references); `None`
    /// for an instance class.
    pub fn elem(self) -> Option<BasicType> {
        match self {
            ClassKind::Instance => None,
            ClassKind::ObjArray => Some(BasicType::OBJECT),
            ClassKind::PrimArray(e) => Some(e),
        }
    }
}

/// One class.
#[derive(Clone, Debug)]
pub struct ClassInfo {
    /// The class object's ID (0 for a class the dump has no object for).
    pub id: u64,
    /// Java name (`java.util.HashMap$Node`, `byte[]`).
    pub name: String,
    /// Superclass index.
    pub super_index: Option<u32>,
    /// Superclass ID as dumped (0 for none).
    pub super_id: u64,
    /// Class loader ID (0: bootstrap).
    pub loader_id: u64,
    /// Signers ID.
    pub signers_id: u64,
    /// Protection domain ID.
    pub protection_domain_id: u64,
    /// Kind of instances.
    pub kind: ClassKind,
    /// Declared instance fields (this class only), in dump order.
    pub fields: Vec<FieldDesc>,
    /// Static fields with their values.
    pub statics: Vec<StaticField>,
    /// Whether the dump has a CLASS_DUMP for it.
    pub dumped: bool,
    /// Offset of its CLASS_DUMP record.
    pub dump_offset: u64,
    /// LOAD_CLASS serial (0 if none).
    pub serial: u32,
    /// Shallow size of each instance (instance classes), from the size model.
    pub instance_size: u64,
    /// Shallow size of the class object itself.
    pub object_size: u64,
    /// Bytes of field data an instance dump carries (whole hierarchy, dump sizes).
    pub data_len: u32,
    /// Byte offsets of reference fields within an instance's dump data, whole hierarchy,
    /// in dump order (this class first, then superclasses).
    pub ref_offsets: Vec<u32>,
}

impl ClassInfo {
    /// A class known only by ID (its dump, if any, comes later).
    pub fn placeholder(id: u64) -> Self {
        ClassInfo {
            id,
            name: String::new(),
            super_index: None,
            super_id: 0,
            loader_id: 0,
            signers_id: 0,
            protection_domain_id: 0,
            kind: ClassKind::Instance,
            fields: Vec::new(),
            statics: Vec::new(),
            dumped: false,
            dump_offset: 0,
            serial: 0,
            instance_size: 0,
            object_size: 0,
            data_len: 0,
            ref_offsets: Vec::new(),
        }
    }

    /// Whether instances are arrays.
    pub fn is_array(&self) -> bool {
        !matches!(self.kind, ClassKind::Instance)
    }
}

/// All classes, with lookup by ID and name.
#[derive(Default)]
pub struct ClassTable {
    /// Classes by index.
    pub classes: Vec<ClassInfo>,
    /// Number of classes that are objects (indices `0..object_count`).
    pub object_count: u32,
    by_id: IdHashMap<u64, u32>,
    by_name: HashMap<String, Vec<u32>>,
    by_serial: IdHashMap<u32, u32>,
}

impl ClassTable {
    /// Builds the table; `classes[..object_count]` are the dumped classes.
    pub fn new(classes: Vec<ClassInfo>, object_count: u32) -> Self {
        let mut by_id = IdHashMap::default();
        let mut by_name: HashMap<String, Vec<u32>> = HashMap::new();
        let mut by_serial = IdHashMap::default();
        for (i, c) in classes.iter().enumerate() {
            if c.dumped {
                by_id.insert(c.id, i as u32);
            }
            if c.serial != 0 {
                by_serial.insert(c.serial, i as u32);
            }
            by_name.entry(c.name.clone()).or_default().push(i as u32);
        }
        ClassTable {
            classes,
            object_count,
            by_id,
            by_name,
            by_serial,
        }
    }

    /// Number of classes.
    pub fn len(&self) -> usize {
        self.classes.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.classes.is_empty()
    }

    /// A class by index.
    pub fn get(&self, index: u32) -> Option<&ClassInfo> {
        self.classes.get(index as usize)
    }

    /// The name of class `index`, or a placeholder.
    pub fn name(&self, index: u32) -> &str {
        self.get(index)
            .map_or("<unknown class>", |c| c.name.as_str())
    }

    /// Index of the dumped class with this object ID.
    pub fn by_id(&self, id: u64) -> Option<u32> {
        self.by_id.get(&id).copied()
    }

    /// Index of the class with this LOAD_CLASS serial (stack frames name classes so).
    pub fn by_serial(&self, serial: u32) -> Option<u32> {
        self.by_serial.get(&serial).copied()
    }

    /// Indices of the classes with this Java name (several loaders may define one name).
    pub fn by_name(&self, name: &str) -> &[u32] {
        self.by_name.get(name).map_or(&[], |v| v.as_slice())
    }

    /// The superclass chain of `index`, starting with the class itself; stops at a cycle.
    pub fn hierarchy(&self, index: u32) -> impl Iterator<Item = u32> + '_ {
        let mut next = Some(index);
        let mut steps = 0usize;
        let limit = self.classes.len();
        std::iter::from_fn(move || {
            let cur = next?;
            steps += 1;
            if steps > limit {
                return None;
            }
            next = self.get(cur).and_then(|c| c.super_index);
            Some(cur)
        })
    }

    /// All classes that are the class named `name` or a subclass of one (bit per class).
    pub fn subclasses_of_name(&self, name: &str) -> Vec<bool> {
        let roots = self.by_name(name);
        let mut out = vec![false; self.classes.len()];
        if roots.is_empty() {
            return out;
        }
        for (i, o) in out.iter_mut().enumerate() {
            *o = self.hierarchy(i as u32).any(|c| roots.contains(&c));
        }
        out
    }

    /// Bytes held (approximate).
    pub fn heap_bytes(&self) -> usize {
        self.classes
            .iter()
            .map(|c| {
                std::mem::size_of::<ClassInfo>()
                    + c.name.capacity()
                    + c.fields.capacity() * std::mem::size_of::<FieldDesc>()
                    + c.statics.capacity() * std::mem::size_of::<StaticField>()
                    + c.ref_offsets.capacity() * 4
            })
            .sum::<usize>()
            + self.by_id.capacity() * 16
            + self.by_name.capacity() * 48
    }
}

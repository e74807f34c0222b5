//! Field values recorded during the references pass for a few chosen classes (and their
//! subclasses), for analyses that need them for many objects: `Reference.referent`,
//! `Finalizer.next`, `TimerTask.state`, `Thread.name`. Reading them later through random
//! access would cost a file read per object.
//!
//! Storage: 16 bytes per captured value (object index u32 + value u64, padded), in index
//! order.

use super::classes::ClassTable;
use super::strings::StringTable;
use crate::format::primitives::{be_uint, id_at};
use crate::format::tags::BasicType;

/// Which fields to capture: fields named `fields`, declared by the class named `class` or
/// its superclasses, in every instance of `class` and its subclasses.
#[derive(Clone, Copy, Debug)]
pub struct CaptureSpec {
    /// Class name (Java form).
    pub class: &'static str,
    /// Field names.
    pub fields: &'static [&'static str],
}

/// Value of a reference field that is null or points outside the dump.
pub const NO_OBJECT: u64 = u64::MAX;

/// One captured field: where it is in the dump data of each class that has it.
#[derive(Clone)]
struct Plan {
    /// key index, byte offset in instance data, type
    fields: Vec<(u16, u32, BasicType)>,
}

/// No plan for a class (`Captures::plan_of`).
const NO_PLAN: u32 = u32::MAX;

/// The captured values.
pub struct Captures {
    keys: Vec<String>,
    plans: Vec<Plan>,
    /// Per class index: its plan in `plans`, or `NO_PLAN` (classes past the end have none).
    plan_of: Vec<u32>,
    values: Vec<Vec<(u32, u64)>>,
}

impl Captures {
    /// Prepares to capture `specs` for the classes of `classes`.
    pub fn new(
        specs: &[CaptureSpec],
        classes: &ClassTable,
        strings: &StringTable,
        id_size: u8,
    ) -> Self {
        let mut keys = Vec::new();
        let mut plans: Vec<Plan> = Vec::new();
        let mut plan_of: Vec<u32> = Vec::new();
        for spec in specs {
            let targets = classes.subclasses_of_name(spec.class);
            let declaring = classes.by_name(spec.class);
            for field in spec.fields {
                let key = keys.len() as u16;
                keys.push(format!("{}.{}", spec.class, field));
                for (ci, is) in targets.iter().enumerate() {
                    if !is {
                        continue;
                    }
                    if let Some((off, ty)) =
                        field_offset(classes, strings, ci as u32, declaring, field, id_size)
                    {
                        if plan_of.len() <= ci {
                            plan_of.resize(ci + 1, NO_PLAN);
                        }
                        let Some(slot) = plan_of.get_mut(ci) else {
                            continue;
                        };
                        if *slot == NO_PLAN {
                            *slot = plans.len() as u32;
                            plans.push(Plan { fields: Vec::new() });
                        }
                        if let Some(p) = plans.get_mut(*slot as usize) {
                            p.fields.push((key, off, ty));
                        }
                    }
                }
            }
        }
        let values = keys.iter().map(|_| Vec::new()).collect();
        Captures {
            keys,
            plans,
            plan_of,
            values,
        }
    }

    /// Records the captured fields of object `obj` of class `class` with dump data `data`
    /// (nothing if its class has none to capture); `resolve` turns IDs into object indices.
    #[inline]
    pub fn record(
        &mut self,
        obj: u32,
        class: u32,
        data: &[u8],
        id_size: u8,
        resolve: impl Fn(u64) -> Option<u32>,
    ) {
        let Some(plan) =
            (self.plan_of.get(class as usize)).and_then(|&p| self.plans.get(p as usize))
        else {
            return;
        };
        for &(key, off, ty) in &plan.fields {
            let sz = ty.size_in_dump(id_size).unwrap_or(0) as usize;
            let Some(b) = data.get(off as usize..off as usize + sz) else {
                continue;
            };
            let v = if ty == BasicType::OBJECT {
                resolve(id_at(b, id_size)).map_or(NO_OBJECT, u64::from)
            } else {
                be_uint(b)
            };
            if let Some(list) = self.values.get_mut(key as usize) {
                list.push((obj, v));
            }
        }
    }

    /// The same plans with no values yet: what one stretch of the file read in parallel
    /// captures, [`Captures::append`]ed in file order afterwards.
    pub fn empty_like(&self) -> Self {
        Captures {
            keys: self.keys.clone(),
            plans: self.plans.clone(),
            plan_of: self.plan_of.clone(),
            values: self.keys.iter().map(|_| Vec::new()).collect(),
        }
    }

    /// Appends the values `later` captured (objects after all of this one's, made by
    /// [`Captures::empty_like`] from the same captures).
    pub fn append(&mut self, later: &mut Captures) {
        for (mine, theirs) in self.values.iter_mut().zip(later.values.iter_mut()) {
            mine.append(theirs);
        }
    }

    fn key(&self, key: &str) -> Option<usize> {
        self.keys.iter().position(|k| k == key)
    }

    /// The value of `key` (`"java.lang.ref.Reference.referent"`) in object `obj`.
    pub fn get(&self, key: &str, obj: u32) -> Option<u64> {
        let list = self.values.get(self.key(key)?)?;
        let i = list.binary_search_by_key(&obj, |&(o, _)| o).ok()?;
        list.get(i).map(|&(_, v)| v)
    }

    /// A reference-valued capture as an object index.
    pub fn get_ref(&self, key: &str, obj: u32) -> Option<u32> {
        self.get(key, obj)
            .filter(|&v| v != NO_OBJECT)
            .map(|v| v as u32)
    }

    /// All (object, value) pairs of `key`, in object order.
    pub fn all(&self, key: &str) -> &[(u32, u64)] {
        self.key(key)
            .and_then(|k| self.values.get(k))
            .map_or(&[], |v| v.as_slice())
    }

    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.values.iter().map(|v| v.capacity() * 16).sum()
    }
}

/// Byte offset and type of the field named `name` in the dump data of instances of
/// `class`: the nearest declaration in one of the `declaring` classes or above them (a
/// subclass field of the same name, like `Finalizer.next` shadowing `Reference.next`, is
/// not it). An empty `declaring` accepts any class.
pub fn field_offset(
    classes: &ClassTable,
    strings: &StringTable,
    class: u32,
    declaring: &[u32],
    name: &str,
    id_size: u8,
) -> Option<(u32, BasicType)> {
    let mut base = 0u32;
    let mut reached = declaring.is_empty();
    for ci in classes.hierarchy(class) {
        reached |= declaring.contains(&ci);
        let c = classes.get(ci)?;
        let mut off = base;
        for f in &c.fields {
            if reached && strings.get(f.name_id).is_some_and(|n| n == name) {
                return Some((off, f.ty));
            }
            off += u32::from(f.ty.size_in_dump(id_size)?);
        }
        base = off;
    }
    None
}

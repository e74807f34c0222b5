//! Duplicate strings (Eclipse MAT's "Group by value" on `java.lang.String`, and the
//! duplicate strings of its leak report): the values that more than one reachable
//! `java.lang.String` holds, with the bytes the copies waste and the fields that hold them.
//!
//! A value is what `String.equals` compares: a JDK ≤ 8 `char[]` (on JDK 6 the range
//! `offset .. offset + count` of it, which several strings may share), or a JDK 9+
//! `byte[]` with its `coder` (0 Latin-1, 1 UTF-16 in the JVM's byte order: little-endian
//! on x86 and ARM; compact strings keep each value in one form, so equal values have equal
//! bytes and coder). Unreachable strings are left out (what the next collection frees
//! wastes nothing), as MAT leaves out unreachable objects.
//!
//! **Wasted bytes** of a value held by `n` strings: what would be freed if one copy were
//! kept and the others' holders pointed to it — the shallow sizes of `n − 1` `String`
//! objects, plus the shallow sizes of the value arrays that only strings of this value
//! use, less the array of the copy kept (none when a copy's array is shared with strings
//! of other values: that copy is kept, and its array is not this value's to free). Strings
//! that share one array (JDK 6) waste no array bytes.
//!
//! Reading the values of millions of strings: which array each reachable `String` holds
//! comes from the referrers graph (no file read); then one forward [`Scan`] over the
//! strings and their arrays in object order reads each string's `coder` (`offset` and
//! `count` on JDK 6) and hashes each value (64 bits) — on JDK 6 an array met before one of
//! its strings is hashed in a second, short sweep. The values whose hash, length and coder
//! more than one string shares are then read again (a last sweep over those arrays only)
//! and compared byte for byte with one kept copy of each value, so a hash collision can
//! never merge two values. Memory while the query runs: 28 bytes per reachable `String`
//! ([`Str`] and its place in object order), plus one copy of each duplicated value; none
//! is kept after it answers.

use super::objects::describe_slot;
use crate::format::primitives::be_uint;
use crate::format::tags::BasicType;
use crate::format::{ByteSource, HprofError};
use crate::graph::Heap;
use crate::model::captures::field_offset;
use crate::model::classes::ClassKind;
use crate::model::hash::IdHashMap;
use crate::model::refs::{Resolver, class_refs, instance_refs};
use crate::model::scan::{Scan, ScanRecord};
use crate::text::hex_id;
use serde::Serialize;
use std::cmp::Reverse;
use std::collections::HashMap;

/// Characters of a value shown (longer values are cut and end with `…`).
pub const MAX_VALUE_CHARS: usize = 200;
/// String objects listed per value.
pub const EXAMPLES: usize = 5;
/// Holders listed per value (most copies first).
pub const MAX_HOLDERS: usize = 10;

/// The duplicate strings of a dump (`heapscope duplicate-strings --json`).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct DuplicateStrings {
    /// Reachable `java.lang.String` objects whose value was read.
    pub strings: u64,
    /// Unreachable `java.lang.String` objects (left out).
    pub unreachable_strings: u64,
    /// Reachable strings whose value could not be read (a null `value`, an array missing
    /// from the dump), left out.
    pub unreadable_strings: u64,
    /// Values counted: those at least this many strings hold.
    pub min_count: u32,
    /// Values held by at least `min_count` strings.
    pub duplicated_values: u64,
    /// Strings holding those values (every copy, the kept one included).
    pub duplicate_strings: u64,
    /// Bytes wasted over all those values (the sum of their `wasted_bytes`).
    pub wasted_bytes: u64,
    /// The values that waste the most, first (at most `top`).
    pub values: Vec<DuplicateValue>,
    /// Values left out of `values`.
    pub more_values: u64,
}

/// One value held by several strings.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct DuplicateValue {
    /// The value, cut after [`MAX_VALUE_CHARS`] characters (then ending with `…`).
    pub value: String,
    /// Its full length in characters (UTF-16 code units, Java's `String.length()`).
    pub length: u64,
    /// Strings holding it.
    pub count: u64,
    /// `string_bytes` + `array_bytes`.
    pub wasted_bytes: u64,
    /// Shallow bytes of every copy's `String` object but the kept one's.
    pub string_bytes: u64,
    /// Shallow bytes of the value arrays only this value's strings use, less the kept
    /// copy's (all of them when a copy's array is shared with other values' strings).
    pub array_bytes: u64,
    /// Distinct value arrays among the copies.
    pub value_arrays: u64,
    /// What holds the copies: one entry per referring class and field, most first.
    pub holders: Vec<StringHolder>,
    /// Holder entries left out of `holders`.
    pub more_holders: u64,
    /// The first copies' object IDs (at most [`EXAMPLES`], in object order).
    pub objects: Vec<String>,
}

/// A class and field that refers to copies of a value.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldRef {
    /// The referring object's class (`class Name` for a class object's static).
    pub class: String,
    /// The field (`static NAME` for a static, `[]` for any array element, `<Java local>`
    /// for a thread's frame; the GC root kinds for a copy only GC roots hold).
    pub field: String,
}

/// Copies of a value held through one field.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct StringHolder {
    /// The referring class and field.
    #[serde(flatten)]
    pub holder: FieldRef,
    /// When the referrer is an array: what holds the array (its first referrer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub array_held_by: Option<FieldRef>,
    /// References from this holder to the copies (a copy two objects hold counts twice).
    pub count: u64,
}

/// Per reachable `String` while the query runs: 24 bytes.
#[derive(Clone, Copy, Debug)]
struct Str {
    /// The `String` object.
    obj: u32,
    /// Its value array (`NONE`: unreadable, left out).
    arr: u32,
    /// First character in the array (JDK 6), with the [`UTF16`] and [`READ`] flags; once
    /// hashed, the value's first byte in the array's element bytes.
    off: u32,
    /// Length in characters from `count` (`WHOLE` without one); once hashed, the value's
    /// length in bytes.
    len: u32,
    /// The value's hash; then the candidate run; then the value's group (`NO_GROUP`: its
    /// value no other string holds).
    key: u64,
}

const NONE: u32 = u32::MAX;
const WHOLE: u32 = u32::MAX;
/// `Str::off`: a `byte[]` value in UTF-16 (coder 1).
const UTF16: u32 = 1 << 31;
/// `Str::off`: the `String`'s record was read.
const READ: u32 = 1 << 30;
const OFFSET: u32 = READ - 1;
const NO_GROUP: u64 = u64::MAX;

/// Where a `String` class keeps what the value needs, in its instances' dump data.
#[derive(Clone, Copy, Debug)]
struct Layout {
    coder: Option<usize>,
    offset: Option<usize>,
    count: Option<usize>,
}

fn layout(heap: &Heap, class: u32) -> Option<Layout> {
    let classes = &heap.index.classes;
    let strings = &heap.index.strings;
    let id_size = heap.index.header.id_size;
    let at = |name: &str, ty: BasicType| {
        field_offset(classes, strings, class, &[], name, id_size)
            .filter(|&(_, t)| t == ty)
            .map(|(o, _)| o as usize)
    };
    at("value", BasicType::OBJECT)?;
    Some(Layout {
        coder: at("coder", BasicType::BYTE),
        offset: at("offset", BasicType::INT),
        count: at("count", BasicType::INT),
    })
}

/// How a value's bytes are characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
enum Enc {
    /// `char[]`, big-endian in the dump.
    #[default]
    Chars,
    /// `byte[]`, coder 0.
    Latin1,
    /// `byte[]`, coder 1: UTF-16 in the JVM's byte order (little-endian).
    Utf16,
}

impl Enc {
    fn of(elem: BasicType, off: u32) -> Option<Enc> {
        match elem {
            BasicType::CHAR => Some(Enc::Chars),
            BasicType::BYTE if off & UTF16 != 0 => Some(Enc::Utf16),
            BasicType::BYTE => Some(Enc::Latin1),
            _ => None,
        }
    }

    fn width(self) -> usize {
        if self == Enc::Latin1 { 1 } else { 2 }
    }

    /// The characters (UTF-16 code units) of value bytes.
    fn units(self, bytes: &[u8]) -> Vec<u16> {
        match self {
            Enc::Latin1 => bytes.iter().map(|&b| u16::from(b)).collect(),
            Enc::Chars => bytes
                .chunks_exact(2)
                .map(|c| {
                    u16::from_be_bytes([
                        c.first().copied().unwrap_or(0),
                        c.last().copied().unwrap_or(0),
                    ])
                })
                .collect(),
            Enc::Utf16 => bytes
                .chunks_exact(2)
                .map(|c| {
                    u16::from_le_bytes([
                        c.first().copied().unwrap_or(0),
                        c.last().copied().unwrap_or(0),
                    ])
                })
                .collect(),
        }
    }
}

/// Where `s`'s value lies in its array's element bytes `data`, in bytes (`None`: not a
/// string's array, or `offset`/`count` outside it). Without `offset` and `count` the value
/// is the whole array, whatever the coder.
fn value_range(s: &Str, elem: BasicType, data: &[u8]) -> Option<(usize, usize)> {
    let width = Enc::of(elem, s.off)?.width();
    let from = (s.off & OFFSET) as usize * width;
    let to = if s.len == WHOLE {
        data.len()
    } else {
        from.checked_add(s.len as usize * width)?
    };
    (from <= to && to <= data.len()).then_some((from, to))
}

/// The value bytes of a hashed `s` (whose `off` and `len` are then in bytes).
fn hashed_bytes<'d>(s: &Str, data: &'d [u8]) -> &'d [u8] {
    let from = (s.off & OFFSET) as usize;
    data.get(from..from + s.len as usize).unwrap_or(&[])
}

/// A 64-bit hash of bytes: eight at a time through a multiply-rotate chain, then
/// MurmurHash3's finalizer with the length.
fn hash_bytes(b: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = 0x2545_F491_4F6C_DD1D_u64;
    let mut words = b.chunks_exact(8);
    for w in &mut words {
        let mut x = [0u8; 8];
        x.copy_from_slice(w);
        h = (h ^ u64::from_le_bytes(x)).wrapping_mul(K).rotate_left(29);
    }
    let rest = words.remainder();
    if !rest.is_empty() {
        let mut x = [0u8; 8];
        if let Some(to) = x.get_mut(..rest.len()) {
            to.copy_from_slice(rest);
        }
        h = (h ^ u64::from_le_bytes(x)).wrapping_mul(K).rotate_left(29);
    }
    let mut x = h ^ b.len() as u64;
    x ^= x >> 33;
    x = x.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    x ^= x >> 33;
    x = x.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    x ^= x >> 33;
    x
}

/// Hashes the values of the strings `run` (all of one array) from its record, and makes
/// each one's `off` and `len` the byte range of its value; a string whose value is not
/// there is marked unreadable.
fn hash_run(run: &mut [Str], rec: ScanRecord<'_>) {
    for s in run.iter_mut() {
        let (range, data) = match rec {
            ScanRecord::PrimArray { elem, data, .. } => (value_range(s, elem, data), data),
            _ => (None, &[][..]),
        };
        let fits = range.and_then(|(a, b)| {
            Some((
                u32::try_from(a).ok().filter(|&a| a <= OFFSET)?,
                u32::try_from(b - a).ok()?,
                data.get(a..b)?,
            ))
        });
        match fits {
            Some((from, n, bytes)) => {
                s.key = hash_bytes(bytes);
                s.off = (s.off & !OFFSET) | from;
                s.len = n;
            }
            None => s.arr = NONE,
        }
    }
}

/// One value's tally.
#[derive(Clone, Debug)]
struct Group {
    count: u64,
    strings_sum: u64,
    string_min: u64,
    /// Arrays only this value's strings use: their bytes, the smallest, how many.
    own_sum: u64,
    own_min: u64,
    own: u64,
    /// Arrays shared with other values' strings.
    shared: u64,
    /// How its bytes are characters.
    enc: Enc,
    /// Where its bytes are kept: (run, position among that run's values).
    rep: (u32, u32),
}

impl Group {
    fn string_bytes(&self) -> u64 {
        self.strings_sum.saturating_sub(self.string_min)
    }
    fn array_bytes(&self) -> u64 {
        if self.shared > 0 {
            self.own_sum
        } else {
            self.own_sum.saturating_sub(self.own_min)
        }
    }
    fn wasted(&self) -> u64 {
        self.string_bytes() + self.array_bytes()
    }
}

/// Finds the values at least `min_count` (≥ 2) reachable strings hold; the `top` that
/// waste the most are listed with their holders.
pub fn duplicate_strings(
    heap: &Heap,
    src: &mut dyn ByteSource,
    min_count: u32,
    top: usize,
) -> Result<DuplicateStrings, HprofError> {
    let min_count = min_count.max(2);
    let classes = &heap.index.classes;
    let first = classes.object_count;
    let id_size = heap.index.header.id_size;
    // Per class: its String layout, or whether it is char[] / byte[] (1 byte per class).
    let layouts: Vec<(u32, Layout)> = classes
        .by_name("java.lang.String")
        .iter()
        .filter_map(|&c| layout(heap, c).map(|l| (c, l)))
        .collect();
    const OTHER: u8 = 0;
    const STRING: u8 = 1;
    const CHARS: u8 = 2;
    let mut tag = vec![OTHER; classes.len()];
    for (c, info) in classes.classes.iter().enumerate() {
        if matches!(
            info.kind,
            ClassKind::PrimArray(BasicType::CHAR | BasicType::BYTE)
        ) && let Some(t) = tag.get_mut(c)
        {
            *t = CHARS;
        }
    }
    for &(c, _) in &layouts {
        if let Some(t) = tag.get_mut(c as usize) {
            *t = STRING;
        }
    }
    let tag_of = |x: u32| tag.get(heap.class_of(x) as usize).copied().unwrap_or(OTHER);
    let sized_by_count = layouts
        .iter()
        .any(|(_, l)| l.offset.is_some() || l.count.is_some());

    // Which array each reachable String holds, from the referrers graph: the Strings
    // among each char[] / byte[]'s referrers. In array order.
    let mut reachable = 0u64;
    let mut unreachable = 0u64;
    let instances: u64 = layouts
        .iter()
        .filter_map(|&(c, _)| heap.index.counts.get(c as usize))
        .map(|k| k.count)
        .sum();
    let mut strs: Vec<Str> = Vec::with_capacity(usize::try_from(instances).unwrap_or(0));
    let objects = heap.objects();
    for x in objects.class_objects..objects.len() as u32 {
        match (tag_of(x), heap.pre(x)) {
            (STRING, Some(_)) => reachable += 1,
            (STRING, None) => unreachable += 1,
            (CHARS, Some(p)) => heap.dom.referrers.for_each(p, |q| {
                if let Some(&o) = heap.dom.vertex.get(q as usize)
                    && q != 0
                    && tag_of(o) == STRING
                {
                    strs.push(Str {
                        obj: o,
                        arr: x,
                        off: 0,
                        len: WHOLE,
                        key: 0,
                    });
                }
            }),
            _ => {}
        }
    }
    strs.sort_unstable_by_key(|s| (s.arr, s.obj));
    strs.dedup_by_key(|s| (s.arr, s.obj));

    // One sweep over the strings and their arrays in object order: each string's coder
    // (and offset and count), each value's hash.
    let mut by_obj: Vec<u32> = (0..strs.len() as u32).collect();
    by_obj.sort_unstable_by_key(|&i| strs.get(i as usize).map_or(0, |s| s.obj));
    let mut deferred: Vec<(usize, usize)> = Vec::new();
    {
        let mut scan = Scan::new(src, &heap.index.files, id_size);
        let (mut i, mut j) = (0usize, 0usize);
        loop {
            let next_arr = strs.get(i).map(|s| s.arr);
            let next_str = by_obj
                .get(j)
                .and_then(|&p| strs.get(p as usize))
                .map(|s| s.obj);
            match (next_arr, next_str) {
                (Some(a), s) if s.is_none_or(|s| a < s) => {
                    let n = strs
                        .get(i..)
                        .map_or(0, |r| r.iter().take_while(|s| s.arr == a).count());
                    let Some(run) = strs.get_mut(i..i + n) else {
                        break;
                    };
                    if sized_by_count && run.iter().any(|s| s.off & READ == 0) {
                        // JDK 6: a string after its array; hashed in the next sweep.
                        deferred.push((i, i + n));
                    } else {
                        hash_run(run, scan.record(u64::from(a - first), u64::MAX)?);
                    }
                    i += n;
                }
                (_, Some(o)) => {
                    let Some(&p) = by_obj.get(j) else {
                        break;
                    };
                    j += 1;
                    let l = layouts
                        .iter()
                        .find(|&&(c, _)| c == heap.class_of(o))
                        .map(|&(_, l)| l);
                    let (Some(l), ScanRecord::Instance { data, .. }) =
                        (l, scan.record(u64::from(o - first), 0)?)
                    else {
                        continue;
                    };
                    let field = |at: Option<usize>, n: usize| {
                        at.and_then(|a| data.get(a..a + n)).map(be_uint)
                    };
                    let utf16 = field(l.coder, 1).is_some_and(|c| c != 0);
                    let off = field(l.offset, 4).map_or(0, |v| (v as u32).min(OFFSET));
                    let len = field(l.count, 4).map_or(WHOLE, |v| (v as u32).min(WHOLE - 1));
                    if let Some(s) = strs.get_mut(p as usize) {
                        s.off = off | READ | if utf16 { UTF16 } else { 0 };
                        if l.count.is_some() {
                            // (Else its array may have been hashed already: `len` is set.)
                            s.len = len;
                        }
                    }
                }
                _ => break,
            }
        }
    }
    if !deferred.is_empty() {
        let mut scan = Scan::new(src, &heap.index.files, id_size);
        for (a, b) in deferred {
            let Some(run) = strs.get_mut(a..b) else {
                continue;
            };
            let Some(arr) = run.first().map(|s| s.arr) else {
                continue;
            };
            hash_run(run, scan.record(u64::from(arr - first), u64::MAX)?);
        }
    }
    drop(by_obj);
    strs.retain(|s| s.arr != NONE && s.off & READ != 0);
    let read = strs.len() as u64;
    let unreadable = reachable.saturating_sub(read);

    // Candidates: strings whose (length, hash, coder) another string shares; `key`
    // becomes the run's number.
    strs.sort_unstable_by_key(|s| (s.len, s.key, s.off & UTF16));
    let mut runs = 0u64;
    for run in
        strs.chunk_by_mut(|a, b| a.len == b.len && a.key == b.key && a.off & UTF16 == b.off & UTF16)
    {
        let key = if run.len() > 1 {
            runs += 1;
            runs - 1
        } else {
            NO_GROUP
        };
        for s in run.iter_mut() {
            s.key = key;
        }
    }

    // The candidates' bytes against one kept copy of each value of their run; `key`
    // becomes the value's group. Array by array: which arrays only one value uses.
    strs.sort_unstable_by_key(|s| (s.arr, s.off & OFFSET, s.obj));
    // Per run: (group, bytes) of each value met in it (one, unless hashes collide).
    let mut values: Vec<Vec<(u32, Vec<u8>)>> = Vec::new();
    values.resize_with(usize::try_from(runs).unwrap_or(0), Vec::new);
    let mut groups: Vec<Group> = Vec::new();
    {
        let mut scan = Scan::new(src, &heap.index.files, id_size);
        let mut in_arr: Vec<u64> = Vec::new();
        for run in strs.chunk_by_mut(|a, b| a.arr == b.arr) {
            let Some(arr) = run.first().map(|s| s.arr) else {
                continue;
            };
            if run.iter().all(|s| s.key == NO_GROUP) {
                continue;
            }
            let ScanRecord::PrimArray { elem, data, .. } =
                scan.record(u64::from(arr - first), u64::MAX)?
            else {
                continue;
            };
            for s in run.iter_mut().filter(|s| s.key != NO_GROUP) {
                let bytes = hashed_bytes(s, data);
                let Some(known) = values.get_mut(s.key as usize) else {
                    continue;
                };
                let g = match known.iter().find(|(_, v)| v.as_slice() == bytes) {
                    Some(&(g, _)) => g,
                    None => {
                        let g = groups.len() as u32;
                        groups.push(Group {
                            count: 0,
                            strings_sum: 0,
                            string_min: u64::MAX,
                            own_sum: 0,
                            own_min: u64::MAX,
                            own: 0,
                            shared: 0,
                            enc: Enc::of(elem, s.off).unwrap_or_default(),
                            rep: (s.key as u32, known.len() as u32),
                        });
                        known.push((g, bytes.to_vec()));
                        g
                    }
                };
                s.key = u64::from(g);
            }
            // The array's bytes are this value's to free only if no other value's string
            // uses it.
            in_arr.clear();
            in_arr.extend(run.iter().map(|s| s.key));
            in_arr.sort_unstable();
            in_arr.dedup();
            let array_bytes = heap.shallow(arr);
            let only = match in_arr.as_slice() {
                &[g] => Some(g),
                _ => None,
            };
            for &g in &in_arr {
                let Some(gr) = groups.get_mut(g as usize) else {
                    continue;
                };
                if only == Some(g) {
                    gr.own += 1;
                    gr.own_sum += array_bytes;
                    gr.own_min = gr.own_min.min(array_bytes);
                } else {
                    gr.shared += 1;
                }
            }
            for s in run.iter() {
                if let Some(gr) = groups.get_mut(s.key as usize) {
                    let b = heap.shallow(s.obj);
                    gr.count += 1;
                    gr.strings_sum += b;
                    gr.string_min = gr.string_min.min(b);
                }
            }
        }
    }

    // The values counted, most wasted first.
    let bytes_of = |g: &Group| {
        values
            .get(g.rep.0 as usize)
            .and_then(|v| v.get(g.rep.1 as usize))
            .map_or(&[][..], |(_, c)| c.as_slice())
    };
    let mut order: Vec<u32> = (0..groups.len() as u32)
        .filter(|&g| {
            groups
                .get(g as usize)
                .is_some_and(|x| x.count >= u64::from(min_count))
        })
        .collect();
    order.sort_by(|&a, &b| {
        let (Some(x), Some(y)) = (groups.get(a as usize), groups.get(b as usize)) else {
            return a.cmp(&b);
        };
        (Reverse(x.wasted()), Reverse(x.count), bytes_of(x)).cmp(&(
            Reverse(y.wasted()),
            Reverse(y.count),
            bytes_of(y),
        ))
    });
    let counted: Vec<&Group> = order
        .iter()
        .filter_map(|&g| groups.get(g as usize))
        .collect();
    let duplicated_values = counted.len() as u64;
    let duplicate_strings = counted.iter().map(|g| g.count).sum();
    let wasted_bytes = counted.iter().map(|g| g.wasted()).sum();

    // The listed values' copies, in object order.
    let shown: Vec<u32> = order.iter().take(top).copied().collect();
    let rank: IdHashMap<u32, usize> = shown.iter().enumerate().map(|(i, &g)| (g, i)).collect();
    let mut copies: Vec<Vec<u32>> = vec![Vec::new(); shown.len()];
    for s in &strs {
        if let Some(c) = u32::try_from(s.key)
            .ok()
            .and_then(|g| rank.get(&g))
            .and_then(|&r| copies.get_mut(r))
        {
            c.push(s.obj);
        }
    }
    drop(strs);
    for c in &mut copies {
        c.sort_unstable();
    }
    let holders = holders(heap, src, &copies)?;

    let values_out = shown
        .iter()
        .zip(copies.iter().zip(holders))
        .filter_map(|(&g, (copies, mut held))| {
            let gr = groups.get(g as usize)?;
            let chars = gr.enc.units(bytes_of(gr));
            let more_holders = held.len().saturating_sub(MAX_HOLDERS) as u64;
            held.truncate(MAX_HOLDERS);
            Some(DuplicateValue {
                value: shorten(&chars, MAX_VALUE_CHARS),
                length: chars.len() as u64,
                count: gr.count,
                wasted_bytes: gr.wasted(),
                string_bytes: gr.string_bytes(),
                array_bytes: gr.array_bytes(),
                value_arrays: gr.own + gr.shared,
                holders: held,
                more_holders,
                objects: copies
                    .iter()
                    .take(EXAMPLES)
                    .map(|&o| hex_id(heap.id_of(o)))
                    .collect(),
            })
        })
        .collect();
    Ok(DuplicateStrings {
        strings: read,
        unreachable_strings: unreachable,
        unreadable_strings: unreadable,
        min_count,
        duplicated_values,
        duplicate_strings,
        wasted_bytes,
        values: values_out,
        more_values: duplicated_values.saturating_sub(top as u64),
    })
}

/// At most `max` characters of `chars` (a surrogate pair is not split), with `…` when cut.
fn shorten(chars: &[u16], max: usize) -> String {
    if chars.len() <= max {
        return String::from_utf16_lossy(chars);
    }
    let mut end = max;
    if chars
        .get(end.wrapping_sub(1))
        .is_some_and(|&u| (0xD800..0xDC00).contains(&u))
    {
        end -= 1;
    }
    let mut s = String::from_utf16_lossy(chars.get(..end).unwrap_or(&[]));
    s.push('…');
    s
}

/// What an object is, for naming its references.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    ClassObject,
    Instance,
    ObjArray,
    PrimArray,
}

fn kind(heap: &Heap, obj: u32) -> Kind {
    if obj < heap.index.classes.object_count {
        return Kind::ClassObject;
    }
    match heap.class_info(obj).map(|c| c.kind) {
        Some(ClassKind::ObjArray) => Kind::ObjArray,
        Some(ClassKind::PrimArray(_)) => Kind::PrimArray,
        _ => Kind::Instance,
    }
}

/// The field through which class object `class` refers to `to` (no file read: statics,
/// loader and the like are in the class table).
fn class_field(heap: &Heap, class: u32, to: u32) -> String {
    let r = Resolver::new(heap.objects(), &heap.index.classes);
    let mut slot = None;
    class_refs(&r, class, heap.class_of(class), |s, _, t| {
        if slot.is_none() && t == Some(to) {
            slot = Some(s);
        }
    });
    slot.map_or_else(|| "?".into(), |s| describe_slot(heap, class, s))
}

/// The holders of each value's `copies` (each list in object order): per referring class
/// and field (for an array, also what holds the array), the references to the copies,
/// most first. Instances' fields are named from their records, read in one sweep.
fn holders(
    heap: &Heap,
    src: &mut dyn ByteSource,
    copies: &[Vec<u32>],
) -> Result<Vec<Vec<StringHolder>>, HprofError> {
    let first = heap.index.classes.object_count;
    let id_size = heap.index.header.id_size;
    // Per value, its (referrer, copy) references; a copy no object refers to is held by
    // GC roots only (`NONE`).
    let mut edges: Vec<Vec<(u32, u32)>> = Vec::with_capacity(copies.len());
    // Instance references whose field is read from the referrer's record.
    let mut need: Vec<(u32, u32)> = Vec::new();
    // Array referrers → their first referrer.
    let mut arrays: IdHashMap<u32, Option<u32>> = IdHashMap::default();
    for cs in copies {
        let mut e = Vec::new();
        for &c in cs {
            let refs = heap.referrers(c);
            if refs.is_empty() {
                e.push((NONE, c));
            }
            for r in refs {
                e.push((r, c));
                match kind(heap, r) {
                    Kind::Instance => need.push((r, c)),
                    Kind::ObjArray => {
                        arrays.entry(r).or_insert_with(|| {
                            let p = heap.referrers(r).first().copied();
                            if let Some(p) = p.filter(|&p| kind(heap, p) == Kind::Instance) {
                                need.push((p, r));
                            }
                            p
                        });
                    }
                    Kind::ClassObject | Kind::PrimArray => {}
                }
            }
        }
        edges.push(e);
    }
    need.sort_unstable();
    need.dedup();
    let mut names: HashMap<(u32, u32), String> = HashMap::with_capacity(need.len());
    {
        let resolver = Resolver::new(heap.objects(), &heap.index.classes);
        let mut scan = Scan::new(src, &heap.index.files, id_size);
        for run in need.chunk_by(|a, b| a.0 == b.0) {
            let Some(&(from, _)) = run.first() else {
                continue;
            };
            if let ScanRecord::Instance { data, .. } = scan.record(u64::from(from - first), 0)? {
                instance_refs(
                    &resolver,
                    heap.class_of(from),
                    data,
                    id_size,
                    |slot, _, t| {
                        if let Some(t) = t
                            && run.iter().any(|&(_, to)| to == t)
                        {
                            names
                                .entry((from, t))
                                .or_insert_with(|| describe_slot(heap, from, slot));
                        }
                    },
                );
            }
            for &(_, to) in run {
                if !names.contains_key(&(from, to)) && heap.roots.locals_of(from).contains(&to) {
                    names.insert((from, to), "<Java local>".into());
                }
            }
        }
    }
    let field = |from: u32, to: u32| FieldRef {
        class: heap.describe_class(from),
        field: match kind(heap, from) {
            Kind::ClassObject => class_field(heap, from, to),
            Kind::ObjArray | Kind::PrimArray => "[]".into(),
            Kind::Instance => names
                .get(&(from, to))
                .cloned()
                .unwrap_or_else(|| "?".into()),
        },
    };
    let mut out = Vec::with_capacity(edges.len());
    for e in edges {
        let mut tally: HashMap<(FieldRef, Option<FieldRef>), u64> = HashMap::new();
        for (r, c) in e {
            let key = if r == NONE {
                let mut kinds: Vec<&str> = heap.roots_of(c).iter().map(|x| x.kind.name()).collect();
                kinds.sort_unstable();
                kinds.dedup();
                let held = FieldRef {
                    class: "<GC root>".into(),
                    field: kinds.join(", "),
                };
                (held, None)
            } else {
                let via = match kind(heap, r) {
                    Kind::ObjArray => arrays.get(&r).copied().flatten().map(|p| field(p, r)),
                    _ => None,
                };
                (field(r, c), via)
            };
            *tally.entry(key).or_insert(0) += 1;
        }
        let mut held: Vec<StringHolder> = tally
            .into_iter()
            .map(|((holder, array_held_by), count)| StringHolder {
                holder,
                array_held_by,
                count,
            })
            .collect();
        held.sort_by(|a, b| {
            (Reverse(a.count), &a.holder, &a.array_held_by).cmp(&(
                Reverse(b.count),
                &b.holder,
                &b.array_held_by,
            ))
        });
        out.push(held);
    }
    Ok(out)
}

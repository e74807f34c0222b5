//! The retained set of several objects (Eclipse MAT's "Show Retained Set" and "precise
//! retained size"): every object a garbage collection would free if all the given objects
//! went — the reachable objects that no path from the GC roots reaches without passing
//! through one of them (the given objects included).
//!
//! For one object that is its subtree in the dominator tree, and its size the object's
//! retained size. For several it can be more than the union of their subtrees (MAT's
//! *minimum* retained size, what the histogram's retained column adds up): an object that
//! two of them hold, and nothing else, is dominated by neither, yet goes when both go.
//!
//! Method: mark from the super-root (every GC root) without entering a given object; every
//! reachable object left unmarked is in the set. The heap keeps only the reverse graph, so
//! the marking first transposes it into forward adjacency for this one question and frees
//! it afterwards. Objects already known to be in the set — the given objects and what they
//! dominate, found by one sweep of `idom` — are left out of the forward graph: no path from
//! a root avoiding the given objects reaches them.
//!
//! Memory while it runs: 4 B per reachable object (the forward graph's offsets) + 4 B per
//! reference kept (its entries) + up to 4 B per reachable object (the marking's stack) +
//! 2 bits per reachable object (two bit sets). A single object needs only the sweep (the
//! bits). What the answer keeps is one bit per reachable object ([`RetainedSet`]).
//!
//! Instances' references to a GC-root class are not in the reverse graph (see
//! [`super::refs`]), so not in the forward graph either; the marking is exact without
//! them: such a class is either not given, and then marked from the super-root directly
//! (it is a GC root), or given, and then never entered. Either way an edge into it changes
//! no mark.

use super::Heap;
use super::dominators::NONE;
use crate::model::bits::{empty as bitset, get, ones, set as set_bit};
use crate::model::csr::{Chunked, Csr};

/// A set of objects in the heap's preorder space: one bit per reachable object.
#[derive(Clone, Debug, Default)]
pub struct RetainedSet {
    /// Bit `p` set: preorder vertex `p` is in the set (bit 0, the super-root, never is).
    bits: Vec<u64>,
    /// Objects in the set.
    pub objects: u64,
    /// Their shallow bytes: the precise retained size.
    pub bytes: u64,
    /// Given objects that are reachable (only those can be in the set: the others are
    /// garbage already).
    pub given_reachable: u64,
    /// The minimum retained size: the retained sizes of the reachable given objects that
    /// no other given object dominates (the union of their dominator subtrees).
    pub minimum_bytes: u64,
}

impl RetainedSet {
    /// Whether object `obj` is in the set.
    pub fn contains(&self, heap: &Heap, obj: u32) -> bool {
        heap.pre(obj).is_some_and(|p| get(&self.bits, p))
    }

    /// The objects in the set, in preorder.
    pub fn iter<'a>(&'a self, heap: &'a Heap) -> impl Iterator<Item = u32> + 'a {
        ones(&self.bits).filter_map(|p| heap.dom.vertex.get(p as usize).copied())
    }
}

/// The given objects (reachable ones, deduplicated) as a bit set over preorder vertices,
/// and how many there are.
fn given_bits(heap: &Heap, objects: &[u32]) -> (Vec<u64>, u64) {
    let mut given = bitset(heap.dom.vertex.len());
    let mut count = 0;
    for &o in objects {
        if let Some(p) = heap.pre(o)
            && !get(&given, p)
        {
            set_bit(&mut given, p);
            count += 1;
        }
    }
    (given, count)
}

/// The given objects and everything one of them dominates, by one sweep in preorder (a
/// vertex's immediate dominator comes before it); the minimum retained size on the way.
/// `given` becomes that set.
fn dominated(heap: &Heap, given: &mut [u64]) -> u64 {
    let idom = &heap.dom.idom;
    let mut minimum = 0;
    for (p, &d) in idom.iter().enumerate().skip(1) {
        let p = p as u32;
        let under = d != 0 && get(given, d);
        if under {
            set_bit(given, p);
        } else if get(given, p) {
            // A given object no other given object dominates.
            minimum += heap.dom.retained.get(p);
        }
    }
    minimum
}

/// The minimum retained size of several objects: the retained sizes of the reachable
/// given objects that no other given object dominates, so that every object counts once
/// (what the histogram's retained column is for a class). A lower bound of
/// [`retained_set`]'s bytes, found by one sweep of `idom`: a bit per reachable object
/// while it runs.
pub fn minimum_retained(heap: &Heap, objects: &[u32]) -> u64 {
    let (mut bits, _) = given_bits(heap, objects);
    dominated(heap, &mut bits)
}

/// The bytes of memory [`retained_set`] needs for `given` reachable objects beyond the
/// answer's bit set (0 for one object): the forward graph (at most 4 B per reachable
/// object and per reference of the reverse graph), the marking's stack and bit set.
pub fn working_bytes(heap: &Heap, given: u64) -> u64 {
    if given <= 1 {
        return 0;
    }
    let n = heap.dom.vertex.len() as u64;
    4 * (n + 1) + 4 * heap.dom.referrers.len() + 4 * n + n.div_ceil(8)
}

/// Everything a GC would free if all of `objects` went (see the module doc). Unreachable
/// objects among them are ignored (they are garbage already); duplicates count once.
pub fn retained_set(heap: &Heap, objects: &[u32]) -> RetainedSet {
    let (mut bits, given) = given_bits(heap, objects);
    let minimum = dominated(heap, &mut bits);
    if given > 1 {
        mark_rest(heap, &mut bits);
    }
    finish(heap, bits, given, minimum)
}

/// [`retained_set`] by marking whatever the number of objects (for one object the sweep of
/// the dominator tree suffices; tests compare the two).
pub fn retained_set_by_marking(heap: &Heap, objects: &[u32]) -> RetainedSet {
    let (mut bits, given) = given_bits(heap, objects);
    let minimum = dominated(heap, &mut bits);
    if given > 0 {
        mark_rest(heap, &mut bits);
    }
    finish(heap, bits, given, minimum)
}

fn finish(heap: &Heap, bits: Vec<u64>, given: u64, minimum: u64) -> RetainedSet {
    let mut objects = 0;
    let mut bytes = 0;
    for p in ones(&bits) {
        if let Some(&x) = heap.dom.vertex.get(p as usize) {
            objects += 1;
            bytes += heap.shallow(x);
        }
    }
    RetainedSet {
        bits,
        objects,
        bytes,
        given_reachable: given,
        minimum_bytes: minimum,
    }
}

/// Adds to `set` (the given objects and what they dominate) every other reachable object
/// that the marking from the GC roots around `set` does not reach.
fn mark_rest(heap: &Heap, set: &mut [u64]) {
    let n = heap.dom.vertex.len();
    let mut marked = bitset(n);
    let mut stack: Vec<u32> = Vec::new();
    {
        let fwd = forward_outside(heap, set, &mut |root| {
            if !get(&marked, root) {
                set_bit_and_push(&mut marked, &mut stack, root);
            }
        });
        while let Some(v) = stack.pop() {
            fwd.for_each(v, |w| {
                if !get(&marked, w) {
                    set_bit(&mut marked, w);
                    stack.push(w);
                }
            });
        }
        // The forward graph goes here.
    }
    // Reachable and not marked: in the set.
    for (s, m) in set.iter_mut().zip(&marked) {
        *s |= !m;
    }
    // Bit 0 (the super-root) and the bits past the last vertex are not objects.
    if let Some(w) = set.first_mut() {
        *w &= !1;
    }
    let tail = n % 64;
    if tail != 0
        && let Some(w) = set.last_mut()
    {
        *w &= (1u64 << tail) - 1;
    }
}

fn set_bit_and_push(bits: &mut [u64], stack: &mut Vec<u32>, v: u32) {
    set_bit(bits, v);
    stack.push(v);
}

/// The forward graph between vertices outside `inside`, transposed from the referrers
/// graph (preorder space); `root` is called for each vertex outside `inside` that the
/// super-root refers to. Two passes over the referrers: count per source, then fill.
fn forward_outside(heap: &Heap, inside: &[u64], root: &mut dyn FnMut(u32)) -> Csr {
    let rev = &heap.dom.referrers;
    let n = heap.dom.vertex.len();
    let outside = |v: u32| v < n as u32 && !get(inside, v);
    // offsets[q + 1] counts q's edges, then running sums make offsets[q] the start.
    let mut offsets = vec![0u32; n + 1];
    for w in 0..n as u32 {
        if !outside(w) {
            continue;
        }
        rev.for_each(w, |q| {
            if q == 0 {
                root(w);
            } else if q != NONE
                && outside(q)
                && let Some(c) = offsets.get_mut(q as usize + 1)
            {
                *c += 1;
            }
        });
    }
    let mut total = 0u32;
    for o in offsets.iter_mut() {
        total = total.saturating_add(*o);
        *o = total;
    }
    // Fill with offsets[q] as q's cursor (it moves to q + 1's start), then shift back.
    let mut entries = Chunked::new().recycle(u64::from(total));
    for w in 0..n as u32 {
        if !outside(w) {
            continue;
        }
        rev.for_each(w, |q| {
            if q != 0
                && outside(q)
                && let Some(c) = offsets.get_mut(q as usize)
            {
                entries.set(u64::from(*c), w);
                *c += 1;
            }
        });
    }
    for i in (1..=n).rev() {
        let prev = offsets.get(i - 1).copied().unwrap_or(0);
        if let Some(o) = offsets.get_mut(i) {
            *o = prev;
        }
    }
    if let Some(o) = offsets.first_mut() {
        *o = 0;
    }
    Csr { offsets, entries }
}

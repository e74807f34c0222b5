//! The dominator tree and retained sizes.
//!
//! A virtual super-root points to every GC root; object `x` dominates `y` when every path
//! from the super-root to `y` passes through `x`. Every reference counts, including
//! `Reference.referent` (Eclipse MAT's default). Objects the super-root does not reach are
//! left out of the tree and reported separately.
//!
//! Algorithm: Semi-NCA (Georgiadis; as in LLVM's `SemiNCAInfo`), iterative throughout:
//! 1. [`dfs`] numbers the reachable objects in depth-first preorder over the forward
//!    graph (explicit stack, a bitmap of the objects seen), recording each one's DFS
//!    parent, then counts each one's referrers to size the reverse graph. The forward
//!    graph is then dropped.
//! 2. The reverse graph is built by streaming the dump once more ([`ReverseSink`]),
//!    directly in preorder numbering, in the forward graph's memory: the two never
//!    coexist.
//! 3. [`semi_nca_in`]: semidominators in reverse preorder with path-compressed `eval`
//!    (explicit stack), then immediate dominators as nearest common ancestors.
//! 4. [`retained_sizes_in`]: one sweep in reverse preorder adds each object's retained size
//!    to its immediate dominator.
//!
//! Memory schedule, per object (`N`) and per reference (`E`), with the object table
//! (class, size, ID map: 6–9 B, counted as 11 below) alive throughout. Arrays whose job is
//! done lend their memory to the next ones. The peak of every phase is known from `N` and
//! `E` before it starts (see `session::predict_peak`):
//!
//! | phase | alive | bytes |
//! |---|---|---|
//! | pass 2 | forward graph (offsets 4, entries 4 per reference) | 11N + 4N + 4E |
//! | DFS | + `vertex`, `parent` (4 each), a bit per object (seen), stack (12 per level of depth); after the walk, referrer counts per object (4), gathered into the list ends (4), then `pre` (4) in the counts' place | 31N + 4E |
//! | pass 3 | forward offsets dropped; the reverse lists fill the forward entries' memory | 27N + 4E |
//! | parent moved first in each list | nothing new | 27N + 4E |
//! | Semi-NCA | `pre` freed; `ancestor` and `label` (semidominator values) in pairs (8), made from `parent`, whose memory becomes `semi` (then `idom`) | 31N + 4E |
//! | class tops | the pairs become the child lists (offsets, then children); + 1 bit, stack (12 per level of the dominator tree's depth, at most the DFS's) | 31N + 4E |
//! | retained sizes | the child lists become `retained` (4: u32 in 8-byte units, the other half given back in place; for heaps ≥ 32 GiB, 8 of its own, the child lists freed first) | 27N + 4E (31N + 4E) |
//! | queries | + `pre`, rebuilt from `vertex` | 31N + 4E |

use super::refs::EdgeSink;
use crate::model::bits;
use crate::model::csr::{Chunked, Csr, TooManyEdges};

/// Marks an unreachable object in `pre`, and "no dominator".
pub const NONE: u32 = u32::MAX;

/// Depth-first preorder of the reachable objects. Preorder 0 is the super-root.
pub struct Dfs {
    /// Object → preorder number (`NONE` when unreachable).
    pub pre: Vec<u32>,
    /// Preorder number → object (`vertex[0]` is the super-root, `NONE`).
    pub vertex: Vec<u32>,
    /// Preorder number → preorder number of the DFS parent (`parent[0] = 0`).
    pub parent: Vec<u32>,
    /// The reverse graph's list ends: `ends[v]` is where vertex `v`'s list of referrers
    /// ends (references from reachable objects, plus one for the super-root's edge if `v`
    /// is a root). A sweep after the walk counts them.
    pub ends: Vec<u32>,
}

/// Numbers the objects reachable from `roots` over `fwd` in depth-first preorder, and
/// sizes the reverse graph. `roots` must be distinct (as `RootSet::dominator_roots` is):
/// each counts as one edge from the super-root. `tick` is called now and then with the
/// objects numbered.
///
/// The walk marks what it has seen in a bitmap (1 bit per object): the test made for every
/// reference then reads an array 32 times smaller than `pre`, which stays in cache far
/// longer (and in memory when the arrays are spilled). `pre` is written after the walk,
/// from `vertex`. Referrers are counted in a sweep of their own, per object (one update
/// per reference, independent of each other so that their cache misses overlap), then
/// gathered into preorder.
pub fn dfs(fwd: &Csr, roots: &[u32], tick: &mut dyn FnMut(u64)) -> Result<Dfs, TooManyEdges> {
    let n = fwd.nodes();
    let mut seen = bits::empty(n);
    // Sized for the worst case (everything reachable) so that they never reallocate:
    // growing by doubling would hold both copies for a moment.
    let mut vertex = Vec::with_capacity(n + 1);
    vertex.push(NONE);
    let mut parent = Vec::with_capacity(n + 1);
    parent.push(0u32);
    // (preorder number, next entry position, end position): 12 bytes per level of depth.
    let mut stack: Vec<(u32, u32, u32)> = Vec::new();
    let bounds = |x: u32| {
        let (a, b) = fwd.bounds(x);
        (a as u32, b as u32)
    };
    for &r in roots {
        if r as usize >= n || !bits::insert(&mut seen, r) {
            continue;
        }
        let p = vertex.len() as u32;
        vertex.push(r);
        parent.push(0);
        let (a, b) = bounds(r);
        stack.push((p, a, b));
        while let Some(top) = stack.last_mut() {
            let (from, pos, end) = *top;
            if pos >= end {
                stack.pop();
                continue;
            }
            top.1 += 1;
            let t = fwd.entries.get(u64::from(pos));
            if t as usize >= n || !bits::insert(&mut seen, t) {
                continue;
            }
            let p = vertex.len() as u32;
            vertex.push(t);
            parent.push(from);
            let (a, b) = bounds(t);
            stack.push((p, a, b));
            if p & 0xF_FFFF == 0 {
                tick(u64::from(p));
            }
        }
    }
    // Referrers per object: the references of every reachable object (whose targets are
    // reachable too), and the super-root's edge to each root.
    let mut count = vec![0u32; n];
    for x in 0..n as u32 {
        if !bits::get(&seen, x) {
            continue;
        }
        let (a, b) = bounds(x);
        fwd.entries.for_range(u64::from(a), u64::from(b), |t| {
            if let Some(c) = count.get_mut(t as usize) {
                *c = c.wrapping_add(1);
            }
        });
    }
    drop(seen);
    for &r in roots {
        if let Some(c) = count.get_mut(r as usize) {
            *c = c.wrapping_add(1);
        }
    }
    // Gathered into preorder as running sums: ends[v] is the end of v's list. The
    // super-root (0) has no referrers.
    let r = vertex.len();
    let mut ends = Vec::with_capacity(r + 1);
    ends.push(0u32);
    let mut total = 0u64;
    for &x in vertex.iter().skip(1) {
        total += u64::from(count.get(x as usize).copied().unwrap_or(0));
        if total > u64::from(u32::MAX) {
            return Err(TooManyEdges);
        }
        ends.push(total as u32);
    }
    ends.push(total as u32);
    // `pre` takes `count`'s memory (pages already mapped need no zeroing by the kernel).
    let mut pre = refill(count, n, |_| NONE);
    for (p, &x) in vertex.iter().enumerate().skip(1) {
        if let Some(slot) = pre.get_mut(x as usize) {
            *slot = p as u32;
        }
    }
    Ok(Dfs {
        pre,
        vertex,
        parent,
        ends,
    })
}

/// Buckets of the reverse sink's write buffer (by target range).
const BUCKETS: usize = 1024;
/// References buffered per bucket before they are written.
const BUCKET_CAPACITY: usize = 1024;

/// Fills the reverse graph in preorder space while the dump is streamed again: for a
/// reference `x → y` between reachable objects, `pre[x]` is added to the list of `pre[y]`.
/// Writes land all over the graph, so they are first buffered by target range (8 MiB of
/// buffers) and written a bucket at a time, where the lists they touch sit in cache.
pub struct ReverseSink {
    pre: Vec<u32>,
    /// Running ends; each fill moves one down; at the end they are the list starts.
    offsets: Vec<u32>,
    entries: Chunked,
    current: u32,
    filled: u64,
    shift: u32,
    /// Pairs a bucket holds before it is written: at most [`BUCKET_CAPACITY`], fewer for a
    /// small graph (the buffers then take at most ~8 bytes per reference, not 8 MiB).
    capacity: usize,
    buffers: Vec<Vec<(u32, u32)>>,
}

impl ReverseSink {
    /// A sink filling lists whose ends [`dfs`] computed; the super-root's edges to `roots`
    /// (distinct: those given to [`dfs`]) are filled first. It owns `pre` for the pass and
    /// gives it back. The lists are written into `storage`'s memory (the forward graph's,
    /// no longer needed: see [`Chunked::recycle`]).
    pub fn new(pre: Vec<u32>, ends: Vec<u32>, roots: &[u32], storage: Chunked) -> Self {
        let total = ends.last().copied().unwrap_or(0);
        let vertices = ends.len() as u64;
        let mut shift = 0;
        while (vertices >> shift) > BUCKETS as u64 {
            shift += 1;
        }
        let mut s = ReverseSink {
            pre,
            offsets: ends,
            entries: storage.recycle(u64::from(total)),
            current: NONE,
            filled: 0,
            shift,
            capacity: (total as usize / BUCKETS).clamp(16, BUCKET_CAPACITY),
            buffers: (0..=BUCKETS).map(|_| Vec::new()).collect(),
        };
        for &r in roots {
            if let Some(&pr) = s.pre.get(r as usize) {
                s.fill(pr, 0);
            }
        }
        s
    }

    #[inline]
    fn fill(&mut self, target_pre: u32, source_pre: u32) {
        if let Some(o) = self.offsets.get_mut(target_pre as usize)
            && *o > 0
        {
            *o -= 1;
            self.entries.set(u64::from(*o), source_pre);
            self.filled += 1;
        }
    }

    fn flush(&mut self, bucket: usize) {
        let Some(buf) = self.buffers.get_mut(bucket) else {
            return;
        };
        let mut pairs = std::mem::take(buf);
        for &(t, s) in &pairs {
            self.fill(t, s);
        }
        pairs.clear();
        if let Some(buf) = self.buffers.get_mut(bucket) {
            *buf = pairs;
        }
    }

    /// A reference from preorder `source` to preorder `target` (both reachable).
    #[inline]
    fn pair(&mut self, target: u32, source: u32) {
        let b = (target >> self.shift) as usize;
        let full = match self.buffers.get_mut(b) {
            Some(buf) => {
                if buf.capacity() == 0 {
                    buf.reserve_exact(self.capacity);
                }
                buf.push((target, source));
                buf.len() >= self.capacity
            }
            None => false,
        };
        if full {
            self.flush(b);
        }
    }

    /// Lends `pre` (object → preorder) out, for the threads of a parallel pass 3 to map
    /// references with while this sink takes them through [`ReverseSink::premapped`];
    /// [`ReverseSink::give_back_pre`] returns it.
    #[cfg(not(target_family = "wasm"))]
    pub(super) fn lend_pre(&mut self) -> Vec<u32> {
        std::mem::take(&mut self.pre)
    }

    /// Takes `pre` back after [`ReverseSink::lend_pre`].
    #[cfg(not(target_family = "wasm"))]
    pub(super) fn give_back_pre(&mut self, pre: Vec<u32>) {
        self.pre = pre;
    }

    /// A reference already in preorder numbers, from a reachable `source` to a reachable
    /// `target`: what `object` and `edge` do, the lookups made by another thread.
    #[cfg(not(target_family = "wasm"))]
    #[inline]
    pub(super) fn premapped(&mut self, target: u32, source: u32) {
        self.pair(target, source);
    }

    /// `pre` given back, and the reverse graph, or `None` if the references met differ
    /// from those counted (the file changed between passes). Every value is then a
    /// preorder number: the lists' memory held other values before.
    pub fn finish(mut self) -> (Vec<u32>, Option<Csr>) {
        for b in 0..self.buffers.len() {
            self.flush(b);
        }
        let vertices = self.offsets.len().saturating_sub(1);
        let ok = self.filled == self.entries.len()
            && self
                .entries
                .all_below(u32::try_from(vertices).unwrap_or(u32::MAX));
        let csr = Csr {
            offsets: self.offsets,
            entries: self.entries,
        };
        (self.pre, ok.then_some(csr))
    }
}

impl EdgeSink for ReverseSink {
    #[inline]
    fn object(&mut self, obj: u32) {
        self.current = self.pre.get(obj as usize).copied().unwrap_or(NONE);
    }
    #[inline]
    fn edge(&mut self, dst: u32) {
        if self.current == NONE {
            return;
        }
        if let Some(&pd) = self.pre.get(dst as usize)
            && pd != NONE
        {
            self.pair(pd, self.current);
        }
    }
}

/// Moves each vertex's DFS parent to the front of its reverse list, so that Semi-NCA can
/// read parents there instead of keeping a parent array (4 bytes per object).
pub fn parent_first(rev: &mut Csr, parent: &[u32]) {
    for (w, &p) in parent.iter().enumerate().skip(1) {
        let (a, b) = rev.bounds(w as u32);
        let mut i = a;
        while i < b && rev.entries.get(i) != p {
            i += 1;
        }
        if i < b && i != a {
            let first = rev.entries.get(a);
            rev.entries.set(a, p);
            rev.entries.set(i, first);
        }
    }
}

/// The DFS parent of `w`, first in its reverse list (see [`parent_first`]).
#[inline]
fn parent_of(rev: &Csr, w: u32) -> u32 {
    let (a, b) = rev.bounds(w);
    if a < b { rev.entries.get(a) } else { 0 }
}

/// Refills `v` with `len` values of `f`, in its own memory when it is large enough.
pub fn refill(mut v: Vec<u32>, len: usize, f: impl Fn(usize) -> u32) -> Vec<u32> {
    v.clear();
    v.extend((0..len).map(f));
    v
}

/// Immediate dominators in preorder space (`idom[0] = 0`), from the reverse graph `rev`
/// (preorder numbers, each list starting with the DFS parent), given the DFS parents and
/// an array whose memory may be reused (its values are not read). Gives back the array of
/// `ancestor` and `label` pairs (2 per vertex), as spare memory for what follows.
///
/// `ancestor` and `label` are interleaved (`[2v]`, `[2v + 1]`): `eval` reads both of a
/// vertex at once, and a pair is one cache miss (or, spilled, one page) instead of two.
/// `label[v]` holds the smallest semidominator on `v`'s compressed path itself, not the
/// vertex that has it (as the textbook's `label` does): only that value is ever read, and
/// holding it saves `eval` a random read of `semi` per vertex of each path and per result.
///
/// Memory: the pairs (8 per vertex) are made from `parents` in `spare`'s memory, grown;
/// `parents`' memory then becomes `semi` (and `idom`): 12 bytes per vertex.
///
/// Every value of `rev` must be below `rev.nodes()`, and each parent below its vertex (as
/// `ReverseSink::finish` and [`dfs`] guarantee).
#[expect(
    clippy::indexing_slicing,
    reason = "the hot loop of the dominators phase: every index is a preorder number below \
              n = rev.nodes(), the length of semi and idom, with the pairs 2n long (loop \
              counters, rev's values, checked below n by ReverseSink::finish, and values of \
              these arrays, which only ever hold such numbers)"
)]
pub fn semi_nca_in(
    rev: &Csr,
    parents: Vec<u32>,
    spare: Vec<u32>,
    tick: &mut dyn FnMut(u64),
) -> (Vec<u32>, Vec<u32>) {
    let n = rev.nodes();
    // `ancestor` starts as the DFS parent and is path-compressed. A vertex not yet
    // processed is its own label, and its semidominator is itself. The pairs grow from
    // `spare`'s memory (a reallocation moves mappings, not bytes, and the pages that were
    // `spare`'s need no zeroing).
    let mut pairs = spare;
    pairs.clear();
    pairs.reserve_exact(2 * n);
    for v in 0..n {
        pairs.push(parents.get(v).copied().unwrap_or(0));
        pairs.push(v as u32);
    }
    let mut semi = refill(parents, n, |w| w as u32);
    let mut stack: Vec<u32> = Vec::new();
    for w in (1..n).rev() {
        let mut s = parent_of(rev, w as u32);
        // A GC root (the super-root among its referrers: filled first, so last in the
        // list) has semidominator 0 whatever else refers to it: skip the evaluation of,
        // say, the millions of instances referring to a system class.
        let (a, b) = rev.bounds(w as u32);
        if s == 0 || (b > a && rev.entries.get(b - 1) == 0) {
            semi[w] = 0;
            pairs[2 * w + 1] = 0;
            continue;
        }
        let last_linked = w as u32 + 1;
        rev.for_each(w as u32, |v| {
            let su = eval(v, last_linked, &mut pairs, &mut stack);
            if su < s {
                s = su;
            }
        });
        semi[w] = s;
        // `w` is on no compressed path yet (those hold vertices above it only).
        pairs[2 * w + 1] = s;
        if w & 0xF_FFFF == 0 {
            tick((n - w) as u64);
        }
    }
    // NCA: idom(w) is the nearest ancestor of parent(w) in the dominator tree whose
    // preorder number is at most semi(w). `semi` becomes `idom` in place, front to back:
    // the candidates are smaller than `w`, already converted.
    let mut idom = semi;
    for w in 1..n {
        let s = idom[w];
        let mut c = parent_of(rev, w as u32);
        while c > s {
            c = idom[c as usize];
        }
        idom[w] = c;
    }
    if let Some(first) = idom.first_mut() {
        *first = 0;
    }
    (idom, pairs)
}

/// Semi-NCA's `eval` with path compression, iterative: the smallest semidominator on `v`'s
/// path of linked ancestors (vertices numbered `>= last_linked`), `pairs` holding each
/// vertex's `ancestor` and `label` (see [`semi_nca_in`]).
#[inline]
#[expect(
    clippy::indexing_slicing,
    reason = "called by semi_nca_in only: v and every ancestor are preorder numbers below \
              n, and pairs is 2n long"
)]
fn eval(v: u32, last_linked: u32, pairs: &mut [u32], stack: &mut Vec<u32>) -> u32 {
    // A vertex not processed yet (numbered below `last_linked`) is its own label: no read.
    if v < last_linked {
        return v;
    }
    let vi = 2 * v as usize;
    if pairs[vi] < last_linked {
        return pairs[vi + 1];
    }
    // Collect the path up to (not including) the root of its virtual tree.
    let mut x = v;
    while pairs[2 * x as usize] >= last_linked {
        stack.push(x);
        x = pairs[2 * x as usize];
    }
    // `x` is the topmost linked vertex below the root; compress from the top down.
    let mut p = 2 * x as usize;
    let mut p_label = pairs[p + 1];
    while let Some(y) = stack.pop() {
        let yi = 2 * y as usize;
        pairs[yi] = pairs[p];
        if p_label < pairs[yi + 1] {
            pairs[yi + 1] = p_label;
        } else {
            p_label = pairs[yi + 1];
        }
        p = yi;
    }
    pairs[vi + 1]
}

/// Retained sizes in preorder space: u32 counts of 8-byte units while the reachable heap
/// is under 32 GiB (every HotSpot size is a multiple of 8), u64 bytes beyond.
pub enum Retained {
    /// Units of 8 bytes.
    Units(Vec<u32>),
    /// Bytes.
    Bytes(Vec<u64>),
}

impl Retained {
    /// Retained bytes of preorder vertex `p`.
    #[inline]
    pub fn get(&self, p: u32) -> u64 {
        match self {
            Retained::Units(v) => v.get(p as usize).map_or(0, |&u| u64::from(u) * 8),
            Retained::Bytes(v) => v.get(p as usize).copied().unwrap_or(0),
        }
    }
}

/// Retained size of every vertex: its shallow size plus the retained sizes of the vertices
/// it immediately dominates. `retained[0]` is the whole reachable heap. 8-byte units reuse
/// `spare`'s memory.
pub fn retained_sizes_in(
    idom: &[u32],
    vertex: &[u32],
    size: impl Fn(u32) -> u64,
    spare: Vec<u32>,
) -> Retained {
    let n = idom.len();
    let shallow = |p: usize| match vertex.get(p) {
        Some(&x) if x != NONE => size(x),
        _ => 0,
    };
    // Units and their total in one sweep (each shallow size is a few random reads: of
    // the object's class, of its size); the total decides whether units can serve.
    let mut total = 0u64;
    let mut r = spare;
    r.clear();
    r.extend((0..n).map(|p| {
        let bytes = shallow(p);
        total += bytes;
        bytes.div_ceil(8) as u32
    }));
    // `spare` may be twice as long (the child lists'): give the rest back, in place.
    r.shrink_to_fit();
    if total / 8 < u64::from(u32::MAX) {
        add_to_dominators(&mut r, idom);
        Retained::Units(r)
    } else {
        // Bytes need memory of their own: free the units first.
        drop(r);
        let mut r: Vec<u64> = (0..n).map(shallow).collect();
        add_to_dominators(&mut r, idom);
        Retained::Bytes(r)
    }
}

/// Adds each vertex's `r` to its immediate dominator's, in reverse preorder (a dominator
/// precedes the vertices it dominates, so each total is complete before it is added).
#[inline]
fn add_to_dominators<T: Copy + std::ops::AddAssign>(r: &mut [T], idom: &[u32]) {
    for (w, &d) in idom.iter().enumerate().skip(1).rev() {
        if let Some(&rw) = r.get(w)
            && let Some(rd) = r.get_mut(d as usize)
        {
            *rd += rw;
        }
    }
}

/// For every vertex, whether no other vertex of its class dominates it (Eclipse MAT's rule
/// for a class's retained heap), as a bit set. Builds the dominator tree's child lists for
/// the walk (offsets then children: 8 bytes per vertex) in `spare`'s memory, given back.
pub fn class_tops_in(
    idom: &[u32],
    class_of_vertex: impl Fn(u32) -> u32,
    classes: usize,
    spare: Vec<u32>,
) -> (Vec<u64>, Vec<u32>) {
    let n = idom.len();
    let mut lists = refill(spare, 2 * n, |_| 0);
    let (offsets, children) = lists.split_at_mut((n + 1).min(2 * n));
    for &d in idom.iter().skip(1) {
        if let Some(o) = offsets.get_mut(d as usize + 1) {
            *o += 1;
        }
    }
    let mut sum = 0;
    for o in offsets.iter_mut() {
        sum += *o;
        *o = sum;
    }
    // Fill with offsets[d] as the cursor (it moves to the start of d + 1's list), then
    // shift the offsets back by one: no second array.
    for (w, &d) in idom.iter().enumerate().skip(1) {
        if let Some(c) = offsets.get_mut(d as usize) {
            if let Some(slot) = children.get_mut(*c as usize) {
                *slot = w as u32;
            }
            *c += 1;
        }
    }
    offsets.rotate_right(1);
    if let Some(first) = offsets.first_mut() {
        *first = 0;
    }
    let offsets = &*offsets;
    let children = &*children;
    let mut tops = bits::empty(n);
    let mut open = vec![0u32; classes + 1];
    let class_slot = |p: u32| (class_of_vertex(p) as usize).min(classes);
    let start = |v: u32| offsets.get(v as usize).copied().unwrap_or(0);
    // (vertex, next child position, its class slot): 12 bytes per level of the dominator
    // tree's depth, at most the DFS's (a vertex's dominators are its DFS ancestors). The
    // class is looked up once per vertex (two random reads: `vertex`, then the object's
    // class), and a leaf (most vertices) is never pushed: its count would open and close
    // on nothing.
    let mut stack: Vec<(u32, u32, u32)> = vec![(0, start(0), classes as u32)];
    while let Some(top) = stack.last_mut() {
        let (v, pos, slot) = *top;
        if pos < start(v + 1) {
            top.1 += 1;
            let Some(&c) = children.get(pos as usize) else {
                continue;
            };
            let cs = class_slot(c);
            let Some(o) = open.get_mut(cs) else {
                continue;
            };
            if *o == 0 {
                bits::set(&mut tops, c);
            }
            let first = start(c);
            if first < start(c + 1) {
                *o += 1;
                stack.push((c, first, cs as u32));
            }
        } else {
            stack.pop();
            if v != 0
                && let Some(o) = open.get_mut(slot as usize)
            {
                *o -= 1;
            }
        }
    }
    (tops, lists)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::csr::CsrBuilder;

    /// Memory that held other values: every one must be overwritten.
    fn dirty(len: usize) -> Chunked {
        let mut c = Chunked::new();
        for _ in 0..len {
            c.push(0xDEAD_BEEF);
        }
        c
    }

    fn csr(n: usize, edges: &[(u32, u32)]) -> Csr {
        let mut b = CsrBuilder::new(n);
        for x in 0..n as u32 {
            for &(s, t) in edges {
                if s == x {
                    b.push(t);
                }
            }
            b.next_node();
        }
        b.finish().expect("small")
    }

    /// The pipeline as `heap.rs` runs it: DFS from `roots` (distinct), the reverse graph
    /// streamed from `fwd` into dirty memory, parents first, Semi-NCA given the DFS parents.
    /// Gives back the DFS (`parent` and `ends` moved out) and `idom`.
    fn dominators(fwd: &Csr, roots: &[u32]) -> (Dfs, Vec<u32>) {
        let mut d = dfs(fwd, roots, &mut |_| {}).expect("small");
        let ends = std::mem::take(&mut d.ends);
        let pre = std::mem::take(&mut d.pre);
        let mut sink = ReverseSink::new(pre, ends, roots, dirty(fwd.entries.len() as usize));
        for x in 0..fwd.nodes() as u32 {
            sink.object(x);
            fwd.for_each(x, |t| sink.edge(t));
        }
        let (pre, rev) = sink.finish();
        d.pre = pre;
        let mut rev = rev.expect("consistent");
        let parent = std::mem::take(&mut d.parent);
        parent_first(&mut rev, &parent);
        let (idom, _) = semi_nca_in(&rev, parent, Vec::new(), &mut |_| {});
        (d, idom)
    }

    /// Dominators in object space (`NONE` for unreachable, `u32::MAX - 1` for the
    /// super-root) computed by Semi-NCA.
    fn doms(n: usize, edges: &[(u32, u32)], roots: &[u32]) -> Vec<u32> {
        // Distinct roots, in order, as `RootSet::dominator_roots` gives them.
        let mut distinct: Vec<u32> = Vec::new();
        for &r in roots {
            if !distinct.contains(&r) {
                distinct.push(r);
            }
        }
        let (d, idom) = dominators(&csr(n, edges), &distinct);
        (0..n)
            .map(|x| match d.pre[x] {
                NONE => NONE,
                p => match idom[p as usize] {
                    0 => u32::MAX - 1,
                    q => d.vertex[q as usize],
                },
            })
            .collect()
    }

    /// Dominators by definition: y's idom is the dominator of y (other than y) that all
    /// other dominators dominate; x dominates y iff y is unreachable without x.
    fn brute(n: usize, edges: &[(u32, u32)], roots: &[u32]) -> Vec<u32> {
        let reach = |skip: Option<u32>| {
            let mut seen = vec![false; n];
            let mut stack: Vec<u32> = roots.iter().copied().filter(|&r| Some(r) != skip).collect();
            for &r in &stack {
                seen[r as usize] = true;
            }
            while let Some(x) = stack.pop() {
                for &(s, t) in edges {
                    if s == x && Some(t) != skip && !seen[t as usize] {
                        seen[t as usize] = true;
                        stack.push(t);
                    }
                }
            }
            seen
        };
        let all = reach(None);
        let dominated_by: Vec<Vec<bool>> = (0..n as u32)
            .map(|x| {
                let r = reach(Some(x));
                (0..n).map(|y| all[y] && !r[y] && y != x as usize).collect()
            })
            .collect();
        (0..n)
            .map(|y| {
                if !all[y] {
                    return NONE;
                }
                let ds: Vec<u32> = (0..n as u32)
                    .filter(|&x| dominated_by[x as usize][y])
                    .collect();
                // The immediate dominator is the dominator dominated by all the others.
                ds.iter()
                    .copied()
                    .find(|&d| {
                        ds.iter()
                            .all(|&o| o == d || dominated_by[o as usize][d as usize])
                    })
                    .unwrap_or(u32::MAX - 1)
            })
            .collect()
    }

    #[test]
    fn classic_example() {
        // Roots 0; diamond 0→1,0→2,1→3,2→3; loop 3→4→3; 4→5; unreachable 6→5.
        let e = [
            (0, 1),
            (0, 2),
            (1, 3),
            (2, 3),
            (3, 4),
            (4, 3),
            (4, 5),
            (6, 5),
        ];
        let d = doms(7, &e, &[0]);
        assert_eq!(d, brute(7, &e, &[0]));
        assert_eq!(d[3], 0);
        assert_eq!(d[5], 4);
        assert_eq!(d[6], NONE);
    }

    #[test]
    fn random_graphs_match_brute_force() {
        let mut seed = 0x1234_5678_9abc_def0u64;
        let mut rnd = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for round in 0..300 {
            let n = 2 + (rnd() % 24) as usize;
            let m = (rnd() % (3 * n as u64 + 1)) as usize;
            let edges: Vec<(u32, u32)> = (0..m)
                .map(|_| ((rnd() % n as u64) as u32, (rnd() % n as u64) as u32))
                .collect();
            let k = 1 + (rnd() % 3) as usize;
            let roots: Vec<u32> = (0..k).map(|_| (rnd() % n as u64) as u32).collect();
            assert_eq!(
                doms(n, &edges, &roots),
                brute(n, &edges, &roots),
                "round {round}: n={n} edges={edges:?} roots={roots:?}"
            );
        }
    }

    #[test]
    fn a_chain_of_a_million_does_not_recurse() {
        let n = 1_000_000usize;
        let mut b = CsrBuilder::new(n);
        for x in 0..n as u32 {
            if x + 1 < n as u32 {
                b.push(x + 1);
            }
            b.next_node();
        }
        let fwd = b.finish().expect("small");
        let (d, idom) = dominators(&fwd, &[0]);
        assert_eq!(d.vertex.len(), n + 1);
        let ret = retained_sizes_in(&idom, &d.vertex, |_| 16, Vec::new());
        assert_eq!(ret.get(1), 16 * n as u64, "the head retains the chain");
        assert_eq!(ret.get(n as u32), 16);
        // One class per preorder parity: vertex 1 (class 1) and vertex 2 (class 0) are the
        // tops of their classes; every later vertex is dominated by one of its class.
        let (tops, _) = class_tops_in(&idom, |p| p % 2, 2, Vec::new());
        assert_eq!(tops.len(), (n + 1).div_ceil(64));
        assert_eq!(
            tops[0], 0b110,
            "the first vertex of each class is its only top"
        );
        assert!(
            tops[1..].iter().all(|&w| w == 0),
            "every later vertex is dominated by the first of its class"
        );
        assert!((2..=n).all(|p| idom[p] == p as u32 - 1));
    }
}

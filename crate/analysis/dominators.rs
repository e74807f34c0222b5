//! The dominator tree and retained sizes.
//!
//! A virtual super-root points to every GC root; object `x` dominates `y` when every path
//! from the super-root to `y` passes through `x`. Every reference counts, including
//! `Reference.referent` (Eclipse MAT's default). Objects the super-root does not reach are
//! left out of the tree and reported separately.
//!
//! Algorithm: Semi-NCA (Georgiadis; as in LLVM's `SemiNCAInfo`), iterative throughout:
//! 1. [`dfs`] numbers the reachable objects in depth-first preorder over the forward
//!    graph (explicit stack), recording each one's DFS parent. The forward graph is then
//!    dropped.
//! 2. The reverse graph is built by streaming the dump once more ([`ReverseSink`]),
//!    directly in preorder numbering, so forward and reverse graphs never coexist.
//! 3. [`semi_nca`]: semidominators in reverse preorder with path-compressed `eval`
//!    (explicit stack), then immediate dominators as nearest common ancestors.
//! 4. [`retained_sizes`]: one sweep in reverse preorder adds each object's retained size to
//!    its immediate dominator.
//!
//! Memory, per reachable object (preorder space, `R` = reachable + 1):
//!
//! | array | bytes | lives |
//! |---|---|---|
//! | `pre` (object → preorder) | 4 per object | from DFS on |
//! | `vertex` (preorder → object) | 4 | from DFS on |
//! | `parent` (DFS parent) | 4 | DFS → Semi-NCA (becomes `idom`) |
//! | reverse graph offsets + entries | 4 + 4 per reference | pass 3 on |
//! | Semi-NCA `ancestor`, `semi`, `label` | 12 | Semi-NCA only |
//! | `retained` | 8 | after Semi-NCA |
//! | DFS stack | 8 per level of depth | DFS only |

use crate::model::csr::{Chunked, Csr};
use crate::model::graph::EdgeSink;

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
}

impl Dfs {
    /// Number of preorder numbers (reachable objects + the super-root).
    pub fn len(&self) -> usize {
        self.vertex.len()
    }

    /// True when nothing is reachable.
    pub fn is_empty(&self) -> bool {
        self.vertex.len() <= 1
    }
}

/// Numbers the objects reachable from `roots` over `fwd` in depth-first preorder.
/// `tick` is called now and then with the number of objects numbered.
pub fn dfs(fwd: &Csr, roots: &[u32], tick: &mut dyn FnMut(u64)) -> Dfs {
    let n = fwd.nodes();
    let mut pre = vec![NONE; n];
    let mut vertex = vec![NONE];
    let mut parent = vec![0u32];
    // (object, next entry position, end position)
    let mut stack: Vec<(u32, u64, u64)> = Vec::new();
    for &r in roots {
        if pre.get(r as usize).is_none_or(|&p| p != NONE) {
            continue;
        }
        let p = vertex.len() as u32;
        pre[r as usize] = p;
        vertex.push(r);
        parent.push(0);
        let (a, b) = fwd.bounds(r);
        stack.push((r, a, b));
        while let Some(top) = stack.last_mut() {
            if top.1 >= top.2 {
                stack.pop();
                continue;
            }
            let t = fwd.entries.get(top.1);
            top.1 += 1;
            let from = top.0;
            if pre.get(t as usize) == Some(&NONE) {
                let p = vertex.len() as u32;
                pre[t as usize] = p;
                vertex.push(t);
                parent.push(pre[from as usize]);
                let (a, b) = fwd.bounds(t);
                stack.push((t, a, b));
                if p & 0xF_FFFF == 0 {
                    tick(u64::from(p));
                }
            }
        }
    }
    Dfs {
        pre,
        vertex,
        parent,
    }
}

/// Counts, for every reachable object, its references from reachable objects plus one per
/// GC root naming it (the super-root's edges): the reverse graph's list lengths, returned
/// as running ends (`ends[v]` = end of `v`'s list), ready for [`ReverseSink`].
pub fn reverse_ends(
    fwd: &Csr,
    dfs: &Dfs,
    roots: &[u32],
) -> Result<Vec<u32>, crate::model::csr::TooManyEdges> {
    let r = dfs.len();
    let mut count = vec![0u32; r + 1];
    for (x, &px) in dfs.pre.iter().enumerate() {
        if px == NONE {
            continue;
        }
        fwd.for_each(x as u32, |t| {
            if let Some(&pt) = dfs.pre.get(t as usize)
                && pt != NONE
                && let Some(c) = count.get_mut(pt as usize)
            {
                *c += 1;
            }
        });
    }
    for &root in distinct_roots(roots, dfs).iter() {
        if let Some(c) = count.get_mut(dfs.pre[root as usize] as usize) {
            *c += 1;
        }
    }
    let mut total = 0u64;
    for c in count.iter_mut().take(r) {
        total += u64::from(*c);
        if total > u64::from(u32::MAX) {
            return Err(crate::model::csr::TooManyEdges);
        }
        *c = total as u32;
    }
    if let Some(last) = count.get_mut(r) {
        *last = total as u32;
    }
    Ok(count)
}

/// The roots, each once, that are objects of the dump.
pub fn distinct_roots(roots: &[u32], dfs: &Dfs) -> Vec<u32> {
    let mut seen = std::collections::HashSet::new();
    roots
        .iter()
        .copied()
        .filter(|&r| dfs.pre.get(r as usize).is_some_and(|&p| p != NONE) && seen.insert(r))
        .collect()
}

/// Fills the reverse graph in preorder space while the dump is streamed again: for a
/// reference `x → y` between reachable objects, `pre[x]` is added to the list of `pre[y]`.
pub struct ReverseSink {
    pre: Vec<u32>,
    /// Running ends; each fill moves one down; at the end they are the list starts.
    offsets: Vec<u32>,
    entries: Chunked,
    current: u32,
    filled: u64,
}

impl ReverseSink {
    /// A sink filling lists whose ends [`reverse_ends`] computed; the super-root's edges to
    /// `roots` are filled first. It owns `pre` for the pass and gives it back.
    pub fn new(pre: Vec<u32>, ends: Vec<u32>, roots: &[u32]) -> Self {
        let total = ends.last().copied().unwrap_or(0);
        let mut s = ReverseSink {
            pre,
            offsets: ends,
            entries: Chunked::zeroed(u64::from(total)),
            current: NONE,
            filled: 0,
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
        if let Some(o) = self.offsets.get_mut(target_pre as usize) {
            *o -= 1;
            self.entries.set(u64::from(*o), source_pre);
            self.filled += 1;
        }
    }

    /// `pre` given back, and the reverse graph, or `None` if the references met differ
    /// from those counted (the file changed between passes).
    pub fn finish(self) -> (Vec<u32>, Option<Csr>) {
        let ok = self.filled == self.entries.len();
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
            self.fill(pd, self.current);
        }
    }
}

/// Immediate dominators in preorder space (`idom[0] = 0`), from the reverse graph `rev`
/// (preorder numbers) and the DFS parents (consumed: they become the result).
pub fn semi_nca(rev: &Csr, mut parent: Vec<u32>, tick: &mut dyn FnMut(u64)) -> Vec<u32> {
    let n = parent.len();
    // `ancestor` starts as the DFS parent and is path-compressed; `parent` is kept to
    // initialize the NCA step, then becomes `idom` in place.
    let mut ancestor = parent.clone();
    let mut semi: Vec<u32> = (0..n as u32).collect();
    let mut label: Vec<u32> = (0..n as u32).collect();
    let mut stack: Vec<u32> = Vec::new();
    for w in (1..n).rev() {
        let mut s = parent[w];
        let last_linked = w as u32 + 1;
        rev.for_each(w as u32, |v| {
            let u = eval(v, last_linked, &mut ancestor, &mut label, &semi, &mut stack);
            let su = semi[u as usize];
            if su < s {
                s = su;
            }
        });
        semi[w] = s;
        if w & 0xF_FFFF == 0 {
            tick((n - w) as u64);
        }
    }
    drop(ancestor);
    drop(label);
    // NCA: idom(w) is the nearest ancestor of parent(w) in the dominator tree whose
    // preorder number is at most semi(w). `parent` becomes `idom` front to back.
    for w in 1..n {
        let mut c = parent[w];
        while c > semi[w] {
            c = parent[c as usize];
        }
        parent[w] = c;
    }
    parent
}

/// Semi-NCA's `eval` with path compression, iterative: the vertex with the smallest
/// semidominator on `v`'s path of linked ancestors (vertices numbered `>= last_linked`).
#[inline]
fn eval(
    v: u32,
    last_linked: u32,
    ancestor: &mut [u32],
    label: &mut [u32],
    semi: &[u32],
    stack: &mut Vec<u32>,
) -> u32 {
    let vi = v as usize;
    if v < last_linked || ancestor[vi] < last_linked {
        return label[vi];
    }
    // Collect the path up to (not including) the root of its virtual tree.
    let mut x = v;
    while ancestor[x as usize] >= last_linked {
        stack.push(x);
        x = ancestor[x as usize];
    }
    // `x` is the topmost linked vertex below the root; compress from the top down.
    let mut p = x;
    let mut p_label = label[p as usize];
    while let Some(y) = stack.pop() {
        let yi = y as usize;
        ancestor[yi] = ancestor[p as usize];
        if semi[p_label as usize] < semi[label[yi] as usize] {
            label[yi] = p_label;
        } else {
            p_label = label[yi];
        }
        p = y;
    }
    label[vi]
}

/// Retained size of every object in preorder space: its shallow size plus the retained
/// sizes of the objects it immediately dominates. `retained[0]` is the whole reachable heap.
pub fn retained_sizes(idom: &[u32], vertex: &[u32], size: impl Fn(u32) -> u64) -> Vec<u64> {
    let n = idom.len();
    let mut retained: Vec<u64> = vertex
        .iter()
        .map(|&x| if x == NONE { 0 } else { size(x) })
        .collect();
    for w in (1..n).rev() {
        let d = idom[w] as usize;
        let r = retained[w];
        retained[d] += r;
    }
    retained
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::model::csr::CsrBuilder;

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

    /// Dominators in object space (`NONE` for unreachable, `u32::MAX - 1` for the
    /// super-root) computed by Semi-NCA.
    fn doms(n: usize, edges: &[(u32, u32)], roots: &[u32]) -> Vec<u32> {
        let fwd = csr(n, edges);
        let d = dfs(&fwd, roots, &mut |_| {});
        let ends = reverse_ends(&fwd, &d, roots).expect("small");
        let droots = distinct_roots(roots, &d);
        let mut sink = ReverseSink::new(d.pre.clone(), ends, &droots);
        for x in 0..n as u32 {
            sink.object(x);
            fwd.for_each(x, |t| sink.edge(t));
        }
        let rev = sink.finish().1.expect("consistent");
        let idom = semi_nca(&rev, d.parent.clone(), &mut |_| {});
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
        let d = dfs(&fwd, &[0], &mut |_| {});
        assert_eq!(d.len(), n + 1);
        let ends = reverse_ends(&fwd, &d, &[0]).expect("small");
        let mut sink = ReverseSink::new(d.pre.clone(), ends, &[0]);
        for x in 0..n as u32 {
            sink.object(x);
            fwd.for_each(x, |t| sink.edge(t));
        }
        let rev = sink.finish().1.expect("consistent");
        let idom = semi_nca(&rev, d.parent.clone(), &mut |_| {});
        let ret = retained_sizes(&idom, &d.vertex, |_| 16);
        assert_eq!(ret[1], 16 * n as u64, "the head retains the chain");
        assert_eq!(ret[n], 16);
        assert!((2..=n).all(|p| idom[p] == p as u32 - 1));
    }
}

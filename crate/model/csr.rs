//! Compressed sparse rows: adjacency lists of dense u32 nodes.
//!
//! `offsets` has one u32 per node plus one (4 B/node); the entries live in chunks of 2^20
//! u32 (4 MiB; 4 B/entry) so that growing the list never doubles its peak (a 2 GB `Vec`
//! reallocating needs 6 GB for a moment; wasm32 has 4 GiB): only the first chunk grows,
//! by doubling from `FIRST_CHUNK` values, so that a small graph stays small; later
//! chunks are allocated whole and never copied. Limits: 2^32 − 1 entries (a dump of
//! ~40 GB and more; [`TooManyEdges`] names it).

/// Entries per chunk.
const CHUNK_BITS: u32 = 20;
const CHUNK: usize = 1 << CHUNK_BITS;
/// Size of the first chunk of an appended array (it doubles up to [`CHUNK`]).
const FIRST_CHUNK: usize = 1024;

/// The list holds more entries than u32 offsets can address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooManyEdges;

/// An append-only or pre-sized array of u32 in chunks of up to 4 MiB. A chunk may be
/// longer than the values it holds (the first one as it grows; a recycled one), so only
/// indices below `len` are values of the array.
#[derive(Default)]
pub struct Chunked {
    chunks: Vec<Box<[u32]>>,
    len: u64,
}

impl Chunked {
    /// An empty array.
    pub fn new() -> Self {
        Self::default()
    }

    /// An array of `len` zeros.
    #[cfg(test)]
    fn zeroed(len: u64) -> Self {
        let mut chunks = Vec::new();
        let mut left = len;
        while left > 0 {
            let n = (left as usize).min(CHUNK);
            chunks.push(vec![0u32; n].into_boxed_slice());
            left -= n as u64;
        }
        Chunked { chunks, len }
    }

    /// This array's memory as an array of `len` values whose contents are unspecified
    /// (whatever was there): for a caller that writes every value before reading any.
    /// Memory the system hands out fresh must be zeroed by the kernel page by page, which
    /// costs as much as a pass over it; reusing the chunks avoids that.
    pub fn recycle(self, len: u64) -> Self {
        let mut spare = self.chunks;
        // Largest first, so that each chunk wanted takes the largest one left.
        spare.sort_unstable_by_key(|c| std::cmp::Reverse(c.len()));
        let mut spare = spare.into_iter().peekable();
        let mut chunks = Vec::new();
        let mut left = len;
        while left > 0 {
            let n = (left.min(CHUNK as u64)) as usize;
            // Chunk k holds values [k·CHUNK, k·CHUNK + n): an old one serves if it is long
            // enough, but never one much longer (a 4 MiB chunk for 10 values).
            match spare.next_if(|c| c.len() >= n && c.len() <= n.saturating_mul(2).max(FIRST_CHUNK))
            {
                Some(c) => chunks.push(c),
                None => chunks.push(vec![0u32; n].into_boxed_slice()),
            }
            left -= n as u64;
        }
        drop(spare);
        Chunked { chunks, len }
    }

    /// Whether every value is below `bound`.
    pub fn all_below(&self, bound: u32) -> bool {
        let mut ok = true;
        self.for_range(0, self.len, |v| ok &= v < bound);
        ok
    }

    /// Appends a value.
    #[inline]
    pub fn push(&mut self, v: u32) {
        let c = (self.len >> CHUNK_BITS) as usize;
        let i = (self.len as usize) & (CHUNK - 1);
        if c == self.chunks.len() {
            // Later chunks are allocated full-size; the first grows by doubling (up to one
            // chunk) so that a small graph does not take 4 MiB.
            let n = if c == 0 { FIRST_CHUNK } else { CHUNK };
            self.chunks.push(vec![0u32; n].into_boxed_slice());
        } else if let Some(last) = self.chunks.last_mut()
            && i == last.len()
        {
            let mut grown = Vec::with_capacity((i * 2).min(CHUNK));
            grown.extend_from_slice(last);
            grown.resize((i * 2).min(CHUNK), 0u32);
            *last = grown.into_boxed_slice();
        }
        if let Some(slot) = self.chunks.last_mut().and_then(|c| c.get_mut(i)) {
            *slot = v;
        }
        self.len += 1;
    }

    /// Number of values.
    #[inline]
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Value at `i`, which must be below `len` (past the end: 0, or whatever a chunk's
    /// unused tail holds).
    #[inline]
    pub fn get(&self, i: u64) -> u32 {
        let c = (i >> CHUNK_BITS) as usize;
        let o = (i as usize) & (CHUNK - 1);
        self.chunks
            .get(c)
            .and_then(|c| c.get(o))
            .copied()
            .unwrap_or(0)
    }

    /// Sets the value at `i`, which must be below `len` (past the end: ignored, or kept in
    /// a chunk's unused tail).
    #[inline]
    pub fn set(&mut self, i: u64, v: u32) {
        let c = (i >> CHUNK_BITS) as usize;
        let o = (i as usize) & (CHUNK - 1);
        if let Some(slot) = self.chunks.get_mut(c).and_then(|c| c.get_mut(o)) {
            *slot = v;
        }
    }

    /// Values in `[from, to)`, calling `f` on each (walks chunk slices, no per-item lookup).
    #[inline]
    pub fn for_range(&self, from: u64, to: u64, mut f: impl FnMut(u32)) {
        let mut i = from;
        while i < to {
            let c = (i >> CHUNK_BITS) as usize;
            let o = (i as usize) & (CHUNK - 1);
            let Some(chunk) = self.chunks.get(c) else {
                return;
            };
            let end = ((to - i) as usize).min(CHUNK - o);
            if let Some(s) = chunk.get(o..o + end) {
                for &v in s {
                    f(v);
                }
            }
            i += end as u64;
        }
    }

    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.chunks.iter().map(|c| c.len() * 4).sum::<usize>() + self.chunks.capacity() * 16
    }
}

/// Adjacency lists: node `n`'s entries are `entries[offsets[n]..offsets[n + 1]]`.
pub struct Csr {
    /// Start of each node's list; one more entry than nodes.
    pub offsets: Vec<u32>,
    /// The entries.
    pub entries: Chunked,
}

impl Csr {
    /// Number of nodes.
    pub fn nodes(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// Number of entries.
    pub fn len(&self) -> u64 {
        self.entries.len()
    }

    /// True without entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The bounds of node `n`'s list.
    #[inline]
    pub fn bounds(&self, n: u32) -> (u64, u64) {
        let a = self.offsets.get(n as usize).copied().unwrap_or(0);
        let b = self.offsets.get(n as usize + 1).copied().unwrap_or(a);
        (u64::from(a), u64::from(b))
    }

    /// Calls `f` for each entry of node `n`.
    #[inline]
    pub fn for_each(&self, n: u32, f: impl FnMut(u32)) {
        let (a, b) = self.bounds(n);
        self.entries.for_range(a, b, f);
    }

    /// Node `n`'s entries, collected.
    #[cfg(test)]
    fn list(&self, n: u32) -> Vec<u32> {
        let mut v = Vec::new();
        self.for_each(n, |x| v.push(x));
        v
    }

    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.offsets.capacity() * 4 + self.entries.heap_bytes()
    }
}

/// Builds a CSR by appending each node's entries in node order.
pub struct CsrBuilder {
    offsets: Vec<u32>,
    entries: Chunked,
    overflow: bool,
}

impl CsrBuilder {
    /// A builder expecting `nodes` nodes.
    pub fn new(nodes: usize) -> Self {
        let mut offsets = Vec::with_capacity(nodes + 1);
        offsets.push(0);
        CsrBuilder {
            offsets,
            entries: Chunked::new(),
            overflow: false,
        }
    }

    /// Appends an entry to the current (last started) node.
    #[inline]
    pub fn push(&mut self, v: u32) {
        if self.entries.len() >= u64::from(u32::MAX) {
            self.overflow = true;
            return;
        }
        self.entries.push(v);
    }

    /// Ends the current node and starts the next.
    #[inline]
    pub fn next_node(&mut self) {
        self.offsets.push(self.entries.len() as u32);
    }

    /// The finished CSR.
    pub fn finish(self) -> Result<Csr, TooManyEdges> {
        if self.overflow {
            return Err(TooManyEdges);
        }
        Ok(Csr {
            offsets: self.offsets,
            entries: self.entries,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_crosses_chunk_boundaries() {
        let mut c = Chunked::new();
        for i in 0..(CHUNK as u32 * 2 + 5) {
            c.push(i);
        }
        assert_eq!(c.get(0), 0);
        assert_eq!(c.get(CHUNK as u64), CHUNK as u32);
        assert_eq!(c.get(CHUNK as u64 * 2 + 4), CHUNK as u32 * 2 + 4);
        let mut sum = 0u64;
        c.for_range(CHUNK as u64 - 2, CHUNK as u64 + 2, |v| sum += u64::from(v));
        let k = CHUNK as u64;
        assert_eq!(sum, (k - 2) + (k - 1) + k + (k + 1));
        let mut z = Chunked::zeroed(CHUNK as u64 + 3);
        z.set(CHUNK as u64 + 2, 7);
        assert_eq!(z.get(CHUNK as u64 + 2), 7);
        assert_eq!(z.len(), CHUNK as u64 + 3);
    }

    #[test]
    fn builder_makes_lists() {
        let mut b = CsrBuilder::new(3);
        b.push(1);
        b.push(2);
        b.next_node();
        b.next_node();
        b.push(0);
        b.next_node();
        let csr = b.finish().expect("small");
        assert_eq!(csr.nodes(), 3);
        assert_eq!(csr.list(0), vec![1, 2]);
        assert_eq!(csr.list(1), Vec::<u32>::new());
        assert_eq!(csr.list(2), vec![0]);
    }
}

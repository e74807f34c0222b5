//! Object IDs (addresses) of non-class objects → dense u32 indices, and back.
//!
//! Indices follow file order: the i-th non-class object record in the dump has index
//! `first_index + i`. HotSpot writes those records in ascending address order (verified
//! on JDK 6, 8, 11 and 17 dumps with G1, Parallel and Serial GC: at most one or two breaks
//! between generations), so the sorted order of IDs is the file order, or a few pieces of
//! it. The map stores:
//!
//! | structure | bytes per object |
//! |---|---|
//! | `keys`: `(id - base) >> shift` in file order, u32 (u64 if the span needs it) | 4 (8) |
//! | `dir`: bucket → first rank, one bucket per ~4 objects | ≤ 1 |
//! | `order`: rank → index: identity, a few pieces, or dense u32 | 0 (4 when unsorted) |
//!
//! so ~5 bytes per object for HotSpot dumps, 9 for unsorted ones (Android). A lookup reads
//! one directory entry and binary-searches a bucket of ~4 keys.
//!
//! When the IDs are sorted (or a few sorted pieces), distinct, and dense enough, a bitmap
//! over the address range replaces `keys` and `dir`: one bit per possible ID (per 8 bytes
//! of heap for 8-byte alignment) in a [`RankBits`], whose rank of an ID is its rank among
//! the IDs (one cache line read). At 8/7 bits per possible ID that is ~1 byte per object
//! for heaps whose objects average 56 bytes; it is chosen only when smaller than the keys
//! and directory.

/// How ranks (positions in ID order) map to file-order positions.
enum Order {
    /// File order is ID order.
    Identity,
    /// A few ascending pieces: (first rank, first position), sorted by rank.
    Pieces(Vec<(u32, u32)>),
    /// Any order: position of each rank.
    Dense(Vec<u32>),
}

enum Keys {
    U32(Vec<u32>),
    U64(Vec<u64>),
}

impl Keys {
    #[inline(always)]
    fn get(&self, pos: usize) -> u64 {
        match self {
            Keys::U32(v) => v.get(pos).map_or(u64::MAX, |&k| u64::from(k)),
            Keys::U64(v) => v.get(pos).copied().unwrap_or(u64::MAX),
        }
    }
    fn len(&self) -> usize {
        match self {
            Keys::U32(v) => v.len(),
            Keys::U64(v) => v.len(),
        }
    }
    fn bytes(&self) -> usize {
        match self {
            Keys::U32(v) => v.capacity() * 4,
            Keys::U64(v) => v.capacity() * 8,
        }
    }
}

use super::rank::RankBits;

/// The ID map of non-class objects.
pub struct IdMap {
    base: u64,
    shift: u32,
    repr: Repr,
    order: Order,
    len: usize,
    first_index: u32,
    duplicates: u64,
}

enum Repr {
    /// Keys in file order and a directory of buckets over the ranks.
    Keys {
        keys: Keys,
        dir: Vec<u32>,
        dir_shift: u32,
    },
    /// A bit per possible key. `by_position` holds `order`'s pieces sorted by position
    /// (for `id_of`; empty for `Order::Identity`).
    Bits {
        bits: RankBits,
        by_position: Vec<(u32, u32)>,
    },
}

/// The file-order position of the object of ID rank `rank`.
#[inline(always)]
fn position(order: &Order, rank: usize) -> usize {
    match order {
        Order::Identity => rank,
        Order::Pieces(p) => piecewise(p, rank),
        Order::Dense(v) => v.get(rank).map_or(usize::MAX, |&p| p as usize),
    }
}

/// `x` through ascending pieces `(first x, first y)` sorted by x: `y0 + (x - x0)` in the
/// last piece that starts at or before `x` (`x` itself before the first piece).
#[inline(always)]
fn piecewise(pieces: &[(u32, u32)], x: usize) -> usize {
    let i = pieces.partition_point(|&(x0, _)| x0 as usize <= x);
    match i.checked_sub(1).and_then(|j| pieces.get(j)) {
        Some(&(x0, y0)) => y0 as usize + (x - x0 as usize),
        None => x,
    }
}

impl IdMap {
    /// Builds the map from IDs in file order; index of `ids[i]` is `first_index + i`.
    /// Consumes `ids` so that its 8 bytes per object are freed as the map is built.
    pub fn build(ids: Vec<u64>, first_index: u32) -> IdMap {
        let n = ids.len();
        // One pass: the range, whether the IDs are sorted, and the alignment they share
        // (the trailing zeros of their differences from any one of them, the first here,
        // are those of their differences from the lowest).
        let first = ids.first().copied().unwrap_or(0);
        let (mut base, mut max, mut or, mut sorted, mut prev) = (first, first, 0u64, true, first);
        for &x in &ids {
            base = base.min(x);
            max = max.max(x);
            or |= x.wrapping_sub(first);
            sorted &= prev <= x;
            prev = x;
        }
        let shift = if or == 0 {
            0
        } else {
            or.trailing_zeros().min(16)
        };
        let span = (max - base) >> shift;

        // Sorted order. A stable sort on an identity permutation detects the natural
        // ascending runs of the file, so HotSpot's (nearly) sorted dumps sort in ~O(n).
        let order = if sorted {
            Order::Identity
        } else {
            let mut perm: Vec<u32> = (0..n as u32).collect();
            perm.sort_by_key(|&p| ids.get(p as usize).copied().unwrap_or(u64::MAX));
            let mut pieces: Vec<(u32, u32)> = Vec::new();
            for (r, &p) in perm.iter().enumerate() {
                let continues = r > 0 && perm.get(r - 1).is_some_and(|&q| q + 1 == p);
                if !continues {
                    pieces.push((r as u32, p));
                    if pieces.len() > n / 16 + 1 {
                        break;
                    }
                }
            }
            if pieces.len() > n / 16 + 1 {
                Order::Dense(perm)
            } else {
                Order::Pieces(pieces)
            }
        };
        let mut map = IdMap {
            base,
            shift,
            repr: Repr::Keys {
                keys: Keys::U32(Vec::new()),
                dir: Vec::new(),
                dir_shift: 0,
            },
            order,
            len: n,
            first_index,
            duplicates: 0,
        };
        let key_bytes = n as u64 * if span <= u64::from(u32::MAX) { 4 } else { 8 } + n as u64;
        if !matches!(map.order, Order::Dense(_)) && RankBits::bytes_for(span + 1) < key_bytes {
            if let Some(repr) = map.bits(&ids, span + 1) {
                map.repr = repr;
                return map;
            }
        }
        let keys = if span <= u64::from(u32::MAX) {
            Keys::U32(ids.iter().map(|&x| ((x - base) >> shift) as u32).collect())
        } else {
            Keys::U64(ids.iter().map(|&x| (x - base) >> shift).collect())
        };
        drop(ids);
        map.repr = Repr::Keys {
            keys,
            dir: Vec::new(),
            dir_shift: 0,
        };
        map.build_dir(span);
        map
    }

    /// The bitmap representation, or `None` if an ID occurs twice (ranks would no longer
    /// be positions; the keys count the duplicates).
    fn bits(&self, ids: &[u64], keys: u64) -> Option<Repr> {
        let mut bits = RankBits::zeroed(keys)?;
        for &id in ids {
            if !bits.set((id - self.base) >> self.shift) {
                return None;
            }
        }
        bits.finish();
        let by_position = match &self.order {
            Order::Pieces(p) => {
                let mut v: Vec<(u32, u32)> = p.iter().map(|&(r, pos)| (pos, r)).collect();
                v.sort_unstable();
                v
            }
            _ => Vec::new(),
        };
        Some(Repr::Bits { bits, by_position })
    }

    fn build_dir(&mut self, span: u64) {
        let Repr::Keys {
            keys,
            dir,
            dir_shift,
        } = &mut self.repr
        else {
            return;
        };
        let n = keys.len();
        let want = (n / 4).max(1).next_power_of_two() as u64;
        let bits = 64 - span.leading_zeros();
        let want_bits = want.trailing_zeros();
        *dir_shift = bits.saturating_sub(want_bits);
        let buckets = (span >> *dir_shift) as usize + 1;
        // Bucket b starts at the first rank whose key is in bucket b or later.
        let mut d = Vec::with_capacity(buckets + 1);
        let mut prev = None;
        for rank in 0..n {
            let k = keys.get(position(&self.order, rank));
            let bucket = k >> *dir_shift;
            while d.len() < buckets && d.len() as u64 <= bucket {
                d.push(rank as u32);
            }
            if prev == Some(k) {
                self.duplicates += 1;
            }
            prev = Some(k);
        }
        d.resize(buckets, n as u32);
        d.push(n as u32);
        *dir = d;
    }

    /// The index of the object with this ID, if it is a non-class object of the dump.
    #[inline]
    pub fn get(&self, id: u64) -> Option<u32> {
        let rel = id.checked_sub(self.base)?;
        if rel & ((1u64 << self.shift) - 1) != 0 {
            return None;
        }
        let k = rel >> self.shift;
        match &self.repr {
            Repr::Bits { bits, .. } => {
                let rank = bits.rank(k)?;
                Some(self.first_index + position(&self.order, rank as usize) as u32)
            }
            Repr::Keys {
                keys,
                dir,
                dir_shift,
            } => {
                let b = usize::try_from(k >> dir_shift).ok()?;
                let mut lo = *dir.get(b)? as usize;
                let mut hi = *dir.get(b + 1)? as usize;
                // The common case (HotSpot: file order is address order, u32 keys): scan
                // the bucket's few keys directly.
                if let (Keys::U32(keys), Order::Identity) = (keys, &self.order) {
                    let k = u32::try_from(k).ok()?;
                    let bucket = keys.get(lo..hi)?;
                    return bucket
                        .iter()
                        .position(|&x| x == k)
                        .map(|i| self.first_index + (lo + i) as u32);
                }
                while lo < hi {
                    let mid = (lo + hi) / 2;
                    let mk = keys.get(position(&self.order, mid));
                    if mk < k {
                        lo = mid + 1;
                    } else if mk > k {
                        hi = mid;
                    } else {
                        return Some(self.first_index + position(&self.order, mid) as u32);
                    }
                }
                None
            }
        }
    }

    /// The ID of object `index` (a non-class object).
    pub fn id_of(&self, index: u32) -> Option<u64> {
        let pos = index.checked_sub(self.first_index)? as usize;
        if pos >= self.len {
            return None;
        }
        let key = match &self.repr {
            Repr::Keys { keys, .. } => keys.get(pos),
            Repr::Bits { bits, by_position } => {
                // Position → rank through the pieces, then the rank-th member.
                bits.select(piecewise(by_position, pos) as u64)?
            }
        };
        Some(self.base + (key << self.shift))
    }

    /// Number of objects mapped.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// IDs that occur more than once (a diagnostic: the dump is inconsistent).
    pub fn duplicates(&self) -> u64 {
        self.duplicates
    }

    /// Whether the file order is the ID order.
    #[cfg(test)]
    fn describe_order(&self) -> &'static str {
        match self.order {
            Order::Identity => "sorted",
            Order::Pieces(_) => "pieces",
            Order::Dense(_) => "unsorted",
        }
    }

    /// How IDs are stored: `bitmap` or `keys`.
    #[cfg(test)]
    fn describe_repr(&self) -> &'static str {
        match self.repr {
            Repr::Bits { .. } => "bitmap",
            Repr::Keys { .. } => "keys",
        }
    }

    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        let repr = match &self.repr {
            Repr::Keys { keys, dir, .. } => keys.bytes() + dir.capacity() * 4,
            Repr::Bits { bits, by_position } => bits.heap_bytes() + by_position.capacity() * 8,
        };
        repr + match &self.order {
            Order::Identity => 0,
            Order::Pieces(p) => p.capacity() * 8,
            Order::Dense(v) => v.capacity() * 4,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(ids: Vec<u64>, first: u32) {
        let map = IdMap::build(ids.clone(), first);
        for (i, &id) in ids.iter().enumerate() {
            assert_eq!(map.get(id), Some(first + i as u32), "id {id:#x}");
            assert_eq!(map.id_of(first + i as u32), Some(id));
        }
        // Absent IDs: between, below, above, misaligned.
        let max = ids.iter().max().copied().unwrap_or(0);
        assert_eq!(map.get(max + 8), None);
        assert_eq!(map.get(0), None);
        assert_eq!(map.get(u64::MAX), None);
    }

    #[test]
    fn sorted_ids() {
        let v: Vec<u64> = (1..1000).map(|i| 0x7000_0000 + i * 24).collect();
        assert_eq!(IdMap::build(v.clone(), 5).describe_repr(), "bitmap");
        check(v, 5);
    }

    #[test]
    fn sorted_ids_spread_over_many_lines() {
        // Gaps from 8 bytes to 8 KiB: empty lines, full words, lines of one bit.
        let mut id = 0x6_0000_0000u64;
        let v: Vec<u64> = (0..20_000u64)
            .map(|i| {
                id += 8 * (1 + (i * i) % 37) + if i % 1000 == 0 { 8 << 10 } else { 0 };
                id
            })
            .collect();
        let map = IdMap::build(v.clone(), 7);
        assert_eq!(map.describe_repr(), "bitmap");
        check(v.clone(), 7);
        for w in v.windows(2) {
            for miss in (w[0] + 8..w[1]).step_by(8).take(3) {
                assert_eq!(map.get(miss), None, "{miss:#x}");
            }
        }
    }

    #[test]
    fn two_close_runs_use_the_bitmap_through_pieces() {
        let mut v: Vec<u64> = (0..3000).map(|i| 0x9000_0000 + i * 16).collect();
        v.extend((0..3000).map(|i| 0x8ff0_0000 + i * 24));
        let map = IdMap::build(v.clone(), 11);
        assert_eq!(
            (map.describe_order(), map.describe_repr()),
            ("pieces", "bitmap")
        );
        check(v, 11);
    }

    #[test]
    fn duplicate_ids_keep_the_keys() {
        let mut v: Vec<u64> = (0..100).map(|i| 0x1000 + i * 16).collect();
        v.insert(50, 0x1000 + 49 * 16);
        let map = IdMap::build(v.clone(), 0);
        assert_eq!((map.describe_repr(), map.duplicates()), ("keys", 1));
        assert_eq!(map.get(0x1000 + 10 * 16), Some(10));
        assert_eq!(map.id_of(50), Some(0x1000 + 49 * 16));
    }

    #[test]
    fn two_runs_like_generations() {
        let mut v: Vec<u64> = (0..500).map(|i| 0xd600_0000 + i * 16).collect();
        v.extend((0..500).map(|i| 0x8100_0000 + i * 32));
        let map = IdMap::build(v.clone(), 0);
        assert_eq!(map.describe_order(), "pieces");
        check(v, 0);
    }

    #[test]
    fn shuffled_ids_and_wide_span() {
        let mut v: Vec<u64> = (0..3000u64)
            .map(|i| (i * 7919) % 3001 * 8 + 0x1000)
            .collect();
        v.push(0x7fff_0000_0000_0000);
        let map = IdMap::build(v.clone(), 0);
        assert_eq!(map.describe_order(), "unsorted");
        check(v, 0);
    }

    #[test]
    fn unaligned_sequential_ids() {
        // hprof-32.bin uses small sequential IDs, not addresses.
        check((1..5000).collect(), 0);
        assert_eq!(IdMap::build((1..10).collect(), 0).get(100), None);
    }

    #[test]
    fn empty_and_single() {
        let m = IdMap::build(vec![], 3);
        assert_eq!(m.get(1), None);
        check(vec![0xabc0], 0);
    }

    #[test]
    fn bytes_per_object_for_sorted_dumps() {
        let n = 1 << 16;
        let m = IdMap::build((0..n).map(|i| 0x6000_0000 + i * 40).collect(), 0);
        let per = m.heap_bytes() as f64 / n as f64;
        // 40-byte objects: 5 bit positions each in the bitmap (`RankBits`: 8/7 bits each).
        assert!(per <= 0.72, "{per} bytes per object");
        // Sparse IDs (8-byte aligned, one object per ~4 KiB): the keys and directory.
        let m = IdMap::build(
            (0..n).map(|i| 0x6000_0000 + i * 4096 + i % 2 * 8).collect(),
            0,
        );
        let per = m.heap_bytes() as f64 / n as f64;
        assert_eq!(m.describe_repr(), "keys");
        assert!(per <= 5.1, "{per} bytes per object");
    }
}

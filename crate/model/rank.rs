//! A bit set with constant-time rank: which of `0..len` are members, and how many members
//! come before a member. Used by the ID map (one bit per possible address) and by the size
//! table (one bit per object sized individually).
//!
//! Bits live in 64-byte lines: the number of members in all earlier lines, then 448 bits.
//! A rank reads one cache line. That is 1/7 byte per bit position, 8/7 bits.

/// Bits per [`Line`].
const LINE_BITS: u64 = 448;

/// 64 bytes: the number of set bits in all earlier lines, then 448 bits.
#[derive(Clone, Copy, Default)]
#[repr(C, align(64))]
struct Line {
    before: u64,
    words: [u64; 7],
}

/// The bit set. Build it with [`RankBits::zeroed`] and [`RankBits::set`], then
/// [`RankBits::finish`] before any rank or select.
#[derive(Default)]
pub struct RankBits {
    lines: Vec<Line>,
    len: u64,
}

impl RankBits {
    /// An empty set over positions `0..len`, or `None` if its lines would not fit
    /// in memory's address range.
    pub fn zeroed(len: u64) -> Option<Self> {
        let lines = usize::try_from(len / LINE_BITS + 1).ok()?;
        Some(RankBits {
            lines: vec![Line::default(); lines],
            len,
        })
    }

    /// Bytes the set takes for `len` positions.
    pub fn bytes_for(len: u64) -> u64 {
        (len / LINE_BITS + 1).saturating_mul(64)
    }

    /// Adds `k`; returns false if it was already a member or is out of range.
    #[inline]
    pub fn set(&mut self, k: u64) -> bool {
        if k >= self.len {
            return false;
        }
        let Some(line) = self.lines.get_mut((k / LINE_BITS) as usize) else {
            return false;
        };
        let off = k % LINE_BITS;
        let Some(word) = line.words.get_mut((off / 64) as usize) else {
            return false;
        };
        let bit = 1u64 << (off % 64);
        let fresh = *word & bit == 0;
        *word |= bit;
        fresh
    }

    /// Counts the members of each line's predecessors. Call after the last `set`.
    pub fn finish(&mut self) {
        let mut before = 0u64;
        for line in &mut self.lines {
            line.before = before;
            before += line
                .words
                .iter()
                .map(|w| u64::from(w.count_ones()))
                .sum::<u64>();
        }
    }

    /// The number of members before `k` if `k` is a member.
    #[inline]
    pub fn rank(&self, k: u64) -> Option<u64> {
        let line = self.lines.get(usize::try_from(k / LINE_BITS).ok()?)?;
        let off = (k % LINE_BITS) as usize;
        let (w, b) = (off / 64, off % 64);
        let word = *line.words.get(w)?;
        if (word >> b) & 1 == 0 {
            return None;
        }
        let mut rank = line.before + u64::from((word & ((1u64 << b) - 1)).count_ones());
        for x in line.words.iter().take(w) {
            rank += u64::from(x.count_ones());
        }
        Some(rank)
    }

    /// The member with `rank` members before it.
    pub fn select(&self, rank: u64) -> Option<u64> {
        let l = self
            .lines
            .partition_point(|line| line.before <= rank)
            .checked_sub(1)?;
        let line = self.lines.get(l)?;
        let mut left = rank - line.before;
        for (w, &word) in line.words.iter().enumerate() {
            let c = u64::from(word.count_ones());
            if left < c {
                let mut x = word;
                for _ in 0..left {
                    x &= x - 1;
                }
                return Some(l as u64 * LINE_BITS + w as u64 * 64 + u64::from(x.trailing_zeros()));
            }
            left -= c;
        }
        None
    }

    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.lines.capacity() * 64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_and_select_agree_with_counting() {
        let len = 5000u64;
        let members: Vec<u64> = (0..len)
            .filter(|k| (k * k + 3 * k) % 7 < 2 || k % 449 == 0)
            .collect();
        let mut b = RankBits::zeroed(len).expect("small");
        for &k in &members {
            assert!(b.set(k));
        }
        assert!(!b.set(members[3]), "already a member");
        assert!(!b.set(len), "out of range");
        b.finish();
        let mut r = 0;
        for k in 0..len {
            if members.binary_search(&k).is_ok() {
                assert_eq!(b.rank(k), Some(r), "rank of {k}");
                assert_eq!(b.select(r), Some(k), "select {r}");
                r += 1;
            } else {
                assert_eq!(b.rank(k), None, "{k} is not a member");
            }
        }
        assert_eq!(b.select(r), None);
        assert_eq!(b.rank(len + 10_000), None);
    }

    #[test]
    fn empty_lines_and_full_words() {
        let mut b = RankBits::zeroed(10_000).expect("small");
        for k in (0..64).chain(9_000..9_100) {
            b.set(k);
        }
        b.finish();
        assert_eq!(b.rank(63), Some(63));
        assert_eq!(b.rank(9_000), Some(64));
        assert_eq!(b.select(64), Some(9_000));
        assert_eq!(b.select(163), Some(9_099));
        assert_eq!(RankBits::bytes_for(10_000), b.heap_bytes() as u64);
    }
}

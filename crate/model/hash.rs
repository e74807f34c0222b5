//! A fast hasher for u64 keys (object and class IDs). IDs are addresses, so the low bits
//! are zero and the high bits constant; a multiply-xorshift spreads them. Not resistant to
//! collision attacks, which cost only time here: every table it serves is bounded by the
//! number of records in the dump.

use std::hash::{BuildHasherDefault, Hasher};

/// Hasher for integer keys.
#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    #[inline]
    fn finish(&self) -> u64 {
        let x = self.0.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        x ^ (x >> 29)
    }
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x100_0000_01B3);
        }
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.0 = self.0.rotate_left(32) ^ i;
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.write_u64(u64::from(i));
    }
}

/// A HashMap keyed by IDs.
pub type IdHashMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<IdHasher>>;

/// A HashSet of IDs.
pub type IdHashSet<K> = std::collections::HashSet<K, BuildHasherDefault<IdHasher>>;

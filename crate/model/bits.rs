//! Sets of dense u32 numbers (objects, preorder vertices) as bitmaps: 1 bit per possible
//! member, in u64 words. Free functions over `[u64]`, so that the structures holding a set
//! keep a plain `Vec<u64>`. A number past the end is in no set, and adding it does nothing.

/// An empty set over `0..n`: `n` bits, all clear (`n / 8` bytes).
pub fn empty(n: usize) -> Vec<u64> {
    vec![0u64; n.div_ceil(64)]
}

/// Whether `i` is in the set.
#[inline]
pub fn get(bits: &[u64], i: u32) -> bool {
    bits.get((i / 64) as usize)
        .is_some_and(|w| w & (1u64 << (i % 64)) != 0)
}

/// Adds `i`.
#[inline]
pub fn set(bits: &mut [u64], i: u32) {
    if let Some(w) = bits.get_mut((i / 64) as usize) {
        *w |= 1u64 << (i % 64);
    }
}

/// Adds `i`; false if it was there already (or is past the end).
#[inline]
pub fn insert(bits: &mut [u64], i: u32) -> bool {
    let bit = 1u64 << (i % 64);
    match bits.get_mut((i / 64) as usize) {
        Some(w) if *w & bit == 0 => {
            *w |= bit;
            true
        }
        _ => false,
    }
}

/// The members, ascending.
pub fn ones(bits: &[u64]) -> impl Iterator<Item = u32> + '_ {
    bits.iter().enumerate().flat_map(|(k, &w)| {
        let mut w = w;
        std::iter::from_fn(move || {
            if w == 0 {
                return None;
            }
            let b = w.trailing_zeros();
            w &= w - 1;
            Some(k as u32 * 64 + b)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_and_bounds() {
        let mut b = empty(130);
        assert_eq!(b.len(), 3);
        assert!(insert(&mut b, 0));
        assert!(insert(&mut b, 129));
        assert!(!insert(&mut b, 129));
        set(&mut b, 64);
        // Past the end: in no set, never added.
        assert!(!insert(&mut b, 192));
        set(&mut b, 1000);
        assert!(get(&b, 64) && get(&b, 129) && !get(&b, 65) && !get(&b, 1000));
        assert_eq!(ones(&b).collect::<Vec<_>>(), vec![0, 64, 129]);
    }
}

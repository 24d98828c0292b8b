//! A small ordered map for keys an attacker may choose (the reader's memo indices put out of
//! order, the dict keys the converter compares as Python does):
//! sorted runs merged as a binary counter carries (Bentley and Saxe's logarithmic method), so
//! no order or choice of keys makes it slow, without the code of a balanced tree or a hash
//! function an input could collide.

use alloc::vec::Vec;

/// A map of `Copy` keys to `Copy` values, each key at most once.
///
/// `entries` is a row of sorted runs, one per set bit of `entries.len()`, largest first (13
/// entries = a run of 8, one of 4, one of 1). A new key is pushed as a run of one and merged
/// with each run of its size before it, as a binary counter carries: an entry takes part in
/// at most log2(n) merges, so n insertions cost O(n log n) moves and comparisons in all
/// (one insertion at most n moves, when every run merges into one), and a lookup
/// binary-searches each run, O(log² n) comparisons. Memory: the entries, plus a copy of the
/// upper run while it merges (at most half of them).
pub(super) struct Index<K, V> {
    entries: Vec<(K, V)>,
}

impl<K: Ord + Copy, V: Copy> Index<K, V> {
    pub(super) const fn new() -> Self {
        Index {
            entries: Vec::new(),
        }
    }

    /// How many keys the map holds.
    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(super) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The value of `key`.
    pub(super) fn get(&self, key: &K) -> Option<V> {
        self.find(key)
            .and_then(|i| self.entries.get(i))
            .map(|&(_, v)| v)
    }

    /// The value of `key` to update when the map has it (the map is left as it is); else adds
    /// `key` with `value` and returns `None`.
    pub(super) fn insert_or_get(&mut self, key: K, value: V) -> Option<&mut V> {
        match self.find(&key) {
            Some(i) => self.entries.get_mut(i).map(|(_, v)| v),
            None => {
                self.push(key, value);
                None
            }
        }
    }

    /// Where `key` is in `entries`: each run is searched, the smallest (last) first.
    fn find(&self, key: &K) -> Option<usize> {
        let mut end = self.entries.len();
        let mut rest = end;
        while rest != 0 {
            // The smallest run left: the lowest set bit of the length not yet searched.
            let size = rest & rest.wrapping_neg();
            let start = end - size;
            let run = self.entries.get(start..end)?;
            if let Ok(i) = run.binary_search_by(|(k, _)| k.cmp(key)) {
                return Some(start + i);
            }
            end = start;
            rest -= size;
        }
        None
    }

    /// Adds `key`, which the map does not hold, and restores the runs.
    fn push(&mut self, key: K, value: V) {
        self.entries.push((key, value));
        let n = self.entries.len();
        // The last `size` entries are one sorted run; while the bit of `size` is clear in `n`,
        // a run of the same size comes before it (the binary digits of `n - 1` ended in ones).
        let mut size = 1;
        while n & size == 0 {
            self.merge(n - 2 * size, n - size);
            size *= 2;
        }
    }

    /// Merges the sorted runs `lo..mid` and `mid..` (the end of `entries`), whose keys are
    /// distinct, into one.
    // The indices stay in `lo..` the entries' length: `i` in `lo..=mid`, `w` in `i..=hi` and
    // `j` in `hi..=len`, each decreasing only while above its lower end.
    #[allow(clippy::indexing_slicing)]
    fn merge(&mut self, lo: usize, mid: usize) {
        let entries = &mut self.entries;
        let hi = entries.len();
        if lo >= mid || mid >= hi || entries[mid - 1].0 < entries[mid].0 {
            // Already in order (keys pushed in increasing order): nothing moves.
            return;
        }
        // The upper run is copied past the end, then both are merged from the top down into
        // `lo..hi`: the lower run's entries move up only into slots already read.
        entries.extend_from_within(mid..hi);
        let (mut i, mut j, mut w) = (mid, entries.len(), hi);
        while j > hi {
            let upper = entries[j - 1];
            w -= 1;
            if i > lo && entries[i - 1].0 > upper.0 {
                i -= 1;
                entries[w] = entries[i];
            } else {
                j -= 1;
                entries[w] = upper;
            }
        }
        // What is left of the lower run is already in place (`i == w`).
        entries.truncate(hi);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::collections::BTreeMap;

    /// Checks every run of `index` is sorted and every key is found.
    fn check_runs(index: &Index<u64, u32>) {
        let mut end = index.entries.len();
        let mut rest = end;
        while rest != 0 {
            let size = rest & rest.wrapping_neg();
            let run = &index.entries[end - size..end];
            assert!(run.windows(2).all(|w| w[0].0 < w[1].0), "run not sorted");
            end -= size;
            rest -= size;
        }
        for &(k, v) in &index.entries {
            assert_eq!(index.get(&k), Some(v));
        }
    }

    #[test]
    fn index_agrees_with_a_btree_map() {
        // Increasing, decreasing, interleaved, repeated and pseudo-random keys.
        let mut lcg = 0x2545_f491_4f6c_dd1d_u64;
        let orders: [&dyn Fn(u64) -> u64; 6] = [
            &|i| i,
            &|i| 10_000 - i,
            &|i| if i % 2 == 0 { i } else { 1_000_000 - i },
            &|i| i % 37,
            &|i| (i * 7919) % 1009,
            &|i| u64::MAX - (i << 40),
        ];
        for (n, order) in orders.iter().enumerate() {
            let mut index = Index::new();
            let mut map = BTreeMap::new();
            for i in 0..2_000u64 {
                let key = order(i);
                let value = i as u32;
                match (index.insert_or_get(key, value), map.get_mut(&key)) {
                    (None, None) => {
                        map.insert(key, value);
                    }
                    (Some(a), Some(b)) => {
                        assert_eq!(*a, *b, "order {n}, key {key}");
                        *a = value;
                        *b = value;
                    }
                    (a, b) => panic!("order {n}, key {key}: {:?} vs {b:?}", a.map(|v| *v)),
                }
                assert_eq!(index.len(), map.len());
                if i % 97 == 0 {
                    check_runs(&index);
                }
                lcg = lcg.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                let probe = if lcg >> 63 == 0 { key } else { lcg % 12_000 };
                assert_eq!(index.get(&probe), map.get(&probe).copied());
            }
            check_runs(&index);
        }
    }

    /// A key that counts its comparisons.
    #[derive(Clone, Copy)]
    struct Counted<'c>(u64, &'c core::cell::Cell<usize>);

    impl PartialEq for Counted<'_> {
        fn eq(&self, other: &Self) -> bool {
            self.cmp(other).is_eq()
        }
    }
    impl Eq for Counted<'_> {}
    impl PartialOrd for Counted<'_> {
        fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
            Some(self.cmp(other))
        }
    }
    impl Ord for Counted<'_> {
        fn cmp(&self, other: &Self) -> core::cmp::Ordering {
            self.1.set(self.1.get() + 1);
            self.0.cmp(&other.0)
        }
    }

    #[test]
    fn index_costs_n_log_squared_n_comparisons_in_any_order() {
        // Each insertion searches every run (at most log2(n) of them, log2(n) comparisons
        // each) and its merges move each entry at most log2(n) times: 4,096 keys stay within
        // 4,096 * 12 * 12 comparisons in every order, where inserting into one sorted vector
        // would move n² / 2 = 8 million entries for decreasing keys.
        let n = 1u64 << 12;
        let orders: [&dyn Fn(u64) -> u64; 4] = [
            &|i| i,
            &|i| n - i,
            &|i| if i % 2 == 0 { i } else { 2 * n - i },
            &|i| (i * 2_654_435_761) % (1 << 32),
        ];
        for (which, order) in orders.iter().enumerate() {
            let count = core::cell::Cell::new(0);
            let mut index = Index::new();
            for i in 0..n {
                assert!(index
                    .insert_or_get(Counted(order(i), &count), 0u8)
                    .is_none());
            }
            assert_eq!(index.len(), n as usize);
            for i in 0..n {
                assert!(index.get(&Counted(order(i), &count)).is_some());
            }
            let bound = (n * 12 * 12) as usize;
            assert!(
                count.get() <= bound,
                "order {which}: {} comparisons",
                count.get()
            );
        }
    }
}

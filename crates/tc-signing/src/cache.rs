//! A small, bounded, thread-safe cache for derived signing keys.

use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Least-recently-used cache of at most `capacity` entries.
///
/// Entries are kept most recently used first, so the common case (one credential,
/// one service, today) is a hit on the first comparison; a hit moves its entry to
/// the front in place and allocates nothing. Lookups are linear: the cache is meant
/// for a handful of entries (one per credential, day and service in practice).
/// `Debug` shows counts only, never keys or values, because the values are derived
/// secrets.
pub(crate) struct KeyCache<K, V> {
    capacity: usize,
    inner: Mutex<Inner<K, V>>,
}

struct Inner<K, V> {
    /// Most recently used first.
    entries: Vec<(K, V)>,
    misses: u64,
}

impl<K, V: Clone> KeyCache<K, V> {
    /// An empty cache holding at most `capacity` entries (at least one).
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            inner: Mutex::new(Inner {
                entries: Vec::new(),
                misses: 0,
            }),
        }
    }

    /// The cached value of the first entry whose key `matches`; on a miss, `make`
    /// computes the key and value, which are stored (evicting the least recently used
    /// entry when full).
    ///
    /// Taking a predicate rather than a key lets callers look up with borrowed parts
    /// (`&str`, not `String`) and build an owned key only on a miss. `make` runs
    /// under the lock: it is a few microseconds of hashing, and holding the lock
    /// means concurrent callers never derive the same key twice.
    pub(crate) fn get_or_insert_with(
        &self,
        matches: impl Fn(&K) -> bool,
        make: impl FnOnce() -> (K, V),
    ) -> V {
        let mut inner = self.lock();
        if let Some(position) = inner.entries.iter().position(|(k, _)| matches(k)) {
            inner.entries[..=position].rotate_right(1);
            return inner.entries[0].1.clone();
        }
        let (key, value) = make();
        inner.misses += 1;
        if inner.entries.capacity() == 0 {
            inner.entries.reserve_exact(self.capacity);
        }
        inner.entries.truncate(self.capacity - 1);
        inner.entries.insert(0, (key, value.clone()));
        value
    }
}

impl<K, V> KeyCache<K, V> {
    /// How many entries are cached now.
    pub(crate) fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// How many values were computed (cache misses) since creation.
    pub(crate) fn misses(&self) -> u64 {
        self.lock().misses
    }

    /// A poisoned lock only means another thread panicked while holding it; the
    /// cache contents are still consistent (entries are inserted whole), so go on.
    fn lock(&self) -> MutexGuard<'_, Inner<K, V>> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<K, V> fmt::Debug for KeyCache<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyCache")
            .field("entries", &self.len())
            .field("capacity", &self.capacity)
            .field("misses", &self.misses())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(cache: &KeyCache<i32, &'static str>, key: i32, value: &'static str) -> &'static str {
        cache.get_or_insert_with(|k| *k == key, || (key, value))
    }

    #[test]
    fn hits_do_not_recompute_and_capacity_is_enforced() {
        let cache = KeyCache::new(2);
        assert_eq!(get(&cache, 1, "a"), "a");
        assert_eq!(get(&cache, 1, "changed"), "a");
        assert_eq!(cache.misses(), 1);
        get(&cache, 2, "b");
        get(&cache, 1, "unused"); // touch 1: now 2 is least recent
        get(&cache, 3, "c"); // evicts 2, the least recently used
        assert_eq!(cache.len(), 2);
        assert_eq!(get(&cache, 1, "recomputed"), "a");
        assert_eq!(get(&cache, 2, "b2"), "b2");
        assert_eq!(cache.misses(), 4);
    }

    #[test]
    fn recency_order_survives_many_hits_and_misses() {
        let cache = KeyCache::new(3);
        for key in [1, 2, 3, 1, 2, 1, 4] {
            get(&cache, key, "v");
        }
        // Least recently used of {1, 2, 3} when 4 arrived: 3.
        assert_eq!(cache.len(), 3);
        let misses = cache.misses();
        get(&cache, 1, "v");
        get(&cache, 2, "v");
        get(&cache, 4, "v");
        assert_eq!(cache.misses(), misses);
        get(&cache, 3, "v");
        assert_eq!(cache.misses(), misses + 1);
    }

    #[test]
    fn capacity_of_one_keeps_the_last() {
        let cache = KeyCache::new(0); // raised to one
        get(&cache, 1, "a");
        get(&cache, 2, "b");
        assert_eq!(cache.len(), 1);
        assert_eq!(get(&cache, 2, "unused"), "b");
        assert_eq!(cache.misses(), 2);
    }

    #[test]
    fn debug_shows_counts_only() {
        let cache = KeyCache::new(4);
        cache.get_or_insert_with(|k| *k == "k", || ("k", "secret-value"));
        let shown = format!("{cache:?}");
        assert!(!shown.contains("secret-value"));
        assert!(shown.contains("entries: 1"));
    }
}

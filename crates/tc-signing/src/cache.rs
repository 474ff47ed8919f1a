//! A small, bounded, thread-safe cache for derived signing keys.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Least-recently-used cache of at most `capacity` entries.
///
/// Lookups are linear: the cache is meant for a handful of entries (one per
/// credential, day and service in practice). `Debug` shows counts only, never keys
/// or values, because the values are derived secrets.
pub(crate) struct KeyCache<K, V> {
    capacity: usize,
    inner: Mutex<Inner<K, V>>,
}

struct Inner<K, V> {
    entries: VecDeque<(K, V)>,
    misses: u64,
}

impl<K: PartialEq, V: Clone> KeyCache<K, V> {
    /// An empty cache holding at most `capacity` entries (at least one).
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            inner: Mutex::new(Inner {
                entries: VecDeque::new(),
                misses: 0,
            }),
        }
    }

    /// The cached value for `key`, computing and storing it with `make` on a miss
    /// (evicting the least recently used entry when full).
    ///
    /// `make` runs under the lock: it is a few microseconds of hashing, and holding
    /// the lock means concurrent callers never derive the same key twice.
    pub(crate) fn get_or_insert_with(&self, key: K, make: impl FnOnce() -> V) -> V {
        let mut inner = self.lock();
        if let Some(position) = inner.entries.iter().position(|(k, _)| *k == key) {
            if let Some(entry) = inner.entries.remove(position) {
                let value = entry.1.clone();
                inner.entries.push_back(entry);
                return value;
            }
        }
        let value = make();
        inner.misses += 1;
        if inner.entries.len() >= self.capacity {
            inner.entries.pop_front();
        }
        inner.entries.push_back((key, value.clone()));
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

    #[test]
    fn hits_do_not_recompute_and_capacity_is_enforced() {
        let cache = KeyCache::new(2);
        assert_eq!(cache.get_or_insert_with(1, || "a"), "a");
        assert_eq!(cache.get_or_insert_with(1, || "changed"), "a");
        assert_eq!(cache.misses(), 1);
        cache.get_or_insert_with(2, || "b");
        cache.get_or_insert_with(1, || "unused"); // touch 1: now 2 is least recent
        cache.get_or_insert_with(3, || "c"); // evicts 2, the least recently used
        assert_eq!(cache.len(), 2);
        assert_eq!(cache.get_or_insert_with(1, || "recomputed"), "a");
        assert_eq!(cache.get_or_insert_with(2, || "b2"), "b2");
        assert_eq!(cache.misses(), 4);
    }

    #[test]
    fn debug_shows_counts_only() {
        let cache = KeyCache::new(4);
        cache.get_or_insert_with("k", || "secret-value");
        let shown = format!("{cache:?}");
        assert!(!shown.contains("secret-value"));
        assert!(shown.contains("entries: 1"));
    }
}

//! Asynchronous tasks: their phase is computed from timestamps when polled (no
//! background work), and a bounded table keeps them.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::sync::Mutex;

use crate::config::TaskDurations;
use crate::fault::lock;

/// Most tasks kept per table; the oldest are forgotten first.
pub(crate) const MAX_TASKS: usize = 10_000;

/// Where a task is on its timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    Queued,
    /// Processing, with progress 0–99.
    Processing(u8),
    Done,
}

/// When a task was created and how long its phases last (emulator-clock ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Timeline {
    pub(crate) created_ms: u64,
    pub(crate) queued_ms: u64,
    pub(crate) processing_ms: u64,
}

impl Timeline {
    pub(crate) fn new(created_ms: u64, durations: TaskDurations) -> Self {
        let ms = |d: std::time::Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        Self {
            created_ms,
            queued_ms: ms(durations.queued),
            processing_ms: ms(durations.processing),
        }
    }

    /// When processing starts.
    pub(crate) fn started_ms(&self) -> u64 {
        self.created_ms.saturating_add(self.queued_ms)
    }

    /// When the task finishes.
    pub(crate) fn finished_ms(&self) -> u64 {
        self.started_ms().saturating_add(self.processing_ms)
    }

    pub(crate) fn phase(&self, now_ms: u64) -> Phase {
        if now_ms >= self.finished_ms() {
            Phase::Done
        } else if now_ms < self.started_ms() {
            Phase::Queued
        } else {
            let done = now_ms - self.started_ms();
            let pct = done.saturating_mul(100) / self.processing_ms.max(1);
            Phase::Processing(u8::try_from(pct.min(99)).unwrap_or(99))
        }
    }
}

/// A table of tasks by id that forgets the oldest beyond its capacity.
pub(crate) struct TaskTable<K, V> {
    inner: Mutex<(HashMap<K, V>, VecDeque<K>)>,
    capacity: usize,
}

impl<K: Eq + Hash + Clone, V: Clone> TaskTable<K, V> {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            inner: Mutex::new((HashMap::new(), VecDeque::new())),
            capacity,
        }
    }

    pub(crate) fn insert(&self, key: K, value: V) {
        let mut guard = lock(&self.inner);
        let (map, order) = &mut *guard;
        if map.insert(key.clone(), value).is_none() {
            order.push_back(key);
        }
        while order.len() > self.capacity {
            if let Some(old) = order.pop_front() {
                map.remove(&old);
            }
        }
    }

    pub(crate) fn get(&self, key: &K) -> Option<V> {
        lock(&self.inner).0.get(key).cloned()
    }

    /// Changes a task in place; returns the closure's result, or None if absent.
    pub(crate) fn update<R>(&self, key: &K, f: impl FnOnce(&mut V) -> R) -> Option<R> {
        lock(&self.inner).0.get_mut(key).map(f)
    }

    pub(crate) fn remove(&self, key: &K) -> Option<V> {
        let mut guard = lock(&self.inner);
        let (map, order) = &mut *guard;
        let v = map.remove(key);
        if v.is_some() {
            order.retain(|k| k != key);
        }
        v
    }

    /// All values in insertion order.
    pub(crate) fn values(&self) -> Vec<V> {
        let guard = lock(&self.inner);
        let (map, order) = &*guard;
        order.iter().filter_map(|k| map.get(k).cloned()).collect()
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        lock(&self.inner).0.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn phases_follow_time() {
        let t = Timeline::new(
            1_000,
            TaskDurations::new(Duration::from_millis(100), Duration::from_millis(200)),
        );
        assert_eq!(t.phase(1_000), Phase::Queued);
        assert_eq!(t.phase(1_100), Phase::Processing(0));
        assert_eq!(t.phase(1_200), Phase::Processing(50));
        assert_eq!(t.phase(1_300), Phase::Done);
        let instant = Timeline::new(5, TaskDurations::INSTANT);
        assert_eq!(instant.phase(5), Phase::Done);
    }

    #[test]
    fn table_is_bounded() {
        let t: TaskTable<u32, u32> = TaskTable::new(2);
        t.insert(1, 1);
        t.insert(2, 2);
        t.insert(3, 3);
        assert_eq!(t.len(), 2);
        assert!(t.get(&1).is_none());
        assert_eq!(t.values(), vec![2, 3]);
        assert_eq!(
            t.update(&3, |v| {
                *v += 1;
                *v
            }),
            Some(4)
        );
        assert_eq!(t.remove(&2), Some(2));
    }
}

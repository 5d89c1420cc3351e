//! [`InMemorySessionStore`] and [`InMemoryThrottleStore`]: bounded maps that evict the
//! least recently used entry when full, so that nobody can fill them for everyone.

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use async_trait::async_trait;
use hashlink::LruCache;

use super::{DEFAULT_CAPACITY, after, later, lock};
use crate::store::{SecretHash, SessionRecord, SessionStore, StoreError, ThrottleStore};

/// In-memory [`SessionStore`] (also for single-use tokens such as e-mail
/// confirmations): at `capacity` entries the least recently used one is evicted.
///
/// ```
/// let store = portcullis::InMemorySessionStore::with_capacity(10_000);
/// assert!(store.is_empty());
/// ```
pub struct InMemorySessionStore {
    inner: Mutex<LruCache<SecretHash, (SessionRecord, Instant)>>,
}

impl Default for InMemorySessionStore {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }
}

impl InMemorySessionStore {
    /// A store of at most `capacity` sessions (at least one).
    pub fn with_capacity(capacity: usize) -> Self {
        InMemorySessionStore {
            inner: Mutex::new(LruCache::new(capacity.max(1))),
        }
    }

    /// The number of sessions held (live, or expired and not yet evicted).
    pub fn len(&self) -> usize {
        lock(&self.inner).len()
    }

    /// Whether no session is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[async_trait]
impl SessionStore for InMemorySessionStore {
    async fn create(
        &self,
        id: &SecretHash,
        record: &SessionRecord,
        idle: Duration,
    ) -> Result<(), StoreError> {
        let now = Instant::now();
        lock(&self.inner).insert(*id, (record.clone(), after(now, idle)));
        Ok(())
    }

    async fn touch(
        &self,
        id: &SecretHash,
        idle: Duration,
        absolute: Duration,
    ) -> Result<Option<SessionRecord>, StoreError> {
        let mut inner = lock(&self.inner);
        let now = Instant::now();
        let Some((record, idle_until)) = inner.get_mut(id) else {
            return Ok(None);
        };
        let too_old = later(record.created, absolute) <= SystemTime::now();
        if *idle_until <= now || too_old {
            inner.remove(id);
            return Ok(None);
        }
        *idle_until = after(now, idle);
        Ok(Some(record.clone()))
    }

    async fn destroy(&self, id: &SecretHash) -> Result<(), StoreError> {
        lock(&self.inner).remove(id);
        Ok(())
    }

    async fn take(&self, id: &SecretHash, absolute: Duration) -> Result<Option<SessionRecord>, StoreError> {
        let taken = lock(&self.inner).remove(id);
        let now = Instant::now();
        Ok(taken
            .filter(|(record, idle_until)| {
                *idle_until > now && later(record.created, absolute) > SystemTime::now()
            })
            .map(|(record, _)| record))
    }
}

/// In-memory [`ThrottleStore`]: at `capacity` counters the least recently used one is
/// evicted, never refused — a flood of fresh names or addresses cannot make logins
/// fail for everyone (it can only make the oldest counters start again).
///
/// ```
/// let store = portcullis::InMemoryThrottleStore::with_capacity(10_000);
/// assert!(store.is_empty());
/// ```
pub struct InMemoryThrottleStore {
    inner: Mutex<LruCache<String, (u32, Instant)>>,
}

impl Default for InMemoryThrottleStore {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }
}

impl InMemoryThrottleStore {
    /// A store of at most `capacity` counters (at least one).
    pub fn with_capacity(capacity: usize) -> Self {
        InMemoryThrottleStore {
            inner: Mutex::new(LruCache::new(capacity.max(1))),
        }
    }

    /// The number of counters held (live, or expired and not yet evicted).
    pub fn len(&self) -> usize {
        lock(&self.inner).len()
    }

    /// Whether no counter is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[async_trait]
impl ThrottleStore for InMemoryThrottleStore {
    async fn record_failure(&self, key: &str, window: Duration) -> Result<(u32, Duration), StoreError> {
        let mut inner = lock(&self.inner);
        let now = Instant::now();
        if let Some((count, ends)) = inner.get_mut(key)
            && *ends > now
        {
            *count = count.saturating_add(1);
            return Ok((*count, *ends - now));
        }
        let ends = after(now, window);
        inner.insert(key.to_owned(), (1, ends));
        Ok((1, ends - now))
    }

    async fn forgive(&self, key: &str) -> Result<(), StoreError> {
        if let Some((count, _)) = lock(&self.inner).peek_mut(key) {
            *count = count.saturating_sub(1);
        }
        Ok(())
    }

    async fn failures(&self, key: &str) -> Result<(u32, Duration), StoreError> {
        let inner = lock(&self.inner);
        let now = Instant::now();
        Ok(match inner.peek(key) {
            Some((count, ends)) if *ends > now => (*count, *ends - now),
            _ => (0, Duration::ZERO),
        })
    }
}

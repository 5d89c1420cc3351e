//! In-memory stores: users for tests and examples; revocations, refresh families,
//! sessions and throttle counters for one process, bounded and expiring.
//!
//! Each holds at most `capacity` live entries; expired ones are purged when the map
//! is full, and a store still full after purging refuses new entries with a
//! [`StoreError`] (fail closed) instead of forgetting live ones.

use std::collections::HashMap;
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime};

use async_trait::async_trait;

use super::{
    ApiKeyHash, RefreshStore, RevocationStore, Rotation, SecretHash, SessionRecord, SessionStore, StoreError,
    ThrottleStore, UserStore,
};
use crate::user::AuthUser;

const DEFAULT_CAPACITY: usize = 100_000;
/// Remembered tokens (current and spent) per family on average before the refresh
/// store refuses new rotations.
const SPENT_PER_FAMILY: usize = 16;

/// Durations are capped at 100 years before any time arithmetic: a configured or
/// claimed lifetime can never overflow an `Instant` or a `SystemTime` (no panic).
const FAR: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// `now + d`, saturating at 100 years from now.
fn after(now: Instant, d: Duration) -> Instant {
    now.checked_add(d.min(FAR)).unwrap_or(now)
}

/// `t + d`, saturating at 100 years after `t`.
fn later(t: SystemTime, d: Duration) -> SystemTime {
    t.checked_add(d.min(FAR)).unwrap_or(t)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Makes room in `map` for one more entry, or fails.
fn make_room<K, V>(
    map: &mut HashMap<K, V>,
    capacity: usize,
    live: impl Fn(&V) -> bool,
) -> Result<(), StoreError> {
    if map.len() >= capacity {
        map.retain(|_, v| live(v));
    }
    if map.len() >= capacity {
        return Err(StoreError::new("in-memory store is full"));
    }
    Ok(())
}

struct Family {
    grant: String,
    current: SecretHash,
    revoked: bool,
    expires: Instant,
}

#[derive(Default)]
struct Families {
    /// Every token ever issued in a live family → its family id.
    tokens: HashMap<SecretHash, String>,
    families: HashMap<String, Family>,
}

/// In-memory [`RefreshStore`].
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use portcullis::{InMemoryRefreshStore, RefreshStore, Rotation};
/// use std::time::Duration;
/// let store = InMemoryRefreshStore::default();
/// let ttl = Duration::from_secs(60);
/// store.start("fam-1", "42", &[1; 32], ttl).await.unwrap();
/// assert_eq!(store.current_grant(&[1; 32]).await.unwrap().as_deref(), Some("42"));
/// assert!(matches!(store.rotate(&[1; 32], &[2; 32], ttl).await.unwrap(), Rotation::Rotated { .. }));
/// // Presenting the spent token again revokes the family: the new token dies too.
/// assert!(matches!(store.rotate(&[1; 32], &[3; 32], ttl).await.unwrap(), Rotation::Reused { .. }));
/// assert_eq!(store.rotate(&[2; 32], &[4; 32], ttl).await.unwrap(), Rotation::Invalid);
/// # });
/// ```
pub struct InMemoryRefreshStore {
    inner: Mutex<Families>,
    capacity: usize,
}

impl Default for InMemoryRefreshStore {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }
}

impl InMemoryRefreshStore {
    /// A store of at most `capacity` live families.
    pub fn with_capacity(capacity: usize) -> Self {
        InMemoryRefreshStore {
            inner: Mutex::new(Families::default()),
            capacity,
        }
    }
}

impl Families {
    fn purge(&mut self, now: Instant) {
        self.families.retain(|_, f| f.expires > now);
        let families = &self.families;
        self.tokens.retain(|_, family| families.contains_key(family));
    }
}

#[async_trait]
impl RefreshStore for InMemoryRefreshStore {
    async fn start(
        &self,
        family: &str,
        grant: &str,
        token: &SecretHash,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        let mut inner = lock(&self.inner);
        let now = Instant::now();
        if inner.families.len() >= self.capacity {
            inner.purge(now);
        }
        if inner.families.len() >= self.capacity {
            return Err(StoreError::new("in-memory refresh store is full"));
        }
        inner.families.insert(
            family.to_owned(),
            Family {
                grant: grant.to_owned(),
                current: *token,
                revoked: false,
                expires: after(now, ttl),
            },
        );
        inner.tokens.insert(*token, family.to_owned());
        Ok(())
    }

    async fn rotate(
        &self,
        presented: &SecretHash,
        next: &SecretHash,
        ttl: Duration,
    ) -> Result<Rotation, StoreError> {
        let mut inner = lock(&self.inner);
        let now = Instant::now();
        // Spent tokens are kept for reuse detection; bound them like the families.
        let limit = self.capacity.saturating_mul(SPENT_PER_FAMILY);
        if inner.tokens.len() >= limit {
            inner.purge(now);
            if inner.tokens.len() >= limit {
                return Err(StoreError::new("in-memory refresh store is full"));
            }
        }
        let Some(family_id) = inner.tokens.get(presented).cloned() else {
            return Ok(Rotation::Invalid);
        };
        let Some(family) = inner.families.get_mut(&family_id) else {
            return Ok(Rotation::Invalid);
        };
        if family.revoked || family.expires <= now {
            return Ok(Rotation::Invalid);
        }
        if family.current != *presented {
            family.revoked = true;
            return Ok(Rotation::Reused { family: family_id });
        }
        family.current = *next;
        family.expires = after(now, ttl);
        let grant = family.grant.clone();
        inner.tokens.insert(*next, family_id.clone());
        Ok(Rotation::Rotated {
            grant,
            family: family_id,
        })
    }

    async fn current_grant(&self, presented: &SecretHash) -> Result<Option<String>, StoreError> {
        let inner = lock(&self.inner);
        let family = inner.tokens.get(presented).and_then(|id| inner.families.get(id));
        Ok(family
            .filter(|f| !f.revoked && f.expires > Instant::now() && f.current == *presented)
            .map(|f| f.grant.clone()))
    }

    async fn revoke_family(&self, presented: &SecretHash) -> Result<bool, StoreError> {
        let mut inner = lock(&self.inner);
        let Some(family_id) = inner.tokens.get(presented).cloned() else {
            return Ok(false);
        };
        match inner.families.get_mut(&family_id) {
            Some(family) if !family.revoked && family.expires > Instant::now() => {
                family.revoked = true;
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

/// In-memory [`SessionStore`].
pub struct InMemorySessionStore {
    inner: Mutex<HashMap<SecretHash, (SessionRecord, Instant)>>,
    capacity: usize,
}

impl Default for InMemorySessionStore {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }
}

impl InMemorySessionStore {
    /// A store of at most `capacity` live sessions.
    pub fn with_capacity(capacity: usize) -> Self {
        InMemorySessionStore {
            inner: Mutex::new(HashMap::new()),
            capacity,
        }
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
        let mut inner = lock(&self.inner);
        let now = Instant::now();
        make_room(&mut inner, self.capacity, |(_, idle_until)| *idle_until > now)?;
        inner.insert(*id, (record.clone(), after(now, idle)));
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

/// In-memory [`ThrottleStore`].
pub struct InMemoryThrottleStore {
    inner: Mutex<HashMap<String, (u32, Instant)>>,
    capacity: usize,
}

impl Default for InMemoryThrottleStore {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }
}

impl InMemoryThrottleStore {
    /// A store of at most `capacity` live counters.
    pub fn with_capacity(capacity: usize) -> Self {
        InMemoryThrottleStore {
            inner: Mutex::new(HashMap::new()),
            capacity,
        }
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
        make_room(&mut inner, self.capacity, |(_, ends)| *ends > now)?;
        inner.insert(key.to_owned(), (1, after(now, window)));
        Ok((1, window))
    }

    async fn forgive(&self, key: &str) -> Result<(), StoreError> {
        if let Some((count, _)) = lock(&self.inner).get_mut(key) {
            *count = count.saturating_sub(1);
        }
        Ok(())
    }

    async fn failures(&self, key: &str) -> Result<(u32, Duration), StoreError> {
        let inner = lock(&self.inner);
        let now = Instant::now();
        Ok(match inner.get(key) {
            Some((count, ends)) if *ends > now => (*count, *ends - now),
            _ => (0, Duration::ZERO),
        })
    }
}

/// An in-memory [`UserStore`] for tests, examples and small tools.
///
/// ```
/// use portcullis::{AuthUser, InMemoryUserStore};
/// #[derive(Clone, AuthUser)]
/// struct User { #[auth_user(id)] id: u32, #[auth_user(name)] name: String }
///
/// let store = InMemoryUserStore::new();
/// store.insert(User { id: 1, name: "ann".into() });
/// store.add_api_key(&1, "pk_test_0123456789abcdef");
/// ```
pub struct InMemoryUserStore<U: AuthUser> {
    inner: RwLock<UsersById<U>>,
}

struct UsersById<U: AuthUser> {
    users: HashMap<U::Id, U>,
    api_keys: HashMap<ApiKeyHash, U::Id>,
}

impl<U: AuthUser> Default for InMemoryUserStore<U> {
    fn default() -> Self {
        InMemoryUserStore {
            inner: RwLock::new(UsersById {
                users: HashMap::new(),
                api_keys: HashMap::new(),
            }),
        }
    }
}

impl<U: AuthUser> InMemoryUserStore<U> {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces a user (by id).
    pub fn insert(&self, user: U) {
        let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
        inner.users.insert(user.id().clone(), user);
    }

    /// Gives the user `id` an API key; only the key's SHA-256 is kept.
    pub fn add_api_key(&self, id: &U::Id, key: &str) {
        let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
        inner
            .api_keys
            .insert(crate::secret::hash_api_key(key), id.clone());
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, UsersById<U>> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait]
impl<U: AuthUser> UserStore<U> for InMemoryUserStore<U> {
    async fn find_by_id(&self, id: &U::Id) -> Result<Option<U>, StoreError> {
        Ok(self.read().users.get(id).cloned())
    }

    async fn find_by_username(&self, username: &str) -> Result<Option<U>, StoreError> {
        Ok(self
            .read()
            .users
            .values()
            .find(|u| u.name() == Some(username))
            .cloned())
    }

    async fn find_by_api_key_hash(&self, hash: &ApiKeyHash) -> Result<Option<U>, StoreError> {
        let inner = self.read();
        Ok(inner
            .api_keys
            .get(hash)
            .and_then(|id| inner.users.get(id))
            .cloned())
    }
}

/// In-memory [`RevocationStore`]: entries expire with their tokens, and the map is
/// bounded (expired entries are purged before it grows past its capacity).
///
/// ```
/// let store = portcullis::InMemoryRevocationStore::with_capacity(10_000);
/// # let _ = store;
/// ```
pub struct InMemoryRevocationStore {
    revoked: RwLock<HashMap<String, SystemTime>>,
    capacity: usize,
}

impl Default for InMemoryRevocationStore {
    fn default() -> Self {
        Self::with_capacity(100_000)
    }
}

impl InMemoryRevocationStore {
    /// A store holding at most `capacity` live revocations; past that, revoking fails
    /// (with a [`StoreError`]) rather than forgetting a live revocation.
    pub fn with_capacity(capacity: usize) -> Self {
        InMemoryRevocationStore {
            revoked: RwLock::new(HashMap::new()),
            capacity,
        }
    }
}

#[async_trait]
impl RevocationStore for InMemoryRevocationStore {
    async fn revoke(&self, jti: &str, until: SystemTime) -> Result<(), StoreError> {
        let mut map = self.revoked.write().unwrap_or_else(|e| e.into_inner());
        if map.len() >= self.capacity {
            let now = SystemTime::now();
            map.retain(|_, until| *until > now);
        }
        if map.len() >= self.capacity {
            return Err(StoreError::new("revocation store is full"));
        }
        // Keep a revoked id a little past the token's expiry to cover clock leeway.
        map.insert(jti.to_owned(), later(until, Duration::from_secs(60)));
        Ok(())
    }

    async fn is_revoked(&self, jti: &str) -> Result<bool, StoreError> {
        let map = self.revoked.read().unwrap_or_else(|e| e.into_inner());
        Ok(map.get(jti).is_some_and(|until| *until > SystemTime::now()))
    }
}

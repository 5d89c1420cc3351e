//! In-memory stores: users for tests and examples; revocations, refresh families,
//! sessions, single-use tokens and throttle counters for one process, bounded and
//! expiring.
//!
//! What each does when full (`capacity` live entries, 100 000 by default):
//!
//! | store | when full | why |
//! |---|---|---|
//! | refresh families | evicts the least recently used family (its client logs in again) | one entry per login, O(1) per family whatever the rotations; refusing would deny every login |
//! | sessions, single-use tokens | evicts the least recently used one | one entry per login or mail; refusing would deny every login |
//! | throttle counters | evicts the least recently used counter | anyone can create counters (one per address, and per name only below the address limit); refusing would answer every login 503 |
//! | revocations | purges expired ones, then **refuses** (503, fail closed) | forgetting a live revocation would let a revoked token in; entries need a logged-in user and expire with their token |

mod refresh;
mod sessions;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime};

use async_trait::async_trait;

use super::{ApiKeyHash, Revocation, RevocationStore, StoreError, UserStore};
use crate::user::AuthUser;
pub use refresh::InMemoryRefreshStore;
pub use sessions::{InMemorySessionStore, InMemoryThrottleStore};

const DEFAULT_CAPACITY: usize = 100_000;

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
///
/// // A clone is a handle on the same users: add users after the gate is built.
/// let auth = portcullis::Portcullis::builder(store.clone()).build().unwrap();
/// store.insert(User { id: 2, name: "bea".into() });
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// assert!(auth.users().find_by_id(&2).await.unwrap().is_some());
/// # });
/// ```
pub struct InMemoryUserStore<U: AuthUser> {
    inner: Arc<RwLock<UsersById<U>>>,
}

/// A handle on the same users: keep a clone to add users after
/// [`build`](crate::PortcullisBuilder::build) (a registration, an admin tool).
impl<U: AuthUser> Clone for InMemoryUserStore<U> {
    fn clone(&self) -> Self {
        InMemoryUserStore {
            inner: Arc::clone(&self.inner),
        }
    }
}

struct UsersById<U: AuthUser> {
    users: HashMap<U::Id, U>,
    api_keys: HashMap<ApiKeyHash, U::Id>,
    /// Lower-cased e-mail address → user id.
    emails: HashMap<String, U::Id>,
}

impl<U: AuthUser> Default for InMemoryUserStore<U> {
    fn default() -> Self {
        InMemoryUserStore {
            inner: Arc::new(RwLock::new(UsersById {
                users: HashMap::new(),
                api_keys: HashMap::new(),
                emails: HashMap::new(),
            })),
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

    /// Gives the user `id` an e-mail address, for logins by e-mail
    /// ([`UserStore::find_by_email`]); compared case-insensitively, one user per
    /// address (a later call moves the address), any earlier address of the user is
    /// dropped.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use portcullis::{AuthUser, InMemoryUserStore, UserStore};
    /// #[derive(Clone, AuthUser)]
    /// struct User { #[auth_user(id)] id: u32 }
    /// let store = InMemoryUserStore::new();
    /// store.insert(User { id: 1 });
    /// store.set_email(&1, "Ann@Example.com");
    /// assert_eq!(store.find_by_email("ann@example.com").await.unwrap().map(|u| u.id), Some(1));
    /// # });
    /// ```
    pub fn set_email(&self, id: &U::Id, email: &str) {
        let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
        inner.emails.retain(|_, owner| owner != id);
        inner.emails.insert(email.to_lowercase(), id.clone());
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

    async fn find_by_email(&self, email: &str) -> Result<Option<U>, StoreError> {
        let inner = self.read();
        Ok(inner
            .emails
            .get(&email.to_lowercase())
            .and_then(|id| inner.users.get(id))
            .cloned())
    }
}

/// Cut-offs ("everything issued before"): (before, kept until), per user and for all.
#[derive(Default)]
struct CutOffs {
    users: HashMap<String, (SystemTime, SystemTime)>,
    every_user: Option<(SystemTime, SystemTime)>,
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
    cut_offs: RwLock<CutOffs>,
    capacity: usize,
}

impl Default for InMemoryRevocationStore {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }
}

impl InMemoryRevocationStore {
    /// A store holding at most `capacity` live revocations; past that, revoking fails
    /// (with a [`StoreError`]) rather than forgetting a live revocation.
    pub fn with_capacity(capacity: usize) -> Self {
        InMemoryRevocationStore {
            revoked: RwLock::new(HashMap::new()),
            cut_offs: RwLock::new(CutOffs::default()),
            capacity,
        }
    }
}

impl InMemoryRevocationStore {
    fn cut_off(&self, subject: Option<&str>, now: SystemTime) -> Option<SystemTime> {
        let cut_offs = self.cut_offs.read().unwrap_or_else(|e| e.into_inner());
        let live = |entry: Option<&(SystemTime, SystemTime)>| {
            entry.filter(|(_, kept)| *kept > now).map(|(before, _)| *before)
        };
        let own = subject.and_then(|s| live(cut_offs.users.get(s)));
        own.max(live(cut_offs.every_user.as_ref()))
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

    async fn revoke_issued_before(
        &self,
        subject: Option<&str>,
        before: SystemTime,
        until: SystemTime,
    ) -> Result<(), StoreError> {
        let mut cut_offs = self.cut_offs.write().unwrap_or_else(|e| e.into_inner());
        let entry = match subject {
            None => cut_offs.every_user.get_or_insert((before, until)),
            Some(subject) => {
                let users = &mut cut_offs.users;
                if users.len() >= self.capacity && !users.contains_key(subject) {
                    let now = SystemTime::now();
                    users.retain(|_, (_, kept)| *kept > now);
                    if users.len() >= self.capacity {
                        return Err(StoreError::new("revocation store is full"));
                    }
                }
                users.entry(subject.to_owned()).or_insert((before, until))
            }
        };
        // Only forward, and kept as long as the longest of both asks.
        *entry = (entry.0.max(before), entry.1.max(until));
        Ok(())
    }

    async fn issued_before(&self, subject: Option<&str>) -> Result<Option<SystemTime>, StoreError> {
        Ok(self.cut_off(subject, SystemTime::now()))
    }

    async fn check(&self, ids: &[&str], subject: Option<&str>) -> Result<Revocation, StoreError> {
        let now = SystemTime::now();
        let revoked = {
            let map = self.revoked.read().unwrap_or_else(|e| e.into_inner());
            ids.iter()
                .any(|id| map.get(*id).is_some_and(|until| *until > now))
        };
        Ok(Revocation {
            revoked,
            issued_before: self.cut_off(subject, now),
        })
    }
}

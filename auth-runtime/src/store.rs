//! Stores the runtime reads: users and revoked token ids.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;

use crate::user::AuthUser;

/// A store could not answer. Portcullis answers 503 and never lets the request in.
///
/// The message is for logs; it must not contain secrets.
#[derive(Debug, Clone, thiserror::Error)]
#[error("store unavailable: {message}")]
pub struct StoreError {
    message: String,
}

impl StoreError {
    /// A store failure with a log message.
    ///
    /// ```
    /// let e = portcullis::StoreError::new("connection refused");
    /// assert_eq!(e.to_string(), "store unavailable: connection refused");
    /// ```
    pub fn new(message: impl Into<String>) -> Self {
        StoreError {
            message: message.into(),
        }
    }
}

/// SHA-256 of an API key: the only form in which keys are stored and looked up.
pub type ApiKeyHash = [u8; 32];

/// Where users come from: implement it over your ORM or database.
///
/// Every method returns `Ok(None)` for "no such user" and `Err` only when the store
/// could not answer (then the request gets 503).
///
/// ```
/// use portcullis::{async_trait, ApiKeyHash, AuthUser, StoreError, UserStore};
///
/// #[derive(Clone, AuthUser)]
/// struct User { #[auth_user(id)] id: i64, #[auth_user(name)] name: String }
///
/// struct Db;
///
/// #[async_trait]
/// impl UserStore<User> for Db {
///     async fn find_by_id(&self, id: &i64) -> Result<Option<User>, StoreError> {
///         Ok((*id == 1).then(|| User { id: 1, name: "ann".into() }))
///     }
///     async fn find_by_username(&self, name: &str) -> Result<Option<User>, StoreError> {
///         Ok((name == "ann").then(|| User { id: 1, name: "ann".into() }))
///     }
///     async fn find_by_api_key_hash(&self, _: &ApiKeyHash) -> Result<Option<User>, StoreError> {
///         Ok(None)
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a user store for `{U}`",
    note = "implement `portcullis::UserStore<{U}>` (find by id, by username, by API-key hash) or use `portcullis::InMemoryUserStore`"
)]
#[async_trait]
pub trait UserStore<U: AuthUser>: Send + Sync + 'static {
    /// The user with this id (a token's `sub`, a session's user).
    async fn find_by_id(&self, id: &U::Id) -> Result<Option<U>, StoreError>;
    /// The user with this login name (HTTP Basic, password login).
    async fn find_by_username(&self, username: &str) -> Result<Option<U>, StoreError>;
    /// The owner of the API key whose SHA-256 is `hash`.
    async fn find_by_api_key_hash(&self, hash: &ApiKeyHash) -> Result<Option<U>, StoreError>;
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
            .insert(crate::api_key::hash_api_key(key), id.clone());
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

/// Revoked access tokens, keyed by `jti` (never by the token string).
///
/// `is_revoked` errors make the request fail with 503: a store that cannot answer
/// never means "not revoked".
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use portcullis::{InMemoryRevocationStore, RevocationStore};
/// use std::time::{Duration, SystemTime};
/// let store = InMemoryRevocationStore::default();
/// store.revoke("abc", SystemTime::now() + Duration::from_secs(60)).await.unwrap();
/// assert!(store.is_revoked("abc").await.unwrap());
/// assert!(!store.is_revoked("other").await.unwrap());
/// # });
/// ```
#[async_trait]
pub trait RevocationStore: Send + Sync + 'static {
    /// Marks `jti` revoked until `until` (the token's expiry; afterwards it is refused anyway).
    async fn revoke(&self, jti: &str, until: SystemTime) -> Result<(), StoreError>;
    /// Whether `jti` is revoked.
    async fn is_revoked(&self, jti: &str) -> Result<bool, StoreError>;
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
        map.insert(jti.to_owned(), until + Duration::from_secs(60));
        Ok(())
    }

    async fn is_revoked(&self, jti: &str) -> Result<bool, StoreError> {
        let map = self.revoked.read().unwrap_or_else(|e| e.into_inner());
        Ok(map.get(jti).is_some_and(|until| *until > SystemTime::now()))
    }
}

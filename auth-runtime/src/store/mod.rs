//! The store traits: users, revoked token ids, refresh-token families, sessions and
//! login-throttling counters. Each has an in-memory implementation (`memory`) and,
//! with the `redis` feature, a shared one (`redis`), side by side.
//!
//! Every method is atomic on its own (no read-modify-write across calls), so that
//! several server processes can share one store. Secrets never reach a store: refresh
//! tokens and session ids are stored as their SHA-256 ([`SecretHash`]).

pub(crate) mod memory;
#[cfg(feature = "redis")]
pub(crate) mod redis;
pub(crate) mod scoped;
pub(crate) mod timed;

use std::time::{Duration, SystemTime};

use async_trait::async_trait;

pub(crate) use crate::error::StoreError;
use crate::user::AuthUser;
pub use memory::{
    InMemoryRefreshStore, InMemoryRevocationStore, InMemorySessionStore, InMemoryThrottleStore,
    InMemoryUserStore,
};
#[cfg(feature = "redis")]
pub use redis::RedisStore;

pub(crate) use crate::secret::{ApiKeyHash, SecretHash};

/// What presenting a refresh token did.
#[derive(Debug, Clone, PartialEq, Eq)]
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use portcullis::{InMemoryRefreshStore, RefreshStore, Rotation};
/// let store = InMemoryRefreshStore::default();
/// let (ttl, lifetime) = (std::time::Duration::from_secs(60), std::time::Duration::from_secs(3600));
/// store.start("family", "user-7", &[1; 32], ttl, lifetime).await.unwrap();
/// let first = store.rotate("family", 0, &[1; 32], &[2; 32], ttl).await.unwrap();
/// assert_eq!(first, Rotation::Rotated { grant: "user-7".into(), family: "family".into() });
/// # });
/// ```
pub enum Rotation {
    /// It was its family's current token: it is now spent and `next` is current.
    Rotated {
        /// The family's grant, as given to [`RefreshStore::start`].
        grant: String,
        /// The family id.
        family: String,
    },
    /// It was already spent: the whole family has now been revoked (RFC 9700 reuse detection).
    Reused {
        /// The revoked family.
        family: String,
    },
    /// Unknown, expired, or of a revoked family.
    Invalid,
}

/// Refresh-token families, in O(1) state per family.
///
/// A login starts a family with one current token (generation 0); each refresh
/// spends the current token and makes a new one current, one generation later. The
/// store keeps only the family's grant, its current generation and the hash of its
/// current token: presenting a token of an *older* generation is a reuse and revokes
/// the family, however many rotations ago it was spent. A family expires `ttl` after
/// its last rotation, and at the latest `lifetime` after it started (it never slides
/// forever).
///
/// The family id the service passes is already a hash (of the secret family part of
/// the refresh token), so a store never sees a usable token.
#[async_trait]
pub trait RefreshStore: Send + Sync + 'static {
    /// Starts `family` with `token` current at generation 0; it lives `ttl` from now,
    /// each rotation extends it by `ttl` again, never past `lifetime` from now. `grant`
    /// is opaque text the store keeps and returns on rotation (the service puts the
    /// user id and the granted scope in it).
    async fn start(
        &self,
        family: &str,
        grant: &str,
        token: &SecretHash,
        ttl: Duration,
        lifetime: Duration,
    ) -> Result<(), StoreError>;
    /// The grant of the family if `presented` is its current token at `generation`
    /// and the family is live (a read: nothing is spent). Lets the service check the
    /// user before rotating, so that a failure there does not spend the client's token.
    async fn current_grant(
        &self,
        family: &str,
        generation: u64,
        presented: &SecretHash,
    ) -> Result<Option<String>, StoreError>;
    /// Atomically spends `presented` (of `generation`) and makes `next` current at
    /// `generation + 1` (see [`Rotation`]): an older generation is a reuse; a wrong
    /// hash or a future generation is invalid (and revokes nothing).
    async fn rotate(
        &self,
        family: &str,
        generation: u64,
        presented: &SecretHash,
        next: &SecretHash,
        ttl: Duration,
    ) -> Result<Rotation, StoreError>;
    /// Revokes the family; `false` if it was not live.
    async fn revoke_family(&self, family: &str) -> Result<bool, StoreError>;
}

/// A server-side session. Its `Debug` leaves the CSRF token out.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// The user id (as text).
    pub user_id: String,
    /// The per-session CSRF token (sent back in `X-CSRF-Token`).
    pub csrf_token: String,
    /// When the session was created (absolute expiry counts from here).
    pub created: SystemTime,
}

impl std::fmt::Debug for SessionRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionRecord")
            .field("user_id", &self.user_id)
            .field("created", &self.created)
            .finish_non_exhaustive()
    }
}

/// Server-side sessions, keyed by the hash of the session id in the cookie.
#[async_trait]
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use portcullis::{InMemorySessionStore, SessionRecord, SessionStore};
/// use std::time::{Duration, SystemTime};
/// let store = InMemorySessionStore::default();
/// let record = SessionRecord { user_id: "7".into(), csrf_token: "t".into(), created: SystemTime::now() };
/// store.create(&[9; 32], &record, Duration::from_secs(60)).await.unwrap();
/// let found = store.touch(&[9; 32], Duration::from_secs(60), Duration::from_secs(3600)).await.unwrap();
/// assert_eq!(found, Some(record));
/// store.destroy(&[9; 32]).await.unwrap();
/// # });
/// ```
pub trait SessionStore: Send + Sync + 'static {
    /// Stores a new session, expiring after `idle` without use.
    async fn create(&self, id: &SecretHash, record: &SessionRecord, idle: Duration)
    -> Result<(), StoreError>;
    /// The session, if it exists, extending its idle expiry by `idle`. Sessions older
    /// than `absolute` are destroyed and not returned.
    async fn touch(
        &self,
        id: &SecretHash,
        idle: Duration,
        absolute: Duration,
    ) -> Result<Option<SessionRecord>, StoreError>;
    /// Destroys the session (logout).
    async fn destroy(&self, id: &SecretHash) -> Result<(), StoreError>;
    /// Removes the session and returns it, in one atomic step, if it exists and is
    /// not older than `absolute`: a single-use token (an e-mail confirmation link) can
    /// be redeemed once even when two requests race.
    async fn take(&self, id: &SecretHash, absolute: Duration) -> Result<Option<SessionRecord>, StoreError>;
}

/// Counters of failed logins over a fixed window.
#[async_trait]
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use portcullis::{InMemoryThrottleStore, ThrottleStore};
/// use std::time::Duration;
/// let store = InMemoryThrottleStore::default();
/// let (count, left) = store.record_failure("user:ann", Duration::from_secs(900)).await.unwrap();
/// assert_eq!(count, 1);
/// assert!(left <= Duration::from_secs(900));
/// store.forgive("user:ann").await.unwrap();
/// assert_eq!(store.failures("user:ann").await.unwrap().0, 0);
/// # });
/// ```
pub trait ThrottleStore: Send + Sync + 'static {
    /// Adds a failure for `key`; the window starts at the first failure and lasts
    /// `window`. Returns the failures in the current window and the time left in it.
    async fn record_failure(&self, key: &str, window: Duration) -> Result<(u32, Duration), StoreError>;
    /// The failures in `key`'s current window and the time left in it (0 and zero when none).
    async fn failures(&self, key: &str) -> Result<(u32, Duration), StoreError>;
    /// Takes back one failure of `key` (never below zero; the window is unchanged).
    /// Attempts are counted before the password is checked, so that parallel guesses
    /// cannot pass the limit; a successful one is forgiven.
    async fn forgive(&self, key: &str) -> Result<(), StoreError>;
}

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
    /// The user with this e-mail address, for a password login by e-mail (a login
    /// name with an `@` that is no user name is looked up here) and for the auth
    /// router's password reset (`POST /auth/password/reset {email}`); compare addresses
    /// case-insensitively, as a `UNIQUE` index on `lower(email)` would. The default
    /// finds no one: logins by e-mail are then refused like unknown names, and reset
    /// requests answer 202 as always but mail no link.
    ///
    /// ```
    /// # use portcullis::{async_trait, ApiKeyHash, AuthUser, StoreError, UserStore};
    /// # #[derive(Clone, AuthUser)] struct User { #[auth_user(id)] id: i64 }
    /// struct Db;
    /// #[async_trait]
    /// impl UserStore<User> for Db {
    ///     # async fn find_by_id(&self, _: &i64) -> Result<Option<User>, StoreError> { Ok(None) }
    ///     # async fn find_by_username(&self, _: &str) -> Result<Option<User>, StoreError> { Ok(None) }
    ///     # async fn find_by_api_key_hash(&self, _: &ApiKeyHash) -> Result<Option<User>, StoreError> { Ok(None) }
    ///     async fn find_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
    ///         // SELECT ... FROM users WHERE lower(email) = lower($1)
    ///         Ok(email.eq_ignore_ascii_case("ann@example.com").then_some(User { id: 1 }))
    ///     }
    /// }
    /// ```
    async fn find_by_email(&self, email: &str) -> Result<Option<U>, StoreError> {
        let _ = email;
        Ok(None)
    }
    /// Stores a new password hash for the user `id`: called after a successful
    /// password login whose stored hash used outdated parameters (the password is
    /// hashed again with the current ones). Returns whether it was stored. The
    /// default stores nothing (`false`: [`LoggedIn::needs_rehash`] then tells the
    /// caller); implement it to upgrade hashes as users log in. A failure is
    /// logged, never refused.
    ///
    /// [`LoggedIn::needs_rehash`]: crate::LoggedIn::needs_rehash
    async fn update_password_hash(&self, id: &U::Id, hash: &str) -> Result<bool, StoreError> {
        let _ = (id, hash);
        Ok(false)
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
///
/// // Everything user 7 was issued until now ends (logout everywhere):
/// let (now, day) = (SystemTime::now(), Duration::from_secs(86_400));
/// store.revoke_issued_before(Some("7"), now, now + day).await.unwrap();
/// assert_eq!(store.issued_before(Some("7")).await.unwrap(), Some(now));
/// assert_eq!(store.issued_before(Some("8")).await.unwrap(), None);
/// # });
/// ```
#[async_trait]
pub trait RevocationStore: Send + Sync + 'static {
    /// Marks `jti` revoked until `until` (the token's expiry; afterwards it is refused anyway).
    async fn revoke(&self, jti: &str, until: SystemTime) -> Result<(), StoreError>;
    /// Whether `jti` is revoked.
    async fn is_revoked(&self, jti: &str) -> Result<bool, StoreError>;
    /// Revokes every credential of `subject` (a user id; `None`: of every user) issued
    /// before `before`: access tokens by their `iat`, refresh families and sessions by
    /// their start. A cut-off only moves forward (an earlier `before` than the one kept
    /// changes nothing); it is kept until `until`, when every credential it ends has
    /// expired anyway. Like [`revoke`](Self::revoke), a store that cannot keep it must
    /// fail rather than forget it.
    async fn revoke_issued_before(
        &self,
        subject: Option<&str>,
        before: SystemTime,
        until: SystemTime,
    ) -> Result<(), StoreError>;
    /// The cut-off that applies to credentials of `subject`: the later of its own and
    /// the one for every user (`None` asks for the latter alone).
    async fn issued_before(&self, subject: Option<&str>) -> Result<Option<SystemTime>, StoreError>;
    /// What a request asks of the store, in one call: whether any of `ids` is revoked,
    /// and [`issued_before`](Self::issued_before) for `subject`. The default asks the
    /// other methods one by one; a store behind a network answers in one round trip.
    async fn check(&self, ids: &[&str], subject: Option<&str>) -> Result<Revocation, StoreError> {
        check_one_by_one(self, ids, subject).await
    }
}

/// [`RevocationStore::check`] through the other methods, one call each: the default, and
/// what a store falls back to when it cannot answer at once (Redis Cluster).
pub(crate) async fn check_one_by_one<S: RevocationStore + ?Sized>(
    store: &S,
    ids: &[&str],
    subject: Option<&str>,
) -> Result<Revocation, StoreError> {
    for id in ids {
        if store.is_revoked(id).await? {
            return Ok(Revocation {
                revoked: true,
                issued_before: None,
            });
        }
    }
    Ok(Revocation {
        revoked: false,
        issued_before: store.issued_before(subject).await?,
    })
}

/// The answer of [`RevocationStore::check`].
///
/// ```
/// let fine = portcullis::Revocation { revoked: false, issued_before: None };
/// assert!(!fine.revoked);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revocation {
    /// One of the ids is revoked.
    pub revoked: bool,
    /// The cut-off for the subject, when one applies (see [`RevocationStore::issued_before`]).
    pub issued_before: Option<SystemTime>,
}

/// A shared store is a store: keep an `Arc` to watch it (its `len()`) or to hand one
/// instance to several builders.
///
/// ```
/// use std::sync::Arc;
/// use portcullis::{AuthUser, InMemoryRefreshStore, InMemoryUserStore, Portcullis};
/// # #[derive(Clone, AuthUser)] struct User { #[auth_user(id)] id: i64 }
/// let refresh = Arc::new(InMemoryRefreshStore::default());
/// let auth = Portcullis::builder(InMemoryUserStore::<User>::new())
///     .refresh_store(Arc::clone(&refresh))
///     .build()
///     .unwrap();
/// assert_eq!(refresh.len(), 0);
/// ```
#[async_trait]
impl<S: RefreshStore> RefreshStore for std::sync::Arc<S> {
    async fn start(
        &self,
        family: &str,
        grant: &str,
        token: &SecretHash,
        ttl: Duration,
        lifetime: Duration,
    ) -> Result<(), StoreError> {
        (**self).start(family, grant, token, ttl, lifetime).await
    }
    async fn current_grant(
        &self,
        family: &str,
        generation: u64,
        presented: &SecretHash,
    ) -> Result<Option<String>, StoreError> {
        (**self).current_grant(family, generation, presented).await
    }
    async fn rotate(
        &self,
        family: &str,
        generation: u64,
        presented: &SecretHash,
        next: &SecretHash,
        ttl: Duration,
    ) -> Result<Rotation, StoreError> {
        (**self).rotate(family, generation, presented, next, ttl).await
    }
    async fn revoke_family(&self, family: &str) -> Result<bool, StoreError> {
        (**self).revoke_family(family).await
    }
}

#[async_trait]
impl<S: SessionStore> SessionStore for std::sync::Arc<S> {
    async fn create(
        &self,
        id: &SecretHash,
        record: &SessionRecord,
        idle: Duration,
    ) -> Result<(), StoreError> {
        (**self).create(id, record, idle).await
    }
    async fn touch(
        &self,
        id: &SecretHash,
        idle: Duration,
        absolute: Duration,
    ) -> Result<Option<SessionRecord>, StoreError> {
        (**self).touch(id, idle, absolute).await
    }
    async fn destroy(&self, id: &SecretHash) -> Result<(), StoreError> {
        (**self).destroy(id).await
    }
    async fn take(&self, id: &SecretHash, absolute: Duration) -> Result<Option<SessionRecord>, StoreError> {
        (**self).take(id, absolute).await
    }
}

#[async_trait]
impl<S: ThrottleStore> ThrottleStore for std::sync::Arc<S> {
    async fn record_failure(&self, key: &str, window: Duration) -> Result<(u32, Duration), StoreError> {
        (**self).record_failure(key, window).await
    }
    async fn failures(&self, key: &str) -> Result<(u32, Duration), StoreError> {
        (**self).failures(key).await
    }
    async fn forgive(&self, key: &str) -> Result<(), StoreError> {
        (**self).forgive(key).await
    }
}

#[async_trait]
impl<S: RevocationStore> RevocationStore for std::sync::Arc<S> {
    async fn revoke(&self, jti: &str, until: SystemTime) -> Result<(), StoreError> {
        (**self).revoke(jti, until).await
    }
    async fn is_revoked(&self, jti: &str) -> Result<bool, StoreError> {
        (**self).is_revoked(jti).await
    }
    async fn revoke_issued_before(
        &self,
        subject: Option<&str>,
        before: SystemTime,
        until: SystemTime,
    ) -> Result<(), StoreError> {
        (**self).revoke_issued_before(subject, before, until).await
    }
    async fn issued_before(&self, subject: Option<&str>) -> Result<Option<SystemTime>, StoreError> {
        (**self).issued_before(subject).await
    }
    async fn check(&self, ids: &[&str], subject: Option<&str>) -> Result<Revocation, StoreError> {
        (**self).check(ids, subject).await
    }
}

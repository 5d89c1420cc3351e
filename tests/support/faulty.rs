//! One switchable fault injector for every store the runtime talks to.
//!
//! [`Faulty<S>`] wraps a real store `S` and implements each store trait `S` implements
//! (`UserStore<U>`, `RevocationStore`, `RefreshStore`, `SessionStore`, `ThrottleStore`, and
//! the auth router's `Registrar<U>` and `Mailer`) by delegating to it, unless its
//! [`Switch`] says the call fails: then it answers `Err(StoreError::new(FAULT))` without
//! reaching the store. One switch may drive several wrappers (a database behind both
//! `UserStore` and `Registrar` goes down as a whole).
//!
//! ```ignore
//! let users = Faulty::new(users());
//! let db = users.switch();
//! db.fail("find_by_id");   // only this operation fails
//! db.fail_all();           // every operation fails
//! db.heal();               // everything works again
//! let sessions = Faulty::down(InMemorySessionStore::default()); // failing from the start
//! let throttle = Faulty::failing(InMemoryThrottleStore::default(), "record_failure");
//! let shared = Faulty::with_switch(other_store, &db); // goes down with `users`
//! users.inner().insert(user); // the wrapped store, bypassing the switch
//! ```
//!
//! Operations are named by their trait method (`"find_by_id"`, `"record_failure"`,
//! `"destroy"`, `"send"`, ...); an unknown name panics. [`Switch::slow`] makes every call
//! yield to the scheduler before and after reaching the store, like a networked store, so
//! that concurrent requests interleave. [`Switch::hang`] makes an operation never answer
//! (a hung database: the call waits an hour), for the store time-out.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use portcullis::{
    ApiKeyHash, AuthUser, EmailStatus, InMemoryRefreshStore, InMemoryRevocationStore, InMemorySessionStore,
    InMemoryThrottleStore, Mailer, NewAccount, RefreshStore, Registrar, Rename, RevocationStore, Rotation,
    SecretHash, SessionRecord, SessionStore, StoreError, ThrottleStore, UserStore, async_trait,
};

/// The message of every injected failure (responses must not leak it).
pub const FAULT: &str = "injected fault: connection refused";

/// Every operation a [`Switch`] can fail, by trait method name.
pub const OPERATIONS: &[&str] = &[
    // UserStore
    "find_by_id",
    "find_by_username",
    "find_by_api_key_hash",
    "find_by_email",
    // RevocationStore
    "revoke",
    "is_revoked",
    // RefreshStore
    "start",
    "current_grant",
    "rotate",
    "revoke_family",
    // SessionStore
    "create",
    "touch",
    "destroy",
    "take",
    // ThrottleStore
    "record_failure",
    "failures",
    "forgive",
    // Registrar
    "register",
    "rename",
    "email",
    "confirm_email",
    "set_active",
    "set_password_hash",
    // Mailer
    "send",
];

/// Decides which calls of the [`Faulty`] stores sharing it fail. Clones share the state.
#[derive(Clone, Default)]
pub struct Switch(Arc<State>);

#[derive(Default)]
struct State {
    all: AtomicBool,
    operations: Mutex<HashSet<&'static str>>,
    hanging: Mutex<HashSet<&'static str>>,
    slow: AtomicBool,
}

impl Switch {
    /// Nothing fails.
    pub fn new() -> Self {
        Switch::default()
    }

    /// Every operation fails from now on.
    pub fn fail_all(&self) {
        self.0.all.store(true, Ordering::SeqCst);
    }

    /// `operation` (a trait method name, see [`OPERATIONS`]) fails from now on.
    pub fn fail(&self, operation: &'static str) {
        assert!(
            OPERATIONS.contains(&operation),
            "no store operation is called {operation:?}"
        );
        self.0.operations.lock().unwrap().insert(operation);
    }

    /// `operation` never answers from now on (each call waits an hour before reaching
    /// the store), until [`heal`](Self::heal).
    pub fn hang(&self, operation: &'static str) {
        assert!(
            OPERATIONS.contains(&operation),
            "no store operation is called {operation:?}"
        );
        self.0.hanging.lock().unwrap().insert(operation);
    }

    /// Every operation works again (and answers).
    pub fn heal(&self) {
        self.0.all.store(false, Ordering::SeqCst);
        self.0.operations.lock().unwrap().clear();
        self.0.hanging.lock().unwrap().clear();
    }

    /// Every operation fails (`true`) or works (`false`).
    pub fn set_down(&self, down: bool) {
        if down { self.fail_all() } else { self.heal() }
    }

    /// With `true`, every call yields to the scheduler before and after reaching the store.
    pub fn slow(&self, slow: bool) {
        self.0.slow.store(slow, Ordering::SeqCst);
    }

    pub fn fails(&self, operation: &str) -> bool {
        self.0.all.load(Ordering::SeqCst) || self.0.operations.lock().unwrap().contains(operation)
    }

    async fn enter(&self, operation: &'static str) -> Result<(), StoreError> {
        if self.0.slow.load(Ordering::SeqCst) {
            tokio::task::yield_now().await;
        }
        let hangs = self.0.hanging.lock().unwrap().contains(operation);
        if hangs {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        if self.fails(operation) {
            return Err(StoreError::new(FAULT));
        }
        Ok(())
    }

    async fn leave<T>(&self, result: T) -> T {
        if self.0.slow.load(Ordering::SeqCst) {
            tokio::task::yield_now().await;
        }
        result
    }
}

/// A store `S` whose calls fail while its [`Switch`] says so. Clones share the store and
/// the switch, so a test can keep a handle on a store it gave to `Portcullis`.
pub struct Faulty<S> {
    inner: Arc<S>,
    switch: Switch,
}

impl<S> Clone for Faulty<S> {
    fn clone(&self) -> Self {
        Faulty {
            inner: Arc::clone(&self.inner),
            switch: self.switch.clone(),
        }
    }
}

impl<S> Faulty<S> {
    /// `inner` behind a new switch, working.
    pub fn new(inner: S) -> Self {
        Faulty::with_switch(inner, &Switch::new())
    }

    /// `inner` behind a new switch, failing every call until healed.
    pub fn down(inner: S) -> Self {
        let faulty = Faulty::new(inner);
        faulty.switch.fail_all();
        faulty
    }

    /// `inner` behind a new switch that fails `operation` only.
    pub fn failing(inner: S, operation: &'static str) -> Self {
        let faulty = Faulty::new(inner);
        faulty.switch.fail(operation);
        faulty
    }

    /// `inner` behind an existing switch (shared with other wrappers).
    pub fn with_switch(inner: S, switch: &Switch) -> Self {
        Faulty {
            inner: Arc::new(inner),
            switch: switch.clone(),
        }
    }

    /// The switch (a handle sharing its state).
    pub fn switch(&self) -> Switch {
        self.switch.clone()
    }

    /// The wrapped store, reached without the switch.
    pub fn inner(&self) -> &S {
        &self.inner
    }
}

/// Delegates `self.inner.$op(args)` unless the switch fails `$op`.
macro_rules! call {
    ($self:ident . $op:ident ( $($arg:expr),* )) => {{
        $self.switch.enter(stringify!($op)).await?;
        let result = $self.inner.$op($($arg),*).await;
        $self.switch.leave(result).await
    }};
}

#[async_trait]
impl<U: AuthUser, S: UserStore<U>> UserStore<U> for Faulty<S> {
    async fn find_by_id(&self, id: &U::Id) -> Result<Option<U>, StoreError> {
        call!(self.find_by_id(id))
    }
    async fn find_by_username(&self, username: &str) -> Result<Option<U>, StoreError> {
        call!(self.find_by_username(username))
    }
    async fn find_by_api_key_hash(&self, hash: &ApiKeyHash) -> Result<Option<U>, StoreError> {
        call!(self.find_by_api_key_hash(hash))
    }
    async fn find_by_email(&self, email: &str) -> Result<Option<U>, StoreError> {
        call!(self.find_by_email(email))
    }
}

#[async_trait]
impl<S: RevocationStore> RevocationStore for Faulty<S> {
    async fn revoke(&self, jti: &str, until: SystemTime) -> Result<(), StoreError> {
        call!(self.revoke(jti, until))
    }
    async fn is_revoked(&self, jti: &str) -> Result<bool, StoreError> {
        call!(self.is_revoked(jti))
    }
    async fn revoke_issued_before(
        &self,
        subject: Option<&str>,
        before: SystemTime,
        until: SystemTime,
    ) -> Result<(), StoreError> {
        call!(self.revoke_issued_before(subject, before, until))
    }
    async fn issued_before(&self, subject: Option<&str>) -> Result<Option<SystemTime>, StoreError> {
        call!(self.issued_before(subject))
    }
}

#[async_trait]
impl<S: RefreshStore> RefreshStore for Faulty<S> {
    async fn start(
        &self,
        family: &str,
        grant: &str,
        token: &SecretHash,
        ttl: Duration,
        lifetime: Duration,
    ) -> Result<(), StoreError> {
        call!(self.start(family, grant, token, ttl, lifetime))
    }
    async fn current_grant(
        &self,
        family: &str,
        generation: u64,
        presented: &SecretHash,
    ) -> Result<Option<String>, StoreError> {
        call!(self.current_grant(family, generation, presented))
    }
    async fn rotate(
        &self,
        family: &str,
        generation: u64,
        presented: &SecretHash,
        next: &SecretHash,
        ttl: Duration,
    ) -> Result<Rotation, StoreError> {
        call!(self.rotate(family, generation, presented, next, ttl))
    }
    async fn revoke_family(&self, family: &str) -> Result<bool, StoreError> {
        call!(self.revoke_family(family))
    }
}

#[async_trait]
impl<S: SessionStore> SessionStore for Faulty<S> {
    async fn create(
        &self,
        id: &SecretHash,
        record: &SessionRecord,
        idle: Duration,
    ) -> Result<(), StoreError> {
        call!(self.create(id, record, idle))
    }
    async fn touch(
        &self,
        id: &SecretHash,
        idle: Duration,
        absolute: Duration,
    ) -> Result<Option<SessionRecord>, StoreError> {
        call!(self.touch(id, idle, absolute))
    }
    async fn destroy(&self, id: &SecretHash) -> Result<(), StoreError> {
        call!(self.destroy(id))
    }
    async fn take(&self, id: &SecretHash, absolute: Duration) -> Result<Option<SessionRecord>, StoreError> {
        call!(self.take(id, absolute))
    }
}

#[async_trait]
impl<S: ThrottleStore> ThrottleStore for Faulty<S> {
    async fn record_failure(&self, key: &str, window: Duration) -> Result<(u32, Duration), StoreError> {
        call!(self.record_failure(key, window))
    }
    async fn failures(&self, key: &str) -> Result<(u32, Duration), StoreError> {
        call!(self.failures(key))
    }
    async fn forgive(&self, key: &str) -> Result<(), StoreError> {
        call!(self.forgive(key))
    }
}

#[async_trait]
impl<U: AuthUser, S: Registrar<U>> Registrar<U> for Faulty<S> {
    async fn register(&self, account: &NewAccount) -> Result<Option<U>, StoreError> {
        call!(self.register(account))
    }
    async fn rename(&self, id: &U::Id, username: &str) -> Result<Rename<U>, StoreError> {
        call!(self.rename(id, username))
    }
    async fn email(&self, id: &U::Id) -> Result<Option<EmailStatus>, StoreError> {
        call!(self.email(id))
    }
    async fn confirm_email(&self, id: &U::Id) -> Result<(), StoreError> {
        call!(self.confirm_email(id))
    }
    async fn set_active(&self, id: &U::Id, active: bool) -> Result<bool, StoreError> {
        call!(self.set_active(id, active))
    }
    async fn set_password_hash(&self, id: &U::Id, hash: &str) -> Result<(), StoreError> {
        call!(self.set_password_hash(id, hash))
    }
}

#[async_trait]
impl<S: Mailer> Mailer for Faulty<S> {
    async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), StoreError> {
        call!(self.send(to, subject, body))
    }
}

/// The four in-memory lifecycle stores as one value, for `PortcullisBuilder::stores`
/// (which takes one store implementing every lifecycle trait, like `RedisStore`):
/// `Faulty::down(AllInMemory::default())` is every lifecycle store down at once.
#[derive(Default)]
pub struct AllInMemory {
    revocations: InMemoryRevocationStore,
    refresh: InMemoryRefreshStore,
    sessions: InMemorySessionStore,
    throttle: InMemoryThrottleStore,
}

#[async_trait]
impl RevocationStore for AllInMemory {
    async fn revoke(&self, jti: &str, until: SystemTime) -> Result<(), StoreError> {
        self.revocations.revoke(jti, until).await
    }
    async fn is_revoked(&self, jti: &str) -> Result<bool, StoreError> {
        self.revocations.is_revoked(jti).await
    }
    async fn revoke_issued_before(
        &self,
        subject: Option<&str>,
        before: SystemTime,
        until: SystemTime,
    ) -> Result<(), StoreError> {
        self.revocations
            .revoke_issued_before(subject, before, until)
            .await
    }
    async fn issued_before(&self, subject: Option<&str>) -> Result<Option<SystemTime>, StoreError> {
        self.revocations.issued_before(subject).await
    }
}

#[async_trait]
impl RefreshStore for AllInMemory {
    async fn start(
        &self,
        family: &str,
        grant: &str,
        token: &SecretHash,
        ttl: Duration,
        lifetime: Duration,
    ) -> Result<(), StoreError> {
        self.refresh.start(family, grant, token, ttl, lifetime).await
    }
    async fn current_grant(
        &self,
        family: &str,
        generation: u64,
        presented: &SecretHash,
    ) -> Result<Option<String>, StoreError> {
        self.refresh.current_grant(family, generation, presented).await
    }
    async fn rotate(
        &self,
        family: &str,
        generation: u64,
        presented: &SecretHash,
        next: &SecretHash,
        ttl: Duration,
    ) -> Result<Rotation, StoreError> {
        self.refresh
            .rotate(family, generation, presented, next, ttl)
            .await
    }
    async fn revoke_family(&self, family: &str) -> Result<bool, StoreError> {
        self.refresh.revoke_family(family).await
    }
}

#[async_trait]
impl SessionStore for AllInMemory {
    async fn create(
        &self,
        id: &SecretHash,
        record: &SessionRecord,
        idle: Duration,
    ) -> Result<(), StoreError> {
        self.sessions.create(id, record, idle).await
    }
    async fn touch(
        &self,
        id: &SecretHash,
        idle: Duration,
        absolute: Duration,
    ) -> Result<Option<SessionRecord>, StoreError> {
        self.sessions.touch(id, idle, absolute).await
    }
    async fn destroy(&self, id: &SecretHash) -> Result<(), StoreError> {
        self.sessions.destroy(id).await
    }
    async fn take(&self, id: &SecretHash, absolute: Duration) -> Result<Option<SessionRecord>, StoreError> {
        self.sessions.take(id, absolute).await
    }
}

#[async_trait]
impl ThrottleStore for AllInMemory {
    async fn record_failure(&self, key: &str, window: Duration) -> Result<(u32, Duration), StoreError> {
        self.throttle.record_failure(key, window).await
    }
    async fn failures(&self, key: &str) -> Result<(u32, Duration), StoreError> {
        self.throttle.failures(key).await
    }
    async fn forgive(&self, key: &str) -> Result<(), StoreError> {
        self.throttle.forgive(key).await
    }
}

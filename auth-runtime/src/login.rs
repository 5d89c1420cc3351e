//! The throttled password check behind password login and HTTP Basic: attempts are
//! counted per client address, per (user name, address) and per user name before
//! the password is verified.

use std::net::IpAddr;

use http::request::Parts;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use async_trait::async_trait;

use crate::credentials::{TrustedProxies, throttle_network};
use crate::error::{AuthError, ConfigError, StoreError, store_down};
pub(crate) use crate::hashing::Hashing;
use crate::origin::PublicOrigins;
use crate::password;
use crate::scheme::name::Scheme;
use crate::store::{ThrottleStore, UserStore};
use crate::user::AuthUser;

/// Login throttling (OWASP): failures counted per client address, per (user name,
/// address) and per user name.
///
/// * The address is checked first: an address over its limit is refused before any
///   per-name counter is created, so one client cannot fill the store with names.
/// * A user name is locked out *for one address* after `max_failures`: a stranger's
///   wrong guesses lock out the stranger, not the account's owner.
/// * Across all addresses, failures for a name beyond `max_failures` slow every
///   further attempt down progressively (up to `max_delay`), and beyond
///   `max_failures_per_name` (a distributed guessing attack) the name is refused —
///   except from an address where it logged in successfully within the window.
/// * IPv6 clients are counted by their /64.
///
/// ```
/// use portcullis::ThrottleConfig;
/// use std::time::Duration;
/// let throttle = ThrottleConfig::new()
///     .max_failures(5)                 // per user name and address
///     .max_failures_per_address(20)    // per address: shared by everyone behind a NAT
///     .max_failures_per_name(100)      // per user name, from anywhere
///     .max_delay(Duration::from_secs(2))
///     .window(Duration::from_secs(15 * 60));
/// ```
#[derive(Debug, Clone)]
pub struct ThrottleConfig {
    max_failures: u32,
    max_failures_per_address: u32,
    max_failures_per_name: u32,
    max_delay: Duration,
    window: Duration,
    max_registrations_per_address: u32,
    concurrent_hashes: usize,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        ThrottleConfig {
            max_failures: 5,
            max_failures_per_address: 20,
            max_failures_per_name: 100,
            max_delay: Duration::from_secs(2),
            window: Duration::from_secs(15 * 60),
            max_registrations_per_address: 20,
            concurrent_hashes: std::thread::available_parallelism().map_or(2, usize::from),
        }
    }
}

impl ThrottleConfig {
    /// 5 failures per user name and address, 20 per address, 100 per user name, per
    /// 15 minutes; delays of up to 2 s.
    pub fn new() -> Self {
        Self::default()
    }

    /// Failures allowed per user name from one address in a window; the next attempt
    /// from that address gets 429.
    pub fn max_failures(mut self, n: u32) -> Self {
        self.max_failures = n;
        self
    }

    /// Failures allowed per client address in a window. Higher than the per-name
    /// limit by default (20): many users may share one address (NAT, a proxy), and a
    /// few typos of others must not lock them all out.
    pub fn max_failures_per_address(mut self, n: u32) -> Self {
        self.max_failures_per_address = n;
        self
    }

    /// Failures allowed per user name from all addresses together (the ceiling
    /// against distributed guessing); addresses where the name logged in
    /// successfully within the window are exempt.
    pub fn max_failures_per_name(mut self, n: u32) -> Self {
        self.max_failures_per_name = n;
        self
    }

    /// The longest progressive delay of an attempt for a user name with more than
    /// `max_failures` failures from all addresses (doubling from 100 ms; at most 10 s).
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// The window, counted from the first failure.
    pub fn window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// Registrations allowed per client address in a window (default 20): the auth
    /// router's `POST /auth/register` answers 429 past it, before hashing anything.
    pub fn max_registrations_per_address(mut self, n: u32) -> Self {
        self.max_registrations_per_address = n;
        self
    }

    /// Password hashes (argon2id, 19 MiB each) computed at once, by logins, HTTP
    /// Basic and registrations together (default: the number of cores). Past it, a
    /// few requests wait (at most 4 per permit, at most 2 s); the others get 503
    /// with `Retry-After` at once, so a
    /// flood can neither exhaust memory nor queue without bound.
    ///
    /// ```
    /// let throttle = portcullis::ThrottleConfig::new().concurrent_password_hashes(4);
    /// ```
    pub fn concurrent_password_hashes(mut self, n: usize) -> Self {
        self.concurrent_hashes = n;
        self
    }
}

impl ThrottleConfig {
    pub(crate) fn check(&self) -> Result<(), ConfigError> {
        if self.max_failures == 0
            || self.max_failures_per_address == 0
            || self.max_failures_per_name < self.max_failures
            || self.window.is_zero()
            || self.max_delay > Duration::from_secs(10)
            || self.max_registrations_per_address == 0
            || self.concurrent_hashes == 0
        {
            return Err(ConfigError::Invalid(
                "throttling needs max_failures >= 1, max_failures_per_name >= max_failures, a non-zero window, max_delay <= 10 s, max_registrations_per_address >= 1 and concurrent_password_hashes >= 1",
            ));
        }
        Ok(())
    }

    pub(crate) fn concurrent_hashes(&self) -> usize {
        self.concurrent_hashes
    }

    /// The delay of an attempt for a name with `failures` failures in its window.
    fn delay(&self, failures: u32) -> Duration {
        let beyond = failures.saturating_sub(self.max_failures);
        if beyond == 0 {
            return Duration::ZERO;
        }
        let doubled = Duration::from_millis(100).saturating_mul(1u32 << (beyond - 1).min(16));
        doubled.min(self.max_delay)
    }
}

/// The longest password checked (bytes); longer ones are refused without hashing.
pub(crate) const MAX_PASSWORD_BYTES: usize = 4096;

/// A successful password login.
#[derive(Debug, Clone)]
///
/// ```no_run
/// # use portcullis::{AuthUser, Portcullis};
/// # #[derive(Clone, AuthUser)] struct User { #[auth_user(id)] id: i64 }
/// # async fn demo(auth: Portcullis<User>) -> Result<(), portcullis::AuthError> {
/// let logged_in = auth.login("ann", "correct horse battery", None).await?;
/// if logged_in.needs_rehash {
///     let _new_hash = portcullis::hash_password("correct horse battery"); // store it
/// }
/// # Ok(()) }
/// ```
pub struct LoggedIn<U> {
    /// The user.
    pub user: U,
    /// The stored hash uses old parameters: hash the password again and store it.
    pub needs_rehash: bool,
}

/// Checks a user name and password the application's way (an LDAP bind, a legacy
/// hash) instead of the user's stored argon2id hash. Returns the subject (user id)
/// on success. Login throttling still applies.
///
/// ```
/// use portcullis::{async_trait, PasswordVerifier, StoreError};
/// struct Directory;
/// #[async_trait]
/// impl PasswordVerifier for Directory {
///     async fn verify(&self, username: &str, password: &str) -> Result<Option<String>, StoreError> {
///         // bind to the directory as `username` with `password` ...
///         Ok((username == "ann" && password == "correct horse battery").then(|| "1".to_owned()))
///     }
/// }
/// ```
#[async_trait]
pub trait PasswordVerifier: Send + Sync + 'static {
    /// The subject of the account when the password is right, `None` otherwise.
    ///
    /// # Errors
    /// The directory could not answer (503).
    async fn verify(&self, username: &str, password: &str) -> Result<Option<String>, StoreError>;
}

/// Throttled password checks: the counters, their limits, the dummy hash that
/// makes unknown users cost the same as known ones, and the trusted proxies that
/// name the client's address.
pub(crate) struct Login {
    pub(crate) throttle: Arc<dyn ThrottleStore>,
    pub(crate) config: ThrottleConfig,
    pub(crate) dummy_hash: String,
    pub(crate) proxies: TrustedProxies,
    pub(crate) hashing: Hashing,
    /// The site's public origins, for the same-site check of HTTP Basic.
    pub(crate) origins: PublicOrigins,
    /// An inactive account's right password answers 403 (else like a wrong one).
    pub(crate) reveal_inactive: bool,
    /// Whether the "no client address" warning was logged (once per gate).
    pub(crate) warned_no_client: std::sync::atomic::AtomicBool,
}

/// The counters one attempt touches.
struct Keys {
    address: Option<String>,
    pair: String,
    name: String,
    known: Option<String>,
}

impl Login {
    /// The client's address: `peer` (the connection's, or the application's
    /// `ClientAddr`), or the forwarded one when `peer` is a trusted proxy.
    pub(crate) fn client(&self, parts: &Parts, peer: Option<IpAddr>) -> Option<IpAddr> {
        peer.map(|peer| self.proxies.client(peer, &parts.headers))
    }

    /// The counters of a login name. An e-mail address counts lower-cased, so that
    /// spelling it differently buys no extra guesses; it counts apart from the user
    /// name of the same account (sharing them would tell which address is whose).
    fn keys(username: &str, client: Option<IpAddr>) -> Keys {
        let folded;
        let username = if username.contains('@') {
            folded = username.to_lowercase();
            folded.as_str()
        } else {
            username
        };
        let name = URL_SAFE_NO_PAD.encode(Sha256::digest(username.as_bytes()));
        let network = client.map(throttle_network);
        let at = network.as_deref().unwrap_or("-");
        Keys {
            address: network.as_ref().map(|n| format!("addr:{n}")),
            pair: format!("user:{name}@{at}"),
            known: network.as_ref().map(|n| format!("known:{name}@{n}")),
            name: format!("user:{name}"),
        }
    }

    /// Counts the attempt before the password is checked (one atomic step per key),
    /// so that parallel guesses cannot get past the limit: the address first (an
    /// address over its limit creates no per-name counter), then the name at this
    /// address and the name overall. Delays an attempt for a much-guessed name.
    async fn count_attempt(&self, keys: &Keys) -> Result<(), AuthError> {
        let throttle = &*self.throttle;
        let window = self.config.window;
        // The callers write the audit event (`login.throttled`, with the request's origin).
        let refuse = |left: Duration| AuthError::Throttled {
            retry_after: left.as_secs().max(1),
        };
        if let Some(address) = &keys.address {
            let (n, left) = throttle
                .record_failure(address, window)
                .await
                .map_err(store_down)?;
            if n > self.config.max_failures_per_address {
                return Err(refuse(left));
            }
        }
        let known = match &keys.known {
            Some(key) => throttle.failures(key).await.map_err(store_down)?.0 > 0,
            None => false,
        };
        let (pair, pair_left) = throttle
            .record_failure(&keys.pair, window)
            .await
            .map_err(store_down)?;
        let (name, name_left) = throttle
            .record_failure(&keys.name, window)
            .await
            .map_err(store_down)?;
        if pair > self.config.max_failures {
            return Err(refuse(pair_left));
        }
        if !known {
            if name > self.config.max_failures_per_name {
                return Err(refuse(name_left));
            }
            let delay = self.config.delay(name);
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
        }
        Ok(())
    }

    /// A success is forgiven, and its address is known for the name from now on.
    async fn forgive(&self, keys: &Keys) -> Result<(), AuthError> {
        let throttle = &*self.throttle;
        for key in keys.address.iter().chain([&keys.pair, &keys.name]) {
            throttle.forgive(key).await.map_err(store_down)?;
        }
        if let Some(known) = &keys.known {
            throttle
                .record_failure(known, self.config.window)
                .await
                .map_err(store_down)?;
        }
        Ok(())
    }

    /// The throttled check against the user's stored argon2id hash; returns the user
    /// and whether the hash needs rehashing.
    pub(crate) async fn check<U: AuthUser>(
        &self,
        users: &dyn UserStore<U>,
        scheme: Scheme,
        username: &str,
        password: &str,
        client: Option<IpAddr>,
    ) -> Result<(U, bool), AuthError> {
        if client.is_none()
            && !self
                .warned_no_client
                .swap(true, std::sync::atomic::Ordering::Relaxed)
        {
            warn_no_client_address();
        }
        let keys = Self::keys(username, client);
        self.count_attempt(&keys).await?;
        let user = find_login(users, username).await?;
        // Unknown users and users without a password cost one argon2id verification too.
        let hash = user
            .as_ref()
            .and_then(|u| u.password_hash())
            .unwrap_or(&self.dummy_hash)
            .to_owned();
        let has_hash = user.as_ref().is_some_and(|u| u.password_hash().is_some());
        if password.len() > MAX_PASSWORD_BYTES {
            return Err(AuthError::invalid(scheme, "invalid user name or password"));
        }
        let password_text = password;
        let password = password.to_owned();
        let (verified, needs_rehash) = self
            .hashing
            .run(move |scratch| {
                (
                    password::verify_password_in(&password, &hash, scratch),
                    password::needs_rehash(&hash),
                )
            })
            .await?;
        let hidden = user
            .as_ref()
            .is_some_and(|u| !u.is_active() && !self.reveal_inactive);
        match user {
            Some(user) if verified && has_hash && !hidden => {
                self.forgive(&keys).await?;
                let needs_rehash = needs_rehash && !self.upgrade_hash(users, &user, password_text).await;
                Ok((user, needs_rehash))
            }
            _ => Err(AuthError::invalid(scheme, "invalid user name or password")),
        }
    }

    /// The throttled check by the application's [`PasswordVerifier`]; returns the subject.
    pub(crate) async fn check_with(
        &self,
        verifier: &dyn PasswordVerifier,
        scheme: Scheme,
        username: &str,
        password: &str,
        client: Option<IpAddr>,
    ) -> Result<String, AuthError> {
        let keys = Self::keys(username, client);
        self.count_attempt(&keys).await?;
        match verifier.verify(username, password).await.map_err(store_down)? {
            Some(subject) => {
                self.forgive(&keys).await?;
                Ok(subject)
            }
            None => Err(AuthError::invalid(scheme, "invalid user name or password")),
        }
    }

    /// Hashes the password again with the current parameters and stores it through
    /// the user store; `true` when stored. Failures are logged: the login succeeds.
    async fn upgrade_hash<U: AuthUser>(&self, users: &dyn UserStore<U>, user: &U, password: &str) -> bool {
        let hash = match self.hash_password(password.to_owned()).await {
            Ok(hash) => hash,
            Err(_) => return false,
        };
        match users.update_password_hash(user.id(), &hash).await {
            Ok(stored) => {
                if stored {
                    tracing::info!(user = %user.id(), "password hash upgraded");
                }
                stored
            }
            Err(e) => {
                tracing::warn!(user = %user.id(), error = %e, "password hash upgrade failed");
                false
            }
        }
    }

    /// Counts a registration from `client`; 429 past the per-address limit.
    #[cfg_attr(not(feature = "axum"), allow(dead_code))] // used by the auth router
    pub(crate) async fn count_registration(&self, client: IpAddr) -> Result<(), AuthError> {
        let key = format!("register:{}", throttle_network(client));
        let (n, left) = self
            .throttle
            .record_failure(&key, self.config.window)
            .await
            .map_err(store_down)?;
        if n > self.config.max_registrations_per_address {
            return Err(AuthError::Throttled {
                retry_after: left.as_secs().max(1),
            });
        }
        Ok(())
    }

    /// Hashes a new password under the hashing bound.
    #[cfg_attr(not(feature = "axum"), allow(dead_code))] // used by the auth router
    pub(crate) async fn hash_password(&self, password: String) -> Result<String, AuthError> {
        self.hashing
            .run(move |scratch| password::hash_password_in(&password, scratch))
            .await?
            .map_err(|_| AuthError::Unavailable)
    }

    /// Allows one event per `window` for `key` (for example one confirmation mail a
    /// minute): a second one within the window is [`AuthError::Throttled`].
    #[cfg_attr(not(feature = "axum"), allow(dead_code))] // used by the auth router
    pub(crate) async fn once_per(&self, key: &str, window: Duration) -> Result<(), AuthError> {
        let (count, left) = self
            .throttle
            .record_failure(key, window)
            .await
            .map_err(store_down)?;
        if count > 1 {
            return Err(AuthError::Throttled {
                retry_after: left.as_secs().max(1),
            });
        }
        Ok(())
    }

    /// Gives back the event [`once_per`](Self::once_per) counted (its action failed).
    #[cfg_attr(not(feature = "axum"), allow(dead_code))] // used by the auth router
    pub(crate) async fn give_back(&self, key: &str) -> Result<(), AuthError> {
        self.throttle.forgive(key).await.map_err(store_down)
    }
}

/// Logged once per gate when logins arrive without a client address: throttling is
/// then per user name only (an attacker can lock out names but is not slowed down per
/// address). The usual cause is an axum app served without `ConnectInfo`.
fn warn_no_client_address() {
    tracing::warn!(
        "a password check without the client's address: per-address login throttling is off; serve the app with \
         `into_make_service_with_connect_info::<SocketAddr>()` (axum) or pass the address to Portcullis::login"
    );
}

/// The user a login name names: a user name, else, for a name with an `@`, an e-mail
/// address ([`UserStore::find_by_email`]). Every name with an `@` costs both lookups,
/// known address or not, so the time taken tells nothing either.
async fn find_login<U: AuthUser>(users: &dyn UserStore<U>, name: &str) -> Result<Option<U>, AuthError> {
    let by_name = users.find_by_username(name).await.map_err(store_down)?;
    if by_name.is_some() || !name.contains('@') {
        return Ok(by_name);
    }
    users.find_by_email(name).await.map_err(store_down)
}

//! The throttled password check behind password login and HTTP Basic: attempts are
//! counted per user name and per client address before the password is verified.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use async_trait::async_trait;

use crate::error::{AuthError, ConfigError, StoreError, store_down};
use crate::password;
use crate::scheme::name::Scheme;
use crate::store::{ThrottleStore, UserStore};
use crate::user::AuthUser;

/// Login throttling: failures counted per user name and per client address.
///
/// ```
/// use portcullis::ThrottleConfig;
/// use std::time::Duration;
/// let throttle = ThrottleConfig::new()
///     .max_failures(5)                 // per user name
///     .max_failures_per_address(20)    // per client address: shared by everyone behind a NAT or proxy
///     .window(Duration::from_secs(15 * 60));
/// ```
#[derive(Debug, Clone)]
pub struct ThrottleConfig {
    max_failures: u32,
    max_failures_per_address: u32,
    window: Duration,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        ThrottleConfig {
            max_failures: 5,
            max_failures_per_address: 20,
            window: Duration::from_secs(15 * 60),
        }
    }
}

impl ThrottleConfig {
    /// 5 failures per user name and 20 per client address, per 15 minutes.
    pub fn new() -> Self {
        Self::default()
    }

    /// Failures allowed per user name in a window; the next attempt gets 429.
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

    /// The window, counted from the first failure.
    pub fn window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }
}

impl ThrottleConfig {
    pub(crate) fn check(&self) -> Result<(), ConfigError> {
        if self.max_failures == 0 || self.max_failures_per_address == 0 || self.window.is_zero() {
            return Err(ConfigError::Invalid(
                "throttling needs max_failures >= 1 and a non-zero window",
            ));
        }
        Ok(())
    }
}

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

/// Throttled password checks: the counters, their limits and the dummy hash that
/// makes unknown users cost the same as known ones.
pub(crate) struct Login {
    pub(crate) throttle: Arc<dyn ThrottleStore>,
    pub(crate) config: ThrottleConfig,
    pub(crate) dummy_hash: String,
}

impl Login {
    /// The counters an attempt counts against, with their limits.
    fn keys(&self, username: &str, client: Option<IpAddr>) -> Vec<(String, u32)> {
        let digest = Sha256::digest(username.as_bytes());
        let mut keys = vec![(
            format!("user:{}", URL_SAFE_NO_PAD.encode(digest)),
            self.config.max_failures,
        )];
        if let Some(ip) = client {
            keys.push((format!("addr:{ip}"), self.config.max_failures_per_address));
        }
        keys
    }

    /// Counts the attempt before the password is checked (one atomic step per key),
    /// so that parallel guesses cannot get past the limit.
    async fn count_attempt(&self, keys: &[(String, u32)]) -> Result<(), AuthError> {
        let mut wait = Duration::ZERO;
        for (key, limit) in keys {
            let (attempts, left) = self
                .throttle
                .record_failure(key, self.config.window)
                .await
                .map_err(store_down)?;
            if attempts > *limit {
                wait = wait.max(left);
            }
        }
        if !wait.is_zero() {
            tracing::warn!("login throttled");
            return Err(AuthError::Throttled {
                retry_after: wait.as_secs().max(1),
            });
        }
        Ok(())
    }

    /// A success is forgiven.
    async fn forgive(&self, keys: &[(String, u32)]) -> Result<(), AuthError> {
        for (key, _) in keys {
            self.throttle.forgive(key).await.map_err(store_down)?;
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
        let keys = self.keys(username, client);
        self.count_attempt(&keys).await?;
        let user = users.find_by_username(username).await.map_err(store_down)?;
        // Unknown users and users without a password cost one argon2id verification too.
        let hash = user
            .as_ref()
            .and_then(|u| u.password_hash())
            .unwrap_or(&self.dummy_hash)
            .to_owned();
        let has_hash = user.as_ref().is_some_and(|u| u.password_hash().is_some());
        let password = password.to_owned();
        let (verified, needs_rehash) = tokio::task::spawn_blocking(move || {
            (
                password::verify_password(&password, &hash),
                password::needs_rehash(&hash),
            )
        })
        .await
        .map_err(|_| AuthError::Unavailable)?;
        match user {
            Some(user) if verified && has_hash => {
                self.forgive(&keys).await?;
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
        let keys = self.keys(username, client);
        self.count_attempt(&keys).await?;
        match verifier.verify(username, password).await.map_err(store_down)? {
            Some(subject) => {
                self.forgive(&keys).await?;
                Ok(subject)
            }
            None => Err(AuthError::invalid(scheme, "invalid user name or password")),
        }
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

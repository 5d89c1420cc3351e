//! The credential lifecycle an application drives through the gate: password login,
//! issuing, refreshing and revoking tokens, logout, starting and ending sessions, and
//! the auth router's helpers around them.

use http::request::Parts;

use crate::error::AuthError;
use crate::gate::Portcullis;
use crate::info::AuthInfo;
use crate::scheme::name::Scheme;
use crate::user::AuthUser;

impl<U: AuthUser> Portcullis<U> {
    /// Issues an access token and starts a refresh family for `user` (after a login).
    ///
    /// # Errors
    /// 503 when the refresh store fails, 500 when no [`TokenConfig`](crate::TokenConfig) is set.
    pub async fn issue_tokens(&self, user: &U, scope: Option<&str>) -> Result<crate::TokenPair, AuthError> {
        self.inner.tokens.issue(user, scope).await
    }

    /// Exchanges a refresh token for a new pair (rotation). A refresh token that was
    /// already used revokes its whole family (reuse detection) and is refused.
    ///
    /// # Errors
    /// 401 for unknown, spent, revoked or expired tokens and deleted users, 403 for
    /// inactive users (the token is not spent then), 503 when a store fails.
    pub async fn refresh_tokens(&self, refresh_token: &str) -> Result<(U, crate::TokenPair), AuthError> {
        self.inner.tokens.refresh(&*self.inner.users, refresh_token).await
    }

    /// Revokes the access token `info` came from (by `jti`, until it expires).
    ///
    /// # Errors
    /// 503 when the revocation store fails.
    pub async fn revoke_access(&self, info: &AuthInfo) -> Result<(), AuthError> {
        self.inner.tokens.revoke_access(info).await
    }

    /// Logout: revokes the refresh family of `refresh_token` (if given) and the
    /// presented access token.
    ///
    /// # Errors
    /// 503 when a store fails.
    pub async fn logout(&self, refresh_token: Option<&str>, info: &AuthInfo) -> Result<(), AuthError> {
        self.inner.tokens.logout(refresh_token, info).await
    }

    /// Password login with throttling: unknown users and wrong passwords cost the
    /// same and answer the same; after too many failures for the user name or the
    /// client address, 429 (also for the right password).
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
    ///
    /// # Errors
    /// 401, 403 (inactive), 429 ([`AuthError::Throttled`]) or 503.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        client: Option<std::net::IpAddr>,
    ) -> Result<crate::LoggedIn<U>, AuthError> {
        // Coded like a Basic failure: `invalid_credentials`, not `invalid_token`.
        let (user, needs_rehash) = self
            .inner
            .login
            .check(&*self.inner.users, Scheme::BASIC, username, password, client)
            .await?;
        if !user.is_active() {
            return Err(AuthError::Forbidden {
                reason: "the account is inactive",
            });
        }
        Ok(crate::LoggedIn { user, needs_rehash })
    }

    /// Starts a session for `user`: a new random id at every login (any session the
    /// request carried is destroyed first: no fixation) and a CSRF token.
    ///
    /// # Errors
    /// 503 when the session store fails.
    pub async fn start_session(&self, parts: &Parts, user: &U) -> Result<crate::NewSession, AuthError> {
        self.inner.sessions.start(parts, user.id().to_string()).await
    }

    /// Ends the request's session server-side; returns the `Set-Cookie` that clears it.
    ///
    /// # Errors
    /// 503 when the session store fails.
    pub async fn end_session(&self, parts: &Parts) -> Result<http::HeaderValue, AuthError> {
        self.inner.sessions.end(parts).await
    }

    /// The session cookie's name as sent (with `__Host-` outside development).
    pub fn session_cookie_name(&self) -> &str {
        &self.inner.sessions.cookie_name
    }

    /// Allows one event per `window` for `key` (one confirmation mail a minute).
    #[cfg_attr(not(feature = "axum"), allow(dead_code))] // used by the auth router
    pub(crate) async fn once_per(&self, key: &str, window: std::time::Duration) -> Result<(), AuthError> {
        self.inner.login.once_per(key, window).await
    }

    /// Gives back the event [`once_per`](Self::once_per) counted (its action failed).
    #[cfg_attr(not(feature = "axum"), allow(dead_code))] // used by the auth router
    pub(crate) async fn give_back(&self, key: &str) -> Result<(), AuthError> {
        self.inner.login.give_back(key).await
    }

    /// Counts a registration from `client` (429 past the per-address limit).
    #[cfg_attr(not(feature = "axum"), allow(dead_code))] // used by the auth router
    pub(crate) async fn count_registration(&self, client: std::net::IpAddr) -> Result<(), AuthError> {
        self.inner.login.count_registration(client).await
    }

    /// Hashes a new password under the concurrency bound (503 when saturated).
    #[cfg_attr(not(feature = "axum"), allow(dead_code))] // used by the auth router
    pub(crate) async fn hash_new_password(&self, password: String) -> Result<String, AuthError> {
        self.inner.login.hash_password(password).await
    }

    /// The store of single-use tokens (confirmation links).
    #[cfg_attr(not(feature = "axum"), allow(dead_code))] // used by the auth router
    pub(crate) fn one_time_store(&self) -> &dyn crate::store::SessionStore {
        &*self.inner.one_time
    }
}

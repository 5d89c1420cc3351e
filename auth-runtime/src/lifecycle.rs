//! The credential lifecycle an application drives through the gate: password login,
//! issuing, refreshing and revoking tokens, logout, starting and ending sessions, and
//! the auth router's helpers around them. Each writes its audit event (`audit.rs`);
//! the router's variants (`*_from`) add the request's origin the public methods lack.

use std::fmt::Display;

use http::request::Parts;

use crate::audit::{Event, Origin, Record};
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
        self.inner.tokens.issue(user, scope, None).await
    }

    /// [`issue_tokens`](Self::issue_tokens) for cookies: the pair and the CSRF token
    /// its access tokens carry (`csrf` claim), kept with the refresh family.
    #[cfg_attr(not(feature = "axum"), allow(dead_code))] // used by the auth router
    pub(crate) async fn issue_cookie_tokens(
        &self,
        user: &U,
    ) -> Result<(crate::TokenPair, String), AuthError> {
        let csrf = crate::secret::random_secret()?;
        let pair = self.inner.tokens.issue(user, None, Some(&csrf)).await?;
        Ok((pair, csrf))
    }

    /// How long the refresh cookie is kept: the refresh-token lifetime, in seconds.
    #[cfg_attr(not(feature = "axum"), allow(dead_code))] // used by the auth router
    pub(crate) fn refresh_cookie_age(&self) -> u64 {
        self.inner
            .tokens
            .config
            .as_ref()
            .map_or(0, |t| t.refresh_ttl.as_secs())
    }

    /// A refresh by the refresh cookie: a same-site request whose `X-CSRF-Token` is
    /// the family's; returns the user, the new pair and the CSRF token.
    #[cfg_attr(not(feature = "axum"), allow(dead_code))] // used by the auth router
    pub(crate) async fn refresh_cookie_tokens(
        &self,
        parts: &Parts,
        refresh_token: &str,
    ) -> Result<(U, crate::TokenPair, String), AuthError> {
        self.inner.sessions.origins.check(parts)?;
        let csrf = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let (user, pair) = self
            .refresh_with(&self.origin(parts), refresh_token, Some(csrf))
            .await?;
        Ok((user, pair, csrf.to_owned()))
    }

    /// Exchanges a refresh token for a new pair (rotation). A refresh token that was
    /// already used revokes its whole family (reuse detection) and is refused.
    ///
    /// # Errors
    /// 401 for unknown, spent, revoked or expired tokens and deleted users, 403 for
    /// inactive users (the token is not spent then), 503 when a store fails.
    pub async fn refresh_tokens(&self, refresh_token: &str) -> Result<(U, crate::TokenPair), AuthError> {
        self.refresh_tokens_from(&Origin::default(), refresh_token).await
    }

    /// [`refresh_tokens`](Self::refresh_tokens) of a request from `origin`.
    pub(crate) async fn refresh_tokens_from(
        &self,
        origin: &Origin,
        refresh_token: &str,
    ) -> Result<(U, crate::TokenPair), AuthError> {
        self.refresh_with(origin, refresh_token, None).await
    }

    async fn refresh_with(
        &self,
        origin: &Origin,
        refresh_token: &str,
        csrf: Option<&str>,
    ) -> Result<(U, crate::TokenPair), AuthError> {
        let (user, pair) = self
            .inner
            .tokens
            .refresh(&*self.inner.users, refresh_token, csrf, origin)
            .await?;
        Record::new(Event::TokenRefreshed, origin)
            .scheme(Some(Scheme::JWT))
            .user(user.id())
            .emit();
        Ok((user, pair))
    }

    /// Revokes the access token `info` came from (by `jti`, until it expires).
    ///
    /// # Errors
    /// 503 when the revocation store fails.
    pub async fn revoke_access(&self, info: &AuthInfo) -> Result<(), AuthError> {
        self.inner.tokens.revoke_access(info).await?;
        if info.token_id().is_some() {
            let subject = info.claims().and_then(|c| c.sub());
            Record::new(Event::TokenRevoked, &Origin::default())
                .scheme(Some(info.scheme()))
                .maybe_user(subject.as_ref().map(|s| s as &dyn Display))
                .emit();
        }
        Ok(())
    }

    /// Logout: revokes the refresh family of `refresh_token` (if given) and the
    /// presented access token.
    ///
    /// # Errors
    /// 503 when a store fails.
    pub async fn logout(&self, refresh_token: Option<&str>, info: &AuthInfo) -> Result<(), AuthError> {
        let subject = info.claims().and_then(|c| c.sub());
        let user = subject.as_ref().map(|s| s as &(dyn Display + Sync));
        self.logout_from(&Origin::default(), user, refresh_token, info)
            .await
    }

    /// [`logout`](Self::logout) of `user`'s request from `origin`.
    pub(crate) async fn logout_from(
        &self,
        origin: &Origin,
        user: Option<&(dyn Display + Sync)>,
        refresh_token: Option<&str>,
        info: &AuthInfo,
    ) -> Result<(), AuthError> {
        self.inner.tokens.logout(refresh_token, info).await?;
        Record::new(Event::Logout, origin)
            .scheme(Some(info.scheme()))
            .maybe_user(user.map(|u| u as &dyn Display))
            .emit();
        Ok(())
    }

    /// Revokes every access token, refresh family and session of the user `id` issued
    /// until now: logout everywhere, after a password change, when an administrator
    /// disables the account. Checked on every request (`iat` of access tokens, the
    /// start of refresh families and sessions); returns once in force, which takes up
    /// to a second (token times are whole seconds: see the note below).
    ///
    /// ```no_run
    /// # use portcullis::{AuthUser, Portcullis};
    /// # #[derive(Clone, AuthUser)] struct User { #[auth_user(id)] id: i64 }
    /// # async fn demo(auth: Portcullis<User>) -> Result<(), portcullis::AuthError> {
    /// auth.revoke_user_credentials(&7).await?; // user 7 logs in again everywhere
    /// # Ok(()) }
    /// ```
    ///
    /// A credential issued in the same second as the call, before it returns, is
    /// refused too (fail closed); one issued after it returns is accepted. The cut-off
    /// lives in the revocation store (shared through Redis), kept as long as the longest
    /// credential lifetime configured, and at least a year.
    ///
    /// # Errors
    /// 503 when the revocation store fails (nothing is then revoked).
    pub async fn revoke_user_credentials(&self, id: &U::Id) -> Result<(), AuthError> {
        self.revoke_user_credentials_from(&Origin::default(), id).await
    }

    /// [`revoke_user_credentials`](Self::revoke_user_credentials) of a request from `origin`.
    pub(crate) async fn revoke_user_credentials_from(
        &self,
        origin: &Origin,
        id: &U::Id,
    ) -> Result<(), AuthError> {
        let subject = id.to_string();
        self.inner.tokens.cut_offs.revoke(Some(&subject)).await?;
        Record::new(Event::CredentialsRevoked, origin).user(id).emit();
        Ok(())
    }

    /// Revokes every credential of every user issued until now (the signing key or a
    /// store leaked): access tokens, refresh families and sessions, including tokens
    /// of identity providers. Everyone logs in again.
    ///
    /// ```no_run
    /// # use portcullis::{AuthUser, Portcullis};
    /// # #[derive(Clone, AuthUser)] struct User { #[auth_user(id)] id: i64 }
    /// # async fn demo(auth: Portcullis<User>) -> Result<(), portcullis::AuthError> {
    /// auth.revoke_all_credentials().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// 503 when the revocation store fails (nothing is then revoked).
    pub async fn revoke_all_credentials(&self) -> Result<(), AuthError> {
        self.inner.tokens.cut_offs.revoke(None).await?;
        Record::new(Event::CredentialsRevoked, &Origin::default()).emit();
        Ok(())
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
        self.login_from(&Origin::client(client), None, username, password)
            .await
    }

    /// [`login`](Self::login) of a request from `origin`, for a credential of `scheme`
    /// (the router's: `jwt` or `session`): `login.succeeded`, `login.failed` or
    /// `login.throttled`.
    pub(crate) async fn login_from(
        &self,
        origin: &Origin,
        scheme: Option<Scheme>,
        username: &str,
        password: &str,
    ) -> Result<crate::LoggedIn<U>, AuthError> {
        // Coded like a Basic failure: `invalid_credentials`, not `invalid_token`.
        let checked = self
            .inner
            .login
            .check(
                &*self.inner.users,
                Scheme::BASIC,
                username,
                password,
                origin.client,
            )
            .await;
        let refused = |error: AuthError, user: Option<&U>| {
            Record::new(Event::LoginFailed.or_throttled(&error), origin)
                .scheme(scheme)
                .error(&error)
                .maybe_user(user.map(|u| u.id() as &dyn Display))
                .emit();
            Err(error)
        };
        let (user, needs_rehash) = match checked {
            Ok(checked) => checked,
            Err(error) => return refused(error, None),
        };
        if !user.is_active() {
            let inactive = AuthError::Forbidden {
                reason: "the account is inactive",
            };
            return refused(inactive, Some(&user));
        }
        Record::new(Event::LoginSucceeded, origin)
            .scheme(scheme)
            .user(user.id())
            .emit();
        Ok(crate::LoggedIn { user, needs_rehash })
    }

    /// The throttled check of a signed-in `user`'s current password (a password
    /// change): counted and locked out like a login (401, 429), a failure written as
    /// `login.failed` or `login.throttled`; a success writes nothing (the caller's
    /// event follows). A user without a name cannot be checked (401).
    #[cfg_attr(not(feature = "axum"), allow(dead_code))] // used by the auth router
    pub(crate) async fn check_password_of(
        &self,
        origin: &Origin,
        scheme: Scheme,
        user: &U,
        password: &str,
    ) -> Result<(), AuthError> {
        let wrong = || AuthError::invalid(Scheme::BASIC, "the current password is wrong");
        let checked = match user.name() {
            Some(name) => {
                self.inner
                    .login
                    .check(&*self.inner.users, Scheme::BASIC, name, password, origin.client)
                    .await
            }
            None => Err(wrong()),
        };
        let result = match checked {
            Ok((found, _)) if found.id() == user.id() => Ok(()),
            Ok(_) | Err(AuthError::InvalidCredentials { .. }) => Err(wrong()),
            Err(e) => Err(e),
        };
        if let Err(error) = &result {
            Record::new(Event::LoginFailed.or_throttled(error), origin)
                .scheme(Some(scheme))
                .error(error)
                .user(user.id())
                .emit();
        }
        result
    }

    /// Starts a session for `user`: a new random id at every login (any session the
    /// request carried is destroyed first: no fixation) and a CSRF token.
    ///
    /// # Errors
    /// 503 when the session store fails.
    pub async fn start_session(&self, parts: &Parts, user: &U) -> Result<crate::NewSession, AuthError> {
        let session = self.inner.sessions.start(parts, user.id().to_string()).await?;
        Record::new(Event::SessionCreated, &self.origin(parts))
            .scheme(Some(Scheme::SESSION))
            .user(user.id())
            .emit();
        Ok(session)
    }

    /// Ends the request's session server-side; returns the `Set-Cookie` that clears it.
    ///
    /// # Errors
    /// 503 when the session store fails.
    pub async fn end_session(&self, parts: &Parts) -> Result<http::HeaderValue, AuthError> {
        self.end_session_of(None, parts).await
    }

    /// [`end_session`](Self::end_session) of `user`'s session (the router knows whose).
    pub(crate) async fn end_session_of(
        &self,
        user: Option<&(dyn Display + Sync)>,
        parts: &Parts,
    ) -> Result<http::HeaderValue, AuthError> {
        let sent = matches!(self.inner.sessions.id_from(&parts.headers), Ok(Some(_)));
        let cleared = self.inner.sessions.end(parts).await?;
        if !sent {
            return Ok(cleared);
        }
        let origin = self.origin(parts);
        Record::new(Event::SessionDestroyed, &origin)
            .scheme(Some(Scheme::SESSION))
            .maybe_user(user.map(|u| u as &dyn Display))
            .emit();
        Ok(cleared)
    }

    /// The CSRF token of the request's session, to put in a page's forms (a hidden
    /// field read by [`CsrfFormLayer`](crate::CsrfFormLayer)); `None` without a live
    /// session. Never log it.
    ///
    /// ```
    /// # use portcullis::{AuthUser, InMemoryUserStore, Portcullis};
    /// # #[derive(Clone, AuthUser)] struct User { #[auth_user(id)] id: i64 }
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let auth = Portcullis::builder(InMemoryUserStore::<User>::new()).build().unwrap();
    /// let (parts, ()) = http::Request::new(()).into_parts();
    /// assert_eq!(auth.session_csrf_token(&parts).await.unwrap(), None);
    /// # });
    /// ```
    ///
    /// # Errors
    /// 503 when the session store fails; 400 for a malformed session cookie.
    pub async fn session_csrf_token(&self, parts: &Parts) -> Result<Option<String>, AuthError> {
        let sessions = &self.inner.sessions;
        let Some(id) = sessions.id_from(&parts.headers)? else {
            return Ok(None);
        };
        let record = sessions
            .store
            .touch(
                &crate::secret::hash_secret(&id),
                sessions.config.idle,
                sessions.config.absolute,
            )
            .await
            .map_err(crate::error::store_down)?;
        Ok(record.map(|r| r.csrf_token))
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

    /// The store of single-use tokens (confirmation and password-reset links).
    #[cfg_attr(not(feature = "axum"), allow(dead_code))] // used by the auth router
    pub(crate) fn one_time_store(&self) -> &dyn crate::store::SessionStore {
        &*self.inner.one_time
    }
}

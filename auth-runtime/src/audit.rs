//! Audit events: who authenticated, logged in or out, refreshed, was locked out, or
//! changed an account — through `tracing`, under the target `portcullis::audit`,
//! with stable event and field names.
//!
//! | `event` | level | when | fields besides `client`, `request_id` |
//! |---|---|---|---|
//! | `auth.succeeded` | DEBUG | a request authenticated (any scheme, any route) | `scheme`, `user` |
//! | `auth.failed` | INFO | presented credentials were refused | `scheme` (where one can be named), `reason`, `detail` |
//! | `login.succeeded` | INFO | a password login (`Portcullis::login`, the router's two login routes) | `user`, `scheme` (`jwt` or `session` from the router) |
//! | `login.failed` | INFO | a wrong user name or password, an inactive account | `reason`, `detail`, `user` (inactive account only), `scheme` |
//! | `login.throttled` | WARN | a password login or HTTP Basic attempt refused by the lock-out | `reason` (`too_many_attempts`), `scheme` |
//! | `logout` | INFO | `POST /auth/logout` or `Portcullis::logout` (`jwt`), `POST /session/logout` (`session`) | `scheme`, `user` |
//! | `token.refreshed` | INFO | a refresh token was rotated | `scheme` (`jwt`), `user` |
//! | `token.reuse_detected` | WARN | a spent refresh token came back: its family is revoked | `scheme` (`jwt`), `reason`, `detail` |
//! | `token.revoked` | INFO | `Portcullis::revoke_access` | `scheme`, `user` |
//! | `credentials.revoked` | WARN | every token, refresh family and session issued until now was revoked: of one user (`Portcullis::revoke_user_credentials`, `POST /auth/logout_all`) or of every user (`Portcullis::revoke_all_credentials`, no `user`) | `user` |
//! | `session.created` | INFO | `Portcullis::start_session` (the router's session login) | `scheme` (`session`), `user` |
//! | `session.destroyed` | INFO | `Portcullis::end_session` (the router's session logout) | `scheme` (`session`), `user` (from the router) |
//! | `account.registered` | INFO | `POST /auth/register` created an account | `user` |
//! | `username.changed` | INFO | `POST /users/{id}/change_username` | `user` (renamed), `actor` (who renamed) |
//! | `email.confirmed` | INFO | a mailed confirmation link was used | `user` |
//! | `user.disabled` | WARN | `POST /users/{id}/disable`: the account is inactive and every credential of it issued until now is revoked | `user` (disabled), `actor` (the administrator) |
//! | `user.enabled` | INFO | `POST /users/{id}/enable` | `user` (enabled), `actor` (the administrator) |
//! | `password.changed` | INFO | `POST /auth/password` changed the caller's password (their other credentials were revoked) | `user`, `scheme` |
//! | `password.reset_requested` | INFO | `POST /auth/password/reset` mailed a link (`user`), or found no account for the address (no `user`) | `user` |
//! | `password.reset` | INFO | a mailed password-reset link set a new password (every credential of the user was revoked) | `user` |
//! | `api_key.created` | INFO | the application called [`api_key_created`] | `user`, `key_id` |
//! | `api_key.deleted` | INFO | the application called [`api_key_deleted`] | `user`, `key_id` |
//!
//! | field | value |
//! |---|---|
//! | `event` | the dotted name above; names are stable, new ones may be added |
//! | `scheme` | `jwt`, `api_key`, `basic`, `session`, or a custom scheme's name |
//! | `reason` | the refusal's error code, as the JSON body's `error`: `invalid_token`, `invalid_credentials`, `invalid_request`, `forbidden`, `csrf_rejected`, `too_many_attempts`, `temporarily_unavailable`, ... |
//! | `detail` | the refusal's fixed text (`the token has expired`), when it has one |
//! | `user` | the user's id (its `Display`) |
//! | `actor` | the id of the user who acted on another's account |
//! | `key_id` | the application's id of an API key (never the key) |
//! | `client` | the client's IP address (the peer, or what a [trusted proxy](crate::PortcullisBuilder::trusted_proxies) forwarded), when known |
//! | `request_id` | the request's `X-Request-Id`, at most [`MAX_REQUEST_ID_BYTES`] bytes, bytes other than `A-Z a-z 0-9 - _ . : / + = @` replaced by `_` |
//!
//! A field without a value is left out: `request_id` and `client` of the public methods
//! that take no request head (`login` has the client; `refresh_tokens`, `logout` and
//! `revoke_access` neither), the `user` of `token.reuse_detected` (the store answers
//! only that the token was spent, not whose family it was). Events never carry a token,
//! password, password hash, API key, cookie value, CSRF token, confirmation or reset token or any secret; nor a
//! typed user name (it may be a password typed into the wrong field), a user name or an
//! e-mail address (personal data: the id is enough to look them up).
//!
//! Route them to an audit sink with a per-layer filter on the target, for example
//! `tracing_subscriber::filter::Targets::new().with_target("portcullis::audit", Level::INFO)`.
//!
//! # Design
//!
//! * One event per attempt: a refused login is `login.failed` *or* `login.throttled`,
//!   a refused credential `auth.failed` *or* `login.throttled` (HTTP Basic), never both.
//! * Levels: `auth.succeeded` is DEBUG because it fires on every authenticated request
//!   (an access log's job, and noise at INFO); refusals of presented credentials are
//!   INFO — rare for well-behaved clients, and what a security review looks for; a
//!   request *without* credentials is no event (an anonymous hit is not an attempt).
//!   Security alerts (refresh-token reuse, a lock-out) are WARN.
//! * This module sits at the bottom of the module graph (it imports only `error`,
//!   `scheme::name` and `credentials`): it owns the vocabulary and writes the events;
//!   the gate, the lifecycle methods, the token issuer and the auth router emit them
//!   where the facts are known.
//! * The application's own events ([`api_key_created`], [`api_key_deleted`]) take the
//!   request head and read the client address the gate resolved when it authenticated
//!   the request — behind a trusted proxy that is the forwarded address, which the head
//!   alone does not give — and the request id from the head. They take the key's id
//!   too: "which key" is what an audit of key deletions needs.
//! * `email.confirmed` is logged beside the account events: a confirmed address is an
//!   account change a review may need to date.

use std::fmt::Display;
use std::net::IpAddr;

use http::HeaderMap;
use http::request::Parts;
use tracing::Level;

use crate::credentials;
use crate::error::AuthError;
use crate::scheme::name::Scheme;

/// The `tracing` target of every audit event.
pub const TARGET: &str = "portcullis::audit";

/// The request header whose value becomes the `request_id` field.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The longest `request_id` logged, in bytes (longer ids are cut).
pub const MAX_REQUEST_ID_BYTES: usize = 64;

/// An audit event's kind: its stable name, level and message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Event {
    AuthSucceeded,
    AuthFailed,
    LoginSucceeded,
    LoginFailed,
    LoginThrottled,
    Logout,
    TokenRefreshed,
    TokenReuseDetected,
    TokenRevoked,
    CredentialsRevoked,
    SessionCreated,
    SessionDestroyed,
    #[cfg_attr(not(feature = "axum"), allow(dead_code))] // written by the auth router
    AccountRegistered,
    #[cfg_attr(not(feature = "axum"), allow(dead_code))]
    UsernameChanged,
    #[cfg_attr(not(feature = "axum"), allow(dead_code))]
    EmailConfirmed,
    #[cfg_attr(not(feature = "axum"), allow(dead_code))]
    UserDisabled,
    #[cfg_attr(not(feature = "axum"), allow(dead_code))]
    UserEnabled,
    #[cfg_attr(not(feature = "axum"), allow(dead_code))]
    PasswordChanged,
    #[cfg_attr(not(feature = "axum"), allow(dead_code))]
    PasswordResetRequested,
    #[cfg_attr(not(feature = "axum"), allow(dead_code))]
    PasswordResetCompleted,
    ApiKeyCreated,
    ApiKeyDeleted,
}

impl Event {
    /// The stable name (the `event` field).
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Event::AuthSucceeded => "auth.succeeded",
            Event::AuthFailed => "auth.failed",
            Event::LoginSucceeded => "login.succeeded",
            Event::LoginFailed => "login.failed",
            Event::LoginThrottled => "login.throttled",
            Event::Logout => "logout",
            Event::TokenRefreshed => "token.refreshed",
            Event::TokenReuseDetected => "token.reuse_detected",
            Event::TokenRevoked => "token.revoked",
            Event::CredentialsRevoked => "credentials.revoked",
            Event::SessionCreated => "session.created",
            Event::SessionDestroyed => "session.destroyed",
            Event::AccountRegistered => "account.registered",
            Event::UsernameChanged => "username.changed",
            Event::EmailConfirmed => "email.confirmed",
            Event::UserDisabled => "user.disabled",
            Event::UserEnabled => "user.enabled",
            Event::PasswordChanged => "password.changed",
            Event::PasswordResetRequested => "password.reset_requested",
            Event::PasswordResetCompleted => "password.reset",
            Event::ApiKeyCreated => "api_key.created",
            Event::ApiKeyDeleted => "api_key.deleted",
        }
    }

    const fn level(self) -> Level {
        match self {
            Event::AuthSucceeded => Level::DEBUG,
            Event::LoginThrottled
            | Event::TokenReuseDetected
            | Event::CredentialsRevoked
            | Event::UserDisabled => Level::WARN,
            _ => Level::INFO,
        }
    }

    const fn message(self) -> &'static str {
        match self {
            Event::AuthSucceeded => "authenticated",
            Event::AuthFailed => "authentication failed",
            Event::LoginSucceeded => "logged in",
            Event::LoginFailed => "login failed",
            Event::LoginThrottled => "attempt refused: too many failures (lock-out)",
            Event::Logout => "logged out",
            Event::TokenRefreshed => "tokens refreshed",
            Event::TokenReuseDetected => "a spent refresh token was presented again: its family is revoked",
            Event::TokenRevoked => "access token revoked",
            Event::CredentialsRevoked => "every credential issued until now is revoked",
            Event::SessionCreated => "session created",
            Event::SessionDestroyed => "session destroyed",
            Event::AccountRegistered => "account registered",
            Event::UsernameChanged => "user name changed",
            Event::EmailConfirmed => "e-mail address confirmed",
            Event::UserDisabled => "account disabled: every credential issued until now is revoked",
            Event::UserEnabled => "account enabled",
            Event::PasswordChanged => "password changed; every other credential revoked",
            Event::PasswordResetRequested => "password reset requested",
            Event::PasswordResetCompleted => "password reset by a mailed link; every credential revoked",
            Event::ApiKeyCreated => "API key created",
            Event::ApiKeyDeleted => "API key deleted",
        }
    }

    /// Whether a subscriber wants this event (so that its facts need not be gathered).
    pub(crate) fn enabled(self) -> bool {
        match self.level() {
            Level::WARN => tracing::enabled!(target: TARGET, Level::WARN),
            Level::DEBUG => tracing::enabled!(target: TARGET, Level::DEBUG),
            _ => tracing::enabled!(target: TARGET, Level::INFO),
        }
    }

    /// The event of a refused attempt: a lock-out is its own event, any other refusal `self`.
    pub(crate) fn or_throttled(self, error: &AuthError) -> Event {
        match error {
            AuthError::Throttled { .. } => Event::LoginThrottled,
            _ => self,
        }
    }
}

/// Where a request came from, as its audit events report it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Origin {
    pub(crate) client: Option<IpAddr>,
    pub(crate) request_id: Option<String>,
}

impl Origin {
    /// The client's address and the request id of `headers`.
    pub(crate) fn new(client: Option<IpAddr>, headers: &HeaderMap) -> Self {
        Origin {
            client,
            request_id: request_id(headers),
        }
    }

    /// Only a client address (a call without the request head).
    pub(crate) fn client(client: Option<IpAddr>) -> Self {
        Origin {
            client,
            request_id: None,
        }
    }
}

/// The client address the gate resolved for an authenticated request (trusted proxies
/// applied), noted in its extensions by the framework adapter for [`api_key_created`]
/// and its kin.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ResolvedClient(pub(crate) IpAddr);

/// The `X-Request-Id` of `headers`, cut to [`MAX_REQUEST_ID_BYTES`] and sanitised.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(REQUEST_ID_HEADER)?.as_bytes();
    let id: String = value
        .iter()
        .take(MAX_REQUEST_ID_BYTES)
        .map(|&b| match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b':'
            | b'/'
            | b'+'
            | b'='
            | b'@' => char::from(b),
            _ => '_',
        })
        .collect();
    (!id.is_empty()).then_some(id)
}

/// The scheme a refusal names, if it names one.
pub(crate) fn scheme_of(error: &AuthError) -> Option<Scheme> {
    match error {
        AuthError::InvalidRequest { scheme, .. } => *scheme,
        AuthError::InvalidCredentials { scheme, .. } | AuthError::Denied { scheme, .. } => Some(*scheme),
        _ => None,
    }
}

/// One audit event being written: `Record::new(event, &origin).user(id).emit()`.
#[must_use]
pub(crate) struct Record<'a> {
    event: Event,
    origin: &'a Origin,
    scheme: Option<Scheme>,
    reason: Option<&'static str>,
    detail: Option<&'static str>,
    user: Option<&'a dyn Display>,
    actor: Option<&'a dyn Display>,
    key_id: Option<&'a dyn Display>,
}

/// `tracing::event!` needs its level as a constant: one call per level.
macro_rules! write_at {
    ($level:expr, $r:expr) => {
        tracing::event!(
            target: TARGET,
            $level,
            event = $r.event.name(),
            scheme = $r.scheme.map(Scheme::as_str),
            reason = $r.reason,
            detail = $r.detail,
            user = $r.user.map(tracing::field::display),
            actor = $r.actor.map(tracing::field::display),
            key_id = $r.key_id.map(tracing::field::display),
            client = $r.origin.client.map(tracing::field::display),
            request_id = $r.origin.request_id.as_deref(),
            "{}",
            $r.event.message()
        )
    };
}

impl<'a> Record<'a> {
    pub(crate) fn new(event: Event, origin: &'a Origin) -> Self {
        Record {
            event,
            origin,
            scheme: None,
            reason: None,
            detail: None,
            user: None,
            actor: None,
            key_id: None,
        }
    }

    pub(crate) fn scheme(mut self, scheme: Option<Scheme>) -> Self {
        self.scheme = scheme;
        self
    }

    pub(crate) fn user(mut self, user: &'a dyn Display) -> Self {
        self.user = Some(user);
        self
    }

    pub(crate) fn maybe_user(mut self, user: Option<&'a dyn Display>) -> Self {
        self.user = user;
        self
    }

    #[cfg_attr(not(feature = "axum"), allow(dead_code))] // used by the auth router
    pub(crate) fn actor(mut self, actor: &'a dyn Display) -> Self {
        self.actor = Some(actor);
        self
    }

    /// The refusal's code and fixed text (never a credential: see [`AuthError`]).
    pub(crate) fn error(mut self, error: &AuthError) -> Self {
        self.reason = Some(error.code());
        self.detail = error.reason();
        self
    }

    pub(crate) fn emit(self) {
        match self.event.level() {
            Level::WARN => write_at!(Level::WARN, self),
            Level::DEBUG => write_at!(Level::DEBUG, self),
            _ => write_at!(Level::INFO, self),
        }
    }
}

/// Records that `user` created the API key the application knows as `key_id` (its row
/// id, never the key): the event `api_key.created`. Portcullis stores no keys, so the
/// application reports it; pass the handler's request head, whose client address (as
/// the gate resolved it when it authenticated the request) and `X-Request-Id` the
/// event carries.
///
/// ```
/// use axum::http::request::Parts;
/// use portcullis::{auth, AuthUser};
///
/// #[derive(Clone, AuthUser)]
/// struct User { #[auth_user(id)] id: i64 }
///
/// #[auth(jwt)]
/// async fn create_api_key(user: User, parts: Parts) -> String {
///     let generated = portcullis::generate_api_key("pk_").expect("randomness");
///     let key_id = 42; // INSERT INTO api_keys (user_id, key_hash) ... RETURNING id
///     portcullis::audit::api_key_created(&user.id, &key_id, &parts);
///     generated.into_key()
/// }
/// ```
pub fn api_key_created(user: &dyn Display, key_id: &dyn Display, parts: &Parts) {
    application_event(Event::ApiKeyCreated, user, key_id, parts);
}

/// Records that `user` deleted the API key the application knows as `key_id`: the
/// event `api_key.deleted`. See [`api_key_created`].
///
/// ```
/// # let (parts, ()) = http::Request::new(()).into_parts();
/// portcullis::audit::api_key_deleted(&7, &42, &parts); // user 7 deleted key 42
/// ```
pub fn api_key_deleted(user: &dyn Display, key_id: &dyn Display, parts: &Parts) {
    application_event(Event::ApiKeyDeleted, user, key_id, parts);
}

fn application_event(event: Event, user: &dyn Display, key_id: &dyn Display, parts: &Parts) {
    if !event.enabled() {
        return;
    }
    let client = match parts.extensions.get::<ResolvedClient>() {
        Some(ResolvedClient(ip)) => Some(*ip),
        None => credentials::client_addr(parts),
    };
    let origin = Origin::new(client, &parts.headers);
    let mut record = Record::new(event, &origin).user(user);
    record.key_id = Some(key_id);
    record.emit();
}

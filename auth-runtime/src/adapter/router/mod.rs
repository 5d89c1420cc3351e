//! A ready auth router for axum (AuthX's router, as one line in an app): register,
//! login, refresh, logout, session login and logout, `me`, e-mail confirmation,
//! username changes, password change and reset, over the application's user type and
//! storage.
//!
//! The application provides two small traits: [`Registrar`] (create and change users)
//! and [`Mailer`] (send mail). Everything else comes from its [`Portcullis`]. One file
//! per concern: this one (the builder, registration and `me`), `rename.rs`, `confirmation.rs`,
//! `password.rs`, and `links.rs` (the mailed single-use links both use).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRef, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;
use serde::Deserialize;
use serde_json::{Value, json};

mod confirmation;
mod links;
mod prefix;

use crate::accounts::{Mailer, NewAccount, Registrar, Rename, check_new_account, valid_username};
use crate::adapter::routing::{self, Routes};
use crate::audit::{Event, Record};
use crate::error::{AuthError, StoreError};
use crate::gate::{Portcullis, SchemeSet};
use crate::guard::Authenticated;
use crate::mail_templates::MailTemplates;
use crate::scheme::{ApiKey, Basic, Jwt, Session};
use crate::user::AuthUser;
use confirmation::{confirm, confirm_request, confirm_status};

/// Builds the auth routes. Mount them with `Router::merge`; with several user types,
/// once per type under its own [`prefix`](Self::prefix) (the paths below then start with it).
///
/// | route | auth | answer |
/// |---|---|---|
/// | `POST /auth/register {username,email,password}` | — | 201 `{id,username}` (+ the token pair with [`sign_in_on_register`](Self::sign_in_on_register)); 400 invalid input; 409 taken |
/// | `POST /auth/login {username,password}` (`username`: a user name or an e-mail address) | — | 200 token pair; 401; 403 inactive (with `reveal_inactive_accounts`); 429 + `Retry-After` |
/// | `POST /auth/refresh {refresh_token}` | — | 200 new pair (rotation); 401; 403 inactive |
/// | `POST /auth/logout {refresh_token}` | jwt | 204: the family and the access token are revoked |
/// | `POST /auth/logout_all` | jwt, session | 204: every token, refresh family and session of the user issued until now is revoked (a session's cookie, or the token cookies, cleared too) |
/// | `POST /session/login {username,password}` | — | 200 `{csrf_token}` + `Set-Cookie` |
/// | `POST /session/logout` | session | 204, cookie cleared, session destroyed |
/// | `GET /me` | jwt, api_key, session, basic | 200 `{id,username,roles,scopes,scheme}` |
/// | `GET /auth/confirm` | jwt | 200 `{email,confirmed}` |
/// | `POST /auth/confirm` | jwt | 202 mail sent; 400 already confirmed; 429 within 60 s |
/// | `GET` or `POST /auth/confirm/{token}` (the mailed link) | — | 200 confirmed; 403 unknown, used or expired token |
/// | `POST /users/{id}/change_username {username}` | jwt; owner or admin | 200; 400 same name; 409 taken; 403; 404 |
/// | `POST /users/{id}/disable` | jwt; admin | 204: the account is inactive, every token, refresh family and session of it issued until now is revoked, its API keys and password logins are refused (`user.disabled`); 403; 404 |
/// | `POST /users/{id}/enable` | jwt; admin | 204: it may log in again (what was revoked stays revoked); 403; 404 |
///
/// With [`TokenCookies`](crate::TokenCookies) on the builder, login, sign-in on
/// registration and a refresh without `refresh_token` in the body (its token read from
/// the refresh cookie; same-site, with `X-CSRF-Token`, else 403 `csrf_rejected`) answer
/// `{csrf_token, expires_in}` and set the access and refresh cookies (`HttpOnly`); the
/// `jwt` routes take the access cookie, unsafe methods with `X-CSRF-Token` (else 403);
/// logout needs no body and clears both cookies (`Max-Age=0`).
/// | `POST /auth/password {current_password,new_password}` | jwt, session | 200 a new token pair (jwt) or `{csrf_token}` + a new session cookie (session): every other token, refresh family and session of the user is revoked; 401 wrong current password (counted like a failed login; 429 + `Retry-After` past the lock-out); 400 weak new password; 403 identity-provider users |
/// | `POST /auth/password/reset {email}` | — | 202 `{accepted}` whatever the address (a link is mailed when an active account with a password has it); 400 malformed address; 429 within 60 s for the same address |
/// | `POST /auth/password/reset/{token} {new_password}` (the mailed link's token) | — | 204: the password is set, every credential of the user revoked; 400 weak password (the link is kept); 403 unknown, used or expired link |
///
/// Reset links are valid 30 minutes ([`reset_ttl`](Self::reset_ttl)), single use, and
/// stored only as a SHA-256 in the gate's single-use store (in Redis with
/// `RedisStore`). The mails come from [`MailTemplates`] ([`mail_templates`](Self::mail_templates)).
/// A login whose stored hash is a legacy one (bcrypt, scrypt, PBKDF2) or outdated
/// stores the password's new argon2id hash through [`Registrar::set_password_hash`]
/// (unless the [`UserStore`](crate::UserStore) already upgraded it).
///
/// ```
/// use axum::{Router, extract::FromRef};
/// use portcullis::{AuthRouter, AuthUser, InMemoryUserStore, Portcullis};
/// # use portcullis::{async_trait, EmailStatus, Mailer, NewAccount, Registrar, Rename, StoreError};
/// # #[derive(Clone, AuthUser)] struct User { #[auth_user(id)] id: i64 }
/// # struct Db; struct LogMailer;
/// # #[async_trait] impl Registrar<User> for Db {
/// #   async fn register(&self, _: &NewAccount) -> Result<Option<User>, StoreError> { Ok(None) }
/// #   async fn rename(&self, _: &i64, _: &str) -> Result<Rename<User>, StoreError> { Ok(Rename::NotFound) }
/// #   async fn email(&self, _: &i64) -> Result<Option<EmailStatus>, StoreError> { Ok(None) }
/// #   async fn confirm_email(&self, _: &i64) -> Result<(), StoreError> { Ok(()) }
/// #   async fn set_active(&self, _: &i64, _: bool) -> Result<bool, StoreError> { Ok(false) }
/// #   async fn set_password_hash(&self, _: &i64, _: &str) -> Result<(), StoreError> { Ok(()) } }
/// # #[async_trait] impl Mailer for LogMailer {
/// #   async fn send(&self, _: &str, _: &str, _: &str) -> Result<(), StoreError> { Ok(()) } }
///
/// #[derive(Clone, FromRef)]
/// struct AppState { auth: Portcullis<User> }
///
/// let auth = Portcullis::builder(InMemoryUserStore::<User>::new()).build().unwrap();
/// let app: Router = Router::new()
///     .merge(
///         AuthRouter::new(Db, LogMailer)
///             .confirm_url("https://app.example/confirm/")
///             .reset_url("https://app.example/reset-password/")
///             .routes(),
///     )
///     .with_state(AppState { auth });
/// ```
pub struct AuthRouter<U: AuthUser> {
    registrar: Arc<dyn Registrar<U>>,
    mailer: Arc<dyn Mailer>,
    /// `None`: the router's own link route, under its prefix.
    confirm_url: Option<String>,
    /// Before every path (`""`, or `/staff`): see `prefix.rs`.
    prefix: String,
    confirm_ttl: Duration,
    reset_url: Option<String>,
    reset_ttl: Duration,
    templates: MailTemplates,
    admin_role: String,
    sign_in_on_register: bool,
    /// Reset mails in flight (looked up and sent after the answer).
    reset_mails: Arc<Semaphore>,
}

impl<U: AuthUser> AuthRouter<U> {
    /// Routes over `registrar` and `mailer`; confirmation links are valid 24 h,
    /// password-reset links 30 minutes, the mails are [`MailTemplates::default`] and the
    /// `admin` role may rename anyone.
    pub fn new(registrar: impl Registrar<U>, mailer: impl Mailer) -> Self {
        AuthRouter {
            registrar: Arc::new(registrar),
            mailer: Arc::new(mailer),
            confirm_url: None,
            prefix: String::new(),
            confirm_ttl: Duration::from_secs(24 * 3600),
            reset_url: None,
            reset_ttl: Duration::from_secs(30 * 60),
            templates: MailTemplates::default(),
            admin_role: "admin".to_owned(),
            sign_in_on_register: false,
            reset_mails: Arc::new(Semaphore::new(password::MAX_PENDING_RESET_MAILS)),
        }
    }

    /// The link mailed for a password reset is this prefix followed by the token
    /// (default: the router's own route, `/auth/password/reset/` after the router's
    /// [`prefix`](Self::prefix)). Point it at the application's page that asks
    /// for the new password and sends it to `POST /auth/password/reset/{token}`.
    ///
    /// ```
    /// # use portcullis::{AuthRouter, AuthUser};
    /// # #[derive(Clone, AuthUser)] struct User { #[auth_user(id)] id: i64 }
    /// # fn demo(router: AuthRouter<User>) -> AuthRouter<User> {
    /// router.reset_url("https://app.example/reset-password/")
    /// # }
    /// ```
    pub fn reset_url(mut self, prefix: impl Into<String>) -> Self {
        self.reset_url = Some(prefix.into());
        self
    }

    /// How long a password-reset link works (default 30 minutes).
    ///
    /// ```
    /// # use portcullis::{AuthRouter, AuthUser};
    /// # #[derive(Clone, AuthUser)] struct User { #[auth_user(id)] id: i64 }
    /// # fn demo(router: AuthRouter<User>) -> AuthRouter<User> {
    /// router.reset_ttl(std::time::Duration::from_secs(15 * 60))
    /// # }
    /// ```
    pub fn reset_ttl(mut self, ttl: Duration) -> Self {
        self.reset_ttl = ttl;
        self
    }

    /// The mails the router sends (confirmation, password reset).
    ///
    /// ```
    /// # use portcullis::{AuthRouter, AuthUser, MailTemplate, MailTemplates};
    /// # #[derive(Clone, AuthUser)] struct User { #[auth_user(id)] id: i64 }
    /// # fn demo(router: AuthRouter<User>) -> AuthRouter<User> {
    /// router.mail_templates(MailTemplates {
    ///     confirmation: MailTemplate::new("Welcome to Example", "Confirm your address: {link}"),
    ///     ..MailTemplates::default()
    /// })
    /// # }
    /// ```
    pub fn mail_templates(mut self, templates: MailTemplates) -> Self {
        self.templates = templates;
        self
    }

    /// The link mailed for confirmation is this prefix followed by the token (default:
    /// the router's own route, `/auth/confirm/` after the router's [`prefix`](Self::prefix)).
    pub fn confirm_url(mut self, prefix: impl Into<String>) -> Self {
        self.confirm_url = Some(prefix.into());
        self
    }

    /// How long a confirmation link works.
    pub fn confirm_ttl(mut self, ttl: Duration) -> Self {
        self.confirm_ttl = ttl;
        self
    }

    /// The role that may change anyone's user name and disable or enable accounts.
    pub fn admin_role(mut self, role: impl Into<String>) -> Self {
        self.admin_role = role.into();
        self
    }

    /// Signs the new user in at registration (off by default): the 201 answer carries
    /// a token pair beside `{id, username}` — or, with
    /// [`TokenCookies`](crate::TokenCookies), sets the token cookies and carries
    /// `csrf_token` — as a login would. An account the user store reports inactive
    /// (waiting for confirmation, say) is not signed in; neither is one whose tokens
    /// cannot be issued at that moment (the account exists: the client logs in).
    ///
    /// ```
    /// # use portcullis::{async_trait, AuthRouter, AuthUser, EmailStatus, Mailer, NewAccount, Registrar, Rename, StoreError};
    /// # #[derive(Clone, AuthUser)] struct User { #[auth_user(id)] id: i64 }
    /// # struct Db; struct LogMailer;
    /// # #[async_trait] impl Registrar<User> for Db {
    /// #   async fn register(&self, _: &NewAccount) -> Result<Option<User>, StoreError> { Ok(None) }
    /// #   async fn rename(&self, _: &i64, _: &str) -> Result<Rename<User>, StoreError> { Ok(Rename::NotFound) }
    /// #   async fn email(&self, _: &i64) -> Result<Option<EmailStatus>, StoreError> { Ok(None) }
    /// #   async fn confirm_email(&self, _: &i64) -> Result<(), StoreError> { Ok(()) }
    /// #   async fn set_active(&self, _: &i64, _: bool) -> Result<bool, StoreError> { Ok(false) }
    /// #   async fn set_password_hash(&self, _: &i64, _: &str) -> Result<(), StoreError> { Ok(()) } }
    /// # #[async_trait] impl Mailer for LogMailer {
    /// #   async fn send(&self, _: &str, _: &str, _: &str) -> Result<(), StoreError> { Ok(()) } }
    /// let router = AuthRouter::<User>::new(Db, LogMailer).sign_in_on_register(true);
    /// ```
    pub fn sign_in_on_register(mut self, on: bool) -> Self {
        self.sign_in_on_register = on;
        self
    }

    /// The routes, for any state that provides the [`Portcullis`].
    pub fn routes<S>(self) -> axum::Router<S>
    where
        S: Clone + Send + Sync + 'static,
        Portcullis<U>: FromRef<S>,
    {
        self.into_routes().into_unchecked()
    }

    /// The routes with their route table, to merge into the application's
    /// [`Routes`](crate::routing::Routes): its start-up checks count them as known.
    pub fn into_routes<S>(self) -> Routes<S>
    where
        S: Clone + Send + Sync + 'static,
        Portcullis<U>: FromRef<S>,
    {
        let prefix = self.prefix.clone();
        let at = |path: &str| format!("{prefix}{path}");
        let state = RouterState {
            shared: Arc::new(self),
        };
        Routes::new()
            .route(&at("/auth/register"), routing::post(register::<U>))
            .route(&at("/auth/login"), routing::post(login::<U>))
            .route(&at("/auth/refresh"), routing::post(refresh::<U>))
            .route(&at("/auth/logout"), routing::post(logout::<U>))
            .route(&at("/auth/logout_all"), routing::post(logout_all::<U>))
            .route(&at("/session/login"), routing::post(session_login::<U>))
            .route(&at("/session/logout"), routing::post(session_logout::<U>))
            .route(&at("/me"), routing::get(me::<U>))
            .route(
                &at("/auth/confirm"),
                routing::get(confirm_status::<U>).post(confirm_request::<U>),
            )
            // The mailed link is clicked (GET); POST works too.
            .route(
                &at("/auth/confirm/{token}"),
                routing::get(confirm::<U>).post(confirm::<U>),
            )
            .route(
                &at("/users/{id}/change_username"),
                routing::post(change_username::<U>),
            )
            .route(&at("/users/{id}/disable"), routing::post(admin::disable::<U>))
            .route(&at("/users/{id}/enable"), routing::post(admin::enable::<U>))
            .route(
                &at("/auth/password"),
                routing::post(password::change_password::<U>),
            )
            .route(
                &at("/auth/password/reset"),
                routing::post(password::reset_request::<U>),
            )
            .route(
                &at("/auth/password/reset/{token}"),
                routing::post(password::reset_password::<U>),
            )
            .map_router(|router| router.layer(axum::Extension(state)))
            .library()
    }
}

/// The router's own configuration, reached by its handlers as an extension.
struct RouterState<U: AuthUser> {
    shared: Arc<AuthRouter<U>>,
}

impl<U: AuthUser> Clone for RouterState<U> {
    fn clone(&self) -> Self {
        RouterState {
            shared: Arc::clone(&self.shared),
        }
    }
}

type JwtOnly = (Jwt,);
type SessionOnly = (Session,);
type JwtOrSession = (Jwt, Session);
type Any = (Jwt, ApiKey, Session, Basic);

type Config<U> = axum::Extension<RouterState<U>>;

/// A problem outside authentication (bad input, conflicts), through the one renderer.
fn problem<U: AuthUser>(
    auth: &Portcullis<U>,
    status: StatusCode,
    code: &'static str,
    message: &str,
) -> Response {
    auth.refuse(AuthError::input(status, code, message.to_owned()), &[])
        .into_response()
}

/// Routes that keep rows under a local user id (refresh families, e-mail
/// confirmation, user names) answer 403 to identity-provider users.
fn local_account_only<U: AuthUser, S: SchemeSet<U>>(user: &Authenticated<U, S>) -> Option<Response> {
    user.info.provider().is_some().then(|| {
        let denied = AuthError::Denied {
            scheme: user.info.scheme(),
            requirement: "a local account (identity-provider users have none)",
        };
        user.refuse(denied).into_response()
    })
}

fn refuse<U: AuthUser, S: SchemeSet<U>>(auth: &Portcullis<U>, error: AuthError) -> Response {
    auth.reject::<S>(error).into_response()
}

fn store_down<U: AuthUser>(auth: &Portcullis<U>, error: &StoreError) -> Response {
    tracing::error!(error = %error, "application store unavailable");
    auth.refuse(AuthError::Unavailable, &[]).into_response()
}

/// The JSON body, or the 400 answer saying what was wrong with it.
macro_rules! input {
    ($auth:expr, $body:expr) => {
        match $body {
            Ok(Json(value)) => value,
            Err(rejection) => {
                let rejection: JsonRejection = rejection;
                return problem(
                    &$auth,
                    StatusCode::BAD_REQUEST,
                    "invalid_input",
                    &rejection.body_text(),
                );
            }
        }
    };
}

// After `input!`, which they use.
mod admin;
mod password;
mod rename;
mod sessions;
mod tokens;

use rename::change_username;
use sessions::{logout_all, session_login, session_logout};
use tokens::{login, logout, refresh, sign_in};

#[derive(Deserialize)]
struct Registration {
    username: String,
    email: String,
    password: String,
}

async fn register<U: AuthUser>(
    State(auth): State<Portcullis<U>>,
    axum::Extension(config): Config<U>,
    parts: Parts,
    body: Result<Json<Registration>, JsonRejection>,
) -> Response {
    let form = input!(auth, body);
    if let Err(message) = check_new_account(&form.username, &form.email, &form.password) {
        return problem(&auth, StatusCode::BAD_REQUEST, "invalid_input", message);
    }
    // Per address, before any hashing; then at most a few hashes at once (503 past that).
    if let Some(client) = auth.client_ip(&parts)
        && let Err(e) = auth.count_registration(client).await
    {
        return auth.refuse(e, &[]).into_response();
    }
    let hash = match auth.hash_new_password(form.password).await {
        Ok(hash) => hash,
        Err(e) => return auth.refuse(e, &[]).into_response(),
    };
    let account = NewAccount {
        username: form.username,
        email: form.email,
        password_hash: hash,
    };
    match config.shared.registrar.register(&account).await {
        Ok(Some(user)) => {
            Record::new(Event::AccountRegistered, &auth.origin(&parts))
                .user(user.id())
                .emit();
            let created = json!({ "id": user.id(), "username": account.username });
            if !config.shared.sign_in_on_register || !user.is_active() {
                return (StatusCode::CREATED, Json(created)).into_response();
            }
            match sign_in(&auth, &user).await {
                Ok(mut signed_in) => {
                    if let Value::Object(account) = created {
                        signed_in.fields.extend(account);
                    }
                    signed_in.respond(StatusCode::CREATED)
                }
                Err(e) => {
                    tracing::warn!(error = %e, "registered, but not signed in: the client logs in");
                    (StatusCode::CREATED, Json(created)).into_response()
                }
            }
        }
        Ok(None) => problem(
            &auth,
            StatusCode::CONFLICT,
            "conflict",
            "the user name or e-mail address is taken",
        ),
        Err(e) => store_down(&auth, &e),
    }
}

async fn me<U: AuthUser>(user: Authenticated<U, Any>) -> Response {
    Json(json!({
        "id": user.user.id(),
        "username": user.user.name(),
        "roles": user.user.role_names(),
        "scopes": user.info.scopes(),
        "scheme": user.info.scheme().as_str(),
    }))
    .into_response()
}

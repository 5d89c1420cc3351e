//! The auth router's password change and reset over HTTP, written once over any stores:
//! `tests/it/auth_router/password.rs` runs it on the in-memory stores,
//! `tests/services/redis_passwords.rs` on Redis (revocation cut-offs, refresh families,
//! sessions, single-use reset links and throttle counters all in Redis). Each scenario
//! takes the function that chooses the stores of a [`PortcullisBuilder`].
//!
//! The application: the support users (`alice`, id 1, has a password) in an
//! `InMemoryUserStore`, their addresses `user<id>@example.com`, a [`Registrar`] that
//! writes password hashes into the same store, and a capturing [`Outbox`].

use axum::Router;
use axum::body::Body;
use http::header::{COOKIE, SET_COOKIE};
use http::{Request, StatusCode};
use portcullis::{
    AuthRouter, EmailStatus, InMemoryUserStore, Mailer, NewAccount, PortcullisBuilder, Registrar, Rename,
    SessionConfig, StoreError, UserStore, async_trait,
};
use serde_json::{Value, json};

use super::app::{ALICE_PASSWORD, AppState, User, builder, users};
use super::assertions::{assert_throttled, expect_error};
use super::mail::Outbox;
use super::requests::{Reply, RequestExt, bearer, credentials, post_json, req, send};
use super::tokens::{Tokens, issued_tokens, tokens_of};

/// Alice's password after a change or a reset.
pub const NEW_PASSWORD: &str = "alice-new-password-2";

/// The accounts of the support users, over their user store.
#[derive(Clone)]
pub struct Accounts(pub InMemoryUserStore<User>);

#[async_trait]
impl Registrar<User> for Accounts {
    async fn register(&self, _: &NewAccount) -> Result<Option<User>, StoreError> {
        Ok(None)
    }
    async fn rename(&self, _: &i64, _: &str) -> Result<Rename<User>, StoreError> {
        Ok(Rename::NotFound)
    }
    async fn email(&self, id: &i64) -> Result<Option<EmailStatus>, StoreError> {
        Ok(self.0.find_by_id(id).await?.map(|u| EmailStatus {
            email: format!("user{}@example.com", u.id),
            confirmed: true,
        }))
    }
    async fn confirm_email(&self, _: &i64) -> Result<(), StoreError> {
        Ok(())
    }
    async fn set_active(&self, id: &i64, active: bool) -> Result<bool, StoreError> {
        let Some(mut user) = self.0.find_by_id(id).await? else {
            return Ok(false);
        };
        user.active = active;
        self.0.insert(user);
        Ok(true)
    }
    async fn set_password_hash(&self, id: &i64, hash: &str) -> Result<(), StoreError> {
        if let Some(mut user) = self.0.find_by_id(id).await? {
            user.password_hash = Some(hash.to_owned());
            self.0.insert(user);
        }
        Ok(())
    }
}

/// The auth router over the support users, its outbox and its user store.
pub struct PasswordApp {
    pub router: Router,
    pub outbox: Outbox,
    pub users: InMemoryUserStore<User>,
}

/// The app with the stores `stores` chooses and the router `configure` makes.
pub fn password_app(
    stores: impl FnOnce(PortcullisBuilder<User>) -> PortcullisBuilder<User>,
    configure: impl FnOnce(AuthRouter<User>) -> AuthRouter<User>,
) -> PasswordApp {
    let outbox = Outbox::default();
    let mut app = password_app_with(stores, configure, outbox.clone());
    app.outbox = outbox;
    app
}

/// [`password_app`] sending its mails through `mailer` (its `outbox` stays empty).
pub fn password_app_with(
    stores: impl FnOnce(PortcullisBuilder<User>) -> PortcullisBuilder<User>,
    configure: impl FnOnce(AuthRouter<User>) -> AuthRouter<User>,
    mailer: impl Mailer,
) -> PasswordApp {
    let users = users();
    let outbox = Outbox::default();
    let auth = stores(builder(users.clone()))
        .tokens(issued_tokens())
        .sessions(SessionConfig::new().development(true))
        .build()
        .expect("valid test configuration");
    let router = configure(AuthRouter::new(Accounts(users.clone()), mailer));
    PasswordApp {
        router: Router::new().merge(router.routes()).with_state(AppState { auth }),
        outbox,
        users,
    }
}

impl PasswordApp {
    pub async fn login(&self, username: &str, password: &str) -> Reply {
        send(
            &self.router,
            post_json("/auth/login", &credentials(username, password)),
        )
        .await
    }

    pub async fn tokens(&self, password: &str) -> Tokens {
        tokens_of(&self.login("alice", password).await)
    }

    /// A session of alice: the `Cookie` header value and the CSRF token.
    pub async fn session(&self, password: &str) -> (String, String) {
        let r = send(
            &self.router,
            post_json("/session/login", &credentials("alice", password)),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        session_of(&r)
    }

    pub async fn me_with_token(&self, token: &str) -> StatusCode {
        send(&self.router, bearer("/me", token)).await.status
    }

    pub async fn me_with_cookie(&self, cookie: &str) -> StatusCode {
        send(&self.router, req("/me").header(COOKIE, cookie).empty())
            .await
            .status
    }

    pub async fn refresh(&self, refresh_token: &str) -> StatusCode {
        let body = json!({"refresh_token": refresh_token});
        send(&self.router, post_json("/auth/refresh", &body)).await.status
    }

    pub async fn request_reset(&self, email: &str) -> Reply {
        send(
            &self.router,
            post_json("/auth/password/reset", &json!({"email": email})),
        )
        .await
    }

    pub async fn reset(&self, token: &str, password: &str) -> Reply {
        let body = json!({"new_password": password});
        send(
            &self.router,
            post_json(&format!("/auth/password/reset/{token}"), &body),
        )
        .await
    }

    /// Alice's stored hash.
    pub async fn hash(&self) -> String {
        let alice = self.users.find_by_id(&1).await.unwrap().unwrap();
        alice.password_hash.expect("alice has a password")
    }
}

/// The `Cookie` value and CSRF token of a 200 session answer.
#[track_caller]
pub fn session_of(r: &Reply) -> (String, String) {
    let set_cookie = r.headers[SET_COOKIE].to_str().unwrap();
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    let csrf = r.body["csrf_token"].as_str().expect("csrf_token").to_owned();
    (cookie, csrf)
}

/// `POST /auth/password` with the body `{current_password, new_password}`.
pub fn change(current: &str, new: &str) -> Value {
    json!({"current_password": current, "new_password": new})
}

/// The same as a bearer of `token`.
pub fn change_by_token(token: &str, body: &Value) -> Request<Body> {
    Request::post("/auth/password").bearer(token).json(body)
}

/// The same in the session `cookie`, with its CSRF token.
pub fn change_in_session(cookie: &str, csrf: &str, body: &Value) -> Request<Body> {
    Request::post("/auth/password")
        .header(COOKIE, cookie)
        .header("x-csrf-token", csrf)
        .json(body)
}

/// A password change by a token holder: 200 and a new token pair; every token, refresh
/// token and session of the user from before is refused afterwards (401), the new pair
/// works, and only the new password logs in.
pub async fn change_by_token_ends_every_other_credential(
    stores: impl FnOnce(PortcullisBuilder<User>) -> PortcullisBuilder<User>,
) {
    let app = password_app(stores, |r| r);
    let old = app.tokens(ALICE_PASSWORD).await;
    let (old_cookie, _) = app.session(ALICE_PASSWORD).await;

    let r = send(
        &app.router,
        change_by_token(&old.access, &change(ALICE_PASSWORD, NEW_PASSWORD)),
    )
    .await;
    let new = tokens_of(&r);
    assert_eq!(r.body["token_type"], "Bearer");
    assert_ne!(new.access, old.access);
    assert!(app.hash().await.starts_with("$argon2id$"));

    let refused = send(&app.router, bearer("/me", &old.access)).await;
    expect_error(&refused, StatusCode::UNAUTHORIZED, "invalid_token");
    assert_eq!(app.refresh(&old.refresh).await, StatusCode::UNAUTHORIZED);
    assert_eq!(app.me_with_cookie(&old_cookie).await, StatusCode::UNAUTHORIZED);

    assert_eq!(app.me_with_token(&new.access).await, StatusCode::OK);
    assert_eq!(app.refresh(&new.refresh).await, StatusCode::OK);
    let r = app.login("alice", ALICE_PASSWORD).await;
    expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
    assert_eq!(app.login("alice", NEW_PASSWORD).await.status, StatusCode::OK);
}

/// A password change in a session (with its CSRF token): 200 with a new session cookie
/// and CSRF token; the old session and the user's tokens are refused afterwards.
pub async fn change_in_session_renews_the_session(
    stores: impl FnOnce(PortcullisBuilder<User>) -> PortcullisBuilder<User>,
) {
    let app = password_app(stores, |r| r);
    let (old_cookie, old_csrf) = app.session(ALICE_PASSWORD).await;
    let tokens = app.tokens(ALICE_PASSWORD).await;

    let body = change(ALICE_PASSWORD, NEW_PASSWORD);
    let r = send(&app.router, change_in_session(&old_cookie, &old_csrf, &body)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let (cookie, csrf) = session_of(&r);
    assert_eq!(
        r.body.as_object().unwrap().len(),
        1,
        "only the CSRF token: {:?}",
        r.body
    );
    assert_ne!(cookie, old_cookie);
    assert_ne!(csrf, old_csrf);

    assert_eq!(app.me_with_cookie(&old_cookie).await, StatusCode::UNAUTHORIZED);
    assert_eq!(app.me_with_token(&tokens.access).await, StatusCode::UNAUTHORIZED);
    assert_eq!(app.me_with_cookie(&cookie).await, StatusCode::OK);
}

/// A reset: the same 202 for a known and an unknown address, 429 for the same address
/// again within a minute, one mail (to the known one) with a link; the link sets the password once (204, then 403), every credential
/// from before is refused, and only the new password logs in.
pub async fn reset_link_sets_the_password_once(
    stores: impl FnOnce(PortcullisBuilder<User>) -> PortcullisBuilder<User>,
) {
    let app = password_app(stores, |r| r.reset_url("https://app.example/reset/"));
    let old = app.tokens(ALICE_PASSWORD).await;

    let known = app.request_reset("user1@example.com").await;
    let unknown = app.request_reset("nobody@example.com").await;
    for r in [&known, &unknown] {
        assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
        assert_eq!(r.body, json!({"accepted": true}));
    }
    // A second request for the address within a minute: 429, whoever asks.
    let again = app.request_reset("user1@example.com").await;
    assert_throttled(&again, 60);
    let mails = app.outbox.wait_for(1).await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(app.outbox.mails().len(), 1, "no mail for the unknown address");
    assert_eq!(mails[0].to, "user1@example.com");
    assert_eq!(mails[0].subject, "Reset your password");
    assert!(mails[0].body.contains("Hello alice,"), "{}", mails[0].body);
    assert!(mails[0].body.contains("for 30 minutes"), "{}", mails[0].body);
    let token = mails[0].token("https://app.example/reset/");
    assert_eq!(token.len(), 43, "{token}");

    let r = app.reset(&token, NEW_PASSWORD).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    assert_eq!(r.body, Value::Null);
    assert!(app.hash().await.starts_with("$argon2id$"));
    let r = app.reset(&token, "another-password-3").await;
    expect_error(&r, StatusCode::FORBIDDEN, "forbidden");

    assert_eq!(app.me_with_token(&old.access).await, StatusCode::UNAUTHORIZED);
    assert_eq!(app.refresh(&old.refresh).await, StatusCode::UNAUTHORIZED);
    let r = app.login("alice", ALICE_PASSWORD).await;
    expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
    assert_eq!(app.login("alice", NEW_PASSWORD).await.status, StatusCode::OK);
}

/// An expired link and a made-up one get the same 403 as a used one; the password is
/// unchanged.
pub async fn expired_or_unknown_reset_links_are_refused(
    stores: impl FnOnce(PortcullisBuilder<User>) -> PortcullisBuilder<User>,
) {
    let app = password_app(stores, |r| r.reset_ttl(std::time::Duration::from_secs(1)));
    assert_eq!(
        app.request_reset("user1@example.com").await.status,
        StatusCode::ACCEPTED
    );
    let token = app.outbox.wait_for(1).await[0].token("/auth/password/reset/");
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let made_up = "A".repeat(43);
    for token in [token.as_str(), made_up.as_str(), "short"] {
        let r = app.reset(token, NEW_PASSWORD).await;
        expect_error(&r, StatusCode::FORBIDDEN, "forbidden");
        assert_eq!(
            r.body["message"], "the password-reset link is unknown, used or expired",
            "{:?}",
            r.body
        );
    }
    assert_eq!(app.login("alice", ALICE_PASSWORD).await.status, StatusCode::OK);
}

//! `AuthRouter` over HTTP (axum `Router` + `oneshot`), against the reference contract of
//! DESIGN.md §5: every route of the ready auth router (register, login with throttling,
//! refresh rotation and reuse detection, logout, session login and logout with CSRF, `/me`
//! under each scheme, e-mail confirmation with its mailed single-use link, and username
//! changes by the owner or an admin), with their status codes, headers and JSON bodies,
//! over an in-memory application `Registrar` + `UserStore` sharing one table and a
//! capturing `Mailer`, both behind a [`Faulty`] switch.
//!
//! The routes are the router's own: this module holds the application (its table, mailer
//! and state) and the request helpers; each sub-module tests one group of routes.

mod accounts;
mod admin;
mod confirmation;
mod me;
mod password;
mod register;
mod rename;
mod sessions;
mod tokens;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use axum::Router;
use axum::body::Body;
use axum::extract::FromRef;
use http::header::{CONTENT_TYPE, SET_COOKIE};
use http::{Request, StatusCode};
use portcullis::{
    ApiKeyHash, AuthRouter, AuthUser, EmailStatus, NewAccount, Portcullis, PortcullisBuilder, Registrar,
    Rename, SessionConfig, StoreError, UserStore, async_trait, hash_api_key,
};
use serde_json::{Value, json};

use crate::support::{
    Faulty, Outbox, Reply, RequestExt, Switch, Tokens, assert_invalid_token, assert_throttled,
    assert_unavailable, basic, bearer, cookie_attributes, credentials, expect_error, issued_tokens,
    post_json, req, send, tokens_of,
};

// ---------------------------------------------------------------------------------------------
// The application: a user type, one in-memory table behind `UserStore` and `Registrar`, a
// capturing mailer
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, AuthUser)]
#[auth_user(roles("admin", "user"))]
struct Member {
    #[auth_user(id)]
    id: i64,
    #[auth_user(name)]
    name: String,
    #[auth_user(roles)]
    roles: String,
    #[auth_user(password_hash)]
    password_hash: Option<String>,
    #[auth_user(email_verified)]
    confirmed: bool,
    email: String,
    #[auth_user(active)]
    active: bool,
}

#[derive(Default)]
struct Table {
    users: Vec<Member>,
    api_keys: Vec<(ApiKeyHash, i64)>,
    /// `Registrar::register` calls that reached the application.
    register_calls: usize,
    /// `Registrar::confirm_email` calls that reached the application.
    confirm_calls: usize,
}

/// The application's database: `UserStore` (read by Portcullis) and `Registrar` (written by
/// the router) over the same rows.
#[derive(Clone, Default)]
struct Db(Arc<Mutex<Table>>);

impl Db {
    fn table(&self) -> MutexGuard<'_, Table> {
        self.0.lock().unwrap()
    }

    fn open(&self) -> Result<MutexGuard<'_, Table>, StoreError> {
        Ok(self.table())
    }

    fn user(&self, id: i64) -> Option<Member> {
        self.table().users.iter().find(|u| u.id == id).cloned()
    }
}

#[async_trait]
impl UserStore<Member> for Db {
    async fn find_by_id(&self, id: &i64) -> Result<Option<Member>, StoreError> {
        Ok(self.open()?.users.iter().find(|u| u.id == *id).cloned())
    }

    async fn find_by_username(&self, username: &str) -> Result<Option<Member>, StoreError> {
        Ok(self.open()?.users.iter().find(|u| u.name == username).cloned())
    }

    async fn find_by_api_key_hash(&self, hash: &ApiKeyHash) -> Result<Option<Member>, StoreError> {
        let table = self.open()?;
        let owner = table.api_keys.iter().find(|(h, _)| h == hash).map(|(_, id)| *id);
        Ok(owner.and_then(|id| table.users.iter().find(|u| u.id == id).cloned()))
    }

    async fn find_by_email(&self, email: &str) -> Result<Option<Member>, StoreError> {
        let table = self.open()?;
        Ok(table
            .users
            .iter()
            .find(|u| u.email.eq_ignore_ascii_case(email))
            .cloned())
    }
}

#[async_trait]
impl Registrar<Member> for Db {
    async fn register(&self, account: &NewAccount) -> Result<Option<Member>, StoreError> {
        let mut table = self.open()?;
        table.register_calls += 1;
        if table
            .users
            .iter()
            .any(|u| u.name == account.username || u.email == account.email)
        {
            return Ok(None);
        }
        let user = Member {
            id: table.users.iter().map(|u| u.id).max().unwrap_or(0) + 1,
            name: account.username.clone(),
            roles: "user".into(),
            password_hash: Some(account.password_hash.clone()),
            confirmed: false,
            email: account.email.clone(),
            active: true,
        };
        table.users.push(user.clone());
        Ok(Some(user))
    }

    async fn rename(&self, id: &i64, username: &str) -> Result<Rename<Member>, StoreError> {
        let mut table = self.open()?;
        if table.users.iter().any(|u| u.name == username && u.id != *id) {
            return Ok(Rename::Taken);
        }
        match table.users.iter_mut().find(|u| u.id == *id) {
            Some(user) => {
                user.name = username.to_owned();
                Ok(Rename::Renamed(user.clone()))
            }
            None => Ok(Rename::NotFound),
        }
    }

    async fn email(&self, id: &i64) -> Result<Option<EmailStatus>, StoreError> {
        Ok(self
            .open()?
            .users
            .iter()
            .find(|u| u.id == *id)
            .map(|u| EmailStatus {
                email: u.email.clone(),
                confirmed: u.confirmed,
            }))
    }

    async fn confirm_email(&self, id: &i64) -> Result<(), StoreError> {
        let mut table = self.open()?;
        table.confirm_calls += 1;
        if let Some(user) = table.users.iter_mut().find(|u| u.id == *id) {
            user.confirmed = true;
        }
        Ok(())
    }

    async fn set_active(&self, id: &i64, active: bool) -> Result<bool, StoreError> {
        let mut table = self.open()?;
        let user = table.users.iter_mut().find(|u| u.id == *id);
        Ok(user.map(|user| user.active = active).is_some())
    }

    async fn set_password_hash(&self, id: &i64, hash: &str) -> Result<(), StoreError> {
        let mut table = self.open()?;
        if let Some(user) = table.users.iter_mut().find(|u| u.id == *id) {
            user.password_hash = Some(hash.to_owned());
        }
        Ok(())
    }
}

#[derive(Clone, FromRef)]
struct AppState {
    auth: Portcullis<Member>,
}

const ALICE_PASSWORD: &str = "alice-password-1";
const BOB_PASSWORD: &str = "bob-password-1";
const CAROL_PASSWORD: &str = "carol-password-1";
/// Bob's API key (the table keeps only its SHA-256).
const BOB_KEY: &str = "pk_bob_router_0123456789abcdef";

/// argon2id hashes of the seed passwords, computed once per test binary.
fn hash_of(password: &'static str) -> String {
    static HASHES: OnceLock<HashMap<&'static str, String>> = OnceLock::new();
    HASHES.get_or_init(|| {
        [ALICE_PASSWORD, BOB_PASSWORD, CAROL_PASSWORD]
            .into_iter()
            .map(|p| (p, portcullis::hash_password(p).unwrap()))
            .collect()
    })[password]
        .clone()
}

/// alice (1, admin), bob (2, user, with an API key), carol (3, user); none confirmed.
fn seeded() -> Db {
    let db = Db::default();
    {
        let mut table = db.table();
        for (id, name, roles, password) in [
            (1, "alice", "admin", ALICE_PASSWORD),
            (2, "bob", "user", BOB_PASSWORD),
            (3, "carol", "user", CAROL_PASSWORD),
        ] {
            table.users.push(Member {
                id,
                name: name.into(),
                roles: roles.into(),
                password_hash: Some(hash_of(password)),
                confirmed: false,
                email: format!("{name}@example.com"),
                active: true,
            });
        }
        table.api_keys.push((hash_api_key(BOB_KEY), 2));
    }
    db
}

struct World {
    app: Router,
    /// The application's table, read and written without faults.
    db: Db,
    outbox: Outbox,
    /// Takes the database down (every `UserStore` and `Registrar` call fails) and up again.
    database: Switch,
    /// Makes the mailer fail.
    smtp: Switch,
}

fn builder(db: Faulty<Db>) -> PortcullisBuilder<Member> {
    Portcullis::builder(db)
        .tokens(issued_tokens())
        .sessions(SessionConfig::new().development(true))
}

fn world_with(
    configure: impl FnOnce(AuthRouter<Member>) -> AuthRouter<Member>,
    build: impl FnOnce(PortcullisBuilder<Member>) -> PortcullisBuilder<Member>,
) -> World {
    let db = seeded();
    let outbox = Outbox::default();
    let (database, smtp) = (Switch::new(), Switch::new());
    let faulty_db = Faulty::with_switch(db.clone(), &database);
    let auth = build(builder(faulty_db.clone()))
        .build()
        .expect("valid test configuration");
    let router = configure(AuthRouter::new(
        faulty_db,
        Faulty::with_switch(outbox.clone(), &smtp),
    ));
    let app = Router::new().merge(router.routes()).with_state(AppState { auth });
    World {
        app,
        db,
        outbox,
        database,
        smtp,
    }
}

fn world() -> World {
    world_with(|r| r, |b| b)
}

// ---------------------------------------------------------------------------------------------
// Requests and assertions
// ---------------------------------------------------------------------------------------------

fn post_raw(uri: &str, content_type: &str, body: &str) -> Request<Body> {
    Request::post(uri)
        .header(CONTENT_TYPE, content_type)
        .body(Body::from(body.to_owned()))
        .unwrap()
}

fn post_json_bearer(uri: &str, token: &str, body: &Value) -> Request<Body> {
    Request::post(uri).bearer(token).json(body)
}

fn post_bearer(uri: &str, token: &str) -> Request<Body> {
    Request::post(uri).bearer(token).empty()
}

fn registration(username: &str, email: &str, password: &str) -> Value {
    json!({"username": username, "email": email, "password": password})
}

async fn login(app: &Router, username: &str, password: &str) -> Reply {
    send(app, post_json("/auth/login", &credentials(username, password))).await
}

async fn tokens(app: &Router, username: &str, password: &str) -> Tokens {
    tokens_of(&login(app, username, password).await)
}

async fn refresh(app: &Router, refresh_token: &str) -> Reply {
    send(
        app,
        post_json("/auth/refresh", &json!({"refresh_token": refresh_token})),
    )
    .await
}

async fn me(app: &Router, token: &str) -> Reply {
    send(app, bearer("/me", token)).await
}

fn get_with(uri: &str, header: &str, value: &str) -> Request<Body> {
    req(uri).header(header, value).empty()
}

/// A 400 `invalid_input` problem: no challenge, no cookie.
fn assert_invalid_input(r: &Reply) {
    expect_error(r, StatusCode::BAD_REQUEST, "invalid_input");
    assert!(r.challenges().is_empty(), "{:?}", r.challenges());
    assert!(r.headers.get(SET_COOKIE).is_none());
}

/// 401 without credentials on a Bearer-only route: `Bearer realm="api"`, no `error=`.
fn assert_bearer_required(r: &Reply) {
    expect_error(r, StatusCode::UNAUTHORIZED, "missing_credentials");
    assert_eq!(r.challenges(), ["Bearer realm=\"api\""]);
}

/// A JSON token pair as RFC 6749 §5.1 and DESIGN §5 describe it.
fn assert_token_pair(r: &Reply) {
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.headers[CONTENT_TYPE], "application/json");
    let body = r.body.as_object().expect("an object");
    let mut keys: Vec<&str> = body.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["access_token", "expires_in", "refresh_token", "token_type"]
    );
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    let access = body["access_token"].as_str().unwrap();
    assert_eq!(access.split('.').count(), 3, "a JWT: {access}");
    let refresh = body["refresh_token"].as_str().unwrap();
    assert_eq!(
        refresh.len(),
        96,
        "family, generation and 256 random bits, base64url: {refresh}"
    );
    assert!(
        refresh
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    );
}

fn me_body(id: i64, username: &str, roles: &[&str], scheme: &str) -> Value {
    json!({"id": id, "username": username, "roles": roles, "scopes": [], "scheme": scheme})
}

// Sessions.

struct Session {
    /// `name=value`, as the browser sends it back.
    cookie: String,
    csrf: String,
}

async fn session_login(app: &Router, username: &str, password: &str) -> (Reply, Session) {
    let r = send(app, post_json("/session/login", &credentials(username, password))).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let set_cookie = r.headers[SET_COOKIE].to_str().unwrap().to_owned();
    let session = Session {
        cookie: set_cookie.split(';').next().unwrap().to_owned(),
        csrf: r.body["csrf_token"].as_str().expect("csrf_token").to_owned(),
    };
    (r, session)
}

async fn rename(app: &Router, token: &str, id: &str, username: &str) -> Reply {
    send(
        app,
        post_json_bearer(
            &format!("/users/{id}/change_username"),
            token,
            &json!({"username": username}),
        ),
    )
    .await
}

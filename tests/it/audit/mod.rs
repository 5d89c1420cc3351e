//! Audit events (`portcullis::audit`) over HTTP: every path of the auth router and of a
//! route per scheme, driven from a client address with an `X-Request-Id`, writes its
//! event once with the promised name, level and fields — and nothing `tracing` receives
//! (any target, any level, any field, the printed log) contains a secret the test used.
//!
//! Each test captures this thread's `tracing` output ([`capture`]) on a current-thread
//! runtime, so tests running in parallel do not see each other's events.

mod capture;
mod passwords;
mod router;
mod schemes;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRef, Path, State};
use axum::http::request::Parts;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use http::header::SET_COOKIE;
use http::{Request, StatusCode};
use portcullis::{
    ApiKeyConfig, AuthRouter, EmailStatus, InMemoryUserStore, Mailer, NewAccount, Portcullis, Registrar,
    Rename, SessionConfig, StoreError, UserStore, async_trait, auth,
};

use crate::support::issued_tokens;
use serde_json::{Value, json};
use tracing::Level;

use crate::support::{Reply, SECRET, User, send};

const ALICE_PASSWORD: &str = "alice-audit-password-1";
const BOB_PASSWORD: &str = "bob-audit-password-1";
const MALLORY_PASSWORD: &str = "mallory-audit-password-1";
/// Bob's API key (the store keeps only its SHA-256).
const BOB_KEY: &str = "pk_bob_audit_0123456789abcdef";

const DEBUG: Level = Level::DEBUG;
const INFO: Level = Level::INFO;
const WARN: Level = Level::WARN;

/// The client every request comes from, unless a test says otherwise.
const CLIENT: &str = "203.0.113.9";
/// A reverse proxy the gate trusts.
const PROXY: &str = "10.0.0.2";

fn hash_of(password: &'static str) -> String {
    static HASHES: OnceLock<Mutex<HashMap<&'static str, String>>> = OnceLock::new();
    let hashes = HASHES.get_or_init(Mutex::default);
    let mut hashes = hashes.lock().unwrap();
    hashes
        .entry(password)
        .or_insert_with(|| portcullis::hash_password(password).unwrap())
        .clone()
}

/// alice (1, admin), bob (2, user, with [`BOB_KEY`]), mallory (3, inactive).
fn users() -> InMemoryUserStore<User> {
    let store = InMemoryUserStore::new();
    for (id, name, roles, password, active) in [
        (1, "alice", "admin", ALICE_PASSWORD, true),
        (2, "bob", "user", BOB_PASSWORD, true),
        (3, "mallory", "user", MALLORY_PASSWORD, false),
    ] {
        store.insert(User {
            id,
            username: name.into(),
            roles: roles.into(),
            password_hash: Some(hash_of(password)),
            active,
        });
    }
    store.add_api_key(&2, BOB_KEY);
    for id in 1..=3 {
        store.set_email(&id, &format!("user{id}@example.com"));
    }
    store
}

/// The application's accounts over the same users, and the mails it sent.
#[derive(Clone)]
struct Accounts {
    users: InMemoryUserStore<User>,
    confirmed: Arc<Mutex<HashMap<i64, bool>>>,
    next_id: Arc<AtomicI64>,
    mails: Arc<Mutex<Vec<String>>>,
}

#[async_trait]
impl Registrar<User> for Accounts {
    async fn register(&self, account: &NewAccount) -> Result<Option<User>, StoreError> {
        if self.users.find_by_username(&account.username).await?.is_some() {
            return Ok(None);
        }
        let user = User {
            id: self.next_id.fetch_add(1, Ordering::SeqCst),
            username: account.username.clone(),
            roles: "user".into(),
            password_hash: Some(account.password_hash.clone()),
            active: true,
        };
        self.users.insert(user.clone());
        Ok(Some(user))
    }

    async fn rename(&self, id: &i64, username: &str) -> Result<Rename<User>, StoreError> {
        if self.users.find_by_username(username).await?.is_some() {
            return Ok(Rename::Taken);
        }
        let Some(mut user) = self.users.find_by_id(id).await? else {
            return Ok(Rename::NotFound);
        };
        user.username = username.into();
        self.users.insert(user.clone());
        Ok(Rename::Renamed(user))
    }

    async fn email(&self, id: &i64) -> Result<Option<EmailStatus>, StoreError> {
        let confirmed = self.confirmed.lock().unwrap().get(id).copied().unwrap_or(false);
        Ok(Some(EmailStatus {
            email: format!("user{id}@example.com"),
            confirmed,
        }))
    }

    async fn confirm_email(&self, id: &i64) -> Result<(), StoreError> {
        self.confirmed.lock().unwrap().insert(*id, true);
        Ok(())
    }

    async fn set_active(&self, id: &i64, active: bool) -> Result<bool, StoreError> {
        let Some(mut user) = self.users.find_by_id(id).await? else {
            return Ok(false);
        };
        user.active = active;
        self.users.insert(user);
        Ok(true)
    }

    async fn set_password_hash(&self, id: &i64, hash: &str) -> Result<(), StoreError> {
        if let Some(mut user) = self.users.find_by_id(id).await? {
            user.password_hash = Some(hash.to_owned());
            self.users.insert(user);
        }
        Ok(())
    }
}

#[async_trait]
impl Mailer for Accounts {
    async fn send(&self, _to: &str, _subject: &str, body: &str) -> Result<(), StoreError> {
        self.mails.lock().unwrap().push(body.to_owned());
        Ok(())
    }
}

#[derive(Clone, FromRef)]
struct AppState {
    auth: Portcullis<User>,
    users: InMemoryUserStore<User>,
}

#[auth(jwt)]
async fn jwt_only(user: User) -> String {
    user.id.to_string()
}

#[auth(api_key)]
async fn api_key_only(user: User) -> String {
    user.id.to_string()
}

#[auth(basic)]
async fn basic_only(user: User) -> String {
    user.id.to_string()
}

#[auth(session)]
async fn session_only(user: User) -> String {
    user.id.to_string()
}

/// The application creates API keys; it reports them through the public audit API.
#[auth(jwt)]
async fn create_api_key(
    user: User,
    State(users): State<InMemoryUserStore<User>>,
    parts: Parts,
) -> Json<Value> {
    let generated = portcullis::generate_api_key("pk_audit_").unwrap();
    users.add_api_key(&user.id, generated.key());
    let key_id = 77;
    portcullis::audit::api_key_created(&user.id, &key_id, &parts);
    Json(json!({ "id": key_id, "key": generated.into_key() }))
}

#[auth(jwt)]
async fn delete_api_key(user: User, Path(key_id): Path<i64>, parts: Parts) -> StatusCode {
    portcullis::audit::api_key_deleted(&user.id, &key_id, &parts);
    StatusCode::NO_CONTENT
}

struct World {
    app: Router,
    auth: Portcullis<User>,
    accounts: Accounts,
}

fn world() -> World {
    let users = users();
    let auth = Portcullis::builder(users.clone())
        .tokens(issued_tokens())
        .api_key(ApiKeyConfig::new())
        .sessions(SessionConfig::new().development(true))
        .trusted_proxies(["10.0.0.0/8"])
        .reveal_inactive_accounts(true)
        .build()
        .expect("valid test configuration");
    let accounts = Accounts {
        users: users.clone(),
        confirmed: Arc::default(),
        next_id: Arc::new(AtomicI64::new(10)),
        mails: Arc::default(),
    };
    let app = Router::new()
        .merge(AuthRouter::new(accounts.clone(), accounts.clone()).routes())
        .route("/jwt", get(jwt_only))
        .route("/api-key", get(api_key_only))
        .route("/basic", get(basic_only))
        .route("/session", get(session_only).post(session_only))
        .route("/api-keys", post(create_api_key))
        .route("/api-keys/{id}", delete(delete_api_key))
        .with_state(AppState {
            auth: auth.clone(),
            users,
        });
    World { app, auth, accounts }
}

/// `request` as the server sees it from `peer` (axum's `ConnectInfo`) with `X-Request-Id: id`.
fn from(peer: &str, id: &str, mut request: Request<Body>) -> Request<Body> {
    let peer = SocketAddr::new(peer.parse().unwrap(), 50_000);
    request.extensions_mut().insert(ConnectInfo(peer));
    request.headers_mut().insert("x-request-id", id.parse().unwrap());
    request
}

/// Sends `request` from [`CLIENT`] with the request id `id`.
async fn call(w: &World, id: &str, request: Request<Body>) -> Reply {
    send(&w.app, from(CLIENT, id, request)).await
}

fn post_json(uri: &str, body: &Value) -> Request<Body> {
    Request::post(uri)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn get_with(uri: &str, header: &str, value: &str) -> Request<Body> {
    Request::get(uri)
        .header(header, value)
        .body(Body::empty())
        .unwrap()
}

fn credentials(username: &str, password: &str) -> Value {
    json!({ "username": username, "password": password })
}

/// The access and refresh token of a 200 token-pair answer.
fn pair(r: &Reply) -> (String, String) {
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let text = |name: &str| r.body[name].as_str().unwrap().to_owned();
    (text("access_token"), text("refresh_token"))
}

/// `name=value` of the session cookie, and the CSRF token, of a session login.
fn session_of(r: &Reply) -> (String, String) {
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let set_cookie = r.headers[SET_COOKIE].to_str().unwrap();
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    (cookie, r.body["csrf_token"].as_str().unwrap().to_owned())
}

/// The value of a `name=value` cookie.
fn cookie_value(cookie: &str) -> String {
    cookie.split_once('=').unwrap().1.to_owned()
}

/// The HMAC secret as text, for the search.
fn hmac_secret() -> &'static str {
    std::str::from_utf8(SECRET).unwrap()
}

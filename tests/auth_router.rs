//! `AuthRouter` over HTTP (axum `Router` + `oneshot`), against the reference contract of
//! DESIGN.md §5: every route of the ready auth router (register, login with throttling,
//! refresh rotation and reuse detection, logout, session login and logout with CSRF, `/me`
//! under each scheme, e-mail confirmation with its mailed single-use link, and username
//! changes by the owner or an admin), with their status codes, headers and JSON bodies,
//! over an in-memory application `Registrar` + `UserStore` sharing one table and a
//! capturing `Mailer`.

mod support;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::FromRef;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::header::{CONTENT_TYPE, RETRY_AFTER, SET_COOKIE, WWW_AUTHENTICATE};
use http::{Request, StatusCode};
use portcullis::{
    Algorithm, ApiKeyHash, AuthRouter, AuthUser, EmailStatus, InMemorySessionStore, JwtConfig, JwtKey,
    Mailer, NewAccount, Portcullis, PortcullisBuilder, Registrar, Rename, SecretHash, SessionConfig,
    SessionRecord, SessionStore, StoreError, TokenConfig, UserStore, async_trait, hash_api_key,
};
use serde_json::{Value, json};
use support::{AUDIENCE, ISSUER, Reply, SECRET, bearer, req, send};

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
}

#[derive(Default)]
struct Table {
    users: Vec<Member>,
    api_keys: Vec<(ApiKeyHash, i64)>,
    /// When set, every store and registrar call fails (the database is down).
    down: bool,
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
        let table = self.table();
        if table.down {
            return Err(StoreError::new("database down"));
        }
        Ok(table)
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
}

#[derive(Debug, Clone, PartialEq)]
struct Mail {
    to: String,
    subject: String,
    body: String,
}

/// Keeps every message sent; fails while `fail` is set.
#[derive(Clone, Default)]
struct Outbox {
    sent: Arc<Mutex<Vec<Mail>>>,
    fail: Arc<AtomicBool>,
}

impl Outbox {
    fn mails(&self) -> Vec<Mail> {
        self.sent.lock().unwrap().clone()
    }
}

#[async_trait]
impl Mailer for Outbox {
    async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), StoreError> {
        if self.fail.load(Ordering::SeqCst) {
            return Err(StoreError::new("smtp down"));
        }
        self.sent.lock().unwrap().push(Mail {
            to: to.into(),
            subject: subject.into(),
            body: body.into(),
        });
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
            });
        }
        table.api_keys.push((hash_api_key(BOB_KEY), 2));
    }
    db
}

struct World {
    app: Router,
    db: Db,
    outbox: Outbox,
}

fn builder(db: &Db) -> PortcullisBuilder<Member> {
    Portcullis::builder(db.clone())
        .jwt(
            JwtConfig::new()
                .key(JwtKey::hmac(SECRET, Algorithm::HS256))
                .issuer(ISSUER)
                .audience(AUDIENCE),
        )
        .tokens(
            TokenConfig::hmac(SECRET, Algorithm::HS256)
                .issuer(ISSUER)
                .audience(AUDIENCE),
        )
        .sessions(SessionConfig::new().development(true))
}

fn world_with(
    configure: impl FnOnce(AuthRouter<Member>) -> AuthRouter<Member>,
    build: impl FnOnce(PortcullisBuilder<Member>) -> PortcullisBuilder<Member>,
) -> World {
    let db = seeded();
    let outbox = Outbox::default();
    let auth = build(builder(&db)).build().expect("valid test configuration");
    let router = configure(AuthRouter::new(db.clone(), outbox.clone()));
    let app = Router::new().merge(router.routes()).with_state(AppState { auth });
    World { app, db, outbox }
}

fn world() -> World {
    world_with(|r| r, |b| b)
}

// ---------------------------------------------------------------------------------------------
// Requests and assertions
// ---------------------------------------------------------------------------------------------

fn post(uri: &str) -> http::request::Builder {
    Request::post(uri)
}

fn post_json(uri: &str, body: &Value) -> Request<Body> {
    post(uri)
        .header(CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn post_raw(uri: &str, content_type: &str, body: &str) -> Request<Body> {
    post(uri)
        .header(CONTENT_TYPE, content_type)
        .body(Body::from(body.to_owned()))
        .unwrap()
}

fn post_json_bearer(uri: &str, token: &str, body: &Value) -> Request<Body> {
    post(uri)
        .header(CONTENT_TYPE, "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn post_bearer(uri: &str, token: &str) -> Request<Body> {
    post(uri)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap()
}

fn credentials(username: &str, password: &str) -> Value {
    json!({"username": username, "password": password})
}

fn registration(username: &str, email: &str, password: &str) -> Value {
    json!({"username": username, "email": email, "password": password})
}

async fn login(app: &Router, username: &str, password: &str) -> Reply {
    send(app, post_json("/auth/login", &credentials(username, password))).await
}

struct Tokens {
    access: String,
    refresh: String,
}

fn tokens_of(r: &Reply) -> Tokens {
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    Tokens {
        access: r.body["access_token"].as_str().expect("access_token").to_owned(),
        refresh: r.body["refresh_token"]
            .as_str()
            .expect("refresh_token")
            .to_owned(),
    }
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

fn basic(username: &str, password: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{username}:{password}")))
}

fn get_with(uri: &str, header: &str, value: &str) -> Request<Body> {
    req(uri).header(header, value).body(Body::empty()).unwrap()
}

/// An error body `{"error": code, "message": <non-empty>}` with this status.
fn assert_error(r: &Reply, status: StatusCode, code: &str) {
    assert_eq!(r.status, status, "{:?}", r.body);
    assert_eq!(r.body["error"], code, "{:?}", r.body);
    assert!(
        r.body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{:?}",
        r.body
    );
    assert_eq!(r.body.as_object().map(|o| o.len()), Some(2), "{:?}", r.body);
    assert_eq!(r.headers[CONTENT_TYPE], "application/json", "{:?}", r.headers);
}

/// A 400 `invalid_input` problem: no challenge, no cookie.
fn assert_invalid_input(r: &Reply) {
    assert_error(r, StatusCode::BAD_REQUEST, "invalid_input");
    assert!(r.challenges().is_empty(), "{:?}", r.challenges());
    assert!(r.headers.get(SET_COOKIE).is_none());
}

/// 401 `invalid_token` on a Bearer-only route: the one challenge names the error.
fn assert_invalid_bearer(r: &Reply) {
    assert_error(r, StatusCode::UNAUTHORIZED, "invalid_token");
    let challenges = r.challenges();
    assert_eq!(challenges.len(), 1, "{challenges:?}");
    assert!(
        challenges[0].starts_with("Bearer realm=\"api\", error=\"invalid_token\", error_description="),
        "{challenges:?}"
    );
}

/// 401 `invalid_token` on `/me` (four schemes): the Bearer challenge names the error, the
/// others are plain.
fn assert_revoked_on_me(r: &Reply) {
    assert_error(r, StatusCode::UNAUTHORIZED, "invalid_token");
    assert_eq!(
        r.challenges(),
        [
            "Bearer realm=\"api\", error=\"invalid_token\", error_description=\"the token has been revoked\"",
            "ApiKey realm=\"api\", header=\"X-API-Key\"",
            "Session realm=\"api\"",
            "Basic realm=\"api\", charset=\"UTF-8\"",
        ]
    );
}

/// 401 without credentials on a Bearer-only route: `Bearer realm="api"`, no `error=`.
fn assert_bearer_required(r: &Reply) {
    assert_error(r, StatusCode::UNAUTHORIZED, "missing_credentials");
    assert_eq!(r.challenges(), ["Bearer realm=\"api\""]);
}

/// A 429 whose `Retry-After` is whole seconds in `1..=max`; returns it.
fn assert_throttled(r: &Reply, max: u64) -> u64 {
    assert_error(r, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    let value = r.headers.get(RETRY_AFTER).expect("429 carries Retry-After");
    let seconds: u64 = value.to_str().unwrap().parse().expect("Retry-After in seconds");
    assert!(
        (1..=max).contains(&seconds),
        "Retry-After {seconds} not in 1..={max}"
    );
    assert!(r.challenges().is_empty(), "{:?}", r.challenges());
    seconds
}

fn assert_unavailable(r: &Reply) {
    assert_error(r, StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable");
    assert_eq!(r.headers[RETRY_AFTER], "1");
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
    assert_eq!(refresh.len(), 43, "256 random bits, base64url: {refresh}");
    assert!(
        refresh
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    );
}

fn me_body(id: i64, username: &str, roles: &[&str], scheme: &str) -> Value {
    json!({"id": id, "username": username, "roles": roles, "scheme": scheme})
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

fn attributes(set_cookie: &str) -> Vec<String> {
    set_cookie
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_owned())
        .collect()
}

// E-mail confirmation.

/// The confirmation token of the link in `mail` (the link is `<prefix><token>`).
fn link_token(mail: &Mail, prefix: &str) -> String {
    let link = mail
        .body
        .split_whitespace()
        .find(|word| word.starts_with(prefix))
        .unwrap_or_else(|| panic!("no link starting with {prefix:?} in {:?}", mail.body));
    link[prefix.len()..].to_owned()
}

async fn confirm(app: &Router, token: &str) -> Reply {
    send(
        app,
        post(&format!("/auth/confirm/{token}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await
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

// ---------------------------------------------------------------------------------------------
// POST /auth/register
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn register_creates_the_account_and_its_password_logs_in() {
    let w = world();
    let r = send(
        &w.app,
        post_json(
            "/auth/register",
            &registration("dave", "dave@example.com", "twelve-chars"),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.headers[CONTENT_TYPE], "application/json");
    assert_eq!(r.body, json!({"id": 4, "username": "dave"}));

    // The registrar got an argon2id hash, never the password.
    let dave = w.db.user(4).expect("dave was stored");
    assert_eq!(dave.email, "dave@example.com");
    assert!(!dave.confirmed);
    let hash = dave.password_hash.as_deref().unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains("twelve-chars"));

    // The new password logs in (exactly 12 characters: the minimum is accepted).
    let r = login(&w.app, "dave", "twelve-chars").await;
    assert_token_pair(&r);
    let t = tokens_of(&r);
    let r = me(&w.app, &t.access).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body, me_body(4, "dave", &["user"], "jwt"));
    // A wrong one does not.
    assert_error(
        &login(&w.app, "dave", "twelve-charz").await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    );
}

#[tokio::test]
async fn register_refuses_invalid_input_with_400_before_reaching_the_registrar() {
    let w = world();
    let long_password = "x".repeat(1025);
    let long_name = "n".repeat(33);
    let invalid = [
        // Passwords: 12 to 1024 characters.
        registration("dave", "dave@example.com", "short-pw-11"),
        registration("dave", "dave@example.com", ""),
        registration("dave", "dave@example.com", &long_password),
        // E-mail addresses.
        registration("dave", "not-an-email", "dave-password"),
        registration("dave", "dave@localhost", "dave-password"),
        registration("dave", "@example.com", "dave-password"),
        registration("dave", "dave@example..com", "dave-password"),
        registration("dave", "da ve@example.com", "dave-password"),
        registration("dave", "dave@a@example.com", "dave-password"),
        registration("dave", "", "dave-password"),
        // User names: 3 to 32 of letters, digits, '_', '.', '-'.
        registration("da", "dave@example.com", "dave-password"),
        registration(&long_name, "dave@example.com", "dave-password"),
        registration("da ve", "dave@example.com", "dave-password"),
        registration("dave:x", "dave@example.com", "dave-password"),
        registration("dävé", "dave@example.com", "dave-password"),
        registration("", "dave@example.com", "dave-password"),
        // Missing fields and wrong types.
        json!({"username": "dave", "email": "dave@example.com"}),
        json!({"username": "dave", "password": "dave-password"}),
        json!({"email": "dave@example.com", "password": "dave-password"}),
        json!({"username": 4, "email": "dave@example.com", "password": "dave-password"}),
        json!(null),
    ];
    for body in &invalid {
        let r = send(&w.app, post_json("/auth/register", body)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {:?}", r.body);
        assert_invalid_input(&r);
    }
    // Malformed JSON, an empty body, another content type.
    for (content_type, body) in [
        ("application/json", "{\"username\": \"dave\","),
        ("application/json", ""),
        ("application/json", "not json"),
        (
            "text/plain",
            "{\"username\":\"dave\",\"email\":\"dave@example.com\",\"password\":\"dave-password\"}",
        ),
    ] {
        let r = send(&w.app, post_raw("/auth/register", content_type, body)).await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "{content_type} {body:?}: {:?}",
            r.body
        );
        assert_invalid_input(&r);
    }
    // The messages say what was wrong.
    let r = send(
        &w.app,
        post_json(
            "/auth/register",
            &registration("dave", "dave@example.com", "short-pw-11"),
        ),
    )
    .await;
    assert!(r.body["message"].as_str().unwrap().contains("12"), "{:?}", r.body);
    let r = send(
        &w.app,
        post_json("/auth/register", &registration("dave", "nope", "dave-password")),
    )
    .await;
    assert!(
        r.body["message"].as_str().unwrap().contains("e-mail"),
        "{:?}",
        r.body
    );

    assert_eq!(w.db.table().register_calls, 0);
    assert_eq!(w.db.table().users.len(), 3);
    assert_error(
        &login(&w.app, "dave", "dave-password").await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    );
}

#[tokio::test]
async fn register_answers_409_when_the_name_or_the_address_is_taken() {
    let w = world();
    for body in [
        registration("bob", "new-bob@example.com", "another-password"),
        registration("bobby", "bob@example.com", "another-password"),
    ] {
        let r = send(&w.app, post_json("/auth/register", &body)).await;
        assert_error(&r, StatusCode::CONFLICT, "conflict");
        assert!(r.challenges().is_empty());
    }
    assert_eq!(w.db.table().users.len(), 3);
    // Bob's password is unchanged.
    assert_token_pair(&login(&w.app, "bob", BOB_PASSWORD).await);

    // Registering twice: the second one conflicts.
    let dave = registration("dave", "dave@example.com", "dave-password");
    let r = send(&w.app, post_json("/auth/register", &dave)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let r = send(&w.app, post_json("/auth/register", &dave)).await;
    assert_error(&r, StatusCode::CONFLICT, "conflict");
}

#[tokio::test]
async fn register_answers_503_when_the_registrar_fails() {
    let w = world();
    w.db.table().down = true;
    let r = send(
        &w.app,
        post_json(
            "/auth/register",
            &registration("dave", "dave@example.com", "dave-password"),
        ),
    )
    .await;
    assert_unavailable(&r);
    w.db.table().down = false;
    assert!(w.db.table().users.iter().all(|u| u.name != "dave"));
}

// ---------------------------------------------------------------------------------------------
// POST /auth/login
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn login_issues_a_token_pair_for_the_user() {
    let w = world();
    let r = login(&w.app, "alice", ALICE_PASSWORD).await;
    assert_token_pair(&r);
    assert!(r.headers.get(SET_COOKIE).is_none());
    let t = tokens_of(&r);
    let r = me(&w.app, &t.access).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body, me_body(1, "alice", &["admin"], "jwt"));

    // Every login starts a new family: different tokens.
    let again = tokens(&w.app, "alice", ALICE_PASSWORD).await;
    assert_ne!(again.access, t.access);
    assert_ne!(again.refresh, t.refresh);
}

#[tokio::test]
async fn login_answers_the_same_401_for_unknown_users_and_wrong_passwords() {
    let w = world();
    let unknown = login(&w.app, "nobody", ALICE_PASSWORD).await;
    let wrong = login(&w.app, "alice", "alice-password-2").await;
    for r in [&unknown, &wrong] {
        assert_error(r, StatusCode::UNAUTHORIZED, "invalid_credentials");
        assert!(r.headers.get(SET_COOKIE).is_none());
        assert!(r.body.get("access_token").is_none());
    }
    assert_eq!(unknown.body, wrong.body);
    assert_eq!(unknown.headers, wrong.headers);

    // Malformed requests are 400, not 401.
    for body in [
        json!({"username": "alice"}),
        json!({"password": ALICE_PASSWORD}),
        json!("alice"),
    ] {
        assert_invalid_input(&send(&w.app, post_json("/auth/login", &body)).await);
    }
    assert_invalid_input(&send(&w.app, post_raw("/auth/login", "application/json", "{")).await);
}

#[tokio::test]
async fn login_is_throttled_from_the_sixth_attempt_even_with_the_right_password() {
    let w = world();
    for attempt in 1..=5 {
        let r = login(&w.app, "alice", "wrong-password-x").await;
        assert_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
        assert!(r.headers.get(RETRY_AFTER).is_none(), "attempt {attempt}");
    }
    let r = login(&w.app, "alice", ALICE_PASSWORD).await;
    assert_throttled(&r, 15 * 60);
    assert!(r.body.get("access_token").is_none());
    let r = login(&w.app, "alice", "wrong-password-x").await;
    assert_throttled(&r, 15 * 60);
    // The session login shares the counter.
    let r = send(
        &w.app,
        post_json("/session/login", &credentials("alice", ALICE_PASSWORD)),
    )
    .await;
    assert_throttled(&r, 15 * 60);
    assert!(r.headers.get(SET_COOKIE).is_none());

    // Counted per user name: bob is not affected.
    assert_token_pair(&login(&w.app, "bob", BOB_PASSWORD).await);
}

#[tokio::test]
async fn successful_logins_do_not_count_towards_the_limit() {
    let w = world();
    for _ in 0..4 {
        assert_error(
            &login(&w.app, "bob", "wrong-password-x").await,
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
        );
    }
    for _ in 0..3 {
        assert_token_pair(&login(&w.app, "bob", BOB_PASSWORD).await);
    }
    // The fifth failure is still a 401; the sixth attempt is throttled.
    assert_error(
        &login(&w.app, "bob", "wrong-password-x").await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    );
    assert_throttled(&login(&w.app, "bob", BOB_PASSWORD).await, 15 * 60);
}

#[tokio::test]
async fn a_failing_user_store_answers_503_and_spends_nothing() {
    let w = world();
    let t = tokens(&w.app, "bob", BOB_PASSWORD).await;
    w.db.table().down = true;
    assert_unavailable(&login(&w.app, "bob", BOB_PASSWORD).await);
    assert_unavailable(
        &send(
            &w.app,
            post_json("/session/login", &credentials("bob", BOB_PASSWORD)),
        )
        .await,
    );
    assert_unavailable(&refresh(&w.app, &t.refresh).await);
    assert_unavailable(&me(&w.app, &t.access).await);
    assert_unavailable(&rename(&w.app, &t.access, "2", "robert").await);
    w.db.table().down = false;
    // The refresh token was not spent by the failed attempt (its retry is no reuse).
    assert_token_pair(&refresh(&w.app, &t.refresh).await);
    assert_eq!(w.db.user(2).unwrap().name, "bob");
}

// ---------------------------------------------------------------------------------------------
// POST /auth/refresh
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn refresh_rotates_the_pair() {
    let w = world();
    let first = tokens(&w.app, "bob", BOB_PASSWORD).await;
    let r = refresh(&w.app, &first.refresh).await;
    assert_token_pair(&r);
    let second = tokens_of(&r);
    assert_ne!(second.refresh, first.refresh);
    assert_ne!(second.access, first.access);
    let r = me(&w.app, &second.access).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body, me_body(2, "bob", &["user"], "jwt"));
    // The rotated token rotates again.
    let third = tokens_of(&refresh(&w.app, &second.refresh).await);
    assert_eq!(me(&w.app, &third.access).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_reused_refresh_token_is_refused_and_revokes_its_family() {
    let w = world();
    let first = tokens(&w.app, "bob", BOB_PASSWORD).await;
    let second = tokens_of(&refresh(&w.app, &first.refresh).await);

    let r = refresh(&w.app, &first.refresh).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "invalid_token");
    // The family is revoked: the current token of the family is refused too.
    assert_error(
        &refresh(&w.app, &second.refresh).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    );
    // Another family of the same user is not affected.
    let other = tokens(&w.app, "bob", BOB_PASSWORD).await;
    assert_token_pair(&refresh(&w.app, &other.refresh).await);
}

#[tokio::test]
async fn refresh_refuses_access_tokens_unknown_tokens_and_bad_input() {
    let w = world();
    let t = tokens(&w.app, "bob", BOB_PASSWORD).await;
    // An access token is not a refresh token.
    let r = refresh(&w.app, &t.access).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "invalid_token");
    assert!(r.body.get("access_token").is_none());
    // Unknown tokens, of the right shape or not.
    let unknown = "A".repeat(43);
    for token in [unknown.as_str(), "", "short"] {
        assert_error(
            &refresh(&w.app, token).await,
            StatusCode::UNAUTHORIZED,
            "invalid_token",
        );
    }
    // Nothing above spent the real one.
    assert_token_pair(&refresh(&w.app, &t.refresh).await);
    // Malformed bodies.
    assert_invalid_input(&send(&w.app, post_json("/auth/refresh", &json!({}))).await);
    assert_invalid_input(&send(&w.app, post_json("/auth/refresh", &json!({"refresh_token": 1}))).await);
    assert_invalid_input(&send(&w.app, post_raw("/auth/refresh", "application/json", "{]")).await);
}

// ---------------------------------------------------------------------------------------------
// POST /auth/logout
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn logout_revokes_the_refresh_family_and_the_access_token() {
    let w = world();
    let t = tokens(&w.app, "bob", BOB_PASSWORD).await;
    let other = tokens(&w.app, "bob", BOB_PASSWORD).await;
    let r = send(
        &w.app,
        post_json_bearer("/auth/logout", &t.access, &json!({"refresh_token": t.refresh})),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    assert_eq!(r.body, Value::Null);

    assert_error(
        &refresh(&w.app, &t.refresh).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    );
    assert_revoked_on_me(&me(&w.app, &t.access).await);
    // A second logout with the revoked access token is refused.
    let r = send(
        &w.app,
        post_json_bearer("/auth/logout", &t.access, &json!({"refresh_token": t.refresh})),
    )
    .await;
    assert_invalid_bearer(&r);
    // Bob's other login is untouched.
    assert_eq!(me(&w.app, &other.access).await.status, StatusCode::OK);
    assert_token_pair(&refresh(&w.app, &other.refresh).await);
}

#[tokio::test]
async fn logout_needs_a_bearer_token_and_a_json_body() {
    let w = world();
    let t = tokens(&w.app, "bob", BOB_PASSWORD).await;
    let r = send(
        &w.app,
        post_json("/auth/logout", &json!({"refresh_token": t.refresh})),
    )
    .await;
    assert_bearer_required(&r);
    // Basic credentials are not accepted here.
    let r = send(
        &w.app,
        post("/auth/logout")
            .header(CONTENT_TYPE, "application/json")
            .header("authorization", basic("bob", BOB_PASSWORD))
            .body(Body::from(json!({"refresh_token": t.refresh}).to_string()))
            .unwrap(),
    )
    .await;
    assert_bearer_required(&r);
    // Nothing was revoked.
    assert_token_pair(&refresh(&w.app, &t.refresh).await);

    // Authenticated but a malformed body: 400, and the access token still works.
    let t = tokens(&w.app, "bob", BOB_PASSWORD).await;
    let r = send(
        &w.app,
        post("/auth/logout")
            .header(CONTENT_TYPE, "application/json")
            .header("authorization", format!("Bearer {}", t.access))
            .body(Body::from("{"))
            .unwrap(),
    )
    .await;
    assert_invalid_input(&r);
    assert_eq!(me(&w.app, &t.access).await.status, StatusCode::OK);

    // Without a refresh token, only the access token is revoked.
    let r = send(&w.app, post_json_bearer("/auth/logout", &t.access, &json!({}))).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    assert_revoked_on_me(&me(&w.app, &t.access).await);
    assert_token_pair(&refresh(&w.app, &t.refresh).await);
}

// ---------------------------------------------------------------------------------------------
// POST /session/login, POST /session/logout
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn session_login_sets_the_development_cookie_and_returns_the_csrf_token() {
    let w = world();
    let (r, session) = session_login(&w.app, "bob", BOB_PASSWORD).await;
    assert_eq!(r.headers[CONTENT_TYPE], "application/json");
    let body = r.body.as_object().unwrap();
    assert_eq!(body.keys().collect::<Vec<_>>(), ["csrf_token"]);
    assert_eq!(session.csrf.len(), 43, "{}", session.csrf);

    let set_cookies: Vec<_> = r.headers.get_all(SET_COOKIE).iter().collect();
    assert_eq!(set_cookies.len(), 1);
    let set_cookie = set_cookies[0].to_str().unwrap();
    let (name, value) = session.cookie.split_once('=').unwrap();
    assert_eq!(name, "portcullis_session", "{set_cookie}");
    assert_eq!(value.len(), 43, "{set_cookie}");
    assert_ne!(value, session.csrf);
    let attributes = attributes(set_cookie);
    for expected in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(
            attributes.iter().any(|a| a == expected),
            "{expected} missing: {set_cookie}"
        );
    }
    assert!(
        !attributes.iter().any(|a| a.eq_ignore_ascii_case("secure")),
        "{set_cookie}"
    );

    // The cookie authenticates `/me` (GET: no CSRF token needed).
    let r = send(&w.app, get_with("/me", "cookie", &session.cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body, me_body(2, "bob", &["user"], "session"));
}

#[tokio::test]
async fn session_login_failures_set_no_cookie() {
    let w = world();
    for (name, password) in [("bob", "wrong-password-x"), ("nobody", BOB_PASSWORD)] {
        let r = send(&w.app, post_json("/session/login", &credentials(name, password))).await;
        assert_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
        assert!(r.headers.get(SET_COOKIE).is_none());
    }
    assert_invalid_input(&send(&w.app, post_json("/session/login", &json!({"username": "bob"}))).await);
}

#[tokio::test]
async fn session_logout_needs_the_csrf_token_then_clears_the_cookie_and_ends_the_session() {
    let w = world();
    let (_, session) = session_login(&w.app, "bob", BOB_PASSWORD).await;

    // Without X-CSRF-Token, or with a wrong one: 403, and the session lives on.
    for csrf in [None, Some("wrong"), Some(&*"A".repeat(43))] {
        let mut request = post("/session/logout").header("cookie", &session.cookie);
        if let Some(csrf) = csrf {
            request = request.header("x-csrf-token", csrf);
        }
        let r = send(&w.app, request.body(Body::empty()).unwrap()).await;
        assert_error(&r, StatusCode::FORBIDDEN, "csrf_rejected");
        assert!(r.headers.get(SET_COOKIE).is_none());
    }
    assert_eq!(
        send(&w.app, get_with("/me", "cookie", &session.cookie))
            .await
            .status,
        StatusCode::OK
    );

    // With it: 204 and a cleared cookie.
    let r = send(
        &w.app,
        post("/session/logout")
            .header("cookie", &session.cookie)
            .header("x-csrf-token", &session.csrf)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    assert_eq!(r.body, Value::Null);
    let cleared = r.headers[SET_COOKIE].to_str().unwrap();
    assert!(cleared.starts_with("portcullis_session=;"), "{cleared}");
    let attributes = attributes(cleared);
    for expected in ["Max-Age=0", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(
            attributes.iter().any(|a| a == expected),
            "{expected} missing: {cleared}"
        );
    }

    // The old cookie no longer works, even if the browser kept it.
    let r = send(&w.app, get_with("/me", "cookie", &session.cookie)).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
    assert!(
        r.challenges()
            .contains(&"Session realm=\"api\", error=\"invalid_credentials\", error_description=\"the session has ended or does not exist\"".to_owned()),
        "{:?}",
        r.challenges()
    );
    let r = send(
        &w.app,
        post("/session/logout")
            .header("cookie", &session.cookie)
            .header("x-csrf-token", &session.csrf)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
}

#[tokio::test]
async fn session_logout_needs_a_session() {
    let w = world();
    let r = send(&w.app, post("/session/logout").body(Body::empty()).unwrap()).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "missing_credentials");
    assert_eq!(r.challenges(), ["Session realm=\"api\""]);
    // A bearer token is not a session.
    let t = tokens(&w.app, "bob", BOB_PASSWORD).await;
    let r = send(&w.app, post_bearer("/session/logout", &t.access)).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "missing_credentials");
    assert!(r.headers.get(SET_COOKIE).is_none());
}

// ---------------------------------------------------------------------------------------------
// GET /me
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn me_answers_for_each_of_the_four_schemes() {
    let w = world();
    let t = tokens(&w.app, "bob", BOB_PASSWORD).await;
    let (_, session) = session_login(&w.app, "bob", BOB_PASSWORD).await;
    let cases = [
        ("authorization", format!("Bearer {}", t.access), "jwt"),
        ("x-api-key", BOB_KEY.to_owned(), "api_key"),
        ("cookie", session.cookie.clone(), "session"),
        ("authorization", basic("bob", BOB_PASSWORD), "basic"),
    ];
    for (header, value, scheme) in &cases {
        let r = send(&w.app, get_with("/me", header, value)).await;
        assert_eq!(r.status, StatusCode::OK, "{scheme}: {:?}", r.body);
        assert_eq!(r.headers[CONTENT_TYPE], "application/json");
        assert!(r.headers.get(WWW_AUTHENTICATE).is_none());
        assert_eq!(r.body, me_body(2, "bob", &["user"], scheme), "{scheme}");
    }
    // The admin's roles come from the table.
    let r = send(
        &w.app,
        get_with("/me", "authorization", &basic("alice", ALICE_PASSWORD)),
    )
    .await;
    assert_eq!(r.body, me_body(1, "alice", &["admin"], "basic"));
}

#[tokio::test]
async fn me_without_credentials_answers_401_with_four_challenges() {
    let w = world();
    let r = send(&w.app, req("/me").body(Body::empty()).unwrap()).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "missing_credentials");
    assert_eq!(
        r.challenges(),
        [
            "Bearer realm=\"api\"",
            "ApiKey realm=\"api\", header=\"X-API-Key\"",
            "Session realm=\"api\"",
            "Basic realm=\"api\", charset=\"UTF-8\"",
        ]
    );
    let message = r.body["message"].as_str().unwrap();
    for scheme in ["jwt", "api_key", "session", "basic"] {
        assert!(message.contains(scheme), "{message}");
    }
}

#[tokio::test]
async fn me_refuses_wrong_credentials_of_each_scheme() {
    let w = world();
    let r = send(
        &w.app,
        get_with("/me", "x-api-key", "pk_unknown_0123456789abcdef"),
    )
    .await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
    assert!(
        r.challenges()
            .iter()
            .any(|c| c
                .starts_with("ApiKey realm=\"api\", header=\"X-API-Key\", error=\"invalid_credentials\""))
    );
    let r = send(
        &w.app,
        get_with("/me", "authorization", &basic("bob", "wrong-password-x")),
    )
    .await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
    let r = send(&w.app, get_with("/me", "authorization", "Bearer not.a.token")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{:?}", r.body);
    let r = send(
        &w.app,
        get_with("/me", "cookie", &format!("portcullis_session={}", "A".repeat(43))),
    )
    .await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
}

// ---------------------------------------------------------------------------------------------
// GET /auth/confirm, POST /auth/confirm, POST /auth/confirm/{token}
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn email_confirmation_from_request_to_confirmed() {
    let w = world();
    let t = tokens(&w.app, "bob", BOB_PASSWORD).await;

    let r = send(&w.app, bearer("/auth/confirm", &t.access)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body, json!({"email": "bob@example.com", "confirmed": false}));

    // Request: 202, one mail to the user's address with the link.
    let r = send(&w.app, post_bearer("/auth/confirm", &t.access)).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    let mails = w.outbox.mails();
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0].to, "bob@example.com");
    assert!(!mails[0].subject.is_empty());
    let token = link_token(&mails[0], "/auth/confirm/");
    assert_eq!(token.len(), 43, "{token}");
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    );
    // The mail is the only place the token appears.
    assert!(!r.body.to_string().contains(&token));

    // Asked again within 60 s: 429 + Retry-After, and no second mail.
    let r = send(&w.app, post_bearer("/auth/confirm", &t.access)).await;
    assert_throttled(&r, 60);
    assert_eq!(w.outbox.mails().len(), 1);

    // Confirm with the mailed token (no credentials needed).
    let r = confirm(&w.app, &token).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body, json!({"confirmed": true}));
    assert!(w.db.user(2).unwrap().confirmed);
    assert!(!w.db.user(1).unwrap().confirmed);

    // The link works once.
    let r = confirm(&w.app, &token).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    assert!(r.challenges().is_empty());
    assert_eq!(w.db.table().confirm_calls, 1);

    let r = send(&w.app, bearer("/auth/confirm", &t.access)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body, json!({"email": "bob@example.com", "confirmed": true}));

    // Confirmed: asking again is 400 (not 429), and no mail is sent.
    let r = send(&w.app, post_bearer("/auth/confirm", &t.access)).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "already_confirmed");
    assert_eq!(w.outbox.mails().len(), 1);
}

#[tokio::test]
async fn unknown_and_malformed_confirmation_tokens_are_403() {
    let w = world();
    let t = tokens(&w.app, "bob", BOB_PASSWORD).await;
    assert_eq!(
        send(&w.app, post_bearer("/auth/confirm", &t.access)).await.status,
        StatusCode::ACCEPTED
    );
    let token = link_token(&w.outbox.mails()[0], "/auth/confirm/");
    let mut altered = token.clone();
    altered.replace_range(0..1, if token.starts_with('A') { "B" } else { "A" });
    let too_long = format!("{token}A");
    for bad in [
        "A".repeat(43).as_str(),
        altered.as_str(),
        &token[..42],
        too_long.as_str(),
        "x",
        "%2e%2e",
    ] {
        let r = confirm(&w.app, bad).await;
        assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    }
    assert_eq!(w.db.table().confirm_calls, 0);
    assert!(!w.db.user(2).unwrap().confirmed);
    // None of that spent the real token.
    assert_eq!(confirm(&w.app, &token).await.status, StatusCode::OK);
}

#[tokio::test]
async fn confirmation_tokens_and_session_ids_are_not_interchangeable() {
    let w = world();
    let t = tokens(&w.app, "bob", BOB_PASSWORD).await;
    assert_eq!(
        send(&w.app, post_bearer("/auth/confirm", &t.access)).await.status,
        StatusCode::ACCEPTED
    );
    let token = link_token(&w.outbox.mails()[0], "/auth/confirm/");
    // The confirmation token (kept in the session store) is not a session id.
    let r = send(
        &w.app,
        get_with("/me", "cookie", &format!("portcullis_session={token}")),
    )
    .await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
    // A session id is not a confirmation token.
    let (_, session) = session_login(&w.app, "bob", BOB_PASSWORD).await;
    let id = session.cookie.split_once('=').unwrap().1;
    assert_error(&confirm(&w.app, id).await, StatusCode::FORBIDDEN, "forbidden");
    assert!(!w.db.user(2).unwrap().confirmed);
    // Both still work for their own purpose.
    assert_eq!(
        send(&w.app, get_with("/me", "cookie", &session.cookie))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(confirm(&w.app, &token).await.status, StatusCode::OK);
}

#[tokio::test]
async fn confirmation_status_and_request_need_a_bearer_token() {
    let w = world();
    let (_, session) = session_login(&w.app, "bob", BOB_PASSWORD).await;
    let r = send(&w.app, req("/auth/confirm").body(Body::empty()).unwrap()).await;
    assert_bearer_required(&r);
    let r = send(&w.app, post("/auth/confirm").body(Body::empty()).unwrap()).await;
    assert_bearer_required(&r);
    // Session, API key and Basic are not accepted here.
    let r = send(
        &w.app,
        post("/auth/confirm")
            .header("cookie", &session.cookie)
            .header("x-csrf-token", &session.csrf)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_bearer_required(&r);
    let r = send(&w.app, get_with("/auth/confirm", "x-api-key", BOB_KEY)).await;
    assert_bearer_required(&r);
    let r = send(
        &w.app,
        get_with("/auth/confirm", "authorization", &basic("bob", BOB_PASSWORD)),
    )
    .await;
    assert_bearer_required(&r);
    assert!(w.outbox.mails().is_empty());
}

#[tokio::test]
async fn each_user_has_their_own_confirmation_window_and_token() {
    let w = world();
    let bob = tokens(&w.app, "bob", BOB_PASSWORD).await;
    let carol = tokens(&w.app, "carol", CAROL_PASSWORD).await;
    assert_eq!(
        send(&w.app, post_bearer("/auth/confirm", &bob.access))
            .await
            .status,
        StatusCode::ACCEPTED
    );
    // Bob's request does not throttle carol's.
    assert_eq!(
        send(&w.app, post_bearer("/auth/confirm", &carol.access))
            .await
            .status,
        StatusCode::ACCEPTED
    );
    let mails = w.outbox.mails();
    assert_eq!(
        mails.iter().map(|m| m.to.as_str()).collect::<Vec<_>>(),
        ["bob@example.com", "carol@example.com"]
    );
    // Carol's link confirms carol only.
    let token = link_token(&mails[1], "/auth/confirm/");
    assert_eq!(confirm(&w.app, &token).await.status, StatusCode::OK);
    assert!(w.db.user(3).unwrap().confirmed);
    assert!(!w.db.user(2).unwrap().confirmed);
}

#[tokio::test]
async fn the_confirmation_link_prefix_and_lifetime_are_configurable() {
    let w = world_with(
        |r| {
            r.confirm_url("https://app.example/confirm/")
                .confirm_ttl(Duration::from_secs(1))
        },
        |b| b,
    );
    let t = tokens(&w.app, "bob", BOB_PASSWORD).await;
    assert_eq!(
        send(&w.app, post_bearer("/auth/confirm", &t.access)).await.status,
        StatusCode::ACCEPTED
    );
    let token = link_token(&w.outbox.mails()[0], "https://app.example/confirm/");
    assert_eq!(token.len(), 43);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // Expired: refused like an unknown token.
    assert_error(&confirm(&w.app, &token).await, StatusCode::FORBIDDEN, "forbidden");
    assert!(!w.db.user(2).unwrap().confirmed);
}

#[tokio::test]
async fn a_failing_mailer_answers_503() {
    let w = world();
    let t = tokens(&w.app, "bob", BOB_PASSWORD).await;
    w.outbox.fail.store(true, Ordering::SeqCst);
    let r = send(&w.app, post_bearer("/auth/confirm", &t.access)).await;
    assert_unavailable(&r);
    assert!(w.outbox.mails().is_empty());
}

/// The 503 of a failed mail says `Retry-After: 1`, but the retry is refused with 429 for
/// the rest of the minute: the once-a-minute allowance was spent before the mail was sent.
#[tokio::test]
async fn a_retry_after_a_failed_mail_is_not_throttled() {
    let w = world();
    let t = tokens(&w.app, "bob", BOB_PASSWORD).await;
    w.outbox.fail.store(true, Ordering::SeqCst);
    assert_unavailable(&send(&w.app, post_bearer("/auth/confirm", &t.access)).await);
    w.outbox.fail.store(false, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let r = send(&w.app, post_bearer("/auth/confirm", &t.access)).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?} {:?}", r.body, r.headers);
    assert_eq!(w.outbox.mails().len(), 1);
}

/// A 503 is temporary ("Retry-After: 1"), so it must not consume the single-use link: the
/// router destroys the token before the registrar confirms, and a registrar failure loses it.
#[tokio::test]
async fn a_registrar_failure_does_not_burn_the_confirmation_link() {
    let w = world();
    let t = tokens(&w.app, "bob", BOB_PASSWORD).await;
    assert_eq!(
        send(&w.app, post_bearer("/auth/confirm", &t.access)).await.status,
        StatusCode::ACCEPTED
    );
    let token = link_token(&w.outbox.mails()[0], "/auth/confirm/");
    w.db.table().down = true;
    assert_unavailable(&confirm(&w.app, &token).await);
    w.db.table().down = false;
    assert!(!w.db.user(2).unwrap().confirmed);
    let r = confirm(&w.app, &token).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert!(w.db.user(2).unwrap().confirmed);
}

/// A session store with network latency (like Redis): every `touch` yields once after
/// reading, so that two requests can interleave.
struct SlowSessions {
    inner: InMemorySessionStore,
}

#[async_trait]
impl SessionStore for SlowSessions {
    async fn create(
        &self,
        id: &SecretHash,
        record: &SessionRecord,
        idle: Duration,
    ) -> Result<(), StoreError> {
        self.inner.create(id, record, idle).await
    }

    async fn touch(
        &self,
        id: &SecretHash,
        idle: Duration,
        absolute: Duration,
    ) -> Result<Option<SessionRecord>, StoreError> {
        let record = self.inner.touch(id, idle, absolute).await;
        tokio::task::yield_now().await;
        record
    }

    async fn destroy(&self, id: &SecretHash) -> Result<(), StoreError> {
        self.inner.destroy(id).await
    }

    async fn take(&self, id: &SecretHash, absolute: Duration) -> Result<Option<SessionRecord>, StoreError> {
        tokio::task::yield_now().await;
        self.inner.take(id, absolute).await
    }
}

/// "Single use" must hold for concurrent requests too: of two simultaneous uses of one link,
/// one is refused. The router reads the token (`touch`) and deletes it (`destroy`) in two
/// store calls, so with a store that has latency both requests read it before either deletes.
#[tokio::test]
async fn concurrent_uses_of_one_confirmation_link_confirm_once() {
    let w = world_with(
        |r| r,
        |b| {
            b.session_store(SlowSessions {
                inner: InMemorySessionStore::default(),
            })
        },
    );
    let t = tokens(&w.app, "bob", BOB_PASSWORD).await;
    assert_eq!(
        send(&w.app, post_bearer("/auth/confirm", &t.access)).await.status,
        StatusCode::ACCEPTED
    );
    let token = link_token(&w.outbox.mails()[0], "/auth/confirm/");
    let (a, b) = tokio::join!(confirm(&w.app, &token), confirm(&w.app, &token));
    let mut statuses = [a.status, b.status];
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::FORBIDDEN],
        "{:?} {:?}",
        a.body,
        b.body
    );
    assert_eq!(w.db.table().confirm_calls, 1);
}

// ---------------------------------------------------------------------------------------------
// POST /users/{id}/change_username
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_owner_changes_their_user_name() {
    let w = world();
    let t = tokens(&w.app, "bob", BOB_PASSWORD).await;
    let r = rename(&w.app, &t.access, "2", "robert").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.headers[CONTENT_TYPE], "application/json");
    assert_eq!(r.body, json!({"id": 2, "username": "robert"}));
    assert_eq!(w.db.user(2).unwrap().name, "robert");

    // The token names the id: it still works and shows the new name.
    let r = me(&w.app, &t.access).await;
    assert_eq!(r.body, me_body(2, "robert", &["user"], "jwt"));
    // Login works under the new name only.
    assert_token_pair(&login(&w.app, "robert", BOB_PASSWORD).await);
    assert_error(
        &login(&w.app, "bob", BOB_PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    );
    // The old name is free again.
    let r = send(
        &w.app,
        post_json(
            "/auth/register",
            &registration("bob", "other-bob@example.com", "new-bob-password"),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
}

#[tokio::test]
async fn change_username_refusals() {
    let w = world();
    let bob = tokens(&w.app, "bob", BOB_PASSWORD).await;

    // The current name: 400.
    let r = rename(&w.app, &bob.access, "2", "bob").await;
    assert_invalid_input(&r);
    // Taken by carol: 409.
    let r = rename(&w.app, &bob.access, "2", "carol").await;
    assert_error(&r, StatusCode::CONFLICT, "conflict");
    // Invalid names: 400.
    for name in ["ab", "has space", "x/y", "", &"n".repeat(33)] {
        assert_invalid_input(&rename(&w.app, &bob.access, "2", name).await);
    }
    // Malformed bodies: 400.
    let r = send(
        &w.app,
        post_json_bearer("/users/2/change_username", &bob.access, &json!({})),
    )
    .await;
    assert_invalid_input(&r);
    let r = send(
        &w.app,
        post_json_bearer("/users/2/change_username", &bob.access, &json!({"username": 7})),
    )
    .await;
    assert_invalid_input(&r);

    // Another user's id: 403 forbidden, with the RFC 6750 challenge.
    let r = rename(&w.app, &bob.access, "3", "caroline").await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(
        r.challenges(),
        ["Bearer realm=\"api\", error=\"insufficient_scope\""]
    );
    let r = rename(&w.app, &bob.access, "1", "root").await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");

    // Unknown ids: 404, for a non-admin too (404 before 403).
    for id in ["99", "0", "-1", "abc", "9223372036854775808"] {
        let r = rename(&w.app, &bob.access, id, "robert").await;
        assert_error(&r, StatusCode::NOT_FOUND, "not_found");
        assert!(r.challenges().is_empty(), "{id}: {:?}", r.challenges());
    }

    // Nothing changed.
    let names: Vec<String> = w.db.table().users.iter().map(|u| u.name.clone()).collect();
    assert_eq!(names, ["alice", "bob", "carol"]);

    // Without a bearer token: 401 (Basic and API keys are not accepted).
    let r = send(
        &w.app,
        post_json("/users/2/change_username", &json!({"username": "robert"})),
    )
    .await;
    assert_bearer_required(&r);
    let r = send(
        &w.app,
        post("/users/2/change_username")
            .header(CONTENT_TYPE, "application/json")
            .header("x-api-key", BOB_KEY)
            .body(Body::from(json!({"username": "robert"}).to_string()))
            .unwrap(),
    )
    .await;
    assert_bearer_required(&r);
}

#[tokio::test]
async fn an_admin_renames_someone_else() {
    let w = world();
    let alice = tokens(&w.app, "alice", ALICE_PASSWORD).await;
    let r = rename(&w.app, &alice.access, "3", "caroline").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body, json!({"id": 3, "username": "caroline"}));
    assert_eq!(w.db.user(3).unwrap().name, "caroline");
    assert_token_pair(&login(&w.app, "caroline", CAROL_PASSWORD).await);

    // The admin gets the same answers otherwise.
    assert_error(
        &rename(&w.app, &alice.access, "99", "ghost").await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_error(
        &rename(&w.app, &alice.access, "3", "bob").await,
        StatusCode::CONFLICT,
        "conflict",
    );
    assert_invalid_input(&rename(&w.app, &alice.access, "3", "caroline").await);
    assert_invalid_input(&rename(&w.app, &alice.access, "3", "no way").await);
}

#[tokio::test]
async fn the_admin_role_is_configurable() {
    let w = world_with(|r| r.admin_role("user"), |b| b);
    // bob has the role "user", which is now the renaming role; alice (admin) is not.
    let bob = tokens(&w.app, "bob", BOB_PASSWORD).await;
    let r = rename(&w.app, &bob.access, "3", "caroline").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let alice = tokens(&w.app, "alice", ALICE_PASSWORD).await;
    let r = rename(&w.app, &alice.access, "2", "robert").await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
}

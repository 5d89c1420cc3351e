//! The credential lifecycle over HTTP (axum `Router` + `oneshot`): token issuance, refresh
//! rotation with RFC 9700 reuse detection, logout and revocation, password login with
//! equal failures and throttling (per user name, per client address, over HTTP Basic),
//! server-side sessions (cookie attributes, fixation, logout, idle and absolute expiry,
//! CSRF and same-site checks), fail-closed behaviour when a lifecycle store is down, and
//! the start-up checks of the token configuration.

mod support;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use http::header::{RETRY_AFTER, SET_COOKIE};
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use portcullis::{
    Algorithm, ApiKeyHash, AuthError, AuthInfo, ClientAddr, ConfigError, InMemoryUserStore, JwtConfig,
    JwtKey, Portcullis, PortcullisBuilder, RefreshStore, RevocationStore, Rotation, Scheme, SchemeList,
    SecretHash, SessionConfig, SessionRecord, SessionStore, StoreError, ThrottleConfig, ThrottleStore,
    TokenConfig, UserStore, async_trait, auth, client_addr,
};
use serde_json::{Value, json};
use support::*;
use tower::ServiceExt;

// ---------------------------------------------------------------------------------------------
// The application under test
// ---------------------------------------------------------------------------------------------

const JWT: &[Scheme] = &[Scheme::Jwt];
const SESSION: &[Scheme] = &[Scheme::Session];

/// Renders a failure the way `#[auth]` routes do (the runtime decides status and headers).
fn refuse(p: &Portcullis<User>, error: AuthError, schemes: &[Scheme]) -> Response {
    p.reject(error, SchemeList::decode(SchemeList::encode(schemes)))
        .map(Body::from)
        .into_response()
}

fn text<'a>(body: &'a Value, key: &str) -> &'a str {
    body[key].as_str().unwrap_or("")
}

/// `POST /login {username, password}`: password login, then a token pair.
async fn token_login(State(p): State<Portcullis<User>>, parts: Parts, Json(body): Json<Value>) -> Response {
    let issued = async {
        let login = p
            .login(
                text(&body, "username"),
                text(&body, "password"),
                client_addr(&parts),
            )
            .await?;
        p.issue_tokens(&login.user, None).await
    }
    .await;
    match issued {
        Ok(pair) => Json(pair).into_response(),
        Err(e) => refuse(&p, e, JWT),
    }
}

/// `POST /login/scoped {username, password}`: like `/login`, with the scope `posts:read`.
async fn scoped_login(State(p): State<Portcullis<User>>, Json(body): Json<Value>) -> Response {
    let issued = async {
        let login = p
            .login(text(&body, "username"), text(&body, "password"), None)
            .await?;
        p.issue_tokens(&login.user, Some("posts:read")).await
    }
    .await;
    match issued {
        Ok(pair) => Json(pair).into_response(),
        Err(e) => refuse(&p, e, JWT),
    }
}

/// `POST /refresh {refresh_token}`: rotation.
async fn refresh(State(p): State<Portcullis<User>>, Json(body): Json<Value>) -> Response {
    match p.refresh_tokens(text(&body, "refresh_token")).await {
        Ok((user, pair)) => {
            let mut value = serde_json::to_value(pair).unwrap();
            value["user"] = json!(user.id);
            Json(value).into_response()
        }
        Err(e) => refuse(&p, e, JWT),
    }
}

/// `POST /logout {refresh_token}`: revokes the refresh family and the presented access token.
#[auth(jwt)]
async fn logout(
    user: User,
    info: AuthInfo,
    State(p): State<Portcullis<User>>,
    Json(body): Json<Value>,
) -> Response {
    let _ = user;
    match p.logout(body["refresh_token"].as_str(), &info).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => refuse(&p, e, JWT),
    }
}

/// `POST /revoke`: revokes only the presented access token.
#[auth(jwt)]
async fn revoke(user: User, info: AuthInfo, State(p): State<Portcullis<User>>) -> Response {
    let _ = user;
    match p.revoke_access(&info).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => refuse(&p, e, JWT),
    }
}

#[auth(jwt)]
async fn me(user: User, info: AuthInfo) -> Json<Value> {
    Json(json!({"id": user.id, "scheme": info.scheme().as_str(), "jti": info.token_id()}))
}

#[auth(basic)]
async fn basic_me(user: User, info: AuthInfo) -> Json<Value> {
    Json(json!({"id": user.id, "scheme": info.scheme().as_str()}))
}

/// `POST /session/login {username, password}`: password login, then a new session.
async fn session_login(State(p): State<Portcullis<User>>, parts: Parts, Json(body): Json<Value>) -> Response {
    let started = async {
        let login = p
            .login(
                text(&body, "username"),
                text(&body, "password"),
                client_addr(&parts),
            )
            .await?;
        p.start_session(&parts, &login.user).await
    }
    .await;
    match started {
        Ok(session) => (
            StatusCode::OK,
            [(SET_COOKIE, session.set_cookie)],
            Json(json!({"csrf_token": session.csrf_token})),
        )
            .into_response(),
        Err(e) => refuse(&p, e, SESSION),
    }
}

/// `POST /session/logout`: destroys the session server-side and clears the cookie.
#[auth(session)]
async fn session_logout(user: User, State(p): State<Portcullis<User>>, parts: Parts) -> Response {
    let _ = user;
    match p.end_session(&parts).await {
        Ok(clear) => (StatusCode::NO_CONTENT, [(SET_COOKIE, clear)]).into_response(),
        Err(e) => refuse(&p, e, SESSION),
    }
}

#[auth(session)]
async fn session_me(user: User, info: AuthInfo) -> Json<Value> {
    Json(json!({"id": user.id, "scheme": info.scheme().as_str()}))
}

fn app(p: Portcullis<User>) -> Router {
    Router::new()
        .route("/login", post(token_login))
        .route("/login/scoped", post(scoped_login))
        .route("/refresh", post(refresh))
        .route("/logout", post(logout))
        .route("/revoke", post(revoke))
        .route("/me", get(me))
        .route("/basic", get(basic_me))
        .route("/session/login", post(session_login))
        .route("/session/logout", post(session_logout))
        .route(
            "/session/me",
            get(session_me)
                .post(session_me)
                .put(session_me)
                .delete(session_me),
        )
        .with_state(AppState { auth: p })
}

fn token_config() -> TokenConfig {
    TokenConfig::hmac(SECRET, Algorithm::HS256)
        .issuer(ISSUER)
        .audience(AUDIENCE)
}

fn builder() -> PortcullisBuilder<User> {
    Portcullis::builder(users())
        .jwt(jwt_config())
        .tokens(token_config())
}

fn token_app() -> Router {
    app(builder().build().unwrap())
}

/// Like [`token_app`], with the per-address limit lowered to the per-name one (the
/// default is 20) so that address throttling shows after 5 failures.
fn per_address_app() -> Router {
    app(builder()
        .throttle(ThrottleConfig::new().max_failures_per_address(5))
        .build()
        .unwrap())
}

fn session_app(config: SessionConfig) -> Router {
    app(builder().sessions(config).build().unwrap())
}

fn dev_sessions() -> SessionConfig {
    SessionConfig::new().development(true)
}

// ---------------------------------------------------------------------------------------------
// Request helpers
// ---------------------------------------------------------------------------------------------

fn post_json(uri: &str) -> http::request::Builder {
    Request::post(uri).header("content-type", "application/json")
}

fn json_request(uri: &str, body: Value) -> Request<Body> {
    post_json(uri).body(Body::from(body.to_string())).unwrap()
}

fn credentials(username: &str, password: &str) -> Value {
    json!({"username": username, "password": password})
}

fn login_request(username: &str, password: &str) -> Request<Body> {
    json_request("/login", credentials(username, password))
}

fn login_from(username: &str, password: &str, ip: &str) -> Request<Body> {
    post_json("/login")
        .extension(ClientAddr(ip.parse::<IpAddr>().unwrap()))
        .body(Body::from(credentials(username, password).to_string()))
        .unwrap()
}

fn refresh_request(token: &str) -> Request<Body> {
    json_request("/refresh", json!({"refresh_token": token}))
}

struct Tokens {
    access: String,
    refresh: String,
}

async fn login_tokens(app: &Router) -> Tokens {
    let r = send(app, login_request("alice", ALICE_PASSWORD)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    tokens_of(&r)
}

fn tokens_of(r: &Reply) -> Tokens {
    Tokens {
        access: r.body["access_token"].as_str().unwrap().to_owned(),
        refresh: r.body["refresh_token"].as_str().unwrap().to_owned(),
    }
}

async fn rotate(app: &Router, refresh_token: &str) -> Tokens {
    let r = send(app, refresh_request(refresh_token)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    tokens_of(&r)
}

fn basic(username: &str, password: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{username}:{password}")))
}

fn basic_request(username: &str, password: &str) -> Request<Body> {
    req("/basic")
        .header("authorization", basic(username, password))
        .body(Body::empty())
        .unwrap()
}

/// The JSON payload of a JWT.
fn payload(token: &str) -> Value {
    let part = token.split('.').nth(1).expect("a JWT has a payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

/// The raw response, for byte-for-byte comparisons.
async fn send_raw(app: &Router, request: Request<Body>) -> (StatusCode, http::HeaderMap, Vec<u8>) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, headers, bytes)
}

fn assert_error(r: &Reply, status: StatusCode, code: &str) {
    assert_eq!(r.status, status, "{:?}", r.body);
    assert_eq!(r.body["error"], code, "{:?}", r.body);
    assert!(
        r.body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{:?}",
        r.body
    );
}

fn assert_invalid_token(r: &Reply) {
    assert_error(r, StatusCode::UNAUTHORIZED, "invalid_token");
    let challenges = r.challenges();
    assert_eq!(challenges.len(), 1, "{challenges:?}");
    assert!(
        challenges[0].starts_with("Bearer realm=\"api\", error=\"invalid_token\""),
        "{challenges:?}"
    );
}

fn assert_unavailable(r: &Reply) {
    assert_error(r, StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable");
    assert_eq!(r.headers[RETRY_AFTER], "1");
    assert!(r.challenges().is_empty(), "{:?}", r.challenges());
}

/// The `Retry-After` of a 429, checked to be whole seconds in `1..=max`.
fn assert_throttled(r: &Reply, max: u64) -> u64 {
    assert_error(r, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    let value = r
        .headers
        .get(RETRY_AFTER)
        .expect("429 carries Retry-After")
        .to_str()
        .unwrap();
    let seconds: u64 = value
        .parse()
        .unwrap_or_else(|_| panic!("Retry-After {value:?} is not seconds"));
    assert!(
        (1..=max).contains(&seconds),
        "Retry-After {seconds} not in 1..={max}"
    );
    assert!(r.challenges().is_empty(), "{:?}", r.challenges());
    seconds
}

async fn me_status(app: &Router, access: &str) -> StatusCode {
    send(app, bearer("/me", access)).await.status
}

// Sessions.

struct Session {
    /// `name=value`, as the browser sends it back.
    cookie: String,
    set_cookie: String,
    csrf: String,
}

fn session_login_request(cookie: Option<&str>) -> Request<Body> {
    let mut request = post_json("/session/login");
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request
        .body(Body::from(credentials("alice", ALICE_PASSWORD).to_string()))
        .unwrap()
}

async fn start_session(app: &Router, cookie: Option<&str>) -> Session {
    let r = send(app, session_login_request(cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let set_cookie = r.headers[SET_COOKIE].to_str().unwrap().to_owned();
    let csrf = r.body["csrf_token"].as_str().unwrap().to_owned();
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    Session {
        cookie,
        set_cookie,
        csrf,
    }
}

fn with_cookie(method: &str, uri: &str, cookie: &str) -> http::request::Builder {
    Request::builder()
        .method(method)
        .uri(uri)
        .header("host", "api.example")
        .header("cookie", cookie)
}

async fn session_get(app: &Router, cookie: &str) -> Reply {
    send(
        app,
        with_cookie("GET", "/session/me", cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

fn cookie_attributes(set_cookie: &str) -> Vec<String> {
    set_cookie
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_owned())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Stores the tests control
// ---------------------------------------------------------------------------------------------

/// A user store the test keeps a handle on, to change users after start-up or to make
/// `find_by_id` fail for a while.
#[derive(Clone, Default)]
struct ControlledUsers {
    users: Arc<InMemoryUserStore<User>>,
    find_by_id_down: Arc<AtomicBool>,
}

impl ControlledUsers {
    fn new() -> Self {
        ControlledUsers {
            users: Arc::new(users()),
            find_by_id_down: Arc::default(),
        }
    }

    async fn set_active(&self, username: &str, active: bool) {
        let mut user = self.users.find_by_username(username).await.unwrap().unwrap();
        user.active = active;
        self.users.insert(user);
    }
}

#[async_trait]
impl UserStore<User> for ControlledUsers {
    async fn find_by_id(&self, id: &i64) -> Result<Option<User>, StoreError> {
        if self.find_by_id_down.load(Ordering::SeqCst) {
            return Err(down());
        }
        self.users.find_by_id(id).await
    }
    async fn find_by_username(&self, username: &str) -> Result<Option<User>, StoreError> {
        self.users.find_by_username(username).await
    }
    async fn find_by_api_key_hash(&self, hash: &ApiKeyHash) -> Result<Option<User>, StoreError> {
        self.users.find_by_api_key_hash(hash).await
    }
}

/// Every lifecycle store, always failing.
#[derive(Clone, Copy)]
struct Down;

fn down() -> StoreError {
    StoreError::new("connection refused")
}

#[async_trait]
impl RefreshStore for Down {
    async fn start(&self, _: &str, _: &str, _: &SecretHash, _: Duration) -> Result<(), StoreError> {
        Err(down())
    }
    async fn current_grant(&self, _: &SecretHash) -> Result<Option<String>, StoreError> {
        Err(down())
    }
    async fn rotate(&self, _: &SecretHash, _: &SecretHash, _: Duration) -> Result<Rotation, StoreError> {
        Err(down())
    }
    async fn revoke_family(&self, _: &SecretHash) -> Result<bool, StoreError> {
        Err(down())
    }
}

#[async_trait]
impl SessionStore for Down {
    async fn create(&self, _: &SecretHash, _: &SessionRecord, _: Duration) -> Result<(), StoreError> {
        Err(down())
    }
    async fn touch(
        &self,
        _: &SecretHash,
        _: Duration,
        _: Duration,
    ) -> Result<Option<SessionRecord>, StoreError> {
        Err(down())
    }
    async fn destroy(&self, _: &SecretHash) -> Result<(), StoreError> {
        Err(down())
    }
    async fn take(&self, _: &SecretHash, _: Duration) -> Result<Option<SessionRecord>, StoreError> {
        Err(down())
    }
}

#[async_trait]
impl ThrottleStore for Down {
    async fn record_failure(&self, _: &str, _: Duration) -> Result<(u32, Duration), StoreError> {
        Err(down())
    }
    async fn failures(&self, _: &str) -> Result<(u32, Duration), StoreError> {
        Err(down())
    }
    async fn forgive(&self, _: &str) -> Result<(), StoreError> {
        Err(down())
    }
}

#[async_trait]
impl RevocationStore for Down {
    async fn revoke(&self, _: &str, _: SystemTime) -> Result<(), StoreError> {
        Err(down())
    }
    async fn is_revoked(&self, _: &str) -> Result<bool, StoreError> {
        Err(down())
    }
}

/// A throttle store that answers reads (no failures yet) but cannot record a failure.
struct CannotRecordFailures;

#[async_trait]
impl ThrottleStore for CannotRecordFailures {
    async fn record_failure(&self, _: &str, _: Duration) -> Result<(u32, Duration), StoreError> {
        Err(down())
    }
    async fn failures(&self, _: &str) -> Result<(u32, Duration), StoreError> {
        Ok((0, Duration::ZERO))
    }
    async fn forgive(&self, _: &str) -> Result<(), StoreError> {
        Ok(())
    }
}

/// A session store whose sessions exist but can never be destroyed.
struct CannotDestroySessions(portcullis::InMemorySessionStore);

#[async_trait]
impl SessionStore for CannotDestroySessions {
    async fn create(
        &self,
        id: &SecretHash,
        record: &SessionRecord,
        idle: Duration,
    ) -> Result<(), StoreError> {
        self.0.create(id, record, idle).await
    }
    async fn touch(
        &self,
        id: &SecretHash,
        idle: Duration,
        absolute: Duration,
    ) -> Result<Option<SessionRecord>, StoreError> {
        self.0.touch(id, idle, absolute).await
    }
    async fn destroy(&self, _: &SecretHash) -> Result<(), StoreError> {
        Err(down())
    }
    async fn take(&self, id: &SecretHash, absolute: Duration) -> Result<Option<SessionRecord>, StoreError> {
        self.0.take(id, absolute).await
    }
}

// ---------------------------------------------------------------------------------------------
// Issuance
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn login_issues_an_oauth_token_pair() {
    let app = token_app();
    let r = send(&app, login_request("alice", ALICE_PASSWORD)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let body = r.body.as_object().unwrap();
    let mut keys: Vec<&str> = body.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["access_token", "expires_in", "refresh_token", "token_type"]
    );
    assert_eq!(r.body["token_type"], "Bearer");
    assert_eq!(r.body["expires_in"], 900);
    let tokens = tokens_of(&r);

    // The access token: a JWT with the server's claims.
    let claims = payload(&tokens.access);
    assert_eq!(claims["sub"], "1");
    assert_eq!(claims["iss"], ISSUER);
    assert_eq!(claims["aud"], AUDIENCE);
    assert_eq!(claims["typ"], "access");
    let (iat, exp) = (claims["iat"].as_i64().unwrap(), claims["exp"].as_i64().unwrap());
    assert!((iat - now()).abs() <= 5, "iat {iat} is not now");
    assert_eq!(exp - iat, 900);
    let jti = claims["jti"].as_str().unwrap();
    assert!(jti.len() >= 16, "jti {jti:?} is too short to be unique");
    let header: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(tokens.access.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header["alg"], "HS256");

    // The refresh token: 256 random bits as base64url, not a JWT.
    assert_eq!(tokens.refresh.len(), 43);
    assert!(!tokens.refresh.contains('.'));
    assert_eq!(URL_SAFE_NO_PAD.decode(&tokens.refresh).unwrap().len(), 32);

    // The access token works on a `#[auth(jwt)]` route; the refresh token does not.
    let r = send(&app, bearer("/me", &tokens.access)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body, json!({"id": 1, "scheme": "jwt", "jti": jti}));
    let r = send(&app, bearer("/me", &tokens.refresh)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{:?}", r.body);

    // Every login gets its own token id and refresh token.
    let again = login_tokens(&app).await;
    assert_ne!(payload(&again.access)["jti"], claims["jti"]);
    assert_ne!(again.refresh, tokens.refresh);
}

#[tokio::test]
async fn tokens_signed_with_an_rsa_key_and_kid_are_accepted() {
    let config = TokenConfig::private_pem(RSA_PRIVATE, Algorithm::RS256)
        .unwrap()
        .kid("rsa-1")
        .issuer(ISSUER)
        .audience(AUDIENCE);
    let app = app(Portcullis::builder(users())
        .jwt(jwt_config())
        .tokens(config)
        .build()
        .unwrap());
    let tokens = login_tokens(&app).await;
    let header: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(tokens.access.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["kid"], "rsa-1");
    assert_eq!(me_status(&app, &tokens.access).await, StatusCode::OK);
}

// ---------------------------------------------------------------------------------------------
// Rotation and reuse detection
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn refresh_rotates_the_pair() {
    let app = token_app();
    let first = login_tokens(&app).await;

    let r = send(&app, refresh_request(&first.refresh)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["token_type"], "Bearer");
    assert_eq!(r.body["expires_in"], 900);
    assert_eq!(r.body["user"], 1);
    let second = tokens_of(&r);
    assert_eq!(second.refresh.len(), 43);
    assert_ne!(second.refresh, first.refresh);
    assert_ne!(second.access, first.access);
    let claims = payload(&second.access);
    assert_eq!(claims["sub"], "1");
    assert_eq!(claims["typ"], "access");
    assert_ne!(claims["jti"], payload(&first.access)["jti"]);
    assert_eq!(me_status(&app, &second.access).await, StatusCode::OK);

    // The new refresh token works in turn, and so does the access token it brings.
    let third = rotate(&app, &second.refresh).await;
    assert_eq!(me_status(&app, &third.access).await, StatusCode::OK);
    // A refresh does not revoke earlier access tokens (they expire on their own).
    assert_eq!(me_status(&app, &first.access).await, StatusCode::OK);

    // The spent token no longer works.
    assert_invalid_token(&send(&app, refresh_request(&second.refresh)).await);
}

#[tokio::test]
async fn a_reused_refresh_token_revokes_its_whole_family() {
    let app = token_app();
    let first = login_tokens(&app).await;
    let other = login_tokens(&app).await;
    let second = rotate(&app, &first.refresh).await;
    let newest = rotate(&app, &second.refresh).await;

    // Presenting the spent first token again: refused, and the family is revoked.
    let r = send(&app, refresh_request(&first.refresh)).await;
    assert_invalid_token(&r);
    assert!(
        r.body["message"].as_str().unwrap().contains("already used"),
        "{:?}",
        r.body
    );
    // The newest token of the family (never used) is refused too.
    assert_invalid_token(&send(&app, refresh_request(&newest.refresh)).await);
    assert_invalid_token(&send(&app, refresh_request(&second.refresh)).await);

    // Another login of the same user is another family: unaffected.
    let next = rotate(&app, &other.refresh).await;
    let last = rotate(&app, &next.refresh).await;
    assert_eq!(me_status(&app, &last.access).await, StatusCode::OK);
}

#[tokio::test]
async fn refresh_refuses_garbage_access_tokens_and_unknown_tokens() {
    let app = token_app();
    let tokens = login_tokens(&app).await;
    let unknown = URL_SAFE_NO_PAD.encode([7u8; 32]);
    let with_dot = format!("{}.", &tokens.refresh[..42]);
    for garbage in [
        "",
        "garbage",
        &tokens.access,
        &unknown,
        &with_dot,
        &"A".repeat(4000),
    ] {
        assert_invalid_token(&send(&app, refresh_request(garbage)).await);
    }
    // None of that disturbed the real family.
    let next = rotate(&app, &tokens.refresh).await;
    assert_eq!(me_status(&app, &next.access).await, StatusCode::OK);
}

#[tokio::test]
async fn an_expired_refresh_family_is_refused() {
    let tokens = token_config().refresh_ttl(Duration::from_secs(1));
    let app = app(Portcullis::builder(users())
        .jwt(jwt_config())
        .tokens(tokens)
        .build()
        .unwrap());
    let first = login_tokens(&app).await;
    let stale = login_tokens(&app).await;
    // Within the lifetime, a rotation works and extends the family.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let second = rotate(&app, &first.refresh).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    // 1.2 s after login: the family rotated 0.6 s ago lives; the untouched one expired.
    assert_invalid_token(&send(&app, refresh_request(&stale.refresh)).await);
    let third = rotate(&app, &second.refresh).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_invalid_token(&send(&app, refresh_request(&third.refresh)).await);
}

#[tokio::test]
async fn refresh_for_a_user_who_became_inactive_is_forbidden() {
    let store = ControlledUsers::new();
    let app = app(Portcullis::builder(store.clone())
        .jwt(jwt_config())
        .tokens(token_config())
        .build()
        .unwrap());
    let tokens = login_tokens(&app).await;
    store.set_active("alice", false).await;

    let r = send(&app, refresh_request(&tokens.refresh)).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    assert!(r.challenges().is_empty(), "{:?}", r.challenges());
    // Her access token and her password are refused as well.
    assert_error(
        &send(&app, bearer("/me", &tokens.access)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    let r = send(&app, login_request("alice", ALICE_PASSWORD)).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
async fn a_refresh_keeps_the_granted_scope() {
    let app = token_app();
    let r = send(
        &app,
        json_request("/login/scoped", credentials("alice", ALICE_PASSWORD)),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let first = tokens_of(&r);
    assert_eq!(payload(&first.access)["scope"], "posts:read");
    let second = rotate(&app, &first.refresh).await;
    assert_eq!(payload(&second.access)["scope"], "posts:read");
}

#[tokio::test]
async fn a_refresh_that_fails_with_503_does_not_spend_the_token() {
    let store = ControlledUsers::new();
    let app = app(Portcullis::builder(store.clone())
        .jwt(jwt_config())
        .tokens(token_config())
        .build()
        .unwrap());
    let tokens = login_tokens(&app).await;
    store.find_by_id_down.store(true, Ordering::SeqCst);
    assert_unavailable(&send(&app, refresh_request(&tokens.refresh)).await);
    store.find_by_id_down.store(false, Ordering::SeqCst);
    // The client never received a new token: retrying with the one it has must work.
    let r = send(&app, refresh_request(&tokens.refresh)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

// ---------------------------------------------------------------------------------------------
// Logout and revocation
// ---------------------------------------------------------------------------------------------

fn logout_request(access: &str, refresh_token: Option<&str>) -> Request<Body> {
    post_json("/logout")
        .header("authorization", format!("Bearer {access}"))
        .body(Body::from(json!({"refresh_token": refresh_token}).to_string()))
        .unwrap()
}

#[tokio::test]
async fn logout_revokes_the_refresh_family_and_the_access_token() {
    let app = token_app();
    let phone = login_tokens(&app).await;
    let laptop = login_tokens(&app).await;
    // Logout with the family's current token, after a rotation.
    let phone_now = rotate(&app, &phone.refresh).await;

    let r = send(&app, logout_request(&phone_now.access, Some(&phone_now.refresh))).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);

    let r = send(&app, bearer("/me", &phone_now.access)).await;
    assert_invalid_token(&r);
    assert!(
        r.body["message"].as_str().unwrap().contains("revoked"),
        "{:?}",
        r.body
    );
    assert_invalid_token(&send(&app, refresh_request(&phone_now.refresh)).await);
    // Logging out again with the revoked token is refused.
    let r = send(&app, logout_request(&phone_now.access, Some(&phone_now.refresh))).await;
    assert_invalid_token(&r);

    // The other session of the same user keeps working.
    assert_eq!(me_status(&app, &laptop.access).await, StatusCode::OK);
    let laptop_now = rotate(&app, &laptop.refresh).await;
    assert_eq!(me_status(&app, &laptop_now.access).await, StatusCode::OK);
}

#[tokio::test]
async fn logout_with_a_spent_refresh_token_still_revokes_the_family() {
    let app = token_app();
    let first = login_tokens(&app).await;
    let second = rotate(&app, &first.refresh).await;
    let r = send(&app, logout_request(&second.access, Some(&first.refresh))).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    assert_invalid_token(&send(&app, refresh_request(&second.refresh)).await);
}

#[tokio::test]
async fn revoke_access_revokes_only_the_token() {
    let app = token_app();
    let tokens = login_tokens(&app).await;
    let other = login_tokens(&app).await;
    let r = send(
        &app,
        Request::post("/revoke")
            .header("authorization", format!("Bearer {}", tokens.access))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    assert_invalid_token(&send(&app, bearer("/me", &tokens.access)).await);
    assert_eq!(me_status(&app, &other.access).await, StatusCode::OK);
    // The refresh family is intact: it still gives working access tokens.
    let next = rotate(&app, &tokens.refresh).await;
    assert_eq!(me_status(&app, &next.access).await, StatusCode::OK);
}

// ---------------------------------------------------------------------------------------------
// Passwords
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn unknown_users_wrong_passwords_and_users_without_password_answer_alike() {
    let app = token_app();
    let wrong = send_raw(&app, login_request("alice", "not-her-password")).await;
    let unknown = send_raw(&app, login_request("nobody", "not-her-password")).await;
    let no_hash = send_raw(&app, login_request("bob", "anything-at-all")).await;
    let empty = send_raw(&app, login_request("", "")).await;
    assert_eq!(wrong.0, StatusCode::UNAUTHORIZED);
    let body: Value = serde_json::from_slice(&wrong.2).unwrap();
    assert_eq!(body["error"], "invalid_credentials");
    assert_eq!(body["message"], "invalid user name or password");
    assert!(wrong.1.contains_key("www-authenticate"));
    for other in [&unknown, &no_hash, &empty] {
        assert_eq!(other.0, wrong.0);
        assert_eq!(other.1, wrong.1, "headers differ");
        assert_eq!(other.2, wrong.2, "bodies differ");
    }
}

// ---------------------------------------------------------------------------------------------
// Throttling
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn five_failures_then_429_even_with_the_right_password() {
    let app = token_app();
    for attempt in 1..=5 {
        let r = send(&app, login_request("alice", "wrong-password")).await;
        assert_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
        assert_eq!(r.headers.get(RETRY_AFTER), None, "attempt {attempt}");
    }
    let r = send(&app, login_request("alice", ALICE_PASSWORD)).await;
    assert_throttled(&r, 15 * 60);
    let r = send(&app, login_request("alice", "wrong-password")).await;
    assert_throttled(&r, 15 * 60);
    // Another user name is not affected (no client address here).
    assert_error(
        &send(&app, login_request("bob", "x")).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    );
}

#[tokio::test]
async fn unknown_user_names_are_throttled_too() {
    let app = token_app();
    for _ in 0..5 {
        let r = send(&app, login_request("ghost", "guess")).await;
        assert_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    assert_throttled(&send(&app, login_request("ghost", "guess")).await, 15 * 60);
    // Alice is not affected by failures for another name.
    assert_eq!(
        send(&app, login_request("alice", ALICE_PASSWORD)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn failures_from_one_address_throttle_that_address() {
    let app = per_address_app();
    for name in ["ann", "ben", "cat", "dan", "eve"] {
        let r = send(&app, login_from(name, "guess", "203.0.113.7")).await;
        assert_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    // A fresh user name from that address: 429, also with the right password.
    assert_throttled(
        &send(&app, login_from("fay", "guess", "203.0.113.7")).await,
        15 * 60,
    );
    assert_throttled(
        &send(&app, login_from("alice", ALICE_PASSWORD, "203.0.113.7")).await,
        15 * 60,
    );
    // From another address the same names are fine.
    let r = send(&app, login_from("fay", "guess", "198.51.100.1")).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
    let r = send(&app, login_from("alice", ALICE_PASSWORD, "2001:db8::1")).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

#[tokio::test]
async fn the_client_address_falls_back_to_connect_info() {
    let app = per_address_app();
    let from = |user: &str, password: &str, peer: &str, client: Option<&str>| {
        let mut builder = post_json("/login").extension(ConnectInfo(
            format!("{peer}:40000").parse::<SocketAddr>().unwrap(),
        ));
        if let Some(ip) = client {
            builder = builder.extension(ClientAddr(ip.parse().unwrap()));
        }
        builder
            .body(Body::from(credentials(user, password).to_string()))
            .unwrap()
    };
    for name in ["ann", "ben", "cat", "dan", "eve"] {
        let r = send(&app, from(name, "guess", "203.0.113.5", None)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{:?}", r.body);
    }
    assert_throttled(
        &send(&app, from("alice", ALICE_PASSWORD, "203.0.113.5", None)).await,
        15 * 60,
    );
    // A trusted ClientAddr (set by a proxy-aware layer) wins over the socket peer.
    let r = send(
        &app,
        from("alice", ALICE_PASSWORD, "203.0.113.5", Some("198.51.100.20")),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

#[tokio::test]
async fn concurrent_failures_cannot_exceed_the_limit() {
    let app = token_app();
    let mut attempts = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let app = app.clone();
        attempts.spawn(async move { send(&app, login_request("alice", "wrong-password")).await.status });
    }
    let statuses = attempts.join_all().await;
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let throttled = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(refused + throttled, 20, "{statuses:?}");
    assert!(
        refused <= 5,
        "{refused} passwords were verified in one burst: {statuses:?}"
    );
}

#[tokio::test]
async fn the_client_address_can_come_from_a_tower_layer() {
    let addr = ClientAddr("192.0.2.44".parse().unwrap());
    let app = per_address_app().layer(tower::util::MapRequestLayer::new(
        move |mut request: Request<Body>| {
            request.extensions_mut().insert(addr);
            request
        },
    ));
    for name in ["u1", "u2", "u3", "u4", "u5"] {
        assert_eq!(
            send(&app, login_request(name, "x")).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_throttled(&send(&app, login_request("alice", ALICE_PASSWORD)).await, 15 * 60);
}

#[tokio::test]
async fn http_basic_is_throttled_like_login() {
    let app = token_app();
    let r = send(&app, basic_request("alice", ALICE_PASSWORD)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body, json!({"id": 1, "scheme": "basic"}));
    for _ in 0..5 {
        let r = send(&app, basic_request("alice", "wrong-password")).await;
        assert_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
        assert_eq!(r.challenges(), ["Basic realm=\"api\", charset=\"UTF-8\""]);
    }
    let r = send(&app, basic_request("alice", ALICE_PASSWORD)).await;
    assert_throttled(&r, 15 * 60);
    // Failures over Basic and over the login route share the counters.
    assert_throttled(&send(&app, login_request("alice", ALICE_PASSWORD)).await, 15 * 60);
}

#[tokio::test]
async fn http_basic_failures_are_counted_per_client_address() {
    let app = per_address_app();
    let from = |user: &str, password: &str, ip: &str| {
        req("/basic")
            .header("authorization", basic(user, password))
            .extension(ClientAddr(ip.parse().unwrap()))
            .body(Body::empty())
            .unwrap()
    };
    for name in ["ann", "ben", "cat", "dan", "eve"] {
        let r = send(&app, from(name, "guess", "203.0.113.9")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{:?}", r.body);
    }
    assert_throttled(
        &send(&app, from("alice", ALICE_PASSWORD, "203.0.113.9")).await,
        15 * 60,
    );
    let r = send(&app, from("alice", ALICE_PASSWORD, "203.0.113.10")).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

#[tokio::test]
async fn a_custom_throttle_window_resets() {
    let throttle = ThrottleConfig::new()
        .max_failures(2)
        .window(Duration::from_secs(1));
    let app = app(builder().throttle(throttle).build().unwrap());
    for _ in 0..2 {
        let r = send(&app, login_request("alice", "wrong-password")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{:?}", r.body);
    }
    assert_eq!(
        assert_throttled(&send(&app, login_request("alice", ALICE_PASSWORD)).await, 1),
        1
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let r = send(&app, login_request("alice", ALICE_PASSWORD)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    // A new window: two more failures are allowed before the next 429.
    for _ in 0..2 {
        let r = send(&app, login_request("alice", "wrong-password")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{:?}", r.body);
    }
    assert_throttled(&send(&app, login_request("alice", "wrong-password")).await, 1);
}

// ---------------------------------------------------------------------------------------------
// Sessions
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_secure_session_cookie_has_the_host_prefix_and_every_attribute() {
    let p = builder().sessions(SessionConfig::new()).build().unwrap();
    assert_eq!(p.session_cookie_name(), "__Host-portcullis_session");
    let app = app(p);
    let session = start_session(&app, None).await;
    let (name, id) = session.cookie.split_once('=').unwrap();
    assert_eq!(name, "__Host-portcullis_session");
    assert_eq!(id.len(), 43);
    assert_eq!(URL_SAFE_NO_PAD.decode(id).unwrap().len(), 32);
    let attributes = cookie_attributes(&session.set_cookie);
    for expected in ["HttpOnly", "SameSite=Lax", "Path=/", "Secure", "Max-Age=43200"] {
        assert!(
            attributes.iter().any(|a| a == expected),
            "{expected} missing: {}",
            session.set_cookie
        );
    }
    assert!(
        !attributes.iter().any(|a| a.starts_with("Domain")),
        "{}",
        session.set_cookie
    );
    assert_eq!(session.csrf.len(), 43);
    assert_ne!(session.csrf, id);

    let r = session_get(&app, &session.cookie).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body, json!({"id": 1, "scheme": "session"}));
    // Without the prefix the cookie is not ours.
    let r = session_get(&app, &format!("portcullis_session={id}")).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "missing_credentials");
    assert_eq!(r.challenges(), ["Session realm=\"api\""]);
}

#[tokio::test]
async fn a_development_session_cookie_has_no_secure_and_no_prefix() {
    let p = builder().sessions(dev_sessions()).build().unwrap();
    assert_eq!(p.session_cookie_name(), "portcullis_session");
    let app = app(p);
    let session = start_session(&app, None).await;
    assert!(
        session.cookie.starts_with("portcullis_session="),
        "{}",
        session.set_cookie
    );
    let attributes = cookie_attributes(&session.set_cookie);
    for expected in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(
            attributes.iter().any(|a| a == expected),
            "{expected} missing: {}",
            session.set_cookie
        );
    }
    assert!(
        !attributes.iter().any(|a| a == "Secure"),
        "{}",
        session.set_cookie
    );
    assert!(!session.set_cookie.contains("__Host-"), "{}", session.set_cookie);
    let r = session_get(&app, &session.cookie).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["scheme"], "session");
    // Among other cookies, ours is found.
    let r = session_get(&app, &format!("theme=dark; {}; lang=en", session.cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

#[tokio::test]
async fn a_session_of_a_user_who_became_inactive_is_forbidden() {
    let store = ControlledUsers::new();
    let p = Portcullis::builder(store.clone())
        .sessions(dev_sessions())
        .build()
        .unwrap();
    let app = app(p);
    let session = start_session(&app, None).await;
    store.set_active("alice", false).await;
    let r = session_get(&app, &session.cookie).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    store.set_active("alice", true).await;
    assert_eq!(session_get(&app, &session.cookie).await.status, StatusCode::OK);
}

#[tokio::test]
async fn every_login_gets_a_new_session_id() {
    let app = session_app(dev_sessions());
    let first = start_session(&app, None).await;
    // The second login carries the first cookie (as a fixated victim's browser would).
    let second = start_session(&app, Some(&first.cookie)).await;
    assert_ne!(first.cookie, second.cookie);
    assert_ne!(first.csrf, second.csrf);
    let r = session_get(&app, &first.cookie).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
    assert_eq!(session_get(&app, &second.cookie).await.status, StatusCode::OK);
    // A login without a cookie leaves other sessions alone.
    let third = start_session(&app, None).await;
    assert_eq!(session_get(&app, &second.cookie).await.status, StatusCode::OK);
    assert_eq!(session_get(&app, &third.cookie).await.status, StatusCode::OK);
}

#[tokio::test]
async fn session_logout_clears_the_cookie_and_destroys_the_session() {
    for config in [dev_sessions(), SessionConfig::new()] {
        let app = session_app(config);
        let session = start_session(&app, None).await;
        let other = start_session(&app, None).await;
        let name = session.cookie.split_once('=').unwrap().0.to_owned();
        let r = send(
            &app,
            with_cookie("POST", "/session/logout", &session.cookie)
                .header("x-csrf-token", &session.csrf)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
        let cleared = r.headers[SET_COOKIE].to_str().unwrap();
        assert!(cleared.starts_with(&format!("{name}=;")), "{cleared}");
        let attributes = cookie_attributes(cleared);
        for expected in ["Max-Age=0", "Path=/", "HttpOnly", "SameSite=Lax"] {
            assert!(
                attributes.iter().any(|a| a == expected),
                "{expected} missing: {cleared}"
            );
        }
        // The server forgot it: replaying the old cookie fails.
        let r = session_get(&app, &session.cookie).await;
        assert_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
        assert_eq!(session_get(&app, &other.cookie).await.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn sessions_expire_when_idle() {
    let config = dev_sessions()
        .idle_timeout(Duration::from_secs(1))
        .absolute_timeout(Duration::from_secs(60));
    let app = session_app(config);
    let active = start_session(&app, None).await;
    let idle = start_session(&app, None).await;
    // Activity keeps a session alive past the idle timeout.
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(session_get(&app, &active.cookie).await.status, StatusCode::OK);
    }
    // 1.5 s without a request: the idle session has ended.
    let r = session_get(&app, &idle.cookie).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let r = session_get(&app, &active.cookie).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
}

#[tokio::test]
async fn sessions_expire_after_the_absolute_timeout_despite_activity() {
    let config = dev_sessions()
        .idle_timeout(Duration::from_millis(1500))
        .absolute_timeout(Duration::from_secs(2));
    let app = session_app(config);
    let session = start_session(&app, None).await;
    assert!(
        cookie_attributes(&session.set_cookie)
            .iter()
            .any(|a| a == "Max-Age=2")
    );
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(session_get(&app, &session.cookie).await.status, StatusCode::OK);
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    // 2.2 s after login, 0.7 s after the last request (idle timeout 1.5 s).
    let r = session_get(&app, &session.cookie).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
}

#[tokio::test]
async fn unsafe_session_requests_need_the_csrf_token() {
    let app = session_app(dev_sessions());
    let session = start_session(&app, None).await;
    let other = start_session(&app, None).await;
    for method in ["POST", "PUT", "DELETE"] {
        let request = |token: Option<&str>| {
            let mut builder = with_cookie(method, "/session/me", &session.cookie);
            if let Some(token) = token {
                builder = builder.header("x-csrf-token", token);
            }
            builder.body(Body::empty()).unwrap()
        };
        let r = send(&app, request(None)).await;
        assert_error(&r, StatusCode::FORBIDDEN, "csrf_rejected");
        assert!(r.challenges().is_empty(), "{:?}", r.challenges());
        for wrong in [
            "wrong",
            "",
            &other.csrf,
            &session.csrf[..42],
            &format!("{}A", session.csrf),
        ] {
            let r = send(&app, request(Some(wrong))).await;
            assert_error(&r, StatusCode::FORBIDDEN, "csrf_rejected");
        }
        let r = send(&app, request(Some(&session.csrf))).await;
        assert_eq!(r.status, StatusCode::OK, "{method}: {:?}", r.body);
        assert_eq!(r.body, json!({"id": 1, "scheme": "session"}));
    }
    // Safe methods need no token.
    assert_eq!(session_get(&app, &session.cookie).await.status, StatusCode::OK);
}

#[tokio::test]
async fn cross_site_unsafe_requests_are_refused_even_with_the_token() {
    let app = session_app(dev_sessions());
    let session = start_session(&app, None).await;
    let post = |extra: &[(&str, &str)]| {
        let mut builder =
            with_cookie("POST", "/session/me", &session.cookie).header("x-csrf-token", &session.csrf);
        for (name, value) in extra {
            builder = builder.header(*name, *value);
        }
        builder.body(Body::empty()).unwrap()
    };
    for headers in [
        &[("origin", "https://evil.example")][..],
        &[("origin", "https://api.example.evil.example")],
        &[("origin", "null")],
        &[("sec-fetch-site", "cross-site")],
        &[("sec-fetch-site", "Cross-Site")],
        &[
            ("origin", "https://api.example"),
            ("sec-fetch-site", "cross-site"),
        ],
    ] {
        let r = send(&app, post(headers)).await;
        assert_error(&r, StatusCode::FORBIDDEN, "csrf_rejected");
        assert!(r.challenges().is_empty(), "{headers:?}");
    }
    // Same origin, and same-origin fetch metadata: allowed.
    for headers in [
        &[("origin", "https://api.example")][..],
        &[("sec-fetch-site", "same-origin")],
        &[
            ("origin", "https://api.example"),
            ("sec-fetch-site", "same-origin"),
        ],
    ] {
        let r = send(&app, post(headers)).await;
        assert_eq!(r.status, StatusCode::OK, "{headers:?}: {:?}", r.body);
    }
    // A GET is not checked.
    let r = send(
        &app,
        with_cookie("GET", "/session/me", &session.cookie)
            .header("origin", "https://evil.example")
            .header("sec-fetch-site", "cross-site")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

#[tokio::test]
async fn malformed_and_unknown_session_cookies_are_refused() {
    let app = session_app(dev_sessions());
    let session = start_session(&app, None).await;
    let id = session.cookie.split_once('=').unwrap().1;
    for malformed in [
        "portcullis_session=abc".to_owned(),
        format!("portcullis_session={id}A"),
        format!("portcullis_session={}", &id[..42]),
        format!("portcullis_session={}+", &id[..42]),
        "portcullis_session=".to_owned(),
        // The cookie twice: ambiguous.
        format!("{}; {}", session.cookie, session.cookie),
    ] {
        let r = session_get(&app, &malformed).await;
        assert_error(&r, StatusCode::UNAUTHORIZED, "invalid_request");
        let challenges = r.challenges();
        assert_eq!(challenges.len(), 1, "{challenges:?}");
        assert!(
            challenges[0].starts_with("Session realm=\"api\", error=\"invalid_request\""),
            "{malformed}: {challenges:?}"
        );
    }
    let unknown = format!("portcullis_session={}", URL_SAFE_NO_PAD.encode([9u8; 32]));
    let r = session_get(&app, &unknown).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
    assert!(
        r.challenges()[0].contains("error=\"invalid_credentials\""),
        "{:?}",
        r.challenges()
    );
    // No cookie at all.
    let r = send(&app, req("/session/me").body(Body::empty()).unwrap()).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "missing_credentials");
}

// ---------------------------------------------------------------------------------------------
// Fail closed: a lifecycle store that cannot answer never lets anyone in
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_throttle_store_that_is_down_fails_login_and_basic_with_503() {
    let app = app(builder()
        .throttle_store(Down)
        .sessions(dev_sessions())
        .build()
        .unwrap());
    assert_unavailable(&send(&app, login_request("alice", ALICE_PASSWORD)).await);
    assert_unavailable(&send(&app, login_request("alice", "wrong")).await);
    assert_unavailable(&send(&app, basic_request("alice", ALICE_PASSWORD)).await);
    assert_unavailable(&send(&app, session_login_request(None)).await);
}

#[tokio::test]
async fn a_failure_that_cannot_be_counted_is_503_not_401() {
    let app = app(builder().throttle_store(CannotRecordFailures).build().unwrap());
    assert_unavailable(&send(&app, login_request("alice", "wrong")).await);
    assert_unavailable(&send(&app, basic_request("alice", "wrong")).await);
    // Attempts are counted before the password is checked: an attempt that cannot be
    // counted is not checked at all, even with the right password.
    assert_unavailable(&send(&app, login_request("alice", ALICE_PASSWORD)).await);
}

#[tokio::test]
async fn a_refresh_store_that_is_down_fails_issuance_refresh_and_logout_with_503() {
    let app = app(builder().refresh_store(Down).build().unwrap());
    assert_unavailable(&send(&app, login_request("alice", ALICE_PASSWORD)).await);
    assert_unavailable(&send(&app, refresh_request(&URL_SAFE_NO_PAD.encode([1u8; 32]))).await);
    let access = hs256(&claims("1"));
    let r = send(
        &app,
        logout_request(&access, Some(&URL_SAFE_NO_PAD.encode([1u8; 32]))),
    )
    .await;
    assert_unavailable(&r);
}

#[tokio::test]
async fn a_session_store_that_is_down_fails_sessions_with_503() {
    let app = app(builder()
        .session_store(Down)
        .sessions(dev_sessions())
        .build()
        .unwrap());
    assert_unavailable(&send(&app, session_login_request(None)).await);
    let cookie = format!("portcullis_session={}", URL_SAFE_NO_PAD.encode([3u8; 32]));
    assert_unavailable(&session_get(&app, &cookie).await);
    let r = send(
        &app,
        with_cookie("POST", "/session/me", &cookie)
            .header("x-csrf-token", "anything")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_unavailable(&r);
}

#[tokio::test]
async fn a_session_that_cannot_be_destroyed_is_not_replaced_silently() {
    let store = CannotDestroySessions(portcullis::InMemorySessionStore::default());
    let app = app(builder()
        .session_store(store)
        .sessions(dev_sessions())
        .build()
        .unwrap());
    let session = start_session(&app, None).await;
    // A new login over an existing session must destroy it first (fixation): 503 when it cannot.
    assert_unavailable(&send(&app, session_login_request(Some(&session.cookie))).await);
    let r = send(
        &app,
        with_cookie("POST", "/session/logout", &session.cookie)
            .header("x-csrf-token", &session.csrf)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_unavailable(&r);
    assert!(
        r.headers.get(SET_COOKIE).is_none(),
        "a failed logout must not look like a logout"
    );
}

#[tokio::test]
async fn a_revocation_store_that_is_down_fails_tokens_with_a_jti_with_503() {
    let app = app(builder().revocations(Down).build().unwrap());
    assert_unavailable(&send(&app, bearer("/me", &hs256(&claims("1")))).await);
    let tokens = login_tokens(&app).await;
    assert_unavailable(&send(&app, bearer("/me", &tokens.access)).await);
}

#[tokio::test]
async fn every_store_down_at_once() {
    let app = app(builder().stores(Down).sessions(dev_sessions()).build().unwrap());
    assert_unavailable(&send(&app, login_request("alice", ALICE_PASSWORD)).await);
    assert_unavailable(&send(&app, refresh_request(&URL_SAFE_NO_PAD.encode([1u8; 32]))).await);
    assert_unavailable(&send(&app, session_login_request(None)).await);
    let cookie = format!("portcullis_session={}", URL_SAFE_NO_PAD.encode([3u8; 32]));
    assert_unavailable(&session_get(&app, &cookie).await);
    assert_unavailable(&send(&app, bearer("/me", &hs256(&claims("1")))).await);
    assert_unavailable(&send(&app, basic_request("alice", ALICE_PASSWORD)).await);
}

// ---------------------------------------------------------------------------------------------
// Start-up validation
// ---------------------------------------------------------------------------------------------

fn build_error(builder: PortcullisBuilder<User>) -> ConfigError {
    builder.build().expect_err("the configuration must be refused")
}

#[test]
fn issuing_tokens_needs_a_jwt_configuration() {
    let error = build_error(Portcullis::builder(users()).tokens(token_config()));
    assert!(matches!(error, ConfigError::Invalid(_)), "{error:?}");
}

#[test]
fn tokens_the_server_would_refuse_are_a_startup_error() {
    let refused = [
        ("issuer", token_config().issuer("https://someone-else.test")),
        (
            "no issuer",
            TokenConfig::hmac(SECRET, Algorithm::HS256).audience(AUDIENCE),
        ),
        ("audience", token_config().audience("another-api")),
        (
            "no audience",
            TokenConfig::hmac(SECRET, Algorithm::HS256).issuer(ISSUER),
        ),
        (
            "secret",
            TokenConfig::hmac(b"another-secret-0123456789-abcdefghij-KLM", Algorithm::HS256)
                .issuer(ISSUER)
                .audience(AUDIENCE),
        ),
        (
            "algorithm",
            TokenConfig::hmac(SECRET, Algorithm::HS512)
                .issuer(ISSUER)
                .audience(AUDIENCE),
        ),
        ("unknown kid", token_config().kid("nobody")),
    ];
    for (what, tokens) in refused {
        let error = build_error(Portcullis::builder(users()).jwt(jwt_config()).tokens(tokens));
        assert!(
            matches!(error, ConfigError::IssuedTokensRejected(_)),
            "{what}: {error:?}"
        );
    }
    // A JWT configuration that only knows a public key cannot verify HMAC-issued tokens.
    let rsa_only = JwtConfig::new()
        .key(JwtKey::pem(RSA_PUBLIC, Algorithm::RS256).with_kid("rsa-1"))
        .issuer(ISSUER)
        .audience(AUDIENCE);
    let error = build_error(Portcullis::builder(users()).jwt(rsa_only).tokens(token_config()));
    assert!(matches!(error, ConfigError::IssuedTokensRejected(_)), "{error:?}");
}

#[test]
fn lifecycle_settings_out_of_range_are_startup_errors() {
    let invalid = [
        (
            "zero access ttl",
            builder().tokens(token_config().access_ttl(Duration::ZERO)),
        ),
        (
            "zero refresh ttl",
            builder().tokens(token_config().refresh_ttl(Duration::ZERO)),
        ),
        (
            "zero failures",
            builder().throttle(ThrottleConfig::new().max_failures(0)),
        ),
        (
            "zero window",
            builder().throttle(ThrottleConfig::new().window(Duration::ZERO)),
        ),
        (
            "empty cookie name",
            builder().sessions(SessionConfig::new().cookie_name("")),
        ),
        (
            "cookie name with ;",
            builder().sessions(SessionConfig::new().cookie_name("a;b")),
        ),
        (
            "zero idle",
            builder().sessions(SessionConfig::new().idle_timeout(Duration::ZERO)),
        ),
        (
            "idle above absolute",
            builder().sessions(
                SessionConfig::new()
                    .idle_timeout(Duration::from_secs(60))
                    .absolute_timeout(Duration::from_secs(30)),
            ),
        ),
    ];
    for (what, builder) in invalid {
        let error = build_error(builder);
        assert!(matches!(error, ConfigError::Invalid(_)), "{what}: {error:?}");
    }
    // The defaults and a custom cookie name are fine.
    let p = builder()
        .sessions(SessionConfig::new().cookie_name("app-sid"))
        .build()
        .unwrap();
    assert_eq!(p.session_cookie_name(), "__Host-app-sid");
}

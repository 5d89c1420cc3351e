//! The credential lifecycle over HTTP (axum `Router` + `oneshot`): token issuance, refresh
//! rotation with RFC 9700 reuse detection, logout and revocation, password login with
//! equal failures and throttling (per user name, per client address, over HTTP Basic),
//! server-side sessions (cookie attributes, fixation, logout, idle and absolute expiry,
//! CSRF and same-site checks), fail-closed behaviour when a lifecycle store is down, and
//! the start-up checks of the token configuration.
//!
//! The application is assembled here from the routes of each sub-module, which declares
//! its handlers beside its tests.

mod cut_offs;
mod fail_closed;
mod fresh;
mod passwords;
mod sessions;
mod startup;
mod tokens;

use axum::Router;
use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::{Request, StatusCode};
use portcullis::{
    Algorithm, AuthError, InMemoryUserStore, Portcullis, PortcullisBuilder, Scheme, SessionConfig,
    TokenConfig, UserStore,
};
use serde_json::{Value, json};

use crate::support::*;

const JWT: &[Scheme] = &[Scheme::JWT];
const SESSION: &[Scheme] = &[Scheme::SESSION];

/// Renders a failure the way `#[auth]` routes do (the runtime decides status and headers).
fn refuse(p: &Portcullis<User>, error: AuthError, schemes: &[Scheme]) -> Response {
    p.refuse(error, schemes).into_response()
}

fn text<'a>(body: &'a Value, key: &str) -> &'a str {
    body[key].as_str().unwrap_or("")
}

/// Every route of the topic: tokens, password login over Basic, sessions.
fn app(p: Portcullis<User>) -> Router {
    Router::new()
        .merge(tokens::routes())
        .merge(passwords::routes())
        .merge(sessions::routes())
        .with_state(AppState { auth: p })
}

fn token_config() -> TokenConfig {
    issued_tokens()
}

fn token_builder() -> PortcullisBuilder<User> {
    Portcullis::builder(users())
        .jwt(jwt_config())
        .tokens(token_config())
}

fn token_app() -> Router {
    app(token_builder().build().unwrap())
}

fn dev_sessions() -> SessionConfig {
    SessionConfig::new().development(true)
}

// Requests.

fn json_post(uri: &str) -> http::request::Builder {
    Request::post(uri).header("content-type", "application/json")
}

fn login_request(username: &str, password: &str) -> Request<Body> {
    post_json("/login", &credentials(username, password))
}

fn refresh_request(token: &str) -> Request<Body> {
    post_json("/refresh", &json!({"refresh_token": token}))
}

async fn login_tokens(app: &Router) -> Tokens {
    let r = send(app, login_request("alice", ALICE_PASSWORD)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    tokens_of(&r)
}

async fn rotate(app: &Router, refresh_token: &str) -> Tokens {
    let r = send(app, refresh_request(refresh_token)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    tokens_of(&r)
}

fn basic_request(username: &str, password: &str) -> Request<Body> {
    req("/basic").basic(username, password).empty()
}

async fn me_status(app: &Router, access: &str) -> StatusCode {
    send(app, bearer("/me", access)).await.status
}

/// A user store the test keeps a handle on, to change users after start-up or to make
/// some of its operations fail for a while.
fn controlled_users() -> Faulty<InMemoryUserStore<User>> {
    Faulty::new(users())
}

async fn set_active(store: &Faulty<InMemoryUserStore<User>>, username: &str, active: bool) {
    let mut user = store.find_by_username(username).await.unwrap().unwrap();
    user.active = active;
    store.inner().insert(user);
}

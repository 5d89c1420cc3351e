//! Two server instances (two `Portcullis`, each with its own Redis connection) behind
//! one "load balancer": over HTTP, what one instance does, the other sees — login
//! throttling, sessions, refresh rotation with reuse detection, and logout
//! (revocation). Ignored without Redis (a failure with PORTCULLIS_REQUIRE_REDIS=1).
//!
//! Each scenario takes the two instances ([`instance`] over a store each), so that
//! `redis_cluster.rs` runs the same ones on a Redis Cluster.

use crate::redis_server::prefix;
use crate::services::redis_url;
use crate::support::*;
use axum::extract::{FromRef, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use http::{Request, StatusCode, header};
use portcullis::{AuthInfo, Portcullis, RedisStore, Scheme, SessionConfig, TokenConfig, auth, client_addr};
use serde_json::{Value, json};

#[derive(Clone, FromRef)]
struct Instance {
    auth: Portcullis<User>,
}

fn refuse(auth: &Portcullis<User>, error: portcullis::AuthError) -> Response {
    auth.refuse(error, &[Scheme::JWT]).into_response()
}

async fn login(State(auth): State<Portcullis<User>>, parts: Parts, Json(body): Json<Value>) -> Response {
    let (user, password) = (
        body["username"].as_str().unwrap_or(""),
        body["password"].as_str().unwrap_or(""),
    );
    match auth.login(user, password, client_addr(&parts)).await {
        Ok(done) => match auth.issue_tokens(&done.user, None).await {
            Ok(pair) => Json(pair).into_response(),
            Err(e) => refuse(&auth, e),
        },
        Err(e) => refuse(&auth, e),
    }
}

async fn refresh(State(auth): State<Portcullis<User>>, Json(body): Json<Value>) -> Response {
    match auth
        .refresh_tokens(body["refresh_token"].as_str().unwrap_or(""))
        .await
    {
        Ok((_, pair)) => Json(pair).into_response(),
        Err(e) => refuse(&auth, e),
    }
}

#[auth(jwt)]
async fn logout(
    _user: User,
    info: AuthInfo,
    State(auth): State<Portcullis<User>>,
    Json(body): Json<Value>,
) -> Response {
    match auth.logout(body["refresh_token"].as_str(), &info).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => refuse(&auth, e),
    }
}

async fn session_login(State(auth): State<Portcullis<User>>, parts: Parts) -> Response {
    let user = auth
        .login("alice", ALICE_PASSWORD, None)
        .await
        .expect("alice logs in")
        .user;
    let session = auth.start_session(&parts, &user).await.expect("session");
    (
        [(header::SET_COOKIE, session.set_cookie)],
        Json(json!({ "csrf_token": session.csrf_token })),
    )
        .into_response()
}

async fn session_logout(State(auth): State<Portcullis<User>>, parts: Parts) -> Response {
    let cleared = auth.end_session(&parts).await.expect("session store up");
    (StatusCode::NO_CONTENT, [(header::SET_COOKIE, cleared)]).into_response()
}

#[auth(jwt, session)]
async fn me(user: User, info: AuthInfo) -> Json<Value> {
    Json(json!({ "id": user.id, "scheme": info.scheme().as_str() }))
}

/// One server instance over `store`: login, refresh, logout, session login and logout,
/// and `/me` (JWT or session).
pub fn instance(store: RedisStore) -> Router {
    let auth = Portcullis::builder(users())
        .jwt(jwt_config())
        .tokens(
            TokenConfig::hmac(SECRET, jsonwebtoken::Algorithm::HS256)
                .issuer(ISSUER)
                .audience(AUDIENCE),
        )
        .sessions(SessionConfig::new().development(true))
        .stores(store)
        .build()
        .expect("valid configuration");
    Router::new()
        .route("/login", post(login))
        .route("/refresh", post(refresh))
        .route("/logout", post(logout))
        .route("/session/login", post(session_login))
        .route("/session/logout", post(session_logout))
        .route("/me", get(me))
        .with_state(Instance { auth })
}

/// Two instances on one Redis (same prefix, separate connections).
async fn two_instances() -> (Router, Router) {
    let url = redis_url();
    let prefix = prefix();
    let a = RedisStore::connect(&url, &prefix)
        .await
        .unwrap_or_else(|e| panic!("connect to Redis at {url}: {e}"));
    let b = RedisStore::connect(&url, &prefix)
        .await
        .expect("second connection");
    (instance(a), instance(b))
}

fn json_post(uri: &str, body: Value) -> Request<axum::body::Body> {
    Request::post(uri)
        .header("content-type", "application/json")
        .body(body.to_string().into())
        .unwrap()
}

pub async fn throttling_is_shared() {
    throttling(two_instances().await).await;
}

pub async fn refresh_rotation_and_logout_are_shared() {
    refresh_rotation_and_logout(two_instances().await).await;
}

pub async fn sessions_are_shared() {
    sessions(two_instances().await).await;
}

/// Failed logins on either instance count against one limit.
pub async fn throttling((a, b): (Router, Router)) {
    for attempt in 1..=5 {
        let app = if attempt % 2 == 0 { &a } else { &b };
        let r = send(
            app,
            json_post("/login", json!({"username": "alice", "password": "wrong"})),
        )
        .await;
        assert_eq!(r.status, 401, "attempt {attempt}: {:?}", r.body);
    }
    // The sixth attempt, on either instance, is throttled — with the right password too.
    for app in [&a, &b] {
        let r = send(
            app,
            json_post("/login", json!({"username": "alice", "password": ALICE_PASSWORD})),
        )
        .await;
        assert_eq!(r.status, 429, "{:?}", r.body);
        let retry: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=900).contains(&retry), "{retry}");
    }
}

/// A rotation on one instance makes the older token a reuse on the other; a logout on
/// one revokes the access token on the other.
pub async fn refresh_rotation_and_logout((a, b): (Router, Router)) {
    let r = send(
        &a,
        json_post("/login", json!({"username": "alice", "password": ALICE_PASSWORD})),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let first = r.body["refresh_token"].as_str().unwrap().to_owned();
    // Rotated on B...
    let r = send(&b, json_post("/refresh", json!({"refresh_token": first}))).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let (access, second) = (
        r.body["access_token"].as_str().unwrap().to_owned(),
        r.body["refresh_token"].as_str().unwrap().to_owned(),
    );
    // ...so A sees the first token as spent: reuse, and the family (refresh and access
    // tokens) dies on both.
    let r = send(&a, json_post("/refresh", json!({"refresh_token": first}))).await;
    assert_eq!(r.status, 401, "{:?}", r.body);
    let r = send(&b, json_post("/refresh", json!({"refresh_token": second}))).await;
    assert_eq!(r.status, 401, "{:?}", r.body);
    // The reuse ended the family's access tokens too, on both instances.
    let r = send(&b, bearer("/me", &access)).await;
    assert_eq!(r.status, 401, "{:?}", r.body);
    assert_eq!(r.body["message"], "the token has been revoked");
    // Logout on A revokes a fresh family's access token everywhere.
    let r = send(
        &a,
        json_post("/login", json!({"username": "alice", "password": ALICE_PASSWORD})),
    )
    .await;
    let access = r.body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(send(&b, bearer("/me", &access)).await.status, 200);
    let mut out = json_post("/logout", json!({}));
    out.headers_mut()
        .insert("authorization", format!("Bearer {access}").parse().unwrap());
    assert_eq!(send(&a, out).await.status, 204);
    let r = send(&b, bearer("/me", &access)).await;
    assert_eq!(r.status, 401, "{:?}", r.body);
    assert_eq!(r.body["message"], "the token has been revoked");
}

/// A session started on one instance works on the other, until it ends on either.
pub async fn sessions((a, b): (Router, Router)) {
    let r = send(
        &a,
        Request::post("/session/login")
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let cookie = r.headers["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let r = send(
        &b,
        req("/me")
            .header("cookie", &cookie)
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(
        (r.status, r.body["scheme"].clone()),
        (StatusCode::OK, json!("session")),
        "{:?}",
        r.body
    );
    // Logged out on B: gone on A too.
    let r = send(
        &b,
        Request::post("/session/logout")
            .header("cookie", &cookie)
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 204);
    let r = send(
        &a,
        req("/me")
            .header("cookie", &cookie)
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 401, "{:?}", r.body);
}

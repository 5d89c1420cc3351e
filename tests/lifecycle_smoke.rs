//! smoke
mod support;

use axum::extract::{FromRef, State};
use axum::http::request::Parts;
use axum::routing::{get, post};
use axum::{Json, Router};
use http::{Request, StatusCode};
use portcullis::{AuthInfo, Portcullis, SessionConfig, TokenConfig, auth};
use serde_json::{Value, json};
use support::*;

#[derive(Clone, FromRef)]
struct St {
    auth: Portcullis<User>,
}

async fn login(State(p): State<Portcullis<User>>, Json(body): Json<Value>) -> Result<Json<Value>, axum::response::Response> {
    let res = p.login(body["username"].as_str().unwrap(), body["password"].as_str().unwrap(), None).await;
    match res {
        Ok(l) => Ok(Json(serde_json::to_value(p.issue_tokens(&l.user, None).await.unwrap()).unwrap())),
        Err(e) => Err(p.reject(e, portcullis::SchemeList::decode(portcullis::SchemeList::encode(&[portcullis::Scheme::Jwt]))).map(axum::body::Body::from)),
    }
}

async fn refresh(State(p): State<Portcullis<User>>, Json(body): Json<Value>) -> (StatusCode, Json<Value>) {
    match p.refresh_tokens(body["refresh_token"].as_str().unwrap()).await {
        Ok((_, pair)) => (StatusCode::OK, Json(serde_json::to_value(pair).unwrap())),
        Err(e) => (e.status(), Json(json!({"error": e.code()}))),
    }
}

#[auth(jwt)]
async fn logout(user: User, info: AuthInfo, State(p): State<Portcullis<User>>, Json(body): Json<Value>) -> StatusCode {
    let _ = user;
    p.logout(body["refresh_token"].as_str(), &info).await.unwrap();
    StatusCode::NO_CONTENT
}

async fn session_login(State(p): State<Portcullis<User>>, parts: Parts) -> (StatusCode, [(http::HeaderName, http::HeaderValue); 1], Json<Value>) {
    let user = p.login("alice", ALICE_PASSWORD, None).await.unwrap().user;
    let s = p.start_session(&parts, &user).await.unwrap();
    (StatusCode::OK, [(http::header::SET_COOKIE, s.set_cookie)], Json(json!({"csrf_token": s.csrf_token})))
}

#[auth(jwt, session)]
async fn me(user: User, info: AuthInfo) -> Json<Value> {
    Json(json!({"id": user.id, "scheme": info.scheme().as_str()}))
}

#[tokio::test]
async fn lifecycle() {
    let p = Portcullis::builder(users())
        .jwt(jwt_config())
        .tokens(TokenConfig::hmac(SECRET, jsonwebtoken::Algorithm::HS256).issuer(ISSUER).audience(AUDIENCE))
        .sessions(SessionConfig::new().development(true))
        .build()
        .unwrap();
    let app = Router::new()
        .route("/login", post(login))
        .route("/refresh", post(refresh))
        .route("/logout", post(logout))
        .route("/session", post(session_login))
        .route("/me", get(me).post(me))
        .with_state(St { auth: p });
    let post_json = |uri: &str, body: Value| Request::post(uri).header("content-type", "application/json").body(axum::body::Body::from(body.to_string())).unwrap();
    let r = send(&app, post_json("/login", json!({"username": "alice", "password": ALICE_PASSWORD}))).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let access = r.body["access_token"].as_str().unwrap().to_owned();
    let refresh1 = r.body["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(send(&app, bearer("/me", &access)).await.status, 200);
    let r = send(&app, post_json("/refresh", json!({"refresh_token": refresh1}))).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let refresh2 = r.body["refresh_token"].as_str().unwrap().to_owned();
    let r = send(&app, post_json("/refresh", json!({"refresh_token": refresh1}))).await;
    assert_eq!(r.status, 401, "reuse");
    let r = send(&app, post_json("/refresh", json!({"refresh_token": refresh2}))).await;
    assert_eq!(r.status, 401, "family revoked");
    let mut out = post_json("/logout", json!({}));
    out.headers_mut().insert("authorization", format!("Bearer {access}").parse().unwrap());
    assert_eq!(send(&app, out).await.status, 204);
    assert_eq!(send(&app, bearer("/me", &access)).await.status, 401);
    // throttle
    for i in 0..5 {
        let r = send(&app, post_json("/login", json!({"username": "alice", "password": "wrong"}))).await;
        assert_eq!(r.status, 401, "{i}");
    }
    let r = send(&app, post_json("/login", json!({"username": "alice", "password": ALICE_PASSWORD}))).await;
    assert_eq!(r.status, 429);
    println!("{:?}", r.headers.get("retry-after"));
    // session
    let p2 = Portcullis::builder(users()).sessions(SessionConfig::new().development(true)).build().unwrap();
    let app2 = Router::new().route("/session", post(session_login)).route("/me", get(me).post(me)).with_state(St { auth: p2 });
    let r = send(&app2, Request::post("/session").body(axum::body::Body::empty()).unwrap()).await;
    let cookie = r.headers.get("set-cookie").unwrap().to_str().unwrap().to_owned();
    println!("{cookie}");
    let csrf = r.body["csrf_token"].as_str().unwrap().to_owned();
    let pair = cookie.split(';').next().unwrap().to_owned();
    let r = send(&app2, req("/me").header("cookie", &pair).body(axum::body::Body::empty()).unwrap()).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = send(&app2, Request::post("/me").header("cookie", &pair).body(axum::body::Body::empty()).unwrap()).await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    let r = send(&app2, Request::post("/me").header("cookie", &pair).header("x-csrf-token", &csrf).body(axum::body::Body::empty()).unwrap()).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

//! JWT token locations: the header (default), a cookie (with the session's CSRF and
//! Origin checks on unsafe methods) and an opt-in query parameter.

use axum::Router;
use axum::body::Body;
use axum::extract::FromRef;
use axum::routing::get;
use http::StatusCode;
use portcullis::{Portcullis, auth};
use serde_json::json;

use crate::support::{self, User};

#[derive(Clone, FromRef)]
struct State {
    auth: Portcullis<User>,
}

#[auth(jwt)]
async fn me(user: User) -> String {
    user.username
}

fn app() -> Router {
    let auth = Portcullis::builder(support::users())
        .jwt(
            support::jwt_config()
                .cookie("access_token")
                .query_param("access_token"),
        )
        .build()
        .unwrap();
    Router::new()
        .route("/me", get(me).post(me))
        .with_state(State { auth })
}

fn token_with_csrf(sub: &str, csrf: &str) -> String {
    let mut claims = support::claims(sub);
    claims["csrf"] = json!(csrf);
    support::hs256(&claims)
}

fn with_cookie(method: &str, token: &str) -> http::request::Builder {
    support::req("/me")
        .method(method)
        .header("cookie", format!("theme=dark; access_token={token}"))
}

#[tokio::test]
async fn a_token_in_the_cookie_authenticates_safe_requests() {
    let token = token_with_csrf("2", "c-123");
    let reply = support::send(&app(), with_cookie("GET", &token).body(Body::empty()).unwrap()).await;
    assert_eq!((reply.status, reply.body.as_str()), (StatusCode::OK, Some("bob")));
}

#[tokio::test]
async fn an_unsafe_request_with_a_cookie_token_needs_the_csrf_header() {
    let app = app();
    let token = token_with_csrf("2", "c-123");
    let reply = support::send(&app, with_cookie("POST", &token).body(Body::empty()).unwrap()).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.body["error"], "csrf_rejected");

    let wrong = with_cookie("POST", &token).header("x-csrf-token", "c-999");
    assert_eq!(
        support::send(&app, wrong.body(Body::empty()).unwrap())
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    let right = with_cookie("POST", &token).header("x-csrf-token", "c-123");
    let reply = support::send(&app, right.body(Body::empty()).unwrap()).await;
    assert_eq!((reply.status, reply.body.as_str()), (StatusCode::OK, Some("bob")));
}

#[tokio::test]
async fn an_unsafe_cross_site_request_with_a_cookie_token_is_refused() {
    let token = token_with_csrf("2", "c-123");
    let request = with_cookie("POST", &token)
        .header("x-csrf-token", "c-123")
        .header("host", "api.example.com")
        .header("origin", "https://evil.example")
        .body(Body::empty())
        .unwrap();
    let reply = support::send(&app(), request).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.body["error"], "csrf_rejected");
}

#[tokio::test]
async fn a_cookie_token_without_a_csrf_claim_cannot_make_unsafe_requests() {
    let token = support::hs256(&support::claims("2"));
    let request = with_cookie("POST", &token)
        .header("x-csrf-token", "")
        .body(Body::empty())
        .unwrap();
    assert_eq!(support::send(&app(), request).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_header_needs_no_csrf_check() {
    let token = support::hs256(&support::claims("2"));
    let mut request = support::bearer("/me", &token);
    *request.method_mut() = http::Method::POST;
    assert_eq!(support::send(&app(), request).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_token_in_the_query_authenticates() {
    let token = support::hs256(&support::claims("1"));
    let request = support::req(&format!("/me?stream=1&access_token={token}"))
        .body(Body::empty())
        .unwrap();
    let reply = support::send(&app(), request).await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (StatusCode::OK, Some("alice"))
    );
}

#[tokio::test]
async fn the_query_is_off_unless_configured() {
    let auth = Portcullis::builder(support::users())
        .jwt(support::jwt_config())
        .build()
        .unwrap();
    let app = Router::new().route("/me", get(me)).with_state(State { auth });
    let token = support::hs256(&support::claims("1"));
    let request = support::req(&format!("/me?access_token={token}"))
        .body(Body::empty())
        .unwrap();
    let reply = support::send(&app, request).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.body["error"], "missing_credentials");
}

#[tokio::test]
async fn a_token_in_two_places_is_refused() {
    let app = app();
    let token = support::hs256(&support::claims("1"));
    let mut both = support::bearer(&format!("/me?access_token={token}"), &token);
    let reply = support::send(&app, both).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.body["error"], "invalid_request");

    both = support::bearer("/me", &token);
    both.headers_mut()
        .insert("cookie", format!("access_token={token}").parse().unwrap());
    let reply = support::send(&app, both).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.body["error"], "invalid_request");
}

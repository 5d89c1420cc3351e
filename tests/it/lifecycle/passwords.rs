//! Password login: equal failures, and throttling per user name and per client address,
//! over the JSON login and over HTTP Basic.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::routing::get;
use axum::{Json, Router};
use http::header::RETRY_AFTER;
use portcullis::{AuthInfo, ClientAddr, ThrottleConfig, auth};

use crate::support::*;

use super::*;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/basic", get(basic_me))
}

#[auth(basic)]
async fn basic_me(user: User, info: AuthInfo) -> Json<Value> {
    Json(json!({"id": user.id, "scheme": info.scheme().as_str()}))
}

/// Like [`token_app`], with the per-address limit lowered to the per-name one (the
/// default is 20) so that address throttling shows after 5 failures.
fn per_address_app() -> Router {
    app(token_builder()
        .throttle(ThrottleConfig::new().max_failures_per_address(5))
        .build()
        .unwrap())
}

fn login_from(username: &str, password: &str, ip: &str) -> Request<Body> {
    json_post("/login")
        .extension(ClientAddr(ip.parse::<IpAddr>().unwrap()))
        .body(Body::from(credentials(username, password).to_string()))
        .unwrap()
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
    assert_eq!(wrong.0.status, StatusCode::UNAUTHORIZED);
    let body: Value = serde_json::from_slice(&wrong.1).unwrap();
    assert_eq!(body["error"], "invalid_credentials");
    assert_eq!(body["message"], "invalid user name or password");
    assert!(wrong.0.headers.contains_key("www-authenticate"));
    for other in [&unknown, &no_hash, &empty] {
        assert_eq!(other.0.status, wrong.0.status);
        assert_eq!(other.0.headers, wrong.0.headers, "headers differ");
        assert_eq!(other.1, wrong.1, "bodies differ");
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
        expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
        assert_eq!(r.headers.get(RETRY_AFTER), None, "attempt {attempt}");
    }
    let r = send(&app, login_request("alice", ALICE_PASSWORD)).await;
    assert_throttled(&r, 15 * 60);
    let r = send(&app, login_request("alice", "wrong-password")).await;
    assert_throttled(&r, 15 * 60);
    // Another user name is not affected (no client address here).
    expect_error(
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
        expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
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
        expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
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
    expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
    let r = send(&app, login_from("alice", ALICE_PASSWORD, "2001:db8::1")).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

#[tokio::test]
async fn the_client_address_falls_back_to_connect_info() {
    let app = per_address_app();
    let from = |user: &str, password: &str, peer: &str, client: Option<&str>| {
        let mut builder = json_post("/login").extension(ConnectInfo(
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
        expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
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
    let app = app(token_builder().throttle(throttle).build().unwrap());
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

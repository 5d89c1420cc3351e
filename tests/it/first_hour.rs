//! What a new user reaches for in the first hour, over HTTP: users added to an
//! in-memory store after the gate is built, generated API keys, a login handler of
//! one's own that answers with the library's refusals, and the warning when logins
//! arrive without the client's address.

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::request::Parts;
use axum::routing::{get, post};
use axum::{Json, body::Body};
use http::{Request, StatusCode};
use portcullis::{AuthInfo, Portcullis, Refusal, Scheme, auth, generate_api_key, hash_api_key};
use serde_json::{Value, json};

use crate::support::*;

#[auth(api_key, basic)]
async fn me(user: User, info: AuthInfo) -> Json<Value> {
    Json(json!({"id": user.id, "scheme": info.scheme().as_str()}))
}

/// A login of the application's own: the throttled password check with the client
/// address, the library's 401/429 as the answer.
async fn login(
    State(auth): State<Portcullis<User>>,
    parts: Parts,
    Json(body): Json<Value>,
) -> Result<Json<Value>, Refusal> {
    let name = body["username"].as_str().unwrap_or_default();
    let password = body["password"].as_str().unwrap_or_default();
    let logged_in = auth
        .login(name, password, auth.client_ip(&parts))
        .await
        .map_err(|e| auth.refuse(e, &[Scheme::JWT]))?;
    Ok(Json(json!({"id": logged_in.user.id})))
}

fn app(auth: Portcullis<User>) -> Router {
    Router::new()
        .route("/me", get(me))
        .route("/login", post(login))
        .with_state(AppState { auth })
}

#[tokio::test]
async fn users_added_after_build_authenticate() {
    let store = users();
    let app = app(builder(store.clone()).build().unwrap());
    let key = generate_api_key("pk_test_").unwrap();
    assert!(
        key.key().starts_with("pk_test_") && key.key().len() == 8 + 43,
        "{}",
        key.key()
    );
    assert_eq!(key.hash(), hash_api_key(key.key()));
    let r = send(&app, req("/me").header("x-api-key", key.key()).empty()).await;
    expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");

    store.insert(User {
        id: 9,
        username: "nina".into(),
        roles: "user".into(),
        password_hash: None,
        active: true,
    });
    store.add_api_key(&9, key.key());
    let r = send(&app, req("/me").header("x-api-key", key.key()).empty()).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body, json!({"id": 9, "scheme": "api_key"}));
    assert!(
        !format!("{key:?}").contains(key.key()),
        "Debug shows the key: {key:?}"
    );
    let r = send(&app, req("/me").header("x-api-key", "pk_test_nope").empty()).await;
    expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
}

#[tokio::test]
async fn a_bad_api_key_prefix_is_refused() {
    for prefix in ["has space", "way-too-long-prefix-", "ünï"] {
        let error = generate_api_key(prefix).expect_err(prefix);
        assert_eq!(error.status(), StatusCode::BAD_REQUEST, "{prefix}");
    }
}

#[tokio::test]
async fn an_own_login_handler_answers_with_the_library_refusals() {
    let app = app(portcullis());
    let login_as = |password: &str, from: &str| {
        let mut request = Request::post("/login")
            .header("content-type", "application/json")
            .body(Body::from(
                json!({"username": "alice", "password": password}).to_string(),
            ))
            .unwrap();
        request
            .extensions_mut()
            .insert(portcullis::ClientAddr(from.parse().unwrap()));
        request
    };
    let r = send(&app, login_as(ALICE_PASSWORD, "203.0.113.9")).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body, json!({"id": 1}));
    let r = send(&app, login_as("wrong-password-1", "203.0.113.9")).await;
    expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
    assert_eq!(r.challenges(), ["Bearer realm=\"api\""]);
    // The per-address limit counts this client's failures across user names.
    let mut last = None;
    for _ in 0..60 {
        let r = send(&app, login_as("wrong-password-1", "203.0.113.9")).await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            last = Some(r);
            break;
        }
    }
    let r = last.expect("throttled within 60 failures");
    expect_error(&r, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    assert!(r.header("retry-after").parse::<u64>().unwrap() > 0);
}

/// A writer into a shared buffer, for the log lines of one test.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[tokio::test]
async fn logins_without_the_client_address_warn_once() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::WARN)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let with_address = portcullis();
    let _ = with_address
        .login("alice", ALICE_PASSWORD, Some("203.0.113.5".parse().unwrap()))
        .await
        .unwrap();
    assert!(
        !captured.text().contains("client's address"),
        "{}",
        captured.text()
    );

    let without = portcullis();
    for _ in 0..3 {
        let _ = without.login("alice", ALICE_PASSWORD, None).await.unwrap();
    }
    let text = captured.text();
    assert_eq!(
        text.matches("per-address login throttling is off").count(),
        1,
        "{text}"
    );
    assert!(text.contains("into_make_service_with_connect_info"), "{text}");
}

//! The built-ins with the application's verifiers: Basic checked by a directory bind
//! instead of the stored hash, an API key handed raw to a validator.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::Body;
use axum::extract::FromRef;
use axum::routing::get;
use http::StatusCode;
use portcullis::{
    ApiKeyConfig, ApiKeyValidator, AuthInfo, PasswordVerifier, Portcullis, StoreError, ThrottleConfig,
    async_trait, auth,
};

use crate::support::{self, User};

#[derive(Clone, FromRef)]
struct State {
    auth: Portcullis<User>,
}

#[auth(basic, api_key)]
async fn me(user: User, info: AuthInfo) -> String {
    format!("{} {}", user.username, info.scheme())
}

/// A directory: `bob` binds with his directory password (he has no stored hash).
struct Directory {
    binds: Arc<AtomicUsize>,
}

#[async_trait]
impl PasswordVerifier for Directory {
    async fn verify(&self, username: &str, password: &str) -> Result<Option<String>, StoreError> {
        self.binds.fetch_add(1, Ordering::SeqCst);
        match (username, password) {
            ("bob", "directory-password") => Ok(Some("2".into())),
            ("down", _) => Err(StoreError::new("directory unreachable")),
            _ => Ok(None),
        }
    }
}

/// Keys `pk_<user>_<secret>`: the prefix names the user, the rest is checked slowly.
struct PrefixedKeys;

#[async_trait]
impl ApiKeyValidator for PrefixedKeys {
    async fn validate(&self, key: &str) -> Result<Option<String>, StoreError> {
        let Some(rest) = key.strip_prefix("pk_") else {
            return Ok(None);
        };
        match rest.split_once('_') {
            Some(("1", "alice-secret-0123456789")) => Ok(Some("1".into())),
            Some(("9", _)) => Err(StoreError::new("key service down")),
            _ => Ok(None),
        }
    }
}

fn app(binds: Arc<AtomicUsize>) -> Router {
    let auth = Portcullis::builder(support::users())
        .password_verifier(Directory { binds })
        .api_key(ApiKeyConfig::new().validator(PrefixedKeys))
        .throttle(ThrottleConfig::new().max_failures(2))
        .build()
        .unwrap();
    Router::new().route("/me", get(me)).with_state(State { auth })
}

fn basic(user: &str, password: &str) -> http::Request<Body> {
    use base64::Engine;
    let value = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    support::req("/me")
        .header("authorization", format!("Basic {value}"))
        .body(Body::empty())
        .unwrap()
}

fn key(value: &str) -> http::Request<Body> {
    support::req("/me")
        .header("x-api-key", value)
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn basic_is_checked_by_the_directory_not_the_stored_hash() {
    let binds = Arc::new(AtomicUsize::new(0));
    let app = app(Arc::clone(&binds));
    let reply = support::send(&app, basic("bob", "directory-password")).await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (StatusCode::OK, Some("bob basic"))
    );
    // alice's stored argon2 hash is not consulted: her real password fails.
    let reply = support::send(&app, basic("alice", support::ALICE_PASSWORD)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.body["error"], "invalid_credentials");
    assert_eq!(binds.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn the_directory_is_still_throttled_and_its_failure_is_503() {
    let binds = Arc::new(AtomicUsize::new(0));
    let app = app(Arc::clone(&binds));
    for _ in 0..2 {
        assert_eq!(
            support::send(&app, basic("carol", "guess")).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let reply = support::send(&app, basic("carol", "guess")).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(reply.headers.contains_key("retry-after"));
    assert_eq!(
        binds.load(Ordering::SeqCst),
        2,
        "a throttled attempt never reaches the directory"
    );
    let reply = support::send(&app, basic("down", "x")).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn api_keys_go_raw_to_the_validator() {
    let app = app(Arc::new(AtomicUsize::new(0)));
    let reply = support::send(&app, key("pk_1_alice-secret-0123456789")).await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (StatusCode::OK, Some("alice api_key"))
    );
    // The user store's hashed keys are not consulted when a validator is set.
    let reply = support::send(&app, key(support::BOB_KEY)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.body["error"], "invalid_credentials");
    let reply = support::send(&app, key("pk_9_anything")).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
}

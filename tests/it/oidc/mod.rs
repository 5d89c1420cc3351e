//! Identity providers (feature `oidc`) against a fixture provider served by each test
//! itself ([`fixture`]): an axum server on `127.0.0.1:0` whose discovery document and
//! key set the test controls and whose hits it counts. (A separate suite runs against
//! a real OpenID provider, oidc-provider on Node.js in `tests/idp/`.) Here: what a
//! real provider cannot be made to do — garbage, oversized and keyless key sets,
//! rotation on demand, key types without `alg`, each preset's token shape, several
//! issuers, forged key ids by the hundred and the classic JWT attacks aimed at keys
//! fetched from a URL.
//!
//! Waiting for a background fetch is always a poll with a deadline ([`eventually`]);
//! the only fixed waits are the windows in which a test asserts that nothing happens.

mod attacks;
mod basics;
mod cached;
mod config;
mod fixture;
mod issuers;
mod key_types;
mod options;
mod presets;
mod refresh;
mod storm;

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::routing::get;
use axum::{Json, Router};
use http::StatusCode;
use portcullis::identity::{ClaimsMapping, ClaimsUser, IdentityProvider};
use portcullis::{AuthInfo, AuthUser, Portcullis, auth, permissions, require};
use serde_json::{Value, json};

use crate::support::{Reply, bearer, now, send};
pub use fixture::{Answer, Fixture, Key};

/// The audience the fixture's tokens are for.
pub const API: &str = "my-api";

// The reasons the runtime gives (JSON `message`, challenge `error_description`).
pub const UNKNOWN_KEY: &str = "the token names an unknown key";
pub const BAD_SIGNATURE: &str = "the token's signature is invalid";
pub const ALG_NOT_ALLOWED: &str = "the token's algorithm is not allowed for its key";
pub const BAD_AUDIENCE: &str = "the token's audience is not accepted";
pub const EXPIRED: &str = "the token has expired";
pub const NO_EXPIRY: &str = "the token has no expiry (exp)";
pub const NO_SUBJECT: &str = "the token has no valid subject (sub)";
pub const BAD_TYP: &str = "the token header's typ is not JWT or at+jwt";
pub const UNSIGNED: &str = "unsigned tokens are refused";
pub const NAMES_OWN_KEY: &str = "tokens naming their own key (jku, jwk, x5u, x5c) are refused";
pub const BAD_KID: &str = "the token's key id is invalid";
pub const NOT_PROVIDER_ACCESS: &str = "the token is not an access token of its provider";

/// How long a test waits for something that should happen in the background.
const DEADLINE: Duration = Duration::from_secs(10);

#[auth(jwt)]
async fn me(user: ClaimsUser, info: AuthInfo) -> Json<Value> {
    Json(json!({
        "id": user.id(),
        "name": user.name(),
        "roles": user.role_names(),
        "permissions": user.permission_names(),
        "scopes": user.scopes(),
        "provider": info.provider(),
    }))
}

#[auth(jwt)]
#[require(role = "admin")]
async fn admin(user: ClaimsUser) -> String {
    format!("admin {}", user.id())
}

#[auth(jwt)]
#[permissions("reports:read")]
async fn reports(user: ClaimsUser) -> String {
    format!("reports {}", user.id())
}

#[auth(jwt)]
#[require(scope = "posts:write")]
async fn write(user: ClaimsUser) -> String {
    format!("write {}", user.id())
}

/// `/me` (the mapped user and the provider), `/admin` (role `admin`), `/reports`
/// (permission `reports:read`), `/write` (scope `posts:write`).
pub fn router(auth: Portcullis<ClaimsUser>) -> Router {
    Router::new()
        .route("/me", get(me))
        .route("/admin", get(admin))
        .route("/reports", get(reports))
        .route("/write", get(write))
        .with_state(auth)
}

/// The fixture as a provider: discovery, audience [`API`], plain HTTP on loopback,
/// refetch on unknown `kid` at most every second.
pub fn provider(fixture: &Fixture) -> IdentityProvider {
    IdentityProvider::discover(&fixture.issuer)
        .audience(API)
        .allow_http_on_loopback()
        .refetch_interval(Duration::from_secs(1))
}

/// A claims-only `Portcullis` with `provider` as its only token issuer.
pub fn build(provider: IdentityProvider) -> Portcullis<ClaimsUser> {
    Portcullis::claims_only(ClaimsMapping::new())
        .identity_provider(provider)
        .build()
        .unwrap()
}

/// Waits until the background refresh fetched the fixture's key set and the
/// provider holds it. (The first fetch is left to the refresh task, so that the hit
/// counts the tests compare start from exactly one fetch.)
pub async fn ready(auth: &Portcullis<ClaimsUser>, fixtures: &[&Fixture]) {
    for fixture in fixtures {
        eventually("the first key-set fetch", || async { fixture.jwks_hits() >= 1 }).await;
    }
    auth.wait_for_identity_providers(DEADLINE)
        .await
        .expect("the provider's keys");
}

/// [`build`] and [`ready`], as a router.
pub async fn app(fixture: &Fixture, provider: IdentityProvider) -> Router {
    let auth = build(provider);
    ready(&auth, &[fixture]).await;
    router(auth)
}

/// Polls `condition` every 20 ms until it holds; panics after [`DEADLINE`].
pub async fn eventually<F, Fut>(what: &str, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let start = Instant::now();
    while !condition().await {
        assert!(start.elapsed() < DEADLINE, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// `GET uri` with `token`.
pub async fn get_with(app: &Router, uri: &str, token: &str) -> Reply {
    send(app, bearer(uri, token)).await
}

/// `GET /me` with `token`.
pub async fn me_with(app: &Router, token: &str) -> Reply {
    get_with(app, "/me", token).await
}

/// 200 from `/me` for the user `sub` vouched for by `issuer`; returns the body.
#[track_caller]
pub fn assert_user(r: &Reply, sub: &str, issuer: &str) -> Value {
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["id"], sub, "{:?}", r.body);
    assert_eq!(r.body["provider"], issuer, "{:?}", r.body);
    assert!(r.challenges().is_empty(), "{:?}", r.challenges());
    r.body.clone()
}

/// 401 `invalid_token` for `message`: exactly the Bearer challenge and body.
#[track_caller]
pub fn assert_refused(r: &Reply, message: &str) {
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "expected 401 ({message}): {:?}",
        r.body
    );
    assert_eq!(
        r.challenges(),
        [format!(
            "Bearer realm=\"api\", error=\"invalid_token\", error_description=\"{message}\""
        )]
    );
    assert_eq!(r.body, json!({"error": "invalid_token", "message": message}));
}

/// 403 for the unmet `requirement`, with the RFC 6750 `insufficient_scope` challenge.
#[track_caller]
pub fn assert_denied(r: &Reply, requirement: &str) {
    crate::support::expect_error(r, StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(r.body["message"], format!("missing requirement: {requirement}"));
    assert_eq!(
        r.challenges(),
        [r#"Bearer realm="api", error="insufficient_scope""#]
    );
}

/// 200 with the handler's text.
#[track_caller]
pub fn assert_text(r: &Reply, text: &str) {
    assert_eq!(
        (r.status, r.body.as_str()),
        (StatusCode::OK, Some(text)),
        "{:?}",
        r.body
    );
}

/// A random key id nobody published.
pub fn forged_kid() -> String {
    let mut bytes = [0u8; 12];
    aws_lc_rs::rand::fill(&mut bytes).unwrap();
    format!("forged-{}", crate::support::b64(bytes))
}

/// Valid access-token claims of `issuer` for `sub`, for the audience [`API`].
pub fn claims_of(issuer: &str, sub: &str) -> Value {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    json!({
        "iss": issuer, "sub": sub, "aud": API,
        "iat": now(), "exp": now() + 600,
        "jti": format!("jti-{}", NEXT.fetch_add(1, Ordering::Relaxed)),
    })
}

/// `claims` with `changes` applied (`null` removes a claim).
pub fn with(mut claims: Value, changes: Value) -> Value {
    let object = claims.as_object_mut().unwrap();
    for (name, value) in changes.as_object().unwrap() {
        match value {
            Value::Null => object.remove(name),
            value => object.insert(name.clone(), value.clone()),
        };
    }
    claims
}

/// Sends tokens naming a key nobody published until the provider fetched the key
/// set again (the refetch interval is 1 s); each is refused. Returns the hits after.
pub async fn force_refetch(app: &Router, idp: &Fixture, key: &Key) -> usize {
    let before = idp.jwks_hits();
    eventually("a refetch on an unknown kid", || async {
        let forged = key.token_with(json!({"kid": forged_kid()}), &idp.claims("u"));
        assert_refused(&me_with(app, &forged).await, UNKNOWN_KEY);
        idp.jwks_hits() > before
    })
    .await;
    idp.jwks_hits()
}

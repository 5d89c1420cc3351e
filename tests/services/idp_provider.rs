//! Identity-provider tokens against a real OpenID provider (`oidc-provider` on
//! Node.js, started by `tests/support/idp/`): client-credentials JWTs verified end to
//! end, key rotation without a restart, a storm of forged key ids that costs the
//! provider at most one fetch, the provider going down and coming back, keys
//! published without `alg`, and opaque tokens introspected (RFC 7662). Requests go
//! through an axum `Router` in process; every key set and introspection answer comes
//! from the provider over HTTP.

use std::time::{Duration, Instant};

use axum::routing::get;
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::StatusCode;
use portcullis::identity::IdentityProvider;
use portcullis::{AuthInfo, AuthUser, ClaimsMapping, ClaimsUser, Portcullis, auth, permissions, require};
use serde_json::{Value, json};

use crate::idp::{CLIENT_ID, CLIENT_SECRET, Idp, IdpOptions};
use crate::support::{bearer, claims, expect_error, hs256, jwt_config, send};

#[auth(jwt)]
async fn whoami(user: ClaimsUser, info: AuthInfo) -> Json<Value> {
    Json(json!({
        "id": user.id(),
        "name": user.name(),
        "scopes": user.scopes(),
        "admin": user.has_role("admin"),
        "provider": info.provider(),
    }))
}

#[auth(jwt)]
#[require(role = "admin")]
async fn admin_only(_user: ClaimsUser) -> &'static str {
    "admin"
}

#[auth(jwt)]
#[permissions("users:read")]
async fn users_read(_user: ClaimsUser) -> &'static str {
    "users"
}

#[auth(jwt)]
#[require(role = "auditor")]
async fn auditors_only(_user: ClaimsUser) -> &'static str {
    "audit"
}

/// The provider as the tests configure it: refetch at most once a second.
fn provider(idp: &Idp) -> IdentityProvider {
    IdentityProvider::discover(idp.issuer())
        .audience(idp.audience())
        .allow_http_on_loopback()
        .refetch_interval(Duration::from_secs(1))
}

fn app(provider: IdentityProvider) -> Router {
    let auth = Portcullis::claims_only(ClaimsMapping::new())
        .identity_provider(provider)
        .jwt(jwt_config())
        .build()
        .expect("a valid provider configuration");
    routes(auth)
}

fn routes(auth: Portcullis<ClaimsUser>) -> Router {
    Router::new()
        .route("/whoami", get(whoami))
        .route("/admin", get(admin_only))
        .route("/users", get(users_read))
        .route("/audit", get(auditors_only))
        .with_state(auth)
}

/// `token` with its header's `kid` replaced (the signature no longer matches).
fn with_kid(token: &str, kid: &str) -> String {
    let (_, rest) = token.split_once('.').expect("a JWT");
    let header = json!({"alg": "RS256", "typ": "at+jwt", "kid": kid}).to_string();
    format!("{}.{rest}", URL_SAFE_NO_PAD.encode(header))
}

/// Waits until `token` is accepted (the key set arrives in the background), asserting it.
async fn accepted(app: &Router, token: &str) {
    let r = until(app, token, StatusCode::OK, Duration::from_secs(10)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

/// Sends `token` until the answer has `status` or `within` passed; the last answer.
async fn until(app: &Router, token: &str, status: StatusCode, within: Duration) -> crate::support::Reply {
    let deadline = Instant::now() + within;
    loop {
        let r = send(app, bearer("/whoami", token)).await;
        if r.status == status || Instant::now() >= deadline {
            return r;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub async fn client_credentials_tokens_are_verified_end_to_end() {
    let idp = Idp::start(&["k1"]);
    let auth = Portcullis::claims_only(ClaimsMapping::new())
        .identity_provider(provider(&idp))
        .build()
        .unwrap();
    auth.wait_for_identity_providers(Duration::from_secs(10))
        .await
        .expect("the provider's keys");
    let app = routes(auth);
    idp.reset_hits();

    let token = idp.jwt_token("api:read");
    let r = send(&app, bearer("/whoami", &token)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        r.body,
        json!({
            "id": CLIENT_ID, "name": "service-bot", "scopes": ["api:read"], "admin": true,
            "provider": idp.issuer(),
        })
    );
    assert_eq!(send(&app, bearer("/admin", &token)).await.status, StatusCode::OK);
    assert_eq!(send(&app, bearer("/users", &token)).await.status, StatusCode::OK);
    let r = send(&app, bearer("/audit", &token)).await;
    expect_error(&r, StatusCode::FORBIDDEN, "forbidden");

    // A changed signature, and a token of the provider cut short.
    // One character inside the signature (the last one also carries padding bits).
    let mut tampered = token.clone().into_bytes();
    let at = tampered.len() - 10;
    tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    expect_error(
        &send(&app, bearer("/whoami", &tampered)).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    );
    let cut = &token[..token.rfind('.').unwrap()];
    assert_eq!(
        send(&app, bearer("/whoami", cut)).await.status,
        StatusCode::UNAUTHORIZED
    );

    // The key set was fetched at start-up; requests fetch nothing.
    let hits = idp.hits();
    assert_eq!((hits.discovery, hits.jwks), (0, 0), "{hits:?}");
}

pub async fn rotated_keys_are_accepted_without_a_restart() {
    let mut idp = Idp::start(&["k1"]);
    let app = app(provider(&idp));
    let old = idp.jwt_token("api:read");
    accepted(&app, &old).await;

    // The provider rotates: k2 signs, k1 is still published.
    idp.restart(&["k2", "k1"]);
    let new = idp.jwt_token("api:read");
    tokio::time::sleep(Duration::from_millis(1100)).await; // past the refetch interval
    let r = send(&app, bearer("/whoami", &new)).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "the new key is fetched on its unknown kid: {:?}",
        r.body
    );
    assert_eq!(
        send(&app, bearer("/whoami", &old)).await.status,
        StatusCode::OK,
        "old tokens keep working"
    );

    // k1 withdrawn: after the next fetch, its tokens are refused.
    idp.restart(&["k2"]);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let forged = with_kid(&new, "k-unknown");
    expect_error(
        &send(&app, bearer("/whoami", &forged)).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    );
    expect_error(
        &send(&app, bearer("/whoami", &old)).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    );
    assert_eq!(send(&app, bearer("/whoami", &new)).await.status, StatusCode::OK);
}

pub async fn forged_key_ids_cost_the_provider_at_most_one_fetch_per_interval() {
    let idp = Idp::start(&["k1"]);
    let interval = Duration::from_secs(2);
    let auth = Portcullis::claims_only(ClaimsMapping::new())
        .identity_provider(provider(&idp).refetch_interval(interval))
        .build()
        .unwrap();
    auth.wait_for_identity_providers(Duration::from_secs(10))
        .await
        .unwrap();
    let app = routes(auth);
    let token = idp.jwt_token("api:read");
    tokio::time::sleep(interval + Duration::from_millis(100)).await;
    idp.reset_hits();

    let started = Instant::now();
    let requests = (0..1000).map(|i| {
        let app = app.clone();
        let forged = with_kid(&token, &format!("forged-{i}"));
        tokio::spawn(async move { send(&app, bearer("/whoami", &forged)).await.status })
    });
    let statuses = futures_join(requests.collect()).await;
    let elapsed = started.elapsed();
    assert!(
        statuses.iter().all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    let hits = idp.hits();
    let allowed = 1 + elapsed.as_secs() / interval.as_secs();
    assert!(
        hits.jwks >= 1 && hits.jwks <= allowed,
        "1000 forged kids in {elapsed:?} caused {} key-set fetches (at most {allowed})",
        hits.jwks
    );
    assert_eq!(hits.discovery, 0, "{hits:?}");
    assert_eq!(send(&app, bearer("/whoami", &token)).await.status, StatusCode::OK);
}

async fn futures_join(handles: Vec<tokio::task::JoinHandle<StatusCode>>) -> Vec<StatusCode> {
    let mut statuses = Vec::with_capacity(handles.len());
    for handle in handles {
        statuses.push(handle.await.expect("a request task"));
    }
    statuses
}

pub async fn provider_down_keeps_its_keys_and_503_only_before_the_first_set() {
    let mut idp = Idp::start(&["k1"]);
    let running = app(provider(&idp));
    let token = idp.jwt_token("api:read");
    accepted(&running, &token).await;

    idp.stop();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    // Held keys keep working; a fetch that fails changes nothing.
    let forged = with_kid(&token, "k-unknown");
    expect_error(
        &send(&running, bearer("/whoami", &forged)).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    );
    assert_eq!(
        send(&running, bearer("/whoami", &token)).await.status,
        StatusCode::OK
    );

    // A server that starts while the provider is down: 503 for its tokens, with
    // Retry-After; its own tokens are unaffected.
    let auth = Portcullis::claims_only(ClaimsMapping::new())
        .identity_provider(provider(&idp))
        .jwt(jwt_config())
        .build()
        .unwrap();
    assert!(
        auth.wait_for_identity_providers(Duration::from_millis(500))
            .await
            .is_err()
    );
    let fresh = routes(auth);
    let r = send(&fresh, bearer("/whoami", &token)).await;
    expect_error(&r, StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable");
    assert!(!r.header("retry-after").is_empty(), "{:?}", r.headers);
    let own = hs256(&claims("7"));
    let r = send(&fresh, bearer("/whoami", &own)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["provider"], Value::Null);

    // The provider comes back: its tokens are accepted without a restart.
    idp.restart(&["k1"]);
    let r = until(&fresh, &token, StatusCode::OK, Duration::from_secs(15)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

pub async fn keys_without_alg_are_used_with_the_inferred_algorithm() {
    let idp = Idp::start_with(IdpOptions {
        omit_alg: true,
        ..IdpOptions::with_kids(&["k1"])
    });
    assert!(idp.jwks()["keys"][0].get("alg").is_none(), "{}", idp.jwks());
    let app = app(provider(&idp));
    let token = idp.jwt_token("api:read");
    let r = until(&app, &token, StatusCode::OK, Duration::from_secs(10)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

pub async fn opaque_tokens_are_introspected_and_cached() {
    let idp = Idp::start(&["k1"]);
    let app = app(provider(&idp).introspection(CLIENT_ID, CLIENT_SECRET));
    let opaque = idp.opaque_token("api:read");
    assert_eq!(opaque.matches('.').count(), 0, "an opaque token: {opaque}");

    let r = until(&app, &opaque, StatusCode::OK, Duration::from_secs(10)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        r.body,
        json!({
            "id": CLIENT_ID, "name": "service-bot", "scopes": ["api:read"], "admin": true,
            "provider": idp.issuer(),
        })
    );
    // Cached: a second request does not ask the provider again.
    idp.reset_hits();
    assert_eq!(
        send(&app, bearer("/whoami", &opaque)).await.status,
        StatusCode::OK
    );
    assert_eq!(idp.hits().introspection, 0);

    // Revoked before its first use, unknown, or answered "inactive": 401, and the
    // negative answer is cached too.
    let revoked = idp.opaque_token("api:read");
    idp.revoke(&revoked);
    expect_error(
        &send(&app, bearer("/whoami", &revoked)).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    );
    idp.reset_hits();
    let unknown = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdE";
    expect_error(
        &send(&app, bearer("/whoami", unknown)).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    );
    expect_error(
        &send(&app, bearer("/whoami", unknown)).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    );
    assert_eq!(idp.hits().introspection, 1);

    // Wrong client credentials: the provider refuses to answer, so does Portcullis (503).
    let misconfigured = app_with_introspection(&idp, "wrong-secret-0123456789");
    let other = idp.opaque_token("api:read");
    let r = until(
        &misconfigured,
        &other,
        StatusCode::SERVICE_UNAVAILABLE,
        Duration::from_secs(10),
    )
    .await;
    expect_error(&r, StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable");
}

fn app_with_introspection(idp: &Idp, secret: &str) -> Router {
    app(provider(idp).introspection(CLIENT_ID, secret))
}

/// RFC 7662 names the user `username`: without `preferred_username`, an introspected
/// user is named by it (a JWT user is not: its name stays the preset's).
pub async fn introspected_users_are_named_by_username() {
    let idp = Idp::start_with(IdpOptions {
        extra_claims: json!({"roles": ["admin"], "username": "svc-user"}),
        ..IdpOptions::with_kids(&["k1"])
    });
    let app = app(provider(&idp).introspection(CLIENT_ID, CLIENT_SECRET));
    let opaque = idp.opaque_token("api:read");
    let r = until(&app, &opaque, StatusCode::OK, Duration::from_secs(10)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["name"], "svc-user", "{}", r.body);
    let jwt = idp.jwt_token("api:read");
    let r = until(&app, &jwt, StatusCode::OK, Duration::from_secs(10)).await;
    assert_eq!(r.body["name"], Value::Null, "{}", r.body);
}

//! Several providers at once: a token is checked only with the keys and rules of the
//! issuer it names — never with another provider's keys, even under the same kid —
//! and an issuer nobody configured gets no provider's keys at all.

use std::time::Duration;

use http::StatusCode;
use portcullis::AuthError;
use portcullis::identity::{ClaimsUser, Preset};
use portcullis::{ClaimsMapping, Portcullis};
use serde_json::json;

use super::*;
use crate::support::assert_unavailable;

/// Provider A: Keycloak preset, audience [`API`]. Provider B: Entra ID preset,
/// audience `b-api`. Both publish a key under the kid `shared`.
struct Two {
    a: Fixture,
    b: Fixture,
    a_key: Key,
    b_key: Key,
    a_shared: Key,
    b_shared: Key,
    auth: Portcullis<ClaimsUser>,
}

async fn two() -> Two {
    let (a_key, a_shared) = (Key::rsa("a-1"), Key::rsa("shared"));
    let (b_key, b_shared) = (Key::rsa_next("b-1"), Key::rsa_next("shared"));
    let a = Fixture::start(&[&a_key, &a_shared]).await;
    let b = Fixture::start(&[&b_key, &b_shared]).await;
    let b_provider = IdentityProvider::discover(&b.issuer)
        .audience("b-api")
        .allow_http_on_loopback()
        .refetch_interval(Duration::from_secs(1))
        .preset(Preset::entra_id());
    let auth = Portcullis::claims_only(ClaimsMapping::new())
        .identity_provider(provider(&a).preset(Preset::keycloak(API)))
        .identity_provider(b_provider)
        .build()
        .unwrap();
    Two {
        a,
        b,
        a_key,
        b_key,
        a_shared,
        b_shared,
        auth,
    }
}

fn b_claims(b: &Fixture, sub: &str) -> serde_json::Value {
    with(
        b.claims(sub),
        json!({"aud": "b-api", "roles": ["admin"], "scp": "posts:write"}),
    )
}

#[tokio::test]
async fn each_issuer_is_checked_with_its_own_keys_and_rules() {
    let t = two().await;
    ready(&t.auth, &[&t.a, &t.b]).await;
    let app = router(t.auth.clone());
    let a_claims = with(t.a.claims("alice"), json!({"realm_access": {"roles": ["admin"]}}));
    let b_claims = b_claims(&t.b, "bob");

    // Each with its own key, audience and preset.
    let body = assert_user(
        &me_with(&app, &t.a_key.token(&a_claims)).await,
        "alice",
        &t.a.issuer,
    );
    assert_eq!(body["roles"], json!(["admin"]));
    let body = assert_user(
        &me_with(&app, &t.b_key.token(&b_claims)).await,
        "bob",
        &t.b.issuer,
    );
    assert_eq!(
        (&body["roles"], &body["scopes"]),
        (&json!(["admin"]), &json!(["posts:write"]))
    );
    for (key, claims, issuer) in [
        (&t.a_shared, &a_claims, &t.a.issuer),
        (&t.b_shared, &b_claims, &t.b.issuer),
    ] {
        let sub = claims["sub"].as_str().unwrap();
        assert_user(&me_with(&app, &key.token(claims)).await, sub, issuer);
    }
    // One preset's claims mean nothing under the other's.
    let r = me_with(
        &app,
        &t.a_key.token(&with(
            a_claims.clone(),
            json!({"roles": ["admin"], "realm_access": null}),
        )),
    )
    .await;
    assert_eq!(r.body["roles"], json!([]));

    // The other provider's audience.
    let r = me_with(
        &app,
        &t.a_key.token(&with(a_claims.clone(), json!({"aud": "b-api"}))),
    )
    .await;
    assert_refused(&r, BAD_AUDIENCE);
    let r = me_with(&app, &t.b_key.token(&with(b_claims.clone(), json!({"aud": API})))).await;
    assert_refused(&r, BAD_AUDIENCE);
    // A's issuer with a kid only B publishes, signed by B's key: A's keys decide.
    assert_refused(&me_with(&app, &t.b_key.token(&a_claims)).await, UNKNOWN_KEY);
    assert_refused(&me_with(&app, &t.a_key.token(&b_claims)).await, UNKNOWN_KEY);
    // The same kid at both: the named issuer's key, which did not sign it.
    assert_refused(&me_with(&app, &t.b_shared.token(&a_claims)).await, BAD_SIGNATURE);
    assert_refused(&me_with(&app, &t.a_shared.token(&b_claims)).await, BAD_SIGNATURE);
    // Discovery was never asked of the wrong provider.
    assert_eq!((t.a.discovery_hits(), t.b.discovery_hits()), (1, 1));
    assert_eq!((t.a.other_hits(), t.b.other_hits()), (0, 0));
}

#[tokio::test]
async fn an_issuer_nobody_configured_gets_no_providers_keys() {
    let t = two().await;
    ready(&t.auth, &[&t.a, &t.b]).await;
    let app = router(t.auth.clone());
    let c_key = Key::rsa("a-1");
    let c = Fixture::start(&[&c_key]).await;
    // C publishes A's key material under A's kid: still not A's token.
    for claims in [
        c.claims("mallory"),
        with(c.claims("mallory"), json!({"iss": "https://evil.example"})),
    ] {
        assert_refused(&me_with(&app, &c_key.token(&claims)).await, UNKNOWN_KEY);
    }
    let no_kid = c_key.token_with(json!({"kid": null}), &c.claims("mallory"));
    assert_refused(&me_with(&app, &no_kid).await, UNKNOWN_KEY);
    assert_eq!(c.hits(), 0, "an unconfigured issuer was contacted");
}

#[tokio::test]
async fn a_provider_without_keys_does_not_hold_up_another() {
    let t = two().await;
    t.b.serve_jwks(Answer::raw(StatusCode::BAD_GATEWAY, "{}"));
    eventually("both first fetches", || async {
        t.a.jwks_hits() >= 1 && t.b.jwks_hits() >= 1
    })
    .await;
    let waited = t
        .auth
        .wait_for_identity_providers(Duration::from_millis(300))
        .await;
    assert_eq!(waited, Err(AuthError::Unavailable));
    let app = router(t.auth.clone());
    let a_token = t.a_key.token(&t.a.claims("alice"));
    eventually("A's keys", || async {
        me_with(&app, &a_token).await.status == StatusCode::OK
    })
    .await;
    let b_token = t.b_key.token(&b_claims(&t.b, "bob"));
    assert_unavailable(&me_with(&app, &b_token).await);
    assert_user(&me_with(&app, &a_token).await, "alice", &t.a.issuer);

    // B recovers on its own (failed fetches are retried after the refetch interval).
    t.b.serve_keys(&[&t.b_key]);
    t.auth
        .wait_for_identity_providers(Duration::from_secs(10))
        .await
        .unwrap();
    assert_user(&me_with(&app, &b_token).await, "bob", &t.b.issuer);
}

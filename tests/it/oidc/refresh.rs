//! The live key set over time: bad answers (garbage, keyless, oversized with and
//! without `Content-Length`, errors, redirects) leave a provider without keys at
//! start-up and keep the last good set afterwards; rotation is picked up on an
//! unknown `kid` without rebuilding; keys older than `max_staleness` are not used.

use std::time::Duration;

use http::StatusCode;
use serde_json::{Value, json};

use super::*;
use crate::support::assert_unavailable;

/// The size limit the oversized answers exceed.
const LIMIT: usize = 8 * 1024;

fn limited(idp: &Fixture) -> portcullis::identity::IdentityProvider {
    provider(idp).max_document_bytes(LIMIT)
}

/// A valid key set with `key`, padded with an unknown member to `bytes`.
fn padded(key: &Key, bytes: usize) -> Answer {
    let small = json!({"keys": [key.jwk]}).to_string().len();
    let padding = "x".repeat(bytes - small - r#","padding":"""#.len());
    let answer = Answer::json(&json!({"keys": [key.jwk], "padding": padding}));
    assert_eq!(answer.len(), bytes);
    answer
}

/// `answer` as the first key set: no keys, 503; then, after a good set was fetched,
/// `answer` on a refetch: the good set stays.
async fn assert_bad_key_set(answer: Answer) {
    let key = Key::rsa("idp-1");

    // At start-up.
    let idp = Fixture::start(&[&key]).await;
    idp.serve_jwks(answer.clone());
    let auth = build(limited(&idp));
    eventually("the first key-set fetch", || async { idp.jwks_hits() >= 1 }).await;
    let waited = auth.wait_for_identity_providers(Duration::from_millis(300)).await;
    assert_eq!(waited, Err(portcullis::AuthError::Unavailable));
    let app = router(auth);
    assert_unavailable(&me_with(&app, &key.token(&idp.claims("u"))).await);

    // After a good set: the refetch gets `answer`, the good set stays.
    let idp = Fixture::start(&[&key]).await;
    let app = super::app(&idp, limited(&idp)).await;
    let token = key.token(&idp.claims("u"));
    assert_user(&me_with(&app, &token).await, "u", &idp.issuer);
    idp.serve_jwks(answer);
    force_refetch(&app, &idp, &key).await;
    assert_user(&me_with(&app, &token).await, "u", &idp.issuer);
    let fresh = key.token(&idp.claims("v"));
    assert_user(&me_with(&app, &fresh).await, "v", &idp.issuer);
}

#[tokio::test]
async fn a_key_set_that_is_not_json() {
    assert_bad_key_set(Answer::raw(StatusCode::OK, "<html>keys</html>")).await;
}

#[tokio::test]
async fn a_key_set_without_keys() {
    assert_bad_key_set(Answer::jwks(vec![])).await;
    assert_bad_key_set(Answer::json(&json!({}))).await;
    assert_bad_key_set(Answer::json(&json!({"keys": {}}))).await;
    assert_bad_key_set(Answer::json(&json!([]))).await;
}

#[tokio::test]
async fn a_key_set_without_a_usable_key() {
    let enc = Key::rsa("enc").published_with("use", json!("enc"));
    let oct = json!({"kty": "oct", "kid": "hmac", "alg": "HS256", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTAxMjM"});
    let broken = json!({"kty": "RSA", "kid": "broken", "n": "AQAB", "e": "AQAB"});
    let weak = json!({"kty": "EC", "kid": "curve", "crv": "P-521", "x": "AA", "y": "AA"});
    assert_bad_key_set(Answer::jwks(vec![
        enc.jwk,
        oct,
        broken,
        weak,
        json!("key"),
        json!(null),
    ]))
    .await;
}

#[tokio::test]
async fn an_oversized_key_set_with_content_length() {
    assert_bad_key_set(padded(&Key::rsa("idp-1"), LIMIT + 1)).await;
}

#[tokio::test]
async fn an_oversized_chunked_key_set() {
    assert_bad_key_set(padded(&Key::rsa("idp-1"), 4 * LIMIT).chunked()).await;
}

#[tokio::test]
async fn a_key_set_answering_an_error_or_a_redirect() {
    assert_bad_key_set(Answer::raw(StatusCode::INTERNAL_SERVER_ERROR, "{}")).await;
    assert_bad_key_set(Answer::raw(StatusCode::NOT_MODIFIED, "")).await;
    // A redirect is not followed.
    assert_bad_key_set(Answer::redirect("/.well-known/openid-configuration")).await;
}

#[tokio::test]
async fn a_key_set_at_the_size_limit_is_accepted() {
    let key = Key::rsa("idp-1");
    for answer in [padded(&key, LIMIT), padded(&key, LIMIT).chunked()] {
        let idp = Fixture::start(&[]).await;
        idp.serve_jwks(answer);
        let app = app(&idp, limited(&idp)).await;
        assert_user(
            &me_with(&app, &key.token(&idp.claims("u"))).await,
            "u",
            &idp.issuer,
        );
    }
}

#[tokio::test]
async fn a_rotated_key_is_picked_up_and_a_removed_one_dropped() {
    let old = Key::rsa("2024");
    let new = Key::rsa_next("2025");
    let idp = Fixture::start(&[&old]).await;
    let app = app(&idp, provider(&idp)).await;
    let old_token = old.token(&idp.claims("old"));
    assert_user(&me_with(&app, &old_token).await, "old", &idp.issuer);
    let new_token = new.token(&idp.claims("new"));
    assert_refused(&me_with(&app, &new_token).await, UNKNOWN_KEY);

    // Published: the unknown kid makes the provider refetch (once the interval has
    // passed), without rebuilding anything.
    idp.serve_keys(&[&old, &new]);
    eventually("the new key accepted", || async {
        let r = me_with(&app, &new_token).await;
        match r.status {
            StatusCode::OK => true,
            _ => {
                assert_refused(&r, UNKNOWN_KEY);
                false
            }
        }
    })
    .await;
    assert_user(&me_with(&app, &new_token).await, "new", &idp.issuer);
    assert_user(&me_with(&app, &old_token).await, "old", &idp.issuer);

    // Withdrawn: once a fetch no longer lists it, its tokens are refused.
    idp.serve_keys(&[&new]);
    force_refetch(&app, &idp, &new).await;
    assert_refused(&me_with(&app, &old_token).await, UNKNOWN_KEY);
    assert_user(&me_with(&app, &new_token).await, "new", &idp.issuer);
}

#[tokio::test]
async fn a_kid_reused_for_new_key_material_verifies_with_the_new_key_only() {
    let before = Key::rsa("main");
    let after = Key::rsa_next("main");
    let idp = Fixture::start(&[&before]).await;
    let app = app(&idp, provider(&idp)).await;
    let old_token = before.token(&idp.claims("u"));
    assert_user(&me_with(&app, &old_token).await, "u", &idp.issuer);
    idp.serve_keys(&[&after]);
    force_refetch(&app, &idp, &after).await;
    assert_refused(&me_with(&app, &old_token).await, BAD_SIGNATURE);
    let new_token = after.token(&idp.claims("u"));
    assert_user(&me_with(&app, &new_token).await, "u", &idp.issuer);
}

#[tokio::test]
async fn keys_older_than_max_staleness_are_not_used() {
    let key = Key::rsa("idp-1");
    let idp = Fixture::start(&[&key]).await;
    let app = app(&idp, provider(&idp).max_staleness(Duration::from_secs(1))).await;
    let token = key.token(&idp.claims("u"));
    assert_user(&me_with(&app, &token).await, "u", &idp.issuer);
    // The provider fails: once the set is older than a second, its tokens are 503.
    idp.serve_jwks(Answer::raw(StatusCode::SERVICE_UNAVAILABLE, "{}"));
    eventually("503 on stale keys", || async {
        let r = me_with(&app, &token).await;
        match r.status {
            StatusCode::OK => false,
            _ => {
                assert_unavailable(&r);
                true
            }
        }
    })
    .await;
    // It recovers: a request after the refetch interval fetches a good set again.
    idp.serve_keys(&[&key]);
    eventually("200 after recovery", || async {
        let r = me_with(&app, &token).await;
        match r.status {
            StatusCode::OK => true,
            _ => {
                assert_unavailable(&r);
                false
            }
        }
    })
    .await;
}

/// Serves `answer` and counts the fetches of a provider refreshing every
/// `refresh` over a window of 2.5 s after the first fetch.
async fn fetches_in_window(answer: Answer, refresh: Duration) -> usize {
    let key = Key::rsa("idp-1");
    let idp = Fixture::start(&[&key]).await;
    idp.serve_jwks(answer);
    let auth = build(provider(&idp).refresh_interval(refresh));
    ready(&auth, &[&idp]).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    idp.jwks_hits()
}

fn key_set() -> Answer {
    let key: Value = Key::rsa("idp-1").jwk;
    Answer::jwks(vec![key])
}

#[tokio::test]
async fn a_max_age_below_a_minute_is_clamped_to_a_minute() {
    let answer = key_set().cache_control("public, max-age=1");
    assert_eq!(fetches_in_window(answer, Duration::from_secs(3600)).await, 1);
    let answer = key_set().cache_control("no-store");
    assert_eq!(fetches_in_window(answer, Duration::from_secs(3600)).await, 1);
}

#[tokio::test]
async fn max_age_replaces_the_refresh_interval() {
    // Control: without max-age a 1 s refresh interval refetches within the window.
    let key = Key::rsa("idp-1");
    let idp = Fixture::start(&[&key]).await;
    let auth = build(provider(&idp).refresh_interval(Duration::from_secs(1)));
    ready(&auth, &[&idp]).await;
    eventually("a periodic refresh", || async { idp.jwks_hits() >= 3 }).await;
    // With max-age=3600 the same settings fetch once.
    let answer = key_set().cache_control("max-age=3600");
    assert_eq!(fetches_in_window(answer, Duration::from_secs(1)).await, 1);
}

/// The documented start-up (`build`, then `wait_for_identity_providers`) fetches the
/// key set once: the waiting caller and the background refresh share one fetch.
#[tokio::test]
async fn waiting_for_the_provider_at_start_up_fetches_the_key_set_once() {
    let key = Key::rsa("idp-1");
    let idp = Fixture::start(&[&key]).await;
    let auth = build(provider(&idp));
    auth.wait_for_identity_providers(Duration::from_secs(10))
        .await
        .unwrap();
    // Nothing else asks for keys: the background refresh is not due for 300 s.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!((idp.discovery_hits(), idp.jwks_hits()), (1, 1));
}

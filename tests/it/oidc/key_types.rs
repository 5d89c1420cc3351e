//! What a provider's key set may hold: keys without `alg` (pinned to the algorithm
//! their type implies), encryption and symmetric keys (ignored), more than 64 keys,
//! duplicate key ids, a key without `kid`.

use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{Value, json};

use super::fixture::{IDP_RSA_PUBLIC, signed};
use super::*;
use crate::support::{EC256_PRIVATE, EC384_PRIVATE, ED_PRIVATE, b64};

/// 200 for `key`'s own token.
async fn assert_verifies(app: &Router, idp: &Fixture, key: &Key) {
    let r = me_with(app, &key.token(&idp.claims(&key.kid))).await;
    assert_user(&r, &key.kid, &idp.issuer);
}

#[tokio::test]
async fn keys_without_alg_get_it_from_their_type() {
    let rsa = Key::rsa("rsa").without_alg();
    let p256 = Key::new(EC256_PRIVATE, Algorithm::ES256, "p256").without_alg();
    let p384 = Key::new(EC384_PRIVATE, Algorithm::ES384, "p384").without_alg();
    let ed = Key::new(ED_PRIVATE, Algorithm::EdDSA, "ed").without_alg();
    let idp = Fixture::start(&[&rsa, &p256, &p384, &ed]).await;
    let app = app(&idp, provider(&idp)).await;
    for key in [&rsa, &p256, &p384, &ed] {
        assert_verifies(&app, &idp, key).await;
    }
    // Each key is pinned to the one algorithm its type implies.
    let claims = idp.claims("u");
    for alg in [Algorithm::PS256, Algorithm::RS384, Algorithm::RS512] {
        let token = rsa.token_as(alg, json!({}), &claims);
        assert_refused(&me_with(&app, &token).await, ALG_NOT_ALLOWED);
    }
    let p384_named_p256 = p384.token_with(json!({"kid": "p256"}), &claims);
    assert_refused(&me_with(&app, &p384_named_p256).await, ALG_NOT_ALLOWED);
    let ed_named_rsa = ed.token_with(json!({"kid": "rsa"}), &claims);
    assert_refused(&me_with(&app, &ed_named_rsa).await, ALG_NOT_ALLOWED);
}

#[tokio::test]
async fn rsa_algorithms_widen_only_rsa_keys_without_alg() {
    let bare = Key::rsa("bare").without_alg();
    let pinned = Key::rsa_next("pinned");
    let idp = Fixture::start(&[&bare, &pinned]).await;
    let provider = provider(&idp).rsa_algorithms(&[Algorithm::RS256, Algorithm::PS256]);
    let app = app(&idp, provider).await;
    let claims = idp.claims("u");
    for alg in [Algorithm::RS256, Algorithm::PS256] {
        let r = me_with(&app, &bare.token_as(alg, json!({}), &claims)).await;
        assert_user(&r, "u", &idp.issuer);
    }
    let r = me_with(&app, &bare.token_as(Algorithm::PS384, json!({}), &claims)).await;
    assert_refused(&r, ALG_NOT_ALLOWED);
    // A key that names its algorithm keeps it.
    assert_user(&me_with(&app, &pinned.token(&claims)).await, "u", &idp.issuer);
    let r = me_with(&app, &pinned.token_as(Algorithm::PS256, json!({}), &claims)).await;
    assert_refused(&r, ALG_NOT_ALLOWED);
}

#[tokio::test]
async fn rsa_algorithms_may_leave_out_rs256() {
    let bare = Key::rsa("bare").without_alg();
    let idp = Fixture::start(&[&bare]).await;
    let app = app(&idp, provider(&idp).rsa_algorithms(&[Algorithm::PS256])).await;
    let claims = idp.claims("u");
    let r = me_with(&app, &bare.token_as(Algorithm::PS256, json!({}), &claims)).await;
    assert_user(&r, "u", &idp.issuer);
    let r = me_with(&app, &bare.token_as(Algorithm::RS256, json!({}), &claims)).await;
    assert_refused(&r, ALG_NOT_ALLOWED);
}

/// A secret with enough variety for HMAC (were it ever accepted).
const HMAC_SECRET: &[u8] = b"k3Y-9f!Qz7@pL2#vR8$wX5%tN1^mB6&c";

fn hs256(kid: &str, secret: &[u8], claims: &Value) -> String {
    let header = json!({"alg": "HS256", "kid": kid, "typ": "at+jwt"});
    signed(
        &header,
        claims,
        &EncodingKey::from_secret(secret),
        Algorithm::HS256,
    )
}

#[tokio::test]
async fn encryption_and_symmetric_keys_in_a_set_are_ignored() {
    let sig = Key::rsa("sig");
    let enc = Key::rsa_next("enc").published_with("use", json!("enc"));
    let oct = json!({"kty": "oct", "kid": "hmac", "alg": "HS256", "use": "sig", "k": b64(HMAC_SECRET)});
    let bare_oct = json!({"kty": "oct", "kid": "hmac-bare", "k": b64(HMAC_SECRET)});
    // An RSA key that claims an HMAC algorithm.
    let rsa_hs = Key::rsa("rsa-hs").published_with("alg", json!("HS256"));
    let idp = Fixture::start(&[]).await;
    idp.serve_jwks(Answer::jwks(vec![
        sig.jwk.clone(),
        enc.jwk.clone(),
        oct,
        bare_oct,
        rsa_hs.jwk.clone(),
    ]));
    let app = app(&idp, provider(&idp)).await;
    assert_verifies(&app, &idp, &sig).await;
    let claims = idp.claims("u");
    assert_refused(&me_with(&app, &enc.token(&claims)).await, UNKNOWN_KEY);
    for kid in ["hmac", "hmac-bare"] {
        assert_refused(
            &me_with(&app, &hs256(kid, HMAC_SECRET, &claims)).await,
            UNKNOWN_KEY,
        );
    }
    let token = hs256("rsa-hs", IDP_RSA_PUBLIC, &claims);
    assert_refused(&me_with(&app, &token).await, UNKNOWN_KEY);
    assert_refused(&me_with(&app, &rsa_hs.token(&claims)).await, UNKNOWN_KEY);
}

#[tokio::test]
async fn only_the_first_64_keys_of_a_set_are_read() {
    let filler = Key::new(EC256_PRIVATE, Algorithm::ES256, "filler");
    let last_read = Key::rsa("64th");
    let ignored = Key::rsa_next("65th");
    let mut jwks: Vec<Value> = (1..64)
        .map(|i| {
            let mut jwk = filler.jwk.clone();
            jwk["kid"] = json!(format!("filler-{i}"));
            jwk
        })
        .collect();
    jwks.push(last_read.jwk.clone());
    jwks.push(ignored.jwk.clone());
    let idp = Fixture::start(&[]).await;
    idp.serve_jwks(Answer::jwks(jwks));
    let app = app(&idp, provider(&idp)).await;
    assert_verifies(&app, &idp, &last_read).await;
    let token = filler.token_with(json!({"kid": "filler-63"}), &idp.claims("u"));
    assert_user(&me_with(&app, &token).await, "u", &idp.issuer);
    assert_refused(
        &me_with(&app, &ignored.token(&idp.claims("u"))).await,
        UNKNOWN_KEY,
    );
}

#[tokio::test]
async fn a_duplicate_kid_keeps_the_first_key() {
    let first = Key::rsa("dup");
    let second = Key::rsa_next("dup");
    let idp = Fixture::start(&[&first, &second]).await;
    let app = app(&idp, provider(&idp)).await;
    assert_verifies(&app, &idp, &first).await;
    assert_refused(
        &me_with(&app, &second.token(&idp.claims("u"))).await,
        BAD_SIGNATURE,
    );
}

#[tokio::test]
async fn a_key_without_kid_verifies_only_tokens_without_kid() {
    let bare = Key::rsa("unused").published_with("kid", Value::Null);
    let other_bare = Key::rsa_next("unused").published_with("kid", Value::Null);
    let named = Key::rsa_next("named");
    let idp = Fixture::start(&[&bare, &other_bare, &named]).await;
    let app = app(&idp, provider(&idp)).await;
    let claims = idp.claims("u");
    let no_kid = json!({"kid": null});
    assert_user(
        &me_with(&app, &bare.token_with(no_kid.clone(), &claims)).await,
        "u",
        &idp.issuer,
    );
    // The second key without kid was skipped, not tried as well.
    let r = me_with(&app, &other_bare.token_with(no_kid, &claims)).await;
    assert_refused(&r, BAD_SIGNATURE);
    // A token naming a kid never falls back to the key without kid.
    let r = me_with(&app, &bare.token_with(json!({"kid": forged_kid()}), &claims)).await;
    assert_refused(&r, UNKNOWN_KEY);
    assert_verifies(&app, &idp, &named).await;
}

//! The classic JWT attacks aimed at keys fetched from a URL, on a service that also
//! verifies its own tokens (`support::jwt_config()`, issuer `support::ISSUER`). The fixture's
//! RSA key is published as `rsa-1`, the kid of the application's own (different)
//! RSA key, so that a mix-up of the two key sets would show.
//!
//! Where a test claims that nothing was fetched, the refetch interval has passed
//! first, so that a token naming an unknown key would have caused a fetch (each
//! such test shows that too).

use std::time::Duration;

use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey};
use portcullis::Portcullis;
use portcullis::identity::{ClaimsMapping, ClaimsUser};
use serde_json::{Value, json};

use super::fixture::{IDP_RSA_PUBLIC, signed};
use super::*;
use crate::support::{self, b64};

const ATTACKER_RSA: &[u8] = include_bytes!("../../keys/attacker_rsa.pem");

/// The fixture (keys `rsa-1` and `idp-only`) and a service accepting its tokens and
/// the application's own.
async fn setup() -> (Fixture, Key, Router) {
    let key = Key::rsa("rsa-1");
    let other = Key::rsa_next("idp-only");
    let idp = Fixture::start(&[&key, &other]).await;
    let auth: Portcullis<ClaimsUser> = Portcullis::claims_only(ClaimsMapping::new())
        .jwt(support::jwt_config())
        .identity_provider(provider(&idp))
        .build()
        .unwrap();
    ready(&auth, &[&idp]).await;
    (idp, key, router(auth))
}

/// Waits out the 1 s refetch interval, so that a fetch would be allowed now.
async fn cool_down() {
    tokio::time::sleep(Duration::from_millis(1200)).await;
}

/// A token naming a key nobody published does cause one fetch: the control that
/// shows the fixture would have seen any other.
async fn assert_forged_kid_fetches(app: &Router, idp: &Fixture, key: &Key) {
    let before = idp.jwks_hits();
    let forged = key.token_with(json!({"kid": forged_kid()}), &idp.claims("u"));
    assert_refused(&me_with(app, &forged).await, UNKNOWN_KEY);
    assert_eq!(idp.jwks_hits(), before + 1);
}

#[tokio::test]
async fn alg_none_is_refused_and_fetches_nothing() {
    let (idp, key, app) = setup().await;
    cool_down().await;
    let before = idp.hits();
    let claims = idp.claims("u").to_string();
    for alg in ["none", "None", "NONE"] {
        for kid in [json!("rsa-1"), json!(forged_kid()), json!(null)] {
            let header = json!({"alg": alg, "kid": kid, "typ": "at+jwt"}).to_string();
            let unsigned = format!("{}.{}.", b64(&header), b64(&claims));
            assert_refused(&me_with(&app, &unsigned).await, UNSIGNED);
            // With the signature of a real token behind it.
            let real = key.token(&idp.claims("u"));
            let signature = real.rsplit('.').next().unwrap();
            let resigned = format!("{}.{}.{signature}", b64(&header), b64(&claims));
            assert_refused(&me_with(&app, &resigned).await, UNSIGNED);
        }
    }
    assert_eq!(idp.hits(), before);
    assert_forged_kid_fetches(&app, &idp, &key).await;
}

fn hs256_with(secret: &[u8], kid: Option<&str>, claims: &Value) -> String {
    let mut header = json!({"alg": "HS256", "typ": "at+jwt"});
    if let Some(kid) = kid {
        header["kid"] = json!(kid);
    }
    signed(
        &header,
        claims,
        &EncodingKey::from_secret(secret),
        Algorithm::HS256,
    )
}

#[tokio::test]
async fn hs256_signed_with_the_providers_public_key_is_refused() {
    let (idp, key, app) = setup().await;
    let claims = idp.claims("u");
    let jwk_text = key.jwk.to_string();
    let modulus = support::unb64(key.jwk["n"].as_str().unwrap()).unwrap();
    // Everything public about the key, used as the HMAC secret, aimed at the key.
    for secret in [IDP_RSA_PUBLIC, jwk_text.as_bytes(), &modulus] {
        let token = hs256_with(secret, Some("rsa-1"), &claims);
        assert_refused(&me_with(&app, &token).await, ALG_NOT_ALLOWED);
        // Without kid: the provider publishes no key without kid.
        let token = hs256_with(secret, None, &claims);
        assert_refused(&me_with(&app, &token).await, UNKNOWN_KEY);
    }
}

#[tokio::test]
async fn a_kid_naming_a_key_of_another_type_is_refused() {
    let (idp, key, app) = setup().await;
    let claims = idp.claims("u");
    let ec = Key::new(support::EC256_PRIVATE, Algorithm::ES256, "rsa-1");
    let ed = Key::new(support::ED_PRIVATE, Algorithm::EdDSA, "rsa-1");
    for token in [ec.token(&claims), ed.token(&claims)] {
        assert_refused(&me_with(&app, &token).await, ALG_NOT_ALLOWED);
    }
    // The key's own family, another algorithm than the one it publishes.
    for alg in [Algorithm::PS256, Algorithm::RS512] {
        let token = key.token_as(alg, json!({}), &claims);
        assert_refused(&me_with(&app, &token).await, ALG_NOT_ALLOWED);
    }
}

#[tokio::test]
async fn tokens_naming_their_own_key_cause_no_fetch() {
    let (idp, key, app) = setup().await;
    let attacker = EncodingKey::from_rsa_pem(ATTACKER_RSA).unwrap();
    let attacker_jwk = Jwk::from_encoding_key(&attacker, Algorithm::RS256).unwrap();
    cool_down().await;
    let before = idp.hits();
    let claims = idp.claims("u");
    let headers = [
        json!({"jku": idp.jwks_url()}),
        json!({"jku": format!("{}/attacker-keys", idp.issuer)}),
        json!({"x5u": format!("{}/cert.pem", idp.issuer)}),
        json!({"jwk": attacker_jwk}),
        json!({"x5c": ["MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"]}),
    ];
    for changes in headers {
        for kid in [json!(forged_kid()), json!("rsa-1"), json!(null)] {
            let mut changes = changes.clone();
            changes["kid"] = kid;
            for signer in [&key, &Key::new(ATTACKER_RSA, Algorithm::RS256, "x")] {
                let token = signer.token_with(changes.clone(), &claims);
                assert_refused(&me_with(&app, &token).await, NAMES_OWN_KEY);
            }
        }
    }
    assert_eq!(idp.hits(), before, "a token header caused a fetch");
    assert_forged_kid_fetches(&app, &idp, &key).await;
}

#[tokio::test]
async fn hostile_key_ids_fetch_only_the_configured_key_set() {
    let (idp, key, app) = setup().await;
    let claims = idp.claims("u");
    let long = "k".repeat(256);
    let kids = [
        "../jwks".to_owned(),
        "../../../../etc/passwd".to_owned(),
        "/jwks?kid=1".to_owned(),
        "%2e%2e%2fjwks".to_owned(),
        idp.jwks_url(),
        "rsa-1\u{0}".to_owned(),
        "RSA-1".to_owned(),
        "rsa-1 ".to_owned(),
        long,
    ];
    for kid in &kids {
        let token = key.token_with(json!({ "kid": kid }), &claims);
        assert_refused(&me_with(&app, &token).await, UNKNOWN_KEY);
    }
    for kid in [
        json!("k".repeat(257)),
        json!(""),
        json!(1),
        json!(["rsa-1"]),
        json!({"kid": "rsa-1"}),
    ] {
        let token = key.token_with(json!({ "kid": kid }), &claims);
        assert_refused(&me_with(&app, &token).await, BAD_KID);
    }
    // Only the discovered key set was ever requested, and discovery only once.
    assert_eq!((idp.discovery_hits(), idp.other_hits()), (1, 0));
    assert_user(&me_with(&app, &key.token(&claims)).await, "u", &idp.issuer);
}

#[tokio::test]
async fn provider_keys_never_verify_the_applications_own_tokens() {
    let (idp, key, app) = setup().await;
    let other = Key::rsa_next("idp-only");
    cool_down().await;
    let before = idp.hits();
    // Signed with the provider's key under the kid both sets use: the application's
    // `rsa-1` checks it, and it is not that key.
    let own = support::claims("1");
    assert_refused(
        &me_with(&app, &key.token_with(json!({"typ": "JWT"}), &own)).await,
        BAD_SIGNATURE,
    );
    // A kid only the provider has: unknown to the application, and no fetch.
    let r = me_with(&app, &other.token_with(json!({"typ": "JWT"}), &own)).await;
    assert_refused(&r, UNKNOWN_KEY);
    assert_eq!(
        idp.hits(),
        before,
        "the application's token made the provider fetch"
    );
    assert_forged_kid_fetches(&app, &idp, &key).await;
}

#[tokio::test]
async fn application_keys_never_verify_the_providers_tokens() {
    let (idp, _, app) = setup().await;
    let claims = with(support::claims("1"), json!({"iss": idp.issuer, "aud": API}));
    // The application's HMAC secret (no kid): the provider has no key without kid.
    assert_refused(&me_with(&app, &support::hs256(&claims)).await, UNKNOWN_KEY);
    // The application's RSA key under its kid `rsa-1`: the provider's `rsa-1` checks it.
    let token = support::sign(Algorithm::RS256, &claims);
    assert_refused(&me_with(&app, &token).await, BAD_SIGNATURE);
    // The application's EC key `ec-1`: unknown to the provider.
    let token = support::sign(Algorithm::ES256, &claims);
    assert_refused(&me_with(&app, &token).await, UNKNOWN_KEY);
}

#[tokio::test]
async fn forged_and_tampered_provider_tokens_are_refused() {
    let (idp, key, app) = setup().await;
    let claims = idp.claims("u");
    let attacker = Key::new(ATTACKER_RSA, Algorithm::RS256, "rsa-1");
    assert_refused(&me_with(&app, &attacker.token(&claims)).await, BAD_SIGNATURE);
    // A real token whose claims were changed (roles added) after signing.
    let real = key.token(&claims);
    let parts: Vec<&str> = real.split('.').collect();
    let escalated = with(claims.clone(), json!({"roles": ["admin"]}));
    let tampered = format!("{}.{}.{}", parts[0], b64(escalated.to_string()), parts[2]);
    assert_refused(&get_with(&app, "/admin", &tampered).await, BAD_SIGNATURE);
    // The header swapped for one naming the other key.
    let header = json!({"alg": "RS256", "kid": "idp-only", "typ": "at+jwt"}).to_string();
    let swapped = format!("{}.{}.{}", b64(header), parts[1], parts[2]);
    assert_refused(&me_with(&app, &swapped).await, BAD_SIGNATURE);
}

#[tokio::test]
async fn the_applications_own_tokens_still_work_beside_the_provider() {
    let (idp, key, app) = setup().await;
    for (sub, token) in [
        ("7", support::hs256(&support::claims("7"))),
        ("8", support::sign(Algorithm::RS256, &support::claims("8"))),
        ("9", support::sign(Algorithm::ES256, &support::claims("9"))),
    ] {
        let r = me_with(&app, &token).await;
        assert_eq!(r.status, http::StatusCode::OK, "{:?}", r.body);
        assert_eq!((&r.body["id"], &r.body["provider"]), (&json!(sub), &Value::Null));
    }
    // The application's own rules still apply to its tokens (`typ: "access"`).
    let not_access = with(support::claims("7"), json!({"typ": null}));
    let r = me_with(&app, &support::hs256(&not_access)).await;
    assert_refused(&r, "the token is not an access token");
    let r = me_with(&app, &key.token(&idp.claims("u"))).await;
    assert_user(&r, "u", &idp.issuer);
}

//! Attacks on JWT bearer authentication, over HTTP through an axum `Router`.
//!
//! Every forged, tampered, malformed or otherwise unacceptable token must be refused
//! with 401, the `Bearer` challenge naming the right RFC 6750 error
//! (`invalid_request` for a structurally malformed token, `invalid_token` for a
//! well-formed one that is refused) and the JSON body `{"error", "message"}` naming
//! the exact reason (so each test shows the check it targets is the one that fired).
//! An inactive account is 403 without a challenge. Positive controls show that valid
//! tokens of every supported algorithm pass and that the handler sees their claims,
//! and the RFC 7515 Appendix A.1 example shows HS256 verification interoperates.

use std::sync::LazyLock;
use std::time::{Duration, SystemTime};

use crate::support::*;
use axum::body::Body;
use axum::{Json, Router, routing::get};
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey};
use portcullis::{AuthInfo, InMemoryRevocationStore, JwtConfig, JwtKey, Portcullis, RevocationStore, auth};
use serde_json::{Value, json};

const ATTACKER_RSA_PRIVATE: &[u8] = include_bytes!("../keys/attacker_rsa.pem");

// The reasons the runtime gives (JSON `message`, challenge `error_description`).
const UNSIGNED: &str = "unsigned tokens are refused";
const BAD_SIGNATURE: &str = "the token's signature is invalid";
const ALG_NOT_ALLOWED: &str = "the token's algorithm is not allowed for its key";
const UNKNOWN_KEY: &str = "the token names an unknown key";
const NOT_SIGNED: &str = "the token is not signed";
const EXPIRED: &str = "the token has expired";
const NOT_YET_VALID: &str = "the token is not valid yet (nbf)";
const ISSUED_IN_FUTURE: &str = "the token was issued in the future (iat)";
const BAD_ISSUER: &str = "the token's issuer is not accepted";
const BAD_AUDIENCE: &str = "the token's audience is not accepted";
const NO_EXPIRY: &str = "the token has no expiry (exp)";
const TIME_NOT_NUMBER: &str = "a time claim (exp, nbf, iat) is not a number";
const NOT_ACCESS: &str = "the token is not an access token";
const CRIT: &str = "the token requires extensions this server does not support";
const NAMES_OWN_KEY: &str = "tokens naming their own key (jku, jwk, x5u, x5c) are refused";
const BAD_BASE64: &str = "the token is not valid base64url";
const SEGMENTS: &str = "a JWT has exactly three dot-separated segments";
const HEADER_TOO_LARGE: &str = "the Authorization header is too large";
const TOKEN_TOO_LARGE: &str = "the token is too large";
const BAD_HEADER_JSON: &str = "the token header is not a JSON object with unique members";
const BAD_PAYLOAD_JSON: &str = "the token payload is not a JSON object with unique members";
const UNKNOWN_USER: &str = "the token's subject is not a known user";
const REVOKED: &str = "the token has been revoked";
const BEARER_MALFORMED: &str = "the Bearer credentials are malformed";
const SINGLE_AUTHORIZATION: &str = "send a single Authorization header";

#[auth(jwt)]
async fn me(user: User, info: AuthInfo) -> Json<Value> {
    let claims = info.claims().expect("a JWT-authenticated request carries claims");
    Json(json!({
        "id": user.id,
        "scheme": info.scheme().as_str(),
        "sub": claims.sub(),
        "jti": claims.jti(),
        "token_id": info.token_id(),
    }))
}

fn router(auth: Portcullis<User>) -> Router {
    Router::new()
        .route("/me", get(me))
        .route("/either", get(either))
        .with_state(AppState { auth })
}

/// Built once per test binary: building hashes passwords (argon2id), which is slow
/// in debug builds.
static AUTH: LazyLock<Portcullis<User>> = LazyLock::new(portcullis);

fn app() -> Router {
    router(AUTH.clone())
}

/// The challenge of a `#[auth(jwt)]` route whose token failed with `error`.
fn bearer_challenge(error: &str, description: &str) -> String {
    format!("Bearer realm=\"api\", error=\"{error}\", error_description=\"{description}\"")
}

async fn assert_refused_request(app: &Router, request: http::Request<Body>, error: &str, message: &str) {
    let r = send(app, request).await;
    assert_eq!(r.status, 401, "expected 401 ({message}), got body {:?}", r.body);
    assert_eq!(r.challenges(), vec![bearer_challenge(error, message)]);
    assert_eq!(r.body, json!({"error": error, "message": message}));
}

/// `token` on `/me` is refused with 401 `invalid_token` for `message`.
async fn assert_token_refused(token: &str, message: &str) {
    assert_refused_request(&app(), bearer("/me", token), "invalid_token", message).await;
}

/// `token` on `/me` is refused with 401 `invalid_request` for `message`.
async fn assert_invalid_request(token: &str, message: &str) {
    assert_refused_request(&app(), bearer("/me", token), "invalid_request", message).await;
}

/// `token` on `/me` is accepted for user `id`.
async fn assert_accepted(app: &Router, token: &str, id: i64) -> Value {
    let r = send(app, bearer("/me", token)).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["id"], json!(id));
    assert_eq!(r.body["scheme"], "jwt");
    r.body
}

/// A compact JWS over raw header and payload, signed with `key` for `alg`.
fn signed(header: &Value, payload: &str, key: &EncodingKey, alg: Algorithm) -> String {
    portcullis::install_crypto_provider();
    let input = format!("{}.{}", b64(header.to_string()), b64(payload));
    let signature = jsonwebtoken::crypto::sign(input.as_bytes(), key, alg).unwrap();
    format!("{input}.{signature}")
}

/// HS256 over raw header and payload with an arbitrary secret.
fn hs256_with_secret(secret: &[u8], header: &Value, payload: &str) -> String {
    signed(
        header,
        payload,
        &EncodingKey::from_secret(secret),
        Algorithm::HS256,
    )
}

fn rsa_key() -> EncodingKey {
    EncodingKey::from_rsa_pem(RSA_PRIVATE).unwrap()
}

fn claims_with(sub: &str, changes: Value) -> Value {
    let mut claims = claims(sub);
    for (name, value) in changes.as_object().unwrap() {
        if value.is_null() {
            claims.as_object_mut().unwrap().remove(name);
        } else {
            claims[name] = value.clone();
        }
    }
    claims
}

fn segments(token: &str) -> Vec<&str> {
    token.split('.').collect()
}

// ---------------------------------------------------------------------------------
// alg "none"

async fn assert_alg_none_refused(alg: &str) {
    let header = json!({"alg": alg, "typ": "JWT"}).to_string();
    let payload = claims("1").to_string();
    // Unsecured JWS form: empty signature segment.
    let unsigned = format!("{}.{}.", b64(&header), b64(&payload));
    assert_token_refused(&unsigned, UNSIGNED).await;
    // With a signature segment (a valid HMAC over the input with the real secret).
    let with_signature = hs256_raw(&header, &payload);
    assert_eq!(segments(&with_signature)[2].len(), 43);
    assert_token_refused(&with_signature, UNSIGNED).await;
}

#[tokio::test]
async fn alg_none_lowercase() {
    assert_alg_none_refused("none").await;
}

#[tokio::test]
async fn alg_none_capitalised() {
    assert_alg_none_refused("None").await;
}

#[tokio::test]
async fn alg_none_uppercase() {
    assert_alg_none_refused("NONE").await;
}

// ---------------------------------------------------------------------------------
// Algorithm and key confusion

#[tokio::test]
async fn hs256_signed_with_rsa_public_key_as_secret() {
    let payload = claims("1").to_string();
    // Aimed at the RSA key by its kid: HS256 is not allowed for an RSA key.
    let header = json!({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"});
    assert_token_refused(&hs256_with_secret(RSA_PUBLIC, &header, &payload), ALG_NOT_ALLOWED).await;
    // Without kid the token goes to the HMAC secret, where the signature does not verify.
    let header = json!({"alg": "HS256", "typ": "JWT"});
    assert_token_refused(&hs256_with_secret(RSA_PUBLIC, &header, &payload), BAD_SIGNATURE).await;
    // The DER form of the public key as the secret, too.
    let header = json!({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"});
    assert_token_refused(
        &hs256_with_secret(RSA_PUBLIC_DER, &header, &payload),
        ALG_NOT_ALLOWED,
    )
    .await;
}

#[tokio::test]
async fn hs256_signed_with_ec_public_key_as_secret() {
    let payload = claims("1").to_string();
    let header = json!({"alg": "HS256", "typ": "JWT", "kid": "ec-1"});
    assert_token_refused(
        &hs256_with_secret(EC256_PUBLIC, &header, &payload),
        ALG_NOT_ALLOWED,
    )
    .await;
    let header = json!({"alg": "HS256", "typ": "JWT"});
    assert_token_refused(&hs256_with_secret(EC256_PUBLIC, &header, &payload), BAD_SIGNATURE).await;
}

#[tokio::test]
async fn hs256_with_rsa_kid_never_selects_the_hmac_secret() {
    // Signed with the real HMAC secret: only the kid is wrong.
    let header = json!({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"});
    let token = hs256_with_secret(SECRET, &header, &claims("1").to_string());
    assert_token_refused(&token, ALG_NOT_ALLOWED).await;
    // Control: the same token without the kid is accepted.
    let header = json!({"alg": "HS256", "typ": "JWT"});
    let token = hs256_with_secret(SECRET, &header, &claims("1").to_string());
    assert_accepted(&app(), &token, 1).await;
}

// ---------------------------------------------------------------------------------
// Signature

#[tokio::test]
async fn signature_stripped() {
    for token in [hs256(&claims("1")), sign(Algorithm::RS256, &claims("1"))] {
        let s = segments(&token);
        assert_token_refused(&format!("{}.{}.", s[0], s[1]), NOT_SIGNED).await;
    }
}

#[tokio::test]
async fn signature_emptied() {
    // The signature segment replaced by zero bytes of the right length.
    for (token, len) in [
        (hs256(&claims("1")), 32),
        (sign(Algorithm::RS256, &claims("1")), 256),
        (sign(Algorithm::EdDSA, &claims("1")), 64),
    ] {
        let s = segments(&token);
        let forged = format!("{}.{}.{}", s[0], s[1], b64(vec![0u8; len]));
        assert_token_refused(&forged, BAD_SIGNATURE).await;
    }
}

#[tokio::test]
async fn payload_tampered_after_signing() {
    // Bob's token turned into Alice's.
    for token in [hs256(&claims("2")), sign(Algorithm::RS256, &claims("2"))] {
        let s = segments(&token);
        let mut tampered_claims: Value =
            serde_json::from_slice(&base64_decode(s[1])).expect("payload is JSON");
        tampered_claims["sub"] = json!("1");
        let forged = format!("{}.{}.{}", s[0], b64(tampered_claims.to_string()), s[2]);
        assert_token_refused(&forged, BAD_SIGNATURE).await;
    }
}

fn base64_decode(segment: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(segment)
        .unwrap()
}

#[tokio::test]
async fn es256_all_zero_signature() {
    // CVE-2022-21449 ("psychic signatures"): r = s = 0 must never verify.
    let header = json!({"alg": "ES256", "typ": "JWT", "kid": "ec-1"});
    let token = format!(
        "{}.{}.{}",
        b64(header.to_string()),
        b64(claims("1").to_string()),
        b64([0u8; 64])
    );
    assert_token_refused(&token, BAD_SIGNATURE).await;
}

// ---------------------------------------------------------------------------------
// Time claims

#[tokio::test]
async fn expired() {
    let token = hs256(&claims_with(
        "1",
        json!({"iat": now() - 3600, "exp": now() - 600}),
    ));
    assert_token_refused(&token, EXPIRED).await;
}

#[tokio::test]
async fn nbf_in_the_future() {
    let token = hs256(&claims_with("1", json!({"nbf": now() + 120})));
    assert_token_refused(&token, NOT_YET_VALID).await;
}

#[tokio::test]
async fn iat_in_the_future() {
    let token = hs256(&claims_with("1", json!({"iat": now() + 120, "exp": now() + 720})));
    assert_token_refused(&token, ISSUED_IN_FUTURE).await;
}

#[tokio::test]
async fn missing_exp() {
    let token = hs256(&claims_with("1", json!({"exp": null})));
    assert_token_refused(&token, NO_EXPIRY).await;
}

#[tokio::test]
async fn string_exp() {
    let token = hs256(&claims_with("1", json!({"exp": "9999999999"})));
    assert_token_refused(&token, TIME_NOT_NUMBER).await;
}

#[tokio::test]
async fn leeway_accepts_token_expired_10_seconds_ago() {
    let token = hs256(&claims_with("1", json!({"iat": now() - 600, "exp": now() - 10})));
    assert_accepted(&app(), &token, 1).await;
}

#[tokio::test]
async fn leeway_refuses_token_expired_31_seconds_ago() {
    let token = hs256(&claims_with("1", json!({"iat": now() - 600, "exp": now() - 31})));
    assert_token_refused(&token, EXPIRED).await;
}

// ---------------------------------------------------------------------------------
// Issuer, audience, type

#[tokio::test]
async fn wrong_iss() {
    let token = hs256(&claims_with("1", json!({"iss": "https://evil.test"})));
    assert_token_refused(&token, BAD_ISSUER).await;
}

#[tokio::test]
async fn wrong_aud() {
    let token = hs256(&claims_with("1", json!({"aud": "other-api"})));
    assert_token_refused(&token, BAD_AUDIENCE).await;
    let token = hs256(&claims_with("1", json!({"aud": ["other-api", "third-api"]})));
    assert_token_refused(&token, BAD_AUDIENCE).await;
}

#[tokio::test]
async fn iss_as_array_containing_the_right_issuer() {
    let token = hs256(&claims_with("1", json!({"iss": [ISSUER]})));
    assert_token_refused(&token, BAD_ISSUER).await;
    let token = hs256(&claims_with("1", json!({"iss": [ISSUER, "https://evil.test"]})));
    assert_token_refused(&token, BAD_ISSUER).await;
}

#[tokio::test]
async fn refresh_typed_token() {
    let token = hs256(&claims_with("1", json!({"typ": "refresh"})));
    assert_token_refused(&token, NOT_ACCESS).await;
}

#[tokio::test]
async fn missing_typ_claim() {
    let token = hs256(&claims_with("1", json!({"typ": null})));
    assert_token_refused(&token, NOT_ACCESS).await;
}

// ---------------------------------------------------------------------------------
// Header parameters

#[tokio::test]
async fn unknown_crit_header() {
    let header = json!({"alg": "HS256", "typ": "JWT", "crit": ["exp"], "exp": now() + 600});
    let token = hs256_raw(&header.to_string(), &claims("1").to_string());
    assert_token_refused(&token, CRIT).await;
}

#[tokio::test]
async fn unknown_kid() {
    let header = json!({"alg": "HS256", "typ": "JWT", "kid": "no-such-key"});
    let token = hs256_raw(&header.to_string(), &claims("1").to_string());
    assert_token_refused(&token, UNKNOWN_KEY).await;
}

#[tokio::test]
async fn kid_path_traversal() {
    let header = json!({"alg": "HS256", "typ": "JWT", "kid": "../../../../dev/null"});
    let payload = claims("1").to_string();
    // The classic: sign with the "contents of /dev/null" (an empty secret).
    assert_token_refused(&hs256_with_secret(b"", &header, &payload), UNKNOWN_KEY).await;
    // Even with the real secret the kid selects nothing.
    assert_token_refused(&hs256_with_secret(SECRET, &header, &payload), UNKNOWN_KEY).await;
}

#[tokio::test]
async fn attacker_jwk_header() {
    portcullis::install_crypto_provider();
    let attacker = EncodingKey::from_rsa_pem(ATTACKER_RSA_PRIVATE).unwrap();
    let jwk = serde_json::to_value(Jwk::from_encoding_key(&attacker, Algorithm::RS256).unwrap()).unwrap();
    assert_eq!(jwk["kty"], "RSA");
    assert!(jwk.get("d").is_none(), "only the public part is embedded");
    let payload = claims("1").to_string();
    let header = json!({"alg": "RS256", "typ": "JWT", "jwk": jwk});
    assert_token_refused(
        &signed(&header, &payload, &attacker, Algorithm::RS256),
        NAMES_OWN_KEY,
    )
    .await;
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": "rsa-1", "jwk": jwk});
    assert_token_refused(
        &signed(&header, &payload, &attacker, Algorithm::RS256),
        NAMES_OWN_KEY,
    )
    .await;
}

#[tokio::test]
async fn attacker_jku_header() {
    // Validly signed with the configured RSA key: the header alone makes it fail.
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": "rsa-1",
                        "jku": "https://attacker.example/.well-known/jwks.json"});
    let token = signed(&header, &claims("1").to_string(), &rsa_key(), Algorithm::RS256);
    assert_token_refused(&token, NAMES_OWN_KEY).await;
}

#[tokio::test]
async fn attacker_x5u_header() {
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": "rsa-1",
                        "x5u": "https://attacker.example/cert.pem"});
    let token = signed(&header, &claims("1").to_string(), &rsa_key(), Algorithm::RS256);
    assert_token_refused(&token, NAMES_OWN_KEY).await;
}

#[tokio::test]
async fn attacker_x5c_header() {
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": "rsa-1", "x5c": ["MIIBIjAN"]});
    let token = signed(&header, &claims("1").to_string(), &rsa_key(), Algorithm::RS256);
    assert_token_refused(&token, NAMES_OWN_KEY).await;
}

#[tokio::test]
async fn duplicate_alg_in_header() {
    let header = r#"{"alg":"none","typ":"JWT","alg":"HS256"}"#;
    let token = hs256_raw(header, &claims("1").to_string());
    assert_invalid_request(&token, BAD_HEADER_JSON).await;
}

// ---------------------------------------------------------------------------------
// Structure and size

#[tokio::test]
async fn token_of_64_kib() {
    let token = hs256(&claims_with("1", json!({"pad": "x".repeat(64 * 1024)})));
    assert!(token.len() > 64 * 1024);
    assert_invalid_request(&token, HEADER_TOO_LARGE).await;
}

#[tokio::test]
async fn token_over_8_kib() {
    // Fits the 16 KiB header limit, exceeds the 8 KiB token limit.
    let token = hs256(&claims_with("1", json!({"pad": "x".repeat(7 * 1024)})));
    assert!(token.len() > 8 * 1024 && token.len() < 16 * 1024);
    assert_invalid_request(&token, TOKEN_TOO_LARGE).await;
}

#[tokio::test]
async fn bad_base64_in_each_segment() {
    let token = hs256(&claims("1"));
    for i in 0..3 {
        let mut s: Vec<String> = segments(&token).into_iter().map(str::to_owned).collect();
        // '+' is a token68 character but not base64url.
        s[i].replace_range(1..2, "+");
        assert_invalid_request(&s.join("."), BAD_BASE64).await;
        // A length no base64 encoding has.
        let mut s: Vec<String> = segments(&token).into_iter().map(str::to_owned).collect();
        while s[i].len() % 4 != 1 {
            s[i].push('A');
        }
        assert_invalid_request(&s.join("."), BAD_BASE64).await;
    }
}

#[tokio::test]
async fn two_segments() {
    let token = hs256(&claims("1"));
    let s = segments(&token);
    assert_invalid_request(&format!("{}.{}", s[0], s[1]), SEGMENTS).await;
}

#[tokio::test]
async fn four_segments() {
    let token = hs256(&claims("1"));
    assert_invalid_request(&format!("{token}.{}", segments(&token)[2]), SEGMENTS).await;
}

#[tokio::test]
async fn five_segments_jwe_shape() {
    let header = b64(json!({"alg": "RSA-OAEP", "enc": "A256GCM"}).to_string());
    let token = format!(
        "{header}.{}.{}.{}.{}",
        b64([7u8; 256]),
        b64([1u8; 12]),
        b64(claims("1").to_string()),
        b64([2u8; 16])
    );
    assert_invalid_request(&token, SEGMENTS).await;
}

// ---------------------------------------------------------------------------------
// Payload

#[tokio::test]
async fn non_json_payload() {
    let token = hs256_raw(r#"{"alg":"HS256","typ":"JWT"}"#, "sub=1&exp=9999999999");
    assert_token_refused(&token, BAD_PAYLOAD_JSON).await;
}

#[tokio::test]
async fn json_array_payload() {
    let payload = json!([claims("1")]).to_string();
    let token = hs256_raw(r#"{"alg":"HS256","typ":"JWT"}"#, &payload);
    assert_token_refused(&token, BAD_PAYLOAD_JSON).await;
}

#[tokio::test]
async fn duplicate_sub_in_claims() {
    let payload = format!(
        r#"{{"sub":"2","iss":"{ISSUER}","aud":"{AUDIENCE}","typ":"access","iat":{},"exp":{},"sub":"1"}}"#,
        now(),
        now() + 600
    );
    let token = hs256_raw(r#"{"alg":"HS256","typ":"JWT"}"#, &payload);
    assert_token_refused(&token, BAD_PAYLOAD_JSON).await;
}

#[tokio::test]
async fn sub_of_unknown_user() {
    assert_token_refused(&hs256(&claims("999")), UNKNOWN_USER).await;
}

#[tokio::test]
async fn sub_not_a_user_id() {
    assert_token_refused(&hs256(&claims("abc")), UNKNOWN_USER).await;
}

#[tokio::test]
async fn inactive_user_is_forbidden() {
    let r = send(&app(), bearer("/me", &hs256(&claims("4")))).await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    assert!(r.challenges().is_empty(), "{:?}", r.challenges());
    assert_eq!(
        r.body,
        json!({"error": "forbidden", "message": "the account is inactive"})
    );
}

// ---------------------------------------------------------------------------------
// Revocation

#[tokio::test]
async fn revoked_jti() {
    // A handle on the store given to Portcullis (the switch stays off).
    let store = Faulty::new(InMemoryRevocationStore::default());
    let auth = Portcullis::builder(users())
        .jwt(jwt_config())
        .revocations(store.clone())
        .build()
        .unwrap();
    let app = router(auth);
    let revoked = hs256(&claims_with("2", json!({"jti": "revoke-me"})));
    let other = hs256(&claims_with("2", json!({"jti": "keep-me"})));
    assert_accepted(&app, &revoked, 2).await;
    store
        .revoke("revoke-me", SystemTime::now() + Duration::from_secs(600))
        .await
        .unwrap();
    assert_refused_request(&app, bearer("/me", &revoked), "invalid_token", REVOKED).await;
    // Revocation keys on the jti: other tokens of the same user still work.
    assert_accepted(&app, &other, 2).await;
}

// ---------------------------------------------------------------------------------
// Positive controls

async fn assert_valid(alg: Algorithm, sub: &str, id: i64) {
    let claims = claims_with(sub, json!({"jti": format!("jti-{alg:?}")}));
    let body = assert_accepted(&app(), &sign(alg, &claims), id).await;
    let jti = format!("jti-{alg:?}");
    assert_eq!(
        body,
        json!({"id": id, "scheme": "jwt", "sub": sub, "jti": jti, "token_id": jti})
    );
}

#[tokio::test]
async fn valid_hs256() {
    assert_valid(Algorithm::HS256, "1", 1).await;
}

#[tokio::test]
async fn valid_rs256() {
    assert_valid(Algorithm::RS256, "2", 2).await;
}

#[tokio::test]
async fn valid_ps256() {
    assert_valid(Algorithm::PS256, "2", 2).await;
}

#[tokio::test]
async fn valid_es256() {
    assert_valid(Algorithm::ES256, "3", 3).await;
}

#[tokio::test]
async fn valid_es384() {
    assert_valid(Algorithm::ES384, "1", 1).await;
}

#[tokio::test]
async fn valid_eddsa() {
    assert_valid(Algorithm::EdDSA, "2", 2).await;
}

// ---------------------------------------------------------------------------------
// The Authorization header

/// The route of the fail-closed case below: JWT or API key.
#[auth(jwt, api_key)]
async fn either(user: User, info: AuthInfo) -> Json<Value> {
    Json(json!({"id": user.id, "scheme": info.scheme().as_str()}))
}

#[tokio::test]
async fn bearer_scheme_is_case_insensitive() {
    let token = hs256(&claims("2"));
    for scheme in ["bearer", "BEARER", "bEaReR"] {
        let request = req("/me")
            .header("authorization", format!("{scheme} {token}"))
            .body(Body::empty())
            .unwrap();
        let r = send(&app(), request).await;
        assert_eq!(r.status, 200, "{scheme}: {:?}", r.body);
        assert_eq!(r.body["id"], 2);
    }
}

#[tokio::test]
async fn bearer_without_token() {
    for value in ["Bearer", "Bearer "] {
        let request = req("/me")
            .header("authorization", value)
            .body(Body::empty())
            .unwrap();
        assert_refused_request(&app(), request, "invalid_request", BEARER_MALFORMED).await;
    }
}

#[tokio::test]
async fn two_authorization_headers() {
    let token = hs256(&claims("2"));
    let request = req("/me")
        .header("authorization", format!("Bearer {token}"))
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    assert_refused_request(&app(), request, "invalid_request", SINGLE_AUTHORIZATION).await;
}

#[tokio::test]
async fn bad_token_beside_valid_api_key_fails_closed() {
    let app = app();
    let expired = hs256(&claims_with(
        "2",
        json!({"iat": now() - 3600, "exp": now() - 600}),
    ));
    let request = req("/either")
        .header("authorization", format!("Bearer {expired}"))
        .header("x-api-key", BOB_KEY)
        .body(Body::empty())
        .unwrap();
    let r = send(&app, request).await;
    assert_eq!(r.status, 401, "{:?}", r.body);
    assert_eq!(
        r.challenges(),
        vec![
            bearer_challenge("invalid_token", EXPIRED),
            "ApiKey realm=\"api\", header=\"X-API-Key\"".to_owned(),
        ]
    );
    assert_eq!(r.body, json!({"error": "invalid_token", "message": EXPIRED}));
    // Control: the API key alone is accepted on that route.
    let request = req("/either")
        .header("x-api-key", BOB_KEY)
        .body(Body::empty())
        .unwrap();
    let r = send(&app, request).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body, json!({"id": 2, "scheme": "api_key"}));
}

// ---------------------------------------------------------------------------------
// RFC 7515 Appendix A.1

const RFC7515_A1_TOKEN: &str = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.\
eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.\
dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

/// The JWK `k` of RFC 7515 Appendix A.1 (64 bytes).
const RFC7515_A1_K: &str =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";

#[tokio::test]
async fn rfc7515_appendix_a1_hs256_example() {
    // The header really is the RFC's, CR LF included.
    let s = segments(RFC7515_A1_TOKEN);
    assert_eq!(
        base64_decode(s[0]),
        b"{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}".to_vec()
    );
    let secret = base64_decode(RFC7515_A1_K);
    assert_eq!(secret.len(), 64);
    let auth = Portcullis::builder(users())
        .jwt(
            JwtConfig::new()
                .key(JwtKey::hmac(&secret, Algorithm::HS256))
                .token_type(None),
        )
        .build()
        .expect("the RFC key is a valid HS256 secret");
    let app = router(auth);

    // (b) The token as a whole is refused: its exp (2011-03-22) has passed. That this is
    // the reason shows the signature verified (it is checked first).
    assert_refused_request(&app, bearer("/me", RFC7515_A1_TOKEN), "invalid_token", EXPIRED).await;

    // (a) One changed signature character turns the reason into a signature failure.
    let mut signature = s[2].to_owned();
    signature.replace_range(0..1, "e");
    assert_ne!(signature, s[2]);
    let forged = format!("{}.{}.{signature}", s[0], s[1]);
    assert_refused_request(&app, bearer("/me", &forged), "invalid_token", BAD_SIGNATURE).await;
}

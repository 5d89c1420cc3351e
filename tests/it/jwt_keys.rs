//! JWT key formats and start-up validation.
//!
//! Keys given as PEM, DER, JWK and JWKS (RSA, EC, OKP) each verify a real token over
//! HTTP; every weak or inconsistent key configuration is refused by
//! `PortcullisBuilder::build` with a typed `ConfigError` (never a panic, never a
//! silently accepted key); and the algorithms allowed per key are enforced over HTTP
//! (a token's `alg` only selects among its key's allowed algorithms).

use std::time::Duration;

use crate::support::*;
use axum::{Json, Router, routing::get};
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey};
use portcullis::{AuthInfo, ConfigError, InMemoryUserStore, JwtConfig, JwtKey, Portcullis, auth};
use serde_json::{Value, json};

#[auth(jwt)]
async fn me(user: User, info: AuthInfo) -> Json<Value> {
    Json(json!({"id": user.id, "jti": info.token_id()}))
}

fn app(jwt: JwtConfig) -> Router {
    let auth = Portcullis::builder(users())
        .jwt(jwt.issuer(ISSUER).audience(AUDIENCE))
        .build()
        .expect("valid configuration");
    Router::new().route("/me", get(me)).with_state(AppState { auth })
}

/// Builds over an empty store (no password hashing): only the JWT settings matter.
fn build(jwt: JwtConfig) -> Result<Portcullis<User>, ConfigError> {
    Portcullis::builder(InMemoryUserStore::<User>::new())
        .jwt(jwt)
        .build()
}

fn build_err(jwt: JwtConfig) -> ConfigError {
    build(jwt).expect_err("the configuration must be refused")
}

async fn assert_accepts(app: &Router, token: &str, id: i64) {
    let r = send(app, bearer("/me", token)).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["id"], id);
}

async fn assert_refuses(app: &Router, token: &str, message: &str) {
    let r = send(app, bearer("/me", token)).await;
    assert_eq!(r.status, 401, "{:?}", r.body);
    assert_eq!(
        r.challenges(),
        vec![format!(
            "Bearer realm=\"api\", error=\"invalid_token\", error_description=\"{message}\""
        )]
    );
    assert_eq!(r.body, json!({"error": "invalid_token", "message": message}));
}

fn private_key(alg: Algorithm) -> EncodingKey {
    match alg {
        Algorithm::RS256 | Algorithm::PS256 => EncodingKey::from_rsa_pem(RSA_PRIVATE).unwrap(),
        Algorithm::ES256 => EncodingKey::from_ec_pem(EC256_PRIVATE).unwrap(),
        Algorithm::ES384 => EncodingKey::from_ec_pem(EC384_PRIVATE).unwrap(),
        Algorithm::EdDSA => EncodingKey::from_ed_pem(ED_PRIVATE).unwrap(),
        other => panic!("no test key for {other:?}"),
    }
}

/// The public JWK of a test key, with `alg` and `kid`.
fn public_jwk(alg: Algorithm, kid: &str) -> Value {
    portcullis::install_crypto_provider();
    let mut jwk = Jwk::from_encoding_key(&private_key(alg), alg).unwrap();
    jwk.common.key_id = Some(kid.to_owned());
    let value = serde_json::to_value(&jwk).unwrap();
    assert_eq!(value["alg"], format!("{alg:?}"));
    assert!(value.get("d").is_none(), "a public JWK has no private part");
    value
}

fn jwks(keys: &[Value]) -> String {
    json!({ "keys": keys }).to_string()
}

/// A JWT over raw header JSON and claims, signed with the test key for `alg`.
fn signed(header: &Value, claims: &Value, alg: Algorithm) -> String {
    portcullis::install_crypto_provider();
    let input = format!("{}.{}", b64(header.to_string()), b64(claims.to_string()));
    let key = match alg {
        Algorithm::HS256 => EncodingKey::from_secret(SECRET),
        other => private_key(other),
    };
    let signature = jsonwebtoken::crypto::sign(input.as_bytes(), &key, alg).unwrap();
    format!("{input}.{signature}")
}

/// An RS256 token naming the configured RSA key ("rsa-1") but signed by another key.
fn attacker_rs256() -> String {
    portcullis::install_crypto_provider();
    let attacker = EncodingKey::from_rsa_pem(include_bytes!("../keys/attacker_rsa.pem")).unwrap();
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": "rsa-1"});
    let input = format!("{}.{}", b64(header.to_string()), b64(claims("1").to_string()));
    let signature = jsonwebtoken::crypto::sign(input.as_bytes(), &attacker, Algorithm::RS256).unwrap();
    format!("{input}.{signature}")
}

// ---------------------------------------------------------------------------------
// Key formats, each verifying a token over HTTP

#[tokio::test]
async fn rsa_key_from_pem() {
    let app = app(JwtConfig::new().key(JwtKey::pem(RSA_PUBLIC, Algorithm::RS256).with_kid("rsa-1")));
    assert_accepts(&app, &sign(Algorithm::RS256, &claims("2")), 2).await;
    assert_refuses(&app, &attacker_rs256(), "the token's signature is invalid").await;
}

#[tokio::test]
async fn rsa_key_from_der() {
    let app = app(JwtConfig::new().key(JwtKey::der(RSA_PUBLIC_DER, Algorithm::RS256).with_kid("rsa-1")));
    assert_accepts(&app, &sign(Algorithm::RS256, &claims("2")), 2).await;
    assert_refuses(&app, &attacker_rs256(), "the token's signature is invalid").await;
}

#[tokio::test]
async fn rsa_key_from_jwk() {
    let jwk: Jwk = serde_json::from_value(public_jwk(Algorithm::RS256, "rsa-1")).unwrap();
    let key = JwtKey::jwk(&jwk).expect("a JWK with alg and kid");
    let router = app(JwtConfig::new().key(key));
    assert_accepts(&router, &sign(Algorithm::RS256, &claims("1")), 1).await;
    assert_refuses(&router, &attacker_rs256(), "the token's signature is invalid").await;
    // The JWK's alg pins RS256: PS256 with the same key is not allowed.
    assert_refuses(
        &router,
        &sign(Algorithm::PS256, &claims("1")),
        "the token's algorithm is not allowed for its key",
    )
    .await;
    // JSON text works the same.
    let key = JwtKey::jwk_json(&public_jwk(Algorithm::RS256, "rsa-1").to_string()).unwrap();
    assert_accepts(
        &app(JwtConfig::new().key(key)),
        &sign(Algorithm::RS256, &claims("1")),
        1,
    )
    .await;
}

#[tokio::test]
async fn jwks_with_rsa_ec_and_okp_keys() {
    let document = jwks(&[
        public_jwk(Algorithm::RS256, "rsa-1"),
        public_jwk(Algorithm::ES256, "ec-1"),
        public_jwk(Algorithm::ES384, "ec-2"),
        public_jwk(Algorithm::EdDSA, "ed-1"),
    ]);
    let parsed: Value = serde_json::from_str(&document).unwrap();
    let kty: Vec<&str> = parsed["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kty"].as_str().unwrap())
        .collect();
    assert_eq!(kty, ["RSA", "EC", "EC", "OKP"]);
    let app = app(JwtConfig::new().jwks(&document));
    for (alg, id) in [
        (Algorithm::RS256, 1),
        (Algorithm::ES256, 2),
        (Algorithm::ES384, 3),
        (Algorithm::EdDSA, 1),
    ] {
        assert_accepts(&app, &sign(alg, &claims(&id.to_string())), id).await;
    }
    // No key without kid in a JWKS: a token without kid has nothing to select.
    let header = json!({"alg": "RS256", "typ": "JWT"});
    assert_refuses(
        &app,
        &signed(&header, &claims("1"), Algorithm::RS256),
        "the token names an unknown key",
    )
    .await;
}

#[tokio::test]
async fn jwks_ec_kid_with_hs256_token_signed_with_the_hmac_secret() {
    let app = app(JwtConfig::new()
        .key(JwtKey::hmac(SECRET, Algorithm::HS256))
        .jwks(&jwks(&[public_jwk(Algorithm::ES256, "ec-1")])));
    // Control: the HMAC secret verifies tokens without kid.
    assert_accepts(&app, &hs256(&claims("1")), 1).await;
    let header = json!({"alg": "HS256", "typ": "JWT", "kid": "ec-1"});
    assert_refuses(
        &app,
        &signed(&header, &claims("1"), Algorithm::HS256),
        "the token's algorithm is not allowed for its key",
    )
    .await;
}

// ---------------------------------------------------------------------------------
// Algorithm pinning over HTTP

#[tokio::test]
async fn rs256_only_key_refuses_ps256_token() {
    let app = app(JwtConfig::new().key(JwtKey::pem(RSA_PUBLIC, Algorithm::RS256).with_kid("rsa-1")));
    assert_accepts(&app, &sign(Algorithm::RS256, &claims("2")), 2).await;
    assert_refuses(
        &app,
        &sign(Algorithm::PS256, &claims("2")),
        "the token's algorithm is not allowed for its key",
    )
    .await;
}

#[tokio::test]
async fn key_that_also_allows_ps256_accepts_it() {
    // The support configuration: RS256 with also_allow(PS256).
    let app = app(jwt_config());
    assert_accepts(&app, &sign(Algorithm::PS256, &claims("2")), 2).await;
    assert_accepts(&app, &sign(Algorithm::RS256, &claims("2")), 2).await;
    // Still not RS384 or PS384, which the key does not allow.
    for alg in ["RS384", "PS384"] {
        let header = json!({"alg": alg, "typ": "JWT", "kid": "rsa-1"});
        let token = format!(
            "{}.{}.{}",
            b64(header.to_string()),
            b64(claims("2").to_string()),
            b64([1u8; 256])
        );
        assert_refuses(&app, &token, "the token's algorithm is not allowed for its key").await;
    }
}

// ---------------------------------------------------------------------------------
// Start-up validation: typed ConfigError

#[test]
fn jwks_key_without_kid() {
    let mut key = public_jwk(Algorithm::ES256, "ec-1");
    key.as_object_mut().unwrap().remove("kid");
    let document = jwks(&[public_jwk(Algorithm::RS256, "rsa-1"), key]);
    let err = build_err(JwtConfig::new().jwks(&document));
    assert!(matches!(err, ConfigError::InvalidJwk(_)), "{err:?}");
}

#[test]
fn jwks_key_without_alg() {
    let mut key = public_jwk(Algorithm::ES256, "ec-1");
    key.as_object_mut().unwrap().remove("alg");
    let err = build_err(JwtConfig::new().jwks(&jwks(&[key])));
    assert!(matches!(err, ConfigError::InvalidJwk(_)), "{err:?}");
}

#[test]
fn jwk_without_alg() {
    let mut key = public_jwk(Algorithm::RS256, "rsa-1");
    key.as_object_mut().unwrap().remove("alg");
    let err = JwtKey::jwk_json(&key.to_string()).expect_err("alg is required");
    assert!(matches!(err, ConfigError::InvalidJwk(_)), "{err:?}");
}

#[test]
fn malformed_jwks_document() {
    for document in [
        "",
        "{}",
        r#"{"keys": {}}"#,
        r#"{"keys": [{"kty": "RSA"}]}"#,
        "[1, 2]",
    ] {
        let err = build_err(JwtConfig::new().jwks(document));
        assert!(matches!(err, ConfigError::InvalidJwk(_)), "{document}: {err:?}");
    }
}

#[test]
fn oct_jwk_in_jwks_is_refused() {
    let oct = json!({"kty": "oct", "k": b64((0..32u8).collect::<Vec<u8>>()), "alg": "HS256", "kid": "oct-1"});
    let err = build_err(JwtConfig::new().jwks(&jwks(&[oct])));
    assert!(
        matches!(
            err,
            ConfigError::AlgorithmMismatch {
                alg: Algorithm::HS256,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn jwk_key_type_must_match_its_alg() {
    // An RSA JWK pinned to ES256 or EdDSA is a contradiction, as is an EC key pinned
    // to RS256: each must be refused at start-up.
    let mut accepted = Vec::new();
    for (mut key, alg) in [
        (public_jwk(Algorithm::RS256, "k"), "ES256"),
        (public_jwk(Algorithm::RS256, "k"), "EdDSA"),
        (public_jwk(Algorithm::ES256, "k"), "RS256"),
        (public_jwk(Algorithm::ES256, "k"), "EdDSA"),
        (public_jwk(Algorithm::EdDSA, "k"), "ES256"),
    ] {
        key["alg"] = json!(alg);
        let kty = key["kty"].as_str().unwrap().to_owned();
        if build(JwtConfig::new().jwks(&jwks(&[key]))).is_ok() {
            accepted.push(format!("{kty} JWK with alg {alg}"));
        }
    }
    assert!(accepted.is_empty(), "accepted at start-up: {accepted:?}");
}

#[test]
fn rsa_jwk_pinned_to_es256_is_refused_at_start_up() {
    // An RSA key labelled ES256 must never be built: a verifier for it would either
    // check RSA signatures under the name ES256 or verify nothing.
    let mut key = public_jwk(Algorithm::RS256, "rsa-es");
    key["alg"] = json!("ES256");
    let err = build_err(JwtConfig::new().jwks(&jwks(&[key])));
    assert!(
        matches!(
            err,
            ConfigError::AlgorithmMismatch {
                alg: Algorithm::ES256,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn hmac_secret_of_31_bytes() {
    let err = build_err(JwtConfig::new().key(JwtKey::hmac([b'k'; 31], Algorithm::HS256)));
    assert_eq!(
        err,
        ConfigError::WeakSecret {
            alg: Algorithm::HS256,
            min_bytes: 32,
            actual_bytes: 31
        }
    );
    // 32 bytes are enough (of enough variety: see abuse::safe_defaults).
    let secret: Vec<u8> = (0..32u8).collect();
    assert!(build(JwtConfig::new().key(JwtKey::hmac(secret, Algorithm::HS256))).is_ok());
}

#[test]
fn hs384_secret_of_40_bytes() {
    let err = build_err(JwtConfig::new().key(JwtKey::hmac([b'k'; 40], Algorithm::HS384)));
    assert_eq!(
        err,
        ConfigError::WeakSecret {
            alg: Algorithm::HS384,
            min_bytes: 48,
            actual_bytes: 40
        }
    );
    let err = build_err(JwtConfig::new().key(JwtKey::hmac([b'k'; 63], Algorithm::HS512)));
    assert!(
        matches!(
            err,
            ConfigError::WeakSecret {
                alg: Algorithm::HS512,
                min_bytes: 64,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn pem_text_as_secret() {
    for pem in [RSA_PUBLIC, EC256_PUBLIC, RSA_PRIVATE] {
        let err = build_err(JwtConfig::new().key(JwtKey::hmac(pem, Algorithm::HS256)));
        assert_eq!(err, ConfigError::SecretLooksLikeKey);
    }
    let indented = format!("\n  {}", String::from_utf8_lossy(RSA_PUBLIC));
    let err = build_err(JwtConfig::new().key(JwtKey::hmac(indented, Algorithm::HS256)));
    assert_eq!(err, ConfigError::SecretLooksLikeKey);
}

#[test]
fn jwk_text_as_secret() {
    let oct = json!({"kty": "oct", "k": b64((0..32u8).collect::<Vec<u8>>()), "alg": "HS256"}).to_string();
    let rsa = public_jwk(Algorithm::RS256, "rsa-1").to_string();
    for text in [oct, rsa] {
        let err = build_err(JwtConfig::new().key(JwtKey::hmac(&text, Algorithm::HS256)));
        assert_eq!(err, ConfigError::SecretLooksLikeKey, "{text}");
    }
}

#[test]
fn rsa_1024_bit_key() {
    let err = build_err(JwtConfig::new().key(JwtKey::pem(RSA1024_PUBLIC, Algorithm::RS256)));
    assert_eq!(err, ConfigError::WeakRsaKey { bits: 1024 });
}

#[test]
fn rsa_key_with_hs256() {
    let err = build_err(JwtConfig::new().key(JwtKey::pem(RSA_PUBLIC, Algorithm::HS256)));
    assert!(
        matches!(
            err,
            ConfigError::AlgorithmMismatch {
                alg: Algorithm::HS256,
                ..
            }
        ),
        "{err:?}"
    );
    let err = build_err(JwtConfig::new().key(JwtKey::der(RSA_PUBLIC_DER, Algorithm::HS256)));
    assert!(
        matches!(
            err,
            ConfigError::AlgorithmMismatch {
                alg: Algorithm::HS256,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn secret_with_rs256() {
    let err = build_err(JwtConfig::new().key(JwtKey::hmac(SECRET, Algorithm::RS256)));
    assert!(
        matches!(
            err,
            ConfigError::AlgorithmMismatch {
                alg: Algorithm::RS256,
                ..
            }
        ),
        "{err:?}"
    );
    // Also when the public-key algorithm is only added with also_allow.
    let err =
        build_err(JwtConfig::new().key(JwtKey::hmac(SECRET, Algorithm::HS256).also_allow(Algorithm::RS256)));
    assert!(
        matches!(
            err,
            ConfigError::AlgorithmMismatch {
                alg: Algorithm::RS256,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn rs256_and_es256_on_one_key() {
    let key = JwtKey::pem(RSA_PUBLIC, Algorithm::RS256).also_allow(Algorithm::ES256);
    let err = build_err(JwtConfig::new().key(key));
    assert!(
        matches!(
            err,
            ConfigError::AlgorithmMismatch {
                alg: Algorithm::ES256,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn duplicate_kid() {
    let jwt = JwtConfig::new()
        .key(JwtKey::pem(RSA_PUBLIC, Algorithm::RS256).with_kid("k1"))
        .key(JwtKey::pem(EC256_PUBLIC, Algorithm::ES256).with_kid("k1"));
    assert_eq!(build_err(jwt), ConfigError::DuplicateKid("k1".into()));
    // Also across a key and a JWKS entry.
    let jwt = JwtConfig::new()
        .key(JwtKey::pem(RSA_PUBLIC, Algorithm::RS256).with_kid("ec-1"))
        .jwks(&jwks(&[public_jwk(Algorithm::ES256, "ec-1")]));
    assert_eq!(build_err(jwt), ConfigError::DuplicateKid("ec-1".into()));
}

#[test]
fn two_keys_without_kid() {
    let jwt = JwtConfig::new()
        .key(JwtKey::hmac(SECRET, Algorithm::HS256))
        .key(JwtKey::pem(RSA_PUBLIC, Algorithm::RS256));
    assert_eq!(build_err(jwt), ConfigError::SeveralKeysWithoutKid);
}

#[test]
fn invalid_kid() {
    let jwt = JwtConfig::new().key(JwtKey::hmac(SECRET, Algorithm::HS256).with_kid(""));
    assert_eq!(build_err(jwt), ConfigError::InvalidKid);
    let jwt = JwtConfig::new().key(JwtKey::hmac(SECRET, Algorithm::HS256).with_kid("k".repeat(257)));
    assert_eq!(build_err(jwt), ConfigError::InvalidKid);
}

#[test]
fn leeway_of_61_seconds() {
    let jwt = JwtConfig::new()
        .key(JwtKey::hmac(SECRET, Algorithm::HS256))
        .leeway(Duration::from_secs(61));
    assert_eq!(
        build_err(jwt),
        ConfigError::LeewayTooLarge(Duration::from_secs(61))
    );
    // 60 s is the limit.
    let jwt = JwtConfig::new()
        .key(JwtKey::hmac(SECRET, Algorithm::HS256))
        .leeway(Duration::from_secs(60));
    assert!(build(jwt).is_ok());
}

#[test]
fn jwt_without_keys() {
    assert_eq!(build_err(JwtConfig::new()), ConfigError::NoJwtKeys);
    assert_eq!(
        build_err(JwtConfig::new().jwks(&jwks(&[]))),
        ConfigError::NoJwtKeys
    );
}

#[test]
fn ed25519_key_of_wrong_length() {
    let err = build_err(JwtConfig::new().key(JwtKey::der([9u8; 31], Algorithm::EdDSA)));
    assert!(matches!(err, ConfigError::InvalidKey(_)), "{err:?}");
}

#[test]
fn garbage_key_material() {
    for key in [
        JwtKey::pem(b"not a pem", Algorithm::RS256),
        JwtKey::pem(EC256_PUBLIC, Algorithm::RS256),
        JwtKey::pem(RSA_PUBLIC, Algorithm::ES256),
        JwtKey::der(b"not der", Algorithm::RS256),
        JwtKey::der(b"not der", Algorithm::ES256),
    ] {
        let err = build_err(JwtConfig::new().key(key.clone()));
        assert!(matches!(err, ConfigError::InvalidKey(_)), "{key:?}: {err:?}");
    }
}

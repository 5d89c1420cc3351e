//! Keys, claims and token minting.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use portcullis::{JwtConfig, JwtKey, TokenConfig};
use serde_json::{Value, json};

use super::requests::Reply;

pub const SECRET: &[u8] = b"test-secret-0123456789-abcdefghij-KLMNOP";
pub const ISSUER: &str = "https://issuer.test";
pub const AUDIENCE: &str = "test-api";
pub const RSA_PRIVATE: &[u8] = include_bytes!("../keys/rsa2048.pem");
pub const RSA_PUBLIC: &[u8] = include_bytes!("../keys/rsa2048.pub.pem");
pub const RSA_PUBLIC_DER: &[u8] = include_bytes!("../keys/rsa2048.pub.der");
pub const RSA1024_PUBLIC: &[u8] = include_bytes!("../keys/rsa1024.pub.pem");
pub const EC256_PRIVATE: &[u8] = include_bytes!("../keys/ec256.pem");
pub const EC256_PUBLIC: &[u8] = include_bytes!("../keys/ec256.pub.pem");
pub const EC384_PRIVATE: &[u8] = include_bytes!("../keys/ec384.pem");
pub const EC384_PUBLIC: &[u8] = include_bytes!("../keys/ec384.pub.pem");
pub const ED_PRIVATE: &[u8] = include_bytes!("../keys/ed25519.pem");
pub const ED_PUBLIC: &[u8] = include_bytes!("../keys/ed25519.pub.pem");

/// The JWT settings used by most tests: HS256 secret (no kid), RS256 (`kid` "rsa-1"),
/// ES256 ("ec-1"), ES384 ("ec-2"), EdDSA ("ed-1"); issuer and audience set.
pub fn jwt_config() -> JwtConfig {
    JwtConfig::new()
        .key(JwtKey::hmac(SECRET, Algorithm::HS256))
        .key(
            JwtKey::pem(RSA_PUBLIC, Algorithm::RS256)
                .with_kid("rsa-1")
                .also_allow(Algorithm::PS256),
        )
        .key(JwtKey::pem(EC256_PUBLIC, Algorithm::ES256).with_kid("ec-1"))
        .key(JwtKey::pem(EC384_PUBLIC, Algorithm::ES384).with_kid("ec-2"))
        .key(JwtKey::pem(ED_PUBLIC, Algorithm::EdDSA).with_kid("ed-1"))
        .issuer(ISSUER)
        .audience(AUDIENCE)
}

/// Tokens issued with [`SECRET`], [`ISSUER`] and [`AUDIENCE`]; without `.jwt(..)`, the
/// builder verifies them with the same settings.
pub fn issued_tokens() -> TokenConfig {
    TokenConfig::hmac(SECRET, Algorithm::HS256)
        .issuer(ISSUER)
        .audience(AUDIENCE)
}

pub fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

/// Valid access-token claims for `sub`.
pub fn claims(sub: &str) -> Value {
    json!({
        "sub": sub, "iss": ISSUER, "aud": AUDIENCE, "typ": "access",
        "iat": now(), "exp": now() + 600, "jti": format!("jti-{sub}-{}", now()),
    })
}

/// HS256 with `secret`.
pub fn hs256_with(secret: &[u8], claims: &Value) -> String {
    portcullis::install_crypto_provider();
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap()
}

/// HS256 with [`SECRET`].
pub fn hs256(claims: &Value) -> String {
    hs256_with(SECRET, claims)
}

/// Signs with one of the asymmetric test keys and sets the matching `kid`.
pub fn sign(alg: Algorithm, claims: &Value) -> String {
    portcullis::install_crypto_provider();
    let (key, kid) = match alg {
        Algorithm::RS256 | Algorithm::PS256 => (EncodingKey::from_rsa_pem(RSA_PRIVATE).unwrap(), "rsa-1"),
        Algorithm::ES256 => (EncodingKey::from_ec_pem(EC256_PRIVATE).unwrap(), "ec-1"),
        Algorithm::ES384 => (EncodingKey::from_ec_pem(EC384_PRIVATE).unwrap(), "ec-2"),
        Algorithm::EdDSA => (EncodingKey::from_ed_pem(ED_PRIVATE).unwrap(), "ed-1"),
        Algorithm::HS256 => return hs256(claims),
        other => panic!("no test key for {other:?}"),
    };
    let mut header = Header::new(alg);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&header, claims, &key).unwrap()
}

/// base64url without padding.
pub fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A token from raw header and payload JSON, HS256-signed with the test secret
/// (so only the part under test is wrong).
pub fn hs256_raw(header: &str, payload: &str) -> String {
    use aws_lc_rs::hmac;
    let signing_input = format!("{}.{}", b64(header), b64(payload));
    let key = hmac::Key::new(hmac::HMAC_SHA256, SECRET);
    let tag = hmac::sign(&key, signing_input.as_bytes());
    format!("{signing_input}.{}", b64(tag.as_ref()))
}

/// The JSON payload of a JWT (not verified).
pub fn payload(token: &str) -> Value {
    let part = token.split('.').nth(1).expect("a JWT has a payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

/// The access and refresh token of a 200 token-pair response.
pub struct Tokens {
    pub access: String,
    pub refresh: String,
}

/// The token pair of `r`, which must be a 200.
#[track_caller]
pub fn tokens_of(r: &Reply) -> Tokens {
    assert_eq!(r.status, http::StatusCode::OK, "{:?}", r.body);
    Tokens {
        access: r.body["access_token"].as_str().expect("access_token").to_owned(),
        refresh: r.body["refresh_token"]
            .as_str()
            .expect("refresh_token")
            .to_owned(),
    }
}

/// Decodes base64url without padding.
pub fn unb64(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text).ok()
}

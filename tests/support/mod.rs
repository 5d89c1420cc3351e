//! Shared fixtures of the integration tests: a user type, an app, token minting.
#![allow(dead_code, missing_docs, unreachable_pub)]

use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Body;
use axum::extract::FromRef;
use http::{Request, Response, StatusCode};
use http_body_util::BodyExt;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use portcullis::{
    ApiKeyConfig, AuthUser, InMemoryRevocationStore, InMemoryUserStore, JwtConfig, JwtKey, Portcullis,
};
use serde_json::{Value, json};
use tower::ServiceExt;

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
/// A static API key of the service account (user 3).
pub const STATIC_KEY: &str = "svc_static_key_0123456789abcdef";
/// Bob's stored API key.
pub const BOB_KEY: &str = "pk_bob_0123456789abcdefghij";
pub const ALICE_PASSWORD: &str = "alice-password-1";

#[derive(Debug, Clone, PartialEq, AuthUser)]
#[auth_user(roles("admin", "user"))]
pub struct User {
    #[auth_user(id)]
    pub id: i64,
    #[auth_user(name)]
    pub username: String,
    #[auth_user(roles)]
    pub roles: String,
    #[auth_user(password_hash)]
    pub password_hash: Option<String>,
    #[auth_user(active)]
    pub active: bool,
}

#[derive(Clone, FromRef)]
pub struct AppState {
    pub auth: Portcullis<User>,
}

pub fn users() -> InMemoryUserStore<User> {
    let store = InMemoryUserStore::new();
    let hash = portcullis::hash_password(ALICE_PASSWORD).unwrap();
    store.insert(User {
        id: 1,
        username: "alice".into(),
        roles: "admin".into(),
        password_hash: Some(hash),
        active: true,
    });
    store.insert(User {
        id: 2,
        username: "bob".into(),
        roles: "user".into(),
        password_hash: None,
        active: true,
    });
    store.insert(User {
        id: 3,
        username: "svc".into(),
        roles: "".into(),
        password_hash: None,
        active: true,
    });
    store.insert(User {
        id: 4,
        username: "mallory".into(),
        roles: "user".into(),
        password_hash: None,
        active: false,
    });
    store.add_api_key(&2, BOB_KEY);
    store
}

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

pub fn portcullis() -> Portcullis<User> {
    Portcullis::builder(users())
        .jwt(jwt_config())
        .api_key(
            ApiKeyConfig::new()
                .query_param("api_key")
                .static_key(STATIC_KEY, 3),
        )
        .revocations(InMemoryRevocationStore::default())
        .build()
        .expect("test configuration is valid")
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

pub fn hs256(claims: &Value) -> String {
    portcullis::install_crypto_provider();
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(SECRET),
    )
    .unwrap()
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
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
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

pub struct Reply {
    pub status: StatusCode,
    pub headers: http::HeaderMap,
    pub body: Value,
}

impl Reply {
    /// Every `WWW-Authenticate` value.
    pub fn challenges(&self) -> Vec<String> {
        self.headers
            .get_all("www-authenticate")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }
}

pub async fn send(app: &Router, request: Request<Body>) -> Reply {
    let response: Response<Body> = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    Reply {
        status,
        headers,
        body,
    }
}

pub fn req(uri: &str) -> http::request::Builder {
    Request::builder().method("GET").uri(uri)
}

pub fn bearer(uri: &str, token: &str) -> Request<Body> {
    req(uri)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap()
}

/// Decodes base64url without padding.
pub fn unb64(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text).ok()
}

//! Safe defaults: low-variety HMAC secrets are refused with a hint; the server's own
//! tokens carry `jti` and `iat` and are refused without them; a successful login
//! upgrades an outdated password hash; an inactive account's right password answers
//! like a wrong one.

use portcullis::{Algorithm, ConfigError, JwtConfig, JwtKey, Portcullis};

use crate::support::*;

fn hs256(secret: &[u8]) -> Result<Portcullis<User>, ConfigError> {
    builder(users())
        .jwt(JwtConfig::new().key(JwtKey::hmac(secret, Algorithm::HS256)))
        .build()
}

#[test]
fn low_variety_hmac_secrets_are_refused_with_a_hint() {
    for weak in [
        &b"correct horse battery staple 123"[..], // a 32-character passphrase
        &[b'k'; 64][..],
        &b"abababababababababababababababababababab"[..],
    ] {
        let error = hs256(weak).unwrap_err();
        assert!(matches!(error, ConfigError::LowVarietySecret { .. }), "{error:?}");
        assert!(error.to_string().contains("openssl rand -base64 48"), "{error}");
    }
    // What `openssl rand -base64 48` and `openssl rand -hex 32` print, and raw bytes.
    for strong in [
        &b"q3J0vH8w2mY+T1kPz6cR9sLx4bN7eD5aG0fU2iO8lK1jM3hW6tE9yV4uB7nQ2rS5"[..],
        &b"5f2b9c0e7a1d4e8f3b6c9a2d5e8f1b4c7a0d3e6f9b2c5a8d1e4f7b0c3a6d9e2f"[..],
        &(0..32u8).collect::<Vec<u8>>()[..],
    ] {
        assert!(hs256(strong).is_ok());
    }
}

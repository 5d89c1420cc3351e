//! Reading and minting HS256 tokens with the test servers' secret, without any JWT
//! library: the checks see exactly the bytes the server sent.

use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

fn key(secret: &str) -> hmac::Key {
    hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes())
}

/// The header and claims of a compact JWS, after checking its HS256 signature.
pub fn verify_hs256(token: &str, secret: &str) -> (Value, Value) {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "a compact JWS has three parts: {token}");
    let decode = |part: &str| -> Value {
        let bytes = URL_SAFE_NO_PAD
            .decode(part)
            .unwrap_or_else(|e| panic!("base64url part {part}: {e}"));
        serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("JSON part {part}: {e}"))
    };
    let signature = URL_SAFE_NO_PAD.decode(parts[2]).expect("base64url signature");
    let signed = format!("{}.{}", parts[0], parts[1]);
    assert!(
        hmac::verify(&key(secret), signed.as_bytes(), &signature).is_ok(),
        "the access token is signed HS256 with PORTCULLIS_JWT_SECRET"
    );
    (decode(parts[0]), decode(parts[1]))
}

/// A token over `claims`, signed HS256 with `secret`.
pub fn mint_hs256(claims: &Value, secret: &str) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).expect("claims JSON"));
    let signed = format!("{header}.{payload}");
    let tag = hmac::sign(&key(secret), signed.as_bytes());
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()))
}

//! Wycheproof's JWS vectors (`wycheproof/json_web_signature_test.json`): each group's
//! key is configured as an application configures it, each compact JWS checked by
//! [`SignatureCheck::verify_compact`].

use portcullis::jsonwebtoken::Algorithm;
use portcullis::{ConfigError, JwtKey, SignatureCheck};
use serde_json::Value;

use crate::tally::{Tally, b64url, load, text};

/// Refusals of vectors Wycheproof calls valid that are Portcullis' documented rules
/// (the reason as the runtime words it → why it is right; see docs/RELIABILITY.md).
pub const DOCUMENTED: &[(&str, &str)] = &[
    (
        "the token's algorithm is not allowed for its key",
        "a PS384 token under a JWK whose alg is PS256: every key pins its algorithms",
    ),
    (
        "key refused at configuration: low-variety secret",
        "an HMAC secret of 32 zero bytes is refused when the key is configured",
    ),
    (
        "key refused at configuration: JWK refused",
        "a JWK without a JWS alg, or with ES521/P-521, is refused when the key is configured",
    ),
];

/// The key a JWK describes, built as the builder builds it: an `oct` JWK is an HMAC
/// secret (`JwtKey::hmac`, as the application configures it; `oct` JWKs themselves
/// are refused), any other goes through `JwtKey::jwk_json`.
pub fn check_for(jwk: &Value) -> Result<SignatureCheck, String> {
    let key = if jwk["kty"] == "oct" {
        let alg: Algorithm = text(jwk, "alg").parse().map_err(|_| refused_kind(None))?;
        JwtKey::hmac(b64url(text(jwk, "k")), alg)
    } else {
        JwtKey::jwk_json(&jwk.to_string()).map_err(|e| refused_kind(Some(&e)))?
    };
    key.signature_check().map_err(|e| refused_kind(Some(&e)))
}

fn refused_kind(error: Option<&ConfigError>) -> String {
    let kind = match error {
        None | Some(ConfigError::InvalidJwk(_)) => "JWK refused",
        Some(ConfigError::LowVarietySecret { .. }) => "low-variety secret",
        Some(ConfigError::WeakSecret { .. }) => "secret shorter than its algorithm's minimum",
        Some(ConfigError::WeakRsaKey { .. }) => "RSA key under 2048 bits",
        Some(ConfigError::AlgorithmMismatch { .. }) => "algorithm of another family",
        Some(ConfigError::InvalidKey(_)) => "malformed key",
        Some(other) => panic!("unexpected configuration error: {other}"),
    };
    format!("key refused at configuration: {kind}")
}

/// `Ok(payload)` when the JWS verifies with the JWK, else the reason it was refused.
pub fn verify(jwk: &Value, jws: &str) -> Result<Vec<u8>, String> {
    check_for(jwk)?.verify_compact(jws).map_err(|e| e.to_string())
}

/// Records one vector's outcome against its expected result.
pub fn record(tally: &mut Tally, id: &str, expect_valid: bool, outcome: Result<Vec<u8>, String>) {
    match (expect_valid, outcome) {
        (true, Ok(_)) => tally.valid_verified += 1,
        (false, Err(_)) => tally.invalid_refused += 1,
        (true, Err(reason)) if DOCUMENTED.iter().any(|(r, _)| *r == reason) => tally.rule(reason),
        (true, Err(reason)) => tally.fail(format!("{id}: valid but refused: {reason}")),
        (false, Ok(_)) => tally.fail(format!("{id}: invalid but verified")),
    }
}

#[test]
fn wycheproof_json_web_signature() {
    portcullis::install_crypto_provider();
    let file = load("wycheproof/json_web_signature_test.json");
    let mut tally = Tally::new("json_web_signature_test.json");
    for group in file["testGroups"].as_array().unwrap() {
        let jwk = group.get("public").unwrap_or(&group["private"]);
        for test in group["tests"].as_array().unwrap() {
            // A JSON serialization (an object) is not a token: passed as its text.
            let jws = match &test["jws"] {
                Value::String(compact) => compact.clone(),
                other => other.to_string(),
            };
            let id = format!("tcId {} ({})", test["tcId"], text(test, "comment"));
            let expect_valid = match text(test, "result") {
                "valid" => true,
                "invalid" => false,
                other => panic!("{id}: result {other:?} has no policy"),
            };
            record(&mut tally, &id, expect_valid, verify(jwk, &jws));
        }
    }
    tally.finish(
        35,
        355,
        &[
            ("key refused at configuration: JWK refused", 2),
            ("key refused at configuration: low-variety secret", 7),
            ("the token's algorithm is not allowed for its key", 2),
        ],
    );
}

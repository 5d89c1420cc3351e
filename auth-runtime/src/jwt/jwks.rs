//! An identity provider's JWKS document, read leniently: a provider publishes keys
//! for other uses and other algorithms too, so unusable keys are skipped (and
//! reported) instead of failing the set — but a set with no usable key is refused.
//!
//! Keys without `alg` get theirs from `kty`/`crv` (RSA → the configured RS*/PS*
//! list, EC P-256 → ES256, P-384 → ES384, Ed25519 → EdDSA) and are pinned to it;
//! `use: "enc"` keys are ignored; symmetric (`oct`) keys are refused.

use std::collections::HashMap;

use jsonwebtoken::Algorithm;
use jsonwebtoken::jwk::Jwk;
use serde_json::Value;

use super::keys::{JwtKey, KeySet, jws_algorithm};

/// Most keys read from one document.
pub(crate) const MAX_KEYS: usize = 64;

/// A provider's key set and what was skipped, key by key.
pub(crate) struct ProviderKeys {
    pub(crate) keys: KeySet,
    pub(crate) skipped: Vec<String>,
}

/// Reads a JWKS document published by an identity provider.
///
/// # Errors
/// Not a JWKS document, or not one usable signing key in it.
pub(crate) fn provider_key_set(json: &[u8], rsa_algorithms: &[Algorithm]) -> Result<ProviderKeys, String> {
    let document: Value = serde_json::from_slice(json).map_err(|_| "the key set is not JSON".to_owned())?;
    let Some(list) = document.get("keys").and_then(Value::as_array) else {
        return Err("the document has no \"keys\" array".to_owned());
    };
    let mut by_kid = HashMap::new();
    let mut default = None;
    let mut skipped = Vec::new();
    for (index, entry) in list.iter().take(MAX_KEYS).enumerate() {
        let kid = entry.get("kid").and_then(Value::as_str).map(str::to_owned);
        let label = kid.clone().unwrap_or_else(|| format!("#{index}"));
        match provider_key(entry, rsa_algorithms).and_then(|key| key.build().map_err(|e| e.to_string())) {
            Ok(built) => match kid {
                Some(kid) if !by_kid.contains_key(&kid) => {
                    by_kid.insert(kid, built);
                }
                None if default.is_none() => default = Some(built),
                _ => skipped.push(format!("{label}: the key id is not unique")),
            },
            Err(reason) => skipped.push(format!("{label}: {reason}")),
        }
    }
    if list.len() > MAX_KEYS {
        skipped.push(format!(
            "{} keys after the first {MAX_KEYS} were ignored",
            list.len() - MAX_KEYS
        ));
    }
    let keys = KeySet::from_built(by_kid, default);
    if keys.len() == 0 {
        return Err(format!(
            "the key set has no usable signing key ({})",
            skipped.join("; ")
        ));
    }
    Ok(ProviderKeys { keys, skipped })
}

/// One key of the document, with the algorithms it may verify.
fn provider_key(entry: &Value, rsa_algorithms: &[Algorithm]) -> Result<JwtKey, String> {
    if entry
        .get("use")
        .and_then(Value::as_str)
        .is_some_and(|u| u != "sig")
    {
        return Err("not a signing key (use)".to_owned());
    }
    let kty = entry.get("kty").and_then(Value::as_str).unwrap_or("");
    if kty == "oct" {
        return Err("symmetric keys are refused in a key set".to_owned());
    }
    let jwk: Jwk = serde_json::from_value(entry.clone()).map_err(|e| format!("not a JWK: {e}"))?;
    let algorithms = match jwk.common.key_algorithm {
        Some(alg) => vec![jws_algorithm(alg).map_err(|e| e.to_string())?],
        None => match (kty, entry.get("crv").and_then(Value::as_str)) {
            ("RSA", _) => rsa_algorithms.to_vec(),
            ("EC", Some("P-256")) => vec![Algorithm::ES256],
            ("EC", Some("P-384")) => vec![Algorithm::ES384],
            ("OKP", Some("Ed25519")) => vec![Algorithm::EdDSA],
            _ => return Err("no \"alg\", and none follows from kty/crv".to_owned()),
        },
    };
    if algorithms.is_empty() {
        return Err("no RSA algorithm is configured".to_owned());
    }
    Ok(JwtKey::provider_jwk(jwk, &algorithms))
}

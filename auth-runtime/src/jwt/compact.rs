//! The compact serialization of a JWS, read before any key is chosen: size, three
//! base64url segments, a strict header (algorithm, key id, type, no key-naming or
//! critical members) and the not yet trusted claims.

use std::str::FromStr;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::Algorithm;
use serde_json::{Map, Value};

use super::claims::StrictObject;
use super::keys::{MAX_KID_LEN, VerifyingKey};
use super::{malformed, refused};
use crate::error::AuthError;

/// Header members that would let a token name its own key: never honoured.
const HEADERS_NAMING_KEYS: [&str; 4] = ["jku", "jwk", "x5u", "x5c"];

/// Header types accepted: none, `JWT`, and the RFC 9068 access-token types.
const ACCEPTED_TYPES: [&str; 3] = ["jwt", "at+jwt", "application/at+jwt"];

/// A JWS whose structure and header were checked, but not yet its signature; its
/// payload is any bytes (see [`Unverified`] for tokens, whose payload is claims).
pub(crate) struct Signed<'t> {
    token: &'t str,
    signed_len: usize,
    signature: Vec<u8>,
    alg: Algorithm,
    kid: Option<String>,
    /// Whether the header's `typ` is RFC 9068's `at+jwt` (or `application/at+jwt`).
    access_token_type: bool,
    payload: Vec<u8>,
}

/// A token whose structure and header were checked, but not yet its signature.
pub(crate) struct Unverified<'t> {
    signed: Signed<'t>,
    /// The claims as sent: only routing (which issuer's keys) may look at them
    /// before [`verify`](Self::verify).
    claims: Map<String, Value>,
}

/// Whether `token` has the shape of a JWS (three dot-separated segments): other
/// bearer tokens are opaque (introspected when a provider is configured for it).
pub(crate) fn looks_like_jwt(token: &str) -> bool {
    // `find`/`rfind`/`contains` of a char use memchr: no per-byte loop on the hot path.
    match (token.find('.'), token.rfind('.')) {
        (Some(first), Some(last)) if first < last => !token[first + 1..last].contains('.'),
        _ => false,
    }
}

impl<'t> Signed<'t> {
    /// Structure and header checks; the payload is kept as bytes.
    pub(crate) fn parse(token: &'t str, max_bytes: usize) -> Result<Self, AuthError> {
        if token.len() > max_bytes {
            return Err(malformed("the token is too large"));
        }
        let mut segments = token.split('.');
        let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
            (segments.next(), segments.next(), segments.next(), segments.next())
        else {
            return Err(malformed("a JWT has exactly three dot-separated segments"));
        };
        let decode = |segment: &str| {
            URL_SAFE_NO_PAD
                .decode(segment)
                .map_err(|_| malformed("the token is not valid base64url"))
        };
        let header_bytes = decode(header_b64)?;
        let payload_bytes = decode(payload_b64)?;
        let signature = decode(signature_b64)?;
        let mut header = StrictObject::parse(&header_bytes)
            .ok_or_else(|| malformed("the token header is not a JSON object with unique members"))?;

        let alg = match header.get("alg") {
            Some(Value::String(name)) if name.eq_ignore_ascii_case("none") => {
                return Err(refused("unsigned tokens are refused"));
            }
            Some(Value::String(name)) => {
                Algorithm::from_str(name).map_err(|_| refused("the token's algorithm is not supported"))?
            }
            _ => return Err(refused("the token header has no algorithm")),
        };
        if HEADERS_NAMING_KEYS.iter().any(|h| header.contains_key(*h)) {
            return Err(refused(
                "tokens naming their own key (jku, jwk, x5u, x5c) are refused",
            ));
        }
        if header.contains_key("crit") {
            return Err(refused(
                "the token requires extensions this server does not support",
            ));
        }
        let access_token_type = match header.get("typ") {
            None => false,
            Some(Value::String(t)) if ACCEPTED_TYPES.iter().any(|a| t.eq_ignore_ascii_case(a)) => {
                !t.eq_ignore_ascii_case("jwt")
            }
            Some(_) => return Err(refused("the token header's typ is not JWT or at+jwt")),
        };
        let kid = match header.remove("kid") {
            None => None,
            Some(Value::String(kid)) if !kid.is_empty() && kid.len() <= MAX_KID_LEN => Some(kid),
            Some(_) => return Err(refused("the token's key id is invalid")),
        };
        if signature.is_empty() {
            return Err(refused("the token is not signed"));
        }
        Ok(Signed {
            token,
            signed_len: header_b64.len() + 1 + payload_b64.len(),
            signature,
            alg,
            kid,
            access_token_type,
            payload: payload_bytes,
        })
    }

    /// Checks the signature with `key` (which must allow the token's algorithm) and
    /// hands out the payload.
    pub(crate) fn verify(self, key: &VerifyingKey) -> Result<Vec<u8>, AuthError> {
        match key.verify(
            self.alg,
            &self.token.as_bytes()[..self.signed_len],
            &self.signature,
        ) {
            None => Err(refused("the token's algorithm is not allowed for its key")),
            Some(false) => Err(refused("the token's signature is invalid")),
            Some(true) => Ok(self.payload),
        }
    }
}

impl<'t> Unverified<'t> {
    /// Structure and header checks; the claims are parsed but not trusted.
    pub(crate) fn parse(token: &'t str, max_bytes: usize) -> Result<Self, AuthError> {
        let mut signed = Signed::parse(token, max_bytes)?;
        let claims = StrictObject::parse(&std::mem::take(&mut signed.payload))
            .ok_or_else(|| refused("the token payload is not a JSON object with unique members"))?;
        Ok(Unverified { signed, claims })
    }

    /// The key id the header names, if any.
    pub(crate) fn kid(&self) -> Option<&str> {
        self.signed.kid.as_deref()
    }

    /// Whether the header declares an RFC 9068 access token (`at+jwt`).
    pub(crate) fn is_access_token_type(&self) -> bool {
        self.signed.access_token_type
    }

    /// The issuer the token claims (unverified: it only selects whose keys to try).
    pub(crate) fn claimed_issuer(&self) -> Option<&str> {
        self.claims.get("iss").and_then(Value::as_str)
    }

    /// Checks the signature with `key` (which must allow the token's algorithm) and
    /// hands out the claims.
    pub(crate) fn verify(self, key: &VerifyingKey) -> Result<Map<String, Value>, AuthError> {
        self.signed.verify(key)?;
        Ok(self.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::looks_like_jwt;

    #[test]
    fn a_jwt_has_exactly_two_dots() {
        assert!(looks_like_jwt("a.b.c"));
        assert!(looks_like_jwt(".."));
        assert!(!looks_like_jwt("opaque-token"));
        assert!(!looks_like_jwt("a.b"));
        assert!(!looks_like_jwt("a.b.c.d"));
        assert!(!looks_like_jwt("a..b.c"));
    }
}

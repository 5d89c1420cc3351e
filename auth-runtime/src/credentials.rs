//! Reading credentials from a request: `Authorization` (Bearer, Basic) and API keys.
//!
//! Everything here is bounded and syntax-checked; nothing is verified yet.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::HeaderMap;
use http::header::AUTHORIZATION;

use crate::failure::AuthError;
use crate::scheme::Scheme;

/// Largest `Authorization` or API-key header value read, in bytes.
pub(crate) const MAX_HEADER_BYTES: usize = 16 * 1024;
/// Largest API key accepted.
pub(crate) const MAX_API_KEY_BYTES: usize = 512;
/// Largest decoded Basic user-pass.
const MAX_BASIC_BYTES: usize = 1024;

/// A credential found in the request, before verification.
pub(crate) enum Credential {
    Bearer(String),
    Basic { username: String, password: String },
    ApiKey(String),
    Session(String),
}

impl Credential {
    pub(crate) fn scheme(&self) -> Scheme {
        match self {
            Credential::Bearer(_) => Scheme::Jwt,
            Credential::Basic { .. } => Scheme::Basic,
            Credential::ApiKey(_) => Scheme::ApiKey,
            Credential::Session(_) => Scheme::Session,
        }
    }
}

/// `Authorization: <scheme> <credentials>`, scheme lower-cased.
pub(crate) struct Authorization<'a> {
    pub(crate) scheme: String,
    pub(crate) value: &'a str,
}

/// The single `Authorization` header, split into scheme and value.
pub(crate) fn authorization(headers: &HeaderMap) -> Result<Option<Authorization<'_>>, AuthError> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    let bad = |reason| AuthError::InvalidRequest { scheme: None, reason };
    if values.next().is_some() {
        return Err(bad("send a single Authorization header"));
    }
    if value.len() > MAX_HEADER_BYTES {
        return Err(bad("the Authorization header is too large"));
    }
    let text = value
        .to_str()
        .map_err(|_| bad("the Authorization header is not visible ASCII"))?;
    let text = text.trim();
    let (scheme, rest) = text.split_once(' ').unwrap_or((text, ""));
    Ok(Some(Authorization {
        scheme: scheme.to_ascii_lowercase(),
        value: rest.trim_start(),
    }))
}

fn is_token68(s: &str) -> bool {
    let body = s.trim_end_matches('=');
    !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/'))
}

/// A Bearer token (RFC 6750 `b64token`).
pub(crate) fn bearer(value: &str) -> Result<Credential, AuthError> {
    if !is_token68(value) {
        return Err(AuthError::invalid_request(
            Scheme::Jwt,
            "the Bearer credentials are malformed",
        ));
    }
    Ok(Credential::Bearer(value.to_owned()))
}

/// HTTP Basic (RFC 7617): base64 of UTF-8 `user-id ":" password`, split on the first colon.
pub(crate) fn basic(value: &str) -> Result<Credential, AuthError> {
    let bad = |reason| AuthError::invalid_request(Scheme::Basic, reason);
    if !is_token68(value) || value.len() > MAX_BASIC_BYTES * 4 / 3 + 4 {
        return Err(bad("the Basic credentials are malformed"));
    }
    let decoded = STANDARD
        .decode(value)
        .map_err(|_| bad("the Basic credentials are not valid base64"))?;
    let text = String::from_utf8(decoded).map_err(|_| bad("the Basic credentials are not UTF-8"))?;
    let (username, password) = text
        .split_once(':')
        .ok_or_else(|| bad("the Basic credentials have no colon"))?;
    if username.is_empty() || username.chars().any(char::is_control) {
        return Err(bad("the Basic user name is empty or has control characters"));
    }
    Ok(Credential::Basic {
        username: username.to_owned(),
        password: password.to_owned(),
    })
}

/// An API key from its header or, when enabled, its query parameter.
pub(crate) fn api_key(
    headers: &HeaderMap,
    query: Option<&str>,
    header_name: &http::HeaderName,
    query_param: Option<&str>,
) -> Result<Option<Credential>, AuthError> {
    let bad = |reason| AuthError::invalid_request(Scheme::ApiKey, reason);
    let mut found: Option<String> = None;
    let mut values = headers.get_all(header_name).iter();
    if let Some(value) = values.next() {
        if values.next().is_some() {
            return Err(bad("send a single API key"));
        }
        let text = value
            .to_str()
            .map_err(|_| bad("the API key is not visible ASCII"))?;
        found = Some(text.trim().to_owned());
    }
    if let (Some(param), Some(query)) = (query_param, query) {
        for (name, value) in form_urlencoded_pairs(query) {
            if name == param {
                if found.is_some() {
                    return Err(bad("send the API key once, in the header or in the query"));
                }
                found = Some(value);
            }
        }
    }
    match found {
        None => Ok(None),
        Some(key) if key.is_empty() || key.len() > MAX_API_KEY_BYTES => {
            Err(bad("the API key has an invalid length"))
        }
        Some(key) if !key.bytes().all(|b| b.is_ascii_graphic()) => {
            Err(bad("the API key has invalid characters"))
        }
        Some(key) => Ok(Some(Credential::ApiKey(key))),
    }
}

/// Decodes `application/x-www-form-urlencoded` pairs (percent-decoding, `+` as space);
/// undecodable pairs are skipped.
fn form_urlencoded_pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    query.split('&').filter(|p| !p.is_empty()).filter_map(|pair| {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        Some((percent_decode(name)?, percent_decode(value)?))
    })
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_splits_on_first_colon_and_keeps_utf8() {
        let value = STANDARD.encode("zoë:pa:ss wörd");
        let Credential::Basic { username, password } = basic(&value).unwrap() else {
            panic!()
        };
        assert_eq!(username, "zoë");
        assert_eq!(password, "pa:ss wörd");
    }

    #[test]
    fn basic_rejects_invalid_utf8_and_missing_colon() {
        assert!(basic(&STANDARD.encode([0xff, b':', b'x'])).is_err());
        assert!(basic(&STANDARD.encode("nocolon")).is_err());
        assert!(basic("***").is_err());
    }

    #[test]
    fn query_decoding() {
        let pairs: Vec<_> = form_urlencoded_pairs("a=1&api_key=k%2Fy+z&x").collect();
        assert_eq!(pairs[1], ("api_key".into(), "k/y z".into()));
        assert_eq!(pairs[2], ("x".into(), "".into()));
    }
}

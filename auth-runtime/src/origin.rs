//! The same-site check of unsafe requests carrying ambient credentials (a session
//! cookie, a token cookie, HTTP Basic that the browser replays): the `Origin` (or
//! `Sec-Fetch-Site`) must be this site — one of the configured public origins, or,
//! without them, the request's own authority (`Host`, or the HTTP/2 `:authority`).

use http::HeaderMap;
use http::request::Parts;

use crate::error::{AuthError, ConfigError};

/// The origins (scheme, host, port) the site is served under, normalised
/// (`https://app.example.com` is `https://app.example.com:443`).
#[derive(Debug, Clone, Default)]
pub(crate) struct PublicOrigins(Vec<String>);

/// `scheme://host[:port]` lower-cased with the default port made explicit; `None`
/// for anything else (a path, `null`, an unknown scheme).
fn normalise(origin: &str) -> Option<String> {
    let origin = origin.trim().to_ascii_lowercase();
    let (scheme, authority) = origin.split_once("://")?;
    let default = match scheme {
        "https" => 443,
        "http" => 80,
        _ => return None,
    };
    if authority.is_empty() || authority.contains(['/', '?', '#', '@']) {
        return None;
    }
    let has_port = match authority.strip_prefix('[') {
        Some(v6) => v6.split_once(']').is_some_and(|(_, rest)| rest.starts_with(':')),
        None => authority.contains(':'),
    };
    Some(if has_port {
        format!("{scheme}://{authority}")
    } else {
        format!("{scheme}://{authority}:{default}")
    })
}

impl PublicOrigins {
    /// Parses `https://app.example.com`, `http://localhost:3000`, ...
    pub(crate) fn parse(list: &[String]) -> Result<Self, ConfigError> {
        list.iter()
            .map(|o| {
                normalise(o).ok_or(ConfigError::Invalid(
                    "a public origin must be http(s)://host[:port], without a path",
                ))
            })
            .collect::<Result<_, _>>()
            .map(PublicOrigins)
    }

    /// Refuses a cross-site unsafe request: `Sec-Fetch-Site: cross-site`, an opaque
    /// (`null`) or malformed `Origin`, or an `Origin` that is not this site.
    /// Requests without either header (non-browser clients) pass.
    pub(crate) fn check(&self, parts: &Parts) -> Result<(), AuthError> {
        let cross = |reason| Err(AuthError::CsrfRejected { reason });
        let headers = &parts.headers;
        if headers
            .get("sec-fetch-site")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"cross-site"))
        {
            return cross("cross-site requests cannot use these credentials");
        }
        let Some(origin) = headers.get(http::header::ORIGIN) else {
            return Ok(());
        };
        let Some(origin) = origin.to_str().ok().and_then(normalise) else {
            return cross("the request's Origin is not this site");
        };
        let same = if self.0.is_empty() {
            own_authority(parts, headers).is_some_and(|authority| {
                let scheme_default = if origin.starts_with("https://") { 443 } else { 80 };
                let (_, origin_authority) = origin.split_once("://").unwrap_or(("", ""));
                let authority = authority.to_ascii_lowercase();
                origin_authority == authority || origin_authority == format!("{authority}:{scheme_default}")
            })
        } else {
            self.0.contains(&origin)
        };
        if !same {
            return cross("the request's Origin is not this site");
        }
        Ok(())
    }
}

/// The authority the client addressed: `Host` (HTTP/1.1), else the URI's (HTTP/2
/// `:authority`, which has no `Host` header).
fn own_authority<'a>(parts: &'a Parts, headers: &'a HeaderMap) -> Option<&'a str> {
    headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| parts.uri.authority().map(http::uri::Authority::as_str))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_normalised() {
        assert_eq!(
            normalise("https://App.Example.com").as_deref(),
            Some("https://app.example.com:443")
        );
        assert_eq!(
            normalise("http://localhost:3000").as_deref(),
            Some("http://localhost:3000")
        );
        assert_eq!(normalise("https://[::1]").as_deref(), Some("https://[::1]:443"));
        assert_eq!(
            normalise("https://[::1]:8443").as_deref(),
            Some("https://[::1]:8443")
        );
        assert_eq!(normalise("null"), None);
        assert_eq!(normalise("https://a.example/path"), None);
        assert_eq!(normalise("ftp://a.example"), None);
    }
}

//! Reading the request: `Authorization` (Bearer, Basic), API keys, cookies, the
//! same-site check of unsafe methods and the client address.
//!
//! Everything here is bounded and syntax-checked; nothing is verified yet.

use std::net::{IpAddr, Ipv6Addr};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::header::{AUTHORIZATION, COOKIE};
use http::request::Parts;
use http::{HeaderMap, Method};

use ipnet::IpNet;

use crate::error::{AuthError, ConfigError};
use crate::scheme::name::Scheme;

/// Largest `Authorization` or API-key header value read, in bytes.
pub(crate) const MAX_HEADER_BYTES: usize = 16 * 1024;
/// Largest API key accepted.
pub(crate) const MAX_API_KEY_BYTES: usize = 512;
/// Largest decoded Basic user-pass.
const MAX_BASIC_BYTES: usize = 1024;

/// HTTP Basic credentials as sent (the password is never printed).
pub struct BasicCredentials {
    pub(crate) username: String,
    pub(crate) password: String,
}

impl std::fmt::Debug for BasicCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BasicCredentials")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// `Authorization: <scheme> <credentials>`, the scheme as sent (compare it with
/// [`Authorization::is`]: scheme names are case-insensitive).
pub(crate) struct Authorization<'a> {
    pub(crate) scheme: &'a str,
    pub(crate) value: &'a str,
}

impl Authorization<'_> {
    /// Whether the scheme is `name` (lower-case), in any case: no lower-cased copy.
    pub(crate) fn is(&self, name: &str) -> bool {
        self.scheme.eq_ignore_ascii_case(name)
    }
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
        scheme,
        value: rest.trim_start(),
    }))
}

fn is_token68(s: &str) -> bool {
    // Branch-free per byte and without an early exit, so that the compiler vectorises
    // it: tokens are checked on every request, and RS256 ones are 500+ bytes.
    fn allowed(b: u8) -> bool {
        ((b | 0x20).wrapping_sub(b'a') < 26)
            | (b.wrapping_sub(b'0') < 10)
            | (b == b'-')
            | (b == b'.')
            | (b == b'_')
            | (b == b'~')
            | (b == b'+')
            | (b == b'/')
    }
    let body = s.trim_end_matches('=');
    !body.is_empty() && body.bytes().fold(true, |ok, b| ok & allowed(b))
}

/// A Bearer token (RFC 6750 `b64token`).
pub(crate) fn bearer(value: &str) -> Result<String, AuthError> {
    if !is_token68(value) {
        return Err(AuthError::invalid_request(
            Scheme::JWT,
            "the Bearer credentials are malformed",
        ));
    }
    Ok(value.to_owned())
}

/// HTTP Basic (RFC 7617): base64 of UTF-8 `user-id ":" password`, split on the first colon.
pub(crate) fn basic(value: &str) -> Result<BasicCredentials, AuthError> {
    let bad = |reason| AuthError::invalid_request(Scheme::BASIC, reason);
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
    Ok(BasicCredentials {
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
) -> Result<Option<String>, AuthError> {
    let bad = |reason| AuthError::invalid_request(Scheme::API_KEY, reason);
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
        Some(key) => Ok(Some(key)),
    }
}

/// Decodes `application/x-www-form-urlencoded` pairs (percent-decoding, `+` as space);
/// undecodable pairs are skipped.
pub(crate) fn form_urlencoded_pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
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

/// The value of cookie `name`, if the request sent it (once; twice is refused).
pub(crate) fn cookie(headers: &HeaderMap, name: &str, scheme: Scheme) -> Result<Option<String>, AuthError> {
    let bad = |reason| AuthError::invalid_request(scheme, reason);
    let mut found = None;
    for value in headers.get_all(COOKIE) {
        if value.len() > MAX_HEADER_BYTES {
            return Err(bad("the Cookie header is too large"));
        }
        let Ok(text) = value.to_str() else { continue };
        for pair in text.split(';') {
            let Some((key, value)) = pair.trim().split_once('=') else {
                continue;
            };
            if key == name {
                if found.is_some() {
                    return Err(bad("send the cookie once"));
                }
                found = Some(value.to_owned());
            }
        }
    }
    Ok(found)
}

/// GET, HEAD, OPTIONS and TRACE: methods that must not change state.
pub(crate) fn is_safe_method(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

/// The client's address, for throttling. Insert it into the request extensions from
/// a trusted source (a proxy header you control); otherwise the framework's peer
/// address is used when the server provides it (axum: `ConnectInfo`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
///
/// ```
/// use portcullis::{ClientAddr, client_addr};
/// let (mut parts, ()) = http::Request::new(()).into_parts();
/// parts.extensions.insert(ClientAddr("203.0.113.7".parse().unwrap()));
/// assert_eq!(client_addr(&parts), Some("203.0.113.7".parse().unwrap()));
/// ```
pub struct ClientAddr(pub IpAddr);

/// The [`ClientAddr`] extension (framework adapters insert the peer address there
/// before authenticating, when the application did not).
pub(crate) fn client_addr(parts: &Parts) -> Option<IpAddr> {
    parts.extensions.get::<ClientAddr>().map(|ClientAddr(ip)| *ip)
}

/// Hops read from `Forwarded` / `X-Forwarded-For`, at most (the nearest ones).
const MAX_FORWARDED_HOPS: usize = 32;

/// The networks of the reverse proxies in front of the server: only a request whose
/// peer is one of them has its `Forwarded` (RFC 7239) or `X-Forwarded-For` header
/// believed, read from the right (the nearest proxy's entry) to the first address
/// that is not a trusted proxy. Anyone else's forwarding headers are ignored, so a
/// client cannot choose the address it is throttled under.
#[derive(Debug, Clone, Default)]
pub(crate) struct TrustedProxies {
    nets: Vec<IpNet>,
}

impl TrustedProxies {
    /// Parses `10.0.0.0/8`, `fd00::/8` or a single address such as `127.0.0.1`.
    pub(crate) fn parse(list: &[String]) -> Result<Self, ConfigError> {
        let nets = list
            .iter()
            .map(|text| {
                text.parse::<IpNet>()
                    .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        ConfigError::Invalid("a trusted proxy is not an IP address or network (CIDR)")
                    })
            })
            .collect::<Result<_, _>>()?;
        Ok(TrustedProxies { nets })
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.nets.iter().any(|net| net.contains(&ip))
    }

    /// The client's address: `peer` itself, unless `peer` is a trusted proxy; then the
    /// right-most forwarded address that is not a trusted proxy (a malformed nearest
    /// entry falls back to `peer`: misconfigured proxies share one counter, never
    /// a client-chosen one).
    pub(crate) fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if self.nets.is_empty() || !self.trusts(peer) {
            return peer;
        }
        let hops = forwarded_hops(headers);
        for hop in hops.iter().rev().take(MAX_FORWARDED_HOPS) {
            match hop {
                Some(ip) if self.trusts(*ip) => continue,
                Some(ip) => return canonical(*ip),
                None => return peer,
            }
        }
        peer
    }
}

/// The forwarded-for hops, oldest first: `Forwarded` when present, else
/// `X-Forwarded-For` (`None` for an entry that is not an address).
fn forwarded_hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let values = |name: http::HeaderName| {
        headers
            .get_all(name)
            .iter()
            .filter(|v| v.len() <= MAX_HEADER_BYTES)
            .map(|v| v.to_str().unwrap_or("\u{0}"))
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect::<Vec<&str>>()
    };
    let forwarded = values(http::header::FORWARDED);
    if !forwarded.is_empty() {
        return forwarded
            .into_iter()
            .map(|element| {
                let value = element.split(';').find_map(|pair| {
                    let (key, value) = pair.trim().split_once('=')?;
                    key.trim().eq_ignore_ascii_case("for").then_some(value.trim())
                })?;
                node_addr(value.trim_matches('"'))
            })
            .collect();
    }
    values(http::HeaderName::from_static("x-forwarded-for"))
        .into_iter()
        .map(node_addr)
        .collect()
}

/// `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`, `[2001:db8::1]:4711`.
fn node_addr(text: &str) -> Option<IpAddr> {
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Some(rest) = text.strip_prefix('[') {
        return rest.split_once(']')?.0.parse::<Ipv6Addr>().ok().map(IpAddr::V6);
    }
    let (host, port) = text.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    host.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

/// IPv4-mapped IPv6 addresses as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The network an address is throttled as: an IPv4 address alone, an IPv6 address by
/// its /64 (one customer's allocation: any address in it counts as the same client).
pub(crate) fn throttle_network(ip: IpAddr) -> String {
    match canonical(ip) {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let [a, b, c, d, ..] = v6.segments();
            format!("{a:x}:{b:x}:{c:x}:{d:x}::/64")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_authorization_scheme_is_case_insensitive() {
        for sent in ["Bearer abc", "bearer abc", "BEARER abc", "  bEaReR   abc "] {
            let mut headers = HeaderMap::new();
            headers.insert(AUTHORIZATION, sent.parse().unwrap());
            let authorization = authorization(&headers).unwrap().unwrap();
            assert!(authorization.is("bearer"), "{sent:?}");
            assert!(!authorization.is("basic"), "{sent:?}");
            assert_eq!(authorization.value, "abc", "{sent:?}");
        }
    }

    #[test]
    fn basic_splits_on_first_colon_and_keeps_utf8() {
        let value = STANDARD.encode("zoë:pa:ss wörd");
        let BasicCredentials { username, password } = basic(&value).unwrap();
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
    fn forwarded_headers_only_from_trusted_proxies() {
        let proxies = TrustedProxies::parse(&["10.0.0.0/8".into(), "::1".into()]).unwrap();
        let headers = |name: &str, value: &str| {
            let mut h = HeaderMap::new();
            h.insert(
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
            h
        };
        let proxy: IpAddr = "10.1.2.3".parse().unwrap();
        let xff = headers("x-forwarded-for", "1.1.1.1, 203.0.113.9, 10.0.0.7");
        assert_eq!(
            proxies.client(proxy, &xff),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
        // Not from a trusted proxy: the header is the client's own word, ignored.
        let stranger: IpAddr = "198.51.100.4".parse().unwrap();
        assert_eq!(proxies.client(stranger, &xff), stranger);
        let fwd = headers("forwarded", "for=1.1.1.1, for=\"[2001:db8::7]:4711\";proto=https");
        assert_eq!(
            proxies.client("::1".parse().unwrap(), &fwd),
            "2001:db8::7".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            proxies.client(proxy, &headers("x-forwarded-for", "garbage")),
            proxy
        );
        assert_eq!(proxies.client(proxy, &HeaderMap::new()), proxy);
        assert!(TrustedProxies::parse(&["not a net".into()]).is_err());
    }

    #[test]
    fn ipv6_is_throttled_by_its_64() {
        let a = throttle_network("2001:db8:1:2:aaaa::1".parse().unwrap());
        let b = throttle_network("2001:db8:1:2:ffff:1:2:3".parse().unwrap());
        assert_eq!(a, b);
        assert_eq!(a, "2001:db8:1:2::/64");
        assert_ne!(a, throttle_network("2001:db8:1:3::1".parse().unwrap()));
        assert_eq!(throttle_network("::ffff:192.0.2.1".parse().unwrap()), "192.0.2.1");
    }

    #[test]
    fn query_decoding() {
        let pairs: Vec<_> = form_urlencoded_pairs("a=1&api_key=k%2Fy+z&x").collect();
        assert_eq!(pairs[1], ("api_key".into(), "k/y z".into()));
        assert_eq!(pairs[2], ("x".into(), "".into()));
    }
}

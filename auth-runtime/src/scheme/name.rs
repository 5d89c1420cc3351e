//! The name of an authentication scheme.

use std::fmt;

/// The name of an authentication scheme: what `#[auth(...)]` lists, what
/// [`AuthInfo::scheme`](crate::AuthInfo::scheme) reports and what errors name.
///
/// The built-in schemes have constants; a custom scheme names itself with
/// [`Scheme::custom`]. Strings appear only at the edges (logs, JSON bodies).
///
/// ```
/// use portcullis::Scheme;
/// assert_eq!(Scheme::JWT.as_str(), "jwt");
/// assert_eq!(Scheme::from_name("api_key"), Some(Scheme::API_KEY));
/// const HMAC: Scheme = Scheme::custom("hmac");
/// assert_eq!(HMAC.to_string(), "hmac");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Scheme(&'static str);

impl Scheme {
    /// `Authorization: Bearer <JWT>` (or the configured cookie / query parameter).
    pub const JWT: Scheme = Scheme("jwt");
    /// An API key in a header (default `X-API-Key`) or, when enabled, a query parameter.
    pub const API_KEY: Scheme = Scheme("api_key");
    /// HTTP Basic (RFC 7617).
    pub const BASIC: Scheme = Scheme("basic");
    /// A server-side session named by a cookie (CSRF-protected for unsafe methods).
    pub const SESSION: Scheme = Scheme("session");

    /// The built-in schemes.
    pub const BUILT_IN: [Scheme; 4] = [Scheme::JWT, Scheme::API_KEY, Scheme::BASIC, Scheme::SESSION];

    /// The name of a custom scheme (lower-case letters, digits and `_` by convention).
    pub const fn custom(name: &'static str) -> Scheme {
        Scheme(name)
    }

    /// The name, as written in `#[auth(...)]` and reported in JSON.
    pub const fn as_str(self) -> &'static str {
        self.0
    }

    /// The built-in scheme of this name.
    pub fn from_name(name: &str) -> Option<Scheme> {
        Scheme::BUILT_IN.into_iter().find(|s| s.0 == name)
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl PartialEq<&str> for Scheme {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

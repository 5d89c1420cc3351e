//! Authentication schemes and the compact scheme lists the macros emit.

use std::fmt;

/// An authentication scheme a handler may accept.
///
/// Strings appear only at the edges (the `#[auth(...)]` attribute, logs, the JSON
/// body); everywhere else a scheme is this enum.
///
/// ```
/// use portcullis::Scheme;
/// assert_eq!(Scheme::Jwt.as_str(), "jwt");
/// assert_eq!(Scheme::from_name("api_key"), Some(Scheme::ApiKey));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scheme {
    /// `Authorization: Bearer <JWT>`.
    Jwt,
    /// An API key in a header (default `X-API-Key`) or, when enabled, a query parameter.
    ApiKey,
    /// HTTP Basic (RFC 7617) checked against the user's argon2id password hash.
    Basic,
    /// A server-side session named by a cookie (CSRF-protected for unsafe methods).
    Session,
}

impl Scheme {
    /// Every scheme, in the order of their codes.
    pub const ALL: [Scheme; 4] = [Scheme::Jwt, Scheme::ApiKey, Scheme::Basic, Scheme::Session];

    /// The name used in `#[auth(...)]` and in [`AuthInfo`](crate::AuthInfo).
    pub const fn as_str(self) -> &'static str {
        match self {
            Scheme::Jwt => "jwt",
            Scheme::ApiKey => "api_key",
            Scheme::Basic => "basic",
            Scheme::Session => "session",
        }
    }

    /// Parses a scheme name as written in `#[auth(...)]`.
    pub fn from_name(name: &str) -> Option<Scheme> {
        Scheme::ALL.into_iter().find(|s| s.as_str() == name)
    }

    const fn code(self) -> u64 {
        match self {
            Scheme::Jwt => 1,
            Scheme::ApiKey => 2,
            Scheme::Basic => 3,
            Scheme::Session => 4,
        }
    }

    const fn from_code(code: u64) -> Option<Scheme> {
        match code {
            1 => Some(Scheme::Jwt),
            2 => Some(Scheme::ApiKey),
            3 => Some(Scheme::Basic),
            4 => Some(Scheme::Session),
            _ => None,
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Most schemes one handler can list.
pub const MAX_SCHEMES: usize = 8;

/// An ordered list of schemes packed into a `u64` so that it can travel as a const
/// generic parameter of the extractor the `#[auth]` macro generates (no extra item
/// per handler, so `#[auth]` also works on methods inside `impl` blocks).
///
/// Layout: 4 bits per scheme, first scheme in the lowest nibble, 0 ends the list.
///
/// ```
/// use portcullis::{Scheme, SchemeList};
/// const SPEC: u64 = SchemeList::encode(&[Scheme::ApiKey, Scheme::Jwt]);
/// let list = SchemeList::decode(SPEC);
/// assert_eq!(list.iter().collect::<Vec<_>>(), [Scheme::ApiKey, Scheme::Jwt]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchemeList {
    bits: u64,
}

impl SchemeList {
    /// Packs `schemes` (at most [`MAX_SCHEMES`]) in order.
    ///
    /// # Panics
    /// At compile time (this is a `const fn`) when more than [`MAX_SCHEMES`] are given.
    pub const fn encode(schemes: &[Scheme]) -> u64 {
        assert!(schemes.len() <= MAX_SCHEMES, "too many schemes");
        let mut bits = 0u64;
        let mut i = 0;
        while i < schemes.len() {
            bits |= schemes[i].code() << (4 * i);
            i += 1;
        }
        bits
    }

    /// Unpacks a list produced by [`SchemeList::encode`].
    pub const fn decode(bits: u64) -> SchemeList {
        SchemeList { bits }
    }

    /// The schemes, in the order they are tried.
    pub fn iter(self) -> impl Iterator<Item = Scheme> {
        (0..MAX_SCHEMES).map_while(move |i| Scheme::from_code((self.bits >> (4 * i)) & 0xF))
    }

    /// Whether `scheme` is in the list.
    pub fn contains(self, scheme: Scheme) -> bool {
        self.iter().any(|s| s == scheme)
    }
}

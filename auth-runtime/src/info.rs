//! What the handler learns about the authentication itself.

use crate::jwt::claims::Claims;
use crate::scheme::name::Scheme;

/// Which scheme authenticated the request and, for tokens, the verified claims.
///
/// Add a parameter of this type to an `#[auth]` handler (`Option<AuthInfo>` with
/// `optional`).
///
/// ```
/// use portcullis::{AuthInfo, Scheme};
/// let info = AuthInfo::new(Scheme::API_KEY, None);
/// assert_eq!(info.scheme(), Scheme::API_KEY);
/// assert!(info.claims().is_none());
/// assert_eq!(info.token_id(), None);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AuthInfo {
    scheme: Scheme,
    claims: Option<Claims>,
    key_id: Option<String>,
}

impl AuthInfo {
    /// Authentication by `scheme`, with the token's claims when there is a token.
    pub fn new(scheme: Scheme, claims: Option<Claims>) -> Self {
        AuthInfo {
            scheme,
            claims,
            key_id: None,
        }
    }

    pub(crate) fn with_key_id(mut self, key_id: Option<String>) -> Self {
        self.key_id = key_id;
        self
    }

    /// The id of the key that verified the credential, when the scheme reports one.
    pub fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }

    /// The scheme that succeeded.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The verified claims (JWT only).
    pub fn claims(&self) -> Option<&Claims> {
        self.claims.as_ref()
    }

    /// The token id (`jti`), when the credential was a token that has one.
    pub fn token_id(&self) -> Option<&str> {
        self.claims.as_ref().and_then(Claims::jti)
    }
}

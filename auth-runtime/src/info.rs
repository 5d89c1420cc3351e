//! What the handler learns about the authentication itself.

use std::sync::Arc;

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
    provider: Option<Arc<str>>,
    /// An identity provider's scopes, where its preset found them.
    mapped_scopes: Option<Vec<String>>,
}

impl AuthInfo {
    /// Authentication by `scheme`, with the token's claims when there is a token.
    pub fn new(scheme: Scheme, claims: Option<Claims>) -> Self {
        AuthInfo {
            scheme,
            claims,
            key_id: None,
            provider: None,
            mapped_scopes: None,
        }
    }

    pub(crate) fn with_mapped_scopes(mut self, scopes: Option<Vec<String>>) -> Self {
        self.mapped_scopes = scopes;
        self
    }

    pub(crate) fn with_provider(mut self, provider: Option<Arc<str>>) -> Self {
        self.provider = provider;
        self
    }

    /// The issuer of the identity provider that vouched for the user, `None` for the
    /// application's own credentials. Routes that store rows under a local user id
    /// refuse such users.
    ///
    /// ```
    /// use portcullis::{AuthInfo, Scheme};
    /// assert_eq!(AuthInfo::new(Scheme::JWT, None).provider(), None);
    /// ```
    pub fn provider(&self) -> Option<&str> {
        self.provider.as_deref()
    }

    /// The OAuth scopes the credential grants (`scope` or `scp` of a token; for an
    /// identity provider's token, where its preset says), empty for credentials
    /// without scopes.
    ///
    /// ```
    /// use portcullis::{AuthInfo, Claims, Scheme};
    /// let claims = Claims::from_json(serde_json::json!({ "scope": "read write" })).unwrap();
    /// assert_eq!(AuthInfo::new(Scheme::JWT, Some(claims)).scopes(), ["read", "write"]);
    /// ```
    pub fn scopes(&self) -> Vec<&str> {
        match &self.mapped_scopes {
            Some(scopes) => scopes.iter().map(String::as_str).collect(),
            None => self
                .claims
                .as_ref()
                .map(|c| c.scopes().collect())
                .unwrap_or_default(),
        }
    }

    /// Whether the credential comes from a password entered just now: an access token
    /// issued at a password login with [`TokenConfig::fresh_tokens`](crate::TokenConfig::fresh_tokens)
    /// (claim `"fresh": true`; refreshed tokens are not fresh), or HTTP Basic. What
    /// `#[require(fresh)]` asks.
    ///
    /// ```
    /// use portcullis::{AuthInfo, Claims, Scheme};
    /// let fresh = Claims::from_json(serde_json::json!({ "fresh": true })).unwrap();
    /// assert!(AuthInfo::new(Scheme::JWT, Some(fresh)).is_fresh());
    /// assert!(AuthInfo::new(Scheme::BASIC, None).is_fresh());
    /// assert!(!AuthInfo::new(Scheme::API_KEY, None).is_fresh());
    /// ```
    pub fn is_fresh(&self) -> bool {
        if self.scheme == Scheme::BASIC {
            return true;
        }
        self.scheme == Scheme::JWT
            && self.provider.is_none()
            && self
                .claims
                .as_ref()
                .and_then(|c| c.get("fresh"))
                .and_then(serde_json::Value::as_bool)
                == Some(true)
    }

    /// Whether the credential grants `scope` (what `#[require(scope = "...")]` asks).
    ///
    /// ```
    /// use portcullis::{AuthInfo, Claims, Scheme};
    /// let claims = Claims::from_json(serde_json::json!({ "scp": "read write" })).unwrap();
    /// assert!(AuthInfo::new(Scheme::JWT, Some(claims)).has_scope("write"));
    /// ```
    pub fn has_scope(&self, scope: &str) -> bool {
        match &self.mapped_scopes {
            Some(scopes) => scopes.iter().any(|s| s == scope),
            None => self.claims.as_ref().is_some_and(|c| c.has_scope(scope)),
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

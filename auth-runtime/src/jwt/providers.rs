//! Identity providers seen from the token path: whose keys verify a token is decided
//! by its (unverified) `iss`; the keys themselves come from a [`ProviderSource`] that
//! fetches them at run time (the `oidc` feature's live key cache), so this module
//! needs no HTTP client.

use std::sync::Arc;

use async_trait::async_trait;

use super::claims::Claims;
use super::keys::KeySet;
use super::rules::ClaimRules;
use crate::claims_user::ClaimsMapping;
use crate::error::AuthError;

/// Where a provider's keys (and, optionally, token introspection) come from.
#[async_trait]
pub(crate) trait ProviderSource: Send + Sync + 'static {
    /// The current key set, read without locking; `None` before the first fetch.
    fn keys(&self) -> Option<Arc<KeySet>>;

    /// A fresh key set for a token that names a key the current set lacks (or when
    /// there is none yet): at most one fetch per minimum interval, shared by every
    /// caller that asks meanwhile. Returns the set as it is afterwards.
    async fn refetch(&self) -> Option<Arc<KeySet>>;

    /// Whether opaque tokens are introspected at this provider (RFC 7662).
    fn introspects(&self) -> bool {
        false
    }

    /// The claims of an active opaque token (already checked: active, issuer,
    /// audience, expiry), `Ok(None)` for an inactive one.
    ///
    /// # Errors
    /// 503 when the provider cannot answer.
    async fn introspect(&self, _token: &str) -> Result<Option<Claims>, AuthError> {
        Ok(None)
    }
}

/// An identity provider whose tokens the `jwt` scheme accepts beside the
/// application's own.
pub(crate) struct ProviderIssuer {
    /// The exact `iss` of its tokens.
    pub(crate) issuer: Arc<str>,
    /// Claim checks for its tokens.
    pub(crate) rules: ClaimRules,
    /// Its claims → roles, permissions, scopes.
    pub(crate) mapping: ClaimsMapping,
    pub(crate) source: Arc<dyn ProviderSource>,
    /// Only RFC 9068 access tokens (header `typ` `at+jwt`), not ID tokens or others.
    pub(crate) require_access_token_type: bool,
}

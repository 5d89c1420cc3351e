//! The `jwt` scheme: a signed access token from the `Authorization` header, a cookie
//! or (opt-in) a query parameter.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use http::request::Parts;
use subtle::ConstantTimeEq;

use super::{AuthScheme, Context, CredentialIn, Identity, Verified};
use crate::credentials;
use crate::cut_off::{CutOffs, issued_at};
use crate::error::{AuthError, store_down};
use crate::jwt::JwtValidator;
use crate::origin::PublicOrigins;
use crate::scheme::name::Scheme;
use crate::secret::family_revocation_key;
use crate::store::RevocationStore;
use crate::store::scoped::ScopedKey;
use crate::store::timed::within;
use crate::user::AuthUser;

/// Where the `jwt` scheme looks for the token. The header is always read; a cookie
/// and a query parameter only when configured on [`JwtConfig`](crate::JwtConfig).
/// A token in more than one place at once is refused.
///
/// ```
/// use portcullis::schemes::TokenLocation;
/// assert_ne!(TokenLocation::Cookie, TokenLocation::Header);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenLocation {
    /// `Authorization: Bearer <token>`.
    Header,
    /// A cookie: unsafe methods need a same-site request and `X-CSRF-Token` equal to
    /// the token's `csrf` claim.
    Cookie,
    /// A query parameter (for WebSocket upgrades and server-sent events).
    Query,
}

/// The token and where it was found: the `jwt` scheme's
/// [`Credential`](crate::AuthScheme::Credential).
///
/// ```
/// use portcullis::schemes::{AuthScheme, BearerToken, Jwt};
/// fn credential_of<S: AuthScheme<portcullis::identity::ClaimsUser, Credential = BearerToken>>() {}
/// credential_of::<Jwt>();
/// ```
#[derive(Debug)]
pub struct BearerToken {
    token: String,
    location: TokenLocation,
}

/// The built-in `jwt` scheme (configured with [`PortcullisBuilder::jwt`](crate::PortcullisBuilder::jwt)):
/// `#[auth(jwt)]` lists it; hand-written code names it in a scheme tuple.
///
/// ```
/// use portcullis::{Authenticated, identity::ClaimsUser, schemes::Jwt};
/// async fn handler(auth: Authenticated<ClaimsUser, (Jwt,)>) -> String {
///     portcullis::AuthUser::id(&auth.user).clone()
/// }
/// ```
pub struct Jwt {
    pub(crate) validator: Option<JwtValidator>,
    /// The store itself, not the realm's view of it: the subject's key is put under
    /// the realm's `namespace` here, on the stack (`store/scoped.rs`).
    pub(crate) revocations: Arc<dyn RevocationStore>,
    /// The gate's limit on a store call (`store/timed.rs`).
    pub(crate) store_timeout: Duration,
    pub(crate) namespace: Arc<str>,
    pub(crate) origins: PublicOrigins,
}

#[async_trait]
impl<U: AuthUser> AuthScheme<U> for Jwt {
    type Credential = BearerToken;

    fn name(&self) -> Scheme {
        Scheme::JWT
    }

    fn extract(&self, parts: &Parts) -> Result<Option<BearerToken>, AuthError> {
        let mut found: Option<BearerToken> = None;
        let mut put = |token: String, location| {
            if found.is_some() {
                return Err(AuthError::invalid_request(
                    Scheme::JWT,
                    "send the token once: in the Authorization header, a cookie or the query",
                ));
            }
            found = Some(BearerToken { token, location });
            Ok(())
        };
        if let Some(authorization) = credentials::authorization(&parts.headers)?
            && authorization.is("bearer")
        {
            put(credentials::bearer(authorization.value)?, TokenLocation::Header)?;
        }
        let Some(validator) = &self.validator else {
            return Ok(found);
        };
        if let Some(name) = validator.cookie()
            && let Some(token) = credentials::cookie(&parts.headers, name, Scheme::JWT)?
        {
            put(credentials::bearer(&token)?, TokenLocation::Cookie)?;
        }
        if let Some(name) = validator.query_param()
            && let Some(query) = parts.uri.query()
        {
            for (key, value) in credentials::form_urlencoded_pairs(query) {
                if key == name {
                    put(credentials::bearer(&value)?, TokenLocation::Query)?;
                }
            }
        }
        Ok(found)
    }

    async fn verify(
        &self,
        parts: &Parts,
        credential: BearerToken,
        _: &Context<'_, U>,
    ) -> Result<Verified<U>, AuthError> {
        let Some(jwt) = &self.validator else {
            tracing::error!("a route accepts `jwt` but no JWT keys are configured (PortcullisBuilder::jwt)");
            return Err(AuthError::invalid(
                Scheme::JWT,
                "this server does not accept tokens",
            ));
        };
        let crate::jwt::Verdict {
            claims,
            provider,
            introspected,
        } = jwt.verify(&credential.token).await?;
        if credential.location == TokenLocation::Cookie && !credentials::is_safe_method(&parts.method) {
            self.origins.check(parts)?;
            let sent = parts
                .headers
                .get("x-csrf-token")
                .map_or(&b""[..], |v| v.as_bytes());
            let expected = claims
                .get("csrf")
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .as_bytes();
            let equal: bool = sent.ct_eq(expected).into();
            if expected.is_empty() || !equal {
                return Err(AuthError::CsrfRejected {
                    reason: "the X-CSRF-Token header is missing or does not match the token",
                });
            }
        }
        let no_subject = || AuthError::invalid(Scheme::JWT, "the token has no valid subject");
        let subject_claim = provider.map_or(jwt.subject_claim(), |p| &p.rules.subject_claim);
        let subject = claims
            .get(subject_claim)
            .and_then(|v| v.as_str())
            .ok_or_else(no_subject)?
            .to_owned();
        // Revoked by its id, with its whole refresh family (logout, reuse detection), or
        // with everything issued before a cut-off — one store call (one round trip in
        // Redis). An identity provider's user meets only the cut-off of every user (its
        // `sub` is not a local user id).
        let family = claims
            .get("fid")
            .and_then(|v| v.as_str())
            .map(family_revocation_key);
        let (mut ids, mut n) = ([""; 2], 0);
        for id in claims.jti().into_iter().chain(family.as_deref()) {
            ids[n] = id;
            n += 1;
        }
        let local_subject = provider
            .is_none()
            .then(|| ScopedKey::new(&self.namespace, &subject));
        let check = self
            .revocations
            .check(&ids[..n], local_subject.as_ref().map(ScopedKey::as_str));
        let state = within(self.store_timeout, "check", check)
            .await
            .map_err(store_down)?;
        if state.revoked {
            return Err(AuthError::invalid(Scheme::JWT, "the token has been revoked"));
        }
        CutOffs::judge(Scheme::JWT, state.issued_before, issued_at(&claims))?;
        if let Some(provider) = provider {
            // An identity provider's user: never looked up as a local user; the
            // provider's claim mapping says who it is.
            let mut user = provider.mapping.map(&subject, Some(&claims));
            // RFC 7662 names the user `username` (DESIGN §5: `preferred_username` or `username`).
            if introspected
                && user.name().is_none()
                && let Some(name) = claims.get("username").and_then(|v| v.as_str())
            {
                user = user.with_name(name);
            }
            let identity = Identity::new(Scheme::JWT, subject).with_claims(claims);
            return Ok(Verified::identity(
                identity.vouched_by(Arc::clone(&provider.issuer), user),
            ));
        }
        Ok(Verified::identity(
            Identity::new(Scheme::JWT, subject).with_claims(claims),
        ))
    }

    fn challenge(&self, realm: &str) -> String {
        format!("Bearer realm=\"{realm}\"")
    }

    fn credential_in(&self) -> Vec<CredentialIn> {
        let bearer = CredentialIn::authorization("bearer").format("JWT");
        let validator = self.validator.as_ref();
        let cookie = validator
            .and_then(|v| v.cookie())
            .map(|n| CredentialIn::Cookie(n.to_owned()));
        let query = validator
            .and_then(|v| v.query_param())
            .map(|n| CredentialIn::Query(n.to_owned()));
        std::iter::once(bearer).chain(cookie).chain(query).collect()
    }
}

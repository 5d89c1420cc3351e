//! JWT (JWS compact) verification: key selection, signature, claim checks.
//!
//! Signatures are checked by `aws-lc-rs` (the backend `jsonwebtoken` is configured
//! with here) on keys parsed once at start-up; `jsonwebtoken` reads the key formats
//! (PEM, DER, JWK, JWKS) and signs tokens. The claim checks are done here because
//! they are stricter than `jsonwebtoken::Validation` (see `validate`).

mod cache;
pub(crate) mod claims;
mod compact;
#[cfg(feature = "oidc")]
pub(crate) mod jwks;
pub(crate) mod keys;
pub(crate) mod providers;
pub(crate) mod rules;
pub(crate) mod signature_check;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::AuthError;
use crate::error::ConfigError;
use crate::scheme::name::Scheme;
use cache::{Remembered, VerifiedTokens};
use claims::Claims;
use compact::Unverified;
use keys::{JwtKey, KeySet};
use providers::ProviderIssuer;
use rules::{AudienceClaim, ClaimRules};

/// Default largest accepted token, in bytes.
pub const DEFAULT_MAX_TOKEN_BYTES: usize = 8 * 1024;
/// Largest clock leeway the builder accepts.
pub const MAX_LEEWAY: Duration = Duration::from_secs(60);

/// JWT settings: keys and the claim checks every token must pass.
///
/// ```
/// use portcullis::{Algorithm, JwtConfig, JwtKey};
/// use std::time::Duration;
///
/// let jwt = JwtConfig::new()
///     .key(JwtKey::hmac(b"0123456789abcdef0123456789abcdef", Algorithm::HS256))
///     .issuer("https://auth.example.com")
///     .audience("my-api")
///     .leeway(Duration::from_secs(10))
///     .require_claim("jti");
/// ```
#[derive(Debug, Clone)]
pub struct JwtConfig {
    pub(crate) keys: Vec<JwtKey>,
    issuer: Option<String>,
    audiences: Vec<String>,
    leeway: Duration,
    required_claims: Vec<String>,
    token_type: Option<String>,
    max_token_bytes: usize,
    subject_claim: String,
    cookie: Option<String>,
    query_param: Option<String>,
    max_lifetime: Option<Duration>,
    /// The realm whose tokens alone pass (set by the builder, see `realm.rs`).
    realm: Option<String>,
    pub(crate) jwks_errors: Vec<ConfigError>,
}

impl Default for JwtConfig {
    fn default() -> Self {
        JwtConfig {
            keys: Vec::new(),
            issuer: None,
            audiences: Vec::new(),
            leeway: Duration::from_secs(30),
            required_claims: Vec::new(),
            token_type: Some("access".to_owned()),
            max_token_bytes: DEFAULT_MAX_TOKEN_BYTES,
            subject_claim: "sub".to_owned(),
            cookie: None,
            query_param: None,
            max_lifetime: None,
            realm: None,
            jwks_errors: Vec::new(),
        }
    }
}

impl JwtConfig {
    /// Defaults: no keys yet, leeway 30 s, claim `typ` must be `"access"`, 8 KiB limit.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a verification key.
    pub fn key(mut self, key: JwtKey) -> Self {
        self.keys.push(key);
        self
    }

    /// Adds every key of a JWKS document (each key needs `kid` and `alg`); a bad
    /// document is reported by [`PortcullisBuilder::build`](crate::PortcullisBuilder::build).
    pub fn jwks(mut self, json: &str) -> Self {
        match JwtKey::jwks_json(json) {
            Ok(keys) => self.keys.extend(keys),
            Err(e) => self.jwks_errors.push(e),
        }
        self
    }

    /// The exact `iss` every token must carry (a single string, compared exactly).
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// An accepted audience; tokens must name one of the configured audiences in `aud`.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audiences.push(audience.into());
        self
    }

    /// Clock leeway for `exp`, `nbf` and `iat` (at most 60 s; default 30 s).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// A claim every token must contain (`exp` and `sub` always are).
    pub fn require_claim(mut self, claim: impl Into<String>) -> Self {
        self.required_claims.push(claim.into());
        self
    }

    /// The value the `typ` claim must have (default `"access"`); `None` stops checking it.
    pub fn token_type(mut self, typ: Option<&str>) -> Self {
        self.token_type = typ.map(str::to_owned);
        self
    }

    /// Largest accepted token in bytes (default 8 KiB).
    pub fn max_token_bytes(mut self, bytes: usize) -> Self {
        self.max_token_bytes = bytes;
        self
    }

    /// The claim naming the user (default `sub`; e.g. `oid` for Entra ID). It must be
    /// a non-empty string of at most 256 bytes.
    ///
    /// ```
    /// let entra = portcullis::JwtConfig::new().subject_claim("oid");
    /// ```
    pub fn subject_claim(mut self, claim: impl Into<String>) -> Self {
        self.subject_claim = claim.into();
        self
    }

    /// Refuses tokens that would stay valid longer than `max` from now (their `exp`
    /// further ahead than `max` plus the leeway): a leaked signing key or a careless
    /// issuer cannot mint tokens that live for years. Off by default.
    ///
    /// ```
    /// use std::time::Duration;
    /// let jwt = portcullis::JwtConfig::new().max_lifetime(Duration::from_secs(24 * 3600));
    /// ```
    pub fn max_lifetime(mut self, max: Duration) -> Self {
        self.max_lifetime = Some(max);
        self
    }

    /// Also read the token from this cookie. Unsafe methods (POST, PUT, ...) then need
    /// a same-site request and an `X-CSRF-Token` header equal to the token's `csrf`
    /// claim, as sessions do.
    ///
    /// ```
    /// let jwt = portcullis::JwtConfig::new().cookie("access_token").query_param("access_token");
    /// ```
    pub fn cookie(mut self, name: impl Into<String>) -> Self {
        self.cookie = Some(name.into());
        self
    }

    /// The cookie of [`TokenCookies`](crate::TokenCookies): the one set with
    /// [`cookie`](Self::cookie), if any, must be the same.
    pub(crate) fn token_cookie(self, name: String) -> Result<Self, ConfigError> {
        match &self.cookie {
            Some(set) if *set != name => Err(ConfigError::Invalid(
                "JwtConfig::cookie names another cookie than TokenCookies: leave it out",
            )),
            _ => Ok(self.cookie(name)),
        }
    }

    /// Also read the token from this query parameter (opt-in: URLs end up in logs; for
    /// WebSocket upgrades and server-sent events, which cannot send headers).
    pub fn query_param(mut self, name: impl Into<String>) -> Self {
        self.query_param = Some(name.into());
        self
    }

    /// Refuses the application's tokens whose `realm` claim names another realm than
    /// `marker` (the builder's, when the gate issues tokens or names its realm).
    pub(crate) fn checking_realm(mut self, marker: &str) -> Self {
        self.realm = Some(marker.to_owned());
        self
    }

    pub(crate) fn build(
        self,
        providers: Vec<ProviderIssuer>,
        cache_capacity: Option<usize>,
    ) -> Result<JwtValidator, ConfigError> {
        if let Some(e) = self.jwks_errors.into_iter().next() {
            return Err(e);
        }
        if self.leeway > MAX_LEEWAY {
            return Err(ConfigError::LeewayTooLarge(self.leeway));
        }
        if self.max_token_bytes < 64 {
            return Err(ConfigError::Invalid("max_token_bytes must be at least 64"));
        }
        if self.subject_claim.is_empty()
            || self.cookie.as_deref() == Some("")
            || self.query_param.as_deref() == Some("")
        {
            return Err(ConfigError::Invalid(
                "the subject claim, token cookie and token query parameter names must not be empty",
            ));
        }
        if let Some(issuer) = &self.issuer
            && providers.iter().any(|p| *p.issuer == **issuer)
        {
            return Err(ConfigError::Invalid(
                "an identity provider's issuer equals the application's own JWT issuer: provider keys must never verify the application's tokens",
            ));
        }
        let keys = if self.keys.is_empty() && !providers.is_empty() {
            KeySet::empty()
        } else {
            KeySet::build(&self.keys)?
        };
        let leeway = self.leeway.as_secs_f64();
        let mut providers = providers;
        for provider in &mut providers {
            provider.rules.leeway = leeway;
            provider.rules.max_lifetime = self.max_lifetime.map(|d| d.as_secs_f64());
        }
        Ok(JwtValidator {
            cookie: self.cookie,
            query_param: self.query_param,
            keys,
            rules: ClaimRules {
                issuer: self.issuer,
                audiences: self.audiences,
                audience_claim: AudienceClaim::Aud,
                leeway,
                required_claims: self.required_claims,
                token_type: self.token_type,
                subject_claim: self.subject_claim,
                max_lifetime: self.max_lifetime.map(|d| d.as_secs_f64()),
                fixed: Vec::new(),
                authorized_parties: Vec::new(),
                realm: self.realm,
            },
            max_token_bytes: self.max_token_bytes,
            providers,
            cache: cache_capacity.map(VerifiedTokens::new),
        })
    }
}

/// A verified bearer token: its claims, the identity provider that vouched for it (none
/// for the application's own), and whether they came from introspection (RFC 7662).
pub(crate) struct Verdict<'v> {
    pub(crate) claims: Claims,
    pub(crate) provider: Option<&'v ProviderIssuer>,
    pub(crate) introspected: bool,
}

/// The start-up product of [`JwtConfig`]: parsed keys and checks, for the
/// application's own tokens and for each identity provider's.
pub(crate) struct JwtValidator {
    cookie: Option<String>,
    query_param: Option<String>,
    keys: KeySet,
    rules: ClaimRules,
    max_token_bytes: usize,
    providers: Vec<ProviderIssuer>,
    cache: Option<VerifiedTokens>,
}

pub(crate) fn malformed(reason: &'static str) -> AuthError {
    AuthError::invalid_request(Scheme::JWT, reason)
}

pub(crate) fn refused(reason: &'static str) -> AuthError {
    AuthError::invalid(Scheme::JWT, reason)
}

fn now_secs() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

impl JwtValidator {
    /// The checks on the application's own tokens.
    pub(crate) fn own_rules(&self) -> &ClaimRules {
        &self.rules
    }

    /// The identity providers whose tokens are accepted too.
    #[cfg(feature = "oidc")]
    pub(crate) fn providers(&self) -> &[ProviderIssuer] {
        &self.providers
    }

    pub(crate) fn subject_claim(&self) -> &str {
        &self.rules.subject_claim
    }

    pub(crate) fn cookie(&self) -> Option<&str> {
        self.cookie.as_deref()
    }

    pub(crate) fn query_param(&self) -> Option<&str> {
        self.query_param.as_deref()
    }

    /// Verifies one of the application's own tokens (signature first, then claims).
    pub(crate) fn validate(&self, token: &str) -> Result<Claims, AuthError> {
        let unverified = Unverified::parse(token, self.max_token_bytes)?;
        let claims = self.verify_local(unverified)?;
        self.rules.check(&claims, now_secs())?;
        Ok(claims)
    }

    fn verify_local(&self, unverified: Unverified<'_>) -> Result<Claims, AuthError> {
        let key = self
            .keys
            .select(unverified.kid())
            .ok_or_else(|| refused("the token names an unknown key"))?;
        Ok(Claims::new(unverified.verify(key)?))
    }

    /// Verifies a bearer token of the application or of an identity provider: a JWT
    /// goes to the keys of the issuer it claims (a provider's, or else the
    /// application's own), an opaque token to the provider that introspects.
    /// Returns the claims and the provider that vouched for them. With the
    /// verified-token cache, a token verified before (and not expired) is answered
    /// from it (`cache.rs`).
    pub(crate) async fn verify(&self, token: &str) -> Result<Verdict<'_>, AuthError> {
        let Some(cache) = self
            .cache
            .as_ref()
            .filter(|_| token.len() <= self.max_token_bytes)
        else {
            return self.verify_token(token).await.map(|(verdict, _)| verdict);
        };
        let digest = cache::digest(token);
        if let Some(hit) = cache.get(&digest, now_secs()) {
            match hit.provider.map(|i| &self.providers[i]) {
                None => {
                    return Ok(Verdict {
                        claims: hit.claims,
                        provider: None,
                        introspected: false,
                    });
                }
                // Still the key set that verified it: a withdrawn key ends it.
                Some(provider)
                    if provider
                        .source
                        .keys()
                        .zip(hit.keys.as_ref())
                        .is_some_and(|(now, then)| Arc::ptr_eq(&now, then)) =>
                {
                    return Ok(Verdict {
                        claims: hit.claims,
                        provider: Some(provider),
                        introspected: false,
                    });
                }
                Some(_) => cache.forget(&digest),
            }
        }
        let (verdict, keys) = self.verify_token(token).await?;
        let expires = verdict.claims.exp();
        if let (false, Some(expires)) = (verdict.introspected, expires) {
            let provider = verdict
                .provider
                .and_then(|p| self.providers.iter().position(|q| std::ptr::eq(p, q)));
            let remembered = Remembered {
                claims: verdict.claims.clone(),
                provider,
                keys,
                expires,
            };
            cache.insert(digest, remembered);
        }
        Ok(verdict)
    }

    /// [`verify`](Self::verify) without the cache; also returns the provider key set
    /// that verified the token.
    async fn verify_token(&self, token: &str) -> Result<(Verdict<'_>, Option<Arc<KeySet>>), AuthError> {
        // Only when a provider introspects: the shape test is then worth its scan.
        if let Some(provider) = self.providers.iter().find(|p| p.source.introspects())
            && !compact::looks_like_jwt(token)
        {
            if token.len() > self.max_token_bytes {
                return Err(malformed("the token is too large"));
            }
            let claims = provider
                .source
                .introspect(token)
                .await?
                .ok_or_else(|| refused("the token is not active"))?;
            let verdict = Verdict {
                claims,
                provider: Some(provider),
                introspected: true,
            };
            return Ok((verdict, None));
        }
        let unverified = Unverified::parse(token, self.max_token_bytes)?;
        let claimed = unverified.claimed_issuer();
        let Some(provider) = self.providers.iter().find(|p| Some(&*p.issuer) == claimed) else {
            let claims = self.verify_local(unverified)?;
            self.rules.check(&claims, now_secs())?;
            let verdict = Verdict {
                claims,
                provider: None,
                introspected: false,
            };
            return Ok((verdict, None));
        };
        let keys = match provider.source.keys() {
            Some(keys) => keys,
            None => match provider.source.refetch().await {
                Some(keys) => keys,
                None => {
                    tracing::warn!(issuer = %provider.issuer, "no key set from the identity provider yet");
                    return Err(AuthError::Unavailable);
                }
            },
        };
        if provider.require_access_token_type && !unverified.is_access_token_type() {
            return Err(refused("the token is not an access token (header typ at+jwt)"));
        }
        let kid = unverified.kid();
        let keys = if keys.select(kid).is_none() && kid.is_some() {
            provider.source.refetch().await.unwrap_or(keys)
        } else {
            keys
        };
        let key = keys
            .select(kid)
            .ok_or_else(|| refused("the token names an unknown key"))?;
        let claims = Claims::new(unverified.verify(key)?);
        provider.rules.check(&claims, now_secs())?;
        let verdict = Verdict {
            claims,
            provider: Some(provider),
            introspected: false,
        };
        Ok((verdict, Some(keys)))
    }
}

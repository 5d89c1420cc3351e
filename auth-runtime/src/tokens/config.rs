//! [`TokenConfig`]: how the server signs the tokens it issues, and the verification
//! settings that follow from it.

use std::time::Duration;

use jsonwebtoken::{Algorithm, EncodingKey};

use crate::error::ConfigError;
use crate::jwt::JwtConfig;
use crate::jwt::keys::JwtKey;

/// Issuing access tokens: the signing key and the claims the server puts in them.
///
/// The issued tokens must pass the server's own [`JwtConfig`](crate::JwtConfig):
/// [`PortcullisBuilder::build`](crate::PortcullisBuilder::build) signs a probe token
/// and verifies it, and refuses a configuration where they would not.
///
/// ```
/// use portcullis::{Algorithm, TokenConfig};
/// use std::time::Duration;
/// let tokens = TokenConfig::hmac(b"0123456789abcdef0123456789abcdef", Algorithm::HS256)
///     .issuer("https://auth.example.com")
///     .audience("my-api")
///     .access_ttl(Duration::from_secs(900))
///     .refresh_ttl(Duration::from_secs(14 * 24 * 3600))
///     .family_lifetime(Duration::from_secs(30 * 24 * 3600));
/// ```
#[derive(Clone)]
pub struct TokenConfig {
    pub(crate) key: EncodingKey,
    /// The HMAC secret again, so that verification can be derived from this config.
    pub(crate) hmac_secret: Option<Vec<u8>>,
    pub(crate) algorithm: Algorithm,
    pub(crate) kid: Option<String>,
    pub(crate) issuer: Option<String>,
    pub(crate) audience: Option<String>,
    pub(crate) access_ttl: Duration,
    pub(crate) refresh_ttl: Duration,
    pub(crate) family_lifetime: Duration,
    pub(crate) mark_fresh: bool,
}

impl std::fmt::Debug for TokenConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenConfig")
            .field("algorithm", &self.algorithm)
            .field("issuer", &self.issuer)
            .field("access_ttl", &self.access_ttl)
            .field("refresh_ttl", &self.refresh_ttl)
            .field("family_lifetime", &self.family_lifetime)
            .finish_non_exhaustive()
    }
}

impl TokenConfig {
    /// Signs with an HMAC secret (HS256/384/512): 15 min access, 14 days refresh, a
    /// refresh family ends 30 days after its login.
    pub fn hmac(secret: impl AsRef<[u8]>, algorithm: Algorithm) -> Self {
        let mut config = Self::with_key(EncodingKey::from_secret(secret.as_ref()), algorithm);
        config.hmac_secret = Some(secret.as_ref().to_vec());
        config
    }

    /// The verification settings of the tokens this config issues, given once: the
    /// same HMAC secret, `kid`, issuer and audience. Without a
    /// [`PortcullisBuilder::jwt`](crate::PortcullisBuilder::jwt) call, the builder uses
    /// exactly this; call it to add keys (a JWKS) or checks. For tokens signed with a
    /// private key, add its public key with [`JwtConfig::key`](crate::JwtConfig::key).
    ///
    /// ```
    /// use portcullis::{Algorithm, TokenConfig};
    /// let tokens = TokenConfig::hmac(b"kD8#vR2qLx9!mZ4wT7pQ1sF6yH3nJ0cB", Algorithm::HS256)
    ///     .issuer("https://auth.example.com")
    ///     .audience("my-api");
    /// let jwt = tokens.verification().require_claim("jti");
    /// ```
    pub fn verification(&self) -> JwtConfig {
        let mut jwt = JwtConfig::new();
        if let Some(secret) = &self.hmac_secret {
            let key = JwtKey::hmac(secret, self.algorithm);
            jwt = jwt.key(match &self.kid {
                Some(kid) => key.with_kid(kid),
                None => key,
            });
        }
        if let Some(issuer) = &self.issuer {
            jwt = jwt.issuer(issuer);
        }
        if let Some(audience) = &self.audience {
            jwt = jwt.audience(audience);
        }
        jwt
    }

    /// Signs with a private key (PKCS#8 PEM) for an asymmetric algorithm.
    ///
    /// # Errors
    /// [`ConfigError::InvalidKey`] when the PEM is not a private key of that family.
    pub fn private_pem(pem: &[u8], algorithm: Algorithm) -> Result<Self, ConfigError> {
        use jsonwebtoken::AlgorithmFamily;
        let key = match algorithm.family() {
            AlgorithmFamily::Rsa => EncodingKey::from_rsa_pem(pem),
            AlgorithmFamily::Ec => EncodingKey::from_ec_pem(pem),
            AlgorithmFamily::Ed => EncodingKey::from_ed_pem(pem),
            AlgorithmFamily::Hmac => {
                return Err(ConfigError::InvalidKey(
                    "HMAC algorithms take TokenConfig::hmac".into(),
                ));
            }
        }
        .map_err(|e| ConfigError::InvalidKey(format!("signing key: {e}")))?;
        Ok(Self::with_key(key, algorithm))
    }

    fn with_key(key: EncodingKey, algorithm: Algorithm) -> Self {
        TokenConfig {
            key,
            hmac_secret: None,
            algorithm,
            kid: None,
            issuer: None,
            audience: None,
            access_ttl: Duration::from_secs(900),
            refresh_ttl: Duration::from_secs(14 * 24 * 3600),
            family_lifetime: Duration::from_secs(30 * 24 * 3600),
            mark_fresh: false,
        }
    }

    /// The `kid` header of issued tokens (it must name the verification key).
    pub fn kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// The `iss` claim.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// The `aud` claim.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// Lifetime of access tokens (default 15 min).
    pub fn access_ttl(mut self, ttl: Duration) -> Self {
        self.access_ttl = ttl;
        self
    }

    /// Lifetime of a refresh family after its last rotation (default 14 days).
    pub fn refresh_ttl(mut self, ttl: Duration) -> Self {
        self.refresh_ttl = ttl;
        self
    }

    /// The absolute lifetime of a refresh family, counted from its login (default 30
    /// days): rotations extend a family by `refresh_ttl`, never past this, so a stolen
    /// refresh token cannot be kept alive forever.
    ///
    /// ```
    /// use std::time::Duration;
    /// let tokens = portcullis::TokenConfig::hmac(b"kD8#vR2qLx9!mZ4wT7pQ1sF6yH3nJ0cB", portcullis::Algorithm::HS256)
    ///     .family_lifetime(Duration::from_secs(7 * 24 * 3600));
    /// ```
    pub fn family_lifetime(mut self, lifetime: Duration) -> Self {
        self.family_lifetime = lifetime;
        self
    }

    /// Marks the access tokens issued by [`Portcullis::issue_tokens`](crate::Portcullis::issue_tokens)
    /// (after a password login) with the claim `"fresh": true`; tokens from a refresh are
    /// never fresh. `#[require(fresh)]` then asks for a recent password login (AuthX's
    /// fresh tokens) on sensitive routes. Off by default.
    ///
    /// ```
    /// use portcullis::{Algorithm, TokenConfig};
    /// let tokens = TokenConfig::hmac(b"kD8#vR2qLx9!mZ4wT7pQ1sF6yH3nJ0cB", Algorithm::HS256).fresh_tokens();
    /// ```
    pub fn fresh_tokens(mut self) -> Self {
        self.mark_fresh = true;
        self
    }
}

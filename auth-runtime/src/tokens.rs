//! Issuing and refreshing tokens: access tokens signed with the server's key,
//! opaque refresh tokens in rotating families with reuse detection, revocation.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;

use crate::audit::{Event, Origin, Record};
use crate::error::{AuthError, ConfigError, store_down};
use crate::info::AuthInfo;
use crate::jwt::keys::JwtKey;
use crate::jwt::{JwtConfig, JwtValidator};
use crate::scheme::name::Scheme;
use crate::secret::{RefreshToken, family_revocation_key, hash_secret, random_secret};
use crate::store::{RefreshStore, RevocationStore, Rotation, UserStore};
use crate::user::AuthUser;

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

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
    key: EncodingKey,
    /// The HMAC secret again, so that verification can be derived from this config.
    hmac_secret: Option<Vec<u8>>,
    algorithm: Algorithm,
    kid: Option<String>,
    issuer: Option<String>,
    audience: Option<String>,
    access_ttl: Duration,
    refresh_ttl: Duration,
    family_lifetime: Duration,
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
}

/// An access token and a refresh token, as an OAuth token response.
#[derive(Clone, Serialize, PartialEq, Eq)]
///
/// It serializes as the OAuth token response:
///
/// ```
/// let pair = portcullis::TokenPair {
///     access_token: "eyJ...".into(), refresh_token: "r".into(), token_type: "Bearer", expires_in: 900,
/// };
/// let json = serde_json::to_value(&pair).unwrap();
/// assert_eq!(json["token_type"], "Bearer");
/// assert_eq!(json["expires_in"], 900);
/// ```
pub struct TokenPair {
    /// The JWT.
    pub access_token: String,
    /// The opaque refresh token (256 random bits).
    pub refresh_token: String,
    /// Always `"Bearer"`.
    pub token_type: &'static str,
    /// Access-token lifetime in seconds.
    pub expires_in: u64,
}

impl std::fmt::Debug for TokenPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenPair")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

/// What a refresh family grants: the user and the scope of the first issuance (kept
/// across refreshes, RFC 6749 §6). Stored as JSON text by the refresh store.
#[derive(serde::Serialize, serde::Deserialize)]
struct Grant {
    sub: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<String>,
}

impl Grant {
    fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    fn parse(text: &str) -> Option<Grant> {
        serde_json::from_str(text).ok()
    }
}

fn sign_access(
    tokens: &TokenConfig,
    sub: &str,
    jti: &str,
    fid: Option<&str>,
    scope: Option<&str>,
) -> Result<String, AuthError> {
    let now = unix_now();
    let mut claims = serde_json::json!({
        "sub": sub,
        "iat": now,
        "exp": now.saturating_add(tokens.access_ttl.as_secs().max(1)),
        "jti": jti,
        "typ": "access",
    });
    if let Some(fid) = fid {
        claims["fid"] = fid.into();
    }
    if let Some(iss) = &tokens.issuer {
        claims["iss"] = iss.as_str().into();
    }
    if let Some(aud) = &tokens.audience {
        claims["aud"] = aud.as_str().into();
    }
    if let Some(scope) = scope {
        claims["scope"] = scope.into();
    }
    let mut header = Header::new(tokens.algorithm);
    header.kid = tokens.kid.clone();
    jsonwebtoken::encode(&header, &claims, &tokens.key).map_err(|e| {
        tracing::error!(error = %e, "signing an access token failed");
        AuthError::Unavailable
    })
}

/// Token issuing as configured: the signing settings and the stores.
pub(crate) struct Tokens {
    pub(crate) config: Option<TokenConfig>,
    pub(crate) refresh: Arc<dyn RefreshStore>,
    pub(crate) revocations: Arc<dyn RevocationStore>,
}

impl Tokens {
    /// Checks the signing settings against the server's own JWT configuration.
    pub(crate) fn check(&self, jwt: Option<&JwtValidator>) -> Result<(), ConfigError> {
        let Some(tokens) = &self.config else {
            return Ok(());
        };
        let Some(jwt) = jwt else {
            return Err(ConfigError::Invalid(
                "issuing tokens needs a JWT configuration that verifies them (PortcullisBuilder::jwt)",
            ));
        };
        if tokens.access_ttl < Duration::from_secs(1)
            || tokens.refresh_ttl < Duration::from_secs(1)
            || tokens.family_lifetime < Duration::from_secs(1)
        {
            return Err(ConfigError::Invalid(
                "token lifetimes must be at least one second",
            ));
        }
        let own = jwt.own_rules();
        if let Some(expected) = &own.issuer
            && tokens.issuer.as_ref() != Some(expected)
        {
            return Err(ConfigError::IssuedTokensRejected(format!(
                "TokenConfig issues tokens with issuer {:?}, but JwtConfig accepts only {expected:?}; give them once with TokenConfig::verification()",
                tokens.issuer
            )));
        }
        if !own.audiences.is_empty()
            && !tokens
                .audience
                .as_ref()
                .is_some_and(|a| own.audiences.contains(a))
        {
            return Err(ConfigError::IssuedTokensRejected(format!(
                "TokenConfig issues tokens with audience {:?}, but JwtConfig accepts only {:?}; give them once with TokenConfig::verification()",
                tokens.audience, own.audiences
            )));
        }
        let probe = sign_access(tokens, "probe", "probe", None, None)
            .map_err(|_| ConfigError::Invalid("the token signing key cannot sign"))?;
        jwt.validate(&probe)
            .map_err(|e| ConfigError::IssuedTokensRejected(e.to_string()))?;
        Ok(())
    }

    fn config(&self) -> Result<&TokenConfig, AuthError> {
        self.config.as_ref().ok_or_else(|| {
            tracing::error!("issuing tokens needs PortcullisBuilder::tokens");
            AuthError::Misconfigured {
                reason: "no TokenConfig",
            }
        })
    }

    /// # Errors
    /// [`AuthError::Unavailable`] when the refresh store fails or no [`TokenConfig`] is set.
    pub(crate) async fn issue<U: AuthUser>(
        &self,
        user: &U,
        scope: Option<&str>,
    ) -> Result<TokenPair, AuthError> {
        let tokens = self.config()?;
        let family = RefreshToken::new_family()?;
        let refresh = family.text(0)?;
        let fid = family.handle();
        let sub = user.id().to_string();
        let grant = Grant {
            sub: sub.clone(),
            scope: scope.map(str::to_owned),
        }
        .to_text();
        self.refresh
            .start(
                &fid,
                &grant,
                &hash_secret(&refresh),
                tokens.refresh_ttl,
                tokens.family_lifetime,
            )
            .await
            .map_err(store_down)?;
        let access = sign_access(tokens, &sub, &random_secret()?, Some(&fid), scope)?;
        tracing::info!(user = %sub, "tokens issued");
        Ok(TokenPair {
            access_token: access,
            refresh_token: refresh,
            token_type: "Bearer",
            expires_in: tokens.access_ttl.as_secs(),
        })
    }

    /// Exchanges a refresh token for a new pair (rotation). A refresh token that was
    /// already used revokes its whole family (reuse detection) and is refused.
    ///
    /// # Errors
    /// 401 for unknown, spent, revoked or expired tokens and deleted users, 403 for
    /// inactive users (the token is not spent then), 503 when a store fails.
    pub(crate) async fn refresh<U: AuthUser>(
        &self,
        users: &dyn UserStore<U>,
        refresh_token: &str,
        origin: &Origin,
    ) -> Result<(U, TokenPair), AuthError> {
        let tokens = self.config()?;
        let store = &self.refresh;
        let refused = |reason| AuthError::invalid(Scheme::JWT, reason);
        let Some(token) = RefreshToken::parse(refresh_token) else {
            return Err(refused("the refresh token is not valid"));
        };
        let fid = token.handle();
        let presented = hash_secret(refresh_token);
        // Check the user first: a store failure or an inactive account must not spend
        // the client's token (its retry would look like reuse and revoke the family).
        let current = store
            .current_grant(&fid, token.generation, &presented)
            .await
            .map_err(store_down)?;
        let checked = match current {
            Some(grant) => Some((Self::grant_user(users, &grant).await?, grant)),
            None => None,
        };
        let generation = token.generation.saturating_add(1);
        let next = token.text(generation)?;
        let rotation = store
            .rotate(
                &fid,
                token.generation,
                &presented,
                &hash_secret(&next),
                tokens.refresh_ttl,
            )
            .await
            .map_err(store_down)?;
        let grant = match rotation {
            Rotation::Rotated { grant, .. } => grant,
            Rotation::Reused { .. } => {
                let reused = refused("the refresh token was already used; its session is revoked");
                let alert = Record::new(Event::TokenReuseDetected, origin);
                alert.scheme(Some(Scheme::JWT)).error(&reused).emit();
                // The family's access tokens end with it.
                self.revoke_family_access(&fid, tokens).await?;
                return Err(reused);
            }
            Rotation::Invalid => return Err(refused("the refresh token is not valid")),
        };
        let user = match checked {
            Some((user, checked_grant)) if checked_grant == grant => user,
            _ => Self::grant_user(users, &grant).await?,
        };
        let scope = Grant::parse(&grant).and_then(|g| g.scope);
        let access = sign_access(
            tokens,
            &user.id().to_string(),
            &random_secret()?,
            Some(&fid),
            scope.as_deref(),
        )?;
        let pair = TokenPair {
            access_token: access,
            refresh_token: next,
            token_type: "Bearer",
            expires_in: tokens.access_ttl.as_secs(),
        };
        Ok((user, pair))
    }

    /// Ends every access token issued in the family `fid` (they all expire within
    /// one access-token lifetime from now, so the entry does too).
    async fn revoke_family_access(&self, fid: &str, tokens: &TokenConfig) -> Result<(), AuthError> {
        let until = SystemTime::now()
            .checked_add(tokens.access_ttl.min(Duration::from_secs(100 * 365 * 24 * 3600)))
            .unwrap_or_else(SystemTime::now);
        self.revocations
            .revoke(&family_revocation_key(fid), until)
            .await
            .map_err(store_down)
    }

    /// The active user a refresh family was granted to.
    async fn grant_user<U: AuthUser>(users: &dyn UserStore<U>, grant: &str) -> Result<U, AuthError> {
        let refused = || AuthError::invalid(Scheme::JWT, "the refresh token is not valid");
        let id = Grant::parse(grant)
            .and_then(|g| g.sub.parse::<U::Id>().ok())
            .ok_or_else(refused)?;
        let user = users
            .find_by_id(&id)
            .await
            .map_err(store_down)?
            .ok_or_else(refused)?;
        if !user.is_active() {
            return Err(AuthError::Forbidden {
                reason: "the account is inactive",
            });
        }
        Ok(user)
    }

    /// Revokes the access token `info` came from (by `jti`, until it expires).
    ///
    /// # Errors
    /// 503 when the revocation store fails.
    pub(crate) async fn revoke_access(&self, info: &AuthInfo) -> Result<(), AuthError> {
        let Some(claims) = info.claims() else {
            return Ok(());
        };
        let (Some(jti), Some(exp)) = (claims.jti(), claims.exp()) else {
            return Ok(());
        };
        // A far-future `exp` is kept until the end of the representable time, not a panic.
        let until = UNIX_EPOCH
            .checked_add(Duration::from_secs_f64(exp.clamp(0.0, 1e11)))
            .unwrap_or(UNIX_EPOCH + Duration::from_secs(100_000_000_000));
        self.revocations.revoke(jti, until).await.map_err(store_down)
    }

    /// Logout: revokes the refresh family of `refresh_token` (if given) and of the
    /// presented access token (its `fid` claim), with every access token issued in
    /// them, and the presented access token itself.
    ///
    /// # Errors
    /// 503 when a store fails.
    pub(crate) async fn logout(&self, refresh_token: Option<&str>, info: &AuthInfo) -> Result<(), AuthError> {
        let mut families = Vec::new();
        if let Some(token) = refresh_token.and_then(RefreshToken::parse) {
            families.push(token.handle());
        }
        if let Some(fid) = info.claims().and_then(|c| c.get("fid")).and_then(|v| v.as_str())
            && !families.iter().any(|f| f == fid)
        {
            families.push(fid.to_owned());
        }
        for fid in &families {
            self.refresh.revoke_family(fid).await.map_err(store_down)?;
            if let Some(tokens) = &self.config {
                self.revoke_family_access(fid, tokens).await?;
            }
        }
        self.revoke_access(info).await
    }
}

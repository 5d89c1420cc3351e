//! The credential lifecycle: issuing and refreshing tokens, revocation, password
//! login with throttling, and server-side sessions.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::header::{COOKIE, HeaderValue};
use http::request::Parts;
use http::{HeaderMap, Method};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::config::{ConfigError, Portcullis};
use crate::failure::AuthError;
use crate::info::AuthInfo;
use crate::jwt::JwtValidator;
use crate::lifecycle::{RefreshStore, Rotation, SecretHash, SessionRecord, SessionStore, ThrottleStore};
use crate::memory::{InMemoryRefreshStore, InMemorySessionStore, InMemoryThrottleStore};
use crate::password;
use crate::scheme::Scheme;
use crate::store::StoreError;
use crate::user::AuthUser;

/// Length of the base64url text of a 256-bit secret (refresh token, session id, CSRF token).
const SECRET_TEXT_LEN: usize = 43;

fn random_secret() -> Result<String, AuthError> {
    let mut bytes = [0u8; 32];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| AuthError::Unavailable)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

fn hash_secret(secret: &str) -> SecretHash {
    Sha256::digest(secret.as_bytes()).into()
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn store_down(e: StoreError) -> AuthError {
    tracing::error!(error = %e, "lifecycle store unavailable");
    AuthError::Unavailable
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
///     .refresh_ttl(Duration::from_secs(14 * 24 * 3600));
/// ```
#[derive(Clone)]
pub struct TokenConfig {
    key: EncodingKey,
    algorithm: Algorithm,
    kid: Option<String>,
    issuer: Option<String>,
    audience: Option<String>,
    access_ttl: Duration,
    refresh_ttl: Duration,
}

impl std::fmt::Debug for TokenConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenConfig")
            .field("algorithm", &self.algorithm)
            .field("issuer", &self.issuer)
            .field("access_ttl", &self.access_ttl)
            .finish_non_exhaustive()
    }
}

impl TokenConfig {
    /// Signs with an HMAC secret (HS256/384/512): 15 min access, 14 days refresh.
    pub fn hmac(secret: impl AsRef<[u8]>, algorithm: Algorithm) -> Self {
        Self::with_key(EncodingKey::from_secret(secret.as_ref()), algorithm)
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
            algorithm,
            kid: None,
            issuer: None,
            audience: None,
            access_ttl: Duration::from_secs(900),
            refresh_ttl: Duration::from_secs(14 * 24 * 3600),
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
}

/// Session cookie settings.
///
/// ```
/// use portcullis::SessionConfig;
/// use std::time::Duration;
/// let sessions = SessionConfig::new()
///     .cookie_name("app_session")          // sent as `__Host-app_session` outside development
///     .idle_timeout(Duration::from_secs(1800))
///     .absolute_timeout(Duration::from_secs(12 * 3600));
/// let dev = SessionConfig::new().development(true); // plain HTTP: no `Secure`, no `__Host-`
/// ```
#[derive(Debug, Clone)]
pub struct SessionConfig {
    cookie_name: String,
    development: bool,
    idle: Duration,
    absolute: Duration,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            cookie_name: "portcullis_session".to_owned(),
            development: false,
            idle: Duration::from_secs(30 * 60),
            absolute: Duration::from_secs(12 * 3600),
        }
    }
}

impl SessionConfig {
    /// `portcullis_session`, 30 min idle, 12 h absolute, secure cookies.
    pub fn new() -> Self {
        Self::default()
    }

    /// The cookie's base name (the `__Host-` prefix is added outside development).
    pub fn cookie_name(mut self, name: impl Into<String>) -> Self {
        self.cookie_name = name.into();
        self
    }

    /// Development mode (plain HTTP): no `Secure` attribute and no `__Host-` prefix.
    pub fn development(mut self, on: bool) -> Self {
        self.development = on;
        self
    }

    /// Expiry after this long without a request.
    pub fn idle_timeout(mut self, idle: Duration) -> Self {
        self.idle = idle;
        self
    }

    /// Expiry this long after login, whatever the activity.
    pub fn absolute_timeout(mut self, absolute: Duration) -> Self {
        self.absolute = absolute;
        self
    }

    fn full_cookie_name(&self) -> String {
        if self.development {
            self.cookie_name.clone()
        } else {
            format!("__Host-{}", self.cookie_name)
        }
    }
}

/// Login throttling: failures counted per user name and per client address.
///
/// ```
/// use portcullis::ThrottleConfig;
/// use std::time::Duration;
/// let throttle = ThrottleConfig::new()
///     .max_failures(5)                 // per user name
///     .max_failures_per_address(20)    // per client address: shared by everyone behind a NAT or proxy
///     .window(Duration::from_secs(15 * 60));
/// ```
#[derive(Debug, Clone)]
pub struct ThrottleConfig {
    max_failures: u32,
    max_failures_per_address: u32,
    window: Duration,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        ThrottleConfig {
            max_failures: 5,
            max_failures_per_address: 20,
            window: Duration::from_secs(15 * 60),
        }
    }
}

impl ThrottleConfig {
    /// 5 failures per user name and 20 per client address, per 15 minutes.
    pub fn new() -> Self {
        Self::default()
    }

    /// Failures allowed per user name in a window; the next attempt gets 429.
    pub fn max_failures(mut self, n: u32) -> Self {
        self.max_failures = n;
        self
    }

    /// Failures allowed per client address in a window. Higher than the per-name
    /// limit by default (20): many users may share one address (NAT, a proxy), and a
    /// few typos of others must not lock them all out.
    pub fn max_failures_per_address(mut self, n: u32) -> Self {
        self.max_failures_per_address = n;
        self
    }

    /// The window, counted from the first failure.
    pub fn window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }
}

/// The client's address, for throttling. Insert it into the request extensions from
/// a trusted source (a proxy header you control); otherwise axum's
/// `ConnectInfo<SocketAddr>` is used when the server provides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
///
/// ```
/// use portcullis::{ClientAddr, client_addr};
/// let (mut parts, ()) = http::Request::new(()).into_parts();
/// parts.extensions.insert(ClientAddr("203.0.113.7".parse().unwrap()));
/// assert_eq!(client_addr(&parts), Some("203.0.113.7".parse().unwrap()));
/// ```
pub struct ClientAddr(pub IpAddr);

/// The address used for throttling: [`ClientAddr`], else axum's `ConnectInfo`.
pub fn client_addr(parts: &Parts) -> Option<IpAddr> {
    if let Some(ClientAddr(ip)) = parts.extensions.get::<ClientAddr>() {
        return Some(*ip);
    }
    #[cfg(feature = "axum")]
    if let Some(info) = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
    {
        return Some(info.0.ip());
    }
    None
}

/// An access token and a refresh token, as an OAuth token response.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
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

/// A new session: the cookie to set and the CSRF token to give the client.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The `Set-Cookie` value.
    pub set_cookie: HeaderValue,
    /// Send back in `X-CSRF-Token` on unsafe requests.
    pub csrf_token: String,
}

/// A successful password login.
#[derive(Debug, Clone)]
///
/// ```no_run
/// # use portcullis::{AuthUser, Portcullis};
/// # #[derive(Clone, AuthUser)] struct User { #[auth_user(id)] id: i64 }
/// # async fn demo(auth: Portcullis<User>) -> Result<(), portcullis::AuthError> {
/// let logged_in = auth.login("ann", "correct horse battery", None).await?;
/// if logged_in.needs_rehash {
///     let _new_hash = portcullis::hash_password("correct horse battery"); // store it
/// }
/// # Ok(()) }
/// ```
pub struct LoggedIn<U> {
    /// The user.
    pub user: U,
    /// The stored hash uses old parameters: hash the password again and store it.
    pub needs_rehash: bool,
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

#[derive(Default)]
pub(crate) struct LifecycleBuilder {
    pub(crate) tokens: Option<TokenConfig>,
    pub(crate) refresh: Option<Arc<dyn RefreshStore>>,
    pub(crate) sessions: Option<Arc<dyn SessionStore>>,
    pub(crate) throttle: Option<Arc<dyn ThrottleStore>>,
    pub(crate) session_config: SessionConfig,
    pub(crate) throttle_config: ThrottleConfig,
}

pub(crate) struct Lifecycle {
    tokens: Option<TokenConfig>,
    refresh: Arc<dyn RefreshStore>,
    sessions: Arc<dyn SessionStore>,
    throttle: Arc<dyn ThrottleStore>,
    session_config: SessionConfig,
    cookie_name: String,
    throttle_config: ThrottleConfig,
}

impl LifecycleBuilder {
    pub(crate) fn build(self, jwt: Option<&JwtValidator>) -> Result<Lifecycle, ConfigError> {
        let session_config = self.session_config;
        let name = &session_config.cookie_name;
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(ConfigError::Invalid(
                "the session cookie name must be letters, digits, '_' or '-'",
            ));
        }
        if session_config.idle.is_zero() || session_config.absolute < session_config.idle {
            return Err(ConfigError::Invalid(
                "session timeouts: idle must be > 0 and <= absolute",
            ));
        }
        if self.throttle_config.max_failures == 0
            || self.throttle_config.max_failures_per_address == 0
            || self.throttle_config.window.is_zero()
        {
            return Err(ConfigError::Invalid(
                "throttling needs max_failures >= 1 and a non-zero window",
            ));
        }
        if let Some(tokens) = &self.tokens {
            let Some(jwt) = jwt else {
                return Err(ConfigError::Invalid(
                    "issuing tokens needs a JWT configuration that verifies them (PortcullisBuilder::jwt)",
                ));
            };
            if tokens.access_ttl < Duration::from_secs(1) || tokens.refresh_ttl < Duration::from_secs(1) {
                return Err(ConfigError::Invalid(
                    "token lifetimes must be at least one second",
                ));
            }
            let probe = sign_access(tokens, "probe", "probe", None)
                .map_err(|_| ConfigError::Invalid("the token signing key cannot sign"))?;
            jwt.validate(&probe)
                .map_err(|e| ConfigError::IssuedTokensRejected(e.to_string()))?;
        }
        Ok(Lifecycle {
            cookie_name: session_config.full_cookie_name(),
            tokens: self.tokens,
            refresh: self
                .refresh
                .unwrap_or_else(|| Arc::new(InMemoryRefreshStore::default())),
            sessions: self
                .sessions
                .unwrap_or_else(|| Arc::new(InMemorySessionStore::default())),
            throttle: self
                .throttle
                .unwrap_or_else(|| Arc::new(InMemoryThrottleStore::default())),
            session_config,
            throttle_config: self.throttle_config,
        })
    }
}

fn sign_access(tokens: &TokenConfig, sub: &str, jti: &str, scope: Option<&str>) -> Result<String, AuthError> {
    let now = unix_now();
    let mut claims = serde_json::json!({
        "sub": sub,
        "iat": now,
        "exp": now + tokens.access_ttl.as_secs().max(1),
        "jti": jti,
        "typ": "access",
    });
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

/// The session id from the request's cookies, if it sent ours.
pub(crate) fn session_cookie(headers: &HeaderMap, name: &str) -> Result<Option<String>, AuthError> {
    let bad = |reason| AuthError::invalid_request(Scheme::Session, reason);
    let mut found = None;
    for value in headers.get_all(COOKIE) {
        if value.len() > crate::credentials::MAX_HEADER_BYTES {
            return Err(bad("the Cookie header is too large"));
        }
        let Ok(text) = value.to_str() else { continue };
        for pair in text.split(';') {
            let Some((key, id)) = pair.trim().split_once('=') else {
                continue;
            };
            if key == name {
                if found.is_some() {
                    return Err(bad("send the session cookie once"));
                }
                found = Some(id.to_owned());
            }
        }
    }
    match found {
        Some(id)
            if id.len() != SECRET_TEXT_LEN
                || !id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
        {
            Err(bad("the session cookie is malformed"))
        }
        other => Ok(other),
    }
}

impl<U: AuthUser> Portcullis<U> {
    fn lifecycle(&self) -> &Lifecycle {
        &self.inner.lifecycle
    }

    fn token_config(&self) -> Result<&TokenConfig, AuthError> {
        self.lifecycle().tokens.as_ref().ok_or_else(|| {
            tracing::error!("issuing tokens needs PortcullisBuilder::tokens");
            AuthError::Unavailable
        })
    }

    /// Issues an access token and starts a refresh family for `user` (after a login).
    ///
    /// # Errors
    /// [`AuthError::Unavailable`] when the refresh store fails or no [`TokenConfig`] is set.
    pub async fn issue_tokens(&self, user: &U, scope: Option<&str>) -> Result<TokenPair, AuthError> {
        let tokens = self.token_config()?;
        let family = random_secret()?;
        let refresh = random_secret()?;
        let sub = user.id().to_string();
        let grant = Grant {
            sub: sub.clone(),
            scope: scope.map(str::to_owned),
        }
        .to_text();
        self.lifecycle()
            .refresh
            .start(&family, &grant, &hash_secret(&refresh), tokens.refresh_ttl)
            .await
            .map_err(store_down)?;
        let access = sign_access(tokens, &sub, &random_secret()?, scope)?;
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
    pub async fn refresh_tokens(&self, refresh_token: &str) -> Result<(U, TokenPair), AuthError> {
        let tokens = self.token_config()?;
        let refresh = &self.lifecycle().refresh;
        let refused = |reason| AuthError::invalid(Scheme::Jwt, reason);
        if refresh_token.len() != SECRET_TEXT_LEN {
            return Err(refused("the refresh token is not valid"));
        }
        let presented = hash_secret(refresh_token);
        // Check the user first: a store failure or an inactive account must not spend
        // the client's token (its retry would look like reuse and revoke the family).
        let checked = match refresh.current_grant(&presented).await.map_err(store_down)? {
            Some(grant) => Some((self.grant_user(&grant).await?, grant)),
            None => None,
        };
        let next = random_secret()?;
        let rotation = refresh
            .rotate(&presented, &hash_secret(&next), tokens.refresh_ttl)
            .await
            .map_err(store_down)?;
        let grant = match rotation {
            Rotation::Rotated { grant, .. } => grant,
            Rotation::Reused { .. } => {
                tracing::warn!("a spent refresh token was presented again: its family is revoked");
                return Err(refused(
                    "the refresh token was already used; its session is revoked",
                ));
            }
            Rotation::Invalid => return Err(refused("the refresh token is not valid")),
        };
        let user = match checked {
            Some((user, checked_grant)) if checked_grant == grant => user,
            _ => self.grant_user(&grant).await?,
        };
        let scope = Grant::parse(&grant).and_then(|g| g.scope);
        let access = sign_access(
            tokens,
            &user.id().to_string(),
            &random_secret()?,
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

    /// The active user a refresh family was granted to.
    async fn grant_user(&self, grant: &str) -> Result<U, AuthError> {
        let refused = || AuthError::invalid(Scheme::Jwt, "the refresh token is not valid");
        let id = Grant::parse(grant)
            .and_then(|g| g.sub.parse::<U::Id>().ok())
            .ok_or_else(refused)?;
        let user = self
            .inner
            .users
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
    pub async fn revoke_access(&self, info: &AuthInfo) -> Result<(), AuthError> {
        let Some(claims) = info.claims() else {
            return Ok(());
        };
        let (Some(jti), Some(exp)) = (claims.jti(), claims.exp()) else {
            return Ok(());
        };
        let until = UNIX_EPOCH + Duration::from_secs_f64(exp.max(0.0));
        self.inner
            .revocations
            .revoke(jti, until)
            .await
            .map_err(store_down)
    }

    /// Logout: revokes the refresh family of `refresh_token` (if given) and the
    /// presented access token.
    ///
    /// # Errors
    /// 503 when a store fails.
    pub async fn logout(&self, refresh_token: Option<&str>, info: &AuthInfo) -> Result<(), AuthError> {
        if let Some(token) = refresh_token.filter(|t| t.len() == SECRET_TEXT_LEN) {
            self.lifecycle()
                .refresh
                .revoke_family(&hash_secret(token))
                .await
                .map_err(store_down)?;
        }
        self.revoke_access(info).await
    }

    /// Password login with throttling: unknown users and wrong passwords cost the
    /// same and answer the same; after too many failures for the user name or the
    /// client address, 429 (also for the right password).
    ///
    /// # Errors
    /// 401, 403 (inactive), 429 ([`AuthError::Throttled`]) or 503.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        client: Option<IpAddr>,
    ) -> Result<LoggedIn<U>, AuthError> {
        // Coded like a Basic failure: `invalid_credentials`, not `invalid_token`.
        let (user, needs_rehash) = self
            .check_password(Scheme::Basic, username, password, client)
            .await?;
        if !user.is_active() {
            return Err(AuthError::Forbidden {
                reason: "the account is inactive",
            });
        }
        Ok(LoggedIn { user, needs_rehash })
    }

    /// The counters an attempt counts against, with their limits.
    fn throttle_keys(config: &ThrottleConfig, username: &str, client: Option<IpAddr>) -> Vec<(String, u32)> {
        let digest = Sha256::digest(username.as_bytes());
        let mut keys = vec![(
            format!("user:{}", URL_SAFE_NO_PAD.encode(digest)),
            config.max_failures,
        )];
        if let Some(ip) = client {
            keys.push((format!("addr:{ip}"), config.max_failures_per_address));
        }
        keys
    }

    /// The throttled password check behind [`login`](Self::login) and HTTP Basic.
    pub(crate) async fn check_password(
        &self,
        scheme: Scheme,
        username: &str,
        password: &str,
        client: Option<IpAddr>,
    ) -> Result<(U, bool), AuthError> {
        let lifecycle = self.lifecycle();
        let config = &lifecycle.throttle_config;
        let keys = Self::throttle_keys(config, username, client);
        // Count the attempt before checking the password (one atomic step per key), so
        // that parallel guesses cannot get past the limit; a success is forgiven.
        let mut wait = Duration::ZERO;
        for (key, limit) in &keys {
            let (attempts, left) = lifecycle
                .throttle
                .record_failure(key, config.window)
                .await
                .map_err(store_down)?;
            if attempts > *limit {
                wait = wait.max(left);
            }
        }
        if !wait.is_zero() {
            tracing::warn!("login throttled");
            return Err(AuthError::Throttled {
                retry_after: wait.as_secs().max(1),
            });
        }
        let user = self
            .inner
            .users
            .find_by_username(username)
            .await
            .map_err(store_down)?;
        // Unknown users and users without a password cost one argon2id verification too.
        let hash = user
            .as_ref()
            .and_then(|u| u.password_hash())
            .unwrap_or(&self.inner.dummy_hash)
            .to_owned();
        let has_hash = user.as_ref().is_some_and(|u| u.password_hash().is_some());
        let password = password.to_owned();
        let (verified, needs_rehash) = tokio::task::spawn_blocking(move || {
            (
                password::verify_password(&password, &hash),
                password::needs_rehash(&hash),
            )
        })
        .await
        .map_err(|_| AuthError::Unavailable)?;
        match user {
            Some(user) if verified && has_hash => {
                for (key, _) in &keys {
                    lifecycle.throttle.forgive(key).await.map_err(store_down)?;
                }
                Ok((user, needs_rehash))
            }
            _ => Err(AuthError::invalid(scheme, "invalid user name or password")),
        }
    }

    /// Starts a session for `user`: a new random id at every login (any session the
    /// request carried is destroyed first: no fixation) and a CSRF token.
    ///
    /// # Errors
    /// 503 when the session store fails.
    pub async fn start_session(&self, parts: &Parts, user: &U) -> Result<NewSession, AuthError> {
        let lifecycle = self.lifecycle();
        if let Ok(Some(old)) = session_cookie(&parts.headers, &lifecycle.cookie_name) {
            lifecycle
                .sessions
                .destroy(&hash_secret(&old))
                .await
                .map_err(store_down)?;
        }
        let id = random_secret()?;
        let record = SessionRecord {
            user_id: user.id().to_string(),
            csrf_token: random_secret()?,
            created: SystemTime::now(),
        };
        lifecycle
            .sessions
            .create(&hash_secret(&id), &record, lifecycle.session_config.idle)
            .await
            .map_err(store_down)?;
        let cookie = self.session_cookie_header(&id, lifecycle.session_config.absolute.as_secs());
        Ok(NewSession {
            set_cookie: cookie,
            csrf_token: record.csrf_token,
        })
    }

    /// Ends the request's session server-side; returns the `Set-Cookie` that clears it.
    ///
    /// # Errors
    /// 503 when the session store fails.
    pub async fn end_session(&self, parts: &Parts) -> Result<HeaderValue, AuthError> {
        let lifecycle = self.lifecycle();
        if let Some(id) = session_cookie(&parts.headers, &lifecycle.cookie_name)? {
            lifecycle
                .sessions
                .destroy(&hash_secret(&id))
                .await
                .map_err(store_down)?;
        }
        Ok(self.session_cookie_header("", 0))
    }

    fn session_cookie_header(&self, value: &str, max_age: u64) -> HeaderValue {
        let lifecycle = self.lifecycle();
        let secure = if lifecycle.session_config.development {
            ""
        } else {
            "; Secure"
        };
        let cookie = format!(
            "{}={value}; Max-Age={max_age}; Path=/; HttpOnly; SameSite=Lax{secure}",
            lifecycle.cookie_name
        );
        HeaderValue::try_from(cookie).expect("cookie names and values are checked ASCII")
    }

    /// Allows one event per `window` for `key` (for example one confirmation mail a
    /// minute): a second one within the window is [`AuthError::Throttled`].
    pub(crate) async fn once_per(&self, key: &str, window: Duration) -> Result<(), AuthError> {
        let (count, left) = self
            .lifecycle()
            .throttle
            .record_failure(key, window)
            .await
            .map_err(store_down)?;
        if count > 1 {
            return Err(AuthError::Throttled {
                retry_after: left.as_secs().max(1),
            });
        }
        Ok(())
    }

    /// Gives back the event [`once_per`](Self::once_per) counted (its action failed).
    pub(crate) async fn give_back(&self, key: &str) -> Result<(), AuthError> {
        self.lifecycle().throttle.forgive(key).await.map_err(store_down)
    }

    /// The session store (also keeps single-use confirmation tokens).
    pub(crate) fn sessions_store(&self) -> &dyn SessionStore {
        &*self.lifecycle().sessions
    }

    /// The session cookie's name as sent (with `__Host-` outside development).
    pub fn session_cookie_name(&self) -> &str {
        &self.lifecycle().cookie_name
    }

    pub(crate) fn session_from(&self, parts: &Parts) -> Result<Option<String>, AuthError> {
        session_cookie(&parts.headers, &self.lifecycle().cookie_name)
    }

    /// A session credential: the session must exist; unsafe methods need the CSRF
    /// token and a same-site origin.
    pub(crate) async fn verify_session(&self, parts: &Parts, id: &str) -> Result<(U, AuthInfo), AuthError> {
        let lifecycle = self.lifecycle();
        let config = &lifecycle.session_config;
        let record = lifecycle
            .sessions
            .touch(&hash_secret(id), config.idle, config.absolute)
            .await
            .map_err(store_down)?
            .ok_or_else(|| AuthError::invalid(Scheme::Session, "the session has ended or does not exist"))?;
        if !matches!(
            parts.method,
            Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
        ) {
            check_same_site(&parts.headers)?;
            let sent = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            let equal: bool = sent.as_bytes().ct_eq(record.csrf_token.as_bytes()).into();
            if !equal {
                return Err(AuthError::CsrfRejected {
                    reason: "the X-CSRF-Token header is missing or wrong",
                });
            }
        }
        let unknown = || AuthError::invalid(Scheme::Session, "the session's user no longer exists");
        let id = record.user_id.parse::<U::Id>().map_err(|_| unknown())?;
        let user = self
            .inner
            .users
            .find_by_id(&id)
            .await
            .map_err(store_down)?
            .ok_or_else(unknown)?;
        Ok((user, AuthInfo::new(Scheme::Session, None)))
    }
}

/// Refuses cross-site unsafe requests: `Sec-Fetch-Site: cross-site`, or an `Origin`
/// whose host differs from `Host`.
fn check_same_site(headers: &HeaderMap) -> Result<(), AuthError> {
    let cross = |reason| Err(AuthError::CsrfRejected { reason });
    if headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"cross-site"))
    {
        return cross("cross-site requests cannot use the session");
    }
    if let Some(origin) = headers.get(http::header::ORIGIN) {
        let host = headers.get(http::header::HOST).and_then(|h| h.to_str().ok());
        let origin_host = origin
            .to_str()
            .ok()
            .and_then(|o| o.split_once("://"))
            .map(|(_, rest)| rest);
        if origin_host.is_none() || origin_host != host {
            return cross("the request's Origin is not this site");
        }
    }
    Ok(())
}

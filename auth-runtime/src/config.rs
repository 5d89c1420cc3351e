//! [`Portcullis`]: everything validated and built once at start-up.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::HeaderName;
use http::request::Parts;
use jsonwebtoken::Algorithm;
use subtle::ConstantTimeEq;

use crate::credentials::{self, Credential};
use crate::failure::{AuthError, Rejection};
use crate::info::AuthInfo;
use crate::jwt::{JwtConfig, JwtValidator};
use crate::lifecycle::{RefreshStore, SessionStore, ThrottleStore};
use crate::password;
use crate::render::{ErrorRenderer, JsonRenderer};
use crate::scheme::{Scheme, SchemeList};
use crate::service::{Lifecycle, LifecycleBuilder, SessionConfig, ThrottleConfig, TokenConfig};
use crate::store::{ApiKeyHash, InMemoryRevocationStore, RevocationStore, UserStore};
use crate::user::AuthUser;

/// A configuration mistake found at start-up by [`PortcullisBuilder::build`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
///
/// ```
/// use portcullis::{Algorithm, AuthUser, ConfigError, InMemoryUserStore, JwtConfig, JwtKey, Portcullis};
/// # #[derive(Clone, AuthUser)] struct User { #[auth_user(id)] id: i64 }
/// let built = Portcullis::builder(InMemoryUserStore::<User>::new())
///     .jwt(JwtConfig::new().key(JwtKey::hmac(b"too short", Algorithm::HS256)))
///     .build();
/// assert!(matches!(built, Err(ConfigError::WeakSecret { min_bytes: 32, actual_bytes: 9, .. })));
/// ```
pub enum ConfigError {
    /// An HMAC secret is shorter than its algorithm needs.
    #[error("the {alg:?} secret has {actual_bytes} bytes; it needs at least {min_bytes} random bytes")]
    WeakSecret {
        /// The algorithm.
        alg: Algorithm,
        /// Bytes required.
        min_bytes: usize,
        /// Bytes given.
        actual_bytes: usize,
    },
    /// The HMAC secret looks like a PEM or JWK document.
    #[error("the HMAC secret looks like a PEM or JWK key; use JwtKey::pem / JwtKey::jwk for public keys")]
    SecretLooksLikeKey,
    /// An RSA key is shorter than 2048 bits.
    #[error("the RSA key has {bits} bits; at least 2048 are required")]
    WeakRsaKey {
        /// Modulus size.
        bits: usize,
    },
    /// A key could not be parsed.
    #[error("invalid key: {0}")]
    InvalidKey(String),
    /// A JWK or JWKS could not be used.
    #[error("invalid JWK: {0}")]
    InvalidJwk(String),
    /// An algorithm does not fit its key.
    #[error("{alg:?}: {reason}")]
    AlgorithmMismatch {
        /// The algorithm.
        alg: Algorithm,
        /// Why it does not fit.
        reason: &'static str,
    },
    /// JWT was configured without any key.
    #[error("JWT is configured without a key; add one with JwtConfig::key or JwtConfig::jwks")]
    NoJwtKeys,
    /// Two keys share a `kid`.
    #[error("two keys have the kid {0:?}; a kid must select exactly one key")]
    DuplicateKid(String),
    /// More than one key has no `kid`.
    #[error("only one key may lack a kid (it verifies tokens without kid); give the others a kid")]
    SeveralKeysWithoutKid,
    /// A `kid` is empty or longer than 256 bytes.
    #[error("a kid must have 1 to 256 bytes")]
    InvalidKid,
    /// Leeway above 60 seconds.
    #[error("a clock leeway of {0:?} is too large; at most 60 s is allowed")]
    LeewayTooLarge(Duration),
    /// A static API key is too short or has invalid characters.
    #[error("static API keys need 24 to 512 visible ASCII characters")]
    WeakApiKey,
    /// A static API key names a user id that does not parse.
    #[error("the user id {0:?} of a static API key is not a valid id")]
    InvalidUserId(String),
    /// Tokens signed by the [`TokenConfig`](crate::TokenConfig) would be refused by the
    /// server's own JWT configuration (key, issuer or audience differ).
    #[error("tokens this server issues would be refused by its own JWT configuration: {0}")]
    IssuedTokensRejected(String),
    /// Some other setting is out of range.
    #[error("{0}")]
    Invalid(&'static str),
}

/// API-key settings.
///
/// ```
/// use portcullis::ApiKeyConfig;
/// let keys = ApiKeyConfig::new()
///     .header("X-Service-Key")
///     .query_param("api_key")          // off unless enabled
///     .static_key("svc_0123456789abcdefghijklmn", 1);
/// ```
#[derive(Debug, Clone)]
pub struct ApiKeyConfig {
    header: String,
    query_param: Option<String>,
    static_keys: Vec<(ApiKeyHash, String, bool)>,
}

impl Default for ApiKeyConfig {
    fn default() -> Self {
        ApiKeyConfig {
            header: "X-API-Key".to_owned(),
            query_param: None,
            static_keys: Vec::new(),
        }
    }
}

impl ApiKeyConfig {
    /// Header `X-API-Key`, no query parameter, keys looked up in the user store.
    pub fn new() -> Self {
        Self::default()
    }

    /// The header carrying the key.
    pub fn header(mut self, name: impl Into<String>) -> Self {
        self.header = name.into();
        self
    }

    /// Also accept the key in this query parameter (off by default: URLs end up in logs).
    pub fn query_param(mut self, name: impl Into<String>) -> Self {
        self.query_param = Some(name.into());
        self
    }

    /// A key fixed at start-up for the user `user_id` (a service account). Only its
    /// SHA-256 is kept; presented keys are compared in constant time.
    pub fn static_key(mut self, key: &str, user_id: impl ToString) -> Self {
        let valid = (24..=credentials::MAX_API_KEY_BYTES).contains(&key.len())
            && key.bytes().all(|b| b.is_ascii_graphic());
        self.static_keys
            .push((crate::api_key::hash_api_key(key), user_id.to_string(), valid));
        self
    }
}

struct ApiKeys<U: AuthUser> {
    header: HeaderName,
    query_param: Option<String>,
    static_keys: Vec<(ApiKeyHash, U::Id)>,
}

/// Builds a [`Portcullis`]; every setting is checked by [`build`](Self::build).
///
/// ```
/// use portcullis::{Algorithm, AuthUser, InMemoryUserStore, JwtConfig, JwtKey, Portcullis};
///
/// #[derive(Clone, AuthUser)]
/// struct User { #[auth_user(id)] id: i64 }
///
/// let auth = Portcullis::builder(InMemoryUserStore::<User>::new())
///     .realm("my-api")
///     .jwt(JwtConfig::new().key(JwtKey::hmac([7u8; 32], Algorithm::HS256)))
///     .build()
///     .expect("valid configuration");
///
/// let weak = Portcullis::builder(InMemoryUserStore::<User>::new())
///     .jwt(JwtConfig::new().key(JwtKey::hmac(b"short", Algorithm::HS256)))
///     .build();
/// assert!(weak.is_err());
/// ```
pub struct PortcullisBuilder<U: AuthUser> {
    users: Arc<dyn UserStore<U>>,
    jwt: Option<JwtConfig>,
    api_key: ApiKeyConfig,
    revocations: Arc<dyn RevocationStore>,
    renderer: Arc<dyn ErrorRenderer>,
    realm: String,
    pub(crate) lifecycle: LifecycleBuilder,
}

impl<U: AuthUser> PortcullisBuilder<U> {
    /// The realm named in every challenge (default `"api"`).
    pub fn realm(mut self, realm: impl Into<String>) -> Self {
        self.realm = realm.into();
        self
    }

    /// Enables the `jwt` scheme with these keys and checks.
    pub fn jwt(mut self, config: JwtConfig) -> Self {
        self.jwt = Some(config);
        self
    }

    /// API-key settings (the `api_key` scheme works with the defaults too).
    pub fn api_key(mut self, config: ApiKeyConfig) -> Self {
        self.api_key = config;
        self
    }

    /// Where revoked token ids (`jti`) are kept (default: in memory).
    pub fn revocations(mut self, store: impl RevocationStore) -> Self {
        self.revocations = Arc::new(store);
        self
    }

    /// One store for revocations, refresh families, sessions and throttle counters
    /// (for example a `RedisStore` shared by several server processes).
    pub fn stores<S>(mut self, store: S) -> Self
    where
        S: RevocationStore + RefreshStore + SessionStore + ThrottleStore + Clone,
    {
        self.revocations = Arc::new(store.clone());
        self.lifecycle.refresh = Some(Arc::new(store.clone()));
        self.lifecycle.sessions = Some(Arc::new(store.clone()));
        self.lifecycle.throttle = Some(Arc::new(store));
        self
    }

    /// Enables issuing tokens ([`Portcullis::issue_tokens`], [`Portcullis::refresh_tokens`]).
    pub fn tokens(mut self, config: TokenConfig) -> Self {
        self.lifecycle.tokens = Some(config);
        self
    }

    /// Where refresh-token families are kept (default: in memory).
    pub fn refresh_store(mut self, store: impl RefreshStore) -> Self {
        self.lifecycle.refresh = Some(Arc::new(store));
        self
    }

    /// Session cookie settings (the `session` scheme works with the defaults).
    pub fn sessions(mut self, config: SessionConfig) -> Self {
        self.lifecycle.session_config = config;
        self
    }

    /// Where sessions are kept (default: in memory).
    pub fn session_store(mut self, store: impl SessionStore) -> Self {
        self.lifecycle.sessions = Some(Arc::new(store));
        self
    }

    /// Login throttling settings (default: 5 failures per 15 minutes).
    pub fn throttle(mut self, config: ThrottleConfig) -> Self {
        self.lifecycle.throttle_config = config;
        self
    }

    /// Where failure counters are kept (default: in memory).
    pub fn throttle_store(mut self, store: impl ThrottleStore) -> Self {
        self.lifecycle.throttle = Some(Arc::new(store));
        self
    }

    /// Replaces the JSON error renderer.
    pub fn renderer(mut self, renderer: impl ErrorRenderer) -> Self {
        self.renderer = Arc::new(renderer);
        self
    }

    /// Validates everything and builds the shared, immutable [`Portcullis`].
    ///
    /// # Errors
    /// A [`ConfigError`] naming the first setting that is weak or malformed.
    pub fn build(self) -> Result<Portcullis<U>, ConfigError> {
        install_crypto_provider();
        if self.realm.is_empty()
            || !self.realm.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
            || self.realm.contains(['"', '\\'])
        {
            return Err(ConfigError::Invalid(
                "the realm must be non-empty visible ASCII without quotes or backslashes",
            ));
        }
        let header = HeaderName::try_from(self.api_key.header.as_str())
            .map_err(|_| ConfigError::Invalid("the API-key header name is not a valid header name"))?;
        let mut static_keys = Vec::new();
        for (hash, id, valid) in &self.api_key.static_keys {
            if !valid {
                return Err(ConfigError::WeakApiKey);
            }
            let id = id
                .parse::<U::Id>()
                .map_err(|_| ConfigError::InvalidUserId(id.clone()))?;
            static_keys.push((*hash, id));
        }
        let jwt = self.jwt.map(JwtConfig::build).transpose()?;
        let lifecycle = self.lifecycle.build(jwt.as_ref())?;
        let dummy_hash = password::hash_password("portcullis dummy password for unknown users")
            .map_err(|_| ConfigError::Invalid("no randomness available for the dummy password hash"))?;
        Ok(Portcullis {
            inner: Arc::new(Inner {
                users: self.users,
                jwt,
                api_keys: ApiKeys {
                    header,
                    query_param: self.api_key.query_param,
                    static_keys,
                },
                revocations: self.revocations,
                renderer: self.renderer,
                realm: Arc::from(self.realm),
                api_key_header: Arc::from(self.api_key.header),
                dummy_hash,
                lifecycle,
            }),
        })
    }
}

/// Installs jsonwebtoken's aws-lc-rs provider for the process, so that its
/// `encode`/`decode` never depend on which backend features unification enabled.
pub(crate) fn install_crypto_provider() {
    // Err means a provider is installed already (by us or the application): keep it.
    let _ = jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.install_default();
}

/// The authentication engine: built once, cloned cheaply (an `Arc`), reached by
/// handlers through axum state (`FromRef`).
///
/// ```
/// use axum::{Router, routing::get, extract::FromRef};
/// use portcullis::{auth, AuthUser, InMemoryUserStore, Portcullis};
///
/// #[derive(Clone, AuthUser)]
/// struct User { #[auth_user(id)] id: i64 }
///
/// #[derive(Clone, FromRef)]
/// struct AppState { auth: Portcullis<User> }
///
/// #[auth(api_key)]
/// async fn hello(user: User) -> String { format!("hello {}", user.id) }
///
/// let auth = Portcullis::builder(InMemoryUserStore::<User>::new()).build().unwrap();
/// let app: Router = Router::new().route("/", get(hello)).with_state(AppState { auth });
/// ```
pub struct Portcullis<U: AuthUser> {
    pub(crate) inner: Arc<Inner<U>>,
}

impl<U: AuthUser> Clone for Portcullis<U> {
    fn clone(&self) -> Self {
        Portcullis {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<U: AuthUser> std::fmt::Debug for Portcullis<U> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Portcullis")
            .field("realm", &self.inner.realm)
            .field("jwt", &self.inner.jwt.is_some())
            .finish_non_exhaustive()
    }
}

pub(crate) struct Inner<U: AuthUser> {
    pub(crate) users: Arc<dyn UserStore<U>>,
    jwt: Option<JwtValidator>,
    api_keys: ApiKeys<U>,
    pub(crate) revocations: Arc<dyn RevocationStore>,
    renderer: Arc<dyn ErrorRenderer>,
    realm: Arc<str>,
    api_key_header: Arc<str>,
    pub(crate) dummy_hash: String,
    pub(crate) lifecycle: Lifecycle,
}

impl<U: AuthUser> Portcullis<U> {
    /// Starts a builder over the application's user store.
    pub fn builder(users: impl UserStore<U>) -> PortcullisBuilder<U> {
        PortcullisBuilder {
            users: Arc::new(users),
            jwt: None,
            api_key: ApiKeyConfig::default(),
            revocations: Arc::new(InMemoryRevocationStore::default()),
            renderer: Arc::new(JsonRenderer),
            realm: "api".to_owned(),
            lifecycle: LifecycleBuilder::default(),
        }
    }

    /// The user store.
    pub fn users(&self) -> &dyn UserStore<U> {
        &*self.inner.users
    }

    /// Authenticates a request with `schemes` tried in order.
    ///
    /// `Ok(None)`: no credentials for any of the schemes. Every presented credential
    /// for an accepted scheme is verified: one bad credential fails the request even
    /// if another is good (fail closed), and credentials for different users are
    /// refused. This is what `#[auth]` calls; hand-written extractors can call it too.
    ///
    /// # Errors
    /// The [`AuthError`] to answer with.
    pub async fn authenticate(
        &self,
        parts: &Parts,
        schemes: SchemeList,
    ) -> Result<Option<(U, AuthInfo)>, AuthError> {
        let presented = self.credentials(parts, schemes)?;
        let mut outcome: Option<(U, AuthInfo)> = None;
        for credential in presented {
            let scheme = credential.scheme();
            let (user, info) = match self.verify(parts, credential).await {
                Ok(found) => found,
                Err(error) => {
                    tracing::debug!(scheme = scheme.as_str(), error = %error, "authentication failed");
                    return Err(error);
                }
            };
            match &outcome {
                Some((first, _)) if first.id() != user.id() => {
                    return Err(AuthError::InvalidRequest {
                        scheme: None,
                        reason: "the credentials name different users",
                    });
                }
                Some(_) => {}
                None => outcome = Some((user, info)),
            }
        }
        if let Some((user, info)) = &outcome {
            if !user.is_active() {
                return Err(AuthError::Forbidden {
                    reason: "the account is inactive",
                });
            }
            tracing::debug!(scheme = info.scheme().as_str(), user = %user.id(), "authenticated");
        }
        Ok(outcome)
    }

    fn credentials(&self, parts: &Parts, schemes: SchemeList) -> Result<Vec<Credential>, AuthError> {
        let wants_authorization = schemes.contains(Scheme::Jwt) || schemes.contains(Scheme::Basic);
        let authorization = if wants_authorization {
            credentials::authorization(&parts.headers)?
        } else {
            None
        };
        let mut presented = Vec::new();
        for scheme in schemes.iter() {
            match (scheme, &authorization) {
                (Scheme::Jwt, Some(a)) if a.scheme == "bearer" => {
                    presented.push(credentials::bearer(a.value)?)
                }
                (Scheme::Basic, Some(a)) if a.scheme == "basic" => {
                    presented.push(credentials::basic(a.value)?)
                }
                (Scheme::Session, _) => {
                    if let Some(id) = self.session_from(parts)? {
                        presented.push(Credential::Session(id));
                    }
                }
                (Scheme::ApiKey, _) => {
                    let keys = &self.inner.api_keys;
                    if let Some(c) = credentials::api_key(
                        &parts.headers,
                        parts.uri.query(),
                        &keys.header,
                        keys.query_param.as_deref(),
                    )? {
                        presented.push(c);
                    }
                }
                _ => {}
            }
        }
        Ok(presented)
    }

    async fn verify(&self, parts: &Parts, credential: Credential) -> Result<(U, AuthInfo), AuthError> {
        match credential {
            Credential::Bearer(token) => self.verify_jwt(&token).await,
            Credential::ApiKey(key) => self.verify_api_key(&key).await,
            Credential::Basic { username, password } => {
                let client = crate::service::client_addr(parts);
                let (user, _) = self
                    .check_password(Scheme::Basic, &username, &password, client)
                    .await?;
                Ok((user, AuthInfo::new(Scheme::Basic, None)))
            }
            Credential::Session(id) => self.verify_session(parts, &id).await,
        }
    }

    async fn verify_jwt(&self, token: &str) -> Result<(U, AuthInfo), AuthError> {
        let Some(jwt) = &self.inner.jwt else {
            tracing::error!("a route accepts `jwt` but no JWT keys are configured (PortcullisBuilder::jwt)");
            return Err(AuthError::invalid(
                Scheme::Jwt,
                "this server does not accept tokens",
            ));
        };
        let claims = jwt.validate(token)?;
        if let Some(jti) = claims.jti() {
            match self.inner.revocations.is_revoked(jti).await {
                Ok(false) => {}
                Ok(true) => return Err(AuthError::invalid(Scheme::Jwt, "the token has been revoked")),
                Err(e) => {
                    tracing::error!(error = %e, "revocation store unavailable");
                    return Err(AuthError::Unavailable);
                }
            }
        }
        let unknown = || AuthError::invalid(Scheme::Jwt, "the token's subject is not a known user");
        let id = claims
            .sub()
            // Only the canonical spelling of an id names it ("01" or "+1" never mean 1).
            .and_then(|sub| sub.parse::<U::Id>().ok().filter(|id| id.to_string() == sub))
            .ok_or_else(unknown)?;
        let user = self
            .load(self.inner.users.find_by_id(&id).await)?
            .ok_or_else(unknown)?;
        Ok((user, AuthInfo::new(Scheme::Jwt, Some(claims))))
    }

    async fn verify_api_key(&self, key: &str) -> Result<(U, AuthInfo), AuthError> {
        let hash = crate::api_key::hash_api_key(key);
        // Constant time over all static keys: no early exit, no data-dependent branch.
        let mut matched: Option<&U::Id> = None;
        for (stored, id) in &self.inner.api_keys.static_keys {
            let equal: bool = stored.ct_eq(&hash).into();
            matched = if equal { Some(id) } else { matched };
        }
        let found = match matched {
            Some(id) => self.inner.users.find_by_id(id).await,
            None => self.inner.users.find_by_api_key_hash(&hash).await,
        };
        let user = self
            .load(found)?
            .ok_or_else(|| AuthError::invalid(Scheme::ApiKey, "the API key is not valid"))?;
        Ok((user, AuthInfo::new(Scheme::ApiKey, None)))
    }

    fn load(&self, result: Result<Option<U>, crate::StoreError>) -> Result<Option<U>, AuthError> {
        result.map_err(|e| {
            tracing::error!(error = %e, "user store unavailable");
            AuthError::Unavailable
        })
    }

    /// Renders `error` for a route accepting `schemes`, through the configured renderer.
    pub fn reject(&self, error: AuthError, schemes: SchemeList) -> http::Response<Bytes> {
        let rejection = Rejection::new(
            error,
            schemes,
            Arc::clone(&self.inner.realm),
            Arc::clone(&self.inner.api_key_header),
        );
        let mut response = self.inner.renderer.render(&rejection);
        // The renderer shapes the body; status and challenges are not its to change.
        *response.status_mut() = rejection.status();
        let headers = response.headers_mut();
        headers.remove(http::header::WWW_AUTHENTICATE);
        headers.remove(http::header::RETRY_AFTER);
        headers.extend(rejection.headers());
        response
    }
}

//! [`PortcullisBuilder`]: every setting checked once, at start-up, into a typed
//! [`ConfigError`] — never later, per request.

use std::any::{Any, TypeId};
use std::sync::Arc;

use crate::claims_user::{ClaimsMapping, ClaimsUser};
use crate::credentials::TrustedProxies;
use crate::error::ConfigError;
use crate::gate::{Inner, Portcullis, Registered};
use crate::hooks::{AfterAuthentication, BeforeAuthentication};
use crate::identity::{FromStore, IdentityResolver, ProviderUsers};
use crate::jwt::JwtConfig;
use crate::jwt::providers::ProviderIssuer;
use crate::login::{Hashing, Login, PasswordVerifier, ThrottleConfig};
use crate::origin::PublicOrigins;
use crate::password;
use crate::rejection::Challenge;
use crate::render::{ErrorRenderer, JsonRenderer};
use crate::scheme::{ApiKeyConfig, AuthScheme, Basic, Jwt, Session};
use crate::sessions::{SessionConfig, Sessions};
use crate::store::{
    InMemoryRefreshStore, InMemoryRevocationStore, InMemorySessionStore, InMemoryThrottleStore,
    InMemoryUserStore, RefreshStore, RevocationStore, SessionStore, ThrottleStore, UserStore,
};
use crate::tokens::{TokenConfig, Tokens};
use crate::user::AuthUser;

/// Turns a registered scheme into the gate's entry once the realm is known.
type Registration = Box<dyn FnOnce(&str) -> Registered + Send>;

/// Checks an identity provider's settings and starts its key refresh.
pub(crate) type ProviderStart = Box<dyn FnOnce() -> Result<ProviderIssuer, ConfigError> + Send>;

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
///     .jwt(JwtConfig::new().key(JwtKey::hmac(b"kD8#vR2qLx9!mZ4wT7pQ1sF6yH3nJ0cB", Algorithm::HS256)))
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
    resolver: Arc<dyn IdentityResolver<U>>,
    jwt: Option<JwtConfig>,
    api_key: ApiKeyConfig,
    password_verifier: Option<Arc<dyn PasswordVerifier>>,
    revocations: Arc<dyn RevocationStore>,
    refresh: Option<Arc<dyn RefreshStore>>,
    sessions: Option<Arc<dyn SessionStore>>,
    one_time: Option<Arc<dyn SessionStore>>,
    throttle: Option<Arc<dyn ThrottleStore>>,
    session_config: SessionConfig,
    throttle_config: ThrottleConfig,
    trusted_proxies: Vec<String>,
    public_origins: Vec<String>,
    reveal_inactive: bool,
    tokens: Option<TokenConfig>,
    renderer: Arc<dyn ErrorRenderer>,
    realm: String,
    custom: Vec<(TypeId, Registration)>,
    before: Vec<Arc<dyn BeforeAuthentication>>,
    after: Vec<Arc<dyn AfterAuthentication<U>>>,
    pub(crate) pending_providers: Vec<ProviderStart>,
    pub(crate) provider_users: Option<ProviderUsers<U>>,
}

impl<U: AuthUser> Portcullis<U> {
    /// Starts a builder over the application's user store.
    pub fn builder(users: impl UserStore<U>) -> PortcullisBuilder<U> {
        PortcullisBuilder {
            users: Arc::new(users),
            resolver: Arc::new(FromStore),
            jwt: None,
            api_key: ApiKeyConfig::default(),
            password_verifier: None,
            revocations: Arc::new(InMemoryRevocationStore::default()),
            refresh: None,
            sessions: None,
            one_time: None,
            throttle: None,
            session_config: SessionConfig::default(),
            throttle_config: ThrottleConfig::default(),
            trusted_proxies: Vec::new(),
            public_origins: Vec::new(),
            reveal_inactive: false,
            tokens: None,
            renderer: Arc::new(JsonRenderer),
            realm: "api".to_owned(),
            custom: Vec::new(),
            before: Vec::new(),
            after: Vec::new(),
            pending_providers: Vec::new(),
            provider_users: None,
        }
    }
}

impl Portcullis<ClaimsUser> {
    /// A builder for a stateless service: users are made of the token's claims
    /// ([`ClaimsUser`]) as `mapping` says, with no user store.
    ///
    /// ```
    /// use portcullis::{Algorithm, ClaimsMapping, JwtConfig, JwtKey, Portcullis};
    /// let auth = Portcullis::claims_only(ClaimsMapping::new().roles("realm_access.roles"))
    ///     .jwt(JwtConfig::new().key(JwtKey::hmac(b"kD8#vR2qLx9!mZ4wT7pQ1sF6yH3nJ0cB", Algorithm::HS256)).token_type(None))
    ///     .build()
    ///     .unwrap();
    /// ```
    pub fn claims_only(mapping: ClaimsMapping) -> PortcullisBuilder<ClaimsUser> {
        Portcullis::builder(InMemoryUserStore::<ClaimsUser>::new()).resolver(mapping)
    }
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

    /// Checks HTTP Basic passwords with `verifier` (an LDAP bind, say) instead of the
    /// user's stored hash; throttling still applies. See
    /// [`PasswordVerifier`](crate::PasswordVerifier) for an implementation.
    /// For example: `let auth = Portcullis::builder(users).password_verifier(Directory::connect(url)?).build()?;`.
    pub fn password_verifier(mut self, verifier: impl PasswordVerifier) -> Self {
        self.password_verifier = Some(Arc::new(verifier));
        self
    }

    /// How a verified identity becomes a user (default: [`FromStore`], the user store
    /// by subject).
    ///
    /// ```
    /// use portcullis::{identity::Identity, InMemoryUserStore, Portcullis};
    /// # #[derive(Clone, portcullis::AuthUser)] struct User { #[auth_user(id)] id: String }
    /// let service_accounts = |identity: &Identity| {
    ///     identity.subject().starts_with("svc:").then(|| User { id: identity.subject().to_owned() })
    /// };
    /// let auth = Portcullis::builder(InMemoryUserStore::<User>::new()).resolver(service_accounts).build();
    /// ```
    pub fn resolver(mut self, resolver: impl IdentityResolver<U>) -> Self {
        self.resolver = Arc::new(resolver);
        self
    }

    /// Registers a custom scheme, listed in handlers as `#[auth(custom(Type))]`; a
    /// second instance of the same type is a [`ConfigError`]. See
    /// [`AuthScheme`](crate::AuthScheme) for a whole scheme.
    /// For example: `let auth = Portcullis::builder(users).scheme(HmacSigning::new(client_secrets)).build()?;`.
    pub fn scheme<S: AuthScheme<U>>(mut self, scheme: S) -> Self {
        let register: Registration = Box::new(move |realm: &str| Registered {
            type_id: TypeId::of::<S>(),
            challenge: Challenge {
                scheme: scheme.name(),
                base: Arc::from(scheme.challenge(realm)),
                takes_errors: scheme.challenge_takes_errors(),
            },
            instance: Arc::new(scheme) as Arc<dyn Any + Send + Sync>,
        });
        self.custom.push((TypeId::of::<S>(), register));
        self
    }

    /// A hook run before any credential is read (may refuse with 401 or 403).
    ///
    /// ```
    /// use portcullis::{AuthError, InMemoryUserStore, Portcullis};
    /// # #[derive(Clone, portcullis::AuthUser)] struct User { #[auth_user(id)] id: i64 }
    /// let auth = Portcullis::builder(InMemoryUserStore::<User>::new())
    ///     .before_authentication(|parts: &http::request::Parts| match parts.headers.contains_key("x-tenant") {
    ///         true => Ok(()),
    ///         false => Err(AuthError::Refused { reason: "send X-Tenant" }),
    ///     })
    ///     .build();
    /// ```
    pub fn before_authentication(mut self, hook: impl BeforeAuthentication) -> Self {
        self.before.push(Arc::new(hook));
        self
    }

    /// A hook run after a user was authenticated (may refuse with 401 or 403).
    ///
    /// ```
    /// use portcullis::{AuthError, AuthInfo, InMemoryUserStore, Portcullis};
    /// # #[derive(Clone, portcullis::AuthUser)] struct User { #[auth_user(id)] id: i64 }
    /// let auth = Portcullis::builder(InMemoryUserStore::<User>::new())
    ///     .after_authentication(|_: &http::request::Parts, user: &User, _: &AuthInfo| match user.id {
    ///         0 => Err(AuthError::Forbidden { reason: "the root account cannot use the API" }),
    ///         _ => Ok(()),
    ///     })
    ///     .build();
    /// ```
    pub fn after_authentication(mut self, hook: impl AfterAuthentication<U>) -> Self {
        self.after.push(Arc::new(hook));
        self
    }

    /// Where revoked token ids (`jti`) are kept (default: in memory).
    pub fn revocations(mut self, store: impl RevocationStore) -> Self {
        self.revocations = Arc::new(store);
        self
    }

    /// One store for revocations, refresh families, sessions, single-use tokens and
    /// throttle counters (for example a `RedisStore` shared by several server
    /// processes).
    pub fn stores<S>(mut self, store: S) -> Self
    where
        S: RevocationStore + RefreshStore + SessionStore + ThrottleStore + Clone,
    {
        self.revocations = Arc::new(store.clone());
        self.refresh = Some(Arc::new(store.clone()));
        self.sessions = Some(Arc::new(store.clone()));
        self.one_time = Some(Arc::new(store.clone()));
        self.throttle = Some(Arc::new(store));
        self
    }

    /// Enables issuing tokens ([`Portcullis::issue_tokens`], [`Portcullis::refresh_tokens`]).
    /// Without a [`jwt`](Self::jwt) call, the `jwt` scheme verifies them with their own
    /// settings ([`TokenConfig::verification`]): secret, issuer and audience are given once.
    ///
    /// ```
    /// use portcullis::{Algorithm, AuthUser, InMemoryUserStore, Portcullis, TokenConfig};
    /// # #[derive(Clone, AuthUser)] struct User { #[auth_user(id)] id: i64 }
    /// let auth = Portcullis::builder(InMemoryUserStore::<User>::new())
    ///     .tokens(TokenConfig::hmac(b"kD8#vR2qLx9!mZ4wT7pQ1sF6yH3nJ0cB", Algorithm::HS256)
    ///         .issuer("https://auth.example.com")
    ///         .audience("my-api"))
    ///     .build()
    ///     .unwrap();
    /// ```
    pub fn tokens(mut self, config: TokenConfig) -> Self {
        self.tokens = Some(config);
        self
    }

    /// Where refresh-token families are kept (default: in memory).
    pub fn refresh_store(mut self, store: impl RefreshStore) -> Self {
        self.refresh = Some(Arc::new(store));
        self
    }

    /// Session cookie settings (the `session` scheme works with the defaults).
    pub fn sessions(mut self, config: SessionConfig) -> Self {
        self.session_config = config;
        self
    }

    /// Where sessions are kept (default: in memory).
    pub fn session_store(mut self, store: impl SessionStore) -> Self {
        self.sessions = Some(Arc::new(store));
        self
    }

    /// Where single-use tokens (e-mail confirmation links) are kept (default: an
    /// in-memory store of their own, so that they can never crowd out sessions).
    pub fn one_time_store(mut self, store: impl SessionStore) -> Self {
        self.one_time = Some(Arc::new(store));
        self
    }

    /// Whether a login with the right password of an *inactive* account says so (403)
    /// instead of answering like a wrong password (401, the default: the answer
    /// does not tell a guesser that the password was right).
    pub fn reveal_inactive_accounts(mut self, reveal: bool) -> Self {
        self.reveal_inactive = reveal;
        self
    }

    /// Login throttling settings (default: 5 failures per 15 minutes).
    pub fn throttle(mut self, config: ThrottleConfig) -> Self {
        self.throttle_config = config;
        self
    }

    /// The reverse proxies in front of the server (networks such as `10.0.0.0/8`, or
    /// single addresses): a request whose peer is one of them is throttled under the
    /// address its `Forwarded` / `X-Forwarded-For` header names (the right-most one
    /// that is not a trusted proxy). Without it, forwarding headers are ignored. A
    /// malformed entry is a [`ConfigError`] at [`build`](Self::build).
    ///
    /// ```
    /// # use portcullis::{AuthUser, InMemoryUserStore, Portcullis};
    /// # #[derive(Clone, AuthUser)] struct User { #[auth_user(id)] id: i64 }
    /// let auth = Portcullis::builder(InMemoryUserStore::<User>::new())
    ///     .trusted_proxies(["127.0.0.1", "10.0.0.0/8"])
    ///     .build()
    ///     .unwrap();
    /// ```
    pub fn trusted_proxies<I, S>(mut self, networks: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.trusted_proxies.extend(networks.into_iter().map(Into::into));
        self
    }

    /// The origins the site is served under (`https://app.example.com`): unsafe
    /// requests carrying a session cookie, a token cookie or HTTP Basic must come
    /// from one of them (`Origin`, or `Sec-Fetch-Site`). Without it the `Origin` is
    /// compared with the request's own `Host` (or HTTP/2 authority) — set it behind
    /// a proxy that rewrites `Host`. A malformed origin is a [`ConfigError`].
    ///
    /// ```
    /// # use portcullis::{AuthUser, InMemoryUserStore, Portcullis};
    /// # #[derive(Clone, AuthUser)] struct User { #[auth_user(id)] id: i64 }
    /// let auth = Portcullis::builder(InMemoryUserStore::<User>::new())
    ///     .public_origins(["https://app.example.com", "https://admin.example.com:8443"])
    ///     .build()
    ///     .unwrap();
    /// ```
    pub fn public_origins<I, S>(mut self, origins: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.public_origins.extend(origins.into_iter().map(Into::into));
        self
    }

    /// Where failure counters are kept (default: in memory).
    pub fn throttle_store(mut self, store: impl ThrottleStore) -> Self {
        self.throttle = Some(Arc::new(store));
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
        let realm = self.realm;
        if realm.is_empty()
            || !realm.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
            || realm.contains(['"', '\\'])
        {
            return Err(ConfigError::Invalid(
                "the realm must be non-empty visible ASCII without quotes or backslashes",
            ));
        }
        let api_key = self.api_key.build::<U>()?;
        // The server's own tokens always carry `jti` and `iat` (revocation by id and
        // "everything issued before" rely on them): when it issues tokens, a token
        // without them is refused.
        let issues_tokens = self.tokens.is_some();
        let providers = self
            .pending_providers
            .into_iter()
            .map(|start| start())
            .collect::<Result<Vec<_>, _>>()?;
        // Issued tokens are verified with their own settings unless `jwt` says more;
        // identity providers alone enable the `jwt` scheme (with no keys of its own).
        let configured = self
            .jwt
            .or_else(|| self.tokens.as_ref().map(TokenConfig::verification));
        let jwt = match configured {
            None if providers.is_empty() => None,
            config => {
                let config = config.unwrap_or_default();
                let config = match issues_tokens {
                    true => config.require_claim("jti").require_claim("iat"),
                    false => config,
                };
                Some(config.build(providers)?)
            }
        };
        self.throttle_config.check()?;
        let proxies = TrustedProxies::parse(&self.trusted_proxies)?;
        let origins = PublicOrigins::parse(&self.public_origins)?;
        let hashing = Hashing::new(self.throttle_config.concurrent_hashes())?;
        let tokens = Tokens {
            config: self.tokens,
            refresh: self
                .refresh
                .unwrap_or_else(|| Arc::new(InMemoryRefreshStore::default())),
            revocations: Arc::clone(&self.revocations),
        };
        tokens.check(jwt.as_ref())?;
        let sessions = Arc::new(Sessions::new(
            self.sessions
                .unwrap_or_else(|| Arc::new(InMemorySessionStore::default())),
            self.session_config,
            origins.clone(),
        )?);
        let dummy_hash = password::hash_password("portcullis dummy password for unknown users")
            .map_err(|_| ConfigError::Invalid("no randomness available for the dummy password hash"))?;

        let mut schemes = vec![
            built_in::<U, _>(
                &realm,
                Jwt {
                    validator: jwt,
                    revocations: self.revocations,
                    origins: origins.clone(),
                },
            ),
            built_in::<U, _>(&realm, api_key),
            built_in::<U, _>(
                &realm,
                Basic {
                    verifier: self.password_verifier,
                },
            ),
            built_in::<U, _>(
                &realm,
                Session {
                    sessions: Arc::clone(&sessions),
                },
            ),
        ];
        for (type_id, register) in self.custom {
            if schemes.iter().any(|s| s.type_id == type_id) {
                return Err(ConfigError::Invalid("a scheme type is registered twice"));
            }
            schemes.push(register(&realm));
        }
        Ok(Portcullis {
            inner: Arc::new(Inner {
                users: self.users,
                resolver: self.resolver,
                schemes,
                before: self.before,
                after: self.after,
                renderer: self.renderer,
                provider_users: self.provider_users,
                realm: Arc::from(realm),
                login: Login {
                    throttle: self
                        .throttle
                        .unwrap_or_else(|| Arc::new(InMemoryThrottleStore::default())),
                    config: self.throttle_config,
                    dummy_hash,
                    proxies,
                    hashing,
                    origins,
                    reveal_inactive: self.reveal_inactive,
                    warned_no_client: std::sync::atomic::AtomicBool::new(false),
                },
                sessions,
                one_time: self
                    .one_time
                    .unwrap_or_else(|| Arc::new(InMemorySessionStore::default())),
                tokens,
            }),
        })
    }
}

fn built_in<U: AuthUser, S: AuthScheme<U>>(realm: &str, scheme: S) -> Registered {
    Registered {
        type_id: TypeId::of::<S>(),
        challenge: Challenge {
            scheme: scheme.name(),
            base: Arc::from(scheme.challenge(realm)),
            takes_errors: scheme.challenge_takes_errors(),
        },
        instance: Arc::new(scheme),
    }
}

/// Installs jsonwebtoken's aws-lc-rs provider for the process, so that its
/// `encode`/`decode` never depend on which backend features unification enabled.
/// Also done by [`PortcullisBuilder::build`]; call it before using `jsonwebtoken`
/// directly (for example to sign tokens) if no `Portcullis` was built yet.
pub fn install_crypto_provider() {
    // Err means a provider is installed already (by us or the application): keep it.
    let _ = jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.install_default();
}

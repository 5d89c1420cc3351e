//! [`PortcullisBuilder`]: every setting checked once, at start-up, into a typed
//! [`ConfigError`] — never later, per request.

mod build;

use std::any::{Any, TypeId};
use std::sync::Arc;
use std::time::Duration;

use crate::claims_user::{ClaimsMapping, ClaimsUser};
use crate::error::ConfigError;
use crate::gate::{Portcullis, Registered};
use crate::hooks::{AfterAuthentication, BeforeAuthentication};
use crate::identity::{FromStore, IdentityResolver, ProviderUsers};
use crate::jwt::JwtConfig;
use crate::jwt::providers::ProviderIssuer;
use crate::login::{PasswordVerifier, ThrottleConfig};
use crate::rejection::Challenge;
use crate::render::{ErrorRenderer, JsonRenderer};
use crate::scheme::{ApiKeyConfig, AuthScheme};
use crate::sessions::SessionConfig;
use crate::store::timed::DEFAULT_STORE_TIMEOUT;
use crate::store::{
    InMemoryRevocationStore, InMemoryUserStore, RefreshStore, RevocationStore, SessionStore, ThrottleStore,
    UserStore,
};
use crate::token_cookies::TokenCookies;
use crate::tokens::TokenConfig;
use crate::user::AuthUser;
pub use build::install_crypto_provider;

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
    pub(crate) token_cookies: Option<TokenCookies>,
    verified_token_cache: Option<usize>,
    store_timeout: Duration,
    renderer: Arc<dyn ErrorRenderer>,
    realm: Option<String>,
    custom: Vec<(TypeId, Registration)>,
    /// `sessions(..)` was called: the application chose its sessions' settings.
    sessions_chosen: bool,
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
            token_cookies: None,
            verified_token_cache: None,
            store_timeout: DEFAULT_STORE_TIMEOUT,
            renderer: Arc::new(JsonRenderer),
            realm: None,
            custom: Vec::new(),
            sessions_chosen: false,
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
    /// The gate's realm: the name every challenge gives, and what keeps this user type's
    /// credentials apart from another's in the same application (see the README section
    /// "Several user types in one app"):
    ///
    /// * the tokens the gate issues carry it in the claim `realm`, and a token whose
    ///   `realm` claim names another realm is refused (401);
    /// * its refresh families, sessions, single-use tokens, throttle counters and
    ///   per-user cut-offs are kept under its own namespace in the stores, so that two
    ///   gates sharing one store never read each other's records;
    /// * its session cookie defaults to `portcullis_session_<realm>`.
    ///
    /// Without it, challenges say `realm="api"`, the cookie is `portcullis_session`, and
    /// the marker is derived from the user type's name (`std::any::type_name::<U>()`,
    /// hashed): two user types never share one by accident, and a gate that only
    /// verifies tokens (no [`tokens`](Self::tokens)) accepts any `realm` claim, as a
    /// resource server of another service's tokens. 1 to 64 bytes of visible ASCII
    /// without quotes or backslashes, else [`build`](Self::build) fails.
    ///
    /// ```
    /// use portcullis::{AuthUser, InMemoryUserStore, Portcullis};
    /// # #[derive(Clone, AuthUser)] struct Customer { #[auth_user(id)] id: i64 }
    /// # #[derive(Clone, AuthUser)] struct Staff { #[auth_user(id)] id: i64 }
    /// let customers = Portcullis::builder(InMemoryUserStore::<Customer>::new()).build().unwrap();
    /// let staff = Portcullis::builder(InMemoryUserStore::<Staff>::new()).realm("staff").build().unwrap();
    /// assert_eq!(staff.realm(), "staff");
    /// assert_ne!(customers.realm(), staff.realm()); // derived from the type
    /// assert_eq!(staff.session_cookie_name(), "__Host-portcullis_session_staff");
    /// assert_eq!(customers.session_cookie_name(), "__Host-portcullis_session");
    /// ```
    pub fn realm(mut self, realm: impl Into<String>) -> Self {
        self.realm = Some(realm.into());
        self
    }

    /// Remembers up to `capacity` verified JWTs (by their SHA-256, each until its `exp`):
    /// a repeated token skips the signature and claim checks, while revocation, user
    /// loading and requirements still run on every request. Worth it for RSA, ECDSA and
    /// EdDSA keys and identity-provider tokens; off by default.
    ///
    /// ```
    /// # use portcullis::{AuthUser, InMemoryUserStore, Portcullis};
    /// # #[derive(Clone, AuthUser)] struct User { #[auth_user(id)] id: i64 }
    /// let builder = Portcullis::builder(InMemoryUserStore::<User>::new()).verified_token_cache(10_000);
    /// ```
    pub fn verified_token_cache(mut self, capacity: usize) -> Self {
        self.verified_token_cache = Some(capacity);
        self
    }

    /// The longest the gate waits for one store call (default 5 s): the user store,
    /// and the revocation, refresh, session, single-use and throttle stores, including
    /// what custom schemes and resolvers ask of the user store, and the identity
    /// resolver as a whole. A call that takes longer is dropped and the request answered
    /// 503 `temporarily_unavailable` with `Retry-After`, as for a store error, with a
    /// `store call timed out` warning naming the operation. The login throttle's
    /// deliberate delay is not a store call and is not cut. Needs a Tokio runtime with
    /// its timer (`#[tokio::main]` has it). Zero is refused by
    /// [`build`](Self::build).
    ///
    /// The default is far above a healthy store's answer and `RedisStore`'s own limit
    /// (1.5 s a call), and far below the 30–60 s after which proxies give up (a
    /// connection pool's wait for a free connection is cut here: sqlx waits 30 s).
    ///
    /// ```
    /// # use portcullis::{AuthUser, InMemoryUserStore, Portcullis};
    /// # #[derive(Clone, AuthUser)] struct User { #[auth_user(id)] id: i64 }
    /// use std::time::Duration;
    /// let auth = Portcullis::builder(InMemoryUserStore::<User>::new())
    ///     .store_timeout(Duration::from_secs(2))
    ///     .build()
    ///     .unwrap();
    /// ```
    pub fn store_timeout(mut self, limit: Duration) -> Self {
        self.store_timeout = limit;
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
            credential_in: scheme.credential_in(),
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
    /// processes). Gates of several user types may share one: each keeps its records
    /// under its own [`realm`](Self::realm).
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

    /// Puts the tokens the auth router issues in `HttpOnly` cookies, with a CSRF token
    /// (see [`TokenCookies`]); the `jwt` scheme then reads the access cookie. Needs
    /// [`tokens`](Self::tokens).
    ///
    /// ```
    /// use portcullis::{Algorithm, AuthUser, InMemoryUserStore, Portcullis, TokenConfig, TokenCookies};
    /// # #[derive(Clone, AuthUser)] struct User { #[auth_user(id)] id: i64 }
    /// let built = Portcullis::builder(InMemoryUserStore::<User>::new())
    ///     .token_cookies(TokenCookies::new())
    ///     .build();
    /// assert!(built.is_err(), "no TokenConfig: nothing to put in the cookies");
    /// ```
    pub fn token_cookies(mut self, cookies: TokenCookies) -> Self {
        self.token_cookies = Some(cookies);
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
        self.sessions_chosen = true;
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
}

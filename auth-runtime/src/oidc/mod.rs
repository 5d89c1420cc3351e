//! Identity providers (feature `oidc`): access tokens minted by Keycloak, Auth0,
//! Entra ID, Cognito, Google or any OpenID provider, verified with keys fetched from
//! the provider — found by OIDC discovery or given as a JWKS URL — and refreshed
//! while the server runs; opaque tokens introspected (RFC 7662). Provider users are
//! claims-only: the provider's [`Preset`] maps their claims onto roles, permissions
//! and scopes, and `U: From<ClaimsUser>` turns them into the application's user.

mod fetch;
mod introspection;
mod keys;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use jsonwebtoken::{Algorithm, AlgorithmFamily};

use crate::builder::PortcullisBuilder;
use crate::claims_user::ClaimsUser;
use crate::error::{AuthError, ConfigError};
use crate::gate::Portcullis;
use crate::jwt::claims::Claims;
use crate::jwt::keys::KeySet;
use crate::jwt::providers::{ProviderIssuer, ProviderSource};
use crate::jwt::rules::ClaimRules;
use crate::presets::Preset;
use crate::scheme::Jwt;
use crate::user::AuthUser;
use fetch::Fetcher;
use introspection::Introspector;
use keys::{LiveKeys, Metadata, Timing};

/// An identity provider whose access tokens the `jwt` scheme accepts beside the
/// application's own (routed by their `iss`; a provider's keys never verify
/// another issuer's tokens).
///
/// Its tokens must carry its exact `iss`, one of the configured audiences in `aud`
/// (or `client_id` for Cognito), `exp` and `sub`; no `typ` claim is needed, and the
/// header `typ` may be `at+jwt`, `application/at+jwt`, `JWT` or absent (RFC 9068).
/// Keys without `alg` get it from `kty`/`crv`; no token header (`jku`, `x5u`, `jwk`,
/// `x5c`) ever makes Portcullis fetch anything.
///
/// ```no_run
/// use portcullis::identity::{IdentityProvider, Preset};
/// use portcullis::{AuthUser, ClaimsUser, Portcullis};
///
/// # async fn run() -> Result<(), portcullis::ConfigError> {
/// let auth = Portcullis::claims_only(Default::default())
///     .identity_provider(
///         IdentityProvider::discover("https://keycloak.example.com/realms/shop")
///             .audience("shop-api")
///             .preset(Preset::keycloak("shop-api")),
///     )
///     .build()?;
/// // Optional: do not serve before the first key set arrived.
/// auth.wait_for_identity_providers(std::time::Duration::from_secs(10)).await.ok();
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct IdentityProvider {
    issuer: String,
    jwks_url: Option<String>,
    audiences: Vec<String>,
    preset: Preset,
    allow_http_loopback: bool,
    timing: Timing,
    fetch_timeout: Duration,
    max_document_bytes: usize,
    rsa_algorithms: Vec<Algorithm>,
    introspection: Option<(String, String)>,
    introspection_ttl: Duration,
    authorized_parties: Vec<String>,
    require_access_token_type: bool,
}

impl std::fmt::Debug for IdentityProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The introspection client secret is never printed.
        f.debug_struct("IdentityProvider")
            .field("issuer", &self.issuer)
            .field("jwks_url", &self.jwks_url)
            .field("audiences", &self.audiences)
            .field("preset", &self.preset)
            .field(
                "introspection_client",
                &self.introspection.as_ref().map(|(id, _)| id),
            )
            .finish_non_exhaustive()
    }
}

impl IdentityProvider {
    /// The provider at `issuer`, found by OIDC discovery
    /// (`<issuer>/.well-known/openid-configuration`, whose `issuer` must equal this
    /// one exactly). Defaults: refresh every 300 s (or the key set's
    /// `Cache-Control: max-age`, clamped to 60 s – 1 day), refetch on an unknown
    /// `kid` at most every 10 s, keys kept at most 1 day without a successful
    /// refresh, 5 s timeouts, documents up to 256 KiB, RSA keys without `alg` used
    /// with RS256, the generic preset.
    pub fn discover(issuer: impl Into<String>) -> Self {
        IdentityProvider {
            issuer: issuer.into(),
            jwks_url: None,
            audiences: Vec::new(),
            preset: Preset::generic(),
            allow_http_loopback: false,
            timing: Timing {
                refresh: Duration::from_secs(300),
                refetch: Duration::from_secs(10),
                min_max_age: Duration::from_secs(60),
                max_max_age: Duration::from_secs(86_400),
                max_staleness: Duration::from_secs(86_400),
            },
            fetch_timeout: Duration::from_secs(5),
            max_document_bytes: 256 * 1024,
            rsa_algorithms: vec![Algorithm::RS256],
            introspection: None,
            introspection_ttl: Duration::from_secs(60),
            authorized_parties: Vec::new(),
            require_access_token_type: false,
        }
    }

    /// Tokens of `issuer` verified with the key set at `jwks_url` (no discovery).
    ///
    /// ```
    /// let idp = portcullis::identity::IdentityProvider::jwks_url(
    ///     "https://issuer.example.com", "https://issuer.example.com/keys.json",
    /// ).audience("my-api");
    /// ```
    pub fn jwks_url(issuer: impl Into<String>, jwks_url: impl Into<String>) -> Self {
        let mut provider = Self::discover(issuer);
        provider.jwks_url = Some(jwks_url.into());
        provider
    }

    /// An accepted audience (at least one is required).
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audiences.push(audience.into());
        self
    }

    /// Where the provider keeps roles, permissions and scopes (default
    /// [`Preset::generic`]).
    pub fn preset(mut self, preset: Preset) -> Self {
        self.preset = preset;
        self
    }

    /// Allows a plain `http://` issuer and URLs on a loopback address (127.0.0.0/8,
    /// `::1`, `localhost`) — for tests and development only.
    pub fn allow_http_on_loopback(mut self) -> Self {
        self.allow_http_loopback = true;
        self
    }

    /// How often the key set is refreshed when the provider sends no `max-age`.
    pub fn refresh_interval(mut self, interval: Duration) -> Self {
        self.timing.refresh = interval;
        self
    }

    /// The shortest time between two fetches triggered by tokens naming an unknown
    /// `kid` (or arriving before the first key set); default 10 s.
    pub fn refetch_interval(mut self, interval: Duration) -> Self {
        self.timing.refetch = interval;
        self
    }

    /// How long the last good key set is used while refreshes fail (default 1 day);
    /// after that the provider's tokens get 503 until a refresh succeeds.
    pub fn max_staleness(mut self, staleness: Duration) -> Self {
        self.timing.max_staleness = staleness;
        self
    }

    /// Timeout of each request to the provider (default 5 s).
    pub fn fetch_timeout(mut self, timeout: Duration) -> Self {
        self.fetch_timeout = timeout;
        self
    }

    /// Largest document accepted from the provider (default 256 KiB).
    pub fn max_document_bytes(mut self, bytes: usize) -> Self {
        self.max_document_bytes = bytes;
        self
    }

    /// The algorithms RSA keys without `alg` may verify (default RS256 only).
    pub fn rsa_algorithms(mut self, algorithms: &[Algorithm]) -> Self {
        self.rsa_algorithms = algorithms.to_vec();
        self
    }

    /// Introspects bearer tokens that are not JWTs at the provider's
    /// `introspection_endpoint` (RFC 7662), authenticating as this client
    /// (`client_secret_basic`). Answers are cached at most `min(exp, 60 s)`.
    pub fn introspection(mut self, client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        self.introspection = Some((client_id.into(), client_secret.into()));
        self
    }

    /// Accepts only tokens issued to this client: their `azp` (or `client_id`, or Entra
    /// ID's v1 `appid`) must name one of the clients given this way — for APIs that
    /// only some applications may call, as Entra ID and Google advise. Off by default.
    ///
    /// ```
    /// let idp = portcullis::identity::IdentityProvider::discover("https://accounts.google.com")
    ///     .audience("1234.apps.googleusercontent.com")
    ///     .authorized_party("1234.apps.googleusercontent.com");
    /// ```
    pub fn authorized_party(mut self, client_id: impl Into<String>) -> Self {
        self.authorized_parties.push(client_id.into());
        self
    }

    /// Accepts only RFC 9068 access tokens: header `typ` `at+jwt` (or
    /// `application/at+jwt`); tokens with `JWT` or no `typ` (an ID token, say) get 401.
    /// Off by default, as several providers send no `typ`.
    pub fn require_access_token_type(mut self) -> Self {
        self.require_access_token_type = true;
        self
    }

    /// The longest an introspection answer is cached (default 60 s).
    pub fn introspection_cache(mut self, ttl: Duration) -> Self {
        self.introspection_ttl = ttl;
        self
    }

    /// Checks every setting and starts the background refresh.
    fn start(self) -> Result<ProviderIssuer, ConfigError> {
        let invalid = |message: String| ConfigError::InvalidProvider(format!("{}: {message}", self.issuer));
        if self.audiences.is_empty() {
            return Err(invalid(
                "no audience: give the audience its tokens carry with IdentityProvider::audience".into(),
            ));
        }
        if self
            .rsa_algorithms
            .iter()
            .any(|a| a.family() != AlgorithmFamily::Rsa)
        {
            return Err(invalid(
                "rsa_algorithms may only list RS* and PS* algorithms".into(),
            ));
        }
        if self.timing.refetch < Duration::from_secs(1) || self.timing.refresh < self.timing.refetch {
            return Err(invalid(
                "the refetch interval must be at least 1 s and the refresh interval at least as long".into(),
            ));
        }
        let fetcher = Fetcher::new(
            self.fetch_timeout,
            self.max_document_bytes,
            self.allow_http_loopback,
        )?;
        let issuer_url = fetcher.check_url(&self.issuer).map_err(invalid)?;
        let (discovery, metadata) = match &self.jwks_url {
            Some(url) => (
                None,
                Some(Metadata {
                    jwks_uri: fetcher.check_url(url).map_err(invalid)?,
                    introspection_endpoint: None,
                }),
            ),
            None => {
                let base = issuer_url.as_str().trim_end_matches('/');
                let url = format!("{base}/.well-known/openid-configuration");
                (Some(fetcher.check_url(&url).map_err(invalid)?), None)
            }
        };
        if self.introspection.is_some() && self.jwks_url.is_some() {
            return Err(invalid(
                "introspection needs discovery (IdentityProvider::discover)".into(),
            ));
        }
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            invalid("no tokio runtime: build the Portcullis inside the async runtime (#[tokio::main]) so that provider keys can be refreshed".into())
        })?;
        let keys = Arc::new(LiveKeys::new(
            self.issuer.clone(),
            discovery,
            metadata,
            fetcher,
            self.rsa_algorithms,
            self.timing,
        ));
        runtime.spawn(keys::refresh_loop(Arc::downgrade(&keys)));
        let issuer: Arc<str> = Arc::from(self.issuer.as_str());
        let introspector = self.introspection.map(|(id, secret)| {
            Introspector::new(id, secret, self.audiences.clone(), 30.0, self.introspection_ttl)
        });
        Ok(ProviderIssuer {
            issuer: Arc::clone(&issuer),
            rules: ClaimRules {
                issuer: Some(self.issuer),
                audiences: self.audiences,
                audience_claim: self.preset.audience_claim(),
                leeway: 30.0,
                required_claims: Vec::new(),
                token_type: None,
                subject_claim: "sub".to_owned(),
                max_lifetime: None,
                fixed: self.preset.fixed_claims(),
                realm: None,
                authorized_parties: self.authorized_parties,
            },
            mapping: self.preset.mapping(),
            source: Arc::new(Remote {
                keys,
                introspector,
                issuer,
            }),
            require_access_token_type: self.require_access_token_type,
        })
    }
}

/// A provider's keys and introspection, seen from the token path.
struct Remote {
    keys: Arc<LiveKeys>,
    introspector: Option<Introspector>,
    issuer: Arc<str>,
}

#[async_trait]
impl ProviderSource for Remote {
    fn keys(&self) -> Option<Arc<KeySet>> {
        self.keys.current()
    }

    async fn refetch(&self) -> Option<Arc<KeySet>> {
        self.keys.refetch().await
    }

    fn introspects(&self) -> bool {
        self.introspector.is_some()
    }

    async fn introspect(&self, token: &str) -> Result<Option<Claims>, AuthError> {
        match &self.introspector {
            Some(introspector) => introspector.introspect(&self.keys, &self.issuer, token).await,
            None => Ok(None),
        }
    }
}

impl<U: AuthUser + From<ClaimsUser>> PortcullisBuilder<U> {
    /// Also accepts the access tokens of `provider` on every route that lists `jwt`.
    /// Its users are made by the provider's preset and converted with
    /// `U::from(ClaimsUser)`; they are never looked up in the user store.
    /// The provider's settings are checked, and its keys first fetched in the
    /// background, by [`build`](Self::build) (inside a tokio runtime).
    ///
    /// ```no_run
    /// use portcullis::identity::{IdentityProvider, Preset};
    /// # async fn run() -> Result<(), portcullis::ConfigError> {
    /// let auth = portcullis::Portcullis::claims_only(Default::default())
    ///     .identity_provider(IdentityProvider::discover("https://login.microsoftonline.com/TENANT/v2.0")
    ///         .audience("api://my-api").preset(Preset::entra_id()))
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn identity_provider(mut self, provider: IdentityProvider) -> Self {
        self.pending_providers.push(Box::new(move || provider.start()));
        if self.provider_users.is_none() {
            self.provider_users = Some(Arc::new(U::from));
        }
        self
    }
}

impl<U: AuthUser> Portcullis<U> {
    /// Waits until every identity provider has a key set, or `timeout` passed: for
    /// servers that should not answer before they can verify provider tokens. (By
    /// default the server starts at once and answers provider tokens 503 until the
    /// first key set arrives.)
    ///
    /// # Errors
    /// [`AuthError::Unavailable`] when a provider still has no key set at the deadline.
    pub async fn wait_for_identity_providers(&self, timeout: Duration) -> Result<(), AuthError> {
        let Some(jwt) = self.scheme::<Jwt>().and_then(|j| j.validator.as_ref()) else {
            return Ok(());
        };
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let mut missing = false;
            for provider in jwt.providers() {
                if provider.source.keys().is_none() && provider.source.refetch().await.is_none() {
                    missing = true;
                }
            }
            if !missing {
                return Ok(());
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(AuthError::Unavailable);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

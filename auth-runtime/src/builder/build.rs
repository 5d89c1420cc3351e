//! [`PortcullisBuilder::build`]: every setting checked once, at start-up, and the
//! gate assembled from them.

use std::any::TypeId;
use std::sync::Arc;

use crate::credentials::TrustedProxies;
use crate::cut_off::CutOffs;
use crate::error::ConfigError;
use crate::gate::{Inner, Portcullis, Registered};
use crate::login::{Hashing, Login};
use crate::origin::PublicOrigins;
use crate::password;
use crate::rejection::Challenge;
use crate::scheme::{AuthScheme, Basic, Jwt, Session};
use crate::sessions::Sessions;
use crate::store::{InMemoryRefreshStore, InMemorySessionStore, InMemoryThrottleStore};
use crate::tokens::{TokenConfig, Tokens};
use crate::user::AuthUser;

use super::PortcullisBuilder;

impl<U: AuthUser> PortcullisBuilder<U> {
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
        if let Some(cookies) = &self.token_cookies {
            cookies.check()?;
            if !issues_tokens {
                return Err(ConfigError::Invalid(
                    "token cookies need the tokens to put in them (PortcullisBuilder::tokens)",
                ));
            }
        }
        let configured = match (configured, &self.token_cookies) {
            (Some(config), Some(cookies)) => Some(config.token_cookie(cookies.access_cookie_name())?),
            (configured, _) => configured,
        };
        let jwt = match configured {
            None if providers.is_empty() => None,
            config => {
                let config = config.unwrap_or_default();
                let config = match issues_tokens {
                    true => config.require_claim("jti").require_claim("iat"),
                    false => config,
                };
                Some(config.build(providers, self.verified_token_cache)?)
            }
        };
        self.throttle_config.check()?;
        let proxies = TrustedProxies::parse(&self.trusted_proxies)?;
        let origins = PublicOrigins::parse(&self.public_origins)?;
        let hashing = Hashing::new(self.throttle_config.concurrent_hashes())?;
        let token_lifetimes = self.tokens.iter().flat_map(|t| [t.access_ttl, t.family_lifetime]);
        let lifetimes: Vec<_> = token_lifetimes.chain([self.session_config.absolute]).collect();
        let cut_offs = CutOffs::new(Arc::clone(&self.revocations), &lifetimes);
        let tokens = Tokens {
            config: self.tokens,
            refresh: self
                .refresh
                .unwrap_or_else(|| Arc::new(InMemoryRefreshStore::default())),
            revocations: Arc::clone(&self.revocations),
            cut_offs: cut_offs.clone(),
        };
        tokens.check(jwt.as_ref())?;
        let sessions = Arc::new(Sessions::new(
            self.sessions
                .unwrap_or_else(|| Arc::new(InMemorySessionStore::default())),
            self.session_config,
            origins.clone(),
            cut_offs.clone(),
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
                token_cookies: self.token_cookies,
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

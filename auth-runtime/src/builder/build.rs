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
use crate::realm::Realm;
use crate::rejection::Challenge;
use crate::scheme::{AuthScheme, Basic, Jwt, Session};
use crate::sessions::Sessions;
use crate::store::scoped::Scoped;
use crate::store::timed::TimedUsers;
use crate::store::{
    InMemoryRefreshStore, InMemorySessionStore, InMemoryThrottleStore, RefreshStore, RevocationStore,
    SessionStore, ThrottleStore,
};
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
        let realm = Realm::new::<U>(self.realm)?;
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
                // A gate that issues tokens, or was given its realm, refuses another
                // realm's; one that only verifies tokens under a derived realm is a
                // resource server of another service's tokens (`realm.rs`).
                let config = match issues_tokens || realm.explicit {
                    true => config.checking_realm(&realm.marker),
                    false => config,
                };
                Some(config.build(providers, self.verified_token_cache)?)
            }
        };
        self.throttle_config.check()?;
        let limit = self.store_timeout;
        if limit.is_zero() {
            return Err(ConfigError::Invalid("the store timeout must be more than zero"));
        }
        let proxies = TrustedProxies::parse(&self.trusted_proxies)?;
        let origins = PublicOrigins::parse(&self.public_origins)?;
        let hashing = Hashing::new(self.throttle_config.concurrent_hashes())?;
        let token_lifetimes = self.tokens.iter().flat_map(|t| [t.access_ttl, t.family_lifetime]);
        let lifetimes: Vec<_> = token_lifetimes.chain([self.session_config.absolute]).collect();
        // Every store as this realm sees it: its records apart from other realms'.
        let namespace = &Arc::clone(&realm.namespace);
        // The `jwt` scheme puts its one subject key together itself (`ScopedKey`): its
        // revocation check is the hot path, without the wrapper's allocations.
        let jwt_revocations = Arc::clone(&self.revocations);
        let revocations: Arc<dyn RevocationStore> = Scoped::new(self.revocations, namespace, limit);
        let cut_offs = CutOffs::new(Arc::clone(&revocations), &lifetimes);
        let refresh: Arc<dyn RefreshStore> = self
            .refresh
            .unwrap_or_else(|| Arc::new(InMemoryRefreshStore::default()));
        let tokens = Tokens {
            config: self.tokens,
            realm: Arc::clone(&realm.marker),
            refresh: Scoped::new(refresh, namespace, limit),
            revocations: Arc::clone(&revocations),
            cut_offs: cut_offs.clone(),
        };
        tokens.check(jwt.as_ref())?;
        let sessions_configured = self.sessions_chosen || self.sessions.is_some();
        let session_store: Arc<dyn SessionStore> = self
            .sessions
            .unwrap_or_else(|| Arc::new(InMemorySessionStore::default()));
        let sessions = Arc::new(Sessions::new(
            Scoped::new(session_store, namespace, limit),
            self.session_config,
            realm.session_cookie(),
            origins.clone(),
            cut_offs.clone(),
        )?);
        let throttle: Arc<dyn ThrottleStore> = self
            .throttle
            .unwrap_or_else(|| Arc::new(InMemoryThrottleStore::default()));
        let one_time: Arc<dyn SessionStore> = self
            .one_time
            .unwrap_or_else(|| Arc::new(InMemorySessionStore::default()));
        let dummy_hash = password::hash_password("portcullis dummy password for unknown users")
            .map_err(|_| ConfigError::Invalid("no randomness available for the dummy password hash"))?;

        let mut schemes = vec![
            built_in::<U, _>(
                &realm.challenge,
                Jwt {
                    validator: jwt,
                    revocations: jwt_revocations,
                    store_timeout: limit,
                    namespace: Arc::clone(namespace),
                    origins: origins.clone(),
                },
            ),
            built_in::<U, _>(&realm.challenge, api_key),
            built_in::<U, _>(
                &realm.challenge,
                Basic {
                    verifier: self.password_verifier,
                },
            ),
            built_in::<U, _>(
                &realm.challenge,
                Session {
                    sessions: Arc::clone(&sessions),
                },
            ),
        ];
        for (type_id, register) in self.custom {
            if schemes.iter().any(|s| s.type_id == type_id) {
                return Err(ConfigError::Invalid("a scheme type is registered twice"));
            }
            schemes.push(register(&realm.challenge));
        }
        Ok(Portcullis {
            inner: Arc::new(Inner {
                users: TimedUsers::new(self.users, limit),
                resolver: self.resolver,
                store_timeout: limit,
                schemes,
                before: self.before,
                after: self.after,
                renderer: self.renderer,
                provider_users: self.provider_users,
                realm,
                login: Login {
                    throttle: Scoped::new(throttle, namespace, limit),
                    config: self.throttle_config,
                    dummy_hash,
                    proxies,
                    hashing,
                    origins,
                    reveal_inactive: self.reveal_inactive,
                    warned_no_client: std::sync::atomic::AtomicBool::new(false),
                },
                sessions,
                one_time: Scoped::new(one_time, namespace, limit),
                tokens,
                token_cookies: self.token_cookies,
                sessions_configured,
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
        credential_in: scheme.credential_in(),
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

//! Runtime of [Portcullis](https://docs.rs/portcullis): the gate, its schemes,
//! identity resolution, stores, tokens, sessions and the single failure → HTTP
//! mapping. Framework-neutral: it speaks `http`; the adapters (feature `axum`) are
//! thin. Use it through the `portcullis` crate, whose documentation has the
//! examples. `ARCHITECTURE.md` beside this crate draws the module graph.

#![warn(missing_docs, unreachable_pub)]

mod accounts;
mod adapter;
pub mod audit;
mod browser;
mod builder;
mod claims_user;
mod credentials;
#[cfg(feature = "tower")]
mod csrf_form;
mod cut_off;
mod deferred;
mod error;
mod gate;
mod guard;
mod hashing;
mod hooks;
mod identity;
mod info;
mod jwt;
#[cfg(feature = "tower")]
mod layer;
mod legacy_hash;
mod lifecycle;
mod login;
mod mail_templates;
#[cfg(feature = "oidc")]
mod oidc;
#[cfg(feature = "utoipa")]
pub mod openapi;
mod origin;
mod password;
mod presets;
mod realm;
pub mod registry;
mod rejection;
mod render;
mod requirement;
mod resource;
mod scheme;
mod secret;
mod sessions;
#[cfg(feature = "smtp")]
mod smtp;
mod state;
mod store;
mod token_cookies;
mod tokens;
mod user;

pub use accounts::{EmailStatus, Mailer, NewAccount, Registrar, Rename};
#[cfg(feature = "axum")]
#[doc(hidden)]
pub use adapter::axum::ViaState;
#[cfg(feature = "axum")]
pub use adapter::catch_panic::PanicResponse;
pub use adapter::client_addr;
#[cfg(feature = "axum")]
pub use adapter::router::AuthRouter;
#[cfg(feature = "axum")]
pub use adapter::routing;
pub use browser::{
    GlobalRenderer, MAX_NEXT_LEN, NoRedirect, PathChar, PathEnd, Route, RouteOptions, route_renderer,
    safe_next,
};
pub use builder::{PortcullisBuilder, install_crypto_provider};
pub use claims_user::{ClaimsMapping, ClaimsUser};
pub use credentials::{BasicCredentials, ClientAddr};
#[cfg(feature = "tower")]
pub use csrf_form::{CsrfFormLayer, CsrfFormService};
pub use deferred::{Deferred, DeferredBody};
pub use error::{AuthError, ConfigError, StoreError};
pub use gate::{Portcullis, SchemeSet};
pub use guard::{Authenticated, MaybeAuthenticated, RequestUser};
pub use hooks::{AfterAuthentication, BeforeAuthentication};
pub use identity::{FromStore, IdentityResolver};
pub use info::AuthInfo;
pub use jwt::claims::Claims;
pub use jwt::keys::JwtKey;
pub use jwt::signature_check::SignatureCheck;
pub use jwt::{DEFAULT_MAX_TOKEN_BYTES, JwtConfig, MAX_LEEWAY};
#[cfg(feature = "tower")]
pub use layer::{AuthLayer, AuthService};
pub use login::{LoggedIn, PasswordVerifier, ThrottleConfig};
pub use mail_templates::{MailTemplate, MailTemplates};
#[cfg(feature = "oidc")]
pub use oidc::IdentityProvider;
pub use password::{
    ARGON2_ITERATIONS, ARGON2_MEMORY_KIB, ARGON2_PARALLELISM, PasswordError, hash_password, needs_rehash,
    verify_password,
};
pub use presets::Preset;
pub use rejection::{Challenge, Refusal, Rejection};
pub use render::{BodySchema, ErrorRenderer, JsonRenderer, ProblemJsonRenderer};
pub use requirement::{
    AsyncPredicate, NameCheck, OwnerId, PredicateOutput, ReturnedItems, SyncPredicate, claim_is,
    email_verified, has_scope, is_fresh, unmet, unmet_hidden,
};
pub use resource::{Loaded, Resource};
pub use scheme::{
    ApiKey, ApiKeyConfig, ApiKeyValidator, AuthScheme, Basic, BearerToken, Context, CredentialIn, Identity,
    Jwt, Scheme, Session, TokenLocation, Verified,
};
pub use secret::{ApiKeyHash, GeneratedApiKey, SecretHash, generate_api_key, hash_api_key};
pub use sessions::{DEFAULT_CSRF_FORM_FIELD, DEFAULT_CSRF_FORM_LIMIT, NewSession, SessionConfig};
#[cfg(feature = "smtp")]
pub use smtp::{SmtpMailer, SmtpMailerBuilder, SmtpSecurity};
#[doc(hidden)]
pub use state::{GateSource, Guard, Guarded, HasGate, NoVia, Unreachable, Unreached};
#[cfg(feature = "redis")]
pub use store::RedisStore;
pub use store::{
    InMemoryRefreshStore, InMemoryRevocationStore, InMemorySessionStore, InMemoryThrottleStore,
    InMemoryUserStore, RefreshStore, Revocation, RevocationStore, Rotation, SessionRecord, SessionStore,
    ThrottleStore, UserStore,
};
pub use token_cookies::TokenCookies;
pub use tokens::{TokenConfig, TokenPair};
pub use user::{
    AuthUser, BoolField, DeclaredNames, NameEnum, NameSet, OptionalText, PermissionOf, TypedPermission,
    TypedRole, Untyped, UserPermissions, UserRoles, granted,
};

pub use async_trait::async_trait;
/// The crate the route registry is collected with (the macros' `submit!`). Not public API.
#[doc(hidden)]
pub use inventory;
pub use jsonwebtoken;
pub use jsonwebtoken::Algorithm;
/// The `redis` crate [`RedisStore`] is built on (to configure a `ConnectionManager` or a
/// `ClusterConnection`).
#[cfg(feature = "redis")]
pub use redis;
pub use registry::routes;

/// What the `oidc` feature adds, for the facade to re-export whenever the feature is
/// on, whichever crate turned it on.
#[doc(hidden)]
pub mod with_oidc {
    #[cfg(feature = "oidc")]
    pub use crate::oidc::IdentityProvider;
}

/// What the `utoipa` feature adds, for the facade to re-export whenever the feature is
/// on, whichever crate turned it on.
#[doc(hidden)]
pub mod with_utoipa {
    #[cfg(feature = "utoipa")]
    pub use crate::openapi::*;
}

/// What the `smtp` feature adds, for the facade to re-export whenever the feature is
/// on, whichever crate turned it on.
#[doc(hidden)]
pub mod with_smtp {
    #[cfg(feature = "smtp")]
    pub use crate::smtp::{SmtpMailer, SmtpMailerBuilder, SmtpSecurity};
}

/// Not an API (feature `fuzzing`): the parsers that the fuzz crate (`fuzz/`) drives and
/// that no public function reaches without a network.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing {
    /// Reads an identity provider's JWKS document leniently (as a live key set is
    /// read) with these RSA algorithms; the number of usable keys and of skipped ones.
    ///
    /// # Errors
    /// Not a JWKS document, or not one usable signing key in it.
    pub fn provider_key_set(
        json: &[u8],
        rsa_algorithms: &[crate::Algorithm],
    ) -> Result<(usize, usize), String> {
        crate::jwt::jwks::provider_key_set(json, rsa_algorithms)
            .map(|set| (set.keys.len(), set.skipped.len()))
    }
}

/// What the `redis` feature adds, for the facade to re-export whenever the feature is
/// on, whichever crate turned it on (the facade's own `cfg` sees only its own features).
#[doc(hidden)]
pub mod with_redis {
    #[cfg(feature = "redis")]
    pub use crate::store::RedisStore;
    #[cfg(feature = "redis")]
    pub use redis;
}

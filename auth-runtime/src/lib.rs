//! Runtime of [Portcullis](https://docs.rs/portcullis): schemes, validation, stores
//! and the single failure → HTTP mapping. Use it through the `portcullis` crate,
//! whose documentation has the examples.

#![warn(missing_docs, unreachable_pub)]

mod api_key;
#[cfg(feature = "axum")]
mod axum;
mod config;
mod credentials;
mod declared;
mod failure;
mod guard;
mod info;
mod jwt;
mod lifecycle;
mod memory;
mod password;
#[cfg(feature = "redis")]
mod redis_store;
mod render;
#[cfg(feature = "axum")]
mod router;
mod scheme;
mod service;
mod store;
mod user;

pub use api_key::hash_api_key;
#[cfg(feature = "axum")]
pub use axum::{Authenticated, MaybeAuthenticated};
pub use config::{ApiKeyConfig, ConfigError, Portcullis, PortcullisBuilder};
pub use declared::NameCheck;
pub use failure::{AuthError, Rejection};
pub use guard::{
    AsyncPredicate, OwnerId, PredicateOutput, SyncPredicate, claim_is, email_verified, has_scope,
};
pub use info::AuthInfo;
pub use jwt::claims::Claims;
pub use jwt::keys::JwtKey;
pub use jwt::{DEFAULT_MAX_TOKEN_BYTES, JwtConfig, MAX_LEEWAY};
pub use lifecycle::{RefreshStore, Rotation, SecretHash, SessionRecord, SessionStore, ThrottleStore};
pub use memory::{InMemoryRefreshStore, InMemorySessionStore, InMemoryThrottleStore};
pub use password::{
    ARGON2_ITERATIONS, ARGON2_MEMORY_KIB, ARGON2_PARALLELISM, PasswordError, hash_password, needs_rehash,
    verify_password,
};
#[cfg(feature = "redis")]
pub use redis_store::RedisStore;
pub use render::{ErrorRenderer, JsonRenderer};
#[cfg(feature = "axum")]
pub use router::{AuthRouter, EmailStatus, Mailer, NewAccount, Registrar, Rename};
pub use scheme::{MAX_SCHEMES, Scheme, SchemeList};
pub use service::{
    ClientAddr, LoggedIn, NewSession, SessionConfig, ThrottleConfig, TokenConfig, TokenPair, client_addr,
};
pub use store::{
    ApiKeyHash, InMemoryRevocationStore, InMemoryUserStore, RevocationStore, StoreError, UserStore,
};
pub use user::{AuthUser, BoolField, NameSet, OptionalText, TypedRole, Untyped, UserRoles};

pub use async_trait::async_trait;
pub use jsonwebtoken;
pub use jsonwebtoken::Algorithm;
/// The `redis` crate [`RedisStore`] is built on (to configure a `ConnectionManager`).
#[cfg(feature = "redis")]
pub use redis;

/// Installs jsonwebtoken's aws-lc-rs crypto provider for the process (also done by
/// [`PortcullisBuilder::build`]). Call it before using `jsonwebtoken` directly
/// (for example to sign tokens) if no `Portcullis` was built yet.
pub fn install_crypto_provider() {
    config::install_crypto_provider();
}

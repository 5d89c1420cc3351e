#![doc = include_str!("../README.md")]
#![warn(missing_docs, unreachable_pub)]

mod dsl;
mod policies;

// The DSL: `#[derive(AuthUser)]`, `#[auth]`, `#[require]`, `#[permissions]`,
// `#[derive(Role)]`, `#[derive(Permission)]` (documented in `dsl.rs`).
pub use dsl::{AuthUser, Permission, Role, auth, permissions, require};
pub use policies::{filter_returned, policy, public, require_returned};

// The root: what an application names. The topic modules below hold the same items
// grouped, plus the ones only scheme authors and store writers need; what the macros'
// generated code names is in `__private`.

// The user and the role enums.
/// The derive's compile-time tables (declared roles and permissions, grants, hints):
/// a user type implementing `AuthUser` by hand adds `impl portcullis::DeclaredNames for User {}`.
#[doc(hidden)]
pub use portcullis_runtime::DeclaredNames;
pub use portcullis_runtime::{AuthUser, TypedPermission, TypedRole};
// The gate, its builder and its settings.
pub use portcullis_runtime::{
    Algorithm, ApiKeyConfig, JwtConfig, JwtKey, LoggedIn, Portcullis, PortcullisBuilder, SessionConfig,
    SignatureCheck, ThrottleConfig, TokenConfig, TokenCookies, TokenPair, install_crypto_provider,
};
// What a handler sees: the user's authentication, the guards `#[auth]` stands for,
// refusals.
pub use portcullis_runtime::{AuthInfo, Authenticated, MaybeAuthenticated, Refusal, RequestUser, Scheme};
// Browsers: what `#[auth(..., redirect, renderer)]` sets, and the check of a login page's `next`.
pub use portcullis_runtime::{MAX_NEXT_LEN, RouteOptions, safe_next};
// Middleware mode: authenticate every request of a router.
#[cfg(feature = "axum")]
pub use portcullis_runtime::{AuthLayer, AuthService, CsrfFormLayer, CsrfFormService};
// A handler's panic answered 500 through the gate's renderer (`Portcullis::catch_panic_layer`).
#[cfg(feature = "axum")]
pub use portcullis_runtime::PanicResponse;
// Failures and how they are rendered.
pub use portcullis_runtime::{
    AuthError, BodySchema, ConfigError, ErrorRenderer, JsonRenderer, ProblemJsonRenderer, Rejection,
    StoreError,
};
// Resources loaded for `owner(...)` checks, and how an owner column is compared with
// a user id of another type.
pub use portcullis_runtime::{OwnerId, Resource};
// The lists `#[filter_returned]` filters.
pub use portcullis_runtime::ReturnedItems;
// Hooks before and after authentication.
pub use portcullis_runtime::{AfterAuthentication, BeforeAuthentication};
// Schemes of your own and identity resolution (also in [`schemes`] and [`identity`]).
pub use portcullis_runtime::{
    ApiKeyValidator, AuthScheme, Claims, ClaimsMapping, ClaimsUser, Context, Identity, IdentityResolver,
    PasswordVerifier, Verified,
};
// Stores (also in [`stores`]).
pub use portcullis_runtime::{
    ApiKeyHash, InMemoryRefreshStore, InMemoryRevocationStore, InMemorySessionStore, InMemoryThrottleStore,
    InMemoryUserStore, RefreshStore, Revocation, RevocationStore, Rotation, SecretHash, SessionRecord,
    SessionStore, ThrottleStore, UserStore,
};
// Passwords, API keys and the client's address.
pub use portcullis_runtime::{
    ARGON2_ITERATIONS, ARGON2_MEMORY_KIB, ARGON2_PARALLELISM, ClientAddr, GeneratedApiKey, PasswordError,
    client_addr, generate_api_key, hash_api_key, hash_password, needs_rehash, verify_password,
};
// The auth router's account logic (also in [`router`]).
#[cfg(feature = "axum")]
pub use portcullis_runtime::AuthRouter;
pub use portcullis_runtime::{
    EmailStatus, MailTemplate, MailTemplates, Mailer, NewAccount, Registrar, Rename,
};
// With the `smtp` feature on: `SmtpMailer`, the auth router's mails through an SMTP server.
#[allow(unused_imports, unreachable_pub)] // empty without the feature
pub use portcullis_runtime::with_smtp::*;
// Crates that appear in the API.
pub use portcullis_runtime::{async_trait, jsonwebtoken};
// With the `redis` feature on (in this crate or in the runtime): `RedisStore`, and the
// `redis` crate it is built on (to configure a `ConnectionManager` or a `ClusterConnection`).
#[allow(unused_imports, unreachable_pub)] // empty without the feature
pub use portcullis_runtime::with_redis::*;

/// The most used items in one import: `use portcullis::prelude::*;` — every macro
/// and the common types.
pub mod prelude {
    pub use portcullis_macros::{
        AuthUser, Permission, Role, auth, filter_returned, permissions, policy, public, require,
        require_returned,
    };
    pub use portcullis_runtime::{
        Algorithm, AuthError, AuthInfo, AuthUser, InMemoryUserStore, JwtConfig, JwtKey, Portcullis, Refusal,
        Resource, Scheme, StoreError, TypedPermission, TypedRole, UserStore,
    };
}

/// The authentication schemes: the built-ins `#[auth(jwt, api_key, basic, session)]`
/// names, and the trait a custom scheme (`#[auth(custom(MyScheme))]`) implements.
pub mod schemes {
    pub use portcullis_runtime::{
        ApiKey, ApiKeyConfig, ApiKeyValidator, AuthScheme, Basic, BasicCredentials, BearerToken, Context,
        CredentialIn, Identity, Jwt, PasswordVerifier, Scheme, SchemeSet, Session, TokenLocation, Verified,
    };
}

/// OpenAPI security written from the annotations (feature `utoipa`): the gate's schemes
/// as security schemes, each operation's requirement from its handler's `#[auth]`, the
/// shared 401 and 403 responses: [`SecurityAddon`](portcullis_runtime::with_utoipa),
/// a `utoipa::Modify`. Empty without the feature.
pub mod openapi {
    #[allow(unused_imports, unreachable_pub)] // empty without the feature
    pub use portcullis_runtime::with_utoipa::*;
}

/// Identity resolution: how a verified identity becomes the handler's user — from the
/// user store, a resolver, the token's claims alone, or an identity provider
/// ([`IdentityProvider`](portcullis_runtime::with_oidc), feature `oidc`) whose
/// claims a `Preset` maps onto roles, permissions and scopes.
pub mod identity {
    #[allow(unused_imports, unreachable_pub)] // empty without the feature
    pub use portcullis_runtime::with_oidc::*;
    pub use portcullis_runtime::{ClaimsMapping, ClaimsUser, FromStore, Identity, IdentityResolver, Preset};
}

/// JWT verification settings and keys.
pub mod jwt {
    pub use portcullis_runtime::{
        Algorithm, Claims, DEFAULT_MAX_TOKEN_BYTES, JwtConfig, JwtKey, MAX_LEEWAY, SignatureCheck,
    };
}

/// The stores: traits and their in-memory and Redis implementations.
pub mod stores {
    #[cfg(feature = "redis")]
    pub use portcullis_runtime::RedisStore;
    pub use portcullis_runtime::{
        ApiKeyHash, InMemoryRefreshStore, InMemoryRevocationStore, InMemorySessionStore,
        InMemoryThrottleStore, InMemoryUserStore, RefreshStore, Revocation, RevocationStore, Rotation,
        SecretHash, SessionRecord, SessionStore, StoreError, ThrottleStore, UserStore,
    };
}

/// Issuing, refreshing and revoking tokens.
pub mod tokens {
    pub use portcullis_runtime::{TokenConfig, TokenPair};
}

/// Server-side sessions.
pub mod sessions {
    pub use portcullis_runtime::{NewSession, SessionConfig};
}

/// The ready auth router (register, login, refresh, logout, sessions, e-mail
/// confirmation, password change and reset) for axum, its mail templates, and
/// `SmtpMailer` (feature `smtp`).
#[cfg(feature = "axum")]
pub mod router {
    #[allow(unused_imports, unreachable_pub)] // empty without the feature
    pub use portcullis_runtime::with_smtp::*;
    pub use portcullis_runtime::{
        AuthRouter, EmailStatus, MailTemplate, MailTemplates, Mailer, NewAccount, Registrar, Rename,
    };
}

// Audit events through `tracing`: their names and fields, and the application's own.
#[doc(inline)]
pub use portcullis_runtime::audit;
/// The route registry: every `#[auth]` and `#[public]` handler, collected at link time.
pub use portcullis_runtime::registry;
pub use portcullis_runtime::routes;
/// Routes recorded for the start-up checks: deny by default (axum).
#[cfg(feature = "axum")]
pub use portcullis_runtime::routing;

/// Items the macros' generated code names. Not public API: no stability promise.
#[doc(hidden)]
pub mod __private {
    pub use portcullis_runtime::{
        AsyncPredicate, AuthError, AuthInfo, AuthScheme, AuthUser, Authenticated, BoolField, Challenge,
        DeclaredNames, Deferred, DeferredBody, Guarded, HasGate, Loaded, MaybeAuthenticated, NameCheck,
        NameEnum, NameSet, OptionalText, OwnerId, PermissionOf, PredicateOutput, Refusal, ReturnedItems,
        Scheme, SyncPredicate, TypedPermission, TypedRole, Unreached, Untyped, UserPermissions, UserRoles,
        claim_is, email_verified, granted, has_scope, is_fresh, unmet, unmet_hidden,
    };
    /// What `#[auth(..., redirect, renderer)]` spells as a type.
    pub use portcullis_runtime::{GlobalRenderer, NoRedirect, PathChar, PathEnd, Route, route_renderer};
    // The route registry's entries, as `#[auth]` and `#[public]` submit them.
    /// The way a handler reaches the gate through axum's `FromRef` (names a handler's
    /// instance, as the routing wrapper does).
    #[cfg(feature = "axum")]
    pub use portcullis_runtime::ViaState;
    pub use portcullis_runtime::inventory;
    pub use portcullis_runtime::registry::{HandlerEntry, Name, PolicyEntry, PolicyRef, Rule, SchemeRef};
    /// The built-in scheme types `#[auth(...)]` lists.
    pub mod schemes {
        pub use portcullis_runtime::{ApiKey, Basic, Jwt, Session};
    }
}

#![doc = include_str!("../README.md")]
#![warn(missing_docs, unreachable_pub)]

/// Derives [`AuthUser`](trait@AuthUser) for a struct with named fields.
///
/// Field attributes say which field plays which part: `id` (required, exactly once),
/// `name`, `roles`, `permissions`, `password_hash`, `active`. The struct attribute
/// declares the closed sets of names: `#[auth_user(roles("admin", "user"),
/// permissions("posts:read"))]`, and `crate = path` changes the facade path.
///
/// ```
/// use portcullis::AuthUser;
///
/// #[derive(Clone, AuthUser)]
/// #[auth_user(roles("admin", "user"))]
/// struct User {
///     #[auth_user(id)] id: i64,
///     #[auth_user(name)] username: String,
///     #[auth_user(roles)] role: String,
///     #[auth_user(password_hash)] password_hash: Option<String>,
///     #[auth_user(active)] active: bool,
/// }
/// # let u = User { id: 1, username: "a".into(), role: "admin,user".into(), password_hash: None, active: true };
/// # assert!(u.has_role("user") && u.is_active() && u.password_hash().is_none());
/// ```
///
/// is the same as writing:
///
/// ```
/// # #[derive(Clone)]
/// # struct User { id: i64, username: String, role: String, password_hash: Option<String>, active: bool }
/// impl portcullis::AuthUser for User {
///     type Id = i64;
///     const DECLARED_ROLES: Option<&'static [&'static str]> = Some(&["admin", "user"]);
///     fn id(&self) -> &i64 { &self.id }
///     fn name(&self) -> Option<&str> { portcullis::OptionalText::text(&self.username) }
///     fn for_each_role(&self, f: &mut dyn FnMut(&str)) { portcullis::NameSet::for_each_name(&self.role, f) }
///     fn password_hash(&self) -> Option<&str> { portcullis::OptionalText::text(&self.password_hash) }
///     fn is_active(&self) -> bool { self.active }
/// }
/// ```
#[doc(inline)]
pub use portcullis_macros::AuthUser;

/// Authenticates an async axum handler with the listed schemes, tried in order.
///
/// Arguments: schemes (`jwt`, `api_key`, `basic`), `optional`, `crate = path`. The
/// parameter named `user` (or marked `#[user]`) receives the user; a parameter of
/// type `AuthInfo` receives how they authenticated.
///
/// ```
/// use axum::Json;
/// use portcullis::{auth, AuthInfo, AuthUser};
///
/// #[derive(Clone, AuthUser)]
/// struct User { #[auth_user(id)] id: i64 }
///
/// #[auth(jwt, api_key)]
/// async fn me(user: User, info: AuthInfo, Json(body): Json<String>) -> String {
///     format!("{} via {}: {body}", user.id, info.scheme())
/// }
/// ```
///
/// is the same as writing:
///
/// ```
/// # use axum::Json;
/// # use portcullis::{AuthInfo, AuthUser};
/// # #[derive(Clone, AuthUser)]
/// # struct User { #[auth_user(id)] id: i64 }
/// use portcullis::{Authenticated, Scheme, SchemeList};
///
/// async fn me(
///     auth: Authenticated<User, { SchemeList::encode(&[Scheme::Jwt, Scheme::ApiKey]) }>,
///     Json(body): Json<String>,
/// ) -> String {
///     let user: User = auth.user;
///     let info: AuthInfo = auth.info;
///     format!("{} via {}: {body}", user.id, info.scheme())
/// }
/// ```
///
/// The extractor answers 401 (with one `WWW-Authenticate` challenge per listed scheme),
/// 403 (inactive account) or 503 (store unavailable) before the handler runs. With
/// `optional`, the parameter is `Option<User>` and the extractor `MaybeAuthenticated`.
#[doc(inline)]
pub use portcullis_macros::auth;

#[doc(inline)]
pub use portcullis_macros::{Role, permissions, require};

pub use portcullis_runtime::*;

/// The most used items in one import: `use portcullis::prelude::*;`.
pub mod prelude {
    pub use portcullis_macros::{AuthUser, auth};
    pub use portcullis_runtime::{
        AuthInfo, AuthUser as _, InMemoryUserStore, JwtConfig, JwtKey, Portcullis, Scheme, UserStore,
    };
}

/// Items the macros' generated code names. Not public API: no stability promise.
#[doc(hidden)]
pub mod __private {
    pub use portcullis_runtime::{
        AsyncPredicate, AuthError, AuthUser, BoolField, NameCheck, NameSet, OptionalText, OwnerId, PredicateOutput, Scheme,
        SchemeList, SyncPredicate, TypedRole, UserRoles, Untyped, claim_is, email_verified, has_scope,
    };
    pub use portcullis_runtime::AuthInfo;
    #[cfg(feature = "axum")]
    pub use axum::response::Response;
    #[cfg(feature = "axum")]
    pub use portcullis_runtime::{Authenticated, MaybeAuthenticated};
}

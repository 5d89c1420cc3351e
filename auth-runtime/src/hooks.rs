//! Hooks around authentication (nanopie's before/after validation): the application
//! may refuse a request early (pick a tenant, block an address) or refuse an
//! authenticated user (extra checks). Their refusals go through the one renderer.

use async_trait::async_trait;
use http::request::Parts;

use crate::error::AuthError;
use crate::info::AuthInfo;
use crate::user::AuthUser;

/// Runs before any credential is read. Return an error to refuse the request:
/// [`AuthError::Refused`] for 401, [`AuthError::Forbidden`] for 403.
///
/// Closures `Fn(&Parts) -> Result<(), AuthError>` are hooks; implement the trait for
/// async ones.
///
/// ```
/// use portcullis::{AuthError, BeforeAuthentication};
/// fn no_tenant(parts: &http::request::Parts) -> Result<(), AuthError> {
///     match parts.headers.contains_key("x-tenant") {
///         true => Ok(()),
///         false => Err(AuthError::Refused { reason: "send X-Tenant" }),
///     }
/// }
/// fn takes(_: impl BeforeAuthentication) {}
/// takes(no_tenant);
/// ```
#[async_trait]
pub trait BeforeAuthentication: Send + Sync + 'static {
    /// Inspects the request head.
    ///
    /// # Errors
    /// The refusal to answer with.
    async fn before(&self, parts: &Parts) -> Result<(), AuthError>;
}

#[async_trait]
impl<F> BeforeAuthentication for F
where
    F: Fn(&Parts) -> Result<(), AuthError> + Send + Sync + 'static,
{
    async fn before(&self, parts: &Parts) -> Result<(), AuthError> {
        self(parts)
    }
}

/// Runs after a user was authenticated and loaded. Return an error to refuse:
/// [`AuthError::Refused`] for 401, [`AuthError::Forbidden`] for 403.
///
/// ```
/// use portcullis::{AfterAuthentication, AuthError, AuthInfo, AuthUser, ClaimsUser};
/// fn staff_only(_: &http::request::Parts, user: &ClaimsUser, _: &AuthInfo) -> Result<(), AuthError> {
///     if user.has_role("staff") { Ok(()) } else { Err(AuthError::Forbidden { reason: "staff only" }) }
/// }
/// fn takes(_: impl AfterAuthentication<ClaimsUser>) {}
/// takes(staff_only);
/// ```
#[async_trait]
pub trait AfterAuthentication<U: AuthUser>: Send + Sync + 'static {
    /// Inspects the authenticated user.
    ///
    /// # Errors
    /// The refusal to answer with.
    async fn after(&self, parts: &Parts, user: &U, info: &AuthInfo) -> Result<(), AuthError>;
}

#[async_trait]
impl<U, F> AfterAuthentication<U> for F
where
    U: AuthUser,
    F: Fn(&Parts, &U, &AuthInfo) -> Result<(), AuthError> + Send + Sync + 'static,
{
    async fn after(&self, parts: &Parts, user: &U, info: &AuthInfo) -> Result<(), AuthError> {
        self(parts, user, info)
    }
}

//! Identity resolution: a verified [`Identity`] becomes the handler's user — from the
//! user store by subject (the default), by the application's own resolver, or from
//! the token's claims alone ([`ClaimsUser`], no database at all).

use std::time::Duration;

use async_trait::async_trait;

use crate::claims_user::{ClaimsMapping, ClaimsUser};
use crate::error::{AuthError, StoreError, store_down};
use crate::scheme::Identity;
use crate::store::UserStore;
use crate::store::timed::within;
use crate::user::AuthUser;

/// Turns a verified identity into a user. `Ok(None)` refuses the request with 401
/// ("not a known user"); `Err` answers 503.
///
/// Closures `Fn(&Identity) -> Option<U>` are resolvers; implement the trait for
/// async lookups (Nexios' `user_loader`):
///
/// ```
/// use portcullis::{async_trait, AuthUser, Identity, IdentityResolver, StoreError, UserStore};
/// # #[derive(Clone, AuthUser)] struct User { #[auth_user(id)] id: String }
/// struct ByEmailClaim;
/// #[async_trait]
/// impl IdentityResolver<User> for ByEmailClaim {
///     async fn resolve(&self, identity: &Identity, _users: &dyn UserStore<User>) -> Result<Option<User>, StoreError> {
///         let email = identity.claims().and_then(|c| c.get("email")).and_then(|v| v.as_str());
///         Ok(email.map(|e| User { id: e.to_owned() }))
///     }
/// }
/// ```
#[async_trait]
pub trait IdentityResolver<U: AuthUser>: Send + Sync + 'static {
    /// The user `identity` names.
    ///
    /// # Errors
    /// A store could not answer.
    async fn resolve(&self, identity: &Identity, users: &dyn UserStore<U>) -> Result<Option<U>, StoreError>;
}

/// The default: `UserStore::find_by_id` with the subject parsed as the user id (only
/// its canonical spelling: `"01"` or `"+1"` never name user 1).
///
/// ```
/// use portcullis::identity::FromStore;
/// # #[derive(Clone, portcullis::AuthUser)] struct User { #[auth_user(id)] id: i64 }
/// let auth = portcullis::Portcullis::builder(portcullis::InMemoryUserStore::<User>::new())
///     .resolver(FromStore) // what happens without a call, too
///     .build()
///     .unwrap();
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct FromStore;

#[async_trait]
impl<U: AuthUser> IdentityResolver<U> for FromStore {
    async fn resolve(&self, identity: &Identity, users: &dyn UserStore<U>) -> Result<Option<U>, StoreError> {
        let subject = identity.subject();
        let id = subject
            .parse::<U::Id>()
            .ok()
            .filter(|id| displays_as(id, subject));
        match id {
            Some(id) => users.find_by_id(&id).await,
            None => Ok(None),
        }
    }
}

/// Whether `value` displays as exactly `text` (`value.to_string() == text`, without
/// the string: compared piece by piece as `Display` writes it).
fn displays_as(value: &impl std::fmt::Display, text: &str) -> bool {
    struct Rest<'a>(&'a str);
    impl std::fmt::Write for Rest<'_> {
        fn write_str(&mut self, piece: &str) -> std::fmt::Result {
            // A mismatch (or text too short) stops the formatting with an error.
            let rest = self.0.strip_prefix(piece).ok_or(std::fmt::Error)?;
            self.0 = rest;
            Ok(())
        }
    }
    let mut rest = Rest(text);
    std::fmt::write(&mut rest, format_args!("{value}")).is_ok() && rest.0.is_empty()
}

#[async_trait]
impl<U, F> IdentityResolver<U> for F
where
    U: AuthUser,
    F: Fn(&Identity) -> Option<U> + Send + Sync + 'static,
{
    async fn resolve(&self, identity: &Identity, _: &dyn UserStore<U>) -> Result<Option<U>, StoreError> {
        Ok(self(identity))
    }
}

/// Makes the application's user of an identity provider's claims-only user.
pub(crate) type ProviderUsers<U> = std::sync::Arc<dyn Fn(ClaimsUser) -> U + Send + Sync>;

/// Runs the resolver within `limit` and maps its answer to the request's outcome.
pub(crate) async fn resolve<U: AuthUser>(
    resolver: &dyn IdentityResolver<U>,
    identity: &Identity,
    users: &dyn UserStore<U>,
    limit: Duration,
) -> Result<U, AuthError> {
    within(limit, "resolve", resolver.resolve(identity, users))
        .await
        .map_err(store_down)?
        .ok_or_else(|| AuthError::invalid(identity.scheme(), "the token's subject is not a known user"))
}

impl ClaimsMapping {
    /// The user an identity's claims describe.
    pub fn user(&self, identity: &Identity) -> ClaimsUser {
        self.map(identity.subject(), identity.claims())
    }
}

#[async_trait]
impl IdentityResolver<ClaimsUser> for ClaimsMapping {
    async fn resolve(
        &self,
        identity: &Identity,
        _: &dyn UserStore<ClaimsUser>,
    ) -> Result<Option<ClaimsUser>, StoreError> {
        Ok(Some(self.user(identity)))
    }
}

#[cfg(test)]
mod tests {
    use super::displays_as;

    #[test]
    fn displays_as_is_to_string_equality() {
        for (value, text) in [(1i64, "1"), (42, "42"), (-7, "-7"), (0, "0")] {
            assert!(displays_as(&value, text), "{value} {text}");
        }
        for (value, text) in [(1i64, "01"), (1, "+1"), (1, "1 "), (12, "1"), (1, "12"), (1, "")] {
            assert!(!displays_as(&value, text), "{value} {text:?}");
        }
        assert!(displays_as(&"a-b", "a-b"));
        assert!(!displays_as(&"a-b", "a-bc"));
    }
}

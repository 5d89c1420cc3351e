//! Identity resolution: a verified [`Identity`] becomes the handler's user — from the
//! user store by subject (the default), by the application's own resolver, or from
//! the token's claims alone ([`ClaimsUser`], no database at all).

use async_trait::async_trait;

use crate::error::{AuthError, StoreError, store_down};
use crate::scheme::Identity;
use crate::store::UserStore;
use crate::user::{AuthUser, DeclaredNames};

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
            .filter(|id| id.to_string() == subject);
        match id {
            Some(id) => users.find_by_id(&id).await,
            None => Ok(None),
        }
    }
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

/// Runs the resolver and maps its answer to the request's outcome.
pub(crate) async fn resolve<U: AuthUser>(
    resolver: &dyn IdentityResolver<U>,
    identity: &Identity,
    users: &dyn UserStore<U>,
) -> Result<U, AuthError> {
    resolver
        .resolve(identity, users)
        .await
        .map_err(store_down)?
        .ok_or_else(|| AuthError::invalid(identity.scheme(), "the token's subject is not a known user"))
}

/// A user made of the token's claims alone: no database. Roles, permissions and
/// scopes come from the claim paths of a [`ClaimsMapping`]; `#[require(role = ...)]`,
/// `#[permissions(...)]` and `scope = ...` work on it as on any user.
///
/// ```
/// use portcullis::{AuthUser, ClaimsUser};
/// let user = ClaimsUser::new("auth0|42").with_roles(["admin"]).with_permissions(["posts:read"]);
/// assert!(user.has_role("admin") && user.has_permission("posts:read"));
/// assert_eq!(user.id(), "auth0|42");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClaimsUser {
    id: String,
    name: Option<String>,
    roles: Vec<String>,
    permissions: Vec<String>,
    scopes: Vec<String>,
}

impl ClaimsUser {
    /// A user with this subject and nothing else.
    pub fn new(id: impl Into<String>) -> Self {
        ClaimsUser {
            id: id.into(),
            ..ClaimsUser::default()
        }
    }

    /// With a display name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// With roles.
    pub fn with_roles<S: Into<String>>(mut self, roles: impl IntoIterator<Item = S>) -> Self {
        self.roles.extend(roles.into_iter().map(Into::into));
        self
    }

    /// With permissions.
    pub fn with_permissions<S: Into<String>>(mut self, permissions: impl IntoIterator<Item = S>) -> Self {
        self.permissions.extend(permissions.into_iter().map(Into::into));
        self
    }

    /// With OAuth scopes.
    pub fn with_scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes.extend(scopes.into_iter().map(Into::into));
        self
    }

    /// The user's scopes.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }
}

/// Declares no names: roles and permissions are compared by name at run time.
impl DeclaredNames for ClaimsUser {}

impl AuthUser for ClaimsUser {
    type Id = String;

    fn id(&self) -> &String {
        &self.id
    }

    fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    fn for_each_role(&self, f: &mut dyn FnMut(&str)) {
        self.roles.iter().for_each(|r| f(r));
    }

    fn for_each_permission(&self, f: &mut dyn FnMut(&str)) {
        self.permissions.iter().for_each(|p| f(p));
    }
}

/// Where a [`ClaimsUser`]'s facts are in the token: dotted claim paths, each an array
/// of strings or a space-separated string. Defaults: name `preferred_username`,
/// roles `roles`, permissions `permissions`, scopes `scope` and `scp`.
///
/// ```
/// use portcullis::{ClaimsMapping, ClaimsUser, IdentityResolver, Identity, InMemoryUserStore, Claims, Scheme};
/// let keycloak = ClaimsMapping::new().roles("realm_access.roles");
/// let claims = Claims::from_json(serde_json::json!({
///     "sub": "f81d4fae", "realm_access": { "roles": ["admin"] }, "scope": "openid posts:read",
/// })).unwrap();
/// let identity = Identity::new(Scheme::JWT, "f81d4fae").with_claims(claims);
/// let user = keycloak.user(&identity);
/// assert!(portcullis::AuthUser::has_role(&user, "admin"));
/// assert_eq!(user.scopes(), ["openid", "posts:read"]);
/// ```
#[derive(Debug, Clone)]
pub struct ClaimsMapping {
    name: Vec<String>,
    roles: Vec<String>,
    permissions: Vec<String>,
    scopes: Vec<String>,
}

impl Default for ClaimsMapping {
    fn default() -> Self {
        ClaimsMapping {
            name: vec!["preferred_username".into()],
            roles: vec!["roles".into()],
            permissions: vec!["permissions".into()],
            scopes: vec!["scope".into(), "scp".into()],
        }
    }
}

impl ClaimsMapping {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// The display-name claim path (replaces the default).
    pub fn name(mut self, path: impl Into<String>) -> Self {
        self.name = vec![path.into()];
        self
    }

    /// A roles claim path (the first call replaces the default; later calls add).
    pub fn roles(mut self, path: impl Into<String>) -> Self {
        add_path(&mut self.roles, "roles", path.into());
        self
    }

    /// A permissions claim path (the first call replaces the default; later calls add).
    pub fn permissions(mut self, path: impl Into<String>) -> Self {
        add_path(&mut self.permissions, "permissions", path.into());
        self
    }

    /// A scopes claim path (the first call replaces the defaults; later calls add).
    pub fn scopes(mut self, path: impl Into<String>) -> Self {
        if self.scopes == ["scope", "scp"] {
            self.scopes.clear();
        }
        self.scopes.push(path.into());
        self
    }

    /// The user an identity's claims describe.
    pub fn user(&self, identity: &Identity) -> ClaimsUser {
        let mut user = ClaimsUser::new(identity.subject());
        let Some(claims) = identity.claims() else {
            return user;
        };
        let collect = |paths: &[String]| -> Vec<String> {
            paths
                .iter()
                .flat_map(|p| claims.strings_at(p))
                .map(str::to_owned)
                .collect()
        };
        user.name = self
            .name
            .iter()
            .find_map(|p| claims.path(p).and_then(|v| v.as_str()))
            .map(str::to_owned);
        user.roles = collect(&self.roles);
        user.permissions = collect(&self.permissions);
        user.scopes = collect(&self.scopes);
        user
    }
}

fn add_path(paths: &mut Vec<String>, default: &str, path: String) {
    if paths.len() == 1 && paths[0] == default {
        paths.clear();
    }
    paths.push(path);
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

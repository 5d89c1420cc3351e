//! Users made of a token's claims alone ([`ClaimsUser`]) and where their facts are in
//! the claims ([`ClaimsMapping`]): no database. A leaf module: schemes and identity
//! providers build such users without depending on identity resolution.

use serde_json::Value;

use crate::jwt::claims::{Claims, strings_of};
use crate::user::{AuthUser, DeclaredNames};

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
    name: Vec<ClaimPath>,
    roles: Vec<ClaimPath>,
    permissions: Vec<ClaimPath>,
    scopes: Vec<ClaimPath>,
}

/// Where a fact is: a dotted path as the application wrote it (a claim whose whole
/// name contains dots, like Auth0's `https://example.com/roles`, is found first), or
/// exact segments (a Keycloak client id may contain dots).
#[derive(Debug, Clone, PartialEq, Eq)]
enum ClaimPath {
    Dotted(String),
    Segments(Vec<String>),
}

impl ClaimPath {
    fn dotted(path: &str) -> Self {
        ClaimPath::Dotted(path.to_owned())
    }

    fn value<'c>(&self, claims: &'c Claims) -> Option<&'c Value> {
        match self {
            ClaimPath::Dotted(path) => claims.path(path),
            ClaimPath::Segments(segments) => claims.at(segments),
        }
    }
}

impl Default for ClaimsMapping {
    fn default() -> Self {
        ClaimsMapping {
            name: vec![ClaimPath::dotted("preferred_username")],
            roles: vec![ClaimPath::dotted("roles")],
            permissions: vec![ClaimPath::dotted("permissions")],
            scopes: vec![ClaimPath::dotted("scope"), ClaimPath::dotted("scp")],
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
        self.name = vec![ClaimPath::Dotted(path.into())];
        self
    }

    /// A roles claim path (the first call replaces the default; later calls add).
    pub fn roles(mut self, path: impl Into<String>) -> Self {
        add_path(&mut self.roles, &["roles"], ClaimPath::Dotted(path.into()));
        self
    }

    /// A roles claim at exact segments (no dot splitting).
    pub(crate) fn roles_at(mut self, segments: Vec<String>) -> Self {
        add_path(&mut self.roles, &["roles"], ClaimPath::Segments(segments));
        self
    }

    /// A permissions claim path (the first call replaces the default; later calls add).
    pub fn permissions(mut self, path: impl Into<String>) -> Self {
        add_path(
            &mut self.permissions,
            &["permissions"],
            ClaimPath::Dotted(path.into()),
        );
        self
    }

    /// A scopes claim path (the first call replaces the defaults; later calls add).
    pub fn scopes(mut self, path: impl Into<String>) -> Self {
        add_path(
            &mut self.scopes,
            &["scope", "scp"],
            ClaimPath::Dotted(path.into()),
        );
        self
    }

    /// The user that `claims` describe, with `subject` as its id.
    pub(crate) fn map(&self, subject: &str, claims: Option<&Claims>) -> ClaimsUser {
        let mut user = ClaimsUser::new(subject);
        let Some(claims) = claims else {
            return user;
        };
        let collect = |paths: &[ClaimPath]| -> Vec<String> {
            paths
                .iter()
                .flat_map(|p| strings_of(p.value(claims)))
                .map(str::to_owned)
                .collect()
        };
        user.name = self
            .name
            .iter()
            .find_map(|p| p.value(claims).and_then(|v| v.as_str()))
            .map(str::to_owned);
        user.roles = collect(&self.roles);
        user.permissions = collect(&self.permissions);
        user.scopes = collect(&self.scopes);
        user
    }
}

/// Replaces the defaults on the first call, adds on later ones.
fn add_path(paths: &mut Vec<ClaimPath>, defaults: &[&str], path: ClaimPath) {
    let untouched = paths.len() == defaults.len()
        && paths
            .iter()
            .zip(defaults)
            .all(|(p, d)| *p == ClaimPath::dotted(d));
    if untouched {
        paths.clear();
    }
    paths.push(path);
}

//! Identity-provider presets: where each provider's documented token shapes keep
//! roles, permissions, scopes and the display name, and which claim names the
//! audience. `#[require(role = ...)]`, `#[permissions(...)]` and `scope = ...` then
//! work unchanged on the resulting [`ClaimsUser`](crate::ClaimsUser).

use crate::claims_user::ClaimsMapping;
use crate::jwt::rules::AudienceClaim;

/// A provider's claim layout.
///
/// ```
/// use portcullis::identity::Preset;
/// use portcullis::{AuthUser, Claims, Identity, Scheme};
///
/// let claims = Claims::from_json(serde_json::json!({
///     "sub": "8f3a", "realm_access": { "roles": ["admin"] },
///     "resource_access": { "blog-api": { "roles": ["editor"] } },
///     "scope": "openid posts:read",
/// })).unwrap();
/// let identity = Identity::new(Scheme::JWT, "8f3a").with_claims(claims);
/// let user = Preset::keycloak("blog-api").mapping().user(&identity);
/// assert!(user.has_role("admin") && user.has_role("editor"));
/// assert_eq!(user.scopes(), ["openid", "posts:read"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preset {
    kind: Kind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Generic,
    Keycloak { client: String },
    Auth0 { roles_claim: String },
    EntraId,
    Cognito,
    Google,
}

impl Default for Preset {
    fn default() -> Self {
        Preset::generic()
    }
}

impl Preset {
    /// Roles from `roles`, permissions from `permissions`, scopes from `scope`
    /// (space-separated) or `scp`, name from `preferred_username`.
    pub fn generic() -> Self {
        Preset { kind: Kind::Generic }
    }

    /// Keycloak: realm roles (`realm_access.roles`) and the roles of `client`
    /// (`resource_access.<client>.roles`); scopes from `scope`.
    pub fn keycloak(client: impl Into<String>) -> Self {
        Preset {
            kind: Kind::Keycloak {
                client: client.into(),
            },
        }
    }

    /// Auth0: permissions from `permissions` (RBAC with "Add Permissions in the
    /// Access Token"), roles from the namespaced claim an Action adds
    /// (`roles_claim`, e.g. `https://example.com/roles`); scopes from `scope`.
    pub fn auth0(roles_claim: impl Into<String>) -> Self {
        Preset {
            kind: Kind::Auth0 {
                roles_claim: roles_claim.into(),
            },
        }
    }

    /// Microsoft Entra ID: app roles from `roles`, delegated scopes from `scp` (a
    /// space-separated string), name from `preferred_username`; the tenant is in
    /// `tid` (and in the issuer).
    pub fn entra_id() -> Self {
        Preset { kind: Kind::EntraId }
    }

    /// AWS Cognito access tokens: roles from `cognito:groups`, scopes from `scope`,
    /// name from `username`; the audience is the `client_id` claim (access tokens
    /// carry no `aud`) and `token_use` must be `access`.
    pub fn cognito() -> Self {
        Preset { kind: Kind::Cognito }
    }

    /// Google: name from `email`; Google sends no roles or permissions (the generic
    /// `roles` / `permissions` claims are read if a token has them).
    pub fn google() -> Self {
        Preset { kind: Kind::Google }
    }

    /// Reads a preset name as the reference server's `PORTCULLIS_OIDC_PRESET` does:
    /// `generic`, `keycloak:<client>`, `auth0:<roles claim>`, `entra`, `cognito`,
    /// `google`.
    ///
    /// ```
    /// use portcullis::identity::Preset;
    /// assert_eq!(Preset::parse("keycloak:blog-api"), Some(Preset::keycloak("blog-api")));
    /// assert_eq!(Preset::parse("okta"), None);
    /// ```
    pub fn parse(text: &str) -> Option<Self> {
        let (name, argument) = text.split_once(':').map_or((text, None), |(n, a)| (n, Some(a)));
        match (name, argument) {
            ("generic", None) => Some(Preset::generic()),
            ("keycloak", Some(client)) if !client.is_empty() => Some(Preset::keycloak(client)),
            ("auth0", Some(claim)) if !claim.is_empty() => Some(Preset::auth0(claim)),
            ("entra", None) => Some(Preset::entra_id()),
            ("cognito", None) => Some(Preset::cognito()),
            ("google", None) => Some(Preset::google()),
            _ => None,
        }
    }

    /// Where this provider keeps the user's facts.
    pub fn mapping(&self) -> ClaimsMapping {
        let base = ClaimsMapping::new();
        match &self.kind {
            Kind::Generic => base,
            Kind::Keycloak { client } => base
                .roles("realm_access.roles")
                .roles_at(vec!["resource_access".into(), client.clone(), "roles".into()])
                .scopes("scope"),
            Kind::Auth0 { roles_claim } => base.roles(roles_claim.clone()).scopes("scope"),
            Kind::EntraId => base.scopes("scp"),
            Kind::Cognito => base.name("username").roles("cognito:groups").scopes("scope"),
            Kind::Google => base.name("email").scopes("scope"),
        }
    }

    /// The claim that names the audience.
    #[cfg_attr(not(feature = "oidc"), allow(dead_code))]
    pub(crate) fn audience_claim(&self) -> AudienceClaim {
        match self.kind {
            Kind::Cognito => AudienceClaim::ClientId,
            _ => AudienceClaim::Aud,
        }
    }

    /// Claims with a fixed value in the provider's access tokens.
    #[cfg_attr(not(feature = "oidc"), allow(dead_code))]
    pub(crate) fn fixed_claims(&self) -> Vec<(String, String)> {
        match self.kind {
            Kind::Cognito => vec![("token_use".to_owned(), "access".to_owned())],
            _ => Vec::new(),
        }
    }
}

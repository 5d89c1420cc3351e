//! How a provider is configured: [`IdpOptions`] and its defaults.

use serde_json::Value;

/// The default client of the provider.
pub const CLIENT_ID: &str = "portcullis-tests";
pub const CLIENT_SECRET: &str = "portcullis-tests-secret-0123456789";
/// The default resource indicator, which is the `aud` of the JWT access tokens
/// (oidc-provider takes only absolute URIs as resource indicators).
pub const AUDIENCE: &str = "https://api.portcullis.test";
/// The scopes of the client.
pub const SCOPES: &str = "api:read api:write";
/// The default lifetime of access tokens, in seconds.
pub const TOKEN_TTL: u64 = 600;

/// How a provider is configured; [`IdpOptions::default`] is the one of
/// [`Idp::start`](super::Idp::start) with the kid `k1`.
#[derive(Debug, Clone)]
pub struct IdpOptions {
    /// The kids published, in order; the first signs new tokens. A kid new to the keys
    /// file gets a new RSA 2048 key.
    pub kids: Vec<String>,
    /// Claims added to every access token (a JSON object).
    pub extra_claims: Value,
    /// Publish the keys without `alg` (tokens are still RS256).
    pub omit_alg: bool,
    /// Lifetime of the access tokens, in seconds.
    pub token_ttl: u64,
    /// The resource indicator of [`Idp::jwt_token`](super::Idp::jwt_token) and the
    /// `aud` of its tokens; must be an absolute URI.
    pub audience: String,
    pub client_id: String,
    pub client_secret: String,
    /// The scopes of the client (space-separated).
    pub scopes: String,
}

impl Default for IdpOptions {
    fn default() -> Self {
        IdpOptions {
            kids: vec!["k1".to_owned()],
            extra_claims: serde_json::json!({
                "roles": ["admin"],
                "permissions": ["users:read"],
                "preferred_username": "service-bot",
            }),
            omit_alg: false,
            token_ttl: TOKEN_TTL,
            audience: AUDIENCE.to_owned(),
            client_id: CLIENT_ID.to_owned(),
            client_secret: CLIENT_SECRET.to_owned(),
            scopes: SCOPES.to_owned(),
        }
    }
}

impl IdpOptions {
    /// The defaults with these kids.
    pub fn with_kids(kids: &[&str]) -> Self {
        IdpOptions {
            kids: kids.iter().map(|&kid| kid.to_owned()).collect(),
            ..IdpOptions::default()
        }
    }
}

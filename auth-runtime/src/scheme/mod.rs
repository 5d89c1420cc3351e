//! Authentication schemes: the [`AuthScheme`] trait and the built-ins on it.
//!
//! A scheme extracts its credential from the request head (absent, present or
//! malformed), verifies it into a [`Verified`] identity, and contributes its challenge
//! to a 401. The gate ([`Portcullis`](crate::Portcullis)) tries a route's schemes in
//! order, refuses when any presented credential is bad (fail closed), resolves the
//! identity into a user and runs the hooks.

mod api_key;
mod basic;
mod credential_in;
mod jwt;
pub(crate) mod name;
mod session;

use std::sync::Arc;

use async_trait::async_trait;
use http::request::Parts;

use crate::claims_user::ClaimsUser;
use crate::error::AuthError;
use crate::jwt::claims::Claims;
use crate::login::Login;
use crate::store::UserStore;
use crate::user::AuthUser;

pub use api_key::{ApiKey, ApiKeyConfig, ApiKeyValidator};
pub use basic::Basic;
pub use credential_in::CredentialIn;
pub use jwt::{BearerToken, Jwt, TokenLocation};
pub use name::Scheme;
pub use session::Session;

/// Who a verified credential names, before the user is loaded.
///
/// ```
/// use portcullis::{Identity, Scheme};
/// let id = Identity::new(Scheme::custom("hmac"), "42").with_key_id("client-a");
/// assert_eq!(id.subject(), "42");
/// assert_eq!(id.key_id(), Some("client-a"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Identity {
    scheme: Scheme,
    subject: String,
    claims: Option<Claims>,
    key_id: Option<String>,
    provider: Option<Arc<str>>,
    /// An identity provider's user as its claim mapping describes it.
    pub(crate) mapped: Option<ClaimsUser>,
}

impl Identity {
    /// `subject` authenticated by `scheme`.
    pub fn new(scheme: Scheme, subject: impl Into<String>) -> Self {
        Identity {
            scheme,
            subject: subject.into(),
            claims: None,
            key_id: None,
            provider: None,
            mapped: None,
        }
    }

    /// Vouched for by the identity provider whose issuer is `issuer`; `user` is what
    /// its claim mapping made of the claims.
    pub(crate) fn vouched_by(mut self, issuer: Arc<str>, user: ClaimsUser) -> Self {
        self.provider = Some(issuer);
        self.mapped = Some(user);
        self
    }

    /// The issuer of the identity provider that vouched for this identity; `None` for
    /// the application's own credentials. A provider's subject is never looked up as
    /// a local user.
    pub fn provider(&self) -> Option<&str> {
        self.provider.as_deref()
    }

    /// With the verified claims of a token.
    pub fn with_claims(mut self, claims: Claims) -> Self {
        self.claims = Some(claims);
        self
    }

    /// With the id of the key that verified the credential.
    pub fn with_key_id(mut self, key_id: impl Into<String>) -> Self {
        self.key_id = Some(key_id.into());
        self
    }

    /// The scheme that verified it.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The subject (a user id, or the provider's `sub`).
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The verified claims, for tokens.
    pub fn claims(&self) -> Option<&Claims> {
        self.claims.as_ref()
    }

    /// The key id, when the scheme has keys.
    pub fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }

    pub(crate) fn into_parts(self) -> (Scheme, Option<Claims>, Option<String>, Option<Arc<str>>) {
        (self.scheme, self.claims, self.key_id, self.provider)
    }
}

/// What a scheme's verification produced: an identity, and the user when the scheme
/// loaded it itself (API keys and passwords look users up directly). Without a user,
/// the gate's identity resolver loads one.
///
/// ```
/// use portcullis::schemes::{Identity, Scheme, Verified};
/// use portcullis::identity::ClaimsUser;
/// let by_subject: Verified<ClaimsUser> = Verified::identity(Identity::new(Scheme::custom("hmac"), "42"));
/// let loaded = Verified::user(Identity::new(Scheme::custom("hmac"), "42"), ClaimsUser::new("42"));
/// # let _ = (by_subject, loaded);
/// ```
#[derive(Debug, Clone)]
pub struct Verified<U> {
    pub(crate) identity: Identity,
    pub(crate) user: Option<U>,
}

impl<U> Verified<U> {
    /// An identity for the resolver to turn into a user.
    pub fn identity(identity: Identity) -> Self {
        Verified { identity, user: None }
    }

    /// An identity whose user the scheme loaded already.
    pub fn user(identity: Identity, user: U) -> Self {
        Verified {
            identity,
            user: Some(user),
        }
    }
}

/// What a scheme may use while verifying: the user store (and, for the built-ins, the
/// throttled password check).
///
/// ```
/// use portcullis::schemes::Context;
/// use portcullis::{AuthUser, StoreError};
/// async fn load<U: AuthUser>(context: &Context<'_, U>, name: &str) -> Result<Option<U>, StoreError> {
///     context.users().find_by_username(name).await
/// }
/// ```
pub struct Context<'a, U: AuthUser> {
    pub(crate) users: &'a dyn UserStore<U>,
    pub(crate) login: &'a Login,
}

impl<U: AuthUser> Context<'_, U> {
    /// The application's user store.
    pub fn users(&self) -> &dyn UserStore<U> {
        self.users
    }
}

/// An authentication scheme: the built-ins ([`Jwt`], [`ApiKey`], [`Basic`],
/// [`Session`]) implement it, and so can any application type. Register an instance
/// with [`PortcullisBuilder::scheme`](crate::PortcullisBuilder::scheme) and list the
/// type in `#[auth(jwt, custom(MyScheme))]`.
///
/// ```
/// use http::request::Parts;
/// use portcullis::{async_trait, AuthError, AuthScheme, AuthUser, Context, Identity, Scheme, Verified};
///
/// /// `X-Service: <name>` from a trusted network segment (an example, not advice).
/// struct ServiceName;
///
/// #[async_trait]
/// impl<U: AuthUser> AuthScheme<U> for ServiceName {
///     type Credential = String;
///     fn name(&self) -> Scheme { Scheme::custom("service") }
///     fn extract(&self, parts: &Parts) -> Result<Option<String>, AuthError> {
///         match parts.headers.get("x-service").map(|v| v.to_str()) {
///             None => Ok(None),
///             Some(Ok(name)) if !name.is_empty() => Ok(Some(name.to_owned())),
///             Some(_) => Err(AuthError::invalid_request(Scheme::custom("service"), "bad X-Service")),
///         }
///     }
///     async fn verify(&self, _: &Parts, name: String, _: &Context<'_, U>) -> Result<Verified<U>, AuthError> {
///         Ok(Verified::identity(Identity::new(Scheme::custom("service"), name)))
///     }
///     fn challenge(&self, realm: &str) -> String { format!("Service realm=\"{realm}\"") }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an authentication scheme for `{U}`",
    label = "this type does not implement `AuthScheme<{U}>`",
    note = "implement `portcullis::AuthScheme<{U}>` for `{Self}` and register an instance with `PortcullisBuilder::scheme`"
)]
#[async_trait]
pub trait AuthScheme<U: AuthUser>: Send + Sync + 'static {
    /// The credential as read from the request, before verification.
    type Credential: Send + Sync + 'static;

    /// The scheme's name (in `AuthInfo`, logs and bodies).
    fn name(&self) -> Scheme;

    /// Reads the credential: `Ok(None)` when absent, an error (usually
    /// [`AuthError::invalid_request`]) when present but malformed. Bounded and
    /// syntax-only: nothing is verified yet.
    ///
    /// # Errors
    /// The credential is present but malformed.
    fn extract(&self, parts: &Parts) -> Result<Option<Self::Credential>, AuthError>;

    /// Verifies the credential.
    ///
    /// # Errors
    /// 401 ([`AuthError::invalid`]) for refused credentials, 503 when a store fails.
    async fn verify(
        &self,
        parts: &Parts,
        credential: Self::Credential,
        context: &Context<'_, U>,
    ) -> Result<Verified<U>, AuthError>;

    /// The challenge this scheme adds to a 401, without error parameters
    /// (`Bearer realm="api"`).
    fn challenge(&self, realm: &str) -> String;

    /// Whether `error=` / `error_description=` parameters may be added to the
    /// challenge of a failed credential (RFC 6750 style; Basic defines none).
    fn challenge_takes_errors(&self) -> bool {
        true
    }

    /// Where the credential travels, for API descriptions (the `utoipa` feature's
    /// OpenAPI security schemes): one entry per place [`extract`](Self::extract)
    /// reads. By default `Authorization` with the authentication scheme that
    /// [`challenge`](Self::challenge) names (`Service realm="…"` → `service`);
    /// override it when the credential is elsewhere, as `X-Service` above is:
    ///
    /// ```
    /// # use portcullis::schemes::CredentialIn;
    /// # struct ServiceName;
    /// # impl ServiceName {
    /// fn credential_in(&self) -> Vec<CredentialIn> {
    ///     vec![CredentialIn::Header("X-Service".into())]
    /// }
    /// # }
    /// ```
    fn credential_in(&self) -> Vec<CredentialIn> {
        CredentialIn::from_challenge(&self.challenge("api"))
    }
}

//! The `basic` scheme: HTTP Basic (RFC 7617), checked by the throttled password
//! check against the user's argon2id hash, or by the application's verifier.

use std::sync::Arc;

use async_trait::async_trait;
use http::request::Parts;

use super::{AuthScheme, Context, CredentialIn, Identity, Verified};
use crate::credentials::{self, BasicCredentials};
use crate::error::AuthError;
use crate::login::PasswordVerifier;
use crate::scheme::name::Scheme;
use crate::user::AuthUser;

/// The built-in `basic` scheme (a verifier is set with
/// [`PortcullisBuilder::password_verifier`](crate::PortcullisBuilder::password_verifier)).
///
/// ```
/// use portcullis::{Authenticated, identity::ClaimsUser, schemes::Basic};
/// async fn handler(auth: Authenticated<ClaimsUser, (Basic,)>) -> String {
///     auth.info.scheme().to_string() // "basic"
/// }
/// ```
pub struct Basic {
    pub(crate) verifier: Option<Arc<dyn PasswordVerifier>>,
}

#[async_trait]
impl<U: AuthUser> AuthScheme<U> for Basic {
    type Credential = BasicCredentials;

    fn name(&self) -> Scheme {
        Scheme::BASIC
    }

    fn extract(&self, parts: &Parts) -> Result<Option<BasicCredentials>, AuthError> {
        match credentials::authorization(&parts.headers)? {
            Some(authorization) if authorization.is("basic") => {
                credentials::basic(authorization.value).map(Some)
            }
            _ => Ok(None),
        }
    }

    async fn verify(
        &self,
        parts: &Parts,
        credentials: BasicCredentials,
        context: &Context<'_, U>,
    ) -> Result<Verified<U>, AuthError> {
        // Browsers replay cached Basic credentials on cross-site requests: unsafe
        // methods get the same-site check that cookies get.
        if !credentials::is_safe_method(&parts.method) {
            context.login.origins.check(parts)?;
        }
        let client = context.login.client(parts, credentials::client_addr(parts));
        let (username, password) = (&credentials.username, &credentials.password);
        if let Some(verifier) = &self.verifier {
            let subject = context
                .login
                .check_with(&**verifier, Scheme::BASIC, username, password, client)
                .await?;
            return Ok(Verified::identity(Identity::new(Scheme::BASIC, subject)));
        }
        let (user, _) = context
            .login
            .check(context.users, Scheme::BASIC, username, password, client)
            .await?;
        Ok(Verified::user(
            Identity::new(Scheme::BASIC, user.id().to_string()),
            user,
        ))
    }

    fn challenge(&self, realm: &str) -> String {
        format!("Basic realm=\"{realm}\", charset=\"UTF-8\"")
    }

    fn challenge_takes_errors(&self) -> bool {
        false
    }

    fn credential_in(&self) -> Vec<CredentialIn> {
        vec![CredentialIn::authorization("basic")]
    }
}

//! The `session` scheme: a server-side session named by a cookie; unsafe methods
//! need the session's CSRF token and a same-site request.

use std::sync::Arc;

use async_trait::async_trait;
use http::request::Parts;

use super::{AuthScheme, Context, CredentialIn, Identity, Verified};
use crate::error::{AuthError, store_down};
use crate::scheme::name::Scheme;
use crate::sessions::Sessions;
use crate::user::AuthUser;

/// The built-in `session` scheme (configured with [`PortcullisBuilder::sessions`](crate::PortcullisBuilder::sessions)).
///
/// ```
/// use portcullis::{Authenticated, identity::ClaimsUser, schemes::Session};
/// async fn handler(auth: Authenticated<ClaimsUser, (Session,)>) -> String {
///     auth.info.scheme().to_string() // "session"
/// }
/// ```
pub struct Session {
    pub(crate) sessions: Arc<Sessions>,
}

#[async_trait]
impl<U: AuthUser> AuthScheme<U> for Session {
    type Credential = String;

    fn name(&self) -> Scheme {
        Scheme::SESSION
    }

    fn extract(&self, parts: &Parts) -> Result<Option<String>, AuthError> {
        self.sessions.id_from(&parts.headers)
    }

    async fn verify(
        &self,
        parts: &Parts,
        id: String,
        context: &Context<'_, U>,
    ) -> Result<Verified<U>, AuthError> {
        let record = self.sessions.verify(parts, &id).await?;
        let unknown = || AuthError::invalid(Scheme::SESSION, "the session's user no longer exists");
        let user_id = record.user_id.parse::<U::Id>().map_err(|_| unknown())?;
        let user = context
            .users
            .find_by_id(&user_id)
            .await
            .map_err(store_down)?
            .ok_or_else(unknown)?;
        Ok(Verified::user(
            Identity::new(Scheme::SESSION, record.user_id),
            user,
        ))
    }

    fn challenge(&self, realm: &str) -> String {
        format!("Session realm=\"{realm}\"")
    }

    fn credential_in(&self) -> Vec<CredentialIn> {
        vec![CredentialIn::Cookie(self.sessions.cookie_name.clone())]
    }
}

//! The mailed single-use links of the auth router (e-mail confirmation, password
//! reset): a random token in the link, only its SHA-256 (under a domain per purpose)
//! in the gate's single-use store, taken atomically once, expiring; and the mail that
//! carries it, rendered from the router's templates.

use std::time::{Duration, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::error::{AuthError, StoreError};
use crate::gate::Portcullis;
use crate::mail_templates::MailTemplate;
use crate::store::SessionRecord;
use crate::user::AuthUser;

use super::RouterState;

/// The length of a link token: 256 random bits, base64url without padding.
const TOKEN_LEN: usize = 43;

/// What a link does: each purpose hashes its tokens under its own domain, so that a
/// confirmation token is no reset token (and neither is a session id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Purpose {
    Confirmation,
    PasswordReset,
}

impl Purpose {
    fn key(self, token: &str) -> [u8; 32] {
        let domain = match self {
            Purpose::Confirmation => "portcullis e-mail confirmation",
            Purpose::PasswordReset => "portcullis password reset",
        };
        Sha256::digest(format!("{domain}\n{token}").as_bytes()).into()
    }
}

/// A link that was taken from the store (it is spent now).
pub(super) struct Taken {
    pub(super) user_id: String,
    record: SessionRecord,
    key: [u8; 32],
}

/// Why a link could not be mailed.
pub(super) enum NotSent {
    /// No randomness, or the hashing failed.
    Auth(AuthError),
    /// The single-use store or the mailer failed.
    Store(StoreError),
}

/// Stores a new single-use link of `purpose` for `user_id`, valid `ttl`, and mails it
/// to `to` from `template` (`{link}`, `{username}`, `{minutes}`).
pub(super) async fn mail_link<U: AuthUser>(
    auth: &Portcullis<U>,
    config: &RouterState<U>,
    link: (Purpose, &str, Duration),
    user: (&str, &str),
    to: &str,
    template: &MailTemplate,
) -> Result<(), NotSent> {
    let (purpose, prefix, ttl) = link;
    let (user_id, username) = user;
    let mut bytes = [0u8; 32];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| NotSent::Auth(AuthError::Unavailable))?;
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let record = SessionRecord {
        user_id: user_id.to_owned(),
        csrf_token: String::new(),
        created: SystemTime::now(),
    };
    auth.one_time_store()
        .create(&purpose.key(&token), &record, ttl)
        .await
        .map_err(NotSent::Store)?;
    let link = format!("{prefix}{token}");
    let minutes = (ttl.as_secs() / 60).to_string();
    let (subject, body) = template.render(&[("link", &link), ("username", username), ("minutes", &minutes)]);
    config
        .shared
        .mailer
        .send(to, &subject, &body)
        .await
        .map_err(NotSent::Store)
}

/// Takes the link `token` of `purpose` (single use, atomically: of two racing requests
/// one gets it). `Ok(None)` for a malformed, unknown, used or expired token.
pub(super) async fn take_link<U: AuthUser>(
    auth: &Portcullis<U>,
    purpose: Purpose,
    token: &str,
    ttl: Duration,
) -> Result<Option<Taken>, StoreError> {
    if token.len() != TOKEN_LEN {
        return Ok(None);
    }
    let key = purpose.key(token);
    Ok(auth.one_time_store().take(&key, ttl).await?.map(|record| Taken {
        user_id: record.user_id.clone(),
        record,
        key,
    }))
}

impl Taken {
    /// Puts the link back for the rest of its time (its action failed: the user may
    /// retry it). Best effort.
    pub(super) async fn put_back<U: AuthUser>(self, auth: &Portcullis<U>, ttl: Duration) {
        let left = ttl.saturating_sub(self.record.created.elapsed().unwrap_or_default());
        if !left.is_zero() {
            let _ = auth.one_time_store().create(&self.key, &self.record, left).await;
        }
    }
}

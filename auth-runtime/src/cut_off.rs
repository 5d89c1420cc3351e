//! Revoking everything issued before a moment: per user (logout everywhere, a
//! password change, an admin disabling an account) or for every user (a signing key
//! was compromised). Access tokens are compared by their `iat`, refresh families by
//! the start of the family, sessions by their creation; every request checks.
//!
//! `iat` counts whole seconds, so a cut-off is set at the *next* whole second and its
//! setter waits until that second has begun: every credential issued before the call
//! returned is refused, and every one issued after it is accepted (a login racing the
//! call within that second is refused: fail closed). The cut-off is kept in the
//! [`RevocationStore`] for as long as a credential it ends could live.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::{AuthError, store_down};
use crate::scheme::name::Scheme;
use crate::store::RevocationStore;

/// At least this long a cut-off is kept: tokens the application did not issue may
/// live long (bounded only by [`JwtConfig::max_lifetime`](crate::JwtConfig::max_lifetime)).
const MIN_KEEP: Duration = Duration::from_secs(366 * 24 * 3600);
/// Beyond the longest lifetime: the clock leeway of the time checks.
const LEEWAY: Duration = Duration::from_secs(60);

/// The cut-offs of one gate: its revocation store and how long an entry is kept.
#[derive(Clone)]
pub(crate) struct CutOffs {
    store: Arc<dyn RevocationStore>,
    keep: Duration,
}

impl CutOffs {
    /// `lifetimes`: the longest a credential of the gate lives (access tokens, refresh
    /// families, sessions, `JwtConfig::max_lifetime`).
    pub(crate) fn new(store: Arc<dyn RevocationStore>, lifetimes: &[Duration]) -> Self {
        let longest = lifetimes.iter().copied().fold(MIN_KEEP, Duration::max);
        CutOffs {
            store,
            keep: longest.saturating_add(LEEWAY),
        }
    }

    /// Refuses a credential of `subject` (`None`: a user the application does not
    /// own, for whom only the cut-off of every user applies) issued at `issued`; one
    /// whose issue time is unknown is refused whenever a cut-off applies.
    pub(crate) async fn check(
        &self,
        scheme: Scheme,
        subject: Option<&str>,
        issued: Option<SystemTime>,
    ) -> Result<(), AuthError> {
        let cut_off = self.store.issued_before(subject).await.map_err(store_down)?;
        Self::judge(scheme, cut_off, issued)
    }

    /// Refuses a credential issued at `issued` under `cut_off` (as read from the store).
    pub(crate) fn judge(
        scheme: Scheme,
        cut_off: Option<SystemTime>,
        issued: Option<SystemTime>,
    ) -> Result<(), AuthError> {
        match (cut_off, issued) {
            (None, _) => Ok(()),
            (Some(cut_off), Some(issued)) if issued >= cut_off => Ok(()),
            (Some(_), _) => Err(AuthError::invalid(
                scheme,
                "the credential was revoked with every one issued before it",
            )),
        }
    }

    /// Revokes every credential of `subject` (`None`: of every user) issued until
    /// now; returns once the cut-off is in force, with its time.
    pub(crate) async fn revoke(&self, subject: Option<&str>) -> Result<SystemTime, AuthError> {
        let now = SystemTime::now();
        let since_epoch = now.duration_since(UNIX_EPOCH).unwrap_or_default();
        let next_second = Duration::from_secs(since_epoch.as_secs().saturating_add(1));
        let before = UNIX_EPOCH + next_second;
        let until = before.checked_add(self.keep).unwrap_or(before);
        self.store
            .revoke_issued_before(subject, before, until)
            .await
            .map_err(store_down)?;
        // Tokens issued from here on carry `iat` >= `before`: wait for that second.
        if let Ok(wait) = before.duration_since(SystemTime::now()) {
            tokio::time::sleep(wait).await;
        }
        Ok(before)
    }
}

/// A token's `iat` as a time (`None` when absent or not a plausible number).
pub(crate) fn issued_at(claims: &crate::Claims) -> Option<SystemTime> {
    let iat = claims.get("iat")?.as_f64()?;
    if !(0.0..1e11).contains(&iat) {
        return None;
    }
    UNIX_EPOCH.checked_add(Duration::from_secs_f64(iat))
}

//! Store calls under a time limit ([`PortcullisBuilder::store_timeout`]): a store that
//! does not answer in time is a store that cannot answer, so the request gets the
//! same 503 `temporarily_unavailable` (with `Retry-After`) as for a store error, and a
//! `store call timed out` warning names the operation. Nothing waits on a hung
//! database, a saturated connection pool or a stalled network for longer.
//!
//! Every store the gate calls is bounded: the user store through [`TimedUsers`]
//! (also what custom schemes and resolvers get as `users`), the realm's view of the
//! other stores in `scoped.rs`, and the `jwt` scheme's own revocation check. A
//! deliberate wait (the login throttle's delay) is not a store call and is not cut.
//!
//! [`PortcullisBuilder::store_timeout`]: crate::PortcullisBuilder::store_timeout

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::{ApiKeyHash, StoreError, UserStore};
use crate::user::AuthUser;

/// The default limit on one store call: far above a healthy store's answer (a
/// millisecond or so) and above `RedisStore`'s own limits (1.5 s a call), so those
/// report their own reason first; far below the 30–60 s after which proxies and
/// clients give up. A connection pool waiting for a free connection (sqlx waits 30 s
/// by default) is cut here.
pub(crate) const DEFAULT_STORE_TIMEOUT: Duration = Duration::from_secs(5);

/// `call`, or a [`StoreError`] once `limit` has passed (the call is dropped).
pub(crate) async fn within<T>(
    limit: Duration,
    operation: &'static str,
    call: impl Future<Output = Result<T, StoreError>>,
) -> Result<T, StoreError> {
    match tokio::time::timeout(limit, call).await {
        Ok(answer) => answer,
        Err(_) => {
            let ms = u64::try_from(limit.as_millis()).unwrap_or(u64::MAX);
            tracing::warn!(operation, timeout_ms = ms, "store call timed out");
            Err(StoreError::new(format!("{operation} timed out after {ms} ms")))
        }
    }
}

/// The application's user store with every call under the limit. Every method of
/// `UserStore` is forwarded (a provided method left out would silently run its
/// default instead of the application's).
pub(crate) struct TimedUsers<U: AuthUser> {
    inner: Arc<dyn UserStore<U>>,
    limit: Duration,
}

impl<U: AuthUser> TimedUsers<U> {
    pub(crate) fn new(inner: Arc<dyn UserStore<U>>, limit: Duration) -> Arc<Self> {
        Arc::new(TimedUsers { inner, limit })
    }
}

#[async_trait]
impl<U: AuthUser> UserStore<U> for TimedUsers<U> {
    async fn find_by_id(&self, id: &U::Id) -> Result<Option<U>, StoreError> {
        within(self.limit, "find_by_id", self.inner.find_by_id(id)).await
    }
    async fn find_by_username(&self, username: &str) -> Result<Option<U>, StoreError> {
        within(
            self.limit,
            "find_by_username",
            self.inner.find_by_username(username),
        )
        .await
    }
    async fn find_by_api_key_hash(&self, hash: &ApiKeyHash) -> Result<Option<U>, StoreError> {
        within(
            self.limit,
            "find_by_api_key_hash",
            self.inner.find_by_api_key_hash(hash),
        )
        .await
    }
    async fn find_by_email(&self, email: &str) -> Result<Option<U>, StoreError> {
        within(self.limit, "find_by_email", self.inner.find_by_email(email)).await
    }
    async fn update_password_hash(&self, id: &U::Id, hash: &str) -> Result<bool, StoreError> {
        within(
            self.limit,
            "update_password_hash",
            self.inner.update_password_hash(id, hash),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_call_past_the_limit_is_a_store_error() {
        let slow = async {
            tokio::time::sleep(Duration::from_secs(60)).await;
            Ok(1)
        };
        let error = within(Duration::from_millis(20), "find_by_id", slow)
            .await
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "store unavailable: find_by_id timed out after 20 ms"
        );
        let quick = async { Ok::<_, StoreError>(2) };
        assert_eq!(within(Duration::from_secs(5), "x", quick).await.unwrap(), 2);
    }
}

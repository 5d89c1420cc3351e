//! The store behaviour suite (`tests/support/store_suite.rs`) against the in-memory
//! stores, the reference semantics. `RedisStore` runs the same suite in the `services`
//! binary.

use std::sync::Arc;

use portcullis::{
    InMemoryRefreshStore, InMemoryRevocationStore, InMemorySessionStore, InMemoryThrottleStore,
};

use crate::support::store_suite;

/// Each listed suite function runs as the test `stores::<name>` on a fresh store.
macro_rules! store_tests {
    ($store:ty => $($name:ident),+ $(,)?) => { $(
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $name() {
            store_suite::$name(Arc::new(<$store>::default())).await;
        }
    )+ };
}

store_tests!(InMemoryRefreshStore =>
    refresh_rotation, refresh_reuse_revokes_family, refresh_forgery_revokes_nothing,
    refresh_absolute_lifetime, refresh_revoke_family,
    refresh_revoke_expired_family, refresh_expiry, refresh_concurrent_rotation,
    refresh_current_grant,
);
store_tests!(InMemorySessionStore =>
    session_create_touch_destroy, session_idle_expiry, session_absolute_expiry, session_take_once,
);
store_tests!(InMemoryThrottleStore =>
    throttle_counting, throttle_window, throttle_concurrent_failures, throttle_forgive,
);
store_tests!(InMemoryRevocationStore => revocation_revoke, revocation_expiry, revocation_cut_offs, revocation_check);

//! Two user types in one application (`tests/support/isolation_suite.rs`) whose gates
//! share one `RedisStore` (one prefix): each gate keeps its refresh families, sessions,
//! confirmation links, throttle counters and cut-offs under its own realm namespace, so
//! no credential of one type authenticates at the other's routes.

use libtest_mimic::Trial;

use crate::NEEDS_REDIS;
use crate::redis_server::local_store;
use crate::services::tokio_trial;
use crate::support::isolation_suite::{self, Realms};

/// One trial per scenario and way of naming the realms.
pub fn trials() -> Vec<Trial> {
    macro_rules! on_redis {
        ($($name:ident),+ $(,)?) => {
            vec![$(
                tokio_trial(concat!("redis_isolation::named::", stringify!($name)), &NEEDS_REDIS, 1, || async {
                    isolation_suite::$name(local_store().await, Realms::Named).await;
                }),
                tokio_trial(concat!("redis_isolation::derived::", stringify!($name)), &NEEDS_REDIS, 1, || async {
                    isolation_suite::$name(local_store().await, Realms::Derived).await;
                }),
            )+]
        };
    }
    on_redis![
        tokens_do_not_cross,
        sessions_do_not_cross,
        confirmation_links_follow_the_prefix_and_do_not_cross,
        throttles_and_cut_offs_stay_per_type,
    ]
}

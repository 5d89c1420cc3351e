//! The auth router's password change and reset (`tests/support/password_suite.rs`) with
//! every store in Redis (a fresh prefix each): revocation cut-offs, refresh families,
//! sessions, the single-use reset links and the throttle counters.

use libtest_mimic::Trial;

use crate::NEEDS_REDIS;
use crate::redis_server::local_store;
use crate::services::tokio_trial;
use crate::support::password_suite;

/// One trial per scenario.
pub fn trials() -> Vec<Trial> {
    macro_rules! on_redis {
        ($($name:ident),+ $(,)?) => {
            vec![$(
                tokio_trial(concat!("redis_passwords::", stringify!($name)), &NEEDS_REDIS, 2, || async {
                    let store = local_store().await;
                    password_suite::$name(move |b| b.stores(store)).await;
                }),
            )+]
        };
    }
    on_redis![
        change_by_token_ends_every_other_credential,
        change_in_session_renews_the_session,
        reset_link_sets_the_password_once,
        expired_or_unknown_reset_links_are_refused,
    ]
}

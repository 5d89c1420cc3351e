//! The auth router's account features (`tests/support/account_suite.rs`) with every
//! store in Redis (a fresh prefix each): login by e-mail under Redis throttling,
//! sign-in on registration, token cookies (refresh families and reuse detection in
//! Redis) and disabling an account (its cut-off in Redis). Ignored without Redis (a
//! failure with PORTCULLIS_REQUIRE_REDIS=1).

use libtest_mimic::Trial;

use crate::NEEDS_REDIS;
use crate::redis_server::local_store;
use crate::services::tokio_trial;
use crate::support::account_suite;

/// One trial per scenario.
pub fn trials() -> Vec<Trial> {
    macro_rules! on_redis {
        ($($name:ident),+ $(,)?) => {
            vec![$(
                tokio_trial(concat!("redis_accounts::", stringify!($name)), &NEEDS_REDIS, 1, || async {
                    let store = local_store().await;
                    account_suite::$name(move |b| b.stores(store.clone())).await;
                }),
            )+]
        };
    }
    on_redis![
        login_by_name_or_email,
        sign_in_on_registration,
        tokens_in_cookies,
        disable_ends_every_credential,
    ]
}

//! "Revoke everything issued before T" (`tests/support/cut_off_suite.rs`) with every
//! store in Redis (a fresh prefix each): the cut-offs live in Redis, so every server
//! process sharing it applies them.

use libtest_mimic::Trial;

use crate::NEEDS_REDIS;
use crate::redis_server::local_store;
use crate::services::tokio_trial;
use crate::support::cut_off_suite;
use crate::support::{builder, users};

/// One trial per scenario.
pub fn trials() -> Vec<Trial> {
    macro_rules! on_redis {
        ($($name:ident),+ $(,)?) => {
            vec![$(
                tokio_trial(concat!("redis_cut_offs::", stringify!($name)), &NEEDS_REDIS, 1, || async {
                    cut_off_suite::$name(builder(users()).stores(local_store().await)).await;
                }),
            )+]
        };
    }
    on_redis![
        user_cut_off_ends_their_credentials,
        global_cut_off_ends_every_credential
    ]
}

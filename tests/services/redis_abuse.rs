//! The stateful abuse scenarios of issue 14 (`tests/support/abuse_suite.rs`) with every
//! store in Redis (a fresh prefix each). Ignored without Redis (a failure with
//! PORTCULLIS_REQUIRE_REDIS=1).

use libtest_mimic::Trial;

use crate::NEEDS_REDIS;
use crate::redis_server::local_store;
use crate::services::tokio_trial;
use crate::support::abuse_suite;
use crate::support::{builder, users};

/// One trial per scenario.
pub fn trials() -> Vec<Trial> {
    vec![
        tokio_trial(
            "redis_abuse::far_future_exp_logs_out",
            &NEEDS_REDIS,
            1,
            || async {
                abuse_suite::far_future_exp_logs_out(builder(users()).stores(local_store().await)).await;
            },
        ),
        tokio_trial(
            "redis_abuse::absurd_lifetimes_do_not_panic",
            &NEEDS_REDIS,
            1,
            || async {
                abuse_suite::absurd_lifetimes_do_not_panic(builder(users()).stores(local_store().await))
                    .await;
            },
        ),
    ]
}

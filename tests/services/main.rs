//! Tests that need an external service, under one runner (`libtest-mimic`):
//!
//! * `redis_stores::*`: the store suite (`tests/support/store_suite.rs`) against
//!   `RedisStore` on the local Redis (127.0.0.1:6379 or `PORTCULLIS_REDIS_URL`);
//! * `redis_faults::*`: `RedisStore` while its server is down, hung or restarted, two
//!   stores on one server, key expiry — each against a `redis-server` of its own;
//! * `redis_shared::*`: two application instances on one Redis, over HTTP.
//!
//! A trial whose service does not answer (or without `redis-server` on PATH) is
//! reported ignored, with the reason; with `PORTCULLIS_REQUIRE_REDIS=1` (as in
//! `.ci/run`) it fails instead (see `tests/support/services.rs`). Each async trial runs
//! on a tokio runtime of its own.
//!
//! There are no PostgreSQL trials here yet: the sqlx user-store tests run on SQLite
//! (the reference server's PostgreSQL backend is covered by `tests/e2e`).

#[path = "../support/services.rs"]
mod services;
// Each binary uses a part of the shared support.
#[allow(unused_imports)]
#[path = "../support/mod.rs"]
mod support;

mod redis_faults;
mod redis_server;
mod redis_shared;
mod redis_stores;

use services::{REDIS, REDIS_SERVER, Service, tokio_trial};

static NEEDS_REDIS: [&Service; 1] = [&REDIS];
static NEEDS_REDIS_SERVER: [&Service; 1] = [&REDIS_SERVER];

fn main() {
    let mut trials = redis_stores::trials();
    trials.extend([
        tokio_trial(
            "redis_faults::every_method_fails_fast_while_redis_is_down",
            &NEEDS_REDIS_SERVER,
            2,
            redis_faults::every_method_fails_fast_while_redis_is_down,
        ),
        tokio_trial(
            "redis_faults::calls_time_out_while_redis_hangs_and_work_after",
            &NEEDS_REDIS_SERVER,
            2,
            redis_faults::calls_time_out_while_redis_hangs_and_work_after,
        ),
        tokio_trial(
            "redis_faults::http_answers_503_while_redis_is_down_and_recovers",
            &NEEDS_REDIS_SERVER,
            2,
            redis_faults::http_answers_503_while_redis_is_down_and_recovers,
        ),
        tokio_trial(
            "redis_faults::two_instances_share_one_redis",
            &NEEDS_REDIS_SERVER,
            4,
            redis_faults::two_instances_share_one_redis,
        ),
        tokio_trial(
            "redis_faults::every_key_expires_and_holds_no_plain_secret",
            &NEEDS_REDIS_SERVER,
            2,
            redis_faults::every_key_expires_and_holds_no_plain_secret,
        ),
        tokio_trial(
            "redis_shared::throttling_is_shared",
            &NEEDS_REDIS,
            1,
            redis_shared::throttling_is_shared,
        ),
        tokio_trial(
            "redis_shared::refresh_rotation_and_logout_are_shared",
            &NEEDS_REDIS,
            1,
            redis_shared::refresh_rotation_and_logout_are_shared,
        ),
        tokio_trial(
            "redis_shared::sessions_are_shared",
            &NEEDS_REDIS,
            1,
            redis_shared::sessions_are_shared,
        ),
    ]);
    // The fault trials time store calls (each must fail within 2 s); two at a time on
    // two cores, as the default test harness ran them.
    services::run(trials, 2);
}

//! The stateful abuse scenarios of issue 14 (`tests/support/abuse_suite.rs`) with every
//! store in Redis (a fresh prefix each). Ignored without Redis (a failure with
//! PORTCULLIS_REQUIRE_REDIS=1).

use std::time::{Duration, Instant};

use libtest_mimic::Trial;

use crate::NEEDS_REDIS;
use crate::redis_server::local_store;
use crate::services::tokio_trial;
use crate::support::abuse_suite;
use crate::support::{ALICE_PASSWORD, builder, users};

/// One trial per scenario.
pub fn trials() -> Vec<Trial> {
    macro_rules! on_redis {
        ($($name:ident),+ $(,)?) => {
            vec![$(
                tokio_trial(concat!("redis_abuse::", stringify!($name)), &NEEDS_REDIS, 1, || async {
                    abuse_suite::$name(builder(users()).stores(local_store().await)).await;
                }),
            )+]
        };
    }
    let mut trials = on_redis![
        far_future_exp_logs_out,
        absurd_lifetimes_do_not_panic,
        name_flood_from_one_address,
        stranger_cannot_lock_out_the_owner,
        distributed_guessing_hits_the_ceiling,
        ipv6_addresses_of_one_64_are_one_client,
    ];
    trials.push(tokio_trial(
        "redis_abuse::refresh_loop_keeps_one_key_and_constant_cost",
        &NEEDS_REDIS,
        1,
        refresh_loop_keeps_one_key_and_constant_cost,
    ));
    trials
}

/// 2 000 rotations of one family: one Redis key for it all along, and the last
/// rotations cost what the first ones did (no per-spent-token work).
async fn refresh_loop_keeps_one_key_and_constant_cost() {
    let store = local_store().await;
    let prefix = store.prefix().to_owned();
    let auth = abuse_suite::refresh_loop(builder(users()).stores(store), 2_000).await;
    let client = portcullis::redis::Client::open(crate::services::redis_url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = portcullis::redis::cmd("KEYS")
        .arg(format!("{prefix}:rf:*"))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(keys.len(), 1, "{keys:?}");
    // Time 200 rotations of a fresh family, then 200 more after 2 000 others.
    let alice = auth.login("alice", ALICE_PASSWORD, None).await.unwrap().user;
    let mut refresh = auth.issue_tokens(&alice, None).await.unwrap().refresh_token;
    let mut rounds = Vec::new();
    for round in 0..12 {
        let started = Instant::now();
        for _ in 0..200 {
            refresh = auth.refresh_tokens(&refresh).await.unwrap().1.refresh_token;
        }
        if round == 0 || round == 11 {
            rounds.push(started.elapsed());
        }
    }
    let (first, last) = (rounds[0], rounds[1]);
    assert!(
        last < first * 3 + Duration::from_millis(200),
        "rotations slowed down with the family's age: {first:?} then {last:?}"
    );
}

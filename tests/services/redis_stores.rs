//! The store suite (`tests/support/store_suite.rs`) against `RedisStore` on the local
//! Redis: a trial `redis_stores::<case>` per case of every trait, each on a fresh key
//! prefix so that the trials run in parallel.

use std::sync::Arc;

use libtest_mimic::Trial;
use portcullis::RedisStore;

use crate::redis_server::local_store;
use crate::services::{REDIS, Service, tokio_trial};
use crate::support::store_suite;

static NEEDS: [&Service; 1] = [&REDIS];

pub fn trials() -> Vec<Trial> {
    store_suite::every_case::<RedisStore>()
        .into_iter()
        .map(|(name, case)| {
            tokio_trial(format!("redis_stores::{name}"), &NEEDS, 4, move || async move {
                case(Arc::new(local_store().await)).await;
            })
        })
        .collect()
}

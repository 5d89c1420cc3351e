//! No panic on any claim value or configured lifetime (checked time arithmetic), and
//! an optional maximum token lifetime.

use std::time::Duration;

use portcullis::InMemoryRevocationStore;
use serde_json::json;

use crate::support::abuse_suite::{self, verdict};
use crate::support::*;

#[tokio::test]
async fn far_future_exp_logs_out_without_panic() {
    abuse_suite::far_future_exp_logs_out(builder(users()).revocations(InMemoryRevocationStore::default()))
        .await;
}

#[tokio::test]
async fn maximal_lifetimes_do_not_panic() {
    abuse_suite::absurd_lifetimes_do_not_panic(builder(users())).await;
}

#[tokio::test]
async fn max_lifetime_refuses_long_lived_tokens() {
    let auth = builder(users())
        .jwt(jwt_config().max_lifetime(Duration::from_secs(3600)))
        .build()
        .unwrap();
    assert!(verdict(&auth, &hs256(&claims("1"))).await.unwrap().is_some());
    let mut long = claims("1");
    long["exp"] = json!(now() + 10 * 365 * 24 * 3600);
    let error = verdict(&auth, &hs256(&long)).await.unwrap_err();
    assert!(error.to_string().contains("lives longer"), "{error}");
    // Within the leeway of the maximum: accepted.
    let mut edge = claims("1");
    edge["exp"] = json!(now() + 3600 + 10);
    assert!(verdict(&auth, &hs256(&edge)).await.unwrap().is_some());
}

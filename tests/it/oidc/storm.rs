//! Forged key ids by the hundred must not make this server hammer the provider: an
//! unknown `kid` triggers at most one fetch per refetch interval, shared by every
//! request that asks meanwhile (single flight).

use std::time::{Duration, Instant};

use http::StatusCode;
use serde_json::json;

use super::*;
use crate::support::Reply;

/// How many concurrent requests a storm sends.
const STORM: usize = 500;

/// Sends every token concurrently (one spawned task each, `oneshot` on a clone of
/// the router) and returns the replies in order.
async fn concurrently(app: &Router, tokens: Vec<String>) -> Vec<Reply> {
    let tasks: Vec<_> = tokens
        .into_iter()
        .map(|token| {
            let app = app.clone();
            tokio::spawn(async move { me_with(&app, &token).await })
        })
        .collect();
    let mut replies = Vec::with_capacity(tasks.len());
    for task in tasks {
        replies.push(task.await.unwrap());
    }
    replies
}

/// `STORM` tokens signed with `key` (a valid signature), each naming a random kid.
fn forged_tokens(idp: &Fixture, key: &Key) -> Vec<String> {
    (0..STORM)
        .map(|i| key.token_with(json!({"kid": forged_kid()}), &idp.claims(&format!("u{i}"))))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_unknown_kid_storm_costs_at_most_one_fetch() {
    let key = Key::rsa("idp-1");
    let idp = Fixture::start(&[&key]).await;
    // A refetch interval that covers the whole test.
    let app = app(&idp, provider(&idp).refetch_interval(Duration::from_secs(60))).await;
    let before = idp.hits();
    for r in concurrently(&app, forged_tokens(&idp, &key)).await {
        assert_refused(&r, UNKNOWN_KEY);
    }
    let fetched = idp.hits() - before;
    assert!(fetched <= 1, "{fetched} fetches for {STORM} forged kids");
    assert_eq!(idp.other_hits(), 0);
    assert_user(
        &me_with(&app, &key.token(&idp.claims("u"))).await,
        "u",
        &idp.issuer,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_unknown_kid_storm_after_the_cool_down_costs_one_fetch_per_interval() {
    let key = Key::rsa("idp-1");
    let idp = Fixture::start(&[&key]).await;
    let app = app(&idp, provider(&idp)).await;
    // Let the 1 s refetch interval pass since the first fetch: the storm may fetch.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let before = idp.jwks_hits();
    let tokens = forged_tokens(&idp, &key);
    let start = Instant::now();
    for r in concurrently(&app, tokens).await {
        assert_refused(&r, UNKNOWN_KEY);
    }
    let elapsed = start.elapsed();
    let fetched = idp.jwks_hits() - before;
    // One fetch, plus one per further second the storm lasted (usually 0).
    let allowed = 1 + usize::try_from(elapsed.as_secs()).unwrap();
    assert!(
        (1..=allowed).contains(&fetched),
        "{fetched} fetches for {STORM} forged kids in {elapsed:?}"
    );
    assert_eq!(idp.discovery_hits(), 1, "discovery is not repeated");
}

/// A key published by rotation: the request whose unknown kid started the fetch and
/// a request with the same kid that arrives while the fetch is under way both get
/// the new set, from one fetch.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn requests_arriving_during_a_refetch_share_its_result() {
    let old = Key::rsa("2024");
    let new = Key::rsa_next("2025");
    let idp = Fixture::start(&[&old]).await;
    // A 3 s refetch interval: long enough that the held fetch below stays within it.
    let app = app(&idp, provider(&idp).refetch_interval(Duration::from_secs(3))).await;
    idp.serve_keys(&[&old, &new]);
    tokio::time::sleep(Duration::from_millis(3100)).await;
    let before = idp.jwks_hits();

    // The first request's fetch reaches the provider, whose answer is held.
    idp.hold();
    let first = {
        let (app, token) = (app.clone(), new.token(&idp.claims("first")));
        tokio::spawn(async move { me_with(&app, &token).await })
    };
    eventually("the refetch under way", || async { idp.jwks_hits() > before }).await;
    // The second arrives meanwhile; it should wait for the fetch under way.
    let second = {
        let (app, token) = (app.clone(), new.token(&idp.claims("second")));
        tokio::spawn(async move { me_with(&app, &token).await })
    };
    let deadline = Instant::now() + Duration::from_millis(300);
    while !second.is_finished() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    idp.release();

    assert_user(&first.await.unwrap(), "first", &idp.issuer);
    let second = second.await.unwrap();
    assert_eq!(second.status, StatusCode::OK, "{:?}", second.body);
    assert_user(&second, "second", &idp.issuer);
    assert_eq!(idp.jwks_hits(), before + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_newly_published_kid_waits_for_the_refetch_interval() {
    let old = Key::rsa("2024");
    let new = Key::rsa_next("2025");
    let idp = Fixture::start(&[&old]).await;
    let app = app(&idp, provider(&idp).refetch_interval(Duration::from_secs(60))).await;
    // Not yet published, and within the refetch interval: refused, nothing fetched.
    let early = new.token(&idp.claims("early"));
    assert_refused(&me_with(&app, &early).await, UNKNOWN_KEY);
    idp.serve_keys(&[&old, &new]);
    let before = idp.hits();
    let tokens = (0..50)
        .map(|i| new.token(&idp.claims(&format!("u{i}"))))
        .collect();
    for r in concurrently(&app, tokens).await {
        assert_refused(&r, UNKNOWN_KEY);
    }
    assert_eq!(idp.hits(), before, "a fetch within the refetch interval");
}

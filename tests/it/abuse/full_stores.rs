//! Each in-memory store filled from one client: another client still logs in (the
//! stores evict their least recently used entries; only revocations fail closed,
//! and only for the client that filled them). One client refreshing in a loop keeps
//! one family.

use std::sync::Arc;

use http::Request;
use portcullis::{
    Algorithm, AuthError, InMemoryRefreshStore, InMemoryRevocationStore, InMemorySessionStore,
    InMemoryThrottleStore, Portcullis, TokenConfig,
};

use crate::support::abuse_suite::{self, verdict};
use crate::support::*;

const CAPACITY: usize = 32;

fn with_tokens(builder: portcullis::PortcullisBuilder<User>) -> Portcullis<User> {
    builder
        .tokens(
            TokenConfig::hmac(SECRET, Algorithm::HS256)
                .issuer(ISSUER)
                .audience(AUDIENCE),
        )
        .build()
        .unwrap()
}

/// Another client logs in with a password, gets tokens, refreshes them and starts a
/// session.
async fn another_client_logs_in(auth: &Portcullis<User>) {
    let address = Some("198.51.100.200".parse().unwrap());
    let alice = auth
        .login("alice", ALICE_PASSWORD, address)
        .await
        .expect("another client logs in")
        .user;
    let pair = auth.issue_tokens(&alice, None).await.expect("tokens are issued");
    let (_, pair) = auth
        .refresh_tokens(&pair.refresh_token)
        .await
        .expect("and refreshed");
    assert!(verdict(auth, &pair.access_token).await.unwrap().is_some());
    let (parts, ()) = Request::new(()).into_parts();
    auth.start_session(&parts, &alice)
        .await
        .expect("a session starts");
}

#[tokio::test]
async fn a_full_throttle_store_evicts_instead_of_refusing() {
    let throttle = Arc::new(InMemoryThrottleStore::with_capacity(CAPACITY));
    let auth = with_tokens(builder(users()).throttle_store(Arc::clone(&throttle)));
    // One client with many addresses (a botnet, or IPv6 /64s) and fresh names.
    for n in 0..(CAPACITY as u32 * 4) {
        let address = format!("2001:db8:{:x}::1", n + 1).parse().unwrap();
        let outcome = auth.login(&format!("fresh-{n}"), "guess", Some(address)).await;
        assert!(
            matches!(outcome, Err(AuthError::InvalidCredentials { .. })),
            "{outcome:?}"
        );
    }
    assert_eq!(throttle.len(), CAPACITY, "bounded");
    another_client_logs_in(&auth).await;
}

#[tokio::test]
async fn a_full_refresh_store_evicts_the_oldest_family() {
    let refresh = Arc::new(InMemoryRefreshStore::with_capacity(CAPACITY));
    let auth = with_tokens(builder(users()).refresh_store(Arc::clone(&refresh)));
    let alice = auth.login("alice", ALICE_PASSWORD, None).await.unwrap().user;
    let oldest = auth.issue_tokens(&alice, None).await.unwrap();
    for _ in 0..CAPACITY * 3 {
        auth.issue_tokens(&alice, None).await.unwrap();
    }
    assert_eq!(refresh.len(), CAPACITY);
    assert!(
        auth.refresh_tokens(&oldest.refresh_token).await.is_err(),
        "evicted"
    );
    another_client_logs_in(&auth).await;
}

#[tokio::test]
async fn a_full_session_store_evicts_the_oldest_session() {
    let sessions = Arc::new(InMemorySessionStore::with_capacity(CAPACITY));
    let auth = with_tokens(builder(users()).session_store(Arc::clone(&sessions)));
    let alice = auth.login("alice", ALICE_PASSWORD, None).await.unwrap().user;
    let (parts, ()) = Request::new(()).into_parts();
    for _ in 0..CAPACITY * 3 {
        auth.start_session(&parts, &alice).await.unwrap();
    }
    assert_eq!(sessions.len(), CAPACITY);
    another_client_logs_in(&auth).await;
}

#[tokio::test]
async fn a_full_revocation_store_fails_closed_for_logouts_only() {
    let auth = with_tokens(builder(users()).revocations(InMemoryRevocationStore::with_capacity(CAPACITY)));
    let alice = auth.login("alice", ALICE_PASSWORD, None).await.unwrap().user;
    let mut refused = 0;
    for _ in 0..CAPACITY {
        let pair = auth.issue_tokens(&alice, None).await.unwrap();
        let (_, info) = verdict(&auth, &pair.access_token).await.unwrap().unwrap();
        match auth.logout(Some(&pair.refresh_token), &info).await {
            Ok(()) => {}
            Err(AuthError::Unavailable) => refused += 1,
            Err(e) => panic!("{e}"),
        }
    }
    // Each logout keeps two entries (the family and the token) until they expire:
    // past the capacity, logout answers 503 rather than forget a revocation.
    assert!(refused > 0, "the store never filled");
    another_client_logs_in(&auth).await;
}

#[tokio::test]
async fn a_refresh_loop_keeps_one_family() {
    let refresh = Arc::new(InMemoryRefreshStore::default());
    abuse_suite::refresh_loop(builder(users()).refresh_store(Arc::clone(&refresh)), 2_000).await;
    assert_eq!(refresh.len(), 1, "O(1) state per family");
}

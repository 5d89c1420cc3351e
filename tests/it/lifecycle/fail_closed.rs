//! Fail closed: a lifecycle store that cannot answer (a [`Faulty`] one) never lets anyone
//! in: 503 with `Retry-After`, never 200 or a silent success.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::header::SET_COOKIE;
use portcullis::{
    InMemoryRefreshStore, InMemoryRevocationStore, InMemorySessionStore, InMemoryThrottleStore,
};

use crate::support::*;

use super::sessions::{session_get, session_login_request, start_session, with_cookie};
use super::tokens::logout_request;
use super::*;

// ---------------------------------------------------------------------------------------------
// Fail closed: a lifecycle store that cannot answer never lets anyone in
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_throttle_store_that_is_down_fails_login_and_basic_with_503() {
    let app = app(token_builder()
        .throttle_store(Faulty::down(InMemoryThrottleStore::default()))
        .sessions(dev_sessions())
        .build()
        .unwrap());
    assert_unavailable(&send(&app, login_request("alice", ALICE_PASSWORD)).await);
    assert_unavailable(&send(&app, login_request("alice", "wrong")).await);
    assert_unavailable(&send(&app, basic_request("alice", ALICE_PASSWORD)).await);
    assert_unavailable(&send(&app, session_login_request(None)).await);
}

#[tokio::test]
async fn a_failure_that_cannot_be_counted_is_503_not_401() {
    let app = app(token_builder()
        .throttle_store(Faulty::failing(
            InMemoryThrottleStore::default(),
            "record_failure",
        ))
        .build()
        .unwrap());
    assert_unavailable(&send(&app, login_request("alice", "wrong")).await);
    assert_unavailable(&send(&app, basic_request("alice", "wrong")).await);
    // Attempts are counted before the password is checked: an attempt that cannot be
    // counted is not checked at all, even with the right password.
    assert_unavailable(&send(&app, login_request("alice", ALICE_PASSWORD)).await);
}

#[tokio::test]
async fn a_refresh_store_that_is_down_fails_issuance_refresh_and_logout_with_503() {
    let app = app(token_builder()
        .refresh_store(Faulty::down(InMemoryRefreshStore::default()))
        .build()
        .unwrap());
    assert_unavailable(&send(&app, login_request("alice", ALICE_PASSWORD)).await);
    assert_unavailable(&send(&app, refresh_request(&URL_SAFE_NO_PAD.encode([1u8; 72]))).await);
    let access = hs256(&claims("1"));
    let r = send(
        &app,
        logout_request(&access, Some(&URL_SAFE_NO_PAD.encode([1u8; 72]))),
    )
    .await;
    assert_unavailable(&r);
}

#[tokio::test]
async fn a_session_store_that_is_down_fails_sessions_with_503() {
    let app = app(token_builder()
        .session_store(Faulty::down(InMemorySessionStore::default()))
        .sessions(dev_sessions())
        .build()
        .unwrap());
    assert_unavailable(&send(&app, session_login_request(None)).await);
    let cookie = format!("portcullis_session={}", URL_SAFE_NO_PAD.encode([3u8; 32]));
    assert_unavailable(&session_get(&app, &cookie).await);
    let r = send(
        &app,
        with_cookie("POST", "/session/me", &cookie)
            .header("x-csrf-token", "anything")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_unavailable(&r);
}

#[tokio::test]
async fn a_session_that_cannot_be_destroyed_is_not_replaced_silently() {
    let store = Faulty::failing(InMemorySessionStore::default(), "destroy");
    let app = app(token_builder()
        .session_store(store)
        .sessions(dev_sessions())
        .build()
        .unwrap());
    let session = start_session(&app, None).await;
    // A new login over an existing session must destroy it first (fixation): 503 when it cannot.
    assert_unavailable(&send(&app, session_login_request(Some(&session.cookie))).await);
    let r = send(
        &app,
        with_cookie("POST", "/session/logout", &session.cookie)
            .header("x-csrf-token", &session.csrf)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_unavailable(&r);
    assert!(
        r.headers.get(SET_COOKIE).is_none(),
        "a failed logout must not look like a logout"
    );
}

#[tokio::test]
async fn a_revocation_store_that_is_down_fails_tokens_with_a_jti_with_503() {
    let app = app(token_builder()
        .revocations(Faulty::down(InMemoryRevocationStore::default()))
        .build()
        .unwrap());
    assert_unavailable(&send(&app, bearer("/me", &hs256(&claims("1")))).await);
    let tokens = login_tokens(&app).await;
    assert_unavailable(&send(&app, bearer("/me", &tokens.access)).await);
}

#[tokio::test]
async fn every_store_down_at_once() {
    let app = app(token_builder()
        .stores(Faulty::down(AllInMemory::default()))
        .sessions(dev_sessions())
        .build()
        .unwrap());
    assert_unavailable(&send(&app, login_request("alice", ALICE_PASSWORD)).await);
    assert_unavailable(&send(&app, refresh_request(&URL_SAFE_NO_PAD.encode([1u8; 72]))).await);
    assert_unavailable(&send(&app, session_login_request(None)).await);
    let cookie = format!("portcullis_session={}", URL_SAFE_NO_PAD.encode([3u8; 32]));
    assert_unavailable(&session_get(&app, &cookie).await);
    assert_unavailable(&send(&app, bearer("/me", &hs256(&claims("1")))).await);
    assert_unavailable(&send(&app, basic_request("alice", ALICE_PASSWORD)).await);
}

//! A store that hangs (never answers) or fails: the request gets 503
//! `temporarily_unavailable` with `Retry-After: 1` through the renderer, after the
//! store time-out and well within a bound, never a 200; the same app answers 200 again
//! once the store does. One test per store the gate waits on in a request: the user
//! store (by id, by API-key hash), the revocation store (the `jwt` scheme's own
//! check), the session store and the throttle store (HTTP Basic).

use std::time::Duration;

use axum::routing::get;
use axum::{Json, Router};
use http::StatusCode;
use http::request::Parts;
use portcullis::{
    ConfigError, InMemoryRevocationStore, InMemorySessionStore, InMemoryThrottleStore, InMemoryUserStore,
    Portcullis, PortcullisBuilder, SessionConfig, auth,
};
use serde_json::{Value, json};

use super::timed;
use crate::support::*;

/// The store time-out of these tests.
const LIMIT: Duration = Duration::from_millis(200);

/// The bound on every answer: the time-out plus generous room for a loaded machine.
/// A request that waited on the hung store (an hour) could not meet it.
const BOUND: Duration = Duration::from_secs(10);

// Four schemes make the generated guard's type long enough for clippy's type_complexity.
#[allow(clippy::type_complexity)]
#[auth(jwt, api_key, session, basic)]
async fn me(user: User) -> Json<Value> {
    Json(json!({"id": user.id}))
}

fn app(auth: Portcullis<User>) -> Router {
    Router::new().route("/me", get(me)).with_state(AppState { auth })
}

/// The standard test configuration over `users`, with development sessions and the
/// store time-out [`LIMIT`].
fn limited(users: impl portcullis::UserStore<User>) -> PortcullisBuilder<User> {
    builder(users)
        .sessions(SessionConfig::new().development(true))
        .store_timeout(LIMIT)
}

/// 503 through the renderer, after at least the time-out (the store was waited for)
/// and within [`BOUND`].
#[track_caller]
fn assert_timed_out(r: &Reply, took: Duration) {
    assert_unavailable(r);
    assert_eq!(
        r.body["message"],
        "authentication is temporarily unavailable, try again later"
    );
    assert!(took >= LIMIT, "503 after {took:?}, before the time-out");
    assert!(took < BOUND, "503 after {took:?}");
}

/// A GET of `/me` with one header.
fn me_with(name: &str, value: &str) -> http::Request<axum::body::Body> {
    req("/me").header(name, value).empty()
}

#[tokio::test]
async fn a_hung_user_store_answers_503_after_the_time_out_and_recovers() {
    let users = Faulty::new(users());
    let db = users.switch();
    let app = app(limited(users).build().unwrap());
    let token = hs256(&claims("1"));
    assert_eq!(send(&app, bearer("/me", &token)).await.body, json!({"id": 1}));

    db.hang("find_by_id");
    let (r, took) = timed(send(&app, bearer("/me", &token))).await;
    assert_timed_out(&r, took);
    eprintln!("hung find_by_id: 503 after {took:?}");

    // Many at once: each is cut, none waits for another.
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let (app, token) = (app.clone(), token.clone());
            tokio::spawn(async move { timed(send(&app, bearer("/me", &token))).await })
        })
        .collect();
    for task in tasks {
        let (r, took) = task.await.unwrap();
        assert_timed_out(&r, took);
    }

    // The same app, once the store answers again.
    db.heal();
    assert_eq!(send(&app, bearer("/me", &token)).await.body, json!({"id": 1}));
}

#[tokio::test]
async fn a_failing_user_store_answers_503_without_waiting_for_the_time_out() {
    let users = Faulty::new(users());
    users.switch().fail("find_by_id");
    // A time-out far beyond the bound: the error, not the time-out, answers.
    let app = app(limited(users)
        .store_timeout(Duration::from_secs(3600))
        .build()
        .unwrap());
    let (r, took) = timed(send(&app, bearer("/me", &hs256(&claims("1"))))).await;
    assert_unavailable(&r);
    assert!(took < BOUND, "503 after {took:?}");
}

#[tokio::test]
async fn a_hung_api_key_lookup_answers_503() {
    let users = Faulty::new(users());
    let db = users.switch();
    let app = app(limited(users).build().unwrap());
    assert_eq!(
        send(&app, me_with("x-api-key", BOB_KEY)).await.body,
        json!({"id": 2})
    );
    db.hang("find_by_api_key_hash");
    let (r, took) = timed(send(&app, me_with("x-api-key", BOB_KEY))).await;
    assert_timed_out(&r, took);
}

#[tokio::test]
async fn a_hung_revocation_store_answers_503() {
    let revocations = Faulty::new(InMemoryRevocationStore::default());
    let store = revocations.switch();
    let app = app(limited(users()).revocations(revocations).build().unwrap());
    let token = hs256(&claims("1"));
    assert_eq!(send(&app, bearer("/me", &token)).await.status, StatusCode::OK);
    // The token has a `jti`: its revocation is checked on every request.
    store.hang("is_revoked");
    let (r, took) = timed(send(&app, bearer("/me", &token))).await;
    assert_timed_out(&r, took);
    store.heal();
    assert_eq!(send(&app, bearer("/me", &token)).await.status, StatusCode::OK);
}

/// alice's session cookie (`name=value`), started through the gate.
async fn session_cookie(auth: &Portcullis<User>) -> String {
    let (parts, ()): (Parts, ()) = http::Request::new(()).into_parts();
    let alice = auth.users().find_by_username("alice").await.unwrap().unwrap();
    let session = auth.start_session(&parts, &alice).await.unwrap();
    let set_cookie = session.set_cookie.to_str().unwrap();
    set_cookie.split(';').next().unwrap().to_owned()
}

#[tokio::test]
async fn a_hung_session_store_answers_503() {
    let sessions = Faulty::new(InMemorySessionStore::default());
    let store = sessions.switch();
    let auth = limited(users()).session_store(sessions).build().unwrap();
    let cookie = session_cookie(&auth).await;
    let app = app(auth);
    assert_eq!(
        send(&app, me_with("cookie", &cookie)).await.body,
        json!({"id": 1})
    );
    store.hang("touch");
    let (r, took) = timed(send(&app, me_with("cookie", &cookie))).await;
    assert_timed_out(&r, took);
    store.heal();
    assert_eq!(
        send(&app, me_with("cookie", &cookie)).await.body,
        json!({"id": 1})
    );
}

#[tokio::test]
async fn a_hung_throttle_store_answers_basic_with_503() {
    let throttle = Faulty::new(InMemoryThrottleStore::default());
    throttle.switch().hang("record_failure");
    let app = app(limited(users()).throttle_store(throttle).build().unwrap());
    let basic = basic("alice", ALICE_PASSWORD);
    let (r, took) = timed(send(&app, me_with("authorization", &basic))).await;
    assert_timed_out(&r, took);
}

#[tokio::test]
async fn the_default_time_out_is_five_seconds() {
    let users = Faulty::new(users());
    users.switch().hang("find_by_id");
    let app = app(builder(users).build().unwrap());
    let (r, took) = timed(send(&app, bearer("/me", &hs256(&claims("1"))))).await;
    assert_unavailable(&r);
    let default = Duration::from_secs(5);
    assert!(took >= default && took < default + BOUND, "503 after {took:?}");
}

#[test]
fn a_zero_time_out_is_refused() {
    let zero = limited(InMemoryUserStore::<User>::new()).store_timeout(Duration::ZERO);
    assert_eq!(
        zero.build().unwrap_err(),
        ConfigError::Invalid("the store timeout must be more than zero")
    );
}

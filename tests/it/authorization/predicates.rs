//! `verified_email` and `fn = ...` predicates, sync and async.

use std::sync::atomic::{AtomicUsize, Ordering};

use portcullis::Scheme;

use super::*;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/verified", get(verified))
        .route("/fn/sync", get(fn_sync))
        .route("/fn/scheme", get(fn_scheme))
        .route("/fn/async", get(fn_async))
}

fn sync_predicate(user: &Member, _info: &AuthInfo) -> bool {
    user.username.starts_with('m')
}

mod checks {
    use super::*;

    pub(crate) static ASYNC_CALLS: AtomicUsize = AtomicUsize::new(0);

    /// Uses the `AuthInfo`: only token users pass.
    pub(crate) fn came_by_token(_user: &Member, info: &AuthInfo) -> bool {
        info.scheme() == Scheme::JWT
    }

    /// Really awaits before deciding: verified users whose token says `"beta": "yes"`.
    pub(crate) async fn async_predicate(user: &Member, info: &AuthInfo) -> bool {
        tokio::task::yield_now().await;
        ASYNC_CALLS.fetch_add(1, Ordering::SeqCst);
        tokio::task::yield_now().await;
        user.email_verified && info.claims().and_then(|c| c.get("beta")) == Some(&json!("yes"))
    }
}

#[auth(jwt)]
#[require(verified_email)]
async fn verified(#[user] who_is_it: Member) -> Json<Value> {
    who(&who_is_it)
}

#[auth(jwt)]
#[require(fn = sync_predicate)]
async fn fn_sync(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt, api_key, basic)]
#[require(fn = checks::came_by_token)]
async fn fn_scheme(user: Member, info: AuthInfo) -> Json<Value> {
    Json(json!({"user": user.id, "scheme": info.scheme().as_str()}))
}

#[auth(jwt)]
#[require(fn = checks::async_predicate)]
async fn fn_async(user: Member) -> Json<Value> {
    who(&user)
}

#[tokio::test]
async fn verified_email() {
    let app = app();
    assert_let_in(&get_as(&app, "/verified", ADA).await, ADA);
    assert_let_in(&get_as(&app, "/verified", REX).await, REX);
    assert_denied(&get_as(&app, "/verified", ULF).await, "verified_email");
    assert_denied(&get_as(&app, "/verified", ABE).await, "verified_email");
}

#[tokio::test]
async fn sync_predicates() {
    let app = app();
    assert_let_in(&get_as(&app, "/fn/sync", MIA).await, MIA);
    assert_denied(&get_as(&app, "/fn/sync", ULF).await, "fn = sync_predicate");

    // The predicate sees the `AuthInfo`; the handler still gets its own.
    assert_ok(
        &get_as(&app, "/fn/scheme", ULF).await,
        json!({"user": ULF, "scheme": "jwt"}),
    );
    assert_denied_without_challenge(
        &send(&app, with_api_key("/fn/scheme", ULF_KEY)).await,
        "fn = checks::came_by_token",
    );
    assert_denied_without_challenge(
        &send(&app, with_basic("/fn/scheme", "ulf", PASSWORD)).await,
        "fn = checks::came_by_token",
    );
}

#[tokio::test]
async fn async_predicates() {
    let app = app();
    let before = checks::ASYNC_CALLS.load(Ordering::SeqCst);
    let token = jwt_with(UMA, json!({"beta": "yes"}));
    assert_let_in(&send(&app, bearer("/fn/async", &token)).await, UMA);
    // Unverified: false after the awaits.
    let token = jwt_with(ULF, json!({"beta": "yes"}));
    assert_denied(
        &send(&app, bearer("/fn/async", &token)).await,
        "fn = checks::async_predicate",
    );
    assert_denied(
        &get_as(&app, "/fn/async", UMA).await,
        "fn = checks::async_predicate",
    );
    assert_eq!(checks::ASYNC_CALLS.load(Ordering::SeqCst) - before, 3);
}

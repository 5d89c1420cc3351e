//! `POST /users/{id}/disable` and `POST /users/{id}/enable`: who may call them and what
//! they answer (what disabling does to credentials: `accounts.rs`).

use super::*;

fn post_to(uri: &str, token: &str) -> Request<Body> {
    Request::post(uri).bearer(token).empty()
}

#[tokio::test]
async fn only_an_admin_disables_or_enables_and_unknown_users_are_404() {
    let w = world();
    let bob = tokens(&w.app, "bob", BOB_PASSWORD).await.access;
    // A user without the admin role: 403 whoever the target is (nothing told about it).
    for uri in [
        "/users/3/disable",
        "/users/3/enable",
        "/users/99/disable",
        "/users/2/disable",
    ] {
        let r = send(&w.app, post_to(uri, &bob)).await;
        expect_error(&r, StatusCode::FORBIDDEN, "forbidden");
    }
    assert!(w.db.user(3).unwrap().active && w.db.user(2).unwrap().active);
    // Without a token, or with a session: 401 (the routes take `jwt` only).
    assert_bearer_required(&send(&w.app, Request::post("/users/3/disable").empty()).await);
    let (_, session) = session_login(&w.app, "alice", ALICE_PASSWORD).await;
    let by_session = Request::post("/users/3/disable")
        .header("cookie", &session.cookie)
        .header("x-csrf-token", &session.csrf)
        .empty();
    assert_bearer_required(&send(&w.app, by_session).await);

    let alice = tokens(&w.app, "alice", ALICE_PASSWORD).await.access;
    for uri in ["/users/99/disable", "/users/99/enable", "/users/abc/disable"] {
        let r = send(&w.app, post_to(uri, &alice)).await;
        expect_error(&r, StatusCode::NOT_FOUND, "not_found");
    }
    let r = send(&w.app, post_to("/users/3/disable", &alice)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    assert!(!w.db.user(3).unwrap().active);
    assert!(r.headers.get(SET_COOKIE).is_none());
    // Inactive: carol's password login fails like a wrong password.
    expect_error(
        &login(&w.app, "carol", CAROL_PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    );
    let r = send(&w.app, post_to("/users/3/enable", &alice)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    assert!(w.db.user(3).unwrap().active);
    assert_token_pair(&login(&w.app, "carol", CAROL_PASSWORD).await);
}

#[tokio::test]
async fn disabling_with_the_database_down_is_503_and_changes_nothing() {
    let w = world();
    let alice = tokens(&w.app, "alice", ALICE_PASSWORD).await.access;
    w.database.fail("set_active");
    assert_unavailable(&send(&w.app, post_to("/users/3/disable", &alice)).await);
    assert!(w.db.user(3).unwrap().active);
    w.database.heal();
    assert_token_pair(&login(&w.app, "carol", CAROL_PASSWORD).await);
}

#[tokio::test]
async fn the_admin_role_is_configurable() {
    let w = world_with(|r| r.admin_role("user"), |b| b);
    let bob = tokens(&w.app, "bob", BOB_PASSWORD).await.access;
    let r = send(&w.app, post_to("/users/3/disable", &bob)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    assert!(!w.db.user(3).unwrap().active);
}

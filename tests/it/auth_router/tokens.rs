//! `POST /auth/login` (with throttling), `POST /auth/refresh`, `POST /auth/logout`.

use http::header::RETRY_AFTER;

use super::*;

/// 401 `invalid_token` on `/me` (four schemes): the Bearer challenge names the error, the
/// others are plain.
fn assert_revoked_on_me(r: &Reply) {
    expect_error(r, StatusCode::UNAUTHORIZED, "invalid_token");
    assert_eq!(
        r.challenges(),
        [
            "Bearer realm=\"api\", error=\"invalid_token\", error_description=\"the token has been revoked\"",
            "ApiKey realm=\"api\", header=\"X-API-Key\"",
            "Session realm=\"api\"",
            "Basic realm=\"api\", charset=\"UTF-8\"",
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// POST /auth/login
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn login_issues_a_token_pair_for_the_user() {
    let w = world();
    let r = login(&w.app, "alice", ALICE_PASSWORD).await;
    assert_token_pair(&r);
    assert!(r.headers.get(SET_COOKIE).is_none());
    let t = tokens_of(&r);
    let r = me(&w.app, &t.access).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body, me_body(1, "alice", &["admin"], "jwt"));

    // Every login starts a new family: different tokens.
    let again = tokens(&w.app, "alice", ALICE_PASSWORD).await;
    assert_ne!(again.access, t.access);
    assert_ne!(again.refresh, t.refresh);
}

#[tokio::test]
async fn login_answers_the_same_401_for_unknown_users_and_wrong_passwords() {
    let w = world();
    let unknown = login(&w.app, "nobody", ALICE_PASSWORD).await;
    let wrong = login(&w.app, "alice", "alice-password-2").await;
    for r in [&unknown, &wrong] {
        expect_error(r, StatusCode::UNAUTHORIZED, "invalid_credentials");
        assert!(r.headers.get(SET_COOKIE).is_none());
        assert!(r.body.get("access_token").is_none());
    }
    assert_eq!(unknown.body, wrong.body);
    assert_eq!(unknown.headers, wrong.headers);

    // Malformed requests are 400, not 401.
    for body in [
        json!({"username": "alice"}),
        json!({"password": ALICE_PASSWORD}),
        json!("alice"),
    ] {
        assert_invalid_input(&send(&w.app, post_json("/auth/login", &body)).await);
    }
    assert_invalid_input(&send(&w.app, post_raw("/auth/login", "application/json", "{")).await);
}

#[tokio::test]
async fn login_is_throttled_from_the_sixth_attempt_even_with_the_right_password() {
    let w = world();
    for attempt in 1..=5 {
        let r = login(&w.app, "alice", "wrong-password-x").await;
        expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
        assert!(r.headers.get(RETRY_AFTER).is_none(), "attempt {attempt}");
    }
    let r = login(&w.app, "alice", ALICE_PASSWORD).await;
    assert_throttled(&r, 15 * 60);
    assert!(r.body.get("access_token").is_none());
    let r = login(&w.app, "alice", "wrong-password-x").await;
    assert_throttled(&r, 15 * 60);
    // The session login shares the counter.
    let r = send(
        &w.app,
        post_json("/session/login", &credentials("alice", ALICE_PASSWORD)),
    )
    .await;
    assert_throttled(&r, 15 * 60);
    assert!(r.headers.get(SET_COOKIE).is_none());

    // Counted per user name: bob is not affected.
    assert_token_pair(&login(&w.app, "bob", BOB_PASSWORD).await);
}

#[tokio::test]
async fn successful_logins_do_not_count_towards_the_limit() {
    let w = world();
    for _ in 0..4 {
        expect_error(
            &login(&w.app, "bob", "wrong-password-x").await,
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
        );
    }
    for _ in 0..3 {
        assert_token_pair(&login(&w.app, "bob", BOB_PASSWORD).await);
    }
    // The fifth failure is still a 401; the sixth attempt is throttled.
    expect_error(
        &login(&w.app, "bob", "wrong-password-x").await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    );
    assert_throttled(&login(&w.app, "bob", BOB_PASSWORD).await, 15 * 60);
}

#[tokio::test]
async fn a_failing_user_store_answers_503_and_spends_nothing() {
    let w = world();
    let t = tokens(&w.app, "bob", BOB_PASSWORD).await;
    w.database.fail_all();
    assert_unavailable(&login(&w.app, "bob", BOB_PASSWORD).await);
    assert_unavailable(
        &send(
            &w.app,
            post_json("/session/login", &credentials("bob", BOB_PASSWORD)),
        )
        .await,
    );
    assert_unavailable(&refresh(&w.app, &t.refresh).await);
    assert_unavailable(&me(&w.app, &t.access).await);
    assert_unavailable(&rename(&w.app, &t.access, "2", "robert").await);
    w.database.heal();
    // The refresh token was not spent by the failed attempt (its retry is no reuse).
    assert_token_pair(&refresh(&w.app, &t.refresh).await);
    assert_eq!(w.db.user(2).unwrap().name, "bob");
}

// ---------------------------------------------------------------------------------------------
// POST /auth/refresh
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn refresh_rotates_the_pair() {
    let w = world();
    let first = tokens(&w.app, "bob", BOB_PASSWORD).await;
    let r = refresh(&w.app, &first.refresh).await;
    assert_token_pair(&r);
    let second = tokens_of(&r);
    assert_ne!(second.refresh, first.refresh);
    assert_ne!(second.access, first.access);
    let r = me(&w.app, &second.access).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body, me_body(2, "bob", &["user"], "jwt"));
    // The rotated token rotates again.
    let third = tokens_of(&refresh(&w.app, &second.refresh).await);
    assert_eq!(me(&w.app, &third.access).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_reused_refresh_token_is_refused_and_revokes_its_family() {
    let w = world();
    let first = tokens(&w.app, "bob", BOB_PASSWORD).await;
    let second = tokens_of(&refresh(&w.app, &first.refresh).await);

    let r = refresh(&w.app, &first.refresh).await;
    expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_token");
    // The family is revoked: the current token of the family is refused too.
    expect_error(
        &refresh(&w.app, &second.refresh).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    );
    // Another family of the same user is not affected.
    let other = tokens(&w.app, "bob", BOB_PASSWORD).await;
    assert_token_pair(&refresh(&w.app, &other.refresh).await);
}

#[tokio::test]
async fn refresh_refuses_access_tokens_unknown_tokens_and_bad_input() {
    let w = world();
    let t = tokens(&w.app, "bob", BOB_PASSWORD).await;
    // An access token is not a refresh token.
    let r = refresh(&w.app, &t.access).await;
    expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_token");
    assert!(r.body.get("access_token").is_none());
    // Unknown tokens, of the right shape or not.
    let unknown = "A".repeat(43);
    for token in [unknown.as_str(), "", "short"] {
        expect_error(
            &refresh(&w.app, token).await,
            StatusCode::UNAUTHORIZED,
            "invalid_token",
        );
    }
    // Nothing above spent the real one.
    assert_token_pair(&refresh(&w.app, &t.refresh).await);
    // Malformed bodies.
    assert_invalid_input(&send(&w.app, post_json("/auth/refresh", &json!({}))).await);
    assert_invalid_input(&send(&w.app, post_json("/auth/refresh", &json!({"refresh_token": 1}))).await);
    assert_invalid_input(&send(&w.app, post_raw("/auth/refresh", "application/json", "{]")).await);
}

// ---------------------------------------------------------------------------------------------
// POST /auth/logout
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn logout_revokes_the_refresh_family_and_the_access_token() {
    let w = world();
    let t = tokens(&w.app, "bob", BOB_PASSWORD).await;
    let other = tokens(&w.app, "bob", BOB_PASSWORD).await;
    let r = send(
        &w.app,
        post_json_bearer("/auth/logout", &t.access, &json!({"refresh_token": t.refresh})),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    assert_eq!(r.body, Value::Null);

    expect_error(
        &refresh(&w.app, &t.refresh).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    );
    assert_revoked_on_me(&me(&w.app, &t.access).await);
    // A second logout with the revoked access token is refused.
    let r = send(
        &w.app,
        post_json_bearer("/auth/logout", &t.access, &json!({"refresh_token": t.refresh})),
    )
    .await;
    assert_invalid_token(&r);
    // Bob's other login is untouched.
    assert_eq!(me(&w.app, &other.access).await.status, StatusCode::OK);
    assert_token_pair(&refresh(&w.app, &other.refresh).await);
}

#[tokio::test]
async fn logout_needs_a_bearer_token_and_a_json_body() {
    let w = world();
    let t = tokens(&w.app, "bob", BOB_PASSWORD).await;
    let r = send(
        &w.app,
        post_json("/auth/logout", &json!({"refresh_token": t.refresh})),
    )
    .await;
    assert_bearer_required(&r);
    // Basic credentials are not accepted here.
    let r = send(
        &w.app,
        Request::post("/auth/logout")
            .header(CONTENT_TYPE, "application/json")
            .header("authorization", basic("bob", BOB_PASSWORD))
            .body(Body::from(json!({"refresh_token": t.refresh}).to_string()))
            .unwrap(),
    )
    .await;
    assert_bearer_required(&r);
    // Nothing was revoked.
    assert_token_pair(&refresh(&w.app, &t.refresh).await);

    // Authenticated but a malformed body: 400, and the access token still works.
    let t = tokens(&w.app, "bob", BOB_PASSWORD).await;
    let r = send(
        &w.app,
        Request::post("/auth/logout")
            .header(CONTENT_TYPE, "application/json")
            .header("authorization", format!("Bearer {}", t.access))
            .body(Body::from("{"))
            .unwrap(),
    )
    .await;
    assert_invalid_input(&r);
    assert_eq!(me(&w.app, &t.access).await.status, StatusCode::OK);

    // Without a refresh token, the access token's family (its `fid` claim) ends all the
    // same: the access token, the refresh token, and every access token issued in it.
    let rotated = tokens_of(&refresh(&w.app, &t.refresh).await);
    let r = send(&w.app, post_json_bearer("/auth/logout", &t.access, &json!({}))).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    assert_revoked_on_me(&me(&w.app, &t.access).await);
    assert_revoked_on_me(&me(&w.app, &rotated.access).await);
    assert_eq!(
        refresh(&w.app, &rotated.refresh).await.status,
        StatusCode::UNAUTHORIZED
    );
}

// ---------------------------------------------------------------------------------------------
// POST /auth/logout_all
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn logout_all_ends_every_token_and_session_of_the_user() {
    let w = world();
    let first = tokens(&w.app, "bob", BOB_PASSWORD).await;
    let second = tokens(&w.app, "bob", BOB_PASSWORD).await;
    let (_, session) = session_login(&w.app, "bob", BOB_PASSWORD).await;
    let carols = tokens(&w.app, "carol", CAROL_PASSWORD).await;

    let r = send(
        &w.app,
        Request::post("/auth/logout_all")
            .header("authorization", format!("Bearer {}", first.access))
            .empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    assert_eq!(r.body, Value::Null);
    assert!(
        r.headers.get(SET_COOKIE).is_none(),
        "a token logout sets no cookie"
    );

    for access in [&first.access, &second.access] {
        expect_error(
            &me(&w.app, access).await,
            StatusCode::UNAUTHORIZED,
            "invalid_token",
        );
    }
    for refresh_token in [&first.refresh, &second.refresh] {
        expect_error(
            &refresh(&w.app, refresh_token).await,
            StatusCode::UNAUTHORIZED,
            "invalid_token",
        );
    }
    let with_session = send(&w.app, get_with("/me", "cookie", &session.cookie)).await;
    assert_eq!(
        with_session.status,
        StatusCode::UNAUTHORIZED,
        "{:?}",
        with_session.body
    );
    // Carol is untouched; Bob's next login works.
    assert_eq!(me(&w.app, &carols.access).await.status, StatusCode::OK);
    let again = tokens(&w.app, "bob", BOB_PASSWORD).await;
    assert_eq!(me(&w.app, &again.access).await.status, StatusCode::OK);
    assert_token_pair(&refresh(&w.app, &again.refresh).await);
}

#[tokio::test]
async fn logout_all_with_a_session_needs_its_csrf_token_and_clears_the_cookie() {
    let w = world();
    let t = tokens(&w.app, "bob", BOB_PASSWORD).await;
    let (_, session) = session_login(&w.app, "bob", BOB_PASSWORD).await;
    // Unsafe method under a session: the CSRF token is required.
    let forged = send(
        &w.app,
        Request::post("/auth/logout_all")
            .header("cookie", &session.cookie)
            .empty(),
    )
    .await;
    expect_error(&forged, StatusCode::FORBIDDEN, "csrf_rejected");
    assert_eq!(
        me(&w.app, &t.access).await.status,
        StatusCode::OK,
        "nothing was revoked"
    );

    let r = send(
        &w.app,
        Request::post("/auth/logout_all")
            .header("cookie", &session.cookie)
            .header("x-csrf-token", &session.csrf)
            .empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    let cleared = r.headers[SET_COOKIE].to_str().unwrap();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    expect_error(
        &me(&w.app, &t.access).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    );
    // Without credentials: 401 with both challenges, nothing happens.
    let r = send(&w.app, Request::post("/auth/logout_all").empty()).await;
    expect_error(&r, StatusCode::UNAUTHORIZED, "missing_credentials");
}

//! `GET /auth/confirm`, `POST /auth/confirm`, `POST /auth/confirm/{token}`: the mailed
//! single-use confirmation link.

use std::time::Duration;

use portcullis::InMemorySessionStore;

use super::*;

async fn confirm(app: &Router, token: &str) -> Reply {
    send(
        app,
        Request::post(format!("/auth/confirm/{token}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// GET /auth/confirm, POST /auth/confirm, POST /auth/confirm/{token}
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn email_confirmation_from_request_to_confirmed() {
    let w = world();
    let t = tokens(&w.app, "bob", BOB_PASSWORD).await;

    let r = send(&w.app, bearer("/auth/confirm", &t.access)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body, json!({"email": "bob@example.com", "confirmed": false}));

    // Request: 202, one mail to the user's address with the link.
    let r = send(&w.app, post_bearer("/auth/confirm", &t.access)).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    let mails = w.outbox.mails();
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0].to, "bob@example.com");
    assert!(!mails[0].subject.is_empty());
    let token = mails[0].token("/auth/confirm/");
    assert_eq!(token.len(), 43, "{token}");
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    );
    // The mail is the only place the token appears.
    assert!(!r.body.to_string().contains(&token));

    // Asked again within 60 s: 429 + Retry-After, and no second mail.
    let r = send(&w.app, post_bearer("/auth/confirm", &t.access)).await;
    assert_throttled(&r, 60);
    assert_eq!(w.outbox.mails().len(), 1);

    // Confirm with the mailed token (no credentials needed).
    let r = confirm(&w.app, &token).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body, json!({"confirmed": true}));
    assert!(w.db.user(2).unwrap().confirmed);
    assert!(!w.db.user(1).unwrap().confirmed);

    // The link works once.
    let r = confirm(&w.app, &token).await;
    expect_error(&r, StatusCode::FORBIDDEN, "forbidden");
    assert!(r.challenges().is_empty());
    assert_eq!(w.db.table().confirm_calls, 1);

    let r = send(&w.app, bearer("/auth/confirm", &t.access)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body, json!({"email": "bob@example.com", "confirmed": true}));

    // Confirmed: asking again is 400 (not 429), and no mail is sent.
    let r = send(&w.app, post_bearer("/auth/confirm", &t.access)).await;
    expect_error(&r, StatusCode::BAD_REQUEST, "already_confirmed");
    assert_eq!(w.outbox.mails().len(), 1);
}

#[tokio::test]
async fn unknown_and_malformed_confirmation_tokens_are_403() {
    let w = world();
    let t = tokens(&w.app, "bob", BOB_PASSWORD).await;
    assert_eq!(
        send(&w.app, post_bearer("/auth/confirm", &t.access)).await.status,
        StatusCode::ACCEPTED
    );
    let token = w.outbox.mails()[0].token("/auth/confirm/");
    let mut altered = token.clone();
    altered.replace_range(0..1, if token.starts_with('A') { "B" } else { "A" });
    let too_long = format!("{token}A");
    for bad in [
        "A".repeat(43).as_str(),
        altered.as_str(),
        &token[..42],
        too_long.as_str(),
        "x",
        "%2e%2e",
    ] {
        let r = confirm(&w.app, bad).await;
        expect_error(&r, StatusCode::FORBIDDEN, "forbidden");
    }
    assert_eq!(w.db.table().confirm_calls, 0);
    assert!(!w.db.user(2).unwrap().confirmed);
    // None of that spent the real token.
    assert_eq!(confirm(&w.app, &token).await.status, StatusCode::OK);
}

#[tokio::test]
async fn confirmation_tokens_and_session_ids_are_not_interchangeable() {
    let w = world();
    let t = tokens(&w.app, "bob", BOB_PASSWORD).await;
    assert_eq!(
        send(&w.app, post_bearer("/auth/confirm", &t.access)).await.status,
        StatusCode::ACCEPTED
    );
    let token = w.outbox.mails()[0].token("/auth/confirm/");
    // The confirmation token (kept in the session store) is not a session id.
    let r = send(
        &w.app,
        get_with("/me", "cookie", &format!("portcullis_session={token}")),
    )
    .await;
    expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
    // A session id is not a confirmation token.
    let (_, session) = session_login(&w.app, "bob", BOB_PASSWORD).await;
    let id = session.cookie.split_once('=').unwrap().1;
    expect_error(&confirm(&w.app, id).await, StatusCode::FORBIDDEN, "forbidden");
    assert!(!w.db.user(2).unwrap().confirmed);
    // Both still work for their own purpose.
    assert_eq!(
        send(&w.app, get_with("/me", "cookie", &session.cookie))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(confirm(&w.app, &token).await.status, StatusCode::OK);
}

#[tokio::test]
async fn confirmation_status_and_request_need_a_bearer_token() {
    let w = world();
    let (_, session) = session_login(&w.app, "bob", BOB_PASSWORD).await;
    let r = send(&w.app, req("/auth/confirm").body(Body::empty()).unwrap()).await;
    assert_bearer_required(&r);
    let r = send(
        &w.app,
        Request::post("/auth/confirm").body(Body::empty()).unwrap(),
    )
    .await;
    assert_bearer_required(&r);
    // Session, API key and Basic are not accepted here.
    let r = send(
        &w.app,
        Request::post("/auth/confirm")
            .header("cookie", &session.cookie)
            .header("x-csrf-token", &session.csrf)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_bearer_required(&r);
    let r = send(&w.app, get_with("/auth/confirm", "x-api-key", BOB_KEY)).await;
    assert_bearer_required(&r);
    let r = send(
        &w.app,
        get_with("/auth/confirm", "authorization", &basic("bob", BOB_PASSWORD)),
    )
    .await;
    assert_bearer_required(&r);
    assert!(w.outbox.mails().is_empty());
}

#[tokio::test]
async fn each_user_has_their_own_confirmation_window_and_token() {
    let w = world();
    let bob = tokens(&w.app, "bob", BOB_PASSWORD).await;
    let carol = tokens(&w.app, "carol", CAROL_PASSWORD).await;
    assert_eq!(
        send(&w.app, post_bearer("/auth/confirm", &bob.access))
            .await
            .status,
        StatusCode::ACCEPTED
    );
    // Bob's request does not throttle carol's.
    assert_eq!(
        send(&w.app, post_bearer("/auth/confirm", &carol.access))
            .await
            .status,
        StatusCode::ACCEPTED
    );
    let mails = w.outbox.mails();
    assert_eq!(
        mails.iter().map(|m| m.to.as_str()).collect::<Vec<_>>(),
        ["bob@example.com", "carol@example.com"]
    );
    // Carol's link confirms carol only.
    let token = mails[1].token("/auth/confirm/");
    assert_eq!(confirm(&w.app, &token).await.status, StatusCode::OK);
    assert!(w.db.user(3).unwrap().confirmed);
    assert!(!w.db.user(2).unwrap().confirmed);
}

#[tokio::test]
async fn the_confirmation_link_prefix_and_lifetime_are_configurable() {
    let w = world_with(
        |r| {
            r.confirm_url("https://app.example/confirm/")
                .confirm_ttl(Duration::from_secs(1))
        },
        |b| b,
    );
    let t = tokens(&w.app, "bob", BOB_PASSWORD).await;
    assert_eq!(
        send(&w.app, post_bearer("/auth/confirm", &t.access)).await.status,
        StatusCode::ACCEPTED
    );
    let token = w.outbox.mails()[0].token("https://app.example/confirm/");
    assert_eq!(token.len(), 43);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // Expired: refused like an unknown token.
    expect_error(&confirm(&w.app, &token).await, StatusCode::FORBIDDEN, "forbidden");
    assert!(!w.db.user(2).unwrap().confirmed);
}

#[tokio::test]
async fn a_failing_mailer_answers_503() {
    let w = world();
    let t = tokens(&w.app, "bob", BOB_PASSWORD).await;
    w.smtp.fail_all();
    let r = send(&w.app, post_bearer("/auth/confirm", &t.access)).await;
    assert_unavailable(&r);
    assert!(w.outbox.mails().is_empty());
}

/// The 503 of a failed mail says `Retry-After: 1`, and the retry a second later is
/// accepted: a mail that could not be sent does not spend the once-a-minute allowance.
#[tokio::test]
async fn a_retry_after_a_failed_mail_is_not_throttled() {
    let w = world();
    let t = tokens(&w.app, "bob", BOB_PASSWORD).await;
    w.smtp.fail_all();
    assert_unavailable(&send(&w.app, post_bearer("/auth/confirm", &t.access)).await);
    w.smtp.heal();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let r = send(&w.app, post_bearer("/auth/confirm", &t.access)).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?} {:?}", r.body, r.headers);
    assert_eq!(w.outbox.mails().len(), 1);
}

/// A 503 is temporary ("Retry-After: 1"), so it must not consume the single-use link: the
/// router destroys the token before the registrar confirms, and a registrar failure loses it.
#[tokio::test]
async fn a_registrar_failure_does_not_burn_the_confirmation_link() {
    let w = world();
    let t = tokens(&w.app, "bob", BOB_PASSWORD).await;
    assert_eq!(
        send(&w.app, post_bearer("/auth/confirm", &t.access)).await.status,
        StatusCode::ACCEPTED
    );
    let token = w.outbox.mails()[0].token("/auth/confirm/");
    w.database.fail_all();
    assert_unavailable(&confirm(&w.app, &token).await);
    w.database.heal();
    assert!(!w.db.user(2).unwrap().confirmed);
    let r = confirm(&w.app, &token).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert!(w.db.user(2).unwrap().confirmed);
}

/// "Single use" must hold for concurrent requests too: of two simultaneous uses of one link,
/// one is refused. The router reads the token (`touch`) and deletes it (`destroy`) in two
/// store calls, so with a store that has latency both requests read it before either deletes.
#[tokio::test]
async fn concurrent_uses_of_one_confirmation_link_confirm_once() {
    // A session store with network latency (like Redis): every call yields before and
    // after reaching the store, so that two requests interleave.
    let sessions = Faulty::new(InMemorySessionStore::default());
    sessions.switch().slow(true);
    let w = world_with(|r| r, |b| b.session_store(sessions));
    let t = tokens(&w.app, "bob", BOB_PASSWORD).await;
    assert_eq!(
        send(&w.app, post_bearer("/auth/confirm", &t.access)).await.status,
        StatusCode::ACCEPTED
    );
    let token = w.outbox.mails()[0].token("/auth/confirm/");
    let (a, b) = tokio::join!(confirm(&w.app, &token), confirm(&w.app, &token));
    let mut statuses = [a.status, b.status];
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::FORBIDDEN],
        "{:?} {:?}",
        a.body,
        b.body
    );
    assert_eq!(w.db.table().confirm_calls, 1);
}

/// Issue 14: the mailed link is clicked, so `GET` on it confirms (it used to be
/// POST-only), once.
#[tokio::test]
async fn the_mailed_link_works_when_clicked() {
    let w = world();
    let t = tokens(&w.app, "bob", BOB_PASSWORD).await;
    let r = send(&w.app, post_bearer("/auth/confirm", &t.access)).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    let token = w.outbox.mails()[0].token("/auth/confirm/");
    let click = || {
        Request::get(format!("/auth/confirm/{token}"))
            .body(Body::empty())
            .unwrap()
    };
    let r = send(&w.app, click()).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body, json!({"confirmed": true}));
    expect_error(&send(&w.app, click()).await, StatusCode::FORBIDDEN, "forbidden");
}

//! The auth router's audited paths: registration, logins, lock-out, refresh and reuse,
//! renames, confirmations, logout, logout everywhere, sessions and disabling accounts; each test ends with the search for its
//! secrets.

use super::capture::Capture;
use super::*;

#[tokio::test]
async fn the_auth_router_audits_registration_logins_refreshes_reuse_logout_renames_and_confirmations() {
    let w = world();
    let (capture, _guard) = Capture::start();
    let client = ("client", CLIENT);

    // Registration.
    let registration =
        json!({"username": "carol", "email": "carol@example.com", "password": "carol-audit-password-1"});
    let r = call(&w, "req-register", post_json("/auth/register", &registration)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    capture.expect(
        "account.registered",
        "req-register",
        INFO,
        &[("user", "10"), client],
    );

    // Password login: success, a wrong password, an inactive account.
    let ok = call(
        &w,
        "req-login",
        post_json("/auth/login", &credentials("alice", ALICE_PASSWORD)),
    )
    .await;
    let (access, refresh) = pair(&ok);
    capture.expect(
        "login.succeeded",
        "req-login",
        INFO,
        &[("scheme", "jwt"), ("user", "1"), client],
    );
    let wrong = credentials("alice", "not-alice-password");
    let r = call(&w, "req-login-wrong", post_json("/auth/login", &wrong)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let failed = [
        ("scheme", "jwt"),
        ("reason", "invalid_credentials"),
        ("detail", "invalid user name or password"),
        client,
    ];
    capture.expect("login.failed", "req-login-wrong", INFO, &failed);
    let inactive = credentials("mallory", MALLORY_PASSWORD);
    let r = call(&w, "req-login-inactive", post_json("/auth/login", &inactive)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let refused = [
        ("scheme", "jwt"),
        ("reason", "forbidden"),
        ("detail", "the account is inactive"),
        ("user", "3"),
        client,
    ];
    capture.expect("login.failed", "req-login-inactive", INFO, &refused);

    // Refresh, then the spent token again: the alert, and no `token.refreshed`.
    let body = json!({ "refresh_token": refresh });
    let (access2, refresh2) = pair(&call(&w, "req-refresh", post_json("/auth/refresh", &body)).await);
    capture.expect(
        "token.refreshed",
        "req-refresh",
        INFO,
        &[("scheme", "jwt"), ("user", "1"), client],
    );
    let r = call(&w, "req-reuse", post_json("/auth/refresh", &body)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let reuse = [
        ("scheme", "jwt"),
        ("reason", "invalid_token"),
        (
            "detail",
            "the refresh token was already used; its session is revoked",
        ),
        client,
    ];
    capture.expect("token.reuse_detected", "req-reuse", WARN, &reuse);
    assert_eq!(capture.events_of("req-reuse"), ["token.reuse_detected"]);

    // A new login; alice (admin) renames bob; she asks for and uses a confirmation link.
    let (access3, refresh3) = pair(
        &call(
            &w,
            "req-login-2",
            post_json("/auth/login", &credentials("alice", ALICE_PASSWORD)),
        )
        .await,
    );
    let rename = Request::post("/users/2/change_username")
        .header("authorization", format!("Bearer {access3}"))
        .header("content-type", "application/json")
        .body(Body::from(json!({"username": "robert"}).to_string()))
        .unwrap();
    assert_eq!(call(&w, "req-rename", rename).await.status, StatusCode::OK);
    capture.expect(
        "username.changed",
        "req-rename",
        INFO,
        &[("user", "2"), ("actor", "1"), client],
    );
    let bearer = format!("Bearer {access3}");
    let ask = Request::post("/auth/confirm")
        .header("authorization", &bearer)
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        call(&w, "req-confirm-ask", ask).await.status,
        StatusCode::ACCEPTED
    );
    let mail = w.accounts.mails.lock().unwrap().last().cloned().unwrap();
    let token = mail
        .split("/auth/confirm/")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let link = Request::get(format!("/auth/confirm/{token}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(call(&w, "req-confirm", link).await.status, StatusCode::OK);
    capture.expect("email.confirmed", "req-confirm", INFO, &[("user", "1"), client]);

    // Logout: the access token's user, after its own authentication.
    let logout = Request::post("/auth/logout")
        .header("authorization", &bearer)
        .header("content-type", "application/json")
        .body(Body::from(json!({ "refresh_token": refresh3 }).to_string()))
        .unwrap();
    assert_eq!(
        call(&w, "req-logout", logout).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(capture.events_of("req-logout"), ["auth.succeeded", "logout"]);
    capture.expect(
        "logout",
        "req-logout",
        INFO,
        &[("scheme", "jwt"), ("user", "1"), client],
    );
    capture.expect(
        "auth.succeeded",
        "req-logout",
        DEBUG,
        &[("scheme", "jwt"), ("user", "1"), client],
    );

    capture.assert_free_of(&[
        ("alice's password", ALICE_PASSWORD),
        ("mallory's password", MALLORY_PASSWORD),
        ("a wrong password", "not-alice-password"),
        ("carol's password", "carol-audit-password-1"),
        ("an access token", &access),
        ("an access token", &access2),
        ("an access token", &access3),
        ("a refresh token", &refresh),
        ("a refresh token", &refresh2),
        ("a refresh token", &refresh3),
        ("the confirmation token", &token),
        ("the HMAC secret", hmac_secret()),
    ]);
}

#[tokio::test]
async fn a_lock_out_is_one_warning_per_refused_attempt_for_logins_and_basic() {
    let w = world();
    let (capture, _guard) = Capture::start();
    let wrong = credentials("bob", "not-bob-password");
    for attempt in 0..5 {
        let id = format!("req-wrong-{attempt}");
        let r = call(&w, &id, post_json("/auth/login", &wrong)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(capture.events_of(&id), ["login.failed"], "{:#?}", capture.all());
    }
    // Locked out for this address, even with the right password, by login and by Basic.
    let right = credentials("bob", BOB_PASSWORD);
    let r = call(&w, "req-locked", post_json("/auth/login", &right)).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let locked = [
        ("scheme", "jwt"),
        ("reason", "too_many_attempts"),
        ("client", CLIENT),
    ];
    capture.expect("login.throttled", "req-locked", WARN, &locked);
    assert_eq!(capture.events_of("req-locked"), ["login.throttled"]);
    let basic = get_with(
        "/basic",
        "authorization",
        &crate::support::basic("bob", BOB_PASSWORD),
    );
    let r = call(&w, "req-locked-basic", basic).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let locked = [
        ("scheme", "basic"),
        ("reason", "too_many_attempts"),
        ("client", CLIENT),
    ];
    capture.expect("login.throttled", "req-locked-basic", WARN, &locked);
    assert_eq!(capture.events_of("req-locked-basic"), ["login.throttled"]);

    capture.assert_free_of(&[
        ("bob's password", BOB_PASSWORD),
        ("a wrong password", "not-bob-password"),
        (
            "the Basic credentials",
            crate::support::basic("bob", BOB_PASSWORD).trim_start_matches("Basic "),
        ),
    ]);
}

#[tokio::test]
async fn sessions_are_audited_from_login_to_logout() {
    let w = world();
    let (capture, _guard) = Capture::start();
    let client = ("client", CLIENT);
    let r = call(
        &w,
        "req-session-login",
        post_json("/session/login", &credentials("alice", ALICE_PASSWORD)),
    )
    .await;
    let (cookie, csrf) = session_of(&r);
    assert_eq!(
        capture.events_of("req-session-login"),
        ["login.succeeded", "session.created"]
    );
    let session = [("scheme", "session"), ("user", "1"), client];
    capture.expect("login.succeeded", "req-session-login", INFO, &session);
    capture.expect("session.created", "req-session-login", INFO, &session);

    assert_eq!(
        call(&w, "req-session-get", get_with("/session", "cookie", &cookie))
            .await
            .status,
        StatusCode::OK
    );
    capture.expect("auth.succeeded", "req-session-get", DEBUG, &session);
    // An unsafe request without the CSRF token.
    let unsafe_request = Request::post("/session")
        .header("cookie", &cookie)
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        call(&w, "req-no-csrf", unsafe_request).await.status,
        StatusCode::FORBIDDEN
    );
    let csrf_refused = [
        ("scheme", "session"),
        ("reason", "csrf_rejected"),
        (
            "detail",
            "the CSRF token (X-CSRF-Token header or form field) is missing or wrong",
        ),
        client,
    ];
    capture.expect("auth.failed", "req-no-csrf", INFO, &csrf_refused);

    let logout = Request::post("/session/logout")
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        call(&w, "req-session-logout", logout).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        capture.events_of("req-session-logout"),
        ["auth.succeeded", "session.destroyed", "logout"]
    );
    capture.expect("session.destroyed", "req-session-logout", INFO, &session);
    capture.expect("logout", "req-session-logout", INFO, &session);
    // The ended session's cookie.
    assert_eq!(
        call(&w, "req-ended", get_with("/session", "cookie", &cookie))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let ended = [
        ("scheme", "session"),
        ("reason", "invalid_credentials"),
        ("detail", "the session has ended or does not exist"),
        client,
    ];
    capture.expect("auth.failed", "req-ended", INFO, &ended);

    capture.assert_free_of(&[
        ("alice's password", ALICE_PASSWORD),
        ("the session cookie's value", &cookie_value(&cookie)),
        ("the CSRF token", &csrf),
    ]);
}

#[tokio::test]
async fn revoking_everything_is_a_warning_and_the_ended_tokens_say_why() {
    let w = world();
    let (capture, _guard) = Capture::start();
    let client = ("client", CLIENT);
    let login = post_json("/auth/login", &credentials("alice", ALICE_PASSWORD));
    let (access, refresh) = pair(&call(&w, "req-login", login).await);
    let bearer = format!("Bearer {access}");

    // Logout everywhere: a warning with the user, after its own authentication.
    let everywhere = Request::post("/auth/logout_all")
        .header("authorization", &bearer)
        .body(Body::empty())
        .unwrap();
    let r = call(&w, "req-logout-all", everywhere).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    assert_eq!(
        capture.events_of("req-logout-all"),
        ["auth.succeeded", "credentials.revoked"]
    );
    capture.expect(
        "credentials.revoked",
        "req-logout-all",
        WARN,
        &[("user", "1"), client],
    );

    // The ended token: refused with the reason.
    let ended = Request::get("/jwt")
        .header("authorization", &bearer)
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        call(&w, "req-ended", ended).await.status,
        StatusCode::UNAUTHORIZED
    );
    let why = [
        ("scheme", "jwt"),
        ("reason", "invalid_token"),
        (
            "detail",
            "the credential was revoked with every one issued before it",
        ),
        client,
    ];
    capture.expect("auth.failed", "req-ended", INFO, &why);

    // Every user's credentials: from the application, no request, no user.
    w.auth.revoke_all_credentials().await.unwrap();
    capture.expect_where("credentials.revoked", None, WARN, &[]);

    capture.assert_free_of(&[
        ("alice's password", ALICE_PASSWORD),
        ("an access token", &access),
        ("a refresh token", &refresh),
        ("the HMAC secret", hmac_secret()),
    ]);
}

#[tokio::test]
async fn disabling_and_enabling_an_account_are_audited_with_the_administrator() {
    let w = world();
    let (capture, _guard) = Capture::start();
    let client = ("client", CLIENT);
    let login = post_json("/auth/login", &credentials("alice", ALICE_PASSWORD));
    let (access, refresh) = pair(&call(&w, "req-login", login).await);
    let bearer = format!("Bearer {access}");
    let post = |uri: &str| {
        Request::post(uri)
            .header("authorization", &bearer)
            .body(Body::empty())
            .unwrap()
    };

    let r = call(&w, "req-disable", post("/users/2/disable")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    assert_eq!(
        capture.events_of("req-disable"),
        ["auth.succeeded", "credentials.revoked", "user.disabled"]
    );
    capture.expect(
        "credentials.revoked",
        "req-disable",
        WARN,
        &[("user", "2"), client],
    );
    let who = [("user", "2"), ("actor", "1"), client];
    capture.expect("user.disabled", "req-disable", WARN, &who);

    let r = call(&w, "req-enable", post("/users/2/enable")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    assert_eq!(
        capture.events_of("req-enable"),
        ["auth.succeeded", "user.enabled"]
    );
    capture.expect("user.enabled", "req-enable", INFO, &who);

    // Refused: no account event.
    let r = call(&w, "req-unknown", post("/users/99/disable")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(capture.events_of("req-unknown"), ["auth.succeeded"]);

    capture.assert_free_of(&[
        ("alice's password", ALICE_PASSWORD),
        ("an access token", &access),
        ("a refresh token", &refresh),
        ("the HMAC secret", hmac_secret()),
    ]);
}

//! Row groups of passwords: `POST /auth/password` (a token holder and a session) and
//! the reset by a mailed link (`POST /auth/password/reset`, `POST
//! /auth/password/reset/{token}`), the mail read from `GET /dev/outbox`.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::client::Request;
use crate::suite::*;

const NEW_PASSWORD: &str = "dave-new-password-2";

/// `POST /auth/password`: 401 wrong current password, 400 weak new one, 200 a new token
/// pair; the old token and refresh token are refused, only the new password logs in. In
/// a session (with its CSRF token): 200, a new cookie; the old one is refused.
pub fn password_change_rows(t: &Suite<'_>, dave: &Account) {
    let change = |current: &str, new: &str| json!({ "current_password": current, "new_password": new });
    t.send(Request::post("/auth/password").json(&change(&dave.password, NEW_PASSWORD)))
        .expect_error(401, "missing_credentials", &t.at("password change anonymously"));
    t.send(
        Request::post("/auth/password")
            .bearer(&dave.access)
            .json(&change("not-daves-password", NEW_PASSWORD)),
    )
    .expect_error(
        401,
        "invalid_credentials",
        &t.at("password change, wrong current password"),
    );
    t.send(
        Request::post("/auth/password")
            .bearer(&dave.access)
            .json(&change(&dave.password, "short")),
    )
    .expect_error(400, "invalid_input", &t.at("password change, weak new password"));

    let session = t.session(&dave.name, &dave.password);
    let what = t.at("password change by a token holder");
    let response = t.send(
        Request::post("/auth/password")
            .bearer(&dave.access)
            .json(&change(&dave.password, NEW_PASSWORD)),
    );
    response.expect(200, &what);
    let pair = response.json();
    let access = pair["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("{what}: {pair}"));
    assert_eq!(pair["token_type"], "Bearer", "{what}: {pair}");

    assert_invalid_token(
        &t.send(Request::get("/me").bearer(&dave.access)),
        &t.at("the access token from before the change"),
    );
    t.send(Request::post("/auth/refresh").json(&json!({ "refresh_token": dave.refresh })))
        .expect_error(
            401,
            "invalid_token",
            &t.at("the refresh token from before the change"),
        );
    t.send(Request::get("/me").cookie(&session.cookie))
        .expect(401, &t.at("the session from before the change"));
    t.me(Request::get("/me").bearer(access), "jwt", "the new access token");
    t.send(Request::post("/auth/login").json(&json!({ "username": dave.name, "password": dave.password })))
        .expect_error(401, "invalid_credentials", &t.at("login with the old password"));
    t.login(&dave.name, NEW_PASSWORD);

    let session = t.session(&dave.name, NEW_PASSWORD);
    let what = t.at("password change in a session");
    let response = t.send(
        Request::post("/auth/password")
            .cookie(&session.cookie)
            .csrf(&session.csrf)
            .json(&change(NEW_PASSWORD, &dave.password)),
    );
    response.expect(200, &what);
    let set_cookie = response
        .header("set-cookie")
        .unwrap_or_else(|| panic!("{what}: a new cookie"));
    let cookie = set_cookie.split(';').next().unwrap();
    assert_ne!(cookie, session.cookie, "{what}: a new session id");
    assert!(
        response.json()["csrf_token"].is_string(),
        "{what}: {}",
        response.text()
    );
    t.send(Request::get("/me").cookie(&session.cookie))
        .expect(401, &t.at("the session from before the change in a session"));
    t.me(Request::get("/me").cookie(cookie), "session", "the new session");
}

/// The reset link of the newest reset mail to `to`, waiting up to 5 s for it (it is
/// sent after the answer).
fn reset_token(t: &Suite<'_>, to: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let mails = t.mails_to(to);
        if let Some(mail) = mails.iter().rev().find(|m| m["subject"] == "Reset your password") {
            let body = mail["body"].as_str().expect("a mail body");
            let (_, rest) = body
                .split_once("/auth/password/reset/")
                .unwrap_or_else(|| panic!("a reset link in {body:?}"));
            return rest.split_whitespace().next().expect("a token").to_owned();
        }
        assert!(
            Instant::now() < deadline,
            "{}",
            t.at(&format!("a reset mail to {to}"))
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `POST /auth/password/reset`: the same 202 for a known and an unknown address, a mail
/// to the known one; its link sets the password (204) once (then 403); the user's
/// tokens from before are refused and the new password logs in.
pub fn password_reset_rows(t: &Suite<'_>, dave: &Account) {
    let request =
        |email: &str| t.send(Request::post("/auth/password/reset").json(&json!({ "email": email })));
    for email in ["dave@example.com", "nobody@example.com"] {
        let what = t.at(&format!("reset request for {email}"));
        let response = request(email);
        response.expect(202, &what);
        assert_eq!(response.json(), json!({ "accepted": true }), "{what}");
    }
    request("dave@example.com").expect_error(429, "too_many_attempts", &t.at("a second reset request"));
    let token = reset_token(t, "dave@example.com");
    assert!(
        t.mails_to("nobody@example.com").is_empty(),
        "{}",
        t.at("no mail to an unknown address")
    );

    let reset = |token: &str, password: &str| {
        t.send(
            Request::post(&format!("/auth/password/reset/{token}"))
                .json(&json!({ "new_password": password })),
        )
    };
    reset(&token, "short").expect_error(400, "invalid_input", &t.at("reset to a weak password"));
    let what = t.at("reset by the mailed link");
    let response = reset(&token, NEW_PASSWORD);
    response.expect(204, &what);
    assert!(response.text().is_empty(), "{what}: no body");
    reset(&token, "another-password-3").expect_error(403, "forbidden", &t.at("the reset link used twice"));
    reset(&"A".repeat(43), "another-password-3").expect_error(
        403,
        "forbidden",
        &t.at("a made-up reset link"),
    );

    assert_invalid_token(
        &t.send(Request::get("/me").bearer(&dave.access)),
        &t.at("the access token from before the reset"),
    );
    t.send(Request::post("/auth/login").json(&json!({ "username": dave.name, "password": dave.password })))
        .expect_error(
            401,
            "invalid_credentials",
            &t.at("login with the password from before the reset"),
        );
    t.login(&dave.name, NEW_PASSWORD);
}

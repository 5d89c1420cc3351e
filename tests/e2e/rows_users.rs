//! Row groups of user accounts: username changes, e-mail confirmation, login throttling.
use serde_json::json;

use crate::client::{Request, Response, fresh_source};
use crate::suite::*;

/// `POST /users/{id}/change_username`: 200 owner/admin, 400 same name, 409 taken,
/// 403 another user, 404 unknown.
pub fn change_username_rows(t: &Suite<'_>, alice: &Account, bob: &Account, dave: &Account) {
    let rename = |id: i64, token: &str, name: &str| {
        t.send(
            Request::post(&format!("/users/{id}/change_username"))
                .bearer(token)
                .json(&json!({ "username": name })),
        )
    };
    let what = t.at("dave renames himself");
    let response = rename(dave.id, &dave.access, "david");
    response.expect(200, &what);
    assert_eq!(
        response.json(),
        json!({ "id": dave.id, "username": "david" }),
        "{what}"
    );
    let body = t.me(
        Request::get("/me").bearer(&dave.access),
        "jwt",
        "/me after the rename",
    );
    assert_eq!(body["username"], "david", "{body}");
    t.send(
        Request::post("/auth/login")
            .source(fresh_source())
            .json(&json!({ "username": "dave", "password": dave.password })),
    )
    .expect_error(401, "invalid_credentials", &t.at("login with the old name"));
    t.login("david", &dave.password);

    rename(dave.id, &dave.access, "david").expect_error(
        400,
        "invalid_input",
        &t.at("rename to the same name"),
    );
    rename(dave.id, &dave.access, "bob").expect_error(409, "conflict", &t.at("rename to a taken name"));
    rename(dave.id, &dave.access, "x").expect_error(400, "invalid_input", &t.at("rename to an invalid name"));
    assert_insufficient_scope(&rename(bob.id, &dave.access, "bobby"), &t.at("dave renames bob"));
    rename(MISSING_ID, &dave.access, "ghost").expect_error(404, "not_found", &t.at("rename an unknown user"));
    rename(MISSING_ID, &alice.access, "ghost").expect_error(
        404,
        "not_found",
        &t.at("admin renames an unknown user"),
    );
    t.send(
        Request::post(&format!("/users/{}/change_username", dave.id)).json(&json!({ "username": "dave3" })),
    )
    .expect_error(401, "missing_credentials", &t.at("rename anonymously"));

    let what = t.at("alice (admin) renames dave back");
    let response = rename(dave.id, &alice.access, "dave");
    response.expect(200, &what);
    assert_eq!(response.json()["username"], "dave", "{what}");
    let body = t.me(Request::get("/me").bearer(&bob.access), "jwt", "bob is still bob");
    assert_eq!(body["username"], "bob", "{body}");
}

/// AuthX e-mail confirmation: status, request (202, 429 within 60 s, 400 once
/// confirmed), confirm (200; 403 reused or unknown).
pub fn confirmation_rows(t: &Suite<'_>, bob: &Account, dave: &Account) {
    let email = format!("{}@example.com", dave.name);
    let status = |what: &str| {
        let response = t.send(Request::get("/auth/confirm").bearer(&dave.access));
        response.expect(200, &t.at(what));
        response.json()
    };
    assert_eq!(
        status("status before"),
        json!({ "email": email, "confirmed": false })
    );
    t.send(Request::get("/auth/confirm")).expect_error(
        401,
        "missing_credentials",
        &t.at("GET /auth/confirm anonymously"),
    );
    t.send(Request::post("/auth/confirm")).expect_error(
        401,
        "missing_credentials",
        &t.at("POST /auth/confirm anonymously"),
    );

    assert!(
        t.mails_to(&email).is_empty(),
        "{}",
        t.at("no mail before the request")
    );
    t.send(Request::post("/auth/confirm").bearer(&dave.access))
        .expect(202, &t.at("request a confirmation mail"));
    let what = t.at("a second request within 60 s");
    let response = t.send(Request::post("/auth/confirm").bearer(&dave.access));
    response.expect_error(429, "too_many_attempts", &what);
    let retry: u64 = response
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{what}: Retry-After seconds in {:?}", response.headers));
    assert!((1..=60).contains(&retry), "{what}: Retry-After {retry}");
    let mails = t.mails_to(&email);
    assert_eq!(mails.len(), 1, "{}: one mail only: {mails:?}", t.at("outbox"));
    let token = t.confirmation_token(&email);
    assert_eq!(token.len(), 43, "{}: a 256-bit token: {token}", t.at("the link"));

    let confirm = |token: &str| t.send(Request::post(&format!("/auth/confirm/{token}")));
    confirm("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").expect_error(
        403,
        "forbidden",
        &t.at("confirm with an unknown token"),
    );
    confirm("short").expect_error(403, "forbidden", &t.at("confirm with a malformed token"));
    // A session id is no confirmation token, and a confirmation token no session id.
    let session = t.session(&bob.name, &bob.password);
    let session_id = session.cookie.split_once('=').expect("name=value").1.to_owned();
    confirm(&session_id).expect_error(403, "forbidden", &t.at("confirm with a session id"));
    t.me(
        Request::get("/me").cookie(&session.cookie),
        "session",
        "the session after that",
    );
    t.send(Request::get("/me").cookie(&format!("{COOKIE}={token}")))
        .expect(401, &t.at("a confirmation token as session cookie"));
    assert_eq!(
        status("status still unconfirmed"),
        json!({ "email": email, "confirmed": false })
    );

    let what = t.at("confirm");
    let response = confirm(&token);
    response.expect(200, &what);
    assert_eq!(response.json()["confirmed"], true, "{what}");
    confirm(&token).expect_error(403, "forbidden", &t.at("confirm with a used token"));
    // The mailed link is clicked: GET is the same route (here: the token is spent).
    t.send(Request::get(&format!("/auth/confirm/{token}")))
        .expect_error(403, "forbidden", &t.at("clicking a used link"));
    assert_eq!(
        status("status after"),
        json!({ "email": email, "confirmed": true })
    );
    t.send(Request::post("/auth/confirm").bearer(&dave.access))
        .expect_error(400, "already_confirmed", &t.at("request after confirmation"));

    // Bob's address is unaffected.
    let response = t.send(Request::get("/auth/confirm").bearer(&bob.access));
    response.expect(200, &t.at("bob's status"));
    assert_eq!(response.json()["confirmed"], false, "{}", t.at("bob's status"));
}

/// Five failed logins of one user name from one address answer 401, the sixth
/// attempt 429 with `Retry-After`, even with the right password, also for session
/// login and Basic from that address; the owner at another address is not locked
/// out by the stranger (issue 14); other users are unaffected.
pub fn throttle_rows(t: &Suite<'_>, alice: &Account) {
    let name = "mallory";
    t.register(name, "mallory-password-1");
    let attempt = |password: &str, source| {
        t.send(
            Request::post("/auth/login")
                .source(source)
                .json(&json!({ "username": name, "password": password })),
        )
    };
    let attacker = fresh_source();
    for n in 1..=5 {
        attempt(&format!("wrong-password-{n}"), attacker).expect_error(
            401,
            "invalid_credentials",
            &t.at(&format!("failed login {n}")),
        );
    }
    let throttled = |response: &Response, what: &str| {
        let what = t.at(what);
        response.expect_error(429, "too_many_attempts", &what);
        let retry: u64 = response
            .header("retry-after")
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{what}: Retry-After seconds in {:?}", response.headers));
        assert!(
            (1..=900).contains(&retry),
            "{what}: Retry-After {retry} within the 15-minute window"
        );
        assert!(response.json().get("access_token").is_none(), "{what}");
    };
    throttled(
        &attempt("mallory-password-1", attacker),
        "6th attempt, right password",
    );
    throttled(&attempt("wrong-password-7", attacker), "7th attempt");
    throttled(
        &t.send(
            Request::post("/session/login")
                .source(attacker)
                .json(&json!({ "username": name, "password": "mallory-password-1" })),
        ),
        "session login while throttled",
    );
    throttled(
        &t.send(
            Request::get("/me")
                .source(attacker)
                .basic(name, "mallory-password-1"),
        ),
        "Basic while throttled",
    );
    // The stranger's guesses do not lock the owner out: from the owner's address the
    // right password logs in, by every route.
    let owner = fresh_source();
    attempt("mallory-password-1", owner).expect(200, &t.at("the owner from another address"));
    t.send(
        Request::post("/session/login")
            .source(owner)
            .json(&json!({ "username": name, "password": "mallory-password-1" })),
    )
    .expect(200, &t.at("the owner's session login"));
    t.send(
        Request::get("/me")
            .source(owner)
            .basic(name, "mallory-password-1"),
    )
    .expect(200, &t.at("the owner's Basic"));
    // Other users log in; tokens issued before still work.
    t.login(&alice.name, &alice.password);
    t.me(
        Request::get("/me").bearer(&alice.access),
        "jwt",
        "a token after the throttling",
    );
}

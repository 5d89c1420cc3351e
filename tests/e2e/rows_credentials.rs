//! Row groups of the credentials: `/me` for every scheme, sessions with CSRF, refresh
//! rotation and reuse detection, logout.
use serde_json::{Value, json};

use crate::client::{Request, Response, fresh_source};
use crate::jwt::verify_hs256;
use crate::server::JWT_SECRET;
use crate::suite::*;

/// `GET /me` for jwt, api_key (header and query), session and basic, and 401 without.
pub fn me_for_every_scheme(t: &Suite<'_>, bob: &Account) {
    let check = |body: &Value, what: &str| {
        assert_eq!(body["id"], bob.id, "{what}: {body}");
        assert_eq!(body["username"], bob.name, "{what}: {body}");
        assert_eq!(body["roles"], json!(["user"]), "{what}: {body}");
    };
    check(
        &t.me(Request::get("/me").bearer(&bob.access), "jwt", "/me jwt"),
        "/me jwt",
    );
    check(
        &t.me(
            Request::get("/me").basic(&bob.name, &bob.password),
            "basic",
            "/me basic",
        ),
        "/me basic",
    );
    let session = t.session(&bob.name, &bob.password);
    check(
        &t.me(
            Request::get("/me").cookie(&session.cookie),
            "session",
            "/me session",
        ),
        "/me session",
    );
    let (_, key) = t.create_api_key(Request::post("/api-keys").bearer(&bob.access), "bob's key");
    check(
        &t.me(Request::get("/me").api_key(&key), "api_key", "/me api_key header"),
        "/me api_key",
    );
    check(
        &t.me(
            Request::get(&format!("/me?api_key={key}")),
            "api_key",
            "/me ?api_key=",
        ),
        "/me ?api_key=",
    );

    let what = t.at("/me without credentials");
    let response = t.send(Request::get("/me"));
    response.expect_error(401, "missing_credentials", &what);
    let challenges = response.headers_all("www-authenticate");
    assert_eq!(
        challenges.len(),
        4,
        "{what}: one challenge per scheme: {challenges:?}"
    );
    for scheme in ["Bearer ", "ApiKey ", "Session ", "Basic "] {
        assert!(
            challenges.iter().any(|c| c.starts_with(scheme)),
            "{what}: {scheme}in {challenges:?}"
        );
    }
    assert!(
        !challenges.iter().any(|c| c.contains("error=")),
        "{what}: no error= {challenges:?}"
    );

    t.send(
        Request::get("/me")
            .source(fresh_source())
            .basic(&bob.name, "wrong-password-1"),
    )
    .expect_error(
        401,
        "invalid_credentials",
        &t.at("/me basic with a wrong password"),
    );
    t.send(Request::get("/me").api_key("pk_0000000000000000000000000000000000000000000000"))
        .expect(401, &t.at("/me with an unknown API key"));
    t.send(
        Request::get("/me")
            .bearer(&bob.access)
            .api_key("pk_0000000000000000000000000000000000000000000000"),
    )
    .expect(
        401,
        &t.at("/me with a valid token and an invalid API key (fail closed)"),
    );
    // Basic with the right password still works.
    t.me(
        Request::get("/me").basic(&bob.name, &bob.password),
        "basic",
        "/me basic again",
    );
}

/// `POST /session/login`, `POST /session/logout`, and CSRF on unsafe session requests.
pub fn session_rows(t: &Suite<'_>, carol: &Account) {
    t.send(
        Request::post("/session/login")
            .source(fresh_source())
            .json(&json!({ "username": carol.name, "password": "nope-nope-nope" })),
    )
    .expect_error(
        401,
        "invalid_credentials",
        &t.at("session login with a wrong password"),
    );
    let session = t.session(&carol.name, &carol.password);
    let me = t.me(
        Request::get("/me").cookie(&session.cookie),
        "session",
        "/me with the session",
    );
    assert_eq!(me["username"], carol.name);

    // Unsafe requests need X-CSRF-Token (the right one) and a same-site Origin.
    t.send(Request::post("/session/logout").cookie(&session.cookie))
        .expect_error(403, "csrf_rejected", &t.at("session logout without X-CSRF-Token"));
    t.send(
        Request::post("/session/logout")
            .cookie(&session.cookie)
            .csrf("wrong-token"),
    )
    .expect_error(
        403,
        "csrf_rejected",
        &t.at("session logout with a wrong X-CSRF-Token"),
    );
    let other = t.session(&carol.name, &carol.password);
    t.send(
        Request::post("/session/logout")
            .cookie(&session.cookie)
            .csrf(&other.csrf),
    )
    .expect_error(
        403,
        "csrf_rejected",
        &t.at("session logout with another session's CSRF token"),
    );
    t.send(
        Request::post("/posts")
            .cookie(&session.cookie)
            .json(&Suite::post_json("no csrf", true)),
    )
    .expect_error(
        403,
        "csrf_rejected",
        &t.at("POST /posts over a session without X-CSRF-Token"),
    );
    t.send(
        Request::post("/posts")
            .cookie(&session.cookie)
            .csrf(&session.csrf)
            .header("Origin", "http://evil.example")
            .json(&Suite::post_json("cross site", true)),
    )
    .expect_error(
        403,
        "csrf_rejected",
        &t.at("POST /posts over a session from another Origin"),
    );
    t.send(
        Request::post("/posts")
            .cookie(&session.cookie)
            .csrf(&session.csrf)
            .header("Sec-Fetch-Site", "cross-site")
            .json(&Suite::post_json("cross site", true)),
    )
    .expect_error(
        403,
        "csrf_rejected",
        &t.at("POST /posts over a session, Sec-Fetch-Site: cross-site"),
    );
    t.send(Request::new("DELETE", &format!("/posts/{MISSING_ID}")).cookie(&session.cookie))
        .expect_error(
            403,
            "csrf_rejected",
            &t.at("DELETE over a session without X-CSRF-Token"),
        );
    // The refused requests did not end the session.
    t.me(
        Request::get("/me").cookie(&session.cookie),
        "session",
        "/me after refused requests",
    );

    let what = t.at("session logout");
    let response = t.send(
        Request::post("/session/logout")
            .cookie(&session.cookie)
            .csrf(&session.csrf),
    );
    response.expect(204, &what);
    assert!(response.body.is_empty(), "{what}: no body");
    let cleared = response
        .header("set-cookie")
        .unwrap_or_else(|| panic!("{what}: Set-Cookie"));
    assert!(
        cleared.starts_with(&format!("{COOKIE}=;")),
        "{what}: the cookie is emptied: {cleared}"
    );
    assert!(
        cleared
            .split(';')
            .any(|a| a.trim().eq_ignore_ascii_case("Max-Age=0")),
        "{what}: and expires now: {cleared}"
    );
    let response = t.send(Request::get("/me").cookie(&session.cookie));
    response.expect_error(401, "invalid_credentials", &t.at("/me with the ended session"));
    t.send(
        Request::post("/session/logout")
            .cookie(&session.cookie)
            .csrf(&session.csrf),
    )
    .expect(401, &t.at("session logout of an ended session"));
    t.send(Request::post("/session/logout").bearer(&carol.access))
        .expect(401, &t.at("session logout with a bearer token only"));
    // The other session lives on.
    t.me(
        Request::get("/me").cookie(&other.cookie),
        "session",
        "/me with the other session",
    );
}

/// `POST /auth/refresh`: rotation; reuse revokes the family; access tokens refused.
pub fn refresh_rows(t: &Suite<'_>, bob: &Account) {
    let (_, first) = t.login(&bob.name, &bob.password);
    let refresh =
        |token: &str| t.send(Request::post("/auth/refresh").json(&json!({ "refresh_token": token })));

    let what = t.at("refresh");
    let response = refresh(&first);
    response.expect(200, &what);
    let pair = response.json();
    assert_eq!(pair["token_type"], "Bearer", "{what}: {pair}");
    assert_eq!(pair["expires_in"], ACCESS_TTL, "{what}: {pair}");
    let second = pair["refresh_token"].as_str().expect("refresh_token").to_owned();
    let access = pair["access_token"].as_str().expect("access_token").to_owned();
    assert_ne!(second, first, "{what}: a new refresh token (rotation)");
    let (_, claims) = verify_hs256(&access, JWT_SECRET);
    assert_eq!(claims["sub"], bob.id.to_string(), "{what}: {claims}");
    assert_eq!(claims["typ"], "access", "{what}: {claims}");
    t.me(
        Request::get("/me").bearer(&access),
        "jwt",
        "/me with the refreshed access token",
    );

    let response = refresh(&second);
    response.expect(200, &t.at("refresh the rotated token"));
    let third = response.json()["refresh_token"]
        .as_str()
        .expect("refresh_token")
        .to_owned();

    // The token endpoint answers 401 `invalid_token` (a body, no challenge: the
    // refresh token is not an HTTP credential).
    let refused = |response: Response, what: &str| {
        response.expect_error(401, "invalid_token", what);
    };
    // Reuse of a spent token: 401, and the whole family is revoked.
    refused(refresh(&first), &t.at("reuse of a spent refresh token"));
    refused(refresh(&third), &t.at("the family's newest token after reuse"));
    refused(refresh(&second), &t.at("the family's middle token after reuse"));

    // An access token, garbage, or nothing are not refresh tokens.
    refused(refresh(&bob.access), &t.at("an access token as refresh token"));
    refused(refresh("0123456789"), &t.at("a short refresh token"));
    refused(
        refresh("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        &t.at("an unknown refresh token"),
    );
    t.send(Request::post("/auth/refresh").json(&json!({})))
        .expect_error(400, "invalid_input", &t.at("refresh without refresh_token"));
    // Other families are untouched.
    let response = refresh(&bob.refresh);
    response.expect(200, &t.at("another family still refreshes"));
}

/// `POST /auth/logout`: 204; the refresh family and the access token stop working.
pub fn logout_rows(t: &Suite<'_>, bob: &Account) {
    let (access, refresh) = t.login(&bob.name, &bob.password);
    let (other_access, other_refresh) = t.login(&bob.name, &bob.password);
    t.send(Request::post("/auth/logout").json(&json!({ "refresh_token": refresh })))
        .expect_error(401, "missing_credentials", &t.at("logout without a bearer token"));
    let what = t.at("logout");
    let response = t.send(
        Request::post("/auth/logout")
            .bearer(&access)
            .json(&json!({ "refresh_token": refresh })),
    );
    response.expect(204, &what);
    assert!(response.body.is_empty(), "{what}: no body");
    assert_invalid_token(
        &t.send(Request::get("/me").bearer(&access)),
        &t.at("/me after logout"),
    );
    assert_invalid_token(
        &t.send(
            Request::post("/posts")
                .bearer(&access)
                .json(&Suite::post_json("after logout", true)),
        ),
        &t.at("POST /posts after logout"),
    );
    t.send(Request::post("/auth/refresh").json(&json!({ "refresh_token": refresh })))
        .expect_error(401, "invalid_token", &t.at("refresh after logout"));
    assert_invalid_token(
        &t.send(
            Request::post("/auth/logout")
                .bearer(&access)
                .json(&json!({ "refresh_token": refresh })),
        ),
        &t.at("logout again with the revoked access token"),
    );
    // Another login of the same user is a separate family and token.
    t.me(
        Request::get("/me").bearer(&other_access),
        "jwt",
        "/me with another login",
    );
    t.send(Request::post("/auth/refresh").json(&json!({ "refresh_token": other_refresh })))
        .expect(200, &t.at("refresh of another login"));

    // Logout ends every access token of the family, not only the presented one.
    let (first_access, first_refresh) = t.login(&bob.name, &bob.password);
    let rotated = t.send(Request::post("/auth/refresh").json(&json!({ "refresh_token": first_refresh })));
    rotated.expect(200, &t.at("a rotation before logout"));
    let pair = rotated.json();
    let (second_access, second_refresh) = (
        pair["access_token"].as_str().expect("access_token"),
        pair["refresh_token"].as_str().expect("refresh_token"),
    );
    t.send(
        Request::post("/auth/logout")
            .bearer(second_access)
            .json(&json!({ "refresh_token": second_refresh })),
    )
    .expect(204, &t.at("logout with the rotated pair"));
    assert_invalid_token(
        &t.send(Request::get("/me").bearer(&first_access)),
        &t.at("an earlier access token of the logged-out family"),
    );
}

/// `POST /auth/logout_all`: every token, refresh family and session of the user issued
/// until then stops working; logins afterwards work (a fresh user: nobody else's rows).
pub fn logout_all_rows(t: &Suite<'_>, dave: &Account) {
    let (access, refresh) = t.login(&dave.name, &dave.password);
    let (other_access, other_refresh) = t.login(&dave.name, &dave.password);
    let session = t.session(&dave.name, &dave.password);
    t.send(Request::post("/auth/logout_all")).expect_error(
        401,
        "missing_credentials",
        &t.at("logout_all without credentials"),
    );
    let what = t.at("logout_all");
    let response = t.send(Request::post("/auth/logout_all").bearer(&access));
    response.expect(204, &what);
    assert!(response.body.is_empty(), "{what}: no body");
    for (token, name) in [
        (&access, "the presenting token"),
        (&other_access, "another login's token"),
    ] {
        t.send(Request::get("/me").bearer(token)).expect_error(
            401,
            "invalid_token",
            &t.at(&format!("/me with {name} after logout_all")),
        );
    }
    for refresh_token in [&refresh, &other_refresh] {
        t.send(Request::post("/auth/refresh").json(&json!({ "refresh_token": refresh_token })))
            .expect_error(401, "invalid_token", &t.at("refresh after logout_all"));
    }
    let ended = t.send(Request::get("/me").cookie(&session.cookie));
    assert_eq!(
        ended.status,
        401,
        "{}: {}",
        t.at("/me with the session after logout_all"),
        ended.text()
    );
    let (again, _) = t.login(&dave.name, &dave.password);
    t.me(
        Request::get("/me").bearer(&again),
        "jwt",
        "/me after logging in again",
    );
}

//! Row groups of signing in: login by e-mail address, an administrator disabling and
//! enabling an account; and a server of its own with sign-in on registration and the
//! tokens in `HttpOnly` cookies (`PORTCULLIS_SIGN_IN_ON_REGISTER=1`,
//! `PORTCULLIS_TOKEN_COOKIES=1`).

use serde_json::json;

use crate::client::{Request, Response};
use crate::server::Server;
use crate::suite::*;

fn login(name: &str, password: &str) -> Request {
    Request::post("/auth/login").json(&json!({ "username": name, "password": password }))
}

/// `POST /auth/login` and `/session/login` take the e-mail address (any case) for the
/// user name; a wrong password for a known address and an unknown address answer alike.
pub fn login_by_email_rows(t: &Suite<'_>, bob: &Account) {
    for address in ["bob@example.com", "BOB@Example.com"] {
        let (access, _) = t.login(address, &bob.password);
        let body = t.me(
            Request::get("/me").bearer(&access),
            "jwt",
            &format!("/me after login as {address}"),
        );
        assert_eq!(body["id"], bob.id, "{body}");
    }
    let session = t.session("bob@example.com", &bob.password);
    let body = t.me(
        Request::get("/me").cookie(&session.cookie),
        "session",
        "/me of an e-mail session",
    );
    assert_eq!(body["id"], bob.id, "{body}");
    let wrong = t.send(login("bob@example.com", "not-bobs-password"));
    let unknown = t.send(login("nobody@example.com", &bob.password));
    wrong.expect_error(
        401,
        "invalid_credentials",
        &t.at("login by e-mail, wrong password"),
    );
    unknown.expect_error(401, "invalid_credentials", &t.at("login by an unknown e-mail"));
    assert_eq!(wrong.json(), unknown.json(), "{}", t.at("the same answer"));
}

/// `POST /users/{id}/disable` (admin): 204, and dave's access token, refresh token and
/// session are refused at once (401), his API key too (403) and his password logins;
/// 403 for anyone else, 404 for an unknown user; `enable` lets him log in again while
/// the old credentials stay revoked.
pub fn disable_rows(t: &Suite<'_>, alice: &Account, bob: &Account) {
    let dave = t.dave();
    let session = t.session(&dave.name, &dave.password);
    let post = |uri: &str| Request::post(uri);
    let (_, key) = t.create_api_key(post("/api-keys").bearer(&dave.access), "dave's API key");
    let disable = format!("/users/{}/disable", dave.id);
    t.send(post(&disable).bearer(&bob.access))
        .expect_error(403, "forbidden", &t.at("disable by a user"));
    t.send(post(&disable))
        .expect_error(401, "missing_credentials", &t.at("disable without credentials"));
    t.send(post("/users/999999/disable").bearer(&alice.access))
        .expect_error(404, "not_found", &t.at("disable an unknown user"));
    t.me(Request::get("/me").api_key(&key), "api_key", "dave's key before");

    let response = t.send(post(&disable).bearer(&alice.access));
    response.expect(204, &t.at("disable by the admin"));
    assert!(response.body.is_empty(), "{}", t.at("204 has no body"));
    assert_invalid_token(
        &t.send(Request::get("/me").bearer(&dave.access)),
        &t.at("disabled: access token"),
    );
    let refresh = Request::post("/auth/refresh").json(&json!({ "refresh_token": dave.refresh }));
    assert_invalid_token(&t.send(refresh), &t.at("disabled: refresh token"));
    let by_session = t.send(Request::get("/me").cookie(&session.cookie));
    assert_eq!(
        by_session.status,
        401,
        "{}: {}",
        t.at("disabled: session"),
        by_session.text()
    );
    t.send(Request::get("/me").api_key(&key))
        .expect_error(403, "forbidden", &t.at("disabled: API key"));
    t.send(login(&dave.name, &dave.password)).expect_error(
        401,
        "invalid_credentials",
        &t.at("disabled: login"),
    );
    t.me(
        Request::get("/me").bearer(&alice.access),
        "jwt",
        "the admin is untouched",
    );

    t.send(post(&format!("/users/{}/enable", dave.id)).bearer(&bob.access))
        .expect_error(403, "forbidden", &t.at("enable by a user"));
    t.send(post(&format!("/users/{}/enable", dave.id)).bearer(&alice.access))
        .expect(204, &t.at("enable by the admin"));
    let (access, _) = t.login(&dave.name, &dave.password);
    t.me(Request::get("/me").bearer(&access), "jwt", "enabled: a new login");
    t.me(
        Request::get("/me").api_key(&key),
        "api_key",
        "enabled: the API key",
    );
    assert_invalid_token(
        &t.send(Request::get("/me").bearer(&dave.access)),
        &t.at("enabled: the old token"),
    );
}

/// `name=value` of the `Set-Cookie` of `name`, with its attributes checked.
fn cookie(response: &Response, name: &str, attributes: &[&str]) -> String {
    let set_cookie = response
        .headers_all("set-cookie")
        .into_iter()
        .find(|c| c.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("a {name} cookie: {:?}", response.headers_all("set-cookie")));
    for attribute in attributes {
        assert!(
            set_cookie.split(';').any(|a| a.trim() == *attribute),
            "{attribute}: {set_cookie}"
        );
    }
    set_cookie.split(';').next().expect("name=value").to_owned()
}

/// A server with `PORTCULLIS_SIGN_IN_ON_REGISTER=1` and `PORTCULLIS_TOKEN_COOKIES=1`
/// (development mode: no `__Host-`, no `Secure`): registration signs in into cookies,
/// the access cookie authenticates, unsafe requests need the CSRF token, a refresh by
/// cookie rotates, logout clears both cookies.
pub fn sign_in_on_registration_into_token_cookies() {
    let server = Server::start(
        "cookies",
        None,
        &[
            ("PORTCULLIS_SIGN_IN_ON_REGISTER", "1"),
            ("PORTCULLIS_TOKEN_COOKIES", "1"),
        ],
    );
    let registration =
        json!({ "username": "erin", "email": "erin@example.com", "password": "erin-password-1" });
    let response = server.send(Request::post("/auth/register").json(&registration));
    response.expect(201, "register with sign-in");
    let body = response.json();
    assert_eq!(body["username"], "erin", "{body}");
    assert!(body.get("access_token").is_none(), "no token in the body: {body}");
    let csrf = body["csrf_token"].as_str().expect("csrf_token").to_owned();
    let access = cookie(
        &response,
        "portcullis_access",
        &["HttpOnly", "Path=/", "SameSite=Lax"],
    );
    let refresh = cookie(
        &response,
        "portcullis_refresh",
        &["HttpOnly", "Path=/auth/refresh", "SameSite=Strict"],
    );
    let me = server.send(Request::get("/me").cookie(&access));
    me.expect(200, "/me with the access cookie");
    assert_eq!(
        (me.json()["username"].clone(), me.json()["scheme"].clone()),
        (json!("erin"), json!("jwt"))
    );
    server
        .send(Request::post("/auth/logout").cookie(&access))
        .expect_error(403, "csrf_rejected", "logout by cookie without the CSRF token");
    server
        .send(Request::post("/auth/refresh").cookie(&refresh))
        .expect_error(403, "csrf_rejected", "refresh by cookie without the CSRF token");
    let rotated = server.send(Request::post("/auth/refresh").cookie(&refresh).csrf(&csrf));
    rotated.expect(200, "refresh by cookie");
    let new_access = cookie(&rotated, "portcullis_access", &["HttpOnly"]);
    let new_refresh = cookie(&rotated, "portcullis_refresh", &["HttpOnly"]);
    assert_ne!(new_refresh, refresh, "rotated");
    server
        .send(Request::post("/auth/refresh").cookie(&refresh).csrf(&csrf))
        .expect_error(401, "invalid_token", "the spent refresh cookie");
    server.send(Request::get("/me").cookie(&new_access)).expect_error(
        401,
        "invalid_token",
        "reuse ended the family",
    );

    let response = server.send(login("erin@example.com", "erin-password-1"));
    response.expect(200, "login into cookies");
    let csrf = response.json()["csrf_token"]
        .as_str()
        .expect("csrf_token")
        .to_owned();
    let access = cookie(&response, "portcullis_access", &["HttpOnly"]);
    let out = server.send(Request::post("/auth/logout").cookie(&access).csrf(&csrf));
    out.expect(204, "logout by cookie");
    cookie(&out, "portcullis_access", &["Max-Age=0", "Path=/"]);
    cookie(&out, "portcullis_refresh", &["Max-Age=0", "Path=/auth/refresh"]);
    server.send(Request::get("/me").cookie(&access)).expect_error(
        401,
        "invalid_token",
        "the access cookie after logout",
    );
}

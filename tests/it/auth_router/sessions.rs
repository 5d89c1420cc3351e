//! `POST /session/login`, `POST /session/logout`.

use super::*;

// ---------------------------------------------------------------------------------------------
// POST /session/login, POST /session/logout
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn session_login_sets_the_development_cookie_and_returns_the_csrf_token() {
    let w = world();
    let (r, session) = session_login(&w.app, "bob", BOB_PASSWORD).await;
    assert_eq!(r.headers[CONTENT_TYPE], "application/json");
    let body = r.body.as_object().unwrap();
    assert_eq!(body.keys().collect::<Vec<_>>(), ["csrf_token"]);
    assert_eq!(session.csrf.len(), 43, "{}", session.csrf);

    let set_cookies: Vec<_> = r.headers.get_all(SET_COOKIE).iter().collect();
    assert_eq!(set_cookies.len(), 1);
    let set_cookie = set_cookies[0].to_str().unwrap();
    let (name, value) = session.cookie.split_once('=').unwrap();
    assert_eq!(name, "portcullis_session", "{set_cookie}");
    assert_eq!(value.len(), 43, "{set_cookie}");
    assert_ne!(value, session.csrf);
    let attributes = cookie_attributes(set_cookie);
    for expected in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(
            attributes.iter().any(|a| a == expected),
            "{expected} missing: {set_cookie}"
        );
    }
    assert!(
        !attributes.iter().any(|a| a.eq_ignore_ascii_case("secure")),
        "{set_cookie}"
    );

    // The cookie authenticates `/me` (GET: no CSRF token needed).
    let r = send(&w.app, get_with("/me", "cookie", &session.cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body, me_body(2, "bob", &["user"], "session"));
}

#[tokio::test]
async fn session_login_failures_set_no_cookie() {
    let w = world();
    for (name, password) in [("bob", "wrong-password-x"), ("nobody", BOB_PASSWORD)] {
        let r = send(&w.app, post_json("/session/login", &credentials(name, password))).await;
        expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
        assert!(r.headers.get(SET_COOKIE).is_none());
    }
    assert_invalid_input(&send(&w.app, post_json("/session/login", &json!({"username": "bob"}))).await);
}

#[tokio::test]
async fn session_logout_needs_the_csrf_token_then_clears_the_cookie_and_ends_the_session() {
    let w = world();
    let (_, session) = session_login(&w.app, "bob", BOB_PASSWORD).await;

    // Without X-CSRF-Token, or with a wrong one: 403, and the session lives on.
    for csrf in [None, Some("wrong"), Some(&*"A".repeat(43))] {
        let mut request = Request::post("/session/logout").header("cookie", &session.cookie);
        if let Some(csrf) = csrf {
            request = request.header("x-csrf-token", csrf);
        }
        let r = send(&w.app, request.body(Body::empty()).unwrap()).await;
        expect_error(&r, StatusCode::FORBIDDEN, "csrf_rejected");
        assert!(r.headers.get(SET_COOKIE).is_none());
    }
    assert_eq!(
        send(&w.app, get_with("/me", "cookie", &session.cookie))
            .await
            .status,
        StatusCode::OK
    );

    // With it: 204 and a cleared cookie.
    let r = send(
        &w.app,
        Request::post("/session/logout")
            .header("cookie", &session.cookie)
            .header("x-csrf-token", &session.csrf)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    assert_eq!(r.body, Value::Null);
    let cleared = r.headers[SET_COOKIE].to_str().unwrap();
    assert!(cleared.starts_with("portcullis_session=;"), "{cleared}");
    let attributes = cookie_attributes(cleared);
    for expected in ["Max-Age=0", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(
            attributes.iter().any(|a| a == expected),
            "{expected} missing: {cleared}"
        );
    }

    // The old cookie no longer works, even if the browser kept it.
    let r = send(&w.app, get_with("/me", "cookie", &session.cookie)).await;
    expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
    assert!(
        r.challenges()
            .contains(&"Session realm=\"api\", error=\"invalid_credentials\", error_description=\"the session has ended or does not exist\"".to_owned()),
        "{:?}",
        r.challenges()
    );
    let r = send(
        &w.app,
        Request::post("/session/logout")
            .header("cookie", &session.cookie)
            .header("x-csrf-token", &session.csrf)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
}

#[tokio::test]
async fn session_logout_needs_a_session() {
    let w = world();
    let r = send(
        &w.app,
        Request::post("/session/logout").body(Body::empty()).unwrap(),
    )
    .await;
    expect_error(&r, StatusCode::UNAUTHORIZED, "missing_credentials");
    assert_eq!(r.challenges(), ["Session realm=\"api\""]);
    // A bearer token is not a session.
    let t = tokens(&w.app, "bob", BOB_PASSWORD).await;
    let r = send(&w.app, post_bearer("/session/logout", &t.access)).await;
    expect_error(&r, StatusCode::UNAUTHORIZED, "missing_credentials");
    assert!(r.headers.get(SET_COOKIE).is_none());
}

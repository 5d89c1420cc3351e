//! Server-side sessions: cookie attributes, fixation, logout, idle and absolute expiry,
//! CSRF and same-site checks.

use std::time::Duration;

use axum::extract::State;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::header::SET_COOKIE;
use portcullis::{AuthInfo, SessionConfig, auth, client_addr};

use crate::support::*;

use super::*;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/session/login", post(session_login))
        .route("/session/logout", post(session_logout))
        .route(
            "/session/me",
            get(session_me)
                .post(session_me)
                .put(session_me)
                .delete(session_me),
        )
}

/// `POST /session/login {username, password}`: password login, then a new session.
async fn session_login(State(p): State<Portcullis<User>>, parts: Parts, Json(body): Json<Value>) -> Response {
    let started = async {
        let login = p
            .login(
                text(&body, "username"),
                text(&body, "password"),
                client_addr(&parts),
            )
            .await?;
        p.start_session(&parts, &login.user).await
    }
    .await;
    match started {
        Ok(session) => (
            StatusCode::OK,
            [(SET_COOKIE, session.set_cookie)],
            Json(json!({"csrf_token": session.csrf_token})),
        )
            .into_response(),
        Err(e) => refuse(&p, e, SESSION),
    }
}

/// `POST /session/logout`: destroys the session server-side and clears the cookie.
#[auth(session)]
async fn session_logout(user: User, State(p): State<Portcullis<User>>, parts: Parts) -> Response {
    let _ = user;
    match p.end_session(&parts).await {
        Ok(clear) => (StatusCode::NO_CONTENT, [(SET_COOKIE, clear)]).into_response(),
        Err(e) => refuse(&p, e, SESSION),
    }
}

#[auth(session)]
async fn session_me(user: User, info: AuthInfo) -> Json<Value> {
    Json(json!({"id": user.id, "scheme": info.scheme().as_str()}))
}

pub(super) fn session_app(config: SessionConfig) -> Router {
    app(token_builder().sessions(config).build().unwrap())
}

pub(super) struct Session {
    /// `name=value`, as the browser sends it back.
    pub(super) cookie: String,
    pub(super) set_cookie: String,
    pub(super) csrf: String,
}

pub(super) fn session_login_request(cookie: Option<&str>) -> Request<Body> {
    let mut request = json_post("/session/login");
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request
        .body(Body::from(credentials("alice", ALICE_PASSWORD).to_string()))
        .unwrap()
}

pub(super) async fn start_session(app: &Router, cookie: Option<&str>) -> Session {
    let r = send(app, session_login_request(cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let set_cookie = r.headers[SET_COOKIE].to_str().unwrap().to_owned();
    let csrf = r.body["csrf_token"].as_str().unwrap().to_owned();
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    Session {
        cookie,
        set_cookie,
        csrf,
    }
}

pub(super) fn with_cookie(method: &str, uri: &str, cookie: &str) -> http::request::Builder {
    Request::builder()
        .method(method)
        .uri(uri)
        .header("host", "api.example")
        .header("cookie", cookie)
}

pub(super) async fn session_get(app: &Router, cookie: &str) -> Reply {
    send(
        app,
        with_cookie("GET", "/session/me", cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// Sessions
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_secure_session_cookie_has_the_host_prefix_and_every_attribute() {
    let p = token_builder().sessions(SessionConfig::new()).build().unwrap();
    assert_eq!(p.session_cookie_name(), "__Host-portcullis_session");
    let app = app(p);
    let session = start_session(&app, None).await;
    let (name, id) = session.cookie.split_once('=').unwrap();
    assert_eq!(name, "__Host-portcullis_session");
    assert_eq!(id.len(), 43);
    assert_eq!(URL_SAFE_NO_PAD.decode(id).unwrap().len(), 32);
    let attributes = cookie_attributes(&session.set_cookie);
    for expected in ["HttpOnly", "SameSite=Lax", "Path=/", "Secure", "Max-Age=43200"] {
        assert!(
            attributes.iter().any(|a| a == expected),
            "{expected} missing: {}",
            session.set_cookie
        );
    }
    assert!(
        !attributes.iter().any(|a| a.starts_with("Domain")),
        "{}",
        session.set_cookie
    );
    assert_eq!(session.csrf.len(), 43);
    assert_ne!(session.csrf, id);

    let r = session_get(&app, &session.cookie).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body, json!({"id": 1, "scheme": "session"}));
    // Without the prefix the cookie is not ours.
    let r = session_get(&app, &format!("portcullis_session={id}")).await;
    expect_error(&r, StatusCode::UNAUTHORIZED, "missing_credentials");
    assert_eq!(r.challenges(), ["Session realm=\"api\""]);
}

#[tokio::test]
async fn a_development_session_cookie_has_no_secure_and_no_prefix() {
    let p = token_builder().sessions(dev_sessions()).build().unwrap();
    assert_eq!(p.session_cookie_name(), "portcullis_session");
    let app = app(p);
    let session = start_session(&app, None).await;
    assert!(
        session.cookie.starts_with("portcullis_session="),
        "{}",
        session.set_cookie
    );
    let attributes = cookie_attributes(&session.set_cookie);
    for expected in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(
            attributes.iter().any(|a| a == expected),
            "{expected} missing: {}",
            session.set_cookie
        );
    }
    assert!(
        !attributes.iter().any(|a| a == "Secure"),
        "{}",
        session.set_cookie
    );
    assert!(!session.set_cookie.contains("__Host-"), "{}", session.set_cookie);
    let r = session_get(&app, &session.cookie).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["scheme"], "session");
    // Among other cookies, ours is found.
    let r = session_get(&app, &format!("theme=dark; {}; lang=en", session.cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

#[tokio::test]
async fn a_session_of_a_user_who_became_inactive_is_forbidden() {
    let store = controlled_users();
    let p = Portcullis::builder(store.clone())
        .sessions(dev_sessions())
        .build()
        .unwrap();
    let app = app(p);
    let session = start_session(&app, None).await;
    set_active(&store, "alice", false).await;
    let r = session_get(&app, &session.cookie).await;
    expect_error(&r, StatusCode::FORBIDDEN, "forbidden");
    set_active(&store, "alice", true).await;
    assert_eq!(session_get(&app, &session.cookie).await.status, StatusCode::OK);
}

#[tokio::test]
async fn every_login_gets_a_new_session_id() {
    let app = session_app(dev_sessions());
    let first = start_session(&app, None).await;
    // The second login carries the first cookie (as a fixated victim's browser would).
    let second = start_session(&app, Some(&first.cookie)).await;
    assert_ne!(first.cookie, second.cookie);
    assert_ne!(first.csrf, second.csrf);
    let r = session_get(&app, &first.cookie).await;
    expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
    assert_eq!(session_get(&app, &second.cookie).await.status, StatusCode::OK);
    // A login without a cookie leaves other sessions alone.
    let third = start_session(&app, None).await;
    assert_eq!(session_get(&app, &second.cookie).await.status, StatusCode::OK);
    assert_eq!(session_get(&app, &third.cookie).await.status, StatusCode::OK);
}

#[tokio::test]
async fn session_logout_clears_the_cookie_and_destroys_the_session() {
    for config in [dev_sessions(), SessionConfig::new()] {
        let app = session_app(config);
        let session = start_session(&app, None).await;
        let other = start_session(&app, None).await;
        let name = session.cookie.split_once('=').unwrap().0.to_owned();
        let r = send(
            &app,
            with_cookie("POST", "/session/logout", &session.cookie)
                .header("x-csrf-token", &session.csrf)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
        let cleared = r.headers[SET_COOKIE].to_str().unwrap();
        assert!(cleared.starts_with(&format!("{name}=;")), "{cleared}");
        let attributes = cookie_attributes(cleared);
        for expected in ["Max-Age=0", "Path=/", "HttpOnly", "SameSite=Lax"] {
            assert!(
                attributes.iter().any(|a| a == expected),
                "{expected} missing: {cleared}"
            );
        }
        // The server forgot it: replaying the old cookie fails.
        let r = session_get(&app, &session.cookie).await;
        expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
        assert_eq!(session_get(&app, &other.cookie).await.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn sessions_expire_when_idle() {
    let config = dev_sessions()
        .idle_timeout(Duration::from_secs(1))
        .absolute_timeout(Duration::from_secs(60));
    let app = session_app(config);
    let active = start_session(&app, None).await;
    let idle = start_session(&app, None).await;
    // Activity keeps a session alive past the idle timeout.
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(session_get(&app, &active.cookie).await.status, StatusCode::OK);
    }
    // 1.5 s without a request: the idle session has ended.
    let r = session_get(&app, &idle.cookie).await;
    expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let r = session_get(&app, &active.cookie).await;
    expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
}

#[tokio::test]
async fn sessions_expire_after_the_absolute_timeout_despite_activity() {
    let config = dev_sessions()
        .idle_timeout(Duration::from_millis(1500))
        .absolute_timeout(Duration::from_secs(2));
    let app = session_app(config);
    let session = start_session(&app, None).await;
    assert!(
        cookie_attributes(&session.set_cookie)
            .iter()
            .any(|a| a == "Max-Age=2")
    );
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(session_get(&app, &session.cookie).await.status, StatusCode::OK);
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    // 2.2 s after login, 0.7 s after the last request (idle timeout 1.5 s).
    let r = session_get(&app, &session.cookie).await;
    expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
}

#[tokio::test]
async fn unsafe_session_requests_need_the_csrf_token() {
    let app = session_app(dev_sessions());
    let session = start_session(&app, None).await;
    let other = start_session(&app, None).await;
    for method in ["POST", "PUT", "DELETE"] {
        let request = |token: Option<&str>| {
            let mut builder = with_cookie(method, "/session/me", &session.cookie);
            if let Some(token) = token {
                builder = builder.header("x-csrf-token", token);
            }
            builder.body(Body::empty()).unwrap()
        };
        let r = send(&app, request(None)).await;
        expect_error(&r, StatusCode::FORBIDDEN, "csrf_rejected");
        assert!(r.challenges().is_empty(), "{:?}", r.challenges());
        for wrong in [
            "wrong",
            "",
            &other.csrf,
            &session.csrf[..42],
            &format!("{}A", session.csrf),
        ] {
            let r = send(&app, request(Some(wrong))).await;
            expect_error(&r, StatusCode::FORBIDDEN, "csrf_rejected");
        }
        let r = send(&app, request(Some(&session.csrf))).await;
        assert_eq!(r.status, StatusCode::OK, "{method}: {:?}", r.body);
        assert_eq!(r.body, json!({"id": 1, "scheme": "session"}));
    }
    // Safe methods need no token.
    assert_eq!(session_get(&app, &session.cookie).await.status, StatusCode::OK);
}

#[tokio::test]
async fn cross_site_unsafe_requests_are_refused_even_with_the_token() {
    let app = session_app(dev_sessions());
    let session = start_session(&app, None).await;
    let post = |extra: &[(&str, &str)]| {
        let mut builder =
            with_cookie("POST", "/session/me", &session.cookie).header("x-csrf-token", &session.csrf);
        for (name, value) in extra {
            builder = builder.header(*name, *value);
        }
        builder.body(Body::empty()).unwrap()
    };
    for headers in [
        &[("origin", "https://evil.example")][..],
        &[("origin", "https://api.example.evil.example")],
        &[("origin", "null")],
        &[("sec-fetch-site", "cross-site")],
        &[("sec-fetch-site", "Cross-Site")],
        &[
            ("origin", "https://api.example"),
            ("sec-fetch-site", "cross-site"),
        ],
    ] {
        let r = send(&app, post(headers)).await;
        expect_error(&r, StatusCode::FORBIDDEN, "csrf_rejected");
        assert!(r.challenges().is_empty(), "{headers:?}");
    }
    // Same origin, and same-origin fetch metadata: allowed.
    for headers in [
        &[("origin", "https://api.example")][..],
        &[("sec-fetch-site", "same-origin")],
        &[
            ("origin", "https://api.example"),
            ("sec-fetch-site", "same-origin"),
        ],
    ] {
        let r = send(&app, post(headers)).await;
        assert_eq!(r.status, StatusCode::OK, "{headers:?}: {:?}", r.body);
    }
    // A GET is not checked.
    let r = send(
        &app,
        with_cookie("GET", "/session/me", &session.cookie)
            .header("origin", "https://evil.example")
            .header("sec-fetch-site", "cross-site")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

#[tokio::test]
async fn malformed_and_unknown_session_cookies_are_refused() {
    let app = session_app(dev_sessions());
    let session = start_session(&app, None).await;
    let id = session.cookie.split_once('=').unwrap().1;
    for malformed in [
        "portcullis_session=abc".to_owned(),
        format!("portcullis_session={id}A"),
        format!("portcullis_session={}", &id[..42]),
        format!("portcullis_session={}+", &id[..42]),
        "portcullis_session=".to_owned(),
        // The cookie twice: ambiguous.
        format!("{}; {}", session.cookie, session.cookie),
    ] {
        let r = session_get(&app, &malformed).await;
        expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_request");
        let challenges = r.challenges();
        assert_eq!(challenges.len(), 1, "{challenges:?}");
        assert!(
            challenges[0].starts_with("Session realm=\"api\", error=\"invalid_request\""),
            "{malformed}: {challenges:?}"
        );
    }
    let unknown = format!("portcullis_session={}", URL_SAFE_NO_PAD.encode([9u8; 32]));
    let r = session_get(&app, &unknown).await;
    expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
    assert!(
        r.challenges()[0].contains("error=\"invalid_credentials\""),
        "{:?}",
        r.challenges()
    );
    // No cookie at all.
    let r = send(&app, req("/session/me").body(Body::empty()).unwrap()).await;
    expect_error(&r, StatusCode::UNAUTHORIZED, "missing_credentials");
}

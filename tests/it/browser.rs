//! Browsers (issue 11 item 7): `#[auth(session, redirect = "/login")]` answers a page
//! load without a (live) session with 303 to the login page carrying the original
//! path and query, API clients keep 401 + `WWW-Authenticate`; `renderer = Type` renders
//! one handler's refusals (status and challenges still imposed); `CsrfFormLayer`
//! accepts the CSRF token from a form field, re-attaching the body for `Form`.

use std::collections::HashMap;

use axum::Router;
use axum::body::Body;
use axum::extract::Form;
use axum::routing::{get, post};
use bytes::Bytes;
use http::{Request, StatusCode};
use portcullis::{
    CsrfFormLayer, ErrorRenderer, Portcullis, Rejection, SessionConfig, auth, require, safe_next,
};

use crate::support::*;

/// A page load's `Accept`, as Chromium sends it.
const BROWSER_ACCEPT: &str =
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

#[auth(session, redirect = "/login")]
async fn notes(user: User) -> String {
    format!("notes of {}", user.username)
}

/// Renders refusals as a small HTML page.
#[derive(Default)]
struct HtmlPage;

impl ErrorRenderer for HtmlPage {
    fn render(&self, rejection: &Rejection) -> http::Response<Bytes> {
        let body = format!("<p>{} ({})</p>", rejection.message(), rejection.code());
        let mut response = http::Response::new(Bytes::from(body));
        response.headers_mut().insert(
            "content-type",
            http::HeaderValue::from_static("text/html; charset=utf-8"),
        );
        // Status and challenges are imposed by the library whatever the renderer sets.
        *response.status_mut() = StatusCode::IM_A_TEAPOT;
        response
    }
}

#[auth(session, jwt, renderer = HtmlPage)]
#[require(role = "admin")]
async fn admin_page(user: User) -> String {
    format!("admin {}", user.username)
}

#[auth(session, jwt, optional, renderer = HtmlPage)]
async fn maybe_page(user: Option<User>) -> String {
    user.map_or_else(|| "anonymous".into(), |u| u.username)
}

#[auth(session, redirect = "/auth/login?lang=en", renderer = HtmlPage)]
async fn both(user: User) -> String {
    user.username
}

#[auth(session)]
async fn save(user: User, Form(form): Form<HashMap<String, String>>) -> String {
    format!(
        "{} saved {}",
        user.username,
        form.get("note").map_or("nothing", String::as_str)
    )
}

struct Api;

impl Api {
    /// Options on an associated function: no item is generated beside it.
    #[auth(session, redirect = "/login")]
    async fn inbox(user: User) -> String {
        format!("inbox of {}", user.username)
    }
}

fn gate(limit: usize) -> Portcullis<User> {
    builder(users())
        .sessions(SessionConfig::new().development(true).csrf_form_limit(limit))
        .build()
        .unwrap()
}

fn app_with(auth: Portcullis<User>, form_layer: bool) -> Router {
    let nested = Router::new().route("/notes", get(notes));
    let mut forms = Router::new().route("/save", post(save));
    if form_layer {
        forms = forms.layer(CsrfFormLayer::new(auth.clone()));
    }
    Router::new()
        .route("/notes", get(notes).post(notes))
        .route("/admin", get(admin_page))
        .route("/maybe", get(maybe_page))
        .route("/both", get(both))
        .route("/inbox", get(Api::inbox))
        .nest("/app", nested)
        .merge(forms)
        .with_state(AppState { auth })
}

/// The app with `CsrfFormLayer` (form limit 1 KiB), its gate, and a session of `name`:
/// (cookie, CSRF token).
async fn app_and_session(name: &str) -> (Router, Portcullis<User>, String, String) {
    let auth = gate(1024);
    let (parts, ()) = Request::new(()).into_parts();
    let user = auth.users().find_by_username(name).await.unwrap().unwrap();
    let session = auth.start_session(&parts, &user).await.unwrap();
    let cookie = crate::support::requests::cookie_pair(&session.set_cookie);
    (app_with(auth.clone(), true), auth, cookie, session.csrf_token)
}

fn page(uri: &str, accept: &str) -> http::request::Builder {
    req(uri).header("accept", accept)
}

#[tokio::test]
async fn page_loads_without_a_session_go_to_the_login_page_with_next() {
    let (app, ..) = app_and_session("alice").await;
    let r = send(&app, page("/notes?page=2&sort=new", BROWSER_ACCEPT).empty()).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.header("location"),
        "/login?next=%2Fnotes%3Fpage%3D2%26sort%3Dnew"
    );
    assert_eq!(r.header("cache-control"), "no-store");
    assert_eq!(r.header("vary"), "Accept");
    assert!(r.challenges().is_empty());
    // HEAD too; a nested router's prefix is kept in `next`.
    let r = send(&app, page("/app/notes", "text/html").method("HEAD").empty()).await;
    assert_eq!(
        (r.status, r.header("location")),
        (StatusCode::SEE_OTHER, "/login?next=%2Fapp%2Fnotes")
    );
    // An associated function handler, and a login path with its own query.
    let r = send(&app, page("/inbox", BROWSER_ACCEPT).empty()).await;
    assert_eq!(r.header("location"), "/login?next=%2Finbox");
    let r = send(&app, page("/both", BROWSER_ACCEPT).empty()).await;
    assert_eq!(r.header("location"), "/auth/login?lang=en&next=%2Fboth");
}

#[tokio::test]
async fn an_ended_session_is_redirected_too_a_live_one_is_served() {
    let (app, auth, cookie, _) = app_and_session("alice").await;
    let r = send(
        &app,
        page("/notes", BROWSER_ACCEPT).header("cookie", &cookie).empty(),
    )
    .await;
    assert_eq!(
        (r.status, r.body.as_str()),
        (StatusCode::OK, Some("notes of alice"))
    );
    let (parts, ()) = Request::get("/")
        .header("cookie", &cookie)
        .body(())
        .unwrap()
        .into_parts();
    auth.end_session(&parts).await.unwrap();
    let r = send(
        &app,
        page("/notes", BROWSER_ACCEPT).header("cookie", &cookie).empty(),
    )
    .await;
    assert_eq!(
        (r.status, r.header("location")),
        (StatusCode::SEE_OTHER, "/login?next=%2Fnotes")
    );
}

#[tokio::test]
async fn api_clients_and_unsafe_methods_keep_the_401() {
    let (app, ..) = app_and_session("alice").await;
    for accept in [
        None,
        Some("*/*"),
        Some("application/json"),
        Some("text/html;q=0.5, application/json"),
        Some("text/html;q=0"),
    ] {
        let mut request = req("/notes");
        if let Some(accept) = accept {
            request = request.header("accept", accept);
        }
        let r = send(&app, request.empty()).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{accept:?}");
        assert_eq!(r.challenges(), ["Session realm=\"api\""], "{accept:?}");
        assert_error_body(&r, "missing_credentials");
    }
    // A form POST from a browser: a redirect would turn it into a GET after login.
    let post = Request::post("/notes")
        .header("accept", BROWSER_ACCEPT)
        .body(Body::empty());
    let r = send(&app, post.unwrap()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.header("location"), "");
}

#[tokio::test]
async fn a_route_renderer_renders_its_refusals_with_the_status_imposed() {
    let (app, _, cookie, _) = app_and_session("bob").await;
    // 401 from the guard.
    let r = send(&app, req("/admin").empty()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.header("content-type"), "text/html; charset=utf-8");
    let challenges = r.challenges();
    assert_eq!(challenges.len(), 2, "{challenges:?}");
    assert_eq!(challenges[0], "Session realm=\"api\"");
    assert!(
        challenges[1].starts_with("Bearer realm=\"api\""),
        "{challenges:?}"
    );
    assert!(
        r.body.as_str().unwrap().contains("(missing_credentials)"),
        "{:?}",
        r.body
    );
    // 403 from the requirement (bob is no admin).
    let r = send(&app, req("/admin").header("cookie", &cookie).empty()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.header("content-type"), "text/html; charset=utf-8");
    assert!(r.body.as_str().unwrap().starts_with("<p>"), "{:?}", r.body);
    assert!(r.challenges().is_empty());
    // An optional route: absent credentials pass, a malformed token is refused through it.
    let r = send(&app, req("/maybe").empty()).await;
    assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, Some("anonymous")));
    let r = send(&app, bearer("/maybe", "not.a.token")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.as_str().unwrap().starts_with("<p>"), "{:?}", r.body);
    // Other routes keep the global (JSON) renderer; with a redirect, an API client
    // gets the route renderer's 401.
    let r = send(&app, req("/notes").empty()).await;
    assert_eq!(r.body["error"], "missing_credentials");
    let r = send(&app, req("/both").empty()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.as_str().unwrap().starts_with("<p>"), "{:?}", r.body);
    assert_eq!(r.challenges(), ["Session realm=\"api\""]);
}

fn form_post(cookie: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post("/save")
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.into())
        .unwrap()
}

#[tokio::test]
async fn the_csrf_token_is_accepted_from_a_form_field() {
    let (app, _, cookie, token) = app_and_session("alice").await;
    let encoded: String = url_encode(&token);
    let r = send(
        &app,
        form_post(&cookie, format!("note=hello+world&csrf_token={encoded}")),
    )
    .await;
    assert_eq!(
        (r.status, r.body.as_str()),
        (StatusCode::OK, Some("alice saved hello world")),
        "the handler's Form read the body the layer re-attached"
    );
    for (body, why) in [
        ("note=x".to_owned(), "no token"),
        ("note=x&csrf_token=wrong".to_owned(), "a wrong token"),
        (
            format!("csrf_token={encoded}&csrf_token={encoded}"),
            "the field twice",
        ),
        (
            format!("csrf_token={}", &encoded[..encoded.len() - 1]),
            "a prefix of the token",
        ),
    ] {
        let r = send(&app, form_post(&cookie, body)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{why}");
        assert_error_body(&r, "csrf_rejected");
    }
    // The header still works, and wins over the body.
    let request = Request::post("/save")
        .header("cookie", &cookie)
        .header("x-csrf-token", &token)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from("note=via+header&csrf_token=wrong"))
        .unwrap();
    let r = send(&app, request).await;
    assert_eq!(
        (r.status, r.body.as_str()),
        (StatusCode::OK, Some("alice saved via header"))
    );
    // Another content type is not read: the field counts for nothing.
    let request = Request::post("/save")
        .header("cookie", &cookie)
        .header("content-type", "text/plain")
        .body(Body::from(format!("csrf_token={encoded}")))
        .unwrap();
    assert_eq!(send(&app, request).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn oversized_forms_are_refused_with_413() {
    let (app, _, cookie, token) = app_and_session("alice").await;
    let big = format!("csrf_token={}&note={}", url_encode(&token), "x".repeat(2000));
    // Announced by Content-Length ...
    let mut request = form_post(&cookie, big.clone());
    request
        .headers_mut()
        .insert("content-length", big.len().to_string().parse().unwrap());
    let r = send(&app, request).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_error_body(&r, "payload_too_large");
    // ... or not (a streamed body): cut at the limit while reading.
    let chunks = big.into_bytes().chunks(100).map(Bytes::copy_from_slice).collect();
    let r = send(&app, form_post(&cookie, Body::new(Chunks(chunks)))).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn without_the_layer_a_form_field_is_not_read() {
    let (_, auth, cookie, token) = app_and_session("alice").await;
    let app = app_with(auth, false);
    let r = send(
        &app,
        form_post(&cookie, format!("csrf_token={}", url_encode(&token))),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[test]
fn safe_next_refuses_open_redirect_payloads() {
    // Percent-encoded bytes stay encoded in the path: no header splitting, no host.
    for good in [
        "/",
        "/posts?page=2",
        "/a/b%2F%2Fc",
        "/.well-known/x",
        "/%0d%0aSet-Cookie:x",
    ] {
        assert_eq!(safe_next(good), Some(good));
    }
    for evil in [
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "https://evil.example",
        "http:evil.example",
        "javascript:alert(1)",
        "%2F%2Fevil.example",
        "/\r\nLocation: https://evil.example",
        "/\tevil",
        "/ evil",
        "/é",
        "evil.example",
        "",
    ] {
        assert_eq!(safe_next(evil), None, "{evil:?}");
    }
    assert_eq!(
        safe_next(&format!("/{}", "a".repeat(portcullis::MAX_NEXT_LEN))),
        None
    );
}

fn url_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A body sent in chunks, its length unknown in advance (no size hint).
struct Chunks(std::collections::VecDeque<Bytes>);

impl http_body::Body for Chunks {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
        std::task::Poll::Ready(self.0.pop_front().map(|c| Ok(http_body::Frame::data(c))))
    }
}

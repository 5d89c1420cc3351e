//! The CSRF check of unsafe requests with ambient credentials survives proxies and
//! HTTP/2: the `Origin` is compared with the configured public origins (or, without
//! them, with `Host` or the HTTP/2 authority), and HTTP Basic gets the same check.

use http::Request;
use http::request::Parts;
use portcullis::schemes::{Basic, Session};
use portcullis::{AuthError, Portcullis, SessionConfig};

use crate::support::*;

/// A session for alice and the request parts of a POST carrying it, with `headers`.
async fn session_post(auth: &Portcullis<User>, uri: &str, headers: &[(&str, &str)]) -> Parts {
    let (parts, ()) = Request::new(()).into_parts();
    let alice = auth.users().find_by_username("alice").await.unwrap().unwrap();
    let session = auth.start_session(&parts, &alice).await.unwrap();
    let cookie = crate::support::requests::cookie_pair(&session.set_cookie);
    let mut request = Request::post(uri)
        .header("cookie", cookie)
        .header("x-csrf-token", &session.csrf_token);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.body(()).unwrap().into_parts().0
}

fn is_csrf(outcome: Result<Option<(User, portcullis::AuthInfo)>, AuthError>) -> bool {
    matches!(outcome, Err(AuthError::CsrfRejected { .. }))
}

fn dev(builder: portcullis::PortcullisBuilder<User>) -> Portcullis<User> {
    builder
        .sessions(SessionConfig::new().development(true))
        .build()
        .unwrap()
}

#[tokio::test]
async fn behind_a_proxy_that_rewrites_host_the_public_origin_counts() {
    let auth = dev(builder(users()).public_origins(["https://app.example.com"]));
    // The proxy sent `Host: backend:8080`; the browser's Origin is the public site.
    let parts = session_post(
        &auth,
        "/posts",
        &[("host", "backend:8080"), ("origin", "https://app.example.com")],
    )
    .await;
    assert!(auth.authenticate::<(Session,)>(&parts).await.unwrap().is_some());
    let explicit_port = &[
        ("host", "backend:8080"),
        ("origin", "https://APP.example.com:443"),
    ];
    let parts = session_post(&auth, "/posts", explicit_port).await;
    assert!(auth.authenticate::<(Session,)>(&parts).await.unwrap().is_some());
    for origin in [
        "https://evil.example",
        "http://app.example.com",
        "https://app.example.com:8443",
        "null",
    ] {
        let parts = session_post(&auth, "/posts", &[("host", "backend:8080"), ("origin", origin)]).await;
        assert!(is_csrf(auth.authenticate::<(Session,)>(&parts).await), "{origin}");
    }
    // Sec-Fetch-Site: cross-site is refused whatever the Origin.
    let cross = &[
        ("origin", "https://app.example.com"),
        ("sec-fetch-site", "cross-site"),
    ];
    let parts = session_post(&auth, "/posts", cross).await;
    assert!(is_csrf(auth.authenticate::<(Session,)>(&parts).await));
}

#[tokio::test]
async fn over_http2_the_authority_stands_for_the_missing_host() {
    let auth = dev(builder(users()));
    // HTTP/2: no Host header, the authority is in the URI.
    let parts = session_post(
        &auth,
        "https://app.example.com/posts",
        &[("origin", "https://app.example.com")],
    )
    .await;
    assert!(parts.headers.get("host").is_none());
    assert!(auth.authenticate::<(Session,)>(&parts).await.unwrap().is_some());
    let parts = session_post(
        &auth,
        "https://app.example.com/posts",
        &[("origin", "https://evil.example")],
    )
    .await;
    assert!(is_csrf(auth.authenticate::<(Session,)>(&parts).await));
    // HTTP/1.1 as before: Origin against Host.
    let parts = session_post(
        &auth,
        "/posts",
        &[("host", "app.example.com"), ("origin", "https://app.example.com")],
    )
    .await;
    assert!(auth.authenticate::<(Session,)>(&parts).await.unwrap().is_some());
}

#[tokio::test]
async fn basic_on_unsafe_methods_gets_the_same_site_check() {
    let auth = builder(users())
        .public_origins(["https://app.example.com"])
        .build()
        .unwrap();
    let request = |method: &str, origin: &str| {
        let request = Request::builder()
            .method(method)
            .uri("/posts")
            .header("authorization", basic("alice", ALICE_PASSWORD))
            .header("origin", origin)
            .body(())
            .unwrap();
        request.into_parts().0
    };
    // A cross-site form POST replaying the browser's cached Basic credentials.
    let parts = request("POST", "https://evil.example");
    assert!(is_csrf(auth.authenticate::<(Basic,)>(&parts).await));
    let parts = request("POST", "https://app.example.com");
    assert!(auth.authenticate::<(Basic,)>(&parts).await.unwrap().is_some());
    // Safe methods are not checked.
    let parts = request("GET", "https://evil.example");
    assert!(auth.authenticate::<(Basic,)>(&parts).await.unwrap().is_some());
    assert!(
        builder(users())
            .public_origins(["https://app.example.com/path"])
            .build()
            .is_err()
    );
}

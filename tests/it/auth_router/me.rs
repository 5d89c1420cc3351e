//! `GET /me` under each of the four schemes.

use http::header::WWW_AUTHENTICATE;

use crate::support::{claims, hs256};

use super::*;

// ---------------------------------------------------------------------------------------------
// GET /me
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn me_answers_for_each_of_the_four_schemes() {
    let w = world();
    let t = tokens(&w.app, "bob", BOB_PASSWORD).await;
    let (_, session) = session_login(&w.app, "bob", BOB_PASSWORD).await;
    let cases = [
        ("authorization", format!("Bearer {}", t.access), "jwt"),
        ("x-api-key", BOB_KEY.to_owned(), "api_key"),
        ("cookie", session.cookie.clone(), "session"),
        ("authorization", basic("bob", BOB_PASSWORD), "basic"),
    ];
    for (header, value, scheme) in &cases {
        let r = send(&w.app, get_with("/me", header, value)).await;
        assert_eq!(r.status, StatusCode::OK, "{scheme}: {:?}", r.body);
        assert_eq!(r.headers[CONTENT_TYPE], "application/json");
        assert!(r.headers.get(WWW_AUTHENTICATE).is_none());
        assert_eq!(r.body, me_body(2, "bob", &["user"], scheme), "{scheme}");
    }
    // The admin's roles come from the table.
    let r = send(
        &w.app,
        get_with("/me", "authorization", &basic("alice", ALICE_PASSWORD)),
    )
    .await;
    assert_eq!(r.body, me_body(1, "alice", &["admin"], "basic"));
}

#[tokio::test]
async fn me_without_credentials_answers_401_with_four_challenges() {
    let w = world();
    let r = send(&w.app, req("/me").body(Body::empty()).unwrap()).await;
    expect_error(&r, StatusCode::UNAUTHORIZED, "missing_credentials");
    assert_eq!(
        r.challenges(),
        [
            "Bearer realm=\"api\"",
            "ApiKey realm=\"api\", header=\"X-API-Key\"",
            "Session realm=\"api\"",
            "Basic realm=\"api\", charset=\"UTF-8\"",
        ]
    );
    let message = r.body["message"].as_str().unwrap();
    for scheme in ["jwt", "api_key", "session", "basic"] {
        assert!(message.contains(scheme), "{message}");
    }
}

#[tokio::test]
async fn me_refuses_wrong_credentials_of_each_scheme() {
    let w = world();
    let r = send(
        &w.app,
        get_with("/me", "x-api-key", "pk_unknown_0123456789abcdef"),
    )
    .await;
    expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
    assert!(
        r.challenges()
            .iter()
            .any(|c| c
                .starts_with("ApiKey realm=\"api\", header=\"X-API-Key\", error=\"invalid_credentials\""))
    );
    let r = send(
        &w.app,
        get_with("/me", "authorization", &basic("bob", "wrong-password-x")),
    )
    .await;
    expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
    let r = send(&w.app, get_with("/me", "authorization", "Bearer not.a.token")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{:?}", r.body);
    let r = send(
        &w.app,
        get_with("/me", "cookie", &format!("portcullis_session={}", "A".repeat(43))),
    )
    .await;
    expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
}

#[tokio::test]
async fn me_reports_the_scopes_of_the_token() {
    let w = world();
    let mut claims = claims("2");
    claims["scope"] = json!("posts:read profile");
    let r = send(
        &w.app,
        get_with("/me", "authorization", &format!("Bearer {}", hs256(&claims))),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["scopes"], json!(["posts:read", "profile"]));
    assert_eq!(r.body["id"], json!(2));
    // Credentials without scopes report an empty list.
    let r = send(&w.app, get_with("/me", "x-api-key", BOB_KEY)).await;
    assert_eq!(r.body["scopes"], json!([]));
}

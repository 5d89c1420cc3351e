//! The order of failures (401, then 404, then 403) and the format of a denial.

use super::owner::{Post, who_and_post};

use super::*;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/posts/{id}/moderate", get(post_moderate))
}

/// The resource comes before the user: authentication still runs first.
#[auth(jwt)]
#[require(owner(post.author_id) || role = "moderator")]
async fn post_moderate(post: Option<Post>, user: Member) -> Json<Value> {
    who_and_post(&user, &post.expect("checked before the body"))
}

// ------------------------------------------------------------------------------------------------
// Order of failures and their format

#[tokio::test]
async fn unauthenticated_then_not_found_then_forbidden() {
    let app = app();
    // No credentials, missing post: 401 (authentication first), with both challenges.
    let r = send(&app, anonymous("/posts/99")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.challenges(),
        [
            r#"Bearer realm="api""#,
            r#"ApiKey realm="api", header="X-API-Key""#
        ]
    );
    assert_eq!(r.body["error"], "missing_credentials");
    // An expired token, missing post: still 401.
    let r = send(&app, bearer("/posts/99", &expired(ULF))).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.body["error"], "invalid_token");

    // Valid user, missing post: 404, even for a user the check would refuse anyway.
    assert_not_found(&get_as(&app, "/posts/99", ULF).await);
    assert_not_found(&get_as(&app, "/posts/99", MIA).await);
    assert_not_found(&send(&app, with_api_key("/posts/99", ULF_KEY)).await);
    // Non-owner, existing post: 403.
    assert_denied(&get_as(&app, "/posts/10", REX).await, "owner(post.author_id)");
    // Owner: 200.
    assert_ok(
        &get_as(&app, "/posts/10", ULF).await,
        json!({"user": ULF, "post": 10}),
    );

    // `owner(..) || role = "moderator"`: a moderator on someone else's post.
    assert_ok(
        &get_as(&app, "/posts/10/moderate", MIA).await,
        json!({"user": MIA, "post": 10}),
    );
    assert_ok(
        &get_as(&app, "/posts/10/moderate", ULF).await,
        json!({"user": ULF, "post": 10}),
    );
    assert_denied(
        &get_as(&app, "/posts/10/moderate", REX).await,
        r#"owner(post.author_id) || role = "moderator""#,
    );
    // The moderator still gets 404 for a missing post.
    assert_not_found(&get_as(&app, "/posts/99/moderate", MIA).await);
    assert_unauthenticated(&send(&app, anonymous("/posts/99/moderate")).await);
}

#[tokio::test]
async fn denial_challenge_depends_on_the_scheme() {
    let app = app();
    // JWT: RFC 6750 insufficient_scope, exactly one challenge.
    let r = get_as(&app, "/role/admin", ULF).await;
    assert_denied(&r, r#"role = "admin""#);
    // API key and Basic: same body, no WWW-Authenticate.
    let r = send(&app, with_api_key("/role/admin", ULF_KEY)).await;
    assert_denied_without_challenge(&r, r#"role = "admin""#);
    let r = send(&app, with_basic("/role/admin", "ulf", PASSWORD)).await;
    assert_denied_without_challenge(&r, r#"role = "admin""#);
    // And each scheme lets an admin in.
    assert_let_in(&send(&app, with_api_key("/role/admin", ADA_KEY)).await, ADA);
    assert_let_in(&send(&app, with_basic("/role/admin", "ada", PASSWORD)).await, ADA);
}

#[tokio::test]
async fn denial_body_leaks_nothing_else() {
    let app = app();
    for request in [
        bearer("/role/admin", &jwt(ULF)),
        with_api_key("/role/admin", ULF_KEY),
        with_basic("/role/admin", "ulf", PASSWORD),
    ] {
        let r = send(&app, request).await;
        let object = r.body.as_object().expect("a JSON object");
        assert_eq!(object.len(), 2, "{object:?}");
        let text = r.body.to_string();
        for secret in ["ulf", "\"user\"", "posts:", &ULF.to_string(), ULF_KEY] {
            assert!(!text.contains(secret), "{secret:?} leaked in {text}");
        }
        // Nothing extra in the headers either.
        let names: Vec<&str> = r.headers.keys().map(|k| k.as_str()).collect();
        for name in names {
            assert!(
                matches!(name, "content-type" | "content-length" | "www-authenticate"),
                "unexpected header {name}"
            );
        }
    }
}

//! Named policies (`#[policy]`): Rust-bodied ones, sync and async (really awaited), an alias
//! compiled from the requirement language that combines a role, `owner(...)` and another
//! policy, one that reads the `AuthInfo`, called from `#[require]` with the handler's
//! parameters, combined with other atoms, with the policy's resource extracted before the
//! check and the other extractors after it, and with `hide_existence`.

use std::sync::atomic::{AtomicUsize, Ordering};

use axum::routing::post;
use portcullis::policy;

use super::owner::{Post, who_and_post};
use super::*;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/policy/posts/{id}", get(edit_post))
        .route("/policy/posts/{id}/async", get(editor_only))
        .route("/policy/posts/{id}/body", post(edit_with_body))
        .route("/policy/posts/{id}/hidden", get(edit_hidden))
        .route("/policy/scoped", get(scoped))
}

/// How often the async policy ran to completion.
static ASYNC_RUNS: AtomicUsize = AtomicUsize::new(0);

/// Rust code, async: really awaits before deciding.
#[policy]
async fn is_editor(user: &Member, post: &Post) -> bool {
    tokio::task::yield_now().await;
    ASYNC_RUNS.fetch_add(1, Ordering::SeqCst);
    post.editor_id == Some(user.id)
}

/// Rust code, sync.
#[policy]
fn may_touch(user: &Member, post: &Post) -> bool {
    post.editor_id == Some(user.id)
}

/// An alias: a moderator who edits the post, or its author. The role is checked against the
/// declared set at compile time.
#[policy((role = "moderator" && may_touch(user, post)) || owner(post.author_id))]
fn can_edit(user: &Member, post: &Post);

/// An async alias calling the async policy.
#[policy(is_editor(user, post) && !owner(post.author_id))]
async fn edits_others(user: &Member, post: &Post);

/// A policy that reads the credential.
#[policy(scope = "posts:edit" && verified_email)]
fn may_edit_by_token(user: &Member, info: &AuthInfo);

#[auth(jwt)]
#[require(can_edit(user, post) || role = "admin")]
async fn edit_post(user: Member, post: Option<Post>) -> Json<Value> {
    who_and_post(&user, &post.expect("checked before the body"))
}

#[auth(jwt)]
#[require(edits_others(user, post))]
async fn editor_only(user: Member, post: Post) -> Json<Value> {
    who_and_post(&user, &post)
}

#[auth(jwt)]
#[require(can_edit(user, post))]
async fn edit_with_body(user: Member, post: Option<Post>, Json(body): Json<Value>) -> Json<Value> {
    Json(json!({"user": user.id, "post": post.map(|p| p.id), "body": body}))
}

#[auth(jwt, hide_existence)]
#[require(can_edit(user, post))]
async fn edit_hidden(user: Member, post: Option<Post>) -> Json<Value> {
    who_and_post(&user, &post.expect("checked before the body"))
}

#[auth(jwt)]
#[require(may_edit_by_token(user, token) && role = "user")]
async fn scoped(user: Member, token: AuthInfo) -> Json<Value> {
    Json(json!({"user": user.id, "scheme": token.scheme().as_str()}))
}

const CAN_EDIT_OR_ADMIN: &str = r#"can_edit(user, post) || role = "admin""#;

#[tokio::test]
async fn an_alias_combines_a_role_an_owner_check_and_another_policy() {
    let app = app();
    // Post 10: author ulf, editor mia (a moderator). Post 11: author rex, no editor.
    for (sub, post) in [(ULF, 10), (MIA, 10), (REX, 11), (ADA, 10), (ADA, 11)] {
        assert_ok(
            &get_as(&app, &format!("/policy/posts/{post}"), sub).await,
            json!({"user": sub, "post": post}),
        );
    }
    // A moderator who is not the post's editor, a user who is neither author nor editor.
    assert_denied(&get_as(&app, "/policy/posts/11", MIA).await, CAN_EDIT_OR_ADMIN);
    assert_denied(&get_as(&app, "/policy/posts/10", UMA).await, CAN_EDIT_OR_ADMIN);
    assert_denied(&get_as(&app, "/policy/posts/10", REX).await, CAN_EDIT_OR_ADMIN);
    // 401 → 404 → 403: the policy's resource must exist before it is judged.
    assert_unauthenticated(&send(&app, anonymous("/policy/posts/10")).await);
    assert_not_found(&get_as(&app, "/policy/posts/99", ULF).await);
}

#[tokio::test]
async fn an_async_policy_is_awaited() {
    let app = app();
    let before = ASYNC_RUNS.load(Ordering::SeqCst);
    assert_ok(
        &get_as(&app, "/policy/posts/10/async", MIA).await,
        json!({"user": MIA, "post": 10}),
    );
    // The author is no editor of post 10, and `!owner(...)` refuses the author anyway.
    assert_denied(
        &get_as(&app, "/policy/posts/10/async", ULF).await,
        "edits_others(user, post)",
    );
    assert!(ASYNC_RUNS.load(Ordering::SeqCst) >= before + 2);
}

#[tokio::test]
async fn the_policys_resource_is_read_before_the_check_and_the_body_after() {
    let app = app();
    let body = json!({"title": "new"});
    let r = send(
        &app,
        req("/policy/posts/10/body")
            .method("POST")
            .bearer(&jwt(ULF))
            .json(&body),
    )
    .await;
    assert_ok(&r, json!({"user": ULF, "post": 10, "body": body}));
    // Denied: 403 even though the body is not JSON at all (it was never read).
    let r = send(
        &app,
        req("/policy/posts/10/body")
            .method("POST")
            .bearer(&jwt(UMA))
            .header("content-type", "application/json")
            .body(Body::from("{not json"))
            .unwrap(),
    )
    .await;
    assert_denied(&r, "can_edit(user, post)");
    // Allowed: now the body's own rejection answers.
    let r = send(
        &app,
        req("/policy/posts/10/body")
            .method("POST")
            .bearer(&jwt(ULF))
            .header("content-type", "application/json")
            .body(Body::from("{not json"))
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
}

#[tokio::test]
async fn a_hidden_policy_denial_reads_like_a_missing_resource() {
    let app = app();
    assert_ok(
        &get_as(&app, "/policy/posts/10/hidden", ULF).await,
        json!({"user": ULF, "post": 10}),
    );
    assert_not_found(&get_as(&app, "/policy/posts/10/hidden", UMA).await);
    assert_not_found(&get_as(&app, "/policy/posts/99/hidden", UMA).await);
}

#[tokio::test]
async fn a_policy_reads_the_credential_it_is_passed() {
    let app = app();
    let token = jwt_with(UMA, json!({"scope": "posts:edit"}));
    assert_ok(
        &send(&app, bearer("/policy/scoped", &token)).await,
        json!({"user": UMA, "scheme": "jwt"}),
    );
    // The 403 names the unmet part: without the scope; with it but an unverified e-mail (ulf).
    let requirement = "may_edit_by_token(user, token)";
    assert_denied(&get_as(&app, "/policy/scoped", UMA).await, requirement);
    let token = jwt_with(ULF, json!({"scope": "posts:edit"}));
    assert_denied(&send(&app, bearer("/policy/scoped", &token)).await, requirement);
    // The policy holds for a moderator with the scope, the role beside it does not.
    let token = jwt_with(MIA, json!({"scope": "posts:edit"}));
    assert_denied(
        &send(&app, bearer("/policy/scoped", &token)).await,
        r#"role = "user""#,
    );
}

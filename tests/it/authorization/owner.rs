//! `owner(...)` on a required resource, an optional one, a nested field path and an optional
//! id field.

use axum::extract::{FromRequestParts, OptionalFromRequestParts, Path};
use axum::response::{IntoResponse, Response};
use http::request::Parts;

use super::*;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/posts/{id}/strict", get(post_strict))
        .route("/posts/{id}", get(post_optional))
        .route("/posts/{id}/meta", get(post_meta))
        .route("/posts/{id}/editor", get(post_editor))
}

#[derive(Debug, Clone)]
pub(super) struct Post {
    pub(super) id: i64,
    pub(super) author_id: i64,
    /// Who may edit it; nobody when `None`.
    pub(super) editor_id: Option<i64>,
    meta: Meta,
}

#[derive(Debug, Clone)]
pub(super) struct Meta {
    author_id: i64,
}

/// The "database": post 10 by ulf (edited by mia), post 11 by rex whose `meta.author_id`
/// names ulf (so the nested path and the top-level field disagree), nothing else.
fn find_post(id: i64) -> Option<Post> {
    match id {
        10 => Some(Post {
            id,
            author_id: ULF,
            editor_id: Some(MIA),
            meta: Meta { author_id: ULF },
        }),
        11 => Some(Post {
            id,
            author_id: REX,
            editor_id: None,
            meta: Meta { author_id: ULF },
        }),
        _ => None,
    }
}

async fn load_post<S: Send + Sync>(parts: &mut Parts, state: &S) -> Result<Option<Post>, Response> {
    let Path(id) = <Path<i64> as FromRequestParts<S>>::from_request_parts(parts, state)
        .await
        .map_err(IntoResponse::into_response)?;
    Ok(find_post(id))
}

/// `Option<Post>`: a missing post is `None` (the requirement check answers 404).
impl<S: Send + Sync> OptionalFromRequestParts<S> for Post {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Option<Self>, Self::Rejection> {
        load_post(parts, state).await
    }
}

/// `Post`: a missing post is the extractor's own 404, with its own body.
impl<S: Send + Sync> FromRequestParts<S> for Post {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        load_post(parts, state)
            .await?
            .ok_or_else(|| (StatusCode::NOT_FOUND, Json(json!({"error": "no_such_post"}))).into_response())
    }
}

pub(super) fn who_and_post(user: &Member, post: &Post) -> Json<Value> {
    Json(json!({"user": user.id, "post": post.id}))
}

#[auth(jwt)]
#[require(owner(post.author_id))]
async fn post_strict(user: Member, post: Post) -> Json<Value> {
    who_and_post(&user, &post)
}

#[auth(jwt, api_key)]
#[require(owner(post.author_id))]
async fn post_optional(user: Member, post: Option<Post>) -> Json<Value> {
    // The check answered 404 for `None`: here the post exists.
    who_and_post(&user, &post.expect("checked before the body"))
}

#[auth(jwt)]
#[require(owner(post.meta.author_id))]
async fn post_meta(user: Member, post: Option<Post>) -> Json<Value> {
    who_and_post(&user, &post.expect("checked before the body"))
}

#[auth(jwt)]
#[require(owner(post.editor_id))]
async fn post_editor(user: Member, post: Post) -> Json<Value> {
    who_and_post(&user, &post)
}

#[tokio::test]
async fn owner_of_a_required_resource() {
    let app = app();
    assert_ok(
        &get_as(&app, "/posts/10/strict", ULF).await,
        json!({"user": ULF, "post": 10}),
    );
    assert_ok(
        &get_as(&app, "/posts/11/strict", REX).await,
        json!({"user": REX, "post": 11}),
    );
    assert_denied(
        &get_as(&app, "/posts/10/strict", REX).await,
        "owner(post.author_id)",
    );
    // Being an admin does not make you the owner.
    assert_denied(
        &get_as(&app, "/posts/10/strict", ADA).await,
        "owner(post.author_id)",
    );
    // A missing non-`Option` resource is the extractor's own rejection...
    let r = get_as(&app, "/posts/99/strict", ULF).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.body, json!({"error": "no_such_post"}));
    // ...but only after authentication.
    assert_unauthenticated(&send(&app, anonymous("/posts/99/strict")).await);
}

#[tokio::test]
async fn owner_of_an_optional_resource() {
    let app = app();
    assert_ok(
        &get_as(&app, "/posts/10", ULF).await,
        json!({"user": ULF, "post": 10}),
    );
    assert_denied(&get_as(&app, "/posts/10", MIA).await, "owner(post.author_id)");
    assert_ok(
        &send(&app, with_api_key("/posts/10", ULF_KEY)).await,
        json!({"user": ULF, "post": 10}),
    );
    assert_denied_without_challenge(
        &send(&app, with_api_key("/posts/11", ULF_KEY)).await,
        "owner(post.author_id)",
    );
}

#[tokio::test]
async fn owner_through_a_nested_field_path() {
    let app = app();
    // Post 11: author_id is rex, meta.author_id is ulf; the nested path decides.
    assert_ok(
        &get_as(&app, "/posts/11/meta", ULF).await,
        json!({"user": ULF, "post": 11}),
    );
    assert_denied(
        &get_as(&app, "/posts/11/meta", REX).await,
        "owner(post.meta.author_id)",
    );
    assert_ok(
        &get_as(&app, "/posts/10/meta", ULF).await,
        json!({"user": ULF, "post": 10}),
    );
    assert_not_found(&get_as(&app, "/posts/12/meta", ULF).await);
}

#[tokio::test]
async fn owner_through_an_optional_id_field() {
    let app = app();
    assert_ok(
        &get_as(&app, "/posts/10/editor", MIA).await,
        json!({"user": MIA, "post": 10}),
    );
    assert_denied(
        &get_as(&app, "/posts/10/editor", ULF).await,
        "owner(post.editor_id)",
    );
    // No editor: nobody owns it, not even its author.
    assert_denied(
        &get_as(&app, "/posts/11/editor", REX).await,
        "owner(post.editor_id)",
    );
}

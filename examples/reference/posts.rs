//! The posts: `GET/POST /posts`, `GET/PUT/DELETE /posts/{id}` and `GET /posts/editable`.
//!
//! Who may edit or delete a post is written once, as policies, and used both before a
//! handler runs (`#[require(can_edit(user, post))]`) and on what a handler returns
//! (`#[filter_returned]`, `#[require_returned]`): the list of editable posts cannot
//! disagree with the edit route.

use axum::Json;
use axum::extract::{OptionalFromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use portcullis::routing::{Routes, get};
use portcullis::{auth, filter_returned, permissions, policy, require, require_returned};
use serde::Deserialize;
use serde_json::json;

use crate::db::{Db, Post, User};
use crate::{AppState, local_id, path_id, unavailable};

pub(crate) fn routes() -> Routes<AppState> {
    Routes::new()
        .route("/posts", get(list_posts).post(create_post))
        .route("/posts/editable", get(editable_posts))
        .route("/posts/{id}", get(get_post).put(update_post).delete(delete_post))
}

/// The author and admins may edit a post.
#[policy(owner(post.author_id) || role = "admin")]
fn can_edit(user: &User, post: &Post);

/// Whoever may edit a post may delete it, and so may moderators.
#[policy(can_edit(user, post) || role = "moderator")]
fn can_delete(user: &User, post: &Post);

/// Published posts are for every reader.
#[policy]
fn is_published(_user: &User, post: &Post) -> bool {
    post.published
}

impl OptionalFromRequestParts<AppState> for Post {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Option<Self>, Response> {
        let Some(id) = path_id(parts) else { return Ok(None) };
        state.db.post(id).await.map_err(unavailable)
    }
}

#[utoipa::path(get, path = "/posts", tag = "posts", responses(
    (status = 200, description = "the published posts; signed-in readers also see drafts"),
))]
#[auth(jwt, optional)]
pub(crate) async fn list_posts(user: Option<User>, State(db): State<Db>) -> Response {
    db.posts(user.is_some())
        .await
        .map(|posts| Json(posts).into_response())
        .unwrap_or_else(unavailable)
}

#[derive(Deserialize)]
struct PostForm {
    title: String,
    body: String,
    #[serde(default)]
    published: bool,
}

/// `None` when the post is acceptable, else the 400 answer.
fn invalid_post(form: &PostForm) -> Option<Response> {
    let bad = form.title.trim().is_empty() || form.title.len() > 200 || form.body.len() > 100_000;
    bad.then(|| {
        (StatusCode::BAD_REQUEST, Json(json!({
            "error": "invalid_input", "message": "a post needs a title (at most 200 bytes) and a body of at most 100 kB"
        })))
            .into_response()
    })
}

#[utoipa::path(post, path = "/posts", tag = "posts", responses(
    (status = 201, description = "the new post"),
    (status = 400, description = "no title, or a title or body too long"),
))]
#[auth(jwt, session, api_key)]
#[permissions("posts:write")]
pub(crate) async fn create_post(user: User, State(db): State<Db>, Json(form): Json<PostForm>) -> Response {
    let author = match local_id(&user) {
        Ok(id) => id,
        Err(refused) => return refused,
    };
    if let Some(response) = invalid_post(&form) {
        return response;
    }
    match db
        .create_post(author, &form.title, &form.body, form.published)
        .await
    {
        Ok(post) => (StatusCode::CREATED, Json(post)).into_response(),
        Err(e) => unavailable(e),
    }
}

#[utoipa::path(put, path = "/posts/{id}", tag = "posts", params(("id" = i64, Path, description = "the post's id")),
    responses((status = 200, description = "the post as updated"), (status = 404, description = "no such post")),
)]
#[auth(jwt, session)]
#[require(can_edit(user, post))]
pub(crate) async fn update_post(
    user: User,
    post: Option<Post>,
    State(db): State<Db>,
    Json(form): Json<PostForm>,
) -> Response {
    let Some(post) = post else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if let Err(refused) = local_id(&user) {
        return refused;
    }
    if let Some(response) = invalid_post(&form) {
        return response;
    }
    match db
        .update_post(post.id, &form.title, &form.body, form.published)
        .await
    {
        Ok(Some(post)) => Json(post).into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => unavailable(e),
    }
}

#[utoipa::path(delete, path = "/posts/{id}", tag = "posts", params(("id" = i64, Path, description = "the post's id")),
    responses((status = 204, description = "deleted"), (status = 404, description = "no such post")),
)]
#[auth(jwt, session)]
#[require(can_delete(user, post))]
pub(crate) async fn delete_post(user: User, post: Option<Post>, State(db): State<Db>) -> Response {
    let Some(post) = post else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if let Err(refused) = local_id(&user) {
        return refused;
    }
    match db.delete_post(post.id).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => unavailable(e),
    }
}

/// One post: published ones for every signed-in reader, drafts only for who may edit
/// them; anyone else gets the same 404 as for a post that does not exist.
#[utoipa::path(get, path = "/posts/{id}", tag = "posts", params(("id" = i64, Path, description = "the post's id")),
    responses(
        (status = 200, description = "the post"),
        (status = 404, description = "no such post, or a draft the caller may not edit"),
    ),
)]
#[auth(jwt, session, api_key, hide_existence)]
#[require_returned(|post| is_published(user, post) || can_edit(user, post))]
pub(crate) async fn get_post(
    user: User,
    Path(id): Path<i64>,
    State(db): State<Db>,
) -> Result<Json<Post>, Response> {
    let _ = &user;
    match db.post(id).await {
        Ok(Some(post)) => Ok(Json(post)),
        Ok(None) => Err(not_found()),
        Err(e) => Err(unavailable(e)),
    }
}

/// The posts the caller may edit: every post, filtered on the way out by the policy the
/// edit route checks.
#[utoipa::path(get, path = "/posts/editable", tag = "posts", responses(
    (status = 200, description = "the posts the caller may edit"),
))]
#[auth(jwt, session)]
#[filter_returned(|post| can_edit(user, post))]
pub(crate) async fn editable_posts(user: User, State(db): State<Db>) -> Result<Json<Vec<Post>>, Response> {
    let _ = &user;
    db.posts(true).await.map(Json).map_err(unavailable)
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({"error": "not_found", "message": "the resource does not exist"})),
    )
        .into_response()
}

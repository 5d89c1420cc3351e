#![deny(warnings)]
//! A `#[resource]` parameter named in `owner(...)` is loaded by its `Resource`
//! implementation from the state (404 when missing, 503 when the store fails) and the
//! body receives the resource itself, beside other extractors.

use axum::Router;
use axum::extract::{FromRef, Query};
use axum::routing::get;
use portcullis::{AuthUser, Portcullis, Resource, StoreError, auth, require};

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "moderator"))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
}

struct Post {
    author_id: i64,
    title: String,
}

struct Comment {
    author_id: Option<i64>,
}

#[derive(Clone, FromRef)]
struct AppState {
    auth: Portcullis<User>,
}

impl Resource<AppState> for Post {
    type Id = i64;
    async fn load(id: i64, _: &AppState) -> Result<Option<Post>, StoreError> {
        Ok((id == 1).then(|| Post { author_id: 1, title: "first".into() }))
    }
}

impl Resource<AppState> for Comment {
    type Id = i64;
    async fn load(id: i64, _: &AppState) -> Result<Option<Comment>, StoreError> {
        Ok((id == 1).then_some(Comment { author_id: None }))
    }
}

#[auth(jwt)]
#[require(owner(post.author_id) || role = "moderator")]
async fn edit(user: User, #[resource] post: Post) -> String {
    format!("{} edits {}", user.id, post.title)
}

#[auth(jwt, api_key)]
#[require(owner(comment.author_id) || role = "admin")]
async fn both(Query(q): Query<Vec<(String, String)>>, user: User, #[resource] mut comment: Comment) -> String {
    comment.author_id.get_or_insert(user.id);
    format!("{} {}", q.len(), comment.author_id.unwrap_or_default())
}

fn app(state: AppState) -> Router {
    Router::new()
        .route("/posts/{id}", get(edit))
        .route("/comments/{id}", get(both))
        .with_state(state)
}

fn main() {
    let _ = app;
}

//! Under `#[require]` the other extractors wait until the checks have passed: a `Path`
//! and a `Json` body (deferred, the body last), with state, a query, destructuring and
//! `mut` patterns, a body written before the user parameter, and an owner resource
//! beside them (extracted first, as the check reads it). The handlers must still
//! implement axum's `Handler`, and the body must see the extracted values.

#![deny(warnings)]

use std::convert::Infallible;

use axum::Json;
use axum::Router;
use axum::extract::{FromRef, OptionalFromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::routing::{post, put};
use portcullis::{AuthUser, Portcullis, auth, permissions, require};
use serde::Deserialize;

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "user"), permissions("posts:write"), grants(admin("*")))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
}

#[derive(Clone, FromRef)]
struct AppState {
    auth: Portcullis<User>,
    name: String,
}

#[derive(Deserialize)]
struct Edit {
    title: String,
}

#[derive(Deserialize)]
struct Page {
    page: Option<u32>,
}

struct Post {
    author_id: i64,
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for Post {
    type Rejection = Infallible;
    async fn from_request_parts(_parts: &mut Parts, _state: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(Some(Post { author_id: 1 }))
    }
}

#[auth(jwt)]
#[require(role = "admin")]
async fn path_and_json(user: User, Path(id): Path<i64>, Json(edit): Json<Edit>) -> String {
    format!("{} {id} {}", user.id, edit.title)
}

#[auth(jwt, api_key)]
#[permissions("posts:write")]
async fn everything(
    State(name): State<String>,
    user: User,
    Query(page): Query<Page>,
    mut body: Json<Edit>,
) -> String {
    body.0.title.push('!');
    format!("{name} {} {:?} {}", user.id, page.page, body.0.title)
}

#[auth(jwt)]
#[require(role = "admin")]
async fn body_before_user(Json(edit): Json<Edit>, user: User) -> String {
    format!("{} {}", user.id, edit.title)
}

#[auth(jwt)]
#[require(owner(post.author_id) || role = "admin")]
async fn owner_and_body(
    user: User,
    post: Option<Post>,
    Path(id): Path<i64>,
    Json(edit): Json<Edit>,
) -> String {
    let author = post.map_or(0, |p| p.author_id);
    format!("{} {author} {id} {}", user.id, edit.title)
}

fn app(state: AppState) -> Router {
    Router::new()
        .route("/a/{id}", put(path_and_json))
        .route("/b", post(everything))
        .route("/c", post(body_before_user))
        .route("/d/{id}", put(owner_and_body))
        .with_state(state)
}

fn main() {
    let _ = app;
    let user = User {
        id: 1,
        roles: Vec::new(),
    };
    let _ = user.roles.len();
}

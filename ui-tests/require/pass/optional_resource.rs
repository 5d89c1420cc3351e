//! An `Option<_>` resource parameter named in `owner(...)` is accepted (a `None` answers 404
//! before the requirement); it may be `mut`, combined with other atoms, stand beside a plain
//! resource, and an `Option` parameter not named in the requirement stays as it is.

#![deny(warnings)]

use std::convert::Infallible;

use axum::Router;
use axum::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::routing::{delete, get};
use portcullis::{AuthUser, Portcullis, auth, require};

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "moderator", "user"))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
}

#[derive(Clone, FromRef)]
struct AppState {
    auth: Portcullis<User>,
}

#[derive(Debug)]
struct Post {
    author_id: i64,
}

#[derive(Debug)]
struct Comment {
    author_id: Option<i64>,
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for Post {
    type Rejection = Infallible;
    async fn from_request_parts(_parts: &mut Parts, _state: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(None)
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for Comment {
    type Rejection = Infallible;
    async fn from_request_parts(_parts: &mut Parts, _state: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(None)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Comment {
    type Rejection = StatusCode;
    async fn from_request_parts(_parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Err(StatusCode::NOT_FOUND)
    }
}

#[auth(jwt)]
#[require(owner(post.author_id) || role = "moderator")]
async fn delete_post(user: User, post: Option<Post>) -> StatusCode {
    let _ = (user.id, &user.roles, post.map(|p| p.author_id));
    StatusCode::NO_CONTENT
}

#[auth(jwt)]
#[require(owner(post.author_id))]
async fn mutable(user: User, mut post: Option<Post>) -> String {
    let taken = post.take();
    format!("{} {:?}", user.id, taken)
}

#[auth(jwt)]
#[require(owner(post.author_id) && owner(comment.author_id))]
async fn two_resources(user: User, post: Option<Post>, comment: Option<Comment>) -> String {
    format!("{} {:?} {:?}", user.id, post, comment)
}

#[auth(jwt)]
#[require(owner(post.author_id) || owner(comment.author_id))]
async fn optional_and_plain(user: User, post: Option<Post>, comment: Comment) -> String {
    format!("{} {:?} {:?}", user.id, post, comment)
}

#[auth(jwt)]
#[require(role = "admin")]
async fn unrelated_option(user: User, post: Option<Post>) -> String {
    format!("{} {:?}", user.id, post)
}

#[auth(jwt)]
#[require(owner(post.author_id))]
async fn resource_before_user(post: Option<Post>, user: User) -> String {
    format!("{} {:?}", user.id, post)
}

fn app(state: AppState) -> Router {
    Router::new()
        .route("/posts/{id}", delete(delete_post))
        .route("/mutable", get(mutable))
        .route("/two", get(two_resources))
        .route("/mixed", get(optional_and_plain))
        .route("/unrelated", get(unrelated_option))
        .route("/before", get(resource_before_user))
        .with_state(state)
}

fn main() {
    let _ = app;
}

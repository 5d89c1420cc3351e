//! `#[permissions("a")]`, `#[permissions("a", "b")]` (all), a trailing comma, and
//! `#[permissions(any("a", "b"))]` (one of) are accepted, alone or beside `#[require]`,
//! with permissions held directly or granted through roles.

#![deny(warnings)]

use axum::Router;
use axum::extract::FromRef;
use axum::routing::{get, post};
use portcullis::{AuthUser, Portcullis, auth, permissions, require};

#[derive(Clone, AuthUser)]
#[auth_user(
    roles("admin", "moderator", "user"),
    permissions("posts:read", "posts:write", "posts:delete", "users:read"),
    grants(admin("*"), moderator("posts:read", "posts:delete"), user("posts:read"))
)]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
    #[auth_user(permissions)]
    permissions: Vec<String>,
}

#[derive(Clone, FromRef)]
struct AppState {
    auth: Portcullis<User>,
}

#[auth(jwt)]
#[permissions("posts:read")]
async fn one(user: User) -> String {
    format!("{} {:?} {:?}", user.id, user.roles, user.permissions)
}

#[auth(jwt)]
#[permissions("posts:read", "posts:write")]
async fn all(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt)]
#[rustfmt::skip] // keeps the trailing comma under test
#[permissions("posts:read", "posts:write", "posts:delete",)]
async fn trailing_comma(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt)]
#[permissions(any("posts:delete", "users:read"))]
async fn any(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt)]
#[permissions(any("posts:delete"))]
async fn any_single(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt, api_key)]
#[permissions("posts:write")]
#[require(role = "moderator" || role = "admin")]
async fn with_require(user: User) -> String {
    user.id.to_string()
}

fn app(state: AppState) -> Router {
    Router::new()
        .route("/one", get(one))
        .route("/all", post(all))
        .route("/trailing_comma", get(trailing_comma))
        .route("/any", get(any))
        .route("/any_single", get(any_single))
        .route("/with_require", get(with_require))
        .with_state(state)
}

fn main() {
    let _ = app;
}

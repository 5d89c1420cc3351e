//! `#[auth]`, `#[require]` and `#[permissions]` stack in every order, by name or by their
//! `portcullis::` path, with doc comments and other attributes between them.

#![deny(warnings)]

use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;
use portcullis::{AuthUser, Portcullis, auth, permissions, require};

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "user"), permissions("posts:read", "posts:write"))]
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

#[auth(jwt)]
#[require(role = "admin")]
async fn auth_require(user: User) -> String {
    format!("{} {:?}", user.id, user.roles)
}

#[require(role = "admin")]
#[auth(jwt)]
async fn require_auth(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt)]
#[permissions("posts:write")]
async fn auth_permissions(user: User) -> String {
    user.id.to_string()
}

#[permissions("posts:write")]
#[auth(jwt)]
async fn permissions_auth(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt)]
#[require(role = "admin")]
#[permissions("posts:write")]
async fn auth_require_permissions(user: User) -> String {
    user.id.to_string()
}

#[auth(jwt)]
#[permissions("posts:write")]
#[require(role = "admin")]
async fn auth_permissions_require(user: User) -> String {
    user.id.to_string()
}

#[require(role = "admin")]
#[auth(jwt)]
#[permissions("posts:write")]
async fn require_auth_permissions(user: User) -> String {
    user.id.to_string()
}

#[require(role = "admin")]
#[permissions("posts:write")]
#[auth(jwt)]
async fn require_permissions_auth(user: User) -> String {
    user.id.to_string()
}

#[permissions("posts:write")]
#[auth(jwt)]
#[require(role = "admin")]
async fn permissions_auth_require(user: User) -> String {
    user.id.to_string()
}

#[permissions("posts:write")]
#[require(role = "admin")]
#[auth(jwt)]
async fn permissions_require_auth(user: User) -> String {
    user.id.to_string()
}

#[portcullis::auth(jwt)]
#[portcullis::require(role = "admin")]
#[portcullis::permissions("posts:read")]
async fn paths_auth_first(user: User) -> String {
    user.id.to_string()
}

#[portcullis::permissions("posts:read")]
#[portcullis::require(role = "admin")]
#[portcullis::auth(jwt)]
async fn paths_auth_last(user: User) -> String {
    user.id.to_string()
}

#[::portcullis::require(role = "admin")]
#[auth(jwt, api_key)]
async fn absolute_path(user: User) -> String {
    user.id.to_string()
}

/// Documented above everything.
#[require(role = "admin")]
/// Documented between the attributes.
#[allow(clippy::unused_async)]
#[auth(jwt)]
#[allow(unused_mut)]
#[permissions(any("posts:read", "posts:write"))]
pub async fn with_other_attributes(mut user: User) -> String {
    user.id += 0;
    user.id.to_string()
}

fn app(state: AppState) -> Router {
    Router::new()
        .route("/1", get(auth_require))
        .route("/2", get(require_auth))
        .route("/3", get(auth_permissions))
        .route("/4", get(permissions_auth))
        .route("/5", get(auth_require_permissions))
        .route("/6", get(auth_permissions_require))
        .route("/7", get(require_auth_permissions))
        .route("/8", get(require_permissions_auth))
        .route("/9", get(permissions_auth_require))
        .route("/10", get(permissions_require_auth))
        .route("/11", get(paths_auth_first))
        .route("/12", get(paths_auth_last))
        .route("/13", get(absolute_path))
        .route("/14", get(with_other_attributes))
        .with_state(state)
}

fn main() {
    let _ = app;
}

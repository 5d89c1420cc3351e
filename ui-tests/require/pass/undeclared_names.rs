//! A user type that declares no roles or permissions accepts any name in `role = ".."`,
//! `permission = ".."` and `#[permissions(..)]`: they are compared at run time.

#![deny(warnings)]

use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;
use portcullis::{AuthUser, Portcullis, auth, permissions, require};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: String,
    #[auth_user(permissions)]
    permissions: Vec<String>,
}

#[derive(Clone, FromRef)]
struct AppState {
    auth: Portcullis<User>,
}

#[auth(jwt)]
#[require(role = "anything-at-all" || permission = "x:y")]
async fn free_names(user: User) -> String {
    format!("{} {} {:?}", user.id, user.roles, user.permissions)
}

#[auth(jwt)]
#[permissions("a", "b")]
async fn free_permissions(user: User) -> String {
    user.id.to_string()
}

fn app(state: AppState) -> Router {
    Router::new()
        .route("/free_names", get(free_names))
        .route("/free_permissions", get(free_permissions))
        .with_state(state)
}

fn main() {
    let _ = app;
}

//! `use portcullis::{auth, require, permissions}` compiles without any warning (the pass
//! case denies them all): each import counts as used whichever attribute expands first
//! (`#[auth]` consumes the requirement attributes below it and emits
//! `#[allow(unused_imports)] use require as _;` for each one written by its bare name),
//! and the generated code itself triggers no lint.

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

// Only `#[auth]` expands `require` and `permissions` here (they are below it): the
// attributes never expand themselves.
#[auth(jwt)]
#[require(role = "admin")]
#[permissions("posts:read")]
async fn below(user: User) -> String {
    format!("{} {:?}", user.id, user.roles)
}

fn app(state: AppState) -> Router {
    Router::new().route("/below", get(below)).with_state(state)
}

fn main() {
    let _ = app;
}

//! `optional` with an `Option<User>` parameter, before or after the schemes.

use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;
use portcullis::{AuthUser, Portcullis, auth};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}

#[derive(Clone, FromRef)]
struct AppState {
    auth: Portcullis<User>,
}

#[auth(jwt, optional)]
async fn maybe(user: Option<User>) -> String {
    format!("{:?}", user.map(|u| u.id))
}

#[auth(optional, api_key, jwt)]
async fn maybe_first(user: Option<User>) -> String {
    format!("{:?}", user.map(|u| u.id))
}

#[auth(jwt, optional)]
async fn maybe_std_path(user: std::option::Option<User>) -> String {
    format!("{:?}", user.map(|u| u.id))
}

fn app(state: AppState) -> Router {
    Router::new()
        .route("/maybe", get(maybe))
        .route("/maybe_first", get(maybe_first))
        .route("/maybe_std_path", get(maybe_std_path))
        .with_state(state)
}

fn main() {
    let _ = app;
}

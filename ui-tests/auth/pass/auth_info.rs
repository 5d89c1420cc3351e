//! An `AuthInfo` parameter (`Option<AuthInfo>` with `optional`) receives how the
//! request was authenticated, before or after the user.

use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;
use portcullis::{AuthInfo, AuthUser, Portcullis, auth};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}

#[derive(Clone, FromRef)]
struct AppState {
    auth: Portcullis<User>,
}

#[auth(jwt, api_key)]
async fn after(user: User, info: AuthInfo) -> String {
    format!("{} {}", user.id, info.scheme())
}

#[auth(jwt, api_key)]
async fn before(info: AuthInfo, user: User) -> String {
    format!("{} {:?}", user.id, info.token_id())
}

#[auth(jwt)]
async fn full_path(user: User, info: portcullis::AuthInfo) -> String {
    format!("{} {}", user.id, info.scheme())
}

#[auth(jwt, optional)]
async fn optional(user: Option<User>, info: Option<AuthInfo>) -> String {
    format!("{:?} {:?}", user.map(|u| u.id), info.map(|i| i.scheme()))
}

#[auth(jwt)]
async fn ignored(user: User, _info: AuthInfo) -> String {
    user.id.to_string()
}

fn app(state: AppState) -> Router {
    Router::new()
        .route("/after", get(after))
        .route("/before", get(before))
        .route("/full_path", get(full_path))
        .route("/optional", get(optional))
        .route("/ignored", get(ignored))
        .with_state(state)
}

fn main() {
    let _ = app;
}

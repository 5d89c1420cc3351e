//! The user parameter may be named `user`, `_user`, be `mut`, carry another name or a
//! destructuring pattern when marked `#[user]`, and sit in any position.

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

#[auth(jwt)]
async fn marked(#[user] who: User) -> String {
    who.id.to_string()
}

#[auth(jwt, optional)]
async fn marked_optional(#[user] who: Option<User>) -> String {
    format!("{:?}", who.map(|u| u.id))
}

#[auth(jwt)]
async fn mutable(mut user: User) -> String {
    user.id += 1;
    user.id.to_string()
}

#[auth(jwt)]
async fn mutable_marked(#[user] mut who: User) -> String {
    who.id += 1;
    who.id.to_string()
}

#[auth(jwt)]
async fn ignored(_user: User) -> &'static str {
    "authenticated"
}

#[auth(jwt)]
async fn qualified(user: self::User) -> String {
    user.id.to_string()
}

#[auth(jwt)]
async fn last(axum::extract::Path(id): axum::extract::Path<i64>, #[user] who: User) -> String {
    format!("{id} {}", who.id)
}

#[auth(jwt)]
async fn destructured(#[user] User { id }: User) -> String {
    id.to_string()
}

fn app(state: AppState) -> Router {
    Router::new()
        .route("/marked", get(marked))
        .route("/marked_optional", get(marked_optional))
        .route("/mutable", get(mutable))
        .route("/mutable_marked", get(mutable_marked))
        .route("/ignored", get(ignored))
        .route("/qualified", get(qualified))
        .route("/last/{id}", get(last))
        .route("/destructured", get(destructured))
        .with_state(state)
}

fn main() {
    let _ = app;
}

//! `use portcullis::prelude::*` is enough to derive a user, write a handler and build the
//! router state.

use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;
use portcullis::prelude::*;

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
async fn me(user: User, info: AuthInfo) -> String {
    format!("{} {}", user.id(), info.scheme())
}

fn app(state: AppState) -> Router {
    Router::new().route("/me", get(me)).with_state(state)
}

fn main() {
    let _ = app;
}

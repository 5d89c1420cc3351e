//! A user parameter whose type does not implement `AuthUser` is refused with the trait's
//! own message, pointing at the type.

use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;
use portcullis::{AuthUser, Portcullis, auth};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}

#[derive(Clone)]
struct Visitor {
    id: i64,
}

#[derive(Clone, FromRef)]
struct AppState {
    auth: Portcullis<User>,
}

#[auth(jwt)]
async fn me(user: Visitor) -> String {
    user.id.to_string()
}

fn app(state: AppState) -> Router {
    Router::new().route("/me", get(me)).with_state(state)
}

fn main() {
    let _ = app;
}

//! A routed handler whose user parameter is neither named `user` nor marked `#[user]`:
//! one error, on the handler's name. The handler is routed: after the mistake it still is
//! an axum handler (`current: User` is no extractor, but every parameter of the handler
//! emitted beside the error extracts), so this error is the only one.

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
async fn me(current: User, id: axum::extract::Path<i64>) -> String {
    format!("{} {}", current.id, id.0)
}

fn main() {
    let _: Router = Router::new().route("/me/{id}", get(me)).with_state(None::<AppState>.unwrap());
}

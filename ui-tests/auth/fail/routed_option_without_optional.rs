//! An `Option` user without `optional`, on a routed handler: one error, on the type.
//! The handler is routed: after the mistake it still is an axum handler, so this error is the
//! only one (no "`Handler<_, _>` is not implemented" at `.route(...)`).

use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;
use portcullis::{AuthUser, Portcullis, auth};

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "user"))]
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
async fn me(user: Option<User>) -> String {
    let _ = &user;
    String::new()
}

fn main() {
    let _: Router = Router::new().route("/me", get(me)).with_state(None::<AppState>.unwrap());
}

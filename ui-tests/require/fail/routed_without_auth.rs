//! `#[require]` without `#[auth]` on a routed handler: one error, on the attribute.
//! The handler is routed: after the mistake it still is an axum handler, so this error is the
//! only one (no "`Handler<_, _>` is not implemented" at `.route(...)`).

use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;
use portcullis::{AuthUser, Portcullis, require};

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

#[require(role = "admin")]
async fn me(user: User) -> String {
    let _ = &user;
    String::new()
}

fn main() {
    let _: Router = Router::new().route("/me", get(me)).with_state(None::<AppState>.unwrap());
}

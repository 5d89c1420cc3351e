//! Two parameters receiving the user on a routed handler: one error, on the second. The
//! handler is routed: after the mistake it still is an axum handler, so this error is the
//! only one (no "`Handler<_, _>` is not implemented" at `.route(...)`).

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
async fn me(user: User, #[user] other: User) -> String {
    format!("{} {}", user.id, other.id)
}

fn main() {
    let _: Router = Router::new().route("/me", get(me)).with_state(None::<AppState>.unwrap());
}

//! `any(...)` beside another argument of `#[permissions]` on a routed handler with other
//! extractors: one error, on `any`. The handler is routed: after the mistake it still is
//! an axum handler, so this error is the only one (no "`Handler<_, _>` is not
//! implemented" at `.route(...)`).

use axum::extract::{FromRef, Path};
use axum::routing::post;
use axum::{Json, Router};
use portcullis::{AuthUser, Portcullis, auth, permissions};

#[derive(Clone, AuthUser)]
#[auth_user(permissions("posts:read", "posts:write"))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(permissions)]
    permissions: Vec<String>,
}

#[derive(Clone, FromRef)]
struct AppState {
    auth: Portcullis<User>,
}

#[auth(jwt)]
#[permissions(any("posts:read"), "posts:write")]
async fn handler(Path(id): Path<i64>, user: User, Json(text): Json<String>) -> String {
    format!("{id} {} {text}", user.id)
}

fn main() {
    let _: Router = Router::new().route("/posts/{id}", post(handler)).with_state(None::<AppState>.unwrap());
}

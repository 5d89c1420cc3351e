//! A handler may return `impl IntoResponse`, a `Result`, or nothing, and keeps its
//! other attributes and doc comments.

use axum::Router;
use axum::extract::FromRef;
use axum::http::StatusCode;
use axum::response::IntoResponse;
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

/// Documented handler.
#[auth(jwt)]
async fn opaque(user: User) -> impl IntoResponse {
    (StatusCode::OK, user.id.to_string())
}

#[auth(jwt)]
async fn fallible(user: User) -> Result<String, StatusCode> {
    if user.id > 0 {
        Ok(user.id.to_string())
    } else {
        Err(StatusCode::NOT_FOUND)
    }
}

#[auth(jwt)]
async fn unit(_user: User) {}

#[auth(jwt)]
#[allow(clippy::unused_async)]
pub async fn public(user: User) -> String {
    user.id.to_string()
}

fn app(state: AppState) -> Router {
    Router::new()
        .route("/opaque", get(opaque))
        .route("/fallible", get(fallible))
        .route("/unit", get(unit))
        .route("/public", get(public))
        .with_state(state)
}

fn main() {
    let _ = app;
}

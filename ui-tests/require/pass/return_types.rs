//! With requirements a handler keeps any return type: `impl IntoResponse`, a `Result` with
//! `?` and early `return` in the body, `Response`, a tuple, or nothing.

#![deny(warnings)]

use axum::extract::FromRef;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use portcullis::{AuthUser, Portcullis, auth, permissions, require};

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "user"), permissions("posts:read"))]
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

fn parse(text: &str) -> Result<i64, StatusCode> {
    text.parse().map_err(|_| StatusCode::BAD_REQUEST)
}

#[auth(jwt)]
#[require(role = "admin")]
async fn opaque(user: User) -> impl IntoResponse {
    (StatusCode::OK, format!("{} {:?}", user.id, user.roles))
}

#[auth(jwt)]
#[require(role = "admin")]
async fn fallible(user: User) -> Result<Json<i64>, StatusCode> {
    let n = parse("42")?;
    if user.id < 0 {
        return Err(StatusCode::NOT_FOUND);
    }
    Ok(Json(n + user.id))
}

#[auth(jwt)]
#[permissions("posts:read")]
async fn response(user: User) -> Response {
    if user.id == 0 {
        return StatusCode::NO_CONTENT.into_response();
    }
    user.id.to_string().into_response()
}

#[auth(jwt)]
#[require(role = "user")]
async fn tuple(user: User) -> (StatusCode, String) {
    (StatusCode::CREATED, user.id.to_string())
}

#[auth(jwt)]
#[require(role = "user")]
async fn unit(user: User) {
    let _ = user.id;
}

#[auth(jwt)]
#[require(role = "user")]
async fn early_unit(user: User) {
    if user.id == 0 {
        return;
    }
    let _ = user.roles;
}

fn app(state: AppState) -> Router {
    Router::new()
        .route("/opaque", get(opaque))
        .route("/fallible", get(fallible))
        .route("/response", get(response))
        .route("/tuple", get(tuple))
        .route("/unit", get(unit))
        .route("/early_unit", get(early_unit))
        .with_state(state)
}

fn main() {
    let _ = app;
}

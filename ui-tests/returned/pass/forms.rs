#![deny(warnings)]
//! `#[require_returned]` and `#[filter_returned]` on `Json<T>`, `Json<Vec<T>>`, `Vec<T>` inside
//! a custom response type, and `Result`s of them; written above `#[auth]` and below it; with
//! `#[require]`, `hide_existence`, policies passed the user, the `AuthInfo` and the value; and
//! the handlers still are axum handlers.

use axum::extract::FromRef;
use axum::routing::get;
use axum::{Json, Router};
use portcullis::{AuthInfo, AuthUser, Portcullis, auth, filter_returned, policy, require, require_returned};

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "user"))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
}

#[derive(serde::Serialize)]
struct Row {
    author_id: i64,
}

#[derive(Clone, FromRef)]
struct AppState {
    auth: Portcullis<User>,
}

#[policy]
async fn can_read(user: &User, row: &Row) -> bool {
    row.author_id == user.id
}

#[policy(scope = "rows:read")]
fn by_scope(user: &User, info: &AuthInfo);

#[auth(jwt)]
#[require_returned(|row| owner(row.author_id) || role = "admin")]
async fn one(user: User) -> Json<Row> {
    Json(Row { author_id: user.id })
}

#[require_returned(|row| can_read(user, row) || by_scope(user, info))]
#[auth(jwt, hide_existence)]
async fn one_or_error(user: User, info: AuthInfo) -> Result<Json<Row>, http::StatusCode> {
    let _ = info;
    Ok(Json(Row { author_id: user.id }))
}

#[auth(jwt)]
#[require(role = "user")]
#[filter_returned(|row| can_read(user, row))]
#[require_returned(|_rows| role = "user")]
async fn list(user: User) -> Json<Vec<Row>> {
    Json(vec![Row { author_id: user.id }])
}

#[auth(jwt)]
#[filter_returned(|row| owner(row.author_id))]
async fn list_or_error(mut user: User) -> Result<Json<Vec<Row>>, http::StatusCode> {
    user.id += 1;
    Ok(Json(vec![Row { author_id: user.id }]))
}

fn app(state: AppState) -> Router {
    Router::new()
        .route("/one", get(one))
        .route("/one_or_error", get(one_or_error))
        .route("/list", get(list))
        .route("/list_or_error", get(list_or_error))
        .with_state(state)
}

fn main() {
    let _ = app;
}

//! A policy on the returned value is passed a parameter the body consumed.

use axum::Json;
use portcullis::{AuthUser, auth, require_returned};

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

#[portcullis::policy]
fn same(_user: &User, a: &Row, b: &Row) -> bool {
    a.author_id == b.author_id
}

#[auth(jwt)]
#[require_returned(|row| same(user, row, other))]
async fn one(user: User, axum::extract::Json(other): axum::extract::Json<i64>) -> Json<Row> {
    Json(Row { author_id: user.id + other })
}

fn main() {}

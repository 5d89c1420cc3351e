//! A requirement on the returned value on an `optional` handler.

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

#[auth(jwt, optional)]
#[require_returned(|row| owner(row.author_id))]
async fn one(user: Option<User>) -> Json<Row> {
    Json(Row { author_id: user.map_or(0, |u| u.id) })
}

fn main() {}

//! A named returned value but no requirement on it.

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

#[auth(jwt)]
#[require_returned(|row|)]
async fn one(user: User) -> Json<Row> {
    Json(Row { author_id: user.id })
}

fn main() {}

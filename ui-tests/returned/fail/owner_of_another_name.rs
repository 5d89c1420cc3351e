//! `owner(...)` in a returned-value requirement names something else than the value.

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
#[require_returned(|row| owner(post.author_id))]
async fn one(user: User) -> Json<Row> {
    Json(Row { author_id: user.id })
}

fn main() {}

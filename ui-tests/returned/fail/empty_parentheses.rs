//! `#[filter_returned()]` with empty parentheses.

use axum::Json;
use portcullis::{AuthUser, auth, filter_returned};

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
#[filter_returned()]
async fn list(user: User) -> Json<Vec<Row>> {
    Json(vec![Row { author_id: user.id }])
}

fn main() {}

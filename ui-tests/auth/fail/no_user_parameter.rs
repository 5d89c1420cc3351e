//! A handler without a parameter receiving the user is refused.

use portcullis::{AuthUser, auth};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}

#[auth(jwt)]
async fn me(id: axum::extract::Path<i64>) -> String {
    id.0.to_string()
}

fn main() {}

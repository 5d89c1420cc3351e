//! The same custom scheme listed twice is refused.

use portcullis::{AuthUser, auth};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}

#[auth(custom(HmacSigning), jwt, custom(HmacSigning))]
async fn me(user: User) -> String {
    user.id.to_string()
}

fn main() {}

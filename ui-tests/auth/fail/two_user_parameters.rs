//! Two parameters receiving the user (`user` and a `#[user]` one) are refused.

use portcullis::{AuthUser, auth};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}

#[auth(jwt)]
async fn me(user: User, #[user] other: User) -> String {
    format!("{} {}", user.id, other.id)
}

fn main() {}

//! `#[auth]` and `#[public]` exclude each other (`#[auth]` written first).

use portcullis::{AuthUser, auth, public};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}

#[auth(jwt)]
#[public]
async fn me(user: User) -> String {
    user.id.to_string()
}

fn main() {}

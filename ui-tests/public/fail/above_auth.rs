//! `#[public]` and `#[auth]` exclude each other (`#[public]` written first).

use portcullis::{AuthUser, auth, public};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}

#[public]
#[auth(jwt)]
async fn me(user: User) -> String {
    user.id.to_string()
}

fn main() {}

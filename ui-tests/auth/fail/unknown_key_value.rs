//! A `key = value` argument other than `crate = ...` is refused.

use portcullis::{AuthUser, auth};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}

#[auth(jwt, foo = 1)]
async fn me(user: User) -> String {
    user.id.to_string()
}

fn main() {}

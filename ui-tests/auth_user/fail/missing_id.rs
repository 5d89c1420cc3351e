//! A user without an `#[auth_user(id)]` field is refused.

use portcullis::AuthUser;

#[derive(Clone, AuthUser)]
struct User {
    id: i64,
    #[auth_user(name)]
    username: String,
}

fn main() {}

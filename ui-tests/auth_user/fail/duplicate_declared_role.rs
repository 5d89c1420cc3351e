//! A role declared twice is refused, pointing at the second one.

use portcullis::AuthUser;

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "user", "admin"))]
struct User {
    #[auth_user(id)]
    id: i64,
}

fn main() {}

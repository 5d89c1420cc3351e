//! A declared role that is not a string literal is refused, pointing at it.

use portcullis::AuthUser;

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", user))]
struct User {
    #[auth_user(id)]
    id: i64,
}

fn main() {}

//! A declared role containing a space is refused, pointing at it.

use portcullis::AuthUser;

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "power user"))]
struct User {
    #[auth_user(id)]
    id: i64,
}

fn main() {}

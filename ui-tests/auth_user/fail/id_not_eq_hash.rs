//! An id type that cannot be compared and hashed (`f64`) is refused, pointing at the type.

use portcullis::AuthUser;

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: f64,
}

fn main() {}

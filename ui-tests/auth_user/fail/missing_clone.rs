//! A user type that is not `Clone` is refused: `AuthUser` requires it.

use portcullis::AuthUser;

#[derive(AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}

fn main() {}

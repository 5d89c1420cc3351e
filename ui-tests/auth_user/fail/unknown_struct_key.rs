//! An unknown struct-level `#[auth_user(...)]` key is refused.

use portcullis::AuthUser;

#[derive(Clone, AuthUser)]
#[auth_user(groups("admin"))]
struct User {
    #[auth_user(id)]
    id: i64,
}

fn main() {}

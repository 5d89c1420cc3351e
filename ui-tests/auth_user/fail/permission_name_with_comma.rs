//! A declared permission containing a comma is refused: names are stored comma-separated.

use portcullis::AuthUser;

#[derive(Clone, AuthUser)]
#[auth_user(permissions("posts:read,posts:write"))]
struct User {
    #[auth_user(id)]
    id: i64,
}

fn main() {}

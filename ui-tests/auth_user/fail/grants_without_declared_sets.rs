//! `grants(...)` without declared `roles(...)` and `permissions(...)` is refused: it maps
//! declared names to declared names.

use portcullis::AuthUser;

#[derive(Clone, AuthUser)]
#[auth_user(grants(admin("*")))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
}

fn main() {}

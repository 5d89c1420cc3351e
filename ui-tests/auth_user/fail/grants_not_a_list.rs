//! `grants(admin = "*")` (not `admin("*")`) is refused on the item with the expected form.

use portcullis::AuthUser;

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin"), permissions("posts:read"), grants(admin = "*"))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
}

fn main() {}

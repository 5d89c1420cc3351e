//! `grants(...)` with declared roles but no declared permissions is refused.

use portcullis::AuthUser;

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "user"), grants(admin("posts:read")))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
}

fn main() {}

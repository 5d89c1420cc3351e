//! `grants(...)` naming a role that is not declared (`admni`) is refused on it, with a
//! suggestion.

use portcullis::AuthUser;

#[derive(Clone, AuthUser)]
#[auth_user(
    roles("admin", "user"),
    permissions("posts:read", "posts:write"),
    grants(admni("*"), user("posts:read"))
)]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
}

fn main() {}

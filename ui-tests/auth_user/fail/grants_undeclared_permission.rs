//! `grants(...)` giving a permission that is not declared is refused on the literal, with a
//! suggestion.

use portcullis::AuthUser;

#[derive(Clone, AuthUser)]
#[auth_user(
    roles("admin", "user"),
    permissions("posts:read", "posts:write"),
    grants(admin("*"), user("posts:raed"))
)]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
}

fn main() {}

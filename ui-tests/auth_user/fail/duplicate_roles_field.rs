//! Two `#[auth_user(roles)]` fields are refused, pointing at the second mark.

use portcullis::AuthUser;

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    role: String,
    #[auth_user(roles)]
    extra_roles: Vec<String>,
}

fn main() {}

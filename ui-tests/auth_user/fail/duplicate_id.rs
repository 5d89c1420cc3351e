//! Two `#[auth_user(id)]` fields are refused, pointing at the second mark.

use portcullis::AuthUser;

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(id)]
    uuid: String,
}

fn main() {}

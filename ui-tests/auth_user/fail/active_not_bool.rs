//! An `active` field that is not a `bool` is refused, pointing at the type.

use portcullis::AuthUser;

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(active)]
    active: Option<bool>,
}

fn main() {}

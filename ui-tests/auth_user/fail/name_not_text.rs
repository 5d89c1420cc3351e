//! A `name` field that is not text (`u64`) is refused with `OptionalText`'s message, pointing at the type.

use portcullis::AuthUser;

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(name)]
    name: u64,
}

fn main() {}

//! A permissions field of a type that cannot hold names is refused with `NameSet`'s message, pointing at the type.

use portcullis::AuthUser;

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(permissions)]
    permissions: Vec<u32>,
}

fn main() {}

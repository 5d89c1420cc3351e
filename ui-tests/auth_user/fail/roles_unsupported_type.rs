//! A roles field of a type that cannot hold names (`i32`) is refused with `NameSet`'s message, pointing at the type.

use portcullis::AuthUser;

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: i32,
}

fn main() {}

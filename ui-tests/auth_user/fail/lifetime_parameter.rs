//! A user type that borrows (has a lifetime parameter) is refused: `AuthUser` requires
//! `'static` because users are loaded from a store and handed to handlers by value.

use portcullis::AuthUser;

#[derive(Clone, AuthUser)]
struct User<'a> {
    #[auth_user(id)]
    id: i64,
    #[auth_user(name)]
    name: &'a str,
}

fn main() {}

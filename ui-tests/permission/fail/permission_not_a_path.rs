//! `permission = 42` is refused on the number: a permission is a string or a permission enum
//! variant.

use portcullis::{AuthUser, auth, require};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}

#[auth(jwt)]
#[require(permission = 42)]
async fn write(user: User) -> String {
    user.id.to_string()
}

fn main() {}

//! A scheme type written as a word is refused with the `custom(Type)` form.

use portcullis::{AuthUser, auth};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}

#[auth(jwt, HmacSigning)]
async fn me(user: User) -> String {
    user.id.to_string()
}

fn main() {}

//! A scheme written as a string literal is refused: schemes are words.

use portcullis::{AuthUser, auth};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}

#[auth("jwt")]
async fn me(user: User) -> String {
    user.id.to_string()
}

fn main() {}

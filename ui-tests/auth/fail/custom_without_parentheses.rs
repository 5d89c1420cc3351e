//! `custom` without a type is refused: the scheme type goes in parentheses.

use portcullis::{AuthUser, auth};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}

#[auth(jwt, custom)]
async fn me(user: User) -> String {
    user.id.to_string()
}

fn main() {}

//! `custom("Type")` is refused: the scheme type is written without quotes.

use portcullis::{AuthUser, auth};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}

#[auth(jwt, custom("HmacSigning"))]
async fn me(user: User) -> String {
    user.id.to_string()
}

fn main() {}

//! A scheme written with arguments (`jwt(...)`) is refused on the word: schemes are words.

use portcullis::{AuthUser, auth};

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "user"), permissions("posts:read", "posts:write"))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
}

#[auth(jwt(key = "x"))]
async fn handler(user: User) -> String {
    user.id.to_string()
}

fn main() {}

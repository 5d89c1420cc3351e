//! A permission that is neither a string nor a word (a number) is refused with an example.

use portcullis::{AuthUser, auth, permissions};

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "user"), permissions("posts:read", "posts:write"))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
}

#[auth(jwt)]
#[permissions(42)]
async fn handler(user: User) -> String {
    user.id.to_string()
}

fn main() {}

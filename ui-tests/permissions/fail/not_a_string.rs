//! `#[permissions(posts_write)]` (a word, not a string) is refused on the word.

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
#[permissions(posts_write)]
async fn write(user: User) -> String {
    user.id.to_string()
}

fn main() {}

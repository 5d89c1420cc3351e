//! `#[permissions]` without `#[auth]` on the handler is refused.

use portcullis::{AuthUser, permissions};

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "user"), permissions("posts:read", "posts:write"))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
}

#[permissions("posts:write")]
async fn write(user: User) -> String {
    user.id.to_string()
}

fn main() {}

//! `#[require]` without `#[auth]` on the handler is refused: nothing says who the user is.

use portcullis::{AuthUser, require};

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "moderator", "user"), permissions("posts:read", "posts:write"))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
}

#[require(role = "admin")]
async fn admin(user: User) -> String {
    user.id.to_string()
}

fn main() {}

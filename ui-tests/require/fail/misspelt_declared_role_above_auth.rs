//! Written above `#[auth]`, a misspelt declared role is still refused on the literal.

use portcullis::{AuthUser, auth, require};

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "moderator", "user"), permissions("posts:read", "posts:write"))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
}

#[require(role = "admni")]
#[auth(jwt)]
async fn admin(user: User) -> String {
    user.id.to_string()
}

fn main() {}

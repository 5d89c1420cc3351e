//! A `claim` without `name = value` is refused inside its parentheses.

use portcullis::{AuthUser, auth, require};

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "user"), permissions("posts:read", "posts:write"))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
}

#[auth(jwt)]
#[require(claim("tenant"))]
async fn handler(user: User) -> String {
    user.id.to_string()
}

fn main() {}

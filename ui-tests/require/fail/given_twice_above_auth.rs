//! Two `#[require]` above `#[auth]` are refused on the second as well.

use portcullis::{AuthUser, auth, require};

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "moderator", "user"), permissions("posts:read", "posts:write"))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
}

#[require(role = "admin")]
#[require(permission = "posts:write")]
#[auth(jwt)]
async fn write(user: User) -> String {
    user.id.to_string()
}

fn main() {}

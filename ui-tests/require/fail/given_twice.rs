//! Two `#[require]` on one handler are refused on the second: combine them with `&&`.

use portcullis::{AuthUser, auth, require};

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "moderator", "user"), permissions("posts:read", "posts:write"))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
}

#[auth(jwt)]
#[require(role = "admin")]
#[require(permission = "posts:write")]
async fn write(user: User) -> String {
    user.id.to_string()
}

fn main() {}

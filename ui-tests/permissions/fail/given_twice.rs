//! Two `#[permissions]` on one handler are refused on the second: list them all in one.

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
#[permissions("posts:read")]
#[permissions("posts:write")]
async fn write(user: User) -> String {
    user.id.to_string()
}

fn main() {}

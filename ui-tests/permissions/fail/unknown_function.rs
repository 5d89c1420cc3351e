//! `#[permissions(all("a"))]` is refused on `all`: the list itself means all; `any(...)` is for
//! one of several.

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
#[permissions(all("posts:read", "posts:write"))]
async fn write(user: User) -> String {
    user.id.to_string()
}

fn main() {}

//! `role == "admin"` is refused on `==`: the language uses a single `=`.

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
#[require(role == "admin")]
async fn admin(user: User) -> String {
    user.id.to_string()
}

fn main() {}

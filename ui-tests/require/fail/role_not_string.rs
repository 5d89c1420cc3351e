//! `role = 42` is refused on the number: a role is a string or a role enum variant.

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
#[require(role = 42)]
async fn admin(user: User) -> String {
    user.id.to_string()
}

fn main() {}

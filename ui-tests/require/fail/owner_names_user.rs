//! `owner(user.id)` names the user parameter, which owns itself: refused on `user`.

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
#[require(owner(user.id))]
async fn me(user: User) -> String {
    user.id.to_string()
}

fn main() {}

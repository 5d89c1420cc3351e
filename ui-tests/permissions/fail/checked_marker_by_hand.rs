//! `#[permissions(__portcullis_checked)]` written by hand switches nothing off: it is
//! no permission list.

use portcullis::{AuthUser, auth, permissions};

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "moderator", "user"), permissions("posts:read", "posts:write"))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
}

#[auth(jwt)]
#[permissions(__portcullis_checked)]
async fn admin(user: User) -> String {
    user.id.to_string()
}

fn main() {}

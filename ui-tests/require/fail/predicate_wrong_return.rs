//! A `fn =` predicate returning something other than `bool` (or a future of `bool`) is refused.

use portcullis::{AuthInfo, AuthUser, auth, require};

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "moderator", "user"), permissions("posts:read", "posts:write"))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
}

fn is_staff(user: &User, _info: &AuthInfo) -> Option<bool> {
    Some(user.id < 100)
}

#[auth(jwt)]
#[require(fn = is_staff)]
async fn staff(user: User) -> String {
    user.id.to_string()
}

fn main() {}

//! A `fn =` predicate taking only `&User` (not `(&User, &AuthInfo)`) is refused on its path.

use portcullis::{AuthUser, auth, require};

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "moderator", "user"), permissions("posts:read", "posts:write"))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
}

fn is_staff(user: &User) -> bool {
    user.id < 100
}

#[auth(jwt)]
#[require(fn = is_staff)]
async fn staff(user: User) -> String {
    user.id.to_string()
}

fn main() {}

//! `#[require]` imported under another name (`use portcullis::require as needs`) is not seen by
//! `#[auth]`.

use portcullis::{AuthUser, auth, require as needs};

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "moderator", "user"), permissions("posts:read", "posts:write"))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
}

#[auth(jwt)]
#[needs(role = "admin")]
async fn admin(user: User) -> String {
    user.id.to_string()
}

fn main() {}

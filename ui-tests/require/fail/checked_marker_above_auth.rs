//! Written above `#[auth]`, the arguments `#[auth]` once left on requirements it had
//! compiled (`__portcullis_checked`) switch nothing off either: `#[auth]` compiles
//! every requirement attribute it sees, and this one is no requirement.

use portcullis::{AuthUser, auth, require};

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "moderator", "user"), permissions("posts:read", "posts:write"))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
}

#[require(__portcullis_checked)]
#[auth(jwt)]
async fn admin(user: User) -> String {
    user.id.to_string()
}

fn main() {}

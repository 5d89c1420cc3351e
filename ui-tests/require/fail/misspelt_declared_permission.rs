//! A permission missing from the declared set fails the build on the literal, with a
//! did-you-mean.

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
#[require(permission = "posts:wirte")]
async fn write(user: User) -> String {
    user.id.to_string()
}

fn main() {}

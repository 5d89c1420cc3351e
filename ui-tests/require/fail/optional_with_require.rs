//! `optional` with a requirement is refused: requests without credentials have no user to
//! check.

use portcullis::{AuthUser, auth, require};

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "moderator", "user"), permissions("posts:read", "posts:write"))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
}

#[auth(jwt, optional)]
#[require(role = "admin")]
async fn admin(user: Option<User>) -> String {
    format!("{:?}", user.map(|u| u.id))
}

fn main() {}

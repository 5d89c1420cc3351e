//! `optional` with `#[permissions]` is refused: requests without credentials have no user.

use portcullis::{AuthUser, auth, permissions};

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "user"), permissions("posts:read", "posts:write"))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
}

#[permissions("posts:write")]
#[auth(jwt, optional)]
async fn write(user: Option<User>) -> String {
    format!("{:?}", user.map(|u| u.id))
}

fn main() {}

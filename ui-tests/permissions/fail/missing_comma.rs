//! Two permissions without a comma between them: the second is refused, asking for commas.

use portcullis::{AuthUser, auth, permissions};

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "user"), permissions("posts:read", "posts:write"))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
}

#[auth(jwt)]
#[permissions("posts:read" "posts:write")]
async fn handler(user: User) -> String {
    user.id.to_string()
}

fn main() {}

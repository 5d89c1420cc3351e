//! `claim(grade = 'a')`: a char cannot be compared with a JSON claim; refused.

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
#[require(claim(grade = 'a'))]
async fn graded(user: User) -> String {
    user.id.to_string()
}

fn main() {}

//! A policy whose first parameter is the `AuthInfo`, not the user.

use portcullis::{AuthUser, policy};

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "editor"))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
}

struct Post {
    author_id: i64,
}

struct Comment {
    author_id: i64,
}

#[policy(scope = "posts:edit")]
fn can_edit(info: &portcullis::AuthInfo, user: &User);

fn main() {}

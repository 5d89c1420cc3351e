//! `owner(...)` in a policy names no parameter of it.

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

#[policy(owner(pots.author_id))]
fn can_edit(user: &User, post: &Post);

fn main() {}

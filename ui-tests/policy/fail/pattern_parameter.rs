//! A policy parameter that is a pattern, not a name.

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

#[policy(owner(post.author_id))]
fn can_edit(user: &User, &Post { author_id }: &Post);

fn main() {}

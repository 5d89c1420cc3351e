//! A policy inside a policy is passed a name that is no parameter.

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

#[policy]
fn is_author(user: &User, post: &Post) -> bool {
    post.author_id == user.id
}

#[policy(is_author(user, pots))]
fn can_edit(user: &User, post: &Post);

fn main() {}

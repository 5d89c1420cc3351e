//! A policy with a `self` receiver.

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

impl Post {
    #[policy]
    fn can_edit(&self, user: &User) -> bool {
        self.author_id == user.id
    }
}

fn main() {}

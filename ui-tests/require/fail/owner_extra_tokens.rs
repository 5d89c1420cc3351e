//! `owner` takes a field path only, not a comparison.

use portcullis::{AuthUser, auth, require};

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "moderator", "user"), permissions("posts:read", "posts:write"))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
}

struct Post {
    author_id: i64,
}

#[auth(jwt)]
#[require(owner(post.author_id == 1))]
async fn handler(user: User, post: Post) -> String {
    format!("{} {}", user.id, post.author_id)
}

fn main() {}

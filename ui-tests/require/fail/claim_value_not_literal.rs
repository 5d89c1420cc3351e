//! A claim value must be a literal.

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
#[require(claim(tenant = acme))]
async fn handler(user: User, post: Post) -> String {
    format!("{} {}", user.id, post.author_id)
}

fn main() {}

//! `owner(post)` without a field is refused: the owner's id is a field of the resource.

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
#[require(owner(post))]
async fn edit(user: User, post: Post) -> String {
    format!("{} {}", user.id, post.author_id)
}

fn main() {}

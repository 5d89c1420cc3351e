//! `owner(pots.author_id)` names no parameter: refused on `pots` with a suggestion of `post`.

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
#[require(owner(pots.author_id))]
async fn edit(user: User, post: Post) -> String {
    format!("{} {}", user.id, post.author_id)
}

fn main() {}

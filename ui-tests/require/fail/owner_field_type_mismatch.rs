//! `owner(post.author_id)` where `author_id` is a `String` and the user id an `i64` is
//! refused on the field path with `OwnerId`'s message.

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
    author_id: String,
}

#[auth(jwt)]
#[require(owner(post.author_id))]
async fn edit(user: User, post: Post) -> String {
    format!("{} {}", user.id, post.author_id)
}

fn main() {}

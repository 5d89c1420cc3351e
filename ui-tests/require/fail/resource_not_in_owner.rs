//! `#[resource]` on a parameter no `owner(...)` names is refused, on the marker.

use portcullis::{AuthUser, Resource, StoreError, auth, require};

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin"))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
}

struct Post {
    author_id: i64,
}

impl Resource<()> for Post {
    type Id = i64;
    async fn load(_: i64, _: &()) -> Result<Option<Post>, StoreError> {
        Ok(None)
    }
}

#[auth(jwt)]
#[require(role = "admin")]
async fn edit(user: User, #[resource] post: Post) -> String {
    format!("{} {}", user.id, post.author_id)
}

fn main() {}

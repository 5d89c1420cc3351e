//! A `#[resource]` parameter is the resource itself: `Option<Post>` is refused, on the type.

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
#[require(owner(post.author_id))]
async fn edit(user: User, #[resource] post: Option<Post>) -> String {
    format!("{} {:?}", user.id, post.map(|p| p.author_id))
}

fn main() {}

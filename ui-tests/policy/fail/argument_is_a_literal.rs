//! A policy call passes a literal, not a parameter name.

use portcullis::{AuthUser, auth, policy, require};

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

impl<S: Send + Sync> axum::extract::OptionalFromRequestParts<S> for Post {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(_: &mut http::request::Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(Some(Post { author_id: 1 }))
    }
}

impl<S: Send + Sync> axum::extract::OptionalFromRequestParts<S> for Comment {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(_: &mut http::request::Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(Some(Comment { author_id: 1 }))
    }
}

#[policy]
fn can_edit(user: &User, post: &Post) -> bool {
    post.author_id == user.id
}

#[auth(jwt)]
#[require(can_edit(user, 1))]
async fn edit(user: User, post: Option<Post>) -> String {
    let _ = post;
    user.id.to_string()
}

fn main() {}

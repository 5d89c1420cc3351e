//! Without `optional` the request is always authenticated, so an `Option<AuthInfo>`
//! parameter is refused: the info is always there.

use portcullis::{AuthInfo, AuthUser, auth};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}

#[auth(jwt)]
async fn me(user: User, info: Option<AuthInfo>) -> String {
    format!("{} {:?}", user.id, info.map(|i| i.scheme()))
}

fn main() {}

//! An `Option<User>` parameter without `optional` is refused, pointing at the type.

use portcullis::{AuthUser, auth};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}

#[auth(jwt)]
async fn me(user: Option<User>) -> String {
    format!("{:?}", user.map(|u| u.id))
}

fn main() {}

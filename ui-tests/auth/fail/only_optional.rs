//! `#[auth(optional)]` names no scheme and is refused.

use portcullis::{AuthUser, auth};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}

#[auth(optional)]
async fn me(user: Option<User>) -> String {
    format!("{:?}", user.map(|u| u.id))
}

fn main() {}

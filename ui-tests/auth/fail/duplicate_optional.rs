//! `optional` given twice is refused, pointing at the second one.

use portcullis::{AuthUser, auth};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}

#[auth(jwt, optional, optional)]
async fn me(user: Option<User>) -> String {
    format!("{:?}", user.map(|u| u.id))
}

fn main() {}

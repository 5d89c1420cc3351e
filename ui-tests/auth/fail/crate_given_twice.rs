//! `crate = ...` given twice is refused, pointing at the second one.

use portcullis::{AuthUser, auth};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}

#[auth(jwt, crate = ::portcullis, crate = ::portcullis)]
async fn me(user: User) -> String {
    user.id.to_string()
}

fn main() {}

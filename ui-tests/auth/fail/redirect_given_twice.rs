//! `redirect` given twice is refused, pointing at the second one.

use portcullis::{AuthUser, auth};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}


#[auth(session, redirect = "/login", redirect = "/signin")]
async fn page(user: User) -> String {
    user.id.to_string()
}

fn main() {}

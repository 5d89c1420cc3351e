//! `redirect` takes a string literal: a constant is refused (the path is checked at compile time).

use portcullis::{AuthUser, auth};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}


const LOGIN: &str = "/login";

#[auth(session, redirect = LOGIN)]
async fn page(user: User) -> String {
    user.id.to_string()
}

fn main() {}

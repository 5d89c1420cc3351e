//! A `redirect` starting with `//` or `/\` names another host to a browser: refused, one error each.

use portcullis::{AuthUser, auth};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}


#[auth(session, redirect = "//evil.example/login")]
async fn page(user: User) -> String {
    user.id.to_string()
}

#[auth(session, redirect = "/\\evil.example/login")]
async fn other(user: User) -> String {
    user.id.to_string()
}

fn main() {}

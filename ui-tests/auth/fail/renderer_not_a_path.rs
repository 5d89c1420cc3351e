//! `renderer` takes a type path: an expression or a string is refused, one error each.

use portcullis::{AuthUser, auth};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}


#[auth(session, renderer = &Html)]
async fn page(user: User) -> String {
    user.id.to_string()
}

#[auth(session, renderer = "Html")]
async fn other(user: User) -> String {
    user.id.to_string()
}

fn main() {}

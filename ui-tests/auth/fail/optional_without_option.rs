//! `optional` with a user parameter that is not an `Option` is refused, pointing at the type.

use portcullis::{AuthUser, auth};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}

#[auth(jwt, optional)]
async fn me(user: User) -> String {
    user.id.to_string()
}

fn main() {}

//! `#[auth]` on a function without a body (a declaration) is refused.

use portcullis::{AuthUser, auth};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}

#[auth(jwt)]
async fn declared_only(user: User) -> String;

fn main() {}

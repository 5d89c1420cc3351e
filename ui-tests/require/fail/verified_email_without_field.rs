//! `verified_email` on a user type without an `#[auth_user(email_verified)]` field (it could
//! never pass) fails the build on `verified_email`.

use portcullis::{AuthUser, auth, require};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}

#[auth(jwt)]
#[require(verified_email)]
async fn verified(user: User) -> String {
    user.id.to_string()
}

fn main() {}

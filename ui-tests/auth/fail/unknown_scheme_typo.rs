//! A misspelt scheme is refused with a suggestion of the scheme meant.

use portcullis::{AuthUser, auth};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}

#[auth(jtw)]
async fn me(user: User) -> String {
    user.id.to_string()
}

fn main() {}

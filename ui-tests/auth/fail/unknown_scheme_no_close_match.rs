//! A scheme name that is nothing like a known one is refused and the known schemes are listed.

use portcullis::{AuthUser, auth};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}

#[auth(kerberos)]
async fn me(user: User) -> String {
    user.id.to_string()
}

fn main() {}

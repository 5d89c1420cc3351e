//! A `redirect` with a space (or `#`, `\`, a control or non-ASCII character) is refused: percent-encode it.

use portcullis::{AuthUser, auth};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}


#[auth(session, redirect = "/log in")]
async fn page(user: User) -> String {
    user.id.to_string()
}

fn main() {}

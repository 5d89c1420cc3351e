//! A handler that is not `async fn` is refused, pointing at `fn`.

use portcullis::{AuthUser, auth};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}

#[auth(jwt)]
fn me(user: User) -> String {
    user.id.to_string()
}

fn main() {}

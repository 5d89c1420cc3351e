//! Two `#[auth]` attributes on one handler are refused: the schemes belong in one list.

use portcullis::{AuthUser, auth};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}

#[auth(jwt)]
#[auth(api_key)]
async fn me(user: User) -> String {
    user.id.to_string()
}

fn main() {}

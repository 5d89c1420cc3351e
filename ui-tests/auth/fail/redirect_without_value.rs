//! A bare `redirect` is refused with the form to write.

use portcullis::{AuthUser, auth};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}


#[auth(session, redirect)]
async fn page(user: User) -> String {
    user.id.to_string()
}

fn main() {}

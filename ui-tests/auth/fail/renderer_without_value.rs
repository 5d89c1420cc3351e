//! A bare `renderer` (without `= Type`) is refused: name the renderer type.

use portcullis::{AuthUser, auth};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}


#[auth(session, renderer)]
async fn page(user: User) -> String {
    user.id.to_string()
}

fn main() {}

//! A `renderer` type that does not implement `ErrorRenderer` is refused on its path.

use portcullis::{AuthUser, auth};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}


#[auth(session, renderer = String)]
async fn page(user: User) -> String {
    user.id.to_string()
}

fn main() {}

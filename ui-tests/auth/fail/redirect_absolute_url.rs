//! `redirect` is a path of this site: an absolute URL is refused (no open redirect).

use portcullis::{AuthUser, auth};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}


#[auth(session, redirect = "https://evil.example/login")]
async fn page(user: User) -> String {
    user.id.to_string()
}

fn main() {}

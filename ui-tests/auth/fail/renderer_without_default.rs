//! A `renderer` type must implement `Default` (the route builds it to render): refused on its path.

use portcullis::{AuthUser, auth};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}


struct Html(&'static str);

impl portcullis::ErrorRenderer for Html {
    fn render(&self, rejection: &portcullis::Rejection) -> http::Response<bytes::Bytes> {
        http::Response::new(format!("{} {}", self.0, rejection.message()).into())
    }
}

#[auth(session, renderer = Html)]
async fn page(user: User) -> String {
    user.id.to_string()
}

fn main() {}

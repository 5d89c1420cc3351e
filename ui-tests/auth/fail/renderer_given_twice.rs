//! `renderer` given twice is refused, pointing at the second one.

use portcullis::{AuthUser, auth};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}


#[derive(Default)]
struct Html;

impl portcullis::ErrorRenderer for Html {
    fn render(&self, rejection: &portcullis::Rejection) -> http::Response<bytes::Bytes> {
        http::Response::new(rejection.message().into())
    }
}

#[auth(session, renderer = Html, renderer = Html)]
async fn page(user: User) -> String {
    user.id.to_string()
}

fn main() {}

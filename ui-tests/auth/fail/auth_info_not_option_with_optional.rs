//! With `optional` there may be no authentication at all, so the `AuthInfo` parameter
//! must be an `Option<AuthInfo>`; a bare `AuthInfo` is refused.

use portcullis::{AuthInfo, AuthUser, auth};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}

#[auth(jwt, optional)]
async fn me(user: Option<User>, info: AuthInfo) -> String {
    format!("{:?} {}", user.map(|u| u.id), info.scheme())
}

fn main() {}

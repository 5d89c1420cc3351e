//! A `custom(Type)` whose type does not implement `AuthScheme<User>` is refused with the
//! trait's own message, pointing at the type in the attribute.

use portcullis::{AuthUser, auth};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}

/// Not a scheme: no `AuthScheme<User>` impl.
struct NotAScheme;

#[auth(jwt, custom(NotAScheme))]
async fn me(user: User) -> String {
    user.id.to_string()
}

fn main() {}

use portcullis::{AuthUser, auth};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}

#[auth(jwt, hide_existence)]
async fn me(user: User) -> String {
    user.id.to_string()
}

fn main() {}

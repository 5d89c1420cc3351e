//! Independent mistakes are all reported in one compilation: a misspelt key, a role
//! declared twice, two roles fields, and (because of the misspelling) no id field.

use portcullis::AuthUser;

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "admin"))]
struct User {
    #[auth_user(idd)]
    id: i64,
    #[auth_user(roles)]
    role: String,
    #[auth_user(roles)]
    extra_roles: String,
}

fn main() {}

//! `#[require]` imported under another name on a routed handler: `#[auth]` does not see
//! it and expands first, then the renamed attribute reports that it needs `#[auth]`. One
//! error, on the attribute: the handler `#[auth]` generated stays as it is (its guard
//! still decides the router's state), so there is no "type annotations needed" and no
//! "`Handler<_, _>` is not implemented" at `.route(...)`.

use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;
use portcullis::{AuthUser, Portcullis, auth, require as needs};

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "user"))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
}

#[derive(Clone, FromRef)]
struct AppState {
    auth: Portcullis<User>,
}

#[auth(jwt)]
#[needs(role = "admin")]
async fn admin(user: User) -> String {
    user.id.to_string()
}

fn main() {
    let _: Router = Router::new().route("/admin", get(admin)).with_state(None::<AppState>.unwrap());
}

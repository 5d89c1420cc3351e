//! `redirect = "/login"` and `renderer = Type` on free and associated functions, with
//! requirements, `optional` and other schemes: they are still axum handlers.

use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;
use portcullis::{AuthUser, ErrorRenderer, Portcullis, Rejection, auth, require};

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin"))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: String,
}

#[derive(Clone, FromRef)]
struct AppState {
    auth: Portcullis<User>,
}

#[derive(Default)]
struct Html;

impl ErrorRenderer for Html {
    fn render(&self, rejection: &Rejection) -> http::Response<bytes::Bytes> {
        http::Response::new(format!("<p>{}</p>", rejection.message()).into())
    }
}

mod pages {
    #[derive(Default)]
    pub struct Plain;

    impl portcullis::ErrorRenderer for Plain {
        fn render(&self, rejection: &portcullis::Rejection) -> http::Response<bytes::Bytes> {
            http::Response::new(rejection.message().into())
        }
    }
}

#[auth(session, redirect = "/login")]
async fn home(user: User) -> String {
    user.id.to_string()
}

#[auth(session, jwt, redirect = "/auth/login?lang=en", renderer = Html)]
#[require(role = "admin")]
pub async fn admin(user: User) -> String {
    format!("{} {}", user.id, user.roles)
}

#[auth(session, optional, renderer = pages::Plain)]
async fn maybe(user: Option<User>) -> String {
    format!("{:?}", user.map(|u| u.id))
}

struct Api;

impl Api {
    #[auth(session, redirect = "/login", renderer = Html)]
    async fn inbox(user: User) -> String {
        user.id.to_string()
    }
}

fn app(state: AppState) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/admin", get(admin))
        .route("/maybe", get(maybe))
        .route("/inbox", get(Api::inbox))
        .with_state(state)
}

fn main() {
    let _ = app;
}

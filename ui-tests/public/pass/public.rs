//! `#[public]` handlers (free and associated, with `crate = path`) stay axum handlers,
//! are registered as public, and pass the deny-by-default check.

use axum::extract::FromRef;
use portcullis::routing::{Routes, get};
use portcullis::{AuthUser, InMemoryUserStore, Portcullis, public};

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}

#[derive(Clone, FromRef)]
struct AppState {
    auth: Portcullis<User>,
}

#[public]
async fn health() -> &'static str {
    "ok"
}

struct Pages;

impl Pages {
    #[public(crate = ::portcullis)]
    async fn about() -> String {
        "about".into()
    }
}

fn main() {
    let auth = Portcullis::builder(InMemoryUserStore::<User>::new()).build().unwrap();
    let routes = Routes::new()
        .route("/health", get(health))
        .route("/about", get(Pages::about));
    let _app: axum::Router = routes
        .into_router(&auth)
        .unwrap()
        .with_state(AppState { auth });
    let entries = portcullis::routes();
    assert!(entries.iter().any(|e| e.name() == "about" && e.is_public() && e.path().ends_with("Pages::about")));
}

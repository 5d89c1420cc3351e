//! The smallest Portcullis app: users in memory, a login that issues tokens (throttled
//! per user name and client address), and two protected routes.
//!
//! ```sh
//! JWT_SECRET=$(openssl rand -base64 48) cargo run -p getting-started
//! ```

use std::net::SocketAddr;

use axum::extract::{FromRef, State};
use axum::http::request::Parts;
use axum::routing::{get, post};
use axum::{Json, Router};
use portcullis::{
    Algorithm, AuthUser, InMemoryUserStore, Portcullis, Refusal, Scheme, TokenConfig, TokenPair, auth,
    require,
};
use serde_json::Value;

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "user"))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(name)]
    name: String,
    #[auth_user(roles)]
    role: String,
    #[auth_user(password_hash)]
    password_hash: Option<String>,
}

#[derive(Clone, FromRef)]
struct AppState {
    auth: Portcullis<User>,
}

/// `POST /login {"username", "password"}`: a token pair, or the library's 401/429.
async fn login(
    State(auth): State<Portcullis<User>>,
    parts: Parts,
    Json(body): Json<Value>,
) -> Result<Json<TokenPair>, Refusal> {
    let name = body["username"].as_str().unwrap_or_default();
    let password = body["password"].as_str().unwrap_or_default();
    let refuse = |e| auth.refuse(e, &[Scheme::JWT]);
    let logged_in = auth
        .login(name, password, auth.client_ip(&parts))
        .await
        .map_err(refuse)?;
    let pair = auth.issue_tokens(&logged_in.user, None).await.map_err(refuse)?;
    Ok(Json(pair))
}

#[auth(jwt)]
async fn me(user: User) -> String {
    format!("hello {} ({})", user.name, user.id)
}

#[auth(jwt)]
#[require(role = "admin")]
async fn admin(_user: User) -> &'static str {
    "the admin area"
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let users = InMemoryUserStore::new();
    users.insert(User {
        id: 1,
        name: "ada".into(),
        role: "admin".into(),
        password_hash: Some(portcullis::hash_password("ada-password-1")?),
    });
    let secret = std::env::var("JWT_SECRET").map_err(|_| "set JWT_SECRET (openssl rand -base64 48)")?;
    let auth = Portcullis::builder(users)
        .tokens(
            TokenConfig::hmac(secret, Algorithm::HS256)
                .issuer("getting-started")
                .audience("api"),
        )
        .build()?;
    let app = Router::new()
        .route("/login", post(login))
        .route("/me", get(me))
        .route("/admin", get(admin))
        .with_state(AppState { auth });
    let addr = std::env::var("ADDR").unwrap_or_else(|_| "127.0.0.1:3000".into());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on http://{}", listener.local_addr()?);
    // The peer address lets login throttling count per client address too.
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await?;
    Ok(())
}

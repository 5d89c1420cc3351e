//! A small API protected by Portcullis: JWT, API key and HTTP Basic on one route.
//!
//! ```sh
//! cargo run --example quickstart
//! ```
//! It prints a ready-made access token and API key, and the curl commands that use them.
//! Environment: `PORTCULLIS_ADDR` (default `127.0.0.1:8080`), `PORTCULLIS_JWT_SECRET`
//! (default: random per start).

use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::FromRef;
use axum::routing::get;
use axum::{Json, Router};
use portcullis::{
    Algorithm, ApiKeyConfig, AuthInfo, AuthUser, InMemoryRevocationStore, InMemoryUserStore, JwtConfig,
    JwtKey, Portcullis, auth,
};
use serde_json::{Value, json};

const ISSUER: &str = "portcullis-quickstart";
const AUDIENCE: &str = "quickstart-api";

#[derive(Clone, AuthUser)]
#[auth_user(roles("admin", "user"))]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(name)]
    username: String,
    #[auth_user(roles)]
    roles: Vec<String>,
    #[auth_user(password_hash)]
    password_hash: Option<String>,
}

#[derive(Clone, FromRef)]
struct AppState {
    auth: Portcullis<User>,
}

/// Who is calling, and how they proved it.
#[auth(jwt, api_key, basic)]
async fn me(user: User, info: AuthInfo) -> Json<Value> {
    Json(json!({
        "id": user.id,
        "username": user.username,
        "roles": user.role_names(),
        "scheme": info.scheme().as_str(),
    }))
}

/// Open to everyone; says who you are when you send credentials.
#[auth(jwt, api_key, optional)]
async fn hello(user: Option<User>) -> Json<Value> {
    match user {
        Some(user) => Json(json!({ "hello": user.username })),
        None => Json(json!({ "hello": "stranger" })),
    }
}

fn secret() -> Vec<u8> {
    match std::env::var("PORTCULLIS_JWT_SECRET") {
        Ok(secret) => secret.into_bytes(),
        Err(_) => {
            let mut secret = vec![0u8; 48];
            aws_lc_rs::rand::fill(&mut secret).expect("system randomness");
            tracing::warn!(
                "PORTCULLIS_JWT_SECRET is not set: using a random secret, tokens die with the process"
            );
            secret
        }
    }
}

fn demo_token(secret: &[u8], sub: i64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs();
    let claims = json!({
        "sub": sub.to_string(), "iss": ISSUER, "aud": AUDIENCE, "typ": "access",
        "iat": now, "exp": now + 3600, "jti": format!("demo-{now}"),
    });
    let key = portcullis::jsonwebtoken::EncodingKey::from_secret(secret);
    portcullis::jsonwebtoken::encode(
        &portcullis::jsonwebtoken::Header::new(Algorithm::HS256),
        &claims,
        &key,
    )
    .expect("HS256 signing")
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,portcullis=debug".into()),
        )
        .init();

    let users = InMemoryUserStore::new();
    users.insert(User {
        id: 1,
        username: "alice".into(),
        roles: vec!["admin".into()],
        password_hash: Some(portcullis::hash_password("alice-password-1")?),
    });
    users.insert(User {
        id: 2,
        username: "bob".into(),
        roles: vec!["user".into()],
        password_hash: None,
    });
    let api_key = "pk_demo_bob_0123456789abcdef";
    users.add_api_key(&2, api_key);

    let secret = secret();
    let auth = Portcullis::builder(users)
        .jwt(
            JwtConfig::new()
                .key(JwtKey::hmac(&secret, Algorithm::HS256))
                .issuer(ISSUER)
                .audience(AUDIENCE),
        )
        .api_key(ApiKeyConfig::new().query_param("api_key"))
        .revocations(InMemoryRevocationStore::default())
        .build()?;

    let app = Router::new()
        .route("/me", get(me))
        .route("/hello", get(hello))
        .with_state(AppState { auth });

    let addr = std::env::var("PORTCULLIS_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    let token = demo_token(&secret, 1);
    println!("listening on http://{addr}");
    println!("  curl -H 'Authorization: Bearer {token}' http://{addr}/me");
    println!("  curl -H 'X-API-Key: {api_key}' http://{addr}/me");
    println!("  curl -u alice:alice-password-1 http://{addr}/me");
    println!("  curl http://{addr}/me        # 401 with one challenge per scheme");
    // With the peer address, login throttling also counts per client address.
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}

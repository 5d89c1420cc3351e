//! `#[derive(AuthUser)]` beside `sqlx::FromRow` and serde on one struct, with a
//! `UserStore` over a SQLite pool (roles in a comma-separated TEXT column, `active` in
//! an INTEGER column, API keys as SHA-256 BLOBs, argon2id hashes in TEXT), exercised
//! over HTTP: JWT, API key and Basic for database users, inactive users, a closed
//! pool answering 503, and a serde round-trip of the user.

use axum::extract::FromRef;
use axum::{Json, Router, routing::get};
use portcullis::{
    ApiKeyHash, AuthInfo, AuthUser, JwtConfig, JwtKey, Portcullis, StoreError, UserStore, async_trait, auth,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::SqlitePool;
use sqlx::sqlite::SqlitePoolOptions;

use crate::support::{self, Reply, RequestExt, assert_unavailable, hs256_with, now, req, send};

const SECRET: &[u8] = b"sqlx-test-secret-0123456789-abcdefghij";
const ALICE_PASSWORD: &str = "alice-db-password-1";
const ALICE_KEY: &str = "pk_alice_db_0123456789abcdef";
const DAVE_KEY: &str = "pk_dave_db_0123456789abcdefgh";

/// One struct, four derives; field attributes of each derive side by side.
#[derive(Debug, Clone, PartialEq, AuthUser, sqlx::FromRow, Serialize, Deserialize)]
#[auth_user(roles("admin", "editor", "user"))]
struct DbUser {
    #[auth_user(id)]
    id: i64,
    #[auth_user(name)]
    username: String,
    /// Comma-separated, e.g. `"admin,editor"`.
    #[auth_user(roles)]
    roles: String,
    #[auth_user(password_hash)]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    password_hash: Option<String>,
    #[auth_user(active)]
    #[sqlx(rename = "is_active")]
    #[serde(rename = "isActive")]
    active: bool,
}

/// A `UserStore` over the pool.
struct SqliteUsers {
    pool: SqlitePool,
}

const COLUMNS: &str = "SELECT id, username, roles, password_hash, is_active FROM users";

fn store_error(e: sqlx::Error) -> StoreError {
    StoreError::new(e.to_string())
}

#[async_trait]
impl UserStore<DbUser> for SqliteUsers {
    async fn find_by_id(&self, id: &i64) -> Result<Option<DbUser>, StoreError> {
        sqlx::query_as::<_, DbUser>(&format!("{COLUMNS} WHERE id = ?"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(store_error)
    }

    async fn find_by_username(&self, username: &str) -> Result<Option<DbUser>, StoreError> {
        sqlx::query_as::<_, DbUser>(&format!("{COLUMNS} WHERE username = ?"))
            .bind(username)
            .fetch_optional(&self.pool)
            .await
            .map_err(store_error)
    }

    async fn find_by_api_key_hash(&self, hash: &ApiKeyHash) -> Result<Option<DbUser>, StoreError> {
        sqlx::query_as::<_, DbUser>(&format!(
            "{COLUMNS} WHERE id = (SELECT user_id FROM api_keys WHERE key_hash = ?)"
        ))
        .bind(&hash[..])
        .fetch_optional(&self.pool)
        .await
        .map_err(store_error)
    }
}

/// A fresh in-memory database (one connection, kept open) with three users.
async fn database() -> SqlitePool {
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect("sqlite::memory:")
        .await
        .unwrap();
    sqlx::raw_sql(
        "CREATE TABLE users (
             id INTEGER PRIMARY KEY,
             username TEXT NOT NULL UNIQUE,
             roles TEXT NOT NULL DEFAULT '',
             password_hash TEXT,
             is_active INTEGER NOT NULL DEFAULT 1
         );
         CREATE TABLE api_keys (
             key_hash BLOB PRIMARY KEY CHECK (length(key_hash) = 32),
             user_id INTEGER NOT NULL REFERENCES users(id)
         );",
    )
    .execute(&pool)
    .await
    .unwrap();
    let hash = portcullis::hash_password(ALICE_PASSWORD).unwrap();
    for (id, name, roles, hash, active) in [
        (1_i64, "alice", "admin, editor", Some(hash), true),
        (2, "bob", "user", None, true),
        (3, "dave", "user", None, false),
    ] {
        sqlx::query(
            "INSERT INTO users (id, username, roles, password_hash, is_active) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(name)
        .bind(roles)
        .bind(hash)
        .bind(active)
        .execute(&pool)
        .await
        .unwrap();
    }
    for (key, user) in [(ALICE_KEY, 1_i64), (DAVE_KEY, 3)] {
        sqlx::query("INSERT INTO api_keys (key_hash, user_id) VALUES (?, ?)")
            .bind(portcullis::hash_api_key(key).to_vec())
            .bind(user)
            .execute(&pool)
            .await
            .unwrap();
    }
    pool
}

#[derive(Clone, FromRef)]
struct AppState {
    auth: Portcullis<DbUser>,
}

#[auth(jwt, api_key, basic)]
async fn me(user: DbUser, info: AuthInfo) -> Json<Value> {
    Json(json!({
        "id": user.id,
        "username": user.username,
        "roles": user.role_names(),
        "admin": user.has_role("admin"),
        "scheme": info.scheme().as_str(),
    }))
}

fn app(pool: SqlitePool) -> Router {
    let auth = Portcullis::builder(SqliteUsers { pool })
        .jwt(JwtConfig::new().key(JwtKey::hmac(SECRET, portcullis::Algorithm::HS256)))
        .build()
        .unwrap();
    Router::new().route("/me", get(me)).with_state(AppState { auth })
}

fn token(sub: &str) -> String {
    let now = now();
    hs256_with(
        SECRET,
        &json!({"sub": sub, "typ": "access", "iat": now, "exp": now + 600, "jti": format!("t-{sub}")}),
    )
}

async fn call(app: &Router, header: (&str, String)) -> Reply {
    send(app, req("/me").header(header.0, header.1).empty()).await
}

fn bearer(sub: &str) -> (&'static str, String) {
    ("authorization", format!("Bearer {}", token(sub)))
}

fn basic(user: &str, password: &str) -> (&'static str, String) {
    ("authorization", support::basic(user, password))
}

#[tokio::test]
async fn jwt_for_a_database_user_reads_roles_from_the_text_column() {
    let app = app(database().await);
    let Reply { status, body, .. } = call(&app, bearer("1")).await;
    assert_eq!(status, 200, "{body:?}");
    assert_eq!(
        body,
        json!({"id": 1, "username": "alice", "roles": ["admin", "editor"], "admin": true, "scheme": "jwt"})
    );
    let Reply { status, body, .. } = call(&app, bearer("2")).await;
    assert_eq!(status, 200, "{body:?}");
    assert_eq!(body["roles"], json!(["user"]));
    assert_eq!(body["admin"], false);
    let Reply { status, body, .. } = call(&app, bearer("42")).await;
    assert_eq!(status, 401, "{body:?}");
    assert_eq!(body["error"], "invalid_token");
}

#[tokio::test]
async fn api_key_hash_stored_as_blob() {
    let app = app(database().await);
    let Reply { status, body, .. } = call(&app, ("x-api-key", ALICE_KEY.to_owned())).await;
    assert_eq!(status, 200, "{body:?}");
    assert_eq!(body["id"], 1);
    assert_eq!(body["scheme"], "api_key");
    let Reply { status, body, .. } =
        call(&app, ("x-api-key", "pk_alice_db_0123456789abcdeF".to_owned())).await;
    assert_eq!(status, 401, "{body:?}");
    assert_eq!(body["error"], "invalid_credentials");
}

#[tokio::test]
async fn basic_against_an_argon2id_hash_in_the_table() {
    let app = app(database().await);
    let Reply { status, body, .. } = call(&app, basic("alice", ALICE_PASSWORD)).await;
    assert_eq!(status, 200, "{body:?}");
    assert_eq!(body["scheme"], "basic");
    assert_eq!(body["roles"], json!(["admin", "editor"]));
    let Reply { status, body, .. } = call(&app, basic("alice", "wrong-password")).await;
    assert_eq!(status, 401, "{body:?}");
    assert_eq!(body["error"], "invalid_credentials");
    // NULL password_hash: no password login.
    let status = call(&app, basic("bob", "")).await.status;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn inactive_column_gives_403() {
    let app = app(database().await);
    for header in [bearer("3"), ("x-api-key", DAVE_KEY.to_owned())] {
        let Reply { status, body, .. } = call(&app, header).await;
        assert_eq!(status, 403, "{body:?}");
        assert_eq!(body["error"], "forbidden");
    }
}

#[tokio::test]
async fn closed_pool_gives_503_never_200() {
    let pool = database().await;
    let app = app(pool.clone());
    assert_eq!(call(&app, bearer("1")).await.status, 200);
    pool.close().await;
    for header in [
        bearer("1"),
        ("x-api-key", ALICE_KEY.to_owned()),
        basic("alice", ALICE_PASSWORD),
    ] {
        assert_unavailable(&call(&app, header).await);
    }
}

#[tokio::test]
async fn database_user_round_trips_through_serde() {
    let pool = database().await;
    let store = SqliteUsers { pool };
    let alice = store.find_by_username("alice").await.unwrap().unwrap();
    assert!(
        alice
            .password_hash
            .as_deref()
            .is_some_and(|h| h.starts_with("$argon2id$"))
    );
    assert!(alice.is_active());
    let bob = store.find_by_id(&2).await.unwrap().unwrap();
    let dave = store
        .find_by_api_key_hash(&portcullis::hash_api_key(DAVE_KEY))
        .await
        .unwrap()
        .unwrap();
    assert!(!dave.is_active());

    for user in [alice, bob, dave] {
        let text = serde_json::to_string(&user).unwrap();
        let back: DbUser = serde_json::from_str(&text).unwrap();
        assert_eq!(back, user);
        assert_eq!(back.role_names(), user.role_names());
    }
    let bob = store.find_by_id(&2).await.unwrap().unwrap();
    assert_eq!(
        serde_json::to_value(&bob).unwrap(),
        json!({"id": 2, "username": "bob", "roles": "user", "isActive": true})
    );
}

//! The sqlx user-store tests (`tests/it/sqlx_users.rs`, on SQLite there) on PostgreSQL:
//! `#[derive(AuthUser)]` beside `sqlx::FromRow` and serde on one struct, a `UserStore`
//! over a `PgPool` (roles in a comma-separated TEXT column, `active` a BOOLEAN, API keys
//! as SHA-256 BYTEA, argon2id hashes in TEXT), exercised over HTTP: JWT, API key and
//! Basic for database users, inactive users, a closed pool answering 503, and a serde
//! round-trip of the user. Each trial has a schema of its own, dropped afterwards.

use axum::extract::FromRef;
use axum::{Json, Router, routing::get};
use portcullis::{
    ApiKeyHash, AuthInfo, AuthUser, JwtConfig, JwtKey, Portcullis, StoreError, UserStore, async_trait, auth,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Connection};

use crate::services::postgres_url;
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
struct PgUsers {
    pool: PgPool,
}

const COLUMNS: &str = "SELECT id, username, roles, password_hash, is_active FROM users";

fn store_error(e: sqlx::Error) -> StoreError {
    StoreError::new(e.to_string())
}

#[async_trait]
impl UserStore<DbUser> for PgUsers {
    async fn find_by_id(&self, id: &i64) -> Result<Option<DbUser>, StoreError> {
        sqlx::query_as::<_, DbUser>(&format!("{COLUMNS} WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(store_error)
    }

    async fn find_by_username(&self, username: &str) -> Result<Option<DbUser>, StoreError> {
        sqlx::query_as::<_, DbUser>(&format!("{COLUMNS} WHERE username = $1"))
            .bind(username)
            .fetch_optional(&self.pool)
            .await
            .map_err(store_error)
    }

    async fn find_by_api_key_hash(&self, hash: &ApiKeyHash) -> Result<Option<DbUser>, StoreError> {
        sqlx::query_as::<_, DbUser>(&format!(
            "{COLUMNS} WHERE id = (SELECT user_id FROM api_keys WHERE key_hash = $1)"
        ))
        .bind(&hash[..])
        .fetch_optional(&self.pool)
        .await
        .map_err(store_error)
    }
}

/// A schema of one trial, dropped (with its tables) when the guard goes, also when the
/// trial panics.
struct Schema(String);

impl Drop for Schema {
    fn drop(&mut self) {
        let statement = format!("DROP SCHEMA IF EXISTS \"{}\" CASCADE", self.0);
        // The trial's runtime may be the one dropping us: a thread with its own.
        let dropped = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a tokio runtime")
                .block_on(async {
                    let mut conn = sqlx::PgConnection::connect(&postgres_url()).await?;
                    sqlx::query(&statement).execute(&mut conn).await.map(drop)
                })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop the schema {}: {dropped:?}", self.0);
        }
    }
}

/// A pool on a fresh schema with three users (its connections use only that schema).
async fn database() -> (Schema, PgPool) {
    // `portcullis-test:<pid>:<nanos>:<n>`, unique per trial and run.
    let name = crate::redis_server::prefix().replace([':', '-'], "_");
    let url = postgres_url();
    let mut conn = sqlx::PgConnection::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("connect to PostgreSQL at {url}: {e}"));
    sqlx::query(&format!("CREATE SCHEMA \"{name}\""))
        .execute(&mut conn)
        .await
        .unwrap();
    let schema = Schema(name.clone());
    let options: PgConnectOptions = url.parse().unwrap();
    let options = options
        .options([("search_path", name.as_str())])
        .disable_statement_logging();
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .connect_with(options)
        .await
        .unwrap();
    sqlx::raw_sql(
        "CREATE TABLE users (
             id BIGINT PRIMARY KEY,
             username TEXT NOT NULL UNIQUE,
             roles TEXT NOT NULL DEFAULT '',
             password_hash TEXT,
             is_active BOOLEAN NOT NULL DEFAULT TRUE
         );
         CREATE TABLE api_keys (
             key_hash BYTEA PRIMARY KEY CHECK (octet_length(key_hash) = 32),
             user_id BIGINT NOT NULL REFERENCES users(id)
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
            "INSERT INTO users (id, username, roles, password_hash, is_active) VALUES ($1, $2, $3, $4, $5)",
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
        sqlx::query("INSERT INTO api_keys (key_hash, user_id) VALUES ($1, $2)")
            .bind(portcullis::hash_api_key(key).to_vec())
            .bind(user)
            .execute(&pool)
            .await
            .unwrap();
    }
    (schema, pool)
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

fn app(pool: PgPool) -> Router {
    let auth = Portcullis::builder(PgUsers { pool })
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

pub async fn jwt_for_a_database_user_reads_roles_from_the_text_column() {
    let (_schema, pool) = database().await;
    let app = app(pool);
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

pub async fn api_key_hash_stored_as_bytea() {
    let (_schema, pool) = database().await;
    let app = app(pool);
    let Reply { status, body, .. } = call(&app, ("x-api-key", ALICE_KEY.to_owned())).await;
    assert_eq!(status, 200, "{body:?}");
    assert_eq!(body["id"], 1);
    assert_eq!(body["scheme"], "api_key");
    let Reply { status, body, .. } =
        call(&app, ("x-api-key", "pk_alice_db_0123456789abcdeF".to_owned())).await;
    assert_eq!(status, 401, "{body:?}");
    assert_eq!(body["error"], "invalid_credentials");
}

pub async fn basic_against_an_argon2id_hash_in_the_table() {
    let (_schema, pool) = database().await;
    let app = app(pool);
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

pub async fn inactive_column_gives_403() {
    let (_schema, pool) = database().await;
    let app = app(pool);
    for header in [bearer("3"), ("x-api-key", DAVE_KEY.to_owned())] {
        let Reply { status, body, .. } = call(&app, header).await;
        assert_eq!(status, 403, "{body:?}");
        assert_eq!(body["error"], "forbidden");
    }
}

pub async fn closed_pool_gives_503_never_200() {
    let (_schema, pool) = database().await;
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

pub async fn database_user_round_trips_through_serde() {
    let (_schema, pool) = database().await;
    let store = PgUsers { pool };
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

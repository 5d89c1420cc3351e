//! The sqlx user-store suite: `#[derive(AuthUser)]` beside `sqlx::FromRow` and serde on
//! one struct, a `UserStore` over a sqlx pool (roles in a comma-separated TEXT column,
//! `active` a boolean column, API keys as SHA-256 bytes, argon2id hashes in TEXT),
//! exercised over HTTP: JWT, API key and Basic for database users, inactive users, a
//! closed pool answering 503, and a serde round-trip of the user.
//!
//! It runs on SQLite in `tests/it/sqlx_users.rs` and on PostgreSQL in the `services`
//! binary (`tests/services/postgres_users.rs`, a schema per trial). Each backend brings
//! a [`Pool`] and the DDL of its tables (the column types differ) to [`populate`]; the
//! SQL here is the same for both, with `$n` parameters (SQLite accepts them too), as in
//! the reference server (`examples/reference/db.rs`). Each case takes a populated pool
//! and panics on a deviation.

use axum::extract::FromRef;
use axum::{Json, Router, routing::get};
use portcullis::{
    ApiKeyHash, AuthInfo, AuthUser, JwtConfig, JwtKey, Portcullis, StoreError, UserStore, async_trait, auth,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::{PgPool, SqlitePool};

use super::{Reply, RequestExt, assert_unavailable, hs256_with, now, req, send};

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

/// The database of a run: SQLite or PostgreSQL.
#[derive(Clone)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs the same code on whichever pool `$db` holds.
macro_rules! on_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            Pool::Sqlite($pool) => $body,
            Pool::Postgres($pool) => $body,
        }
    };
}

impl Pool {
    /// Closes the pool: every later query fails.
    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await);
    }
}

/// A `UserStore` over the pool.
struct SqlxUsers {
    pool: Pool,
}

const COLUMNS: &str = "SELECT id, username, roles, password_hash, is_active FROM users";

fn store_error(e: sqlx::Error) -> StoreError {
    StoreError::new(e.to_string())
}

#[async_trait]
impl UserStore<DbUser> for SqlxUsers {
    async fn find_by_id(&self, id: &i64) -> Result<Option<DbUser>, StoreError> {
        let sql = format!("{COLUMNS} WHERE id = $1");
        on_pool!(&self.pool, pool => sqlx::query_as::<_, DbUser>(&sql).bind(id).fetch_optional(pool).await)
            .map_err(store_error)
    }

    async fn find_by_username(&self, username: &str) -> Result<Option<DbUser>, StoreError> {
        let sql = format!("{COLUMNS} WHERE username = $1");
        on_pool!(&self.pool, pool => sqlx::query_as::<_, DbUser>(&sql).bind(username).fetch_optional(pool).await)
            .map_err(store_error)
    }

    async fn find_by_api_key_hash(&self, hash: &ApiKeyHash) -> Result<Option<DbUser>, StoreError> {
        let sql = format!("{COLUMNS} WHERE id = (SELECT user_id FROM api_keys WHERE key_hash = $1)");
        on_pool!(&self.pool, pool => sqlx::query_as::<_, DbUser>(&sql).bind(&hash[..]).fetch_optional(pool).await)
            .map_err(store_error)
    }
}

/// Creates the tables `users` (`id`, `username`, `roles`, `password_hash`, `is_active`)
/// and `api_keys` (`key_hash`, `user_id`) with the backend's DDL `tables`, then three
/// users: alice (1, admin and editor, with a password and [`ALICE_KEY`]), bob (2, user,
/// no password) and dave (3, user, inactive, with [`DAVE_KEY`]).
pub async fn populate(pool: &Pool, tables: &str) {
    on_pool!(pool, pool => sqlx::raw_sql(tables).execute(pool).await.map(drop)).unwrap();
    let hash = portcullis::hash_password(ALICE_PASSWORD).unwrap();
    for (id, name, roles, hash, active) in [
        (1_i64, "alice", "admin, editor", Some(hash), true),
        (2, "bob", "user", None, true),
        (3, "dave", "user", None, false),
    ] {
        let insert =
            "INSERT INTO users (id, username, roles, password_hash, is_active) VALUES ($1, $2, $3, $4, $5)";
        on_pool!(pool, pool => sqlx::query(insert)
            .bind(id)
            .bind(name)
            .bind(roles)
            .bind(hash)
            .bind(active)
            .execute(pool)
            .await
            .map(drop))
        .unwrap();
    }
    for (key, user) in [(ALICE_KEY, 1_i64), (DAVE_KEY, 3)] {
        let insert = "INSERT INTO api_keys (key_hash, user_id) VALUES ($1, $2)";
        on_pool!(pool, pool => sqlx::query(insert)
            .bind(portcullis::hash_api_key(key).to_vec())
            .bind(user)
            .execute(pool)
            .await
            .map(drop))
        .unwrap();
    }
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

fn app(pool: Pool) -> Router {
    let auth = Portcullis::builder(SqlxUsers { pool })
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
    ("authorization", super::basic(user, password))
}

pub async fn jwt_for_a_database_user_reads_roles_from_the_text_column(pool: Pool) {
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

/// The key hash in a binary column (BLOB, BYTEA).
pub async fn api_key_hash_stored_as_bytes(pool: Pool) {
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

pub async fn basic_against_an_argon2id_hash_in_the_table(pool: Pool) {
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

pub async fn inactive_column_gives_403(pool: Pool) {
    let app = app(pool);
    for header in [bearer("3"), ("x-api-key", DAVE_KEY.to_owned())] {
        let Reply { status, body, .. } = call(&app, header).await;
        assert_eq!(status, 403, "{body:?}");
        assert_eq!(body["error"], "forbidden");
    }
}

pub async fn closed_pool_gives_503_never_200(pool: Pool) {
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

pub async fn database_user_round_trips_through_serde(pool: Pool) {
    let store = SqlxUsers { pool };
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

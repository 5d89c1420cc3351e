//! Storage of the reference server: sqlx over SQLite or PostgreSQL — the same SQL for
//! both (`$n` parameters, `RETURNING`), run on the pool the URL chose — implementing
//! Portcullis's `UserStore` and `Registrar`.

use portcullis::{
    ApiKeyHash, EmailStatus, NewAccount, Registrar, Rename, StoreError, UserStore, async_trait,
};

pub use crate::user::{User, UserId};
use serde::Serialize;
use sqlx::{PgPool, SqlitePool};

/// A post row.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Post {
    pub id: i64,
    pub author_id: i64,
    pub title: String,
    pub body: String,
    pub published: bool,
}

/// An API key row (the key itself is never stored).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiKey {
    pub id: i64,
    pub user_id: i64,
}

const SQLITE_SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS users (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        username TEXT NOT NULL UNIQUE,
        email TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL,
        password_hash TEXT,
        active BOOLEAN NOT NULL DEFAULT TRUE,
        email_confirmed BOOLEAN NOT NULL DEFAULT FALSE)",
    "CREATE TABLE IF NOT EXISTS api_keys (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        user_id BIGINT NOT NULL REFERENCES users(id),
        key_hash BLOB NOT NULL UNIQUE)",
    "CREATE TABLE IF NOT EXISTS posts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        author_id BIGINT NOT NULL REFERENCES users(id),
        title TEXT NOT NULL,
        body TEXT NOT NULL,
        published BOOLEAN NOT NULL)",
];

const POSTGRES_SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS users (
        id BIGSERIAL PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        email TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL,
        password_hash TEXT,
        active BOOLEAN NOT NULL DEFAULT TRUE,
        email_confirmed BOOLEAN NOT NULL DEFAULT FALSE)",
    "CREATE TABLE IF NOT EXISTS api_keys (
        id BIGSERIAL PRIMARY KEY,
        user_id BIGINT NOT NULL REFERENCES users(id),
        key_hash BYTEA NOT NULL UNIQUE)",
    "CREATE TABLE IF NOT EXISTS posts (
        id BIGSERIAL PRIMARY KEY,
        author_id BIGINT NOT NULL REFERENCES users(id),
        title TEXT NOT NULL,
        body TEXT NOT NULL,
        published BOOLEAN NOT NULL)",
];

const USER_COLUMNS: &str = "id, username, email, role, password_hash, active, email_confirmed";

fn down(e: sqlx::Error) -> StoreError {
    StoreError::new(format!("database: {e}"))
}

/// The database, SQLite or PostgreSQL.
#[derive(Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs the same code on whichever pool the database has.
macro_rules! on_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            Db::Sqlite($pool) => $body,
            Db::Postgres($pool) => $body,
        }
    };
}

impl Db {
    /// Connects and runs the migrations (the SQLite default creates its file).
    pub async fn connect(url: &str) -> Result<Db, sqlx::Error> {
        let db = if url.starts_with("postgres") {
            Db::Postgres(
                sqlx::postgres::PgPoolOptions::new()
                    .max_connections(8)
                    .connect(url)
                    .await?,
            )
        } else {
            Db::Sqlite(
                sqlx::sqlite::SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect(url)
                    .await?,
            )
        };
        let schema = if matches!(db, Db::Postgres(_)) {
            POSTGRES_SCHEMA
        } else {
            SQLITE_SCHEMA
        };
        for statement in schema {
            on_pool!(&db, pool => sqlx::query(statement).execute(pool).await.map(drop))?;
        }
        Ok(db)
    }

    /// Creates the seed users if they do not exist yet.
    pub async fn seed(&self) -> Result<(), Box<dyn std::error::Error>> {
        for (name, role) in [("alice", "admin"), ("carol", "moderator"), ("bob", "user")] {
            let exists: Option<(i64,)> = on_pool!(self, pool =>
                sqlx::query_as("SELECT id FROM users WHERE username = $1").bind(name).fetch_optional(pool).await)?;
            if exists.is_none() {
                let hash = portcullis::hash_password(&format!("{name}-password-1"))?;
                let email = format!("{name}@example.com");
                on_pool!(self, pool => sqlx::query("INSERT INTO users (username, email, role, password_hash, active, email_confirmed) VALUES ($1, $2, $3, $4, TRUE, FALSE)")
                    .bind(name)
                    .bind(&email)
                    .bind(role)
                    .bind(&hash)
                    .execute(pool)
                    .await.map(drop))?;
            }
        }
        Ok(())
    }

    pub async fn users(&self) -> Result<Vec<User>, sqlx::Error> {
        on_pool!(self, pool => sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY id")).fetch_all(pool).await)
    }

    pub async fn add_api_key(&self, user_id: i64, hash: &ApiKeyHash) -> Result<i64, sqlx::Error> {
        let (id,): (i64,) = on_pool!(self, pool => sqlx::query_as("INSERT INTO api_keys (user_id, key_hash) VALUES ($1, $2) RETURNING id")
            .bind(user_id)
            .bind(hash.to_vec())
            .fetch_one(pool)
            .await)?;
        Ok(id)
    }

    pub async fn api_key(&self, id: i64) -> Result<Option<ApiKey>, sqlx::Error> {
        on_pool!(self, pool => sqlx::query_as("SELECT id, user_id FROM api_keys WHERE id = $1").bind(id).fetch_optional(pool).await)
    }

    pub async fn delete_api_key(&self, id: i64) -> Result<(), sqlx::Error> {
        on_pool!(self, pool => sqlx::query("DELETE FROM api_keys WHERE id = $1").bind(id).execute(pool).await.map(drop))
    }

    pub async fn posts(&self, include_drafts: bool) -> Result<Vec<Post>, sqlx::Error> {
        let sql = if include_drafts {
            "SELECT id, author_id, title, body, published FROM posts ORDER BY id"
        } else {
            "SELECT id, author_id, title, body, published FROM posts WHERE published = TRUE ORDER BY id"
        };
        on_pool!(self, pool => sqlx::query_as(sql).fetch_all(pool).await)
    }

    pub async fn post(&self, id: i64) -> Result<Option<Post>, sqlx::Error> {
        on_pool!(self, pool => sqlx::query_as("SELECT id, author_id, title, body, published FROM posts WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await)
    }

    pub async fn create_post(
        &self,
        author_id: i64,
        title: &str,
        body: &str,
        published: bool,
    ) -> Result<Post, sqlx::Error> {
        on_pool!(self, pool => sqlx::query_as(
            "INSERT INTO posts (author_id, title, body, published) VALUES ($1, $2, $3, $4) RETURNING id, author_id, title, body, published",
        )
        .bind(author_id)
        .bind(title)
        .bind(body)
        .bind(published)
        .fetch_one(pool)
        .await)
    }

    pub async fn update_post(
        &self,
        id: i64,
        title: &str,
        body: &str,
        published: bool,
    ) -> Result<Option<Post>, sqlx::Error> {
        on_pool!(self, pool => sqlx::query_as(
            "UPDATE posts SET title = $1, body = $2, published = $3 WHERE id = $4 RETURNING id, author_id, title, body, published",
        )
        .bind(title)
        .bind(body)
        .bind(published)
        .bind(id)
        .fetch_optional(pool)
        .await)
    }

    pub async fn delete_post(&self, id: i64) -> Result<(), sqlx::Error> {
        on_pool!(self, pool => sqlx::query("DELETE FROM posts WHERE id = $1").bind(id).execute(pool).await.map(drop))
    }
}

#[async_trait]
impl UserStore<User> for Db {
    async fn find_by_id(&self, id: &UserId) -> Result<Option<User>, StoreError> {
        // An identity provider's user has no row.
        let Some(id) = id.local() else { return Ok(None) };
        on_pool!(self, pool => sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(pool)
            .await)
        .map_err(down)
    }

    async fn find_by_username(&self, username: &str) -> Result<Option<User>, StoreError> {
        on_pool!(self, pool => sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1"))
            .bind(username)
            .fetch_optional(pool)
            .await)
            .map_err(down)
    }

    async fn find_by_api_key_hash(&self, hash: &ApiKeyHash) -> Result<Option<User>, StoreError> {
        let columns = USER_COLUMNS
            .split(", ")
            .map(|c| format!("u.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        on_pool!(self, pool => sqlx::query_as(&format!(
            "SELECT {columns} FROM users u JOIN api_keys k ON k.user_id = u.id WHERE k.key_hash = $1"
        ))
        .bind(hash.to_vec())
        .fetch_optional(pool)
        .await)
        .map_err(down)
    }

    /// A login by e-mail address (any case).
    async fn find_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
        on_pool!(self, pool => sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE lower(email) = lower($1)"))
            .bind(email)
            .fetch_optional(pool)
            .await)
            .map_err(down)
    }

    /// A login with an outdated hash stores the password's new hash.
    async fn update_password_hash(&self, id: &UserId, hash: &str) -> Result<bool, StoreError> {
        let Some(id) = id.local() else { return Ok(false) };
        on_pool!(self, pool => sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(id)
            .execute(pool)
            .await
            .map(|done| done.rows_affected() == 1))
        .map_err(down)
    }
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}

#[async_trait]
impl Registrar<User> for Db {
    async fn register(&self, account: &NewAccount) -> Result<Option<User>, StoreError> {
        let inserted = on_pool!(self, pool => sqlx::query_as(&format!(
            "INSERT INTO users (username, email, role, password_hash, active, email_confirmed) \
             VALUES ($1, $2, 'user', $3, TRUE, FALSE) RETURNING {USER_COLUMNS}"
        ))
        .bind(&account.username)
        .bind(&account.email)
        .bind(&account.password_hash)
        .fetch_one(pool)
        .await);
        match inserted {
            Ok(user) => Ok(Some(user)),
            Err(e) if is_unique_violation(&e) => Ok(None),
            Err(e) => Err(down(e)),
        }
    }

    async fn rename(&self, id: &UserId, username: &str) -> Result<Rename<User>, StoreError> {
        let Some(id) = id.local() else {
            return Ok(Rename::NotFound);
        };
        let renamed = on_pool!(self, pool => sqlx::query_as(&format!("UPDATE users SET username = $1 WHERE id = $2 RETURNING {USER_COLUMNS}"))
            .bind(username)
            .bind(id)
            .fetch_optional(pool)
            .await);
        match renamed {
            Ok(Some(user)) => Ok(Rename::Renamed(user)),
            Ok(None) => Ok(Rename::NotFound),
            Err(e) if is_unique_violation(&e) => Ok(Rename::Taken),
            Err(e) => Err(down(e)),
        }
    }

    async fn email(&self, id: &UserId) -> Result<Option<EmailStatus>, StoreError> {
        let user = self.find_by_id(id).await?;
        Ok(user.map(|u| EmailStatus {
            email: u.email,
            confirmed: u.email_confirmed,
        }))
    }

    /// A password change or reset, or a legacy hash upgraded on login.
    async fn set_password_hash(&self, id: &UserId, hash: &str) -> Result<(), StoreError> {
        let Some(id) = id.local() else { return Ok(()) };
        on_pool!(self, pool => sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(id)
            .execute(pool)
            .await
            .map(drop))
        .map_err(down)
    }

    async fn confirm_email(&self, id: &UserId) -> Result<(), StoreError> {
        let Some(id) = id.local() else { return Ok(()) };
        on_pool!(self, pool => sqlx::query("UPDATE users SET email_confirmed = TRUE WHERE id = $1")
            .bind(id)
            .execute(pool)
            .await.map(drop))
        .map(drop)
        .map_err(down)
    }

    async fn set_active(&self, id: &UserId, active: bool) -> Result<bool, StoreError> {
        let Some(id) = id.local() else { return Ok(false) };
        on_pool!(self, pool => sqlx::query("UPDATE users SET active = $1 WHERE id = $2")
            .bind(active)
            .bind(id)
            .execute(pool)
            .await
            .map(|done| done.rows_affected() == 1))
        .map_err(down)
    }
}

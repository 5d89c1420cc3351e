//! The reference server: a small blog API over an embedded SQLite database (or
//! PostgreSQL) with every scheme, every kind of check and the whole credential
//! lifecycle. Its HTTP contract: the route table of `AuthRouter` (accounts, login by user
//! name or e-mail address, sessions, e-mail confirmation, password change
//! `POST /auth/password` and reset by a mailed link `POST /auth/password/reset` +
//! `POST /auth/password/reset/{token}`, the administrator's `POST /users/{id}/disable` and
//! `/enable`), the routes below and in `posts.rs`, and the rows `tests/e2e/` checks; its
//! configuration: the README's table (`PORTCULLIS_SIGN_IN_ON_REGISTER=1` signs new users in,
//! `PORTCULLIS_TOKEN_COOKIES=1` puts tokens in `HttpOnly` cookies with a CSRF token).
//! Mails (confirmation and reset links) are logged without their body, kept for
//! `GET /dev/outbox` in development mode, and sent through SMTP when
//! `PORTCULLIS_SMTP_HOST` is set (`mail.rs`). Imported users with a legacy bcrypt,
//! scrypt or PBKDF2 hash log in and get an argon2id hash (`db.rs`).
//!
//! ```sh
//! cargo run --release --example reference
//! ```
//!
//! The handlers use only the DSL: no hand-written authentication code.

mod db;
mod mail;
mod openapi;
mod pages;
mod posts;
mod user;

use std::time::Duration;

use axum::extract::{FromRef, OptionalFromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use db::{ApiKey, Db, User};
use mail::{Outbox, ServerMailer, outbox};
use portcullis::identity::{IdentityProvider, Preset};
use portcullis::registry::{AccessMatrix, RouteTable};
use portcullis::routing::{Routes, delete, get, post};
use portcullis::{
    Algorithm, AuthRouter, JwtConfig, JwtKey, Portcullis, SessionConfig, TokenConfig, TokenCookies, auth,
    permissions, require,
};
use serde_json::json;

/// The reference server's configuration, from the environment (DESIGN §5).
struct Config {
    addr: String,
    database_url: String,
    jwt_secret: Vec<u8>,
    issuer: String,
    audience: String,
    jwks_file: Option<String>,
    redis_url: Option<String>,
    access_ttl: Duration,
    refresh_ttl: Duration,
    seed: bool,
    dev: bool,
    sign_in_on_register: bool,
    token_cookies: bool,
    /// `PORTCULLIS_TEST_FORGOTTEN_ROUTE=1`: serve an unannotated handler (the start-up
    /// check must refuse it).
    forgotten_route: bool,
    oidc: Option<Oidc>,
    mailer: ServerMailer,
}

/// The identity provider of `PORTCULLIS_OIDC_*` (DESIGN §5).
struct Oidc {
    issuer: String,
    audience: String,
    preset: Preset,
    introspection: Option<(String, String)>,
    refresh: Duration,
    refetch: Duration,
}

impl Oidc {
    fn from_env(audience: &str, dev: bool) -> Result<Option<Oidc>, String> {
        let Some(issuer) = env("PORTCULLIS_OIDC_ISSUER") else {
            return Ok(None);
        };
        if let Some(rest) = issuer.strip_prefix("http://") {
            let host = rest.split(['/', ':']).next().unwrap_or("");
            let loopback = host == "localhost"
                || host
                    .parse::<std::net::Ipv4Addr>()
                    .is_ok_and(|ip| ip.is_loopback())
                || rest.starts_with("[::1]");
            if !loopback || !dev {
                return Err(format!(
                    "PORTCULLIS_OIDC_ISSUER={issuer}: a plain-HTTP issuer is accepted only on a loopback address and only with PORTCULLIS_DEV=1; use https://"
                ));
            }
        } else if !issuer.starts_with("https://") {
            return Err(format!(
                "PORTCULLIS_OIDC_ISSUER={issuer}: the issuer must be an https:// URL"
            ));
        }
        let preset = match env("PORTCULLIS_OIDC_PRESET") {
            None => Preset::generic(),
            Some(name) => Preset::parse(&name).ok_or_else(|| {
                format!("PORTCULLIS_OIDC_PRESET={name}: use generic, keycloak:<client>, auth0:<roles claim>, entra, cognito or google")
            })?,
        };
        let introspection = match (
            env("PORTCULLIS_OIDC_CLIENT_ID"),
            env("PORTCULLIS_OIDC_CLIENT_SECRET"),
        ) {
            (Some(id), Some(secret)) => Some((id, secret)),
            (None, None) => None,
            _ => {
                return Err(
                    "PORTCULLIS_OIDC_CLIENT_ID and PORTCULLIS_OIDC_CLIENT_SECRET are set together".to_owned(),
                );
            }
        };
        Ok(Some(Oidc {
            issuer,
            audience: env("PORTCULLIS_OIDC_AUDIENCE").unwrap_or_else(|| audience.to_owned()),
            preset,
            introspection,
            refresh: seconds("PORTCULLIS_OIDC_REFRESH_INTERVAL", 300)?,
            refetch: seconds("PORTCULLIS_OIDC_REFETCH_INTERVAL", 10)?,
        }))
    }

    fn provider(&self) -> IdentityProvider {
        let mut provider = IdentityProvider::discover(&self.issuer)
            .audience(&self.audience)
            .preset(self.preset.clone())
            .refresh_interval(self.refresh)
            .refetch_interval(self.refetch);
        if self.issuer.starts_with("http://") {
            // Checked in from_env: loopback, development mode.
            provider = provider.allow_http_on_loopback();
        }
        if let Some((id, secret)) = &self.introspection {
            provider = provider.introspection(id, secret);
        }
        provider
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn seconds(name: &str, default: u64) -> Result<Duration, String> {
    match env(name) {
        None => Ok(Duration::from_secs(default)),
        Some(v) => v
            .parse()
            .map(Duration::from_secs)
            .map_err(|_| format!("{name} must be a number of seconds")),
    }
}

impl Config {
    fn from_env() -> Result<Config, String> {
        let jwt_secret = match env("PORTCULLIS_JWT_SECRET") {
            Some(secret) => secret.into_bytes(),
            None => {
                tracing::warn!(
                    "PORTCULLIS_JWT_SECRET is not set: a random secret is used, tokens die with the process"
                );
                let mut secret = vec![0u8; 48];
                aws_lc_rs::rand::fill(&mut secret).map_err(|_| "no system randomness".to_owned())?;
                secret
            }
        };
        let dev = env("PORTCULLIS_DEV").is_some_and(|v| v == "1");
        let audience = env("PORTCULLIS_JWT_AUDIENCE").unwrap_or_else(|| "reference-api".into());
        Ok(Config {
            oidc: Oidc::from_env(&audience, dev)?,
            mailer: ServerMailer::from_env()?,
            addr: env("PORTCULLIS_ADDR").unwrap_or_else(|| "127.0.0.1:8080".into()),
            database_url: env("PORTCULLIS_DATABASE_URL")
                .unwrap_or_else(|| "sqlite://reference.db?mode=rwc".into()),
            jwt_secret,
            issuer: env("PORTCULLIS_JWT_ISSUER").unwrap_or_else(|| "portcullis-reference".into()),
            audience,
            jwks_file: env("PORTCULLIS_JWKS_FILE"),
            redis_url: env("PORTCULLIS_REDIS_URL"),
            access_ttl: seconds("PORTCULLIS_ACCESS_TTL", 900)?,
            refresh_ttl: seconds("PORTCULLIS_REFRESH_TTL", 1_209_600)?,
            // Users with published passwords only when asked for: `1` seeds, `0` never,
            // unset seeds in development mode only.
            seed: match env("PORTCULLIS_SEED").as_deref() {
                Some("1") => true,
                Some(_) => false,
                None => env("PORTCULLIS_DEV").is_some_and(|v| v == "1"),
            },
            sign_in_on_register: env("PORTCULLIS_SIGN_IN_ON_REGISTER").is_some_and(|v| v == "1"),
            token_cookies: env("PORTCULLIS_TOKEN_COOKIES").is_some_and(|v| v == "1"),
            forgotten_route: env("PORTCULLIS_TEST_FORGOTTEN_ROUTE").is_some_and(|v| v == "1"),
            dev,
        })
    }
}

#[derive(Clone, FromRef)]
struct AppState {
    auth: Portcullis<User>,
    db: Db,
    outbox: Outbox,
    openapi: openapi::OpenApiJson,
}

/// Database failures answer 503 like every store failure.
fn unavailable(e: sqlx::Error) -> Response {
    tracing::error!(error = %e, "database unavailable");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [("retry-after", "1")],
        Json(json!({
            "error": "temporarily_unavailable", "message": "the database is unavailable, try again later"
        })),
    )
        .into_response()
}

/// Routes that store rows under a local user id answer 403 to identity-provider
/// users, whatever their roles.
#[allow(clippy::result_large_err)] // the refusal is returned as the handler's answer
fn local_id(user: &User) -> Result<i64, Response> {
    user.id.local().ok_or_else(|| {
        (
            StatusCode::FORBIDDEN,
            Json(json!({
                "error": "forbidden",
                "message": "identity-provider users have no local account for this"
            })),
        )
            .into_response()
    })
}

fn path_id(parts: &Parts) -> Option<i64> {
    parts.uri.path().rsplit('/').next()?.parse().ok()
}

impl OptionalFromRequestParts<AppState> for ApiKey {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Option<Self>, Response> {
        let Some(id) = path_id(parts) else { return Ok(None) };
        state.db.api_key(id).await.map_err(unavailable)
    }
}

#[utoipa::path(post, path = "/api-keys", tag = "api keys", responses(
    (status = 201, description = "the new key (`id`, `key`: shown once)"),
    (status = 403, description = "identity-provider users have no local account for keys"),
))]
#[auth(jwt, session)]
async fn create_api_key(user: User, State(db): State<Db>, parts: Parts) -> Response {
    let user_id = match local_id(&user) {
        Ok(id) => id,
        Err(refused) => return refused,
    };
    let Ok(generated) = portcullis::generate_api_key("pk_") else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    match db.add_api_key(user_id, &generated.hash()).await {
        Ok(id) => {
            portcullis::audit::api_key_created(&user_id, &id, &parts);
            let body = Json(json!({ "id": id, "key": generated.into_key() }));
            (StatusCode::CREATED, body).into_response()
        }
        Err(e) => unavailable(e),
    }
}

#[utoipa::path(delete, path = "/api-keys/{id}", tag = "api keys",
    params(("id" = i64, Path, description = "the key's id")),
    responses((status = 204, description = "deleted"), (status = 404, description = "no such key")),
)]
#[auth(jwt)]
#[require(owner(key.user_id))]
async fn delete_api_key(user: User, key: Option<ApiKey>, State(db): State<Db>, parts: Parts) -> Response {
    let Some(key) = key else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let user_id = match local_id(&user) {
        Ok(id) => id,
        Err(refused) => return refused,
    };
    match db.delete_api_key(key.id).await {
        Ok(()) => {
            portcullis::audit::api_key_deleted(&user_id, &key.id, &parts);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => unavailable(e),
    }
}

#[utoipa::path(get, path = "/admin/users", tag = "users", responses((status = 200, description = "every user")))]
#[auth(jwt)]
#[require(role = "admin")]
async fn admin_users(_user: User, State(db): State<Db>) -> Response {
    db.users()
        .await
        .map(|users| Json(users).into_response())
        .unwrap_or_else(unavailable)
}

#[utoipa::path(get, path = "/users", tag = "users", responses((status = 200, description = "every user")))]
#[auth(jwt, api_key)]
#[permissions("users:read")]
async fn list_users(_user: User, State(db): State<Db>) -> Response {
    db.users()
        .await
        .map(|users| Json(users).into_response())
        .unwrap_or_else(unavailable)
}

/// The server's router and its route table, checked against the gate: a route whose
/// handler has neither `#[auth]` nor `#[public]`, or a handler whose schemes the gate
/// cannot use, stops the server here (`ConfigError`).
async fn build(config: &Config) -> Result<(Router, RouteTable), Box<dyn std::error::Error>> {
    let db = Db::connect(&config.database_url).await?;
    if config.seed {
        db.seed().await?;
    }
    let mut jwt = JwtConfig::new()
        .key(JwtKey::hmac(&config.jwt_secret, Algorithm::HS256))
        .issuer(&config.issuer)
        .audience(&config.audience)
        .require_claim("jti");
    if let Some(path) = &config.jwks_file {
        // External identity provider: each key pinned to its own `kid` and `alg`.
        jwt = jwt.jwks(&std::fs::read_to_string(path)?);
    }
    let tokens = TokenConfig::hmac(&config.jwt_secret, Algorithm::HS256)
        .issuer(&config.issuer)
        .audience(&config.audience)
        .access_ttl(config.access_ttl)
        .refresh_ttl(config.refresh_ttl);
    let mut builder = Portcullis::builder(db.clone())
        .jwt(jwt)
        .tokens(tokens)
        .api_key(portcullis::ApiKeyConfig::new().query_param("api_key"))
        .sessions(SessionConfig::new().development(config.dev));
    if config.token_cookies {
        builder = builder.token_cookies(TokenCookies::new().development(config.dev));
    }
    if let Some(oidc) = &config.oidc {
        // Starts at once: provider tokens get 503 until the first key set arrives.
        builder = builder.identity_provider(oidc.provider());
    }
    if let Some(url) = &config.redis_url {
        let prefix = env("PORTCULLIS_REDIS_PREFIX").unwrap_or_else(|| "portcullis-reference".into());
        builder = builder.stores(portcullis::RedisStore::connect(url, &prefix).await?);
    }
    let auth = builder.build()?;
    // A panicking handler answers 500 server_error (JSON) and the server keeps serving.
    let panics = auth.catch_panic_layer();
    let mailer = config.mailer.clone();
    let outbox_store = mailer.outbox.clone();
    let mut routes = Routes::new()
        .merge(
            AuthRouter::new(db.clone(), mailer)
                .sign_in_on_register(config.sign_in_on_register)
                .into_routes(),
        )
        .route("/api-keys", post(create_api_key))
        .route("/api-keys/{id}", delete(delete_api_key))
        .route("/admin/users", get(admin_users))
        .route("/users", get(list_users))
        .merge(posts::routes())
        .merge(pages::routes());
    if config.dev {
        routes = routes.route("/dev/outbox", get(outbox));
    }
    if config.forgotten_route {
        routes = routes.route("/forgotten", get(forgotten));
    }
    routes = routes.route("/openapi.json", get(openapi::openapi_json));
    let table = routes.table().clone();
    let app = routes.into_router(&auth)?;
    // Plain HTML forms (pages.rs) send the session's CSRF token as a form field.
    let app = app.layer(portcullis::CsrfFormLayer::new(auth.clone()));
    let app = app.layer(panics).with_state(AppState {
        openapi: openapi::OpenApiJson::new(&auth, &table)?,
        auth,
        db,
        outbox: outbox_store,
    });
    Ok((app, table))
}

/// A handler someone forgot to annotate, served only with
/// `PORTCULLIS_TEST_FORGOTTEN_ROUTE=1`: the test that the server then refuses to start
/// (deny by default) runs the real start-up path.
async fn forgotten() -> &'static str {
    "nobody checked who you are"
}

/// `--access-matrix` (Markdown) or `--access-matrix=csv`: the format asked for, if any.
fn access_matrix_flag() -> Result<Option<bool>, String> {
    let mut csv = None;
    for arg in std::env::args().skip(1) {
        csv = match arg.as_str() {
            "--access-matrix" | "--access-matrix=markdown" => Some(false),
            "--access-matrix=csv" => Some(true),
            other => {
                return Err(format!(
                    "unknown argument `{other}`: use --access-matrix[=csv|markdown]"
                ));
            }
        };
    }
    Ok(csv)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Colours only on a terminal: a log written to a file stays plain text.
    tracing_subscriber::fmt()
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,portcullis=info".into()),
        )
        .init();
    let matrix = access_matrix_flag()?;
    let config = Config::from_env()?;
    let (app, table) = build(&config).await?;
    if let Some(csv) = matrix {
        // Who may call what, from the annotations: printed, then the server exits.
        let matrix = AccessMatrix::new::<User>(&table);
        print!(
            "{}",
            if csv {
                matrix.to_csv()
            } else {
                matrix.to_markdown()
            }
        );
        return Ok(());
    }
    let listener = tokio::net::TcpListener::bind(&config.addr).await?;
    tracing::info!(addr = %listener.local_addr()?, "reference server listening");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    Ok(())
}

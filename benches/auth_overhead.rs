//! `#[auth(jwt)]` against hand-written axum extractors, HS256 and RS256, all through
//! `Router` + `oneshot` in the same run.
//!
//! - `macro`: the handler `#[auth(jwt)]` generates.
//! - `hand_same_work`: a hand-written `FromRequestParts` calling the same runtime
//!   (`Portcullis::authenticate`) and renderer: the difference is the macro's cost.
//! - `hand_jsonwebtoken`: what people write by hand today: `jsonwebtoken::decode` with a
//!   pinned `Validation`, the `typ` check and a user lookup (fewer checks than Portcullis).
//!
//! Keys and validation are built once, before measuring. Run: `cargo bench --bench auth_overhead`.

#[path = "common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Body;
use axum::extract::{FromRef, FromRequestParts};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use criterion::{Criterion, criterion_group, criterion_main};
use http::request::Parts;
use http::{Request, StatusCode};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use portcullis::schemes::Jwt;
use portcullis::{AuthError, AuthUser, InMemoryUserStore, JwtConfig, JwtKey, Portcullis, UserStore, auth};
use serde_json::json;

use common::{AUDIENCE, ISSUER, SECRET, validation};
use tower::ServiceExt;

const RSA_PRIVATE: &[u8] = include_bytes!("../tests/keys/rsa2048.pem");
const RSA_PUBLIC: &[u8] = include_bytes!("../tests/keys/rsa2048.pub.pem");

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
}

/// Everything both kinds of handler need, built once.
#[derive(Clone)]
struct AppState {
    auth: Portcullis<User>,
    users: Arc<InMemoryUserStore<User>>,
    hs256: Arc<(DecodingKey, Validation)>,
    rs256: Arc<(DecodingKey, Validation)>,
}

impl FromRef<AppState> for Portcullis<User> {
    fn from_ref(state: &AppState) -> Self {
        state.auth.clone()
    }
}

#[auth(jwt)]
async fn macro_handler(user: User) -> String {
    user.id.to_string()
}

/// Hand-written extractor doing the same work as `#[auth(jwt)]`.
struct SameWork(User);

impl FromRequestParts<AppState> for SameWork {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let reject = |e: AuthError| state.auth.reject::<(Jwt,)>(e).into_response();
        match state.auth.authenticate::<(Jwt,)>(parts).await {
            Ok(Some((user, _info))) => Ok(SameWork(user)),
            Ok(None) => Err(reject(AuthError::MissingCredentials)),
            Err(e) => Err(reject(e)),
        }
    }
}

async fn same_work_handler(SameWork(user): SameWork) -> String {
    user.id.to_string()
}

/// Hand-written extractor over `jsonwebtoken::decode`, as commonly written.
struct Typical<const RSA: bool>(User);

#[derive(serde::Deserialize)]
struct TypicalClaims {
    sub: String,
    typ: String,
}

fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(
            "www-authenticate",
            "Bearer realm=\"api\", error=\"invalid_token\"",
        )],
    )
        .into_response()
}

impl<const RSA: bool> FromRequestParts<AppState> for Typical<RSA> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let header = parts.headers.get("authorization").ok_or_else(unauthorized)?;
        let header = header.to_str().map_err(|_| unauthorized())?;
        let (scheme, token) = header.split_once(' ').ok_or_else(unauthorized)?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(unauthorized());
        }
        let (key, validation) = if RSA { &*state.rs256 } else { &*state.hs256 };
        let data =
            jsonwebtoken::decode::<TypicalClaims>(token, key, validation).map_err(|_| unauthorized())?;
        if data.claims.typ != "access" {
            return Err(unauthorized());
        }
        let id: i64 = data.claims.sub.parse().map_err(|_| unauthorized())?;
        match state.users.find_by_id(&id).await {
            Ok(Some(user)) => Ok(Typical(user)),
            Ok(None) => Err(unauthorized()),
            Err(_) => Err(StatusCode::SERVICE_UNAVAILABLE.into_response()),
        }
    }
}

async fn typical_handler<const RSA: bool>(Typical(user): Typical<RSA>) -> String {
    user.id.to_string()
}

fn state() -> AppState {
    let users = Arc::new(InMemoryUserStore::new());
    users.insert(User { id: 1 });
    let store = InMemoryUserStore::new();
    store.insert(User { id: 1 });
    let auth = Portcullis::builder(store)
        .jwt(
            JwtConfig::new()
                .key(JwtKey::hmac(SECRET, Algorithm::HS256))
                .key(JwtKey::pem(RSA_PUBLIC, Algorithm::RS256).with_kid("rsa"))
                .issuer(ISSUER)
                .audience(AUDIENCE),
        )
        .build()
        .expect("valid bench configuration");
    AppState {
        auth,
        users,
        hs256: Arc::new((DecodingKey::from_secret(SECRET), validation(Algorithm::HS256))),
        rs256: Arc::new((
            DecodingKey::from_rsa_pem(RSA_PUBLIC).expect("public key"),
            validation(Algorithm::RS256),
        )),
    }
}

fn token(alg: Algorithm) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let claims = json!({
        "sub": "1", "iss": ISSUER, "aud": AUDIENCE, "typ": "access",
        "iat": now, "exp": now + 3600, "jti": "bench",
    });
    let (mut header, key) = match alg {
        Algorithm::HS256 => (Header::new(alg), EncodingKey::from_secret(SECRET)),
        _ => (
            Header::new(alg),
            EncodingKey::from_rsa_pem(RSA_PRIVATE).expect("private key"),
        ),
    };
    if alg == Algorithm::RS256 {
        header.kid = Some("rsa".into());
    }
    jsonwebtoken::encode(&header, &claims, &key).expect("signing")
}

fn bench(c: &mut Criterion) {
    portcullis::install_crypto_provider();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let app = Router::new()
        .route("/macro", get(macro_handler))
        .route("/same", get(same_work_handler))
        .route("/typical-hs", get(typical_handler::<false>))
        .route("/typical-rs", get(typical_handler::<true>))
        .with_state(state());

    for alg in [Algorithm::HS256, Algorithm::RS256] {
        let token = token(alg);
        let typical = if alg == Algorithm::HS256 {
            "/typical-hs"
        } else {
            "/typical-rs"
        };
        let mut group = c.benchmark_group(format!("{alg:?}"));
        for (name, path) in [
            ("macro", "/macro"),
            ("hand_same_work", "/same"),
            ("hand_jsonwebtoken", typical),
        ] {
            // Every route must really authenticate before it is measured.
            let check = runtime
                .block_on(app.clone().oneshot(request(path, &token)))
                .expect("infallible");
            assert_eq!(check.status(), StatusCode::OK, "{name} {alg:?}");
            group.bench_function(name, |b| {
                b.to_async(&runtime).iter(|| async {
                    let response = app
                        .clone()
                        .oneshot(request(path, &token))
                        .await
                        .expect("infallible");
                    assert_eq!(response.status(), StatusCode::OK);
                })
            });
        }
        group.finish();
    }
}

fn request(path: &str, token: &str) -> Request<Body> {
    Request::get(path)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request")
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! The whole guard per scheme — extraction, verification, revocation, user loading —
//! beside a hand-written equivalent, in one run, on a request head built once.
//!
//! - `portcullis`: `Portcullis::authenticate::<(Scheme,)>` (what `#[auth(..)]` calls).
//! - `portcullis_cached` (JWT): the same with `PortcullisBuilder::verified_token_cache`,
//!   the token repeated (every iteration after the first is a cache hit).
//! - `hand`: what people write by hand for that scheme: `jsonwebtoken::decode` with a
//!   pinned `Validation`, the `typ` check and a user lookup (no revocation); the
//!   `X-API-Key` header hashed and looked up; the session cookie hashed and touched in
//!   the same session store, then the user loaded; Basic decoded, the user found by
//!   name and the argon2id hash verified (no throttling).
//!
//! `basic` is dominated by argon2id (19 MiB, 2 passes) and is measured with few samples.
//! Run: `cargo bench --bench schemes` (`docs/PERFORMANCE.md` has the figures).

#[path = "common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use criterion::{Criterion, criterion_group, criterion_main};
use http::Request;
use http::request::Parts;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use portcullis::schemes::{ApiKey, Basic, Jwt, Session};
use portcullis::{
    ApiKeyConfig, AuthUser, InMemorySessionStore, InMemoryUserStore, JwtConfig, JwtKey, Portcullis,
    SessionConfig, SessionStore, UserStore, hash_api_key,
};
use serde_json::json;

use common::{AUDIENCE, ISSUER, SECRET, validation};
use sha2::{Digest, Sha256};
use tokio::runtime::Runtime;

const API_KEY: &str = "pk_bench_0123456789abcdefghijklmnop";
const PASSWORD: &str = "bench-password-0123";

/// (algorithm, private key, public key), each key published under the kid of its name.
const KEYS: [(Algorithm, &[u8], &[u8]); 4] = [
    (Algorithm::HS256, SECRET, SECRET),
    (
        Algorithm::RS256,
        include_bytes!("../tests/keys/rsa2048.pem"),
        include_bytes!("../tests/keys/rsa2048.pub.pem"),
    ),
    (
        Algorithm::ES256,
        include_bytes!("../tests/keys/ec256.pem"),
        include_bytes!("../tests/keys/ec256.pub.pem"),
    ),
    (
        Algorithm::EdDSA,
        include_bytes!("../tests/keys/ed25519.pem"),
        include_bytes!("../tests/keys/ed25519.pub.pem"),
    ),
];

#[derive(Clone, AuthUser)]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(name)]
    name: String,
    #[auth_user(password_hash)]
    password_hash: Option<String>,
}

fn users() -> InMemoryUserStore<User> {
    let users = InMemoryUserStore::new();
    users.insert(User {
        id: 1,
        name: "bench".into(),
        password_hash: Some(portcullis::hash_password(PASSWORD).expect("hash")),
    });
    users.add_api_key(&1, API_KEY);
    users
}

fn jwt_key(alg: Algorithm, public: &[u8]) -> JwtKey {
    let key = match alg {
        Algorithm::HS256 => JwtKey::hmac(public, alg),
        _ => JwtKey::pem(public, alg),
    };
    key.with_kid(format!("{alg:?}"))
}

fn gate(
    users: &InMemoryUserStore<User>,
    sessions: &Arc<InMemorySessionStore>,
    cached: bool,
) -> Portcullis<User> {
    let mut jwt = JwtConfig::new().issuer(ISSUER).audience(AUDIENCE);
    for (alg, _, public) in KEYS {
        jwt = jwt.key(jwt_key(alg, public));
    }
    let builder = Portcullis::builder(users.clone())
        .jwt(jwt)
        .api_key(ApiKeyConfig::new())
        .sessions(SessionConfig::new().development(true))
        .session_store(Arc::clone(sessions));
    let builder = if cached {
        builder.verified_token_cache(10_000)
    } else {
        builder
    };
    builder.build().expect("valid bench configuration")
}

fn token(alg: Algorithm, private: &[u8]) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let claims = json!({
        "sub": "1", "iss": ISSUER, "aud": AUDIENCE, "typ": "access",
        "iat": now, "exp": now + 3600, "jti": "bench",
    });
    let key = match alg {
        Algorithm::HS256 => EncodingKey::from_secret(private),
        Algorithm::RS256 => EncodingKey::from_rsa_pem(private).expect("key"),
        Algorithm::ES256 => EncodingKey::from_ec_pem(private).expect("key"),
        _ => EncodingKey::from_ed_pem(private).expect("key"),
    };
    let mut header = Header::new(alg);
    header.kid = Some(format!("{alg:?}"));
    jsonwebtoken::encode(&header, &claims, &key).expect("signing")
}

fn head(name: &str, value: &str) -> Parts {
    let request = Request::get("/me").header(name, value).body(()).expect("request");
    request.into_parts().0
}

// ---- hand-written equivalents ----

#[derive(serde::Deserialize)]
struct TypicalClaims {
    sub: String,
    typ: String,
}

fn decoding_key(alg: Algorithm, public: &[u8]) -> DecodingKey {
    match alg {
        Algorithm::HS256 => DecodingKey::from_secret(public),
        Algorithm::RS256 => DecodingKey::from_rsa_pem(public).expect("key"),
        Algorithm::ES256 => DecodingKey::from_ec_pem(public).expect("key"),
        _ => DecodingKey::from_ed_pem(public).expect("key"),
    }
}

async fn hand_jwt(
    parts: &Parts,
    key: &DecodingKey,
    validation: &Validation,
    users: &InMemoryUserStore<User>,
) -> Option<User> {
    let header = parts.headers.get("authorization")?.to_str().ok()?;
    let (scheme, token) = header.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let data = jsonwebtoken::decode::<TypicalClaims>(token, key, validation).ok()?;
    if data.claims.typ != "access" {
        return None;
    }
    users.find_by_id(&data.claims.sub.parse().ok()?).await.ok()?
}

async fn hand_api_key(parts: &Parts, users: &InMemoryUserStore<User>) -> Option<User> {
    let key = parts.headers.get("x-api-key")?.to_str().ok()?;
    users.find_by_api_key_hash(&hash_api_key(key)).await.ok()?
}

async fn hand_session(
    parts: &Parts,
    sessions: &InMemorySessionStore,
    users: &InMemoryUserStore<User>,
) -> Option<User> {
    let cookies = parts.headers.get("cookie")?.to_str().ok()?;
    let id = cookies
        .split(';')
        .find_map(|c| c.trim().strip_prefix("portcullis_session="))?;
    let hash: [u8; 32] = Sha256::digest(id.as_bytes()).into();
    let record = sessions
        .touch(&hash, Duration::from_secs(1800), Duration::from_secs(12 * 3600))
        .await
        .ok()??;
    users.find_by_id(&record.user_id.parse().ok()?).await.ok()?
}

async fn hand_basic(parts: &Parts, users: &InMemoryUserStore<User>) -> Option<User> {
    let header = parts.headers.get("authorization")?.to_str().ok()?;
    let encoded = header.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded).ok()?;
    let (name, password) = std::str::from_utf8(&decoded).ok()?.split_once(':')?;
    let user = users.find_by_username(name).await.ok()??;
    portcullis::verify_password(password, user.password_hash.as_deref()?).then_some(user)
}

// ---- the run ----

fn bench_jwt(c: &mut Criterion, runtime: &Runtime, users: &InMemoryUserStore<User>) {
    let sessions = Arc::new(InMemorySessionStore::default());
    let (plain, cached) = (gate(users, &sessions, false), gate(users, &sessions, true));
    for (alg, private, public) in KEYS {
        let parts = head("authorization", &format!("Bearer {}", token(alg, private)));
        let (key, validation) = (decoding_key(alg, public), validation(alg));
        let mut group = c.benchmark_group(format!("jwt_{alg:?}"));
        for (name, auth) in [("portcullis", &plain), ("portcullis_cached", &cached)] {
            let check = runtime.block_on(auth.authenticate::<(Jwt,)>(&parts));
            assert!(matches!(check, Ok(Some(_))), "{name} {alg:?} must authenticate");
            group.bench_function(name, |b| {
                b.to_async(runtime)
                    .iter(|| async { auth.authenticate::<(Jwt,)>(&parts).await.expect("authenticated") })
            });
        }
        assert!(
            runtime
                .block_on(hand_jwt(&parts, &key, &validation, users))
                .is_some()
        );
        group.bench_function("hand", |b| {
            b.to_async(runtime).iter(|| async {
                hand_jwt(&parts, &key, &validation, users)
                    .await
                    .expect("authenticated")
            })
        });
        group.finish();
    }
}

fn bench_other_schemes(c: &mut Criterion, runtime: &Runtime, users: &InMemoryUserStore<User>) {
    let sessions = Arc::new(InMemorySessionStore::default());
    let auth = gate(users, &sessions, false);
    let user = runtime
        .block_on(users.find_by_id(&1))
        .expect("store")
        .expect("user");

    let key = head("x-api-key", API_KEY);
    let mut group = c.benchmark_group("api_key");
    assert!(matches!(
        runtime.block_on(auth.authenticate::<(ApiKey,)>(&key)),
        Ok(Some(_))
    ));
    group.bench_function("portcullis", |b| {
        b.to_async(runtime)
            .iter(|| async { auth.authenticate::<(ApiKey,)>(&key).await.expect("authenticated") })
    });
    assert!(runtime.block_on(hand_api_key(&key, users)).is_some());
    group.bench_function("hand", |b| {
        b.to_async(runtime)
            .iter(|| async { hand_api_key(&key, users).await.expect("authenticated") })
    });
    group.finish();

    let login = head("user-agent", "bench");
    let session = runtime
        .block_on(auth.start_session(&login, &user))
        .expect("session");
    let cookie = session
        .set_cookie
        .to_str()
        .expect("ascii")
        .split(';')
        .next()
        .expect("cookie");
    let cookie = head("cookie", cookie);
    let mut group = c.benchmark_group("session");
    assert!(matches!(
        runtime.block_on(auth.authenticate::<(Session,)>(&cookie)),
        Ok(Some(_))
    ));
    group.bench_function("portcullis", |b| {
        b.to_async(runtime).iter(|| async {
            auth.authenticate::<(Session,)>(&cookie)
                .await
                .expect("authenticated")
        })
    });
    assert!(
        runtime
            .block_on(hand_session(&cookie, &sessions, users))
            .is_some()
    );
    group.bench_function("hand", |b| {
        b.to_async(runtime).iter(|| async {
            hand_session(&cookie, &sessions, users)
                .await
                .expect("authenticated")
        })
    });
    group.finish();

    let credentials = base64::engine::general_purpose::STANDARD.encode(format!("bench:{PASSWORD}"));
    let basic = head("authorization", &format!("Basic {credentials}"));
    let mut group = c.benchmark_group("basic");
    group.sample_size(10).measurement_time(Duration::from_secs(8));
    assert!(matches!(
        runtime.block_on(auth.authenticate::<(Basic,)>(&basic)),
        Ok(Some(_))
    ));
    group.bench_function("portcullis", |b| {
        b.to_async(runtime).iter(|| async {
            auth.authenticate::<(Basic,)>(&basic)
                .await
                .expect("authenticated")
        })
    });
    assert!(runtime.block_on(hand_basic(&basic, users)).is_some());
    group.bench_function("hand", |b| {
        b.to_async(runtime)
            .iter(|| async { hand_basic(&basic, users).await.expect("authenticated") })
    });
    group.finish();
}

fn bench(c: &mut Criterion) {
    portcullis::install_crypto_provider();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let users = users();
    bench_jwt(c, &runtime, &users);
    bench_other_schemes(c, &runtime, &users);
}

criterion_group!(benches, bench);
criterion_main!(benches);

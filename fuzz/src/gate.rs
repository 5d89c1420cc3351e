//! The gate every request target authenticates through, built once: every built-in
//! scheme (JWT in the `Authorization` header, a cookie and a query parameter; API keys
//! in a header and a query parameter; HTTP Basic; server-side sessions), a fixed key
//! set (HS256, RS256, ES256, EdDSA, each under its own `kid`), one user.

use std::sync::{Arc, LazyLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use http::request::Parts;
use http::{HeaderName, HeaderValue, Method, Request};
use jsonwebtoken::{Algorithm, EncodingKey};
use portcullis::schemes::{ApiKey, Basic, Jwt, PasswordVerifier, Session};
use portcullis::{
    ApiKeyConfig, AuthUser, InMemorySessionStore, InMemoryUserStore, JwtConfig, JwtKey, Portcullis,
    SessionConfig, StoreError, ThrottleConfig,
};
use tokio::runtime::Runtime;

pub const ISSUER: &str = "fuzz-issuer";
pub const AUDIENCE: &str = "fuzz-api";
pub const SECRET: &[u8] = b"fuzz-secret-0123456789-abcdefghijklmnop";
pub const API_KEY: &str = "pk_fuzz_0123456789abcdefghijklmnop";
pub const USER_NAME: &str = "fuzz";
pub const PASSWORD: &str = "fuzz-password";
/// Where the JWT scheme also looks for a token.
pub const TOKEN_COOKIE: &str = "access_token";
pub const TOKEN_QUERY: &str = "access_token";
pub const API_KEY_QUERY: &str = "api_key";
pub const SESSION_COOKIE: &str = "session";

/// The fixed key set: (algorithm, private key, public key), each under the kid of its name.
pub const KEYS: [(Algorithm, &[u8], &[u8]); 4] = [
    (Algorithm::HS256, SECRET, SECRET),
    (
        Algorithm::RS256,
        include_bytes!("../../tests/keys/rsa2048.pem"),
        include_bytes!("../../tests/keys/rsa2048.pub.pem"),
    ),
    (
        Algorithm::ES256,
        include_bytes!("../../tests/keys/ec256.pem"),
        include_bytes!("../../tests/keys/ec256.pub.pem"),
    ),
    (
        Algorithm::EdDSA,
        include_bytes!("../../tests/keys/ed25519.pem"),
        include_bytes!("../../tests/keys/ed25519.pub.pem"),
    ),
];

/// The key id of a key of [`KEYS`].
pub fn kid(alg: Algorithm) -> String {
    format!("{alg:?}")
}

/// The signing key of a key of [`KEYS`].
pub fn encoding_key(alg: Algorithm, private: &[u8]) -> EncodingKey {
    match alg {
        Algorithm::HS256 => EncodingKey::from_secret(private),
        Algorithm::RS256 => EncodingKey::from_rsa_pem(private).expect("RSA key"),
        Algorithm::ES256 => EncodingKey::from_ec_pem(private).expect("EC key"),
        _ => EncodingKey::from_ed_pem(private).expect("Ed25519 key"),
    }
}

#[derive(Clone, AuthUser)]
pub struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(name)]
    name: String,
}

/// HTTP Basic through the application's verifier (argon2id would make every Basic
/// input cost tens of milliseconds; the header's parsing is what is fuzzed here).
struct Verifier;

#[async_trait]
impl PasswordVerifier for Verifier {
    async fn verify(&self, username: &str, password: &str) -> Result<Option<String>, StoreError> {
        Ok((username == USER_NAME && password == PASSWORD).then(|| "1".to_owned()))
    }
}

/// The gate, its runtime, and live credentials the targets substitute for markers.
pub struct Fixture {
    pub gate: Portcullis<User>,
    pub runtime: Runtime,
    /// A session id the session store knows (replaces `{session}` in an input).
    pub session: String,
    /// Its CSRF token (replaces `{csrf}`).
    pub csrf: String,
    /// A valid HS256 access token (replaces `{token}`).
    pub token: String,
}

pub static FIXTURE: LazyLock<Fixture> = LazyLock::new(fixture);

fn fixture() -> Fixture {
    portcullis::install_crypto_provider();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let users = InMemoryUserStore::new();
    let user = User {
        id: 1,
        name: USER_NAME.into(),
    };
    users.insert(user.clone());
    users.add_api_key(&1, API_KEY);
    let mut jwt = JwtConfig::new()
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .cookie(TOKEN_COOKIE)
        .query_param(TOKEN_QUERY);
    for (alg, _, public) in KEYS {
        let key = match alg {
            Algorithm::HS256 => JwtKey::hmac(public, alg),
            _ => JwtKey::pem(public, alg),
        };
        jwt = jwt.key(key.with_kid(kid(alg)));
    }
    // No delays and no lockouts: each input is judged on its own.
    let throttle = ThrottleConfig::new()
        .max_failures(u32::MAX)
        .max_failures_per_address(u32::MAX)
        .max_failures_per_name(u32::MAX)
        .max_delay(Duration::ZERO);
    let gate = Portcullis::builder(users)
        .jwt(jwt)
        .api_key(ApiKeyConfig::new().query_param(API_KEY_QUERY))
        .password_verifier(Verifier)
        .throttle(throttle)
        .sessions(SessionConfig::new().cookie_name(SESSION_COOKIE).development(true))
        .session_store(Arc::new(InMemorySessionStore::default()))
        .build()
        .expect("the fuzz gate's configuration");
    let login = head(Method::POST, "/login", &[]);
    let session = runtime
        .block_on(gate.start_session(&login, &user))
        .expect("a session");
    let cookie = session.set_cookie.to_str().expect("ASCII cookie");
    let id = cookie
        .split(';')
        .next()
        .and_then(|pair| pair.split_once('='))
        .expect("name=value")
        .1
        .to_owned();
    let token = hs256_token();
    Fixture {
        gate,
        runtime,
        session: id,
        csrf: session.csrf_token,
        token,
    }
}

/// Seconds since the epoch.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn hs256_token() -> String {
    let claims = serde_json::json!({
        "sub": "1", "iss": ISSUER, "aud": AUDIENCE, "typ": "access",
        "iat": now(), "exp": now() + 24 * 3600, "jti": "fuzz",
    });
    let mut header = jsonwebtoken::Header::new(Algorithm::HS256);
    header.kid = Some(kid(Algorithm::HS256));
    jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(SECRET)).expect("signing")
}

/// A request head; header values that HTTP could not carry are left out (a server
/// never hands them over).
pub fn head(method: Method, uri: &str, headers: &[(HeaderName, &[u8])]) -> Parts {
    let uri = if uri.parse::<http::Uri>().is_ok() {
        uri
    } else {
        "/"
    };
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        if let Ok(value) = HeaderValue::from_bytes(value) {
            request = request.header(name, value);
        }
    }
    request.body(()).expect("a valid request").into_parts().0
}

/// Replaces the markers of live credentials: `{session}`, `{csrf}`, `{token}`.
pub fn substitute(input: &[u8]) -> Vec<u8> {
    let fixture = &*FIXTURE;
    let mut out = Vec::with_capacity(input.len());
    let mut rest = input;
    while !rest.is_empty() {
        let markers: [(&[u8], &str); 3] = [
            (b"{session}", &fixture.session),
            (b"{csrf}", &fixture.csrf),
            (b"{token}", &fixture.token),
        ];
        match markers.iter().find(|(marker, _)| rest.starts_with(marker)) {
            Some((marker, value)) => {
                out.extend_from_slice(value.as_bytes());
                rest = &rest[marker.len()..];
            }
            None => {
                out.push(rest[0]);
                rest = &rest[1..];
            }
        }
    }
    out
}

/// Authenticates with every scheme. A refusal is an answer; a panic is the finding.
pub fn authenticate(parts: &Parts) {
    let fixture = &*FIXTURE;
    let outcome = fixture
        .runtime
        .block_on(fixture.gate.authenticate::<(Jwt, ApiKey, Basic, Session)>(parts));
    if let Ok(Some((user, _))) = outcome {
        // Only the one user exists: any success must be that user.
        assert_eq!(user.id, 1, "authenticated as a user that does not exist");
    }
}

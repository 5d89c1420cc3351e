//! A realistic custom scheme: HMAC request signing over the method, the path, a
//! `Date` header and a body hash, with a replay window — alone, mixed with `jwt`, and
//! with both credentials at once.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lc_rs::hmac;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{FromRef, FromRequest, Request};
use axum::routing::{get, post};
use http::request::Parts;
use http::{Method, StatusCode};
use portcullis::schemes::{AuthScheme, Context, Identity, Scheme, Verified};
use portcullis::{AuthError, AuthInfo, Portcullis, async_trait, auth};
use sha2::{Digest, Sha256};

use crate::support::{self, User};

const HMAC_SCHEME: Scheme = Scheme::custom("hmac");
/// How far a request's `Date` may be from the server's clock, both ways.
const WINDOW: Duration = Duration::from_secs(300);

/// `Authorization: HMAC key=<id>, signature=<base64url>`, signing
/// `METHOD \n path?query \n Date \n X-Content-SHA256` with the client's secret.
struct HmacSigning {
    /// Client key id → (secret, user id).
    clients: HashMap<&'static str, (&'static [u8], i64)>,
    /// Signatures seen within the window (bounded by the window: old ones are purged).
    seen: Mutex<HashMap<Vec<u8>, SystemTime>>,
}

struct Signed {
    key: String,
    signature: Vec<u8>,
    date: SystemTime,
    message: String,
}

fn malformed(reason: &'static str) -> AuthError {
    AuthError::invalid_request(HMAC_SCHEME, reason)
}

fn refused(reason: &'static str) -> AuthError {
    AuthError::invalid(HMAC_SCHEME, reason)
}

fn unix(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).unwrap().as_secs()
}

#[async_trait]
impl AuthScheme<User> for HmacSigning {
    type Credential = Signed;

    fn name(&self) -> Scheme {
        HMAC_SCHEME
    }

    fn extract(&self, parts: &Parts) -> Result<Option<Signed>, AuthError> {
        let Some(value) = parts.headers.get("authorization") else {
            return Ok(None);
        };
        let text = value.to_str().map_err(|_| malformed("bad Authorization"))?;
        let Some(rest) = text.strip_prefix("HMAC ") else {
            return Ok(None); // another scheme's credential
        };
        let mut key = None;
        let mut signature = None;
        for part in rest.split(',') {
            match part.trim().split_once('=') {
                Some(("key", v)) => key = Some(v.to_owned()),
                Some(("signature", v)) => signature = Some(v.to_owned()),
                _ => return Err(malformed("HMAC credentials need key= and signature=")),
            }
        }
        let (Some(key), Some(signature)) = (key, signature) else {
            return Err(malformed("HMAC credentials need key= and signature="));
        };
        let signature =
            support::unb64(&signature).ok_or_else(|| malformed("the signature is not base64url"))?;
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
                .ok_or_else(|| malformed("signed requests need Date and X-Content-SHA256"))
        };
        let date_text = header("date")?;
        let date = date_text
            .parse::<u64>()
            .map(|s| UNIX_EPOCH + Duration::from_secs(s))
            .map_err(|_| malformed("Date is seconds since the epoch"))?;
        let body_hash = header("x-content-sha256")?;
        let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
        let message = format!("{}\n{path}\n{date_text}\n{body_hash}", parts.method);
        Ok(Some(Signed {
            key,
            signature,
            date,
            message,
        }))
    }

    async fn verify(
        &self,
        _: &Parts,
        signed: Signed,
        _: &Context<'_, User>,
    ) -> Result<Verified<User>, AuthError> {
        let (secret, user) = self
            .clients
            .get(signed.key.as_str())
            .ok_or_else(|| refused("unknown key"))?;
        let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
        hmac::verify(&key, signed.message.as_bytes(), &signed.signature)
            .map_err(|_| refused("bad signature"))?;
        let now = SystemTime::now();
        let skew = now.duration_since(signed.date).unwrap_or_else(|e| e.duration());
        if skew > WINDOW {
            return Err(refused("the request is outside the replay window"));
        }
        let mut seen = self.seen.lock().unwrap();
        seen.retain(|_, at| now.duration_since(*at).unwrap_or_default() <= WINDOW * 2);
        if seen.insert(signed.signature, now).is_some() {
            return Err(refused("the request was replayed"));
        }
        Ok(Verified::identity(
            Identity::new(HMAC_SCHEME, user.to_string()).with_key_id(signed.key),
        ))
    }

    fn challenge(&self, realm: &str) -> String {
        format!("HMAC realm=\"{realm}\"")
    }
}

/// The body, checked against the signed `X-Content-SHA256`.
struct SignedBody(Bytes);

impl<S: Send + Sync> FromRequest<S> for SignedBody {
    type Rejection = (StatusCode, &'static str);

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let claimed = request.headers().get("x-content-sha256").cloned();
        let body = Bytes::from_request(request, state)
            .await
            .map_err(|_| (StatusCode::BAD_REQUEST, "unreadable body"))?;
        let actual = support::b64(Sha256::digest(&body));
        match claimed {
            Some(c) if c.as_bytes() == actual.as_bytes() => Ok(SignedBody(body)),
            _ => Err((
                StatusCode::BAD_REQUEST,
                "the body does not match X-Content-SHA256",
            )),
        }
    }
}

#[derive(Clone, FromRef)]
struct State {
    auth: Portcullis<User>,
}

#[auth(custom(HmacSigning))]
async fn webhook(user: User, info: AuthInfo, SignedBody(body): SignedBody) -> String {
    format!(
        "{} {} {} {}",
        user.id,
        info.scheme(),
        info.key_id().unwrap_or("-"),
        body.len()
    )
}

#[auth(jwt, custom(HmacSigning))]
async fn either(user: User, info: AuthInfo) -> String {
    format!("{} {}", user.id, info.scheme())
}

const ALICE_SECRET: &[u8] = b"alice-hmac-secret-0123456789abcdef";
const BOB_SECRET: &[u8] = b"bob-hmac-secret-0123456789abcdefgh";

fn app() -> Router {
    let scheme = HmacSigning {
        clients: HashMap::from([("alice-key", (ALICE_SECRET, 1)), ("bob-key", (BOB_SECRET, 2))]),
        seen: Mutex::new(HashMap::new()),
    };
    let auth = Portcullis::builder(support::users())
        .jwt(support::jwt_config().query_param("access_token"))
        .scheme(scheme)
        .build()
        .unwrap();
    Router::new()
        .route("/webhook", post(webhook))
        .route("/either", get(either))
        .with_state(State { auth })
}

fn signed(
    method: Method,
    uri: &str,
    body: &'static str,
    key: &str,
    secret: &[u8],
    date: u64,
) -> Request<Body> {
    let hash = support::b64(Sha256::digest(body.as_bytes()));
    let message = format!("{method}\n{uri}\n{date}\n{hash}");
    let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, secret), message.as_bytes());
    support::req(uri)
        .method(method)
        .header(
            "authorization",
            format!("HMAC key={key}, signature={}", support::b64(tag)),
        )
        .header("date", date.to_string())
        .header("x-content-sha256", hash)
        .body(Body::from(body))
        .unwrap()
}

fn now() -> u64 {
    unix(SystemTime::now())
}

#[tokio::test]
async fn a_signed_request_reaches_the_handler_with_the_identity() {
    let app = app();
    let reply = support::send(
        &app,
        signed(
            Method::POST,
            "/webhook",
            "{\"a\":1}",
            "alice-key",
            ALICE_SECRET,
            now(),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.body, "1 hmac alice-key 7");
}

#[tokio::test]
async fn no_credentials_get_the_custom_challenge() {
    let reply = support::send(
        &app(),
        support::req("/webhook")
            .method("POST")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.challenges(), ["HMAC realm=\"api\""]);
    assert_eq!(reply.body["error"], "missing_credentials");
    assert!(
        reply.body["message"].as_str().unwrap().contains("hmac"),
        "{:?}",
        reply.body
    );
}

#[tokio::test]
async fn a_wrong_signature_is_refused_with_invalid_credentials() {
    let reply = support::send(
        &app(),
        signed(Method::POST, "/webhook", "{}", "alice-key", BOB_SECRET, now()),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.body["error"], "invalid_credentials");
    assert_eq!(
        reply.challenges(),
        ["HMAC realm=\"api\", error=\"invalid_credentials\", error_description=\"bad signature\""]
    );
}

#[tokio::test]
async fn a_signature_over_another_path_or_method_is_refused() {
    let app = app();
    let mut request = signed(Method::POST, "/webhook", "{}", "alice-key", ALICE_SECRET, now());
    *request.uri_mut() = "/webhook?x=1".parse().unwrap();
    assert_eq!(
        support::send(&app, request).await.status,
        StatusCode::UNAUTHORIZED
    );
    let mut request = signed(Method::GET, "/either", "", "alice-key", ALICE_SECRET, now());
    *request.method_mut() = Method::DELETE;
    *request.uri_mut() = "/either".parse().unwrap();
    assert_eq!(
        support::send(&app, request).await.status,
        StatusCode::METHOD_NOT_ALLOWED
    );
}

#[tokio::test]
async fn a_tampered_body_is_refused_by_the_body_check() {
    let mut request = signed(
        Method::POST,
        "/webhook",
        "{\"amount\":1}",
        "alice-key",
        ALICE_SECRET,
        now(),
    );
    *request.body_mut() = Body::from("{\"amount\":1000}");
    let reply = support::send(&app(), request).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.body, "the body does not match X-Content-SHA256");
}

#[tokio::test]
async fn a_stale_or_replayed_request_is_refused() {
    let app = app();
    let stale = signed(
        Method::POST,
        "/webhook",
        "{}",
        "alice-key",
        ALICE_SECRET,
        now() - 301,
    );
    let reply = support::send(&app, stale).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert!(reply.body["message"].as_str().unwrap().contains("replay window"));
    let date = now();
    let first = signed(Method::POST, "/webhook", "{}", "alice-key", ALICE_SECRET, date);
    assert_eq!(support::send(&app, first).await.status, StatusCode::OK);
    let again = signed(Method::POST, "/webhook", "{}", "alice-key", ALICE_SECRET, date);
    let reply = support::send(&app, again).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert!(reply.body["message"].as_str().unwrap().contains("replayed"));
}

#[tokio::test]
async fn a_malformed_custom_credential_is_invalid_request() {
    let request = support::req("/webhook")
        .method("POST")
        .header("authorization", "HMAC key=alice-key")
        .body(Body::empty())
        .unwrap();
    let reply = support::send(&app(), request).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.body["error"], "invalid_request");
}

#[tokio::test]
async fn mixed_with_jwt_either_credential_works_and_both_challenges_are_offered() {
    let app = app();
    let by_token = support::send(
        &app,
        support::bearer("/either", &support::hs256(&support::claims("2"))),
    )
    .await;
    assert_eq!(
        (by_token.status, by_token.body.as_str()),
        (StatusCode::OK, Some("2 jwt"))
    );
    let by_signature = support::send(
        &app,
        signed(Method::GET, "/either", "", "alice-key", ALICE_SECRET, now()),
    )
    .await;
    assert_eq!(
        (by_signature.status, by_signature.body.as_str()),
        (StatusCode::OK, Some("1 hmac"))
    );
    let none = support::send(&app, support::req("/either").body(Body::empty()).unwrap()).await;
    assert_eq!(none.challenges(), ["Bearer realm=\"api\"", "HMAC realm=\"api\""]);
}

#[tokio::test]
async fn a_signature_and_a_token_at_once_are_refused() {
    let app = app();
    // The token travels in the query (the Authorization header holds the signature).
    let bob = support::hs256(&support::claims("2"));
    let uri = format!("/either?access_token={bob}");
    let reply = support::send(
        &app,
        signed(Method::GET, &uri, "", "alice-key", ALICE_SECRET, now()),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::UNAUTHORIZED,
        "two users at once: {:?}",
        reply.body
    );
    assert_eq!(reply.body["error"], "invalid_request");
    assert!(
        reply.body["message"]
            .as_str()
            .unwrap()
            .contains("different users")
    );

    // One bad credential fails the request even though the other is good.
    let uri = "/either?access_token=eyJhbGciOiJIUzI1NiJ9.e30.AAAA";
    let reply = support::send(
        &app,
        signed(Method::GET, uri, "", "alice-key", ALICE_SECRET, now()),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.body["error"], "invalid_token");
}

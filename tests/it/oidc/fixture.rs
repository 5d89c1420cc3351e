//! The fixture identity provider: an axum server on `127.0.0.1:0`, spawned by each
//! test, serving a discovery document and a key set that the test swaps at will, and
//! counting every request it receives. Its keys ([`Key`]) sign the tokens.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use http::{Response, StatusCode, Uri};
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::support::b64;

/// The fixture provider's own RSA key (not one of the application's keys).
pub const IDP_RSA: &[u8] = include_bytes!("../../keys/idp_rsa.pem");
/// Its public key in PEM form, which anyone may download.
pub const IDP_RSA_PUBLIC: &[u8] = include_bytes!("../../keys/idp_rsa.pub.pem");
/// The key the fixture rotates to (and the second issuer's key).
pub const IDP_RSA_NEXT: &[u8] = include_bytes!("../../keys/idp_rsa_next.pem");

/// The path of the key set; discovery is at `/.well-known/openid-configuration`.
const JWKS_PATH: &str = "/jwks";
const DISCOVERY_PATH: &str = "/.well-known/openid-configuration";

/// A signing key of the fixture: its private half signs tokens, its JWK is published.
#[derive(Clone)]
pub struct Key {
    pub kid: String,
    pub alg: Algorithm,
    encoding: EncodingKey,
    /// The JWK as published: `kty`, key material, `alg`, `kid`, `use: sig`.
    pub jwk: Value,
}

impl Key {
    /// A private key in PEM form (PKCS#8) used with `alg`, published under `kid`.
    pub fn new(pem: &[u8], alg: Algorithm, kid: &str) -> Key {
        portcullis::install_crypto_provider();
        let encoding = match alg {
            Algorithm::ES256 | Algorithm::ES384 => EncodingKey::from_ec_pem(pem),
            Algorithm::EdDSA => EncodingKey::from_ed_pem(pem),
            _ => EncodingKey::from_rsa_pem(pem),
        }
        .unwrap();
        let mut jwk = serde_json::to_value(Jwk::from_encoding_key(&encoding, alg).unwrap()).unwrap();
        jwk["kid"] = json!(kid);
        jwk["use"] = json!("sig");
        Key {
            kid: kid.to_owned(),
            alg,
            encoding,
            jwk,
        }
    }

    /// The fixture's RSA key for RS256.
    pub fn rsa(kid: &str) -> Key {
        Key::new(IDP_RSA, Algorithm::RS256, kid)
    }

    /// The fixture's next RSA key for RS256.
    pub fn rsa_next(kid: &str) -> Key {
        Key::new(IDP_RSA_NEXT, Algorithm::RS256, kid)
    }

    /// The same key published without `alg` (its algorithm follows from `kty`/`crv`).
    pub fn without_alg(mut self) -> Key {
        self.jwk.as_object_mut().unwrap().remove("alg");
        self
    }

    /// The same key with one published member changed (`null` removes it).
    pub fn published_with(mut self, name: &str, value: Value) -> Key {
        let jwk = self.jwk.as_object_mut().unwrap();
        match value {
            Value::Null => jwk.remove(name),
            value => jwk.insert(name.to_owned(), value),
        };
        self
    }

    /// An RFC 9068 access token: header `{alg, kid, typ: at+jwt}`.
    pub fn token(&self, claims: &Value) -> String {
        self.token_with(json!({}), claims)
    }

    /// A token whose header is `{alg, kid, typ: at+jwt}` changed by `changes`
    /// (`null` removes a member); signed with this key and its algorithm.
    pub fn token_with(&self, changes: Value, claims: &Value) -> String {
        self.token_as(self.alg, changes, claims)
    }

    /// Like [`token_with`](Self::token_with), signed with `alg` (same key family).
    pub fn token_as(&self, alg: Algorithm, changes: Value, claims: &Value) -> String {
        let mut header = json!({"alg": format!("{alg:?}"), "kid": self.kid, "typ": "at+jwt"});
        for (name, value) in changes.as_object().unwrap() {
            match value {
                Value::Null => header.as_object_mut().unwrap().remove(name),
                value => header
                    .as_object_mut()
                    .unwrap()
                    .insert(name.clone(), value.clone()),
            };
        }
        signed(&header, claims, &self.encoding, alg)
    }
}

/// A compact JWS over exactly this header and these claims.
pub fn signed(header: &Value, claims: &Value, key: &EncodingKey, alg: Algorithm) -> String {
    portcullis::install_crypto_provider();
    let input = format!("{}.{}", b64(header.to_string()), b64(claims.to_string()));
    let signature = jsonwebtoken::crypto::sign(input.as_bytes(), key, alg).unwrap();
    format!("{input}.{signature}")
}

/// What the fixture answers on one path.
#[derive(Clone)]
pub struct Answer {
    status: StatusCode,
    body: Bytes,
    content_type: &'static str,
    cache_control: Option<String>,
    chunked: bool,
    location: Option<String>,
}

impl Answer {
    /// 200 with this JSON document (and its `Content-Length`).
    pub fn json(document: &Value) -> Answer {
        Answer::raw(StatusCode::OK, document.to_string())
    }

    /// 200 with the key set `{"keys": [...]}` of these keys' JWKs.
    pub fn keys(keys: &[&Key]) -> Answer {
        Answer::jwks(keys.iter().map(|k| k.jwk.clone()).collect())
    }

    /// 200 with the key set `{"keys": jwks}`.
    pub fn jwks(jwks: Vec<Value>) -> Answer {
        Answer::json(&json!({ "keys": jwks }))
    }

    /// Any status with any body, labelled JSON.
    pub fn raw(status: StatusCode, body: impl Into<Bytes>) -> Answer {
        Answer {
            status,
            body: body.into(),
            content_type: "application/json",
            cache_control: None,
            chunked: false,
            location: None,
        }
    }

    /// A redirect to `location` (which an identity-provider client must not follow).
    pub fn redirect(location: &str) -> Answer {
        let mut answer = Answer::raw(StatusCode::FOUND, "");
        answer.location = Some(location.to_owned());
        answer
    }

    /// The same body streamed without `Content-Length` (chunked transfer encoding).
    pub fn chunked(mut self) -> Answer {
        self.chunked = true;
        self
    }

    /// With this `Cache-Control` header.
    pub fn cache_control(mut self, value: &str) -> Answer {
        self.cache_control = Some(value.to_owned());
        self
    }

    /// The body's length in bytes.
    pub fn len(&self) -> usize {
        self.body.len()
    }

    fn response(&self) -> Response<Body> {
        let mut response = Response::builder()
            .status(self.status)
            .header("content-type", self.content_type);
        if let Some(value) = &self.cache_control {
            response = response.header("cache-control", value);
        }
        if let Some(location) = &self.location {
            response = response.header("location", location);
        }
        let body = match self.chunked {
            // A stream of unknown length: hyper sends it chunked, without Content-Length.
            true => Body::from_stream(Body::from(self.body.clone()).into_data_stream()),
            false => Body::from(self.body.clone()),
        };
        response.body(body).unwrap()
    }
}

/// What the server task shares with the test.
struct Shared {
    discovery: Mutex<Answer>,
    jwks: Mutex<Answer>,
    /// `false` holds every key-set answer until it turns `true` again.
    open: watch::Sender<bool>,
    discovery_hits: AtomicUsize,
    jwks_hits: AtomicUsize,
    other_hits: AtomicUsize,
}

/// A running fixture provider; the server stops when it is dropped.
pub struct Fixture {
    /// `http://127.0.0.1:<port>`, the issuer its discovery document names.
    pub issuer: String,
    shared: Arc<Shared>,
    server: JoinHandle<()>,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn serve(State(shared): State<Arc<Shared>>, uri: Uri) -> Response<Body> {
    match uri.path() {
        DISCOVERY_PATH => {
            shared.discovery_hits.fetch_add(1, Ordering::SeqCst);
            let answer = shared.discovery.lock().unwrap().clone();
            answer.response()
        }
        JWKS_PATH => {
            shared.jwks_hits.fetch_add(1, Ordering::SeqCst);
            let mut open = shared.open.subscribe();
            open.wait_for(|open| *open).await.unwrap();
            let answer = shared.jwks.lock().unwrap().clone();
            answer.response()
        }
        _ => {
            shared.other_hits.fetch_add(1, Ordering::SeqCst);
            Answer::raw(StatusCode::NOT_FOUND, "{}").response()
        }
    }
}

impl Fixture {
    /// A provider publishing `keys`, with a discovery document naming itself.
    pub async fn start(keys: &[&Key]) -> Fixture {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let shared = Arc::new(Shared {
            discovery: Mutex::new(Answer::json(&discovery_document(&issuer))),
            jwks: Mutex::new(Answer::keys(keys)),
            open: watch::Sender::new(true),
            discovery_hits: AtomicUsize::new(0),
            jwks_hits: AtomicUsize::new(0),
            other_hits: AtomicUsize::new(0),
        });
        let app = Router::new().fallback(serve).with_state(Arc::clone(&shared));
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Fixture {
            issuer,
            shared,
            server,
        }
    }

    /// The discovery document it serves by default.
    pub fn discovery_document(&self) -> Value {
        discovery_document(&self.issuer)
    }

    /// The URL of its key set.
    pub fn jwks_url(&self) -> String {
        format!("{}{JWKS_PATH}", self.issuer)
    }

    /// Answers discovery with `answer` from now on.
    pub fn serve_discovery(&self, answer: Answer) {
        *self.shared.discovery.lock().unwrap() = answer;
    }

    /// Answers the key set with `answer` from now on.
    pub fn serve_jwks(&self, answer: Answer) {
        *self.shared.jwks.lock().unwrap() = answer;
    }

    /// Publishes exactly these keys from now on.
    pub fn serve_keys(&self, keys: &[&Key]) {
        self.serve_jwks(Answer::keys(keys));
    }

    /// Holds every key-set answer (the request is counted, the answer waits) until
    /// [`release`](Self::release).
    pub fn hold(&self) {
        self.shared.open.send_replace(false);
    }

    /// Lets held and later key-set requests be answered.
    pub fn release(&self) {
        self.shared.open.send_replace(true);
    }

    /// Requests for the key set so far.
    pub fn jwks_hits(&self) -> usize {
        self.shared.jwks_hits.load(Ordering::SeqCst)
    }

    /// Requests for the discovery document so far.
    pub fn discovery_hits(&self) -> usize {
        self.shared.discovery_hits.load(Ordering::SeqCst)
    }

    /// Requests for any other path so far.
    pub fn other_hits(&self) -> usize {
        self.shared.other_hits.load(Ordering::SeqCst)
    }

    /// Every request so far.
    pub fn hits(&self) -> usize {
        self.jwks_hits() + self.discovery_hits() + self.other_hits()
    }

    /// Valid access-token claims of this provider for `sub` (audience
    /// [`API`](super::API), no `typ` claim).
    pub fn claims(&self, sub: &str) -> Value {
        super::claims_of(&self.issuer, sub)
    }
}

fn discovery_document(issuer: &str) -> Value {
    json!({
        "issuer": issuer,
        "jwks_uri": format!("{issuer}{JWKS_PATH}"),
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
    })
}

/// The fixture itself: a chunked answer really comes without `Content-Length`, so the
/// oversized-stream tests exercise the streamed size limit.
#[tokio::test]
async fn chunked_answers_have_no_content_length() {
    use std::io::{Read, Write};
    let fixture = Fixture::start(&[]).await;
    let body = "x".repeat(100);
    for (answer, chunked) in [
        (Answer::raw(StatusCode::OK, body.clone()), false),
        (Answer::raw(StatusCode::OK, body.clone()).chunked(), true),
    ] {
        fixture.serve_jwks(answer);
        let address = fixture.issuer.trim_start_matches("http://").to_owned();
        let head = tokio::task::spawn_blocking(move || {
            let mut stream = std::net::TcpStream::connect(address).unwrap();
            stream
                .write_all(b"GET /jwks HTTP/1.1\r\nhost: fixture\r\nconnection: close\r\n\r\n")
                .unwrap();
            let mut text = String::new();
            stream.read_to_string(&mut text).unwrap();
            text.split("\r\n\r\n").next().unwrap().to_ascii_lowercase()
        })
        .await
        .unwrap();
        assert!(head.starts_with("http/1.1 200"), "{head}");
        assert_eq!(head.contains("transfer-encoding: chunked"), chunked, "{head}");
        assert_eq!(head.contains("content-length: 100"), !chunked, "{head}");
    }
}

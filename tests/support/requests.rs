//! Building requests and sending them through a `Router` (`oneshot`, no TCP).

use axum::Router;
use axum::body::Body;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::{Request, Response, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

/// A response with its body read: JSON when it parses, else a JSON string, `Null` when empty.
pub struct Reply {
    pub status: StatusCode,
    pub headers: http::HeaderMap,
    pub body: Value,
}

impl Reply {
    /// Every `WWW-Authenticate` value.
    pub fn challenges(&self) -> Vec<String> {
        self.headers
            .get_all("www-authenticate")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    /// A header as text; `""` when absent.
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map(|v| v.to_str().unwrap()).unwrap_or("")
    }
}

pub async fn send(app: &Router, request: Request<Body>) -> Reply {
    let response: Response<Body> = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    Reply {
        status,
        headers,
        body,
    }
}

/// The whole response, unparsed, for byte-for-byte comparisons.
pub async fn send_raw(app: &Router, request: Request<Body>) -> (http::response::Parts, Vec<u8>) {
    let response: Response<Body> = app.clone().oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    (parts, body.collect().await.unwrap().to_bytes().to_vec())
}

/// A GET to `uri`, to add headers to (see [`RequestExt`]).
pub fn req(uri: &str) -> http::request::Builder {
    Request::builder().method("GET").uri(uri)
}

/// A GET with `Authorization: Bearer <token>`.
pub fn bearer(uri: &str, token: &str) -> Request<Body> {
    req(uri).bearer(token).empty()
}

/// A POST of `body` as `application/json`.
pub fn post_json(uri: &str, body: &Value) -> Request<Body> {
    Request::post(uri).json(body)
}

/// The JSON body of a password login: `{"username", "password"}`.
pub fn credentials(username: &str, password: &str) -> Value {
    serde_json::json!({"username": username, "password": password})
}

/// The `name=value` of a `Set-Cookie` value: what a `Cookie` header sends back.
pub fn cookie_pair(set_cookie: &http::HeaderValue) -> String {
    let set_cookie = set_cookie.to_str().expect("a visible-ASCII Set-Cookie");
    set_cookie.split(';').next().unwrap_or_default().to_owned()
}

/// The attributes of a `Set-Cookie` value (after `name=value`), trimmed.
pub fn cookie_attributes(set_cookie: &str) -> Vec<String> {
    set_cookie
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_owned())
        .collect()
}

/// The `Authorization` value of HTTP Basic for `user:password`.
pub fn basic(user: &str, password: &str) -> String {
    basic_credentials(format!("{user}:{password}"))
}

/// The `Authorization` value of HTTP Basic for arbitrary (possibly malformed) credentials.
pub fn basic_credentials(user_pass: impl AsRef<[u8]>) -> String {
    format!("Basic {}", STANDARD.encode(user_pass))
}

/// Shorthands on a request builder: `req("/me").bearer(&token).empty()`.
pub trait RequestExt {
    /// `Authorization: Bearer <token>`.
    fn bearer(self, token: &str) -> Self;
    /// `Authorization: Basic ...` for `user:password`.
    fn basic(self, user: &str, password: &str) -> Self;
    /// The request with `body` as `application/json`.
    fn json(self, body: &Value) -> Request<Body>;
    /// The request without a body.
    fn empty(self) -> Request<Body>;
}

impl RequestExt for http::request::Builder {
    fn bearer(self, token: &str) -> Self {
        self.header("authorization", format!("Bearer {token}"))
    }

    fn basic(self, user: &str, password: &str) -> Self {
        self.header("authorization", basic(user, password))
    }

    fn json(self, body: &Value) -> Request<Body> {
        self.header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap()
    }

    fn empty(self) -> Request<Body> {
        self.body(Body::empty()).unwrap()
    }
}

//! Requests to the reference server with `reqwest`'s blocking client: one connection
//! per request (no pooling: every trial's server dies with the trial, and its port may
//! be reused), no proxy, no redirects, no cookie store, and an optional loopback
//! source address.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::blocking::Client;
use serde_json::Value;

/// A loopback address no earlier call returned (`127.0.x.y`, never `127.0.0.x`): the
/// server throttles failed logins per client address too, so requests that are meant
/// to fail come from their own address.
pub fn fresh_source() -> Ipv4Addr {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let third = u8::try_from(1 + n / 250).expect("fewer than 63,000 fresh addresses");
    let fourth = u8::try_from(1 + n % 250).expect("in range");
    Ipv4Addr::new(127, 0, third, fourth)
}

/// The client sending from `source` (the default route's address for `None`), built
/// once per address.
fn client(source: Option<Ipv4Addr>) -> Client {
    static CLIENTS: OnceLock<Mutex<HashMap<Option<Ipv4Addr>, Client>>> = OnceLock::new();
    let mut clients = CLIENTS
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    clients
        .entry(source)
        .or_insert_with(|| {
            Client::builder()
                .no_proxy()
                .redirect(reqwest::redirect::Policy::none())
                .pool_max_idle_per_host(0)
                .timeout(Duration::from_secs(20))
                .local_address(source.map(IpAddr::V4))
                .build()
                .expect("an HTTP client")
        })
        .clone()
}

/// A request to build and send with [`Request::send`].
#[derive(Debug, Clone)]
pub struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    source: Option<Ipv4Addr>,
}

impl Request {
    pub fn new(method: &str, path: &str) -> Self {
        Request {
            method: method.to_owned(),
            path: path.to_owned(),
            headers: Vec::new(),
            body: Vec::new(),
            source: None,
        }
    }

    pub fn get(path: &str) -> Self {
        Self::new("GET", path)
    }

    pub fn post(path: &str) -> Self {
        Self::new("POST", path)
    }

    pub fn put(path: &str) -> Self {
        Self::new("PUT", path)
    }

    pub fn delete(path: &str) -> Self {
        Self::new("DELETE", path)
    }

    /// Sends from this loopback address (see [`fresh_source`]).
    pub fn source(mut self, source: Ipv4Addr) -> Self {
        self.source = Some(source);
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn bearer(self, token: &str) -> Self {
        self.header("Authorization", &format!("Bearer {token}"))
    }

    pub fn basic(self, username: &str, password: &str) -> Self {
        let encoded = STANDARD.encode(format!("{username}:{password}"));
        self.header("Authorization", &format!("Basic {encoded}"))
    }

    pub fn api_key(self, key: &str) -> Self {
        self.header("X-API-Key", key)
    }

    /// `Cookie: <cookie>` (a `name=value` pair).
    pub fn cookie(self, cookie: &str) -> Self {
        self.header("Cookie", cookie)
    }

    pub fn csrf(self, token: &str) -> Self {
        self.header("X-CSRF-Token", token)
    }

    pub fn json(mut self, body: &Value) -> Self {
        self.body = serde_json::to_vec(body).expect("serialize JSON");
        self.header("Content-Type", "application/json")
    }

    /// Sends the request to `127.0.0.1:port` and reads the whole response.
    pub fn send(&self, port: u16) -> Response {
        let method = reqwest::Method::from_bytes(self.method.as_bytes()).expect("an HTTP method");
        let url = format!("http://127.0.0.1:{port}{}", self.path);
        let mut request = client(self.source).request(method, &url).body(self.body.clone());
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        let what = || format!("{} {url} from {:?}", self.method, self.source);
        let response = request.send().unwrap_or_else(|e| panic!("{}: {e:?}", what()));
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                let value = value
                    .to_str()
                    .unwrap_or_else(|e| panic!("{}: header {name} is not text: {e}", what()));
                (name.as_str().to_owned(), value.to_owned())
            })
            .collect();
        let body = response
            .bytes()
            .unwrap_or_else(|e| panic!("{}: read the body: {e:?}", what()))
            .to_vec();
        Response {
            status,
            headers,
            body,
        }
    }
}

/// A response, read completely.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of header `name` (case-insensitive).
    pub fn headers_all(&self, name: &str) -> Vec<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .filter(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON; panics with the body when it is not.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "status {}: body is not JSON ({e}): {:?}",
                self.status,
                self.text()
            )
        })
    }

    /// Asserts the status, printing the response when it differs; returns `self`.
    #[track_caller]
    pub fn expect(&self, status: u16, what: &str) -> &Self {
        assert_eq!(
            self.status,
            status,
            "{what}: expected {status}, got {} with headers {:?} and body {:?}",
            self.status,
            self.headers,
            self.text()
        );
        self
    }

    /// Asserts an error answer: the status and the JSON body `{"error": code, "message": ...}`.
    #[track_caller]
    pub fn expect_error(&self, status: u16, code: &str, what: &str) -> &Self {
        self.expect(status, what);
        let body = self.json();
        assert_eq!(body["error"], code, "{what}: error code in {body}");
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{what}: a human message in {body}"
        );
        self
    }
}

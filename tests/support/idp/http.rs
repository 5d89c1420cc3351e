//! HTTP to the provider with `reqwest::blocking`: its tokens, introspection,
//! revocation, JWKS, discovery and the request counters of `/test/hits`.
//!
//! Each request runs on a short-lived thread of its own, so that the methods may be
//! called from async tests too (`reqwest::blocking` panics inside a tokio runtime); the
//! caller blocks for the few milliseconds of a loopback request. One connection per
//! request (no pooling: the provider is stopped, restarted and paused under the
//! client), no proxy, no redirects, and a timeout on every request.

use std::sync::OnceLock;
use std::time::Duration;

use reqwest::blocking::Client;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::Value;

use super::Idp;

/// The timeout of a whole request to the provider (connect, send, answer).
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

/// Requests that reached the provider's process, failed ones included (`GET /test/hits`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Hits {
    pub discovery: u64,
    pub jwks: u64,
    pub token: u64,
    pub introspection: u64,
    pub revocation: u64,
    /// Any other path of the provider (not the `/test/` ones).
    pub other: u64,
}

/// A response of the provider.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub body: String,
}

impl Response {
    /// The body as JSON (panics if it is not).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| {
            panic!(
                "the IdP answered {} with non-JSON ({e}): {}",
                self.status, self.body
            )
        })
    }
}

impl Idp {
    /// A client-credentials access token for the resource [`Idp::audience`]: an RFC
    /// 9068 JWT signed by the first kid. `scope` may be empty (the token then has none).
    pub fn jwt_token(&self, scope: &str) -> String {
        self.token(&[("scope", scope), ("resource", self.audience())])
    }

    /// A client-credentials access token without a resource: opaque (check it with
    /// [`Idp::introspect`]).
    pub fn opaque_token(&self, scope: &str) -> String {
        self.token(&[("scope", scope)])
    }

    fn token(&self, params: &[(&str, &str)]) -> String {
        let mut form = vec![("grant_type", "client_credentials")];
        form.extend(params.iter().filter(|(_, value)| !value.is_empty()));
        let response = self.token_request(&form);
        assert_eq!(response.status, 200, "token request {form:?}: {}", response.body);
        response.json()["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("no access_token in {}", response.body))
            .to_owned()
    }

    /// A raw request to the token endpoint with this client's credentials (basic).
    pub fn token_request(&self, form: &[(&str, &str)]) -> Response {
        self.post("/token", form)
    }

    /// The provider's introspection (RFC 7662) of `token`, as this client.
    pub fn introspect(&self, token: &str) -> Value {
        let response = self.post("/token/introspection", &[("token", token)]);
        assert_eq!(response.status, 200, "introspection: {}", response.body);
        response.json()
    }

    /// Revokes `token` (RFC 7009) at the provider: its introspection says
    /// `active: false` from then on.
    pub fn revoke(&self, token: &str) {
        let response = self.post("/token/revocation", &[("token", token)]);
        assert_eq!(response.status, 200, "revocation: {}", response.body);
    }

    /// The provider's JWKS document.
    pub fn jwks(&self) -> Value {
        self.get("/jwks").json()
    }

    /// The provider's discovery document.
    pub fn discovery(&self) -> Value {
        self.get("/.well-known/openid-configuration").json()
    }

    /// Requests that reached the provider since its start or the last
    /// [`Idp::reset_hits`] (a restart zeroes them too). Reading them is not counted.
    pub fn hits(&self) -> Hits {
        let response = self.get("/test/hits");
        assert_eq!(response.status, 200, "/test/hits: {}", response.body);
        let json = response.json();
        let count = |kind: &str| json[kind].as_u64().unwrap_or(0);
        Hits {
            discovery: count("discovery"),
            jwks: count("jwks"),
            token: count("token"),
            introspection: count("introspection"),
            revocation: count("revocation"),
            other: count("other"),
        }
    }

    pub fn reset_hits(&self) {
        let response = self.request("POST", "/test/reset", None, &[]);
        assert_eq!(response.status, 200, "/test/reset: {}", response.body);
    }

    /// `GET <issuer><path>`.
    pub fn get(&self, path: &str) -> Response {
        self.request("GET", path, None, &[])
    }

    /// `POST <issuer><path>`, a form authenticated as this client (`client_secret_basic`).
    pub fn post(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.request("POST", path, Some((self.client_id(), self.client_secret())), form)
    }

    /// One request to the provider on 127.0.0.1 (the form is the body of any method but
    /// `GET`); panics if the provider does not answer within the timeout.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        basic: Option<(&str, &str)>,
        form: &[(&str, &str)],
    ) -> Response {
        let url = format!("http://127.0.0.1:{}{path}", self.port());
        // A thread of its own: `reqwest::blocking` must not run on a tokio runtime's.
        let sent = std::thread::scope(|scope| {
            scope
                .spawn(|| send(method, &url, basic, form))
                .join()
                .unwrap_or_else(|_| Err("the request thread panicked".to_owned()))
        });
        sent.unwrap_or_else(|e| panic!("{method} {}{path}: {e}{}", self.issuer(), self.log_tail()))
    }
}

/// `application/x-www-form-urlencoded` (RFC 6749 appendix B: also the client id and
/// secret before they go into Basic).
pub fn form_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(byte as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// The client of every request, built once (on a request's thread, off any runtime).
fn client() -> Result<Client, String> {
    static CLIENT: OnceLock<Result<Client, String>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            Client::builder()
                .no_proxy()
                .redirect(reqwest::redirect::Policy::none())
                .pool_max_idle_per_host(0)
                .connect_timeout(HTTP_TIMEOUT)
                .timeout(HTTP_TIMEOUT)
                .build()
                .map_err(|e| format!("cannot build the HTTP client ({e})"))
        })
        .clone()
}

/// Sends one request and reads the whole answer; must not run on a tokio runtime's
/// thread.
fn send(
    method: &str,
    url: &str,
    basic: Option<(&str, &str)>,
    form: &[(&str, &str)],
) -> Result<Response, String> {
    let method = reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| format!("bad method ({e})"))?;
    let mut request = client()?
        .request(method.clone(), url)
        .header(ACCEPT, "application/json");
    if let Some((user, password)) = basic {
        request = request.basic_auth(form_encode(user), Some(form_encode(password)));
    }
    if method != reqwest::Method::GET {
        let body = form
            .iter()
            .map(|(name, value)| format!("{}={}", form_encode(name), form_encode(value)))
            .collect::<Vec<_>>()
            .join("&");
        request = request
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body);
    }
    let response = request.send().map_err(|e| error_chain(&e))?;
    let status = response.status().as_u16();
    let body = response.bytes().map_err(|e| error_chain(&e))?;
    Ok(Response {
        status,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// `reqwest`'s error with its causes (its `Display` alone hides the reason).
fn error_chain(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

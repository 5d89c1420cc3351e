//! The HTTP client of the identity-provider code: `reqwest` with rustls, a timeout
//! and a size limit on every answer, no redirects, HTTPS only — plain HTTP only to a
//! loopback address and only when the application allowed it (tests, development).

use std::net::IpAddr;
use std::time::Duration;

use reqwest::header::{CACHE_CONTROL, CONTENT_LENGTH};
use reqwest::{Client, Url};

use crate::error::ConfigError;

/// A fetched document and how long the provider says it may be cached.
pub(crate) struct Fetched {
    pub(crate) body: Vec<u8>,
    pub(crate) max_age: Option<Duration>,
}

/// Fetches provider documents within limits.
pub(crate) struct Fetcher {
    client: Client,
    max_bytes: usize,
    allow_http_loopback: bool,
}

impl Fetcher {
    pub(crate) fn new(
        timeout: Duration,
        max_bytes: usize,
        allow_http_loopback: bool,
    ) -> Result<Self, ConfigError> {
        let client = Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("portcullis/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ConfigError::InvalidProvider(format!("the HTTP client could not be built: {e}")))?;
        Ok(Fetcher {
            client,
            max_bytes,
            allow_http_loopback,
        })
    }

    /// `url` if it may be fetched: `https://`, or `http://` to a loopback address
    /// when allowed.
    pub(crate) fn check_url(&self, url: &str) -> Result<Url, String> {
        let parsed = Url::parse(url).map_err(|_| format!("{url:?} is not a URL"))?;
        match parsed.scheme() {
            "https" => Ok(parsed),
            "http" if self.allow_http_loopback && is_loopback(&parsed) => Ok(parsed),
            "http" if self.allow_http_loopback => Err(format!(
                "{url} is plain HTTP to a host that is not a loopback address; identity providers are reached over HTTPS"
            )),
            "http" => Err(format!(
                "{url} is plain HTTP; identity providers are reached over HTTPS (plain HTTP only to a loopback address, with allow_http_on_loopback)"
            )),
            other => Err(format!("{url}: the scheme {other:?} is not HTTPS")),
        }
    }

    /// `GET url`, expecting 200 and at most the size limit.
    pub(crate) async fn get(&self, url: &Url) -> Result<Fetched, String> {
        let response = self
            .client
            .get(url.clone())
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|e| format!("GET {url}: {}", without_url(&e)))?;
        self.read(response).await
    }

    /// `POST url` with a form body and HTTP Basic client authentication
    /// (`client_secret_basic`, RFC 6749 §2.3.1: both parts form-urlencoded first).
    pub(crate) async fn post_form(
        &self,
        url: &Url,
        client: (&str, &str),
        form: &[(&str, &str)],
    ) -> Result<Fetched, String> {
        let body = form
            .iter()
            .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let response = self
            .client
            .post(url.clone())
            .basic_auth(form_encode(client.0), Some(form_encode(client.1)))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| format!("POST {url}: {}", without_url(&e)))?;
        self.read(response).await
    }

    async fn read(&self, mut response: reqwest::Response) -> Result<Fetched, String> {
        let url = response.url().clone();
        if response.status() != reqwest::StatusCode::OK {
            return Err(format!("{url} answered {}", response.status()));
        }
        let declared = response
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        if declared.is_some_and(|n| n > self.max_bytes) {
            return Err(format!(
                "{url}: the answer is larger than {} bytes",
                self.max_bytes
            ));
        }
        let max_age = response
            .headers()
            .get(CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .and_then(max_age);
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| format!("{url}: {}", without_url(&e)))?
        {
            if body.len() + chunk.len() > self.max_bytes {
                return Err(format!(
                    "{url}: the answer is larger than {} bytes",
                    self.max_bytes
                ));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Fetched { body, max_age })
    }
}

/// `max-age=N` of a `Cache-Control` value (`no-store`/`no-cache` → 0).
fn max_age(value: &str) -> Option<Duration> {
    let mut age = None;
    for directive in value.split(',').map(str::trim) {
        let lower = directive.to_ascii_lowercase();
        if lower == "no-store" || lower == "no-cache" {
            return Some(Duration::ZERO);
        }
        if let Some(n) = lower.strip_prefix("max-age=") {
            age = n.trim_matches('"').parse::<u64>().ok().map(Duration::from_secs);
        }
    }
    age
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// A transport error without the URL (it is named once by the caller).
fn without_url(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "the request failed"
    };
    kind.to_owned()
}

/// `application/x-www-form-urlencoded` encoding of one name or value.
fn form_encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::max_age;
    use std::time::Duration;

    #[test]
    fn reads_max_age() {
        assert_eq!(max_age("public, max-age=3600"), Some(Duration::from_secs(3600)));
        assert_eq!(max_age("no-store"), Some(Duration::ZERO));
        assert_eq!(max_age("public"), None);
        assert_eq!(max_age("max-age=abc"), None);
    }
}

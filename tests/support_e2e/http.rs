//! A small blocking HTTP/1.1 client over `std::net::TcpStream`: one request per
//! connection (`Connection: close`), JSON bodies, and responses framed by
//! `Content-Length`, `Transfer-Encoding: chunked` or the end of the connection.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

/// A request to build and send with [`Request::send`].
#[derive(Debug, Clone)]
pub struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    source: Option<Ipv4Addr>,
}

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

/// A connection to `127.0.0.1:port`, from `source` when given (Linux routes all of
/// 127.0.0.0/8 to the loopback interface).
fn connect(port: u16, source: Option<Ipv4Addr>) -> std::io::Result<TcpStream> {
    let server = SocketAddr::from(([127, 0, 0, 1], port));
    let Some(source) = source else {
        return TcpStream::connect(server);
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()?;
    let stream = runtime.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4()?;
        socket.bind(SocketAddr::from((source, 0)))?;
        socket.connect(server).await?.into_std()
    })?;
    stream.set_nonblocking(false)?;
    Ok(stream)
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

    /// Sends the request to `127.0.0.1:port` over a fresh connection and reads the
    /// whole response.
    pub fn send(&self, port: u16) -> Response {
        let mut stream = connect(port, self.source)
            .unwrap_or_else(|e| panic!("connect to 127.0.0.1:{port} from {:?}: {e}", self.source));
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .expect("read timeout");
        stream
            .set_write_timeout(Some(Duration::from_secs(20)))
            .expect("write timeout");
        let mut head = format!(
            "{} {} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.method,
            self.path,
            self.body.len()
        );
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(&self.body);
        stream.write_all(&bytes).expect("write the request");
        let mut raw = Vec::new();
        stream
            .read_to_end(&mut raw)
            .unwrap_or_else(|e| panic!("read the response to {} {}: {e}", self.method, self.path));
        Response::parse(&raw).unwrap_or_else(|e| {
            panic!(
                "{} {}: bad HTTP response ({e}): {:?}",
                self.method,
                self.path,
                String::from_utf8_lossy(&raw)
            )
        })
    }
}

/// A parsed response.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    /// Header names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    fn parse(raw: &[u8]) -> Result<Response, String> {
        let end = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .ok_or("no end of the header block")?;
        let head = std::str::from_utf8(&raw[..end]).map_err(|_| "the head is not UTF-8")?;
        let rest = &raw[end + 4..];
        let mut lines = head.split("\r\n");
        let status_line = lines.next().ok_or("no status line")?;
        let mut parts = status_line.splitn(3, ' ');
        let version = parts.next().unwrap_or("");
        if !version.starts_with("HTTP/1.") {
            return Err(format!("not an HTTP/1.x status line: {status_line}"));
        }
        let status = parts
            .next()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("no status code in {status_line}"))?;
        let mut headers = Vec::new();
        for line in lines {
            let (name, value) = line
                .split_once(':')
                .ok_or_else(|| format!("bad header line {line:?}"))?;
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
        let mut response = Response {
            status,
            headers,
            body: Vec::new(),
        };
        let chunked = response
            .header("transfer-encoding")
            .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
        response.body = if chunked {
            dechunk(rest)?
        } else if let Some(length) = response.header("content-length") {
            let length: usize = length.parse().map_err(|_| "bad Content-Length")?;
            if rest.len() < length {
                return Err(format!("body of {} bytes, Content-Length {length}", rest.len()));
            }
            rest[..length].to_vec()
        } else {
            rest.to_vec()
        };
        Ok(response)
    }

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

/// Decodes a `Transfer-Encoding: chunked` body (trailers ignored).
fn dechunk(mut data: &[u8]) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let line_end = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("a chunk size line without CRLF")?;
        let line = std::str::from_utf8(&data[..line_end]).map_err(|_| "chunk size not UTF-8")?;
        let size_text = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16).map_err(|_| format!("bad chunk size {line:?}"))?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Ok(body);
        }
        if data.len() < size + 2 {
            return Err("a chunk shorter than its size".into());
        }
        body.extend_from_slice(&data[..size]);
        if &data[size..size + 2] != b"\r\n" {
            return Err("a chunk not followed by CRLF".into());
        }
        data = &data[size + 2..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_chunked_and_sized_bodies() {
        let raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\nx-a: 2\r\n\r\n4\r\nWiki\r\n5;ext=1\r\npedia\r\n0\r\n\r\n";
        let response = Response::parse(raw).unwrap();
        assert_eq!(response.status, 200);
        assert_eq!(response.body, b"Wikipedia");
        assert_eq!(response.headers_all("X-A"), ["1", "2"]);
        let raw = b"HTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\n{}";
        let response = Response::parse(raw).unwrap();
        assert_eq!((response.status, response.text().as_str()), (201, "{}"));
        assert!(Response::parse(b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nab").is_err());
    }
}

//! The README's first command: the quickstart example starts, prints a token, and
//! answers curl-like requests over real TCP (JWT, Basic, API key, and 401 without
//! credentials). The example binary is the one `cargo test` builds beside the tests.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Kills the server when the test ends, also when it fails.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn example_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let target = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>");
    target
        .join("examples")
        .join(format!("quickstart{}", std::env::consts::EXE_SUFFIX))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// One HTTP/1.1 request over a fresh connection; returns (status, raw head, body).
fn http(port: u16, path: &str, headers: &[(&str, &str)]) -> (u16, String, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let (head, body) = response.split_once("\r\n\r\n").expect("a full HTTP response");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status code");
    (status, head.to_owned(), body.to_owned())
}

#[test]
fn quickstart_answers_curl_requests() {
    let binary = example_binary();
    assert!(binary.exists(), "{} is built by `cargo test`", binary.display());
    let port = free_port();
    let mut child = Command::new(&binary)
        .env("PORTCULLIS_ADDR", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the example");
    let stdout = child.stdout.take().expect("stdout");
    let _server = Server(child);

    let mut token = None;
    let mut lines = BufReader::new(stdout).lines();
    for line in lines.by_ref().take(10) {
        let line = line.expect("utf-8 output");
        if let Some(rest) = line.split("Bearer ").nth(1) {
            token = rest.split('\'').next().map(str::to_owned);
            break;
        }
    }
    let token = token.expect("the example prints a bearer token");

    let (status, _, body) = http(port, "/me", &[("Authorization", &format!("Bearer {token}"))]);
    assert_eq!(status, 200, "{body}");
    let body: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(body["username"], "alice");
    assert_eq!(body["scheme"], "jwt");

    let (status, head, body) = http(port, "/me", &[]);
    assert_eq!(status, 401);
    assert_eq!(head.matches("www-authenticate:").count(), 3, "{head}");
    assert!(body.contains("missing_credentials"), "{body}");

    let (status, head, _) = http(port, "/me", &[("Authorization", "Bearer not.a.token")]);
    assert_eq!(status, 401);
    assert!(head.contains("error=\"invalid_request\""), "{head}");

    let (status, _, body) = http(port, "/me", &[("X-API-Key", "pk_demo_bob_0123456789abcdef")]);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"scheme\":\"api_key\""), "{body}");

    // alice:alice-password-1
    let (status, _, body) = http(
        port,
        "/me",
        &[("Authorization", "Basic YWxpY2U6YWxpY2UtcGFzc3dvcmQtMQ==")],
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"scheme\":\"basic\""), "{body}");

    let (status, _, body) = http(port, "/hello", &[]);
    assert_eq!((status, body.as_str()), (200, "{\"hello\":\"stranger\"}"));
}

//! The quickstart example (`cargo run --example quickstart`): it starts, prints a token,
//! and answers curl-like requests over real TCP (JWT, Basic, API key, and 401 without
//! credentials). The example binary is the one `cargo test` builds beside the tests.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};

use crate::client::Request;

/// Kills the example when the trial ends, also when it fails.
struct Example(Child);

impl Drop for Example {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn quickstart_answers_curl_requests() {
    let binary =
        crate::server::example_binary().with_file_name(format!("quickstart{}", std::env::consts::EXE_SUFFIX));
    assert!(binary.exists(), "{} is built by `cargo test`", binary.display());
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut child = Command::new(&binary)
        .env("PORTCULLIS_ADDR", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the example");
    let stdout = child.stdout.take().expect("stdout");
    let _example = Example(child);

    // The example prints `curl -H 'Authorization: Bearer <token>' ...` once it listens.
    // Its output is read to the end on a thread: a pipe closed early would make the
    // example's next `println!` fail and the process die mid-test.
    let mut lines = BufReader::new(stdout).lines();
    let token = lines
        .by_ref()
        .take(10)
        .map(|line| line.expect("utf-8 output"))
        .find_map(|line| Some(line.split("Bearer ").nth(1)?.split('\'').next()?.to_owned()))
        .expect("the example prints a bearer token");
    std::thread::spawn(move || lines.for_each(drop));

    let me = Request::get("/me").bearer(&token).send(port);
    me.expect(200, "a JWT");
    assert_eq!(
        (me.json()["username"].as_str(), me.json()["scheme"].as_str()),
        (Some("alice"), Some("jwt"))
    );

    let anonymous = Request::get("/me").send(port);
    anonymous.expect_error(401, "missing_credentials", "no credentials");
    assert_eq!(
        anonymous.headers_all("www-authenticate").len(),
        3,
        "{:?}",
        anonymous.headers
    );

    let malformed = Request::get("/me").bearer("not.a.token").send(port);
    malformed.expect(401, "a malformed token");
    assert!(
        malformed
            .headers_all("www-authenticate")
            .iter()
            .any(|c| c.contains("error=\"invalid_request\""))
    );

    let by_key = Request::get("/me")
        .api_key("pk_demo_bob_0123456789abcdef")
        .send(port);
    by_key.expect(200, "an API key");
    assert_eq!(by_key.json()["scheme"], "api_key");

    let by_password = Request::get("/me").basic("alice", "alice-password-1").send(port);
    by_password.expect(200, "Basic");
    assert_eq!(by_password.json()["scheme"], "basic");

    let hello = Request::get("/hello").send(port);
    hello.expect(200, "a public route");
    assert_eq!(hello.text(), "{\"hello\":\"stranger\"}");
}

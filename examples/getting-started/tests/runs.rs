//! Builds and runs the getting-started app as a user would, and talks to it over HTTP:
//! login, the protected routes, the 401 and 403 answers — and checks that the README
//! shows this very code and these very dependency lines.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

struct App(Child);

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start() -> (App, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_getting-started"))
        .env(
            "JWT_SECRET",
            "Zm9yIHRoZSBnZXR0aW5nLXN0YXJ0ZWQgdGVzdCBvbmx5IDAxMjM0NTY3ODk",
        )
        .env("ADDR", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .spawn()
        .expect("the getting-started binary");
    let stdout = child.stdout.take().expect("its stdout");
    let mut reader = BufReader::new(stdout);
    let mut line = String::new();
    reader.read_line(&mut line).expect("its first line");
    // Keep reading: a closed pipe would make the app's next print fail.
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_owned();
    (App(child), base)
}

#[test]
fn the_getting_started_app_answers_over_http() {
    let (_app, base) = start();
    let client = reqwest::blocking::Client::new();

    let anonymous = client.get(format!("{base}/me")).send().unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(anonymous.headers()["www-authenticate"], "Bearer realm=\"api\"");

    let wrong = client
        .post(format!("{base}/login"))
        .header("content-type", "application/json")
        .body(json!({"username": "ada", "password": "not-her-password"}).to_string())
        .send()
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let body: Value = serde_json::from_str(&wrong.text().unwrap()).unwrap();
    assert_eq!(body["error"], "invalid_credentials");

    let login = client
        .post(format!("{base}/login"))
        .header("content-type", "application/json")
        .body(json!({"username": "ada", "password": "ada-password-1"}).to_string())
        .send()
        .unwrap();
    assert_eq!(login.status(), 200);
    let pair: Value = serde_json::from_str(&login.text().unwrap()).unwrap();
    let token = pair["access_token"].as_str().expect("an access token");

    let me = client
        .get(format!("{base}/me"))
        .bearer_auth(token)
        .send()
        .unwrap();
    assert_eq!(me.status(), 200);
    assert_eq!(me.text().unwrap(), "hello ada (1)");
    let admin = client
        .get(format!("{base}/admin"))
        .bearer_auth(token)
        .send()
        .unwrap();
    assert_eq!(admin.status(), 200);
    assert_eq!(admin.text().unwrap(), "the admin area");
    let tampered = client
        .get(format!("{base}/me"))
        .bearer_auth(format!("{token}x"))
        .send()
        .unwrap();
    assert_eq!(tampered.status(), 401);
}

/// The README's "Getting started" shows this crate's `src/main.rs` and dependency lines.
#[test]
fn the_readme_shows_this_crate() {
    let readme = include_str!("../../../README.md");
    let main = include_str!("../src/main.rs");
    let code = main
        .split_once("\n\n")
        .map(|(_, rest)| rest)
        .expect("the module docs, then the code");
    assert!(
        readme.contains(code.trim()),
        "README.md must show examples/getting-started/src/main.rs (after its module docs) verbatim"
    );
    let manifest = include_str!("../Cargo.toml");
    for line in manifest.lines().filter(|l| {
        ["axum =", "tokio =", "serde_json ="]
            .iter()
            .any(|d| l.starts_with(d))
    }) {
        assert!(
            readme.contains(line),
            "README.md must list the dependency line {line:?}"
        );
    }
}

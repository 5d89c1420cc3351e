//! The reference server behind a real OpenID provider (`PORTCULLIS_OIDC_*`, DESIGN §5):
//! provider users reach `/me`, `/users`, `/admin/users` and `GET /posts` through their
//! mapped roles and permissions and get 403 on every route that stores rows under a
//! local user id (404 for a missing id first); opaque tokens are introspected; the
//! server starts before its provider (provider tokens 503 until the first key set);
//! a plain-HTTP issuer outside development mode stops it at start-up.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::client::{Request, Response};
use crate::idp::{CLIENT_ID, CLIENT_SECRET, Idp};
use crate::server::{Server, example_binary};
use crate::suite::Suite;

fn provider_env(idp: &Idp) -> Vec<(&'static str, String)> {
    vec![
        ("PORTCULLIS_OIDC_ISSUER", idp.issuer().to_owned()),
        ("PORTCULLIS_OIDC_AUDIENCE", idp.audience().to_owned()),
        ("PORTCULLIS_OIDC_REFETCH_INTERVAL", "1".to_owned()),
    ]
}

fn start(label: &str, env: &[(&'static str, String)]) -> Server {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Server::start(label, None, &env)
}

/// `GET /me` with `token` until it answers `status` (the key set arrives in the
/// background) or 15 s passed.
fn me_until(server: &Server, token: &str, status: u16) -> Response {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let response = server.send(Request::get("/me").bearer(token));
        if response.status == status || Instant::now() >= deadline {
            return response;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

pub fn provider_users_read_and_never_write_local_rows() {
    let idp = Idp::start(&["k1"]);
    let server = start("idp-users", &provider_env(&idp));
    let t = Suite {
        label: "idp-users",
        server: &server,
    };
    let token = idp.jwt_token("api:read");
    let me = me_until(&server, &token, 200);
    me.expect(200, "a provider token on /me");
    assert_eq!(
        me.json(),
        json!({
            "id": CLIENT_ID, "username": "service-bot", "roles": ["admin"],
            "scopes": ["api:read"], "scheme": "jwt",
        })
    );
    server
        .send(Request::get("/admin/users").bearer(&token))
        .expect(200, "admin role from the provider");
    server
        .send(Request::get("/users").bearer(&token))
        .expect(200, "users:read from the provider");

    // alice's rows: an unpublished post and an API key.
    let (alice, _) = t.login("alice", "alice-password-1");
    let post = server.send(
        Request::post("/posts")
            .bearer(&alice)
            .json(&json!({ "title": "draft", "body": "unpublished", "published": false })),
    );
    post.expect(201, "alice's draft");
    let post_id = post.json()["id"].as_i64().expect("post id");
    let key = server.send(Request::post("/api-keys").bearer(&alice));
    key.expect(201, "alice's API key");
    let key_id = key.json()["id"].as_i64().expect("key id");

    let posts = server.send(Request::get("/posts").bearer(&token));
    posts.expect(200, "GET /posts as an authenticated reader");
    assert!(
        posts
            .json()
            .as_array()
            .expect("a list")
            .iter()
            .any(|p| p["id"] == post_id),
        "provider users read unpublished posts: {}",
        posts.text()
    );

    // Every route that stores rows under a local user id: 403 whatever the roles
    // (this user is an admin), 404 first for a missing id.
    let forbidden = |request: Request, what: &str| {
        server
            .send(request.bearer(&token))
            .expect_error(403, "forbidden", what);
    };
    forbidden(
        Request::post("/posts").json(&json!({ "title": "t", "body": "b", "published": true })),
        "POST /posts",
    );
    forbidden(Request::post("/api-keys"), "POST /api-keys");
    forbidden(
        Request::delete(&format!("/api-keys/{key_id}")),
        "DELETE /api-keys/{id}",
    );
    forbidden(
        Request::put(&format!("/posts/{post_id}"))
            .json(&json!({ "title": "t", "body": "b", "published": true })),
        "PUT /posts/{id}",
    );
    forbidden(
        Request::delete(&format!("/posts/{post_id}")),
        "DELETE /posts/{id}",
    );
    forbidden(
        Request::post("/users/1/change_username").json(&json!({ "username": "mallory" })),
        "change_username",
    );
    forbidden(Request::get("/auth/confirm"), "GET /auth/confirm");
    forbidden(Request::post("/auth/confirm"), "POST /auth/confirm");
    forbidden(
        Request::post("/auth/password").json(&json!({
            "current_password": "provider-users-have-none", "new_password": "a-new-password-1"
        })),
        "POST /auth/password",
    );
    forbidden(
        Request::post("/auth/logout").json(&json!({ "refresh_token": "x".repeat(43) })),
        "POST /auth/logout",
    );
    let missing = |request: Request, what: &str| {
        server.send(request.bearer(&token)).expect(404, what);
    };
    missing(Request::delete("/api-keys/999999"), "DELETE of a missing key");
    missing(
        Request::put("/posts/999999").json(&json!({ "title": "t", "body": "b", "published": true })),
        "PUT of a missing post",
    );
    missing(Request::delete("/posts/999999"), "DELETE of a missing post");
    missing(
        Request::post("/users/999999/change_username").json(&json!({ "username": "mallory" })),
        "change_username of a missing user",
    );

    // The server's own tokens are unaffected, and name the local user.
    let me = server.send(Request::get("/me").bearer(&alice));
    me.expect(200, "alice's own token");
    assert_eq!(me.json()["id"], 1);
}

pub fn opaque_provider_tokens_are_introspected() {
    let idp = Idp::start(&["k1"]);
    let mut env = provider_env(&idp);
    env.push(("PORTCULLIS_OIDC_CLIENT_ID", CLIENT_ID.to_owned()));
    env.push(("PORTCULLIS_OIDC_CLIENT_SECRET", CLIENT_SECRET.to_owned()));
    let server = start("idp-introspection", &env);
    let opaque = idp.opaque_token("api:read");
    let me = me_until(&server, &opaque, 200);
    me.expect(200, "an opaque provider token on /me");
    assert_eq!(me.json()["id"], CLIENT_ID);
    assert_eq!(me.json()["scopes"], json!(["api:read"]));
    let revoked = idp.opaque_token("api:read");
    idp.revoke(&revoked);
    server.send(Request::get("/me").bearer(&revoked)).expect_error(
        401,
        "invalid_token",
        "a revoked opaque token",
    );
}

pub fn the_server_starts_before_its_provider() {
    let mut idp = Idp::start(&["k1"]);
    let token = idp.jwt_token("api:read");
    idp.stop();
    let server = start("idp-down", &provider_env(&idp));
    let t = Suite {
        label: "idp-down",
        server: &server,
    };
    let response = server.send(Request::get("/me").bearer(&token));
    response.expect_error(
        503,
        "temporarily_unavailable",
        "a provider token before any key set",
    );
    assert!(
        response.header("retry-after").is_some(),
        "Retry-After: {:?}",
        response.headers
    );
    // Its own tokens are unaffected.
    let (alice, _) = t.login("alice", "alice-password-1");
    server
        .send(Request::get("/me").bearer(&alice))
        .expect(200, "alice while the provider is down");

    idp.restart(&["k1"]);
    me_until(&server, &token, 200).expect(200, "the provider's token once its keys arrived");
}

/// Runs the server binary with `env`, expecting it to stop at start-up; its output.
fn refused_at_start_up(env: &[(&str, &str)]) -> String {
    let mut command = Command::new(example_binary());
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("PORTCULLIS_ADDR", "127.0.0.1:0")
        .env("PORTCULLIS_DATABASE_URL", "sqlite::memory:")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().expect("start the reference server");
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() >= deadline {
            let _ = child.kill();
            panic!("the server started with {env:?}; it must refuse");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().expect("its output");
    assert!(!output.status.success(), "exit status {}", output.status);
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

pub fn a_plain_http_issuer_is_refused_outside_development_mode() {
    let output = refused_at_start_up(&[
        ("PORTCULLIS_DEV", "0"),
        ("PORTCULLIS_OIDC_ISSUER", "http://127.0.0.1:9"),
    ]);
    assert!(output.contains("PORTCULLIS_OIDC_ISSUER"), "{output}");
    let output = refused_at_start_up(&[
        ("PORTCULLIS_DEV", "1"),
        ("PORTCULLIS_OIDC_ISSUER", "http://idp.example.com"),
    ]);
    assert!(
        output.contains("PORTCULLIS_OIDC_ISSUER") && output.contains("loopback"),
        "{output}"
    );
}

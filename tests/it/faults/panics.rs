//! A requirement predicate or policy that panics: with the gate's
//! `catch_panic_layer`, that request gets 500 `server_error` from the library's
//! renderer (JSON, or problem+json when configured) and the server keeps serving the
//! next requests on the same socket; without it, axum drops the connection and the
//! client gets no answer at all. Over a real TCP server, where a dropped connection
//! shows.

use std::net::SocketAddr;
use std::time::Duration;

use axum::routing::get;
use axum::{Json, Router};
use portcullis::{
    AuthInfo, ErrorRenderer, JsonRenderer, Portcullis, ProblemJsonRenderer, auth, policy, require,
};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::support::*;

fn explodes(_user: &User, _info: &AuthInfo) -> bool {
    panic!("injected fault: a requirement predicate panicked");
}

#[policy]
async fn explosive(user: &User) -> bool {
    tokio::task::yield_now().await;
    panic!("injected fault: policy for user {} panicked", user.id);
}

#[auth(jwt)]
#[require(fn = explodes)]
async fn by_predicate(user: User) -> Json<Value> {
    Json(json!({"id": user.id}))
}

#[auth(jwt)]
#[require(explosive(user))]
async fn by_policy(user: User) -> Json<Value> {
    Json(json!({"id": user.id}))
}

#[auth(jwt)]
async fn me(user: User) -> Json<Value> {
    Json(json!({"id": user.id}))
}

/// The routes, with the gate's panic layer when `catch` (its renderer: `renderer`).
fn app(renderer: impl ErrorRenderer, catch: bool) -> Router {
    let auth: Portcullis<User> = builder(users()).renderer(renderer).build().unwrap();
    let routes = Router::new()
        .route("/predicate", get(by_predicate))
        .route("/policy", get(by_policy))
        .route("/me", get(me));
    let routes = match catch {
        true => routes.layer(auth.catch_panic_layer()),
        false => routes,
    };
    routes.with_state(AppState { auth })
}

/// Serves `app` on a loopback port (the task ends with the test's runtime).
async fn serve(app: Router) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// An answer read off the socket: status, lower-cased head, body.
struct Answer {
    status: u16,
    head: String,
    body: Value,
}

/// `GET path` with alice's token on a connection that sends one request after another;
/// `None` when the server closed the connection without answering.
async fn get_on(stream: &mut TcpStream, path: &str) -> Option<Answer> {
    let token = hs256(&claims("1"));
    let request = format!("GET {path} HTTP/1.1\r\nhost: test\r\nauthorization: Bearer {token}\r\n\r\n");
    stream.write_all(request.as_bytes()).await.ok()?;
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let read = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk))
            .await
            .expect("an answer or a closed connection within 10 s");
        let n = read.ok()?;
        if n == 0 {
            return None; // closed
        }
        bytes.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let head = head.to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length: "))
                .expect("a content-length")
                .trim()
                .parse()
                .unwrap();
            if body.len() >= length {
                let status = head[9..12].parse().unwrap();
                let body = serde_json::from_str(&body[..length]).unwrap_or(Value::Null);
                return Some(Answer { status, head, body });
            }
        }
    }
}

#[tokio::test]
async fn a_panicking_predicate_or_policy_answers_500_and_the_server_keeps_serving() {
    let addr = serve(app(JsonRenderer, true)).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    for path in ["/predicate", "/policy", "/predicate"] {
        let answer = get_on(&mut stream, path)
            .await
            .expect("an answer, not a dropped connection");
        assert_eq!(answer.status, 500, "{path}: {}", answer.head);
        assert!(
            answer.head.contains("content-type: application/json"),
            "{}",
            answer.head
        );
        assert!(!answer.head.contains("www-authenticate"), "{}", answer.head);
        assert_eq!(
            answer.body,
            json!({"error": "server_error", "message": "the server failed to answer this request"})
        );
        // The next request on the same connection is served.
        let next = get_on(&mut stream, "/me").await.expect("the next answer");
        assert_eq!((next.status, next.body), (200, json!({"id": 1})));
    }
    // And on a new connection.
    let mut other = TcpStream::connect(addr).await.unwrap();
    let answer = get_on(&mut other, "/me").await.unwrap();
    assert_eq!((answer.status, answer.body), (200, json!({"id": 1})));
}

#[tokio::test]
async fn the_500_comes_from_the_configured_renderer() {
    let addr = serve(app(ProblemJsonRenderer, true)).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let answer = get_on(&mut stream, "/predicate").await.unwrap();
    assert_eq!(answer.status, 500);
    assert!(
        answer.head.contains("content-type: application/problem+json"),
        "{}",
        answer.head
    );
    assert_eq!(answer.body["status"], 500);
    assert_eq!(answer.body["code"], "server_error");
    assert_eq!(answer.body["title"], "Internal Server Error");
}

#[tokio::test]
async fn without_the_layer_the_connection_is_dropped() {
    // What the layer is for: axum answers nothing to a request whose handler panicked.
    let addr = serve(app(JsonRenderer, false)).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    assert!(get_on(&mut stream, "/predicate").await.is_none());
    let mut other = TcpStream::connect(addr).await.unwrap();
    assert_eq!(get_on(&mut other, "/me").await.unwrap().status, 200);
}

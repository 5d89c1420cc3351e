//! An identity provider whose key set turns bad after a good one was fetched: the
//! endpoint hangs (accepts, never answers), hangs after the headers (a body that never
//! ends), resets the connection, or serves garbage or an oversized document. Each
//! time: a token signed with a key held keeps passing, also while a refetch is under
//! way (it never waits for one); a token naming an unknown key (which makes the
//! provider refetch) is refused with 401 "unknown key" within the fetch time-out (the
//! gate judges by the keys it holds; a provider it cannot reach publishes nothing new);
//! and once the endpoint serves keys again, a rotated key is accepted without a restart.
//!
//! The provider is a raw TCP server here ([`BadProvider`]), since a well-behaved HTTP
//! server cannot reset a connection or stall mid-body on demand.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use http::StatusCode;
use portcullis::identity::IdentityProvider;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::timed;
use crate::oidc::{
    API, Key, UNKNOWN_KEY, assert_refused, assert_user, build, claims_of, eventually, forged_kid, me_with,
    router,
};

/// The fetch time-out of these providers.
const FETCH: Duration = Duration::from_millis(800);

/// The refetch interval of these providers, and a wait just past it.
const INTERVAL: Duration = Duration::from_secs(1);
const PAST_INTERVAL: Duration = Duration::from_millis(1100);

/// The document size limit of these providers.
const MAX_BYTES: usize = 16 * 1024;

/// The bound on an unknown-kid answer: a request may find a background fetch under
/// way (at most [`FETCH`]) and then fetch itself (at most [`FETCH`] again); the rest
/// is room for a loaded machine. A request stalled on the endpoint could not meet it.
const BOUND: Duration = Duration::from_secs(6);

/// What the key-set endpoint does.
#[derive(Clone)]
enum Mode {
    /// 200 with this key set.
    Keys(String),
    /// Reads the request, then never answers (the connection stays open).
    Hang,
    /// Sends the head of a 200 with a `Content-Length`, then nothing more.
    HangMidBody,
    /// Reads the request, then resets the connection (RST).
    Reset,
    /// 200 with this body (not a key set).
    Body(String),
}

/// The misbehaving key-set endpoint: any path, every request answered per [`Mode`].
struct BadProvider {
    url: String,
    mode: Arc<Mutex<Mode>>,
    hits: Arc<AtomicUsize>,
}

impl BadProvider {
    async fn start(keys: &[&Key]) -> BadProvider {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/jwks", listener.local_addr().unwrap());
        let mode = Arc::new(Mutex::new(Mode::Keys(key_set(keys))));
        let hits = Arc::new(AtomicUsize::new(0));
        let (m, h) = (Arc::clone(&mode), Arc::clone(&hits));
        tokio::spawn(async move {
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                let mode = m.lock().unwrap().clone();
                h.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(answer(stream, mode));
            }
        });
        BadProvider { url, mode, hits }
    }

    fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

fn key_set(keys: &[&Key]) -> String {
    json!({"keys": keys.iter().map(|k| k.jwk.clone()).collect::<Vec<_>>()}).to_string()
}

async fn answer(mut stream: TcpStream, mode: Mode) {
    // The request head (the client sends no body).
    let mut head = Vec::new();
    let mut byte = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut byte).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&byte[..n]),
        }
    }
    let ok = |body: &str| {
        format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    match mode {
        Mode::Keys(body) | Mode::Body(body) => {
            let _ = stream.write_all(ok(&body).as_bytes()).await;
        }
        Mode::Hang => tokio::time::sleep(Duration::from_secs(3600)).await,
        Mode::HangMidBody => {
            let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"keys\": [";
            let _ = stream.write_all(head.as_bytes()).await;
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        Mode::Reset => {
            // Linger 0: closing sends RST instead of FIN.
            let _ = stream.set_zero_linger();
            drop(stream);
        }
    }
}

const ISSUER: &str = "https://idp.faults.test";

/// A provider of [`ISSUER`] whose keys are at `url`: a 1 s refetch interval (the least
/// allowed), the
/// fetch time-out [`FETCH`], documents up to [`MAX_BYTES`].
fn provider(url: &str) -> IdentityProvider {
    IdentityProvider::jwks_url(ISSUER, url)
        .audience(API)
        .allow_http_on_loopback()
        .refetch_interval(INTERVAL)
        .fetch_timeout(FETCH)
        .max_document_bytes(MAX_BYTES)
}

async fn ready(idp: &BadProvider) -> Router {
    let auth = build(provider(&idp.url));
    auth.wait_for_identity_providers(Duration::from_secs(10))
        .await
        .expect("the first key set");
    assert!(idp.hits() >= 1);
    router(auth)
}

/// The whole scenario with the endpoint turned to `fault`.
async fn keys_survive(fault: Mode, what: &str) {
    let key = Key::rsa("idp-1");
    let idp = BadProvider::start(&[&key]).await;
    let app = ready(&idp).await;
    let known = key.token(&claims_of(ISSUER, "u"));
    assert_user(&me_with(&app, &known).await, "u", ISSUER);

    idp.set(fault);
    // Past the refetch interval: the next unknown kid fetches.
    tokio::time::sleep(PAST_INTERVAL).await;
    let before = idp.hits();
    let forged = key.token_with(json!({"kid": forged_kid()}), &claims_of(ISSUER, "f"));
    let pending = {
        let (app, forged) = (app.clone(), forged.clone());
        tokio::spawn(async move { timed(me_with(&app, &forged)).await })
    };
    eventually("a refetch reaching the endpoint", || async {
        idp.hits() > before
    })
    .await;

    // Meanwhile the key held keeps working, without waiting for that fetch.
    let (r, took) = timed(me_with(&app, &known)).await;
    assert_user(&r, "u", ISSUER);
    eprintln!("{what}: known kid answered 200 in {took:?} during the refetch");

    let (r, took) = pending.await.unwrap();
    assert_refused(&r, UNKNOWN_KEY);
    assert!(
        took < BOUND,
        "{what}: the unknown kid was answered after {took:?}"
    );
    eprintln!("{what}: unknown kid answered 401 in {took:?} (fetch time-out {FETCH:?})");
    // Again, after another interval: the same, and the key held still passes.
    tokio::time::sleep(PAST_INTERVAL).await;
    let (r, took) = timed(me_with(&app, &forged)).await;
    assert_refused(&r, UNKNOWN_KEY);
    assert!(
        took < BOUND,
        "{what}: the unknown kid was answered after {took:?}"
    );
    assert_user(&me_with(&app, &known).await, "u", ISSUER);

    // Recovery: the endpoint serves a rotated set; its new key is accepted, no restart.
    let next = Key::rsa_next("idp-2");
    idp.set(Mode::Keys(key_set(&[&key, &next])));
    let fresh = next.token(&claims_of(ISSUER, "n"));
    eventually("the rotated key accepted", || async {
        let r = me_with(&app, &fresh).await;
        match r.status {
            StatusCode::OK => true,
            _ => {
                assert_refused(&r, UNKNOWN_KEY);
                false
            }
        }
    })
    .await;
    assert_user(&me_with(&app, &known).await, "u", ISSUER);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_set_endpoint_that_hangs() {
    keys_survive(Mode::Hang, "hang").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_set_endpoint_that_hangs_mid_body() {
    keys_survive(Mode::HangMidBody, "hang mid-body").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_set_endpoint_that_resets_the_connection() {
    keys_survive(Mode::Reset, "reset").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_set_endpoint_that_serves_garbage() {
    keys_survive(Mode::Body("\u{0}\u{1}<html>{\"keys\": [".into()), "garbage").await;
    keys_survive(Mode::Body(json!({"keys": "none"}).to_string()), "keys not a list").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_set_endpoint_that_serves_an_oversized_document() {
    let huge = format!("{{\"keys\": [], \"padding\": \"{}\"}}", "x".repeat(4 * MAX_BYTES));
    keys_survive(Mode::Body(huge), "oversized").await;
}

//! `RedisStore` under failure, each test against its own `redis-server` (free loopback
//! port, no persistence, killed when the test ends, even by a panic). It proves:
//!
//! - while the server is down, every store method returns `Err(StoreError)` within
//!   2 s (no hang), call after call, and connecting to it fails as fast;
//! - while the server hangs (SIGSTOP: the connection stays open, nothing answers),
//!   calls still fail within 2 s, and work again once it resumes;
//! - over HTTP, a `Portcullis` whose revocation store is a `RedisStore` answers 503
//!   (with `Retry-After`, never 200) to a JWT with a `jti` while Redis is down; after
//!   the server restarts on the same port the same app answers 200 again without being
//!   rebuilt, and a revocation written after the recovery is honoured (401);
//! - two `RedisStore`s (two server instances) on one Redis and prefix see each other's
//!   revocations (also through two apps), sessions, refresh rotations and throttle
//!   counts, and a store with another prefix sees none of them;
//! - every key the store writes has a TTL within its bound (a session key never
//!   outlives its absolute limit) and throttle keys do not hold the user name.
//!
//! Without `redis-server` on PATH the trials are ignored, or fail with
//! `PORTCULLIS_REQUIRE_REDIS=1` (see `tests/support/services.rs`).

use std::future::Future;
use std::time::{Duration, Instant, SystemTime};

use crate::redis_server::{RedisServer, prefix};
use crate::support::*;
use axum::{Json, Router, routing::get};
use portcullis::{
    Portcullis, RedisStore, RefreshStore, RevocationStore, Rotation, SessionRecord, SessionStore, StoreError,
    ThrottleStore, auth,
};
use serde_json::{Value, json};

/// How long any store call may take against a dead or hung server.
const FAIL_FAST: Duration = Duration::from_secs(2);

const HOUR: Duration = Duration::from_secs(3600);

#[auth(jwt)]
async fn me(user: User) -> Json<Value> {
    Json(json!({"id": user.id}))
}

fn app(store: RedisStore) -> Router {
    let auth = Portcullis::builder(users())
        .jwt(jwt_config())
        .revocations(store)
        .build()
        .expect("valid configuration");
    Router::new().route("/me", get(me)).with_state(AppState { auth })
}

async fn connect(server: &RedisServer, prefix: &str) -> RedisStore {
    RedisStore::connect(&server.url(), prefix)
        .await
        .expect("connect to the test redis-server")
}

/// Runs `call`, asserting it fails within [`FAIL_FAST`]; returns how long it took.
async fn fails_fast<T: std::fmt::Debug>(
    what: &str,
    call: impl Future<Output = Result<T, StoreError>>,
) -> Duration {
    let started = Instant::now();
    let result = tokio::time::timeout(Duration::from_secs(10), call).await;
    let took = started.elapsed();
    let result = result.unwrap_or_else(|_| panic!("{what} hung for 10 s"));
    let error = result.expect_err(&format!("{what} succeeded without Redis"));
    assert!(took < FAIL_FAST, "{what} took {took:?} to fail");
    assert!(
        error.to_string().starts_with("store unavailable: redis"),
        "{what}: {error}"
    );
    took
}

/// Every method of every store trait once, all at the same time (as concurrent
/// requests would); the slowest failure.
async fn every_method_fails_fast(store: &RedisStore) -> Duration {
    let until = SystemTime::now() + HOUR;
    let record = SessionRecord {
        user_id: "1".into(),
        csrf_token: "c".into(),
        created: SystemTime::now(),
    };
    let timings = tokio::join!(
        fails_fast("revoke", store.revoke("jti", until)),
        fails_fast("is_revoked", store.is_revoked("jti")),
        fails_fast("refresh start", store.start("fam", "1", &[1; 32], HOUR, HOUR)),
        fails_fast("refresh rotate", store.rotate("fam", 0, &[1; 32], &[2; 32], HOUR)),
        fails_fast("refresh revoke_family", store.revoke_family("fam")),
        fails_fast("session create", store.create(&[3; 32], &record, HOUR)),
        fails_fast("session touch", store.touch(&[3; 32], HOUR, HOUR)),
        fails_fast("session destroy", store.destroy(&[3; 32])),
        fails_fast("throttle record_failure", store.record_failure("k", HOUR)),
        fails_fast("throttle failures", store.failures("k")),
    );
    let (a, b, c, d, e, f, g, h, i, j) = timings;
    [a, b, c, d, e, f, g, h, i, j].into_iter().max().unwrap()
}

pub async fn every_method_fails_fast_while_redis_is_down() {
    let mut server = RedisServer::start();
    let store = connect(&server, &prefix()).await;
    store.revoke("jti", SystemTime::now() + HOUR).await.unwrap();
    assert!(store.is_revoked("jti").await.unwrap());

    server.stop();
    // The first round meets the dropped connection, the later ones the failing reconnects.
    for round in 1..=3 {
        let slowest = every_method_fails_fast(&store).await;
        eprintln!("server down, round {round}: slowest failure {slowest:?}");
    }
    let took = fails_fast("connect", RedisStore::connect(&server.url(), "p")).await;
    eprintln!("connect to a dead server failed in {took:?}");
}

pub async fn calls_time_out_while_redis_hangs_and_work_after() {
    let server = RedisServer::start();
    let store = connect(&server, &prefix()).await;
    store.revoke("jti", SystemTime::now() + HOUR).await.unwrap();

    server.pause();
    let slowest = every_method_fails_fast(&store).await;
    eprintln!("server hung: slowest failure {slowest:?}");
    server.resume();

    let started = Instant::now();
    loop {
        match store.is_revoked("jti").await {
            Ok(revoked) => {
                assert!(revoked);
                break;
            }
            Err(e) => assert!(
                started.elapsed() < Duration::from_secs(5),
                "no recovery after resume: {e}"
            ),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    eprintln!("recovered {:?} after resume", started.elapsed());
    assert_eq!(store.record_failure("k", HOUR).await.unwrap().0, 1);
}

pub async fn http_answers_503_while_redis_is_down_and_recovers() {
    let mut server = RedisServer::start();
    let store = connect(&server, &prefix()).await;
    let app = app(store.clone());
    let token = hs256(&claims("1"));
    let r = send(&app, bearer("/me", &token)).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body, json!({"id": 1}));

    server.stop();
    for _ in 0..3 {
        let started = Instant::now();
        let r = send(&app, bearer("/me", &token)).await;
        let took = started.elapsed();
        assert_eq!(r.status, 503, "{:?}", r.body);
        assert_eq!(r.body["error"], "temporarily_unavailable");
        assert_eq!(r.headers.get("retry-after").unwrap(), "1");
        assert!(took < FAIL_FAST, "503 took {took:?}");
        eprintln!("503 while down in {took:?}");
    }

    // Same port, same app, same store: it comes back by itself.
    server.spawn();
    let started = Instant::now();
    let mut answers_503 = 0;
    loop {
        let r = send(&app, bearer("/me", &token)).await;
        match r.status.as_u16() {
            200 => {
                assert_eq!(r.body, json!({"id": 1}));
                break;
            }
            503 => answers_503 += 1,
            other => panic!("{other} during recovery: {:?}", r.body),
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "no recovery within 5 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    eprintln!(
        "200 again {:?} after restart ({answers_503} answers 503 before)",
        started.elapsed()
    );

    // A revocation written after the recovery is honoured by the same app.
    let jti = claims_jti(&token);
    store.revoke(&jti, SystemTime::now() + HOUR).await.unwrap();
    let r = send(&app, bearer("/me", &token)).await;
    assert_eq!(r.status, 401, "{:?}", r.body);
    assert_eq!(r.body["error"], "invalid_token");
    assert!(r.challenges()[0].contains("revoked"), "{:?}", r.challenges());
    // Other tokens are unaffected.
    let mut other = claims("2");
    other["jti"] = json!("another-jti");
    assert_eq!(send(&app, bearer("/me", &hs256(&other))).await.status, 200);
}

/// The `jti` claim of one of our HS256 test tokens.
fn claims_jti(token: &str) -> String {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    let claims: Value = serde_json::from_slice(&bytes).unwrap();
    claims["jti"].as_str().unwrap().to_owned()
}

pub async fn two_instances_share_one_redis() {
    let server = RedisServer::start();
    let shared = prefix();
    let (a, b) = (connect(&server, &shared).await, connect(&server, &shared).await);

    // Revocations: through the stores, and through two apps (two server processes).
    a.revoke("jti-x", SystemTime::now() + HOUR).await.unwrap();
    assert!(b.is_revoked("jti-x").await.unwrap());
    let (app_a, app_b) = (app(a.clone()), app(b.clone()));
    let token = hs256(&claims("2"));
    assert_eq!(send(&app_b, bearer("/me", &token)).await.status, 200);
    a.revoke(&claims_jti(&token), SystemTime::now() + HOUR)
        .await
        .unwrap();
    assert_eq!(send(&app_b, bearer("/me", &token)).await.status, 401);
    assert_eq!(send(&app_a, bearer("/me", &token)).await.status, 401);

    // Sessions: created on A, used and destroyed on B.
    let record = SessionRecord {
        user_id: "1".into(),
        csrf_token: "csrf".into(),
        created: SystemTime::now(),
    };
    a.create(&[7; 32], &record, HOUR).await.unwrap();
    assert_eq!(b.touch(&[7; 32], HOUR, HOUR).await.unwrap(), Some(record.clone()));
    b.destroy(&[7; 32]).await.unwrap();
    assert_eq!(a.touch(&[7; 32], HOUR, HOUR).await.unwrap(), None);

    // Refresh families: started on A, rotated on B, the reuse detected on A.
    a.start("fam", "1", &[1; 32], HOUR, HOUR).await.unwrap();
    assert_eq!(
        b.rotate("fam", 0, &[1; 32], &[2; 32], HOUR).await.unwrap(),
        Rotation::Rotated {
            grant: "1".into(),
            family: "fam".into()
        }
    );
    assert_eq!(
        a.rotate("fam", 0, &[1; 32], &[3; 32], HOUR).await.unwrap(),
        Rotation::Reused { family: "fam".into() }
    );
    assert_eq!(
        b.rotate("fam", 1, &[2; 32], &[4; 32], HOUR).await.unwrap(),
        Rotation::Invalid
    );

    // Throttle counters add up across instances, also concurrently.
    assert_eq!(a.record_failure("login:alice", HOUR).await.unwrap().0, 1);
    assert_eq!(b.record_failure("login:alice", HOUR).await.unwrap().0, 2);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..40 {
        let store = if i % 2 == 0 { a.clone() } else { b.clone() };
        tasks.spawn(async move { store.record_failure("login:alice", HOUR).await.unwrap() });
    }
    while tasks.join_next().await.is_some() {}
    assert_eq!(a.failures("login:alice").await.unwrap().0, 42);
    assert_eq!(b.failures("login:alice").await.unwrap().0, 42);

    // Another prefix is another application: it sees none of this.
    let other = connect(&server, &prefix()).await;
    assert!(!other.is_revoked("jti-x").await.unwrap());
    assert_eq!(other.failures("login:alice").await.unwrap(), (0, Duration::ZERO));
    assert_eq!(
        other.rotate("fam", 1, &[2; 32], &[5; 32], HOUR).await.unwrap(),
        Rotation::Invalid
    );
    assert!(!other.revoke_family("fam").await.unwrap());
    // ...and writes nothing into the first prefix.
    other.start("fam2", "9", &[9; 32], HOUR, HOUR).await.unwrap();
    assert_eq!(
        a.rotate("fam2", 0, &[9; 32], &[10; 32], HOUR).await.unwrap(),
        Rotation::Invalid
    );
}

pub async fn every_key_expires_and_holds_no_plain_secret() {
    let server = RedisServer::start();
    let prefix = prefix();
    let store = connect(&server, &prefix).await;
    let day = 24 * HOUR;
    store.revoke("jti-1", SystemTime::now() + HOUR).await.unwrap();
    store.start("fam", "1", &[1; 32], day, 30 * day).await.unwrap();
    store.rotate("fam", 0, &[1; 32], &[2; 32], day).await.unwrap();
    store.rotate("fam", 1, &[2; 32], &[3; 32], day).await.unwrap();
    let record = SessionRecord {
        user_id: "1".into(),
        csrf_token: "c".into(),
        created: SystemTime::now(),
    };
    store.create(&[7; 32], &record, day).await.unwrap();
    // The idle extension never outlasts the absolute limit.
    assert!(
        store
            .touch(&[7; 32], day, Duration::from_secs(5))
            .await
            .unwrap()
            .is_some()
    );
    store
        .record_failure("login:alice@example.com", HOUR)
        .await
        .unwrap();

    let client = portcullis::redis::Client::open(server.url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = portcullis::redis::cmd("KEYS")
        .arg("*")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(keys.len(), 1 + 1 + 1 + 1, "{keys:?}"); // rv, rf (one key per family), ss, th
    for key in &keys {
        assert!(key.starts_with(&format!("{prefix}:")), "{key}");
        assert!(!key.contains("alice"), "throttle key in plain text: {key}");
        let ttl: i64 = portcullis::redis::cmd("PTTL")
            .arg(key)
            .query_async(&mut conn)
            .await
            .unwrap();
        let bound = match &key[prefix.len() + 1..][..2] {
            "rv" => HOUR + Duration::from_secs(60),
            "ss" => Duration::from_secs(5),
            "th" => HOUR,
            _ => day,
        };
        assert!(ttl > 0 && ttl as u128 <= bound.as_millis(), "{key}: PTTL {ttl}");
    }
}

//! Heap allocations of one authenticated request through the guard, per scheme, and of
//! the declared role and permission checks (issue 16, item 3).
//!
//! Own runner (`harness = false`): `main` runs everything on one thread, so nothing
//! else allocates while a request is counted. `cargo test --test allocations` runs it
//! (CI: `cargo test --workspace --all-features`).
//!
//! # Counting
//!
//! The global allocator is [`dhat`]'s (`dhat::Alloc`, over `std::alloc::System`). The
//! workspace forbids `unsafe_code` and a `GlobalAlloc` needs an `unsafe impl`, so the
//! counting allocator comes from a crate. `dhat` (by Nicholas Nethercote, the author
//! of Valgrind's DHAT) is the well-known one: maintained, built for exactly this
//! ("heap usage testing", `Profiler::builder().testing()` + `HeapStats`), and it
//! records a backtrace per allocation, so the same binary can say *where* a request
//! allocates (set `PORTCULLIS_DHAT_DIR` and open the `dhat-<row>.json` files it writes
//! in DHAT's viewer, `dh_view.html`). The alternatives looked at — `stats_alloc`
//! (counters only, unmaintained since 2022), `cap` (a limit, not a counter),
//! `allocation-counter`, `alloc_counter` — are smaller and less used.
//!
//! A `dhat::Profiler` runs only around the one counted request (it is the "counting"
//! switch): its `HeapStats::total_blocks` counts `alloc`, `alloc_zeroed` and
//! `realloc` (a `realloc` counts as one block of its new size) and `total_bytes`
//! their sizes; frees are not counted. dhat's own bookkeeping (its backtraces and
//! tables) runs with a thread-local "ignore" flag set and is never counted. dhat
//! counts every thread, not just this one: the runtime is a tokio current-thread
//! runtime, so there is no other runtime thread; the one other thread that works
//! during a request is a password-hashing thread (Basic, below).
//!
//! Each row: the same request is sent [`WARM_UP`] times first (first-use
//! initialisation: `tracing` call sites, lazily built tables, the stores' first
//! entries, the cache's first insert), then counted [`RUNS`] times, one profiler per
//! run; the table shows the largest of those counts. What is counted is
//! `Portcullis::authenticate::<(S,)>(&parts).await` — what the guard `#[auth(..)]`
//! generates calls — from the first poll to its output (the user and `AuthInfo`
//! it returns are part of it), not building the request `Parts`, nor dropping the
//! output. No `tracing` subscriber is installed, so the audit events are off (with
//! one, `auth.succeeded` formats and allocates per request).
//!
//! - **JWT**: `Authorization: Bearer` with the claims `sub iss aud typ iat exp jti`,
//!   checked against an in-memory revocation store (its `jti`) and the cut-offs,
//!   then the user loaded by id from an `InMemoryUserStore`.
//! - **JWT, cache hit**: the same HS256 token with
//!   `PortcullisBuilder::verified_token_cache` on: every counted request is a hit.
//! - **API key**: `X-API-Key`, looked up by its SHA-256 in the user store.
//! - **Session**: the cookie of `Portcullis::start_session`, a GET (no CSRF check).
//! - **Basic**: the argon2id check runs on one of Portcullis' own password-hashing
//!   threads (started at build, each with its 19 MiB of argon2 memory allocated once
//!   and reused): counted are the request on this thread, the job handed to that
//!   thread and the verification there (parsing the PHC string, ...), but not the
//!   argon2 memory (allocated when the thread started). The std channel that feeds
//!   those threads allocates a block of slots every 31 jobs, so one request in 31
//!   counts one allocation more: the bound allows for it.
//!
//! The `InMemoryUserStore` returns a clone of the user: here 3 of the allocations
//! (`username`, `role`, `password_hash`) of every row are that clone, as a database
//! store's row would be.
//!
//! # Measured (debug build, `cargo test --test allocations`)
//!
//! | request                              | allocations | bytes | bound |
//! |--------------------------------------|------------:|------:|------:|
//! | JWT HS256                            |          32 |  3042 |    32 |
//! | JWT RS256                            |          34 |  3608 |    34 |
//! | JWT ES256                            |          34 |  3158 |    34 |
//! | JWT EdDSA                            |          34 |  3158 |    34 |
//! | JWT HS256, verified-token cache hit  |          10 |  1467 |    10 |
//! | API key                              |           8 |   567 |     8 |
//! | Session                              |          13 |  1766 |    13 |
//! | Basic (argon2id)                     |          29 |  4337 |    30 |
//! | each declared check (below)          |           0 |     0 |     0 |
//!
//! The test fails when a row allocates more than its bound: a change that adds an
//! allocation to a request updates the bound and this table, on purpose. (Before
//! the removals of issue 16: JWT 34 (HS256) and 36, the cache hit 12, Basic 25;
//! removed were the lower-cased copy of the `Authorization` scheme and the
//! `to_string` of the canonical-id check in `FromStore`; then JWT 32 and 34, the
//! cache hit 10, until one `RevocationStore::check` replaced `is_revoked` and
//! `issued_before`.) Realms (issue 13 item 5) added the `Box` of the realm's view of
//! the session store (`store/scoped.rs`) to `touch` and to the session's cut-off
//! check (Session 10 → 12), and to each of the four throttle-store calls of a
//! password check (Basic 24 → 28); the JWT path puts its realm-scoped subject
//! together on the stack and stays at 31 (its bytes grew by that buffer's share of
//! the boxed futures). The store time-out (issue 15 item 5, `store/timed.rs`) added
//! one `Box` to every row, the time-limited view of the user store (`TimedUsers`,
//! the one call every row makes to it), and about 440 bytes (the timers inside
//! the boxed futures); the other stores' limits ride in boxes that were there.
//!
//! Where the JWT (HS256) request's 32 go: the token copied out of the header (the
//! scheme's owned credential); three base64url decodes (header, payload,
//! signature); the header and the claims parsed into JSON maps (a map node each, a
//! `String` per member name and per string value: 16 here); the `Arc` of the
//! `Claims`; the subject copied into the `Identity`; one `Box` per `async_trait`
//! call (the scheme's `verify`, the identity resolver, the revocation `check`,
//! `find_by_id` and the time-limited user store's `find_by_id`: 5); and the user's clone (3). A cache hit skips
//! the decoding and parsing. The API key's 8: the key copied out of the header,
//! the `Box`es of `verify` and `find_by_api_key_hash` (twice: the time limit's and the store's), the user id's `to_string`
//! for the `Identity`, and the user's clone (3).
//!
//! The declared checks — what `#[require(role = "moderator")]` and
//! `#[permissions("posts:delete")]` compile to (`NameCheck::role_held` /
//! `permission_held` over `AuthUser::role_mask` / `permission_mask`) — allocate
//! nothing, for roles in a `String` column, roles as a `Vec` of a `#[derive(Role)]`
//! enum, and for a user type that declares no names (compared by name at run time):
//! asserted to be 0 below.

use std::future::Future;
use std::hint::black_box;
use std::time::{SystemTime, UNIX_EPOCH};

use http::Request;
use http::request::Parts;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use portcullis::__private::NameCheck;
use portcullis::schemes::{ApiKey, Basic, Jwt, Session};
use portcullis::{
    ApiKeyConfig, AuthUser, InMemoryUserStore, JwtConfig, JwtKey, Portcullis, PortcullisBuilder, Role,
};
use serde_json::json;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// Identical requests before the counted ones.
const WARM_UP: usize = 5;
/// Counted requests per row (the largest count is reported and bounded).
const RUNS: usize = 5;

const SECRET: &[u8] = b"allocations-secret-0123456789-abcdefghij";
const ISSUER: &str = "https://issuer.test";
const AUDIENCE: &str = "test-api";
const API_KEY: &str = "pk_alice_0123456789abcdefghij";
const PASSWORD: &str = "alice-password-1";
const RSA_PRIVATE: &[u8] = include_bytes!("keys/rsa2048.pem");
const RSA_PUBLIC: &[u8] = include_bytes!("keys/rsa2048.pub.pem");
const EC256_PRIVATE: &[u8] = include_bytes!("keys/ec256.pem");
const EC256_PUBLIC: &[u8] = include_bytes!("keys/ec256.pub.pem");
const ED_PRIVATE: &[u8] = include_bytes!("keys/ed25519.pem");
const ED_PUBLIC: &[u8] = include_bytes!("keys/ed25519.pub.pem");

/// Roles in a text column, with declared names and grants (the common shape).
#[derive(Clone, AuthUser)]
#[auth_user(
    roles("admin", "moderator", "user"),
    permissions("posts:read", "posts:write", "posts:delete", "users:read"),
    grants(
        admin("*"),
        moderator("posts:read", "posts:write", "posts:delete", "users:read"),
        user("posts:read")
    )
)]
struct User {
    #[auth_user(id)]
    id: i64,
    #[auth_user(name)]
    username: String,
    #[auth_user(roles)]
    role: String,
    #[auth_user(password_hash)]
    password_hash: Option<String>,
    #[auth_user(active)]
    active: bool,
}

#[allow(dead_code)]
#[derive(Debug, Clone, Copy, PartialEq, Role)]
enum Staff {
    Admin,
    Moderator,
    User,
}

/// Roles as a `Vec` of a role enum.
#[derive(Clone, AuthUser)]
struct TypedUser {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<Staff>,
}

/// No declared names: roles and permissions are compared by name at run time.
#[derive(Clone, AuthUser)]
struct PlainUser {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: String,
    #[auth_user(permissions)]
    permissions: Vec<String>,
}

/// A row of the table: the largest count of [`RUNS`] counted requests.
struct Row {
    name: &'static str,
    blocks: u64,
    bytes: u64,
    /// The documented bound on `blocks`.
    bound: u64,
}

/// Allocations and bytes of one run of `f`'s future.
async fn count<T, F: Future<Output = T>>(label: &str, f: F) -> (u64, u64, T) {
    let profiler = match std::env::var_os("PORTCULLIS_DHAT_DIR") {
        // A profile with backtraces, written when the profiler is dropped.
        Some(dir) => dhat::Profiler::builder()
            .file_name(std::path::Path::new(&dir).join(format!("dhat-{label}.json")))
            .build(),
        None => dhat::Profiler::builder().testing().build(),
    };
    let before = dhat::HeapStats::get();
    let out = f.await;
    let after = dhat::HeapStats::get();
    drop(profiler);
    (
        after.total_blocks - before.total_blocks,
        after.total_bytes - before.total_bytes,
        out,
    )
}

/// Warms up with `request`, then counts it [`RUNS`] times; `ok` checks every outcome.
fn measure<T, F: Future<Output = T>>(
    runtime: &tokio::runtime::Runtime,
    name: &'static str,
    bound: u64,
    mut request: impl FnMut() -> F,
    ok: impl Fn(&T) -> bool,
) -> Row {
    for _ in 0..WARM_UP {
        let out = runtime.block_on(request());
        assert!(ok(&out), "{name}: the warm-up request was refused");
    }
    let label: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let (mut blocks, mut bytes) = (0, 0);
    for _ in 0..RUNS {
        let future = request();
        let (b, n, out) = runtime.block_on(count(&label, future));
        assert!(ok(&out), "{name}: the counted request was refused");
        drop(out);
        blocks = blocks.max(b);
        bytes = bytes.max(n);
    }
    Row {
        name,
        blocks,
        bytes,
        bound,
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

/// An access token for user 1, signed with the test key of `alg`.
fn token(alg: Algorithm) -> String {
    portcullis::install_crypto_provider();
    let claims = json!({
        "sub": "1", "iss": ISSUER, "aud": AUDIENCE, "typ": "access",
        "iat": now(), "exp": now() + 3600, "jti": "allocations-1",
    });
    let (key, kid) = match alg {
        Algorithm::HS256 => (EncodingKey::from_secret(SECRET), None),
        Algorithm::RS256 => (EncodingKey::from_rsa_pem(RSA_PRIVATE).unwrap(), Some("rsa-1")),
        Algorithm::ES256 => (EncodingKey::from_ec_pem(EC256_PRIVATE).unwrap(), Some("ec-1")),
        Algorithm::EdDSA => (EncodingKey::from_ed_pem(ED_PRIVATE).unwrap(), Some("ed-1")),
        other => panic!("no test key for {other:?}"),
    };
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(&header, &claims, &key).unwrap()
}

fn builder() -> PortcullisBuilder<User> {
    let store = InMemoryUserStore::new();
    store.insert(User {
        id: 1,
        username: "alice".into(),
        role: "moderator".into(),
        password_hash: Some(portcullis::hash_password(PASSWORD).unwrap()),
        active: true,
    });
    store.add_api_key(&1, API_KEY);
    Portcullis::builder(store)
        .jwt(
            JwtConfig::new()
                .key(JwtKey::hmac(SECRET, Algorithm::HS256))
                .key(JwtKey::pem(RSA_PUBLIC, Algorithm::RS256).with_kid("rsa-1"))
                .key(JwtKey::pem(EC256_PUBLIC, Algorithm::ES256).with_kid("ec-1"))
                .key(JwtKey::pem(ED_PUBLIC, Algorithm::EdDSA).with_kid("ed-1"))
                .issuer(ISSUER)
                .audience(AUDIENCE),
        )
        .api_key(ApiKeyConfig::new())
}

fn parts(header: &str, value: &str) -> Parts {
    Request::get("/me")
        .header(header, value)
        .body(())
        .unwrap()
        .into_parts()
        .0
}

type Outcome = Result<Option<(User, portcullis::AuthInfo)>, portcullis::AuthError>;

fn is_alice(outcome: &Outcome) -> bool {
    matches!(outcome, Ok(Some((user, _))) if user.id == 1)
}

fn requests(runtime: &tokio::runtime::Runtime) -> Vec<Row> {
    let auth = builder().build().expect("valid configuration");
    let cached = builder()
        .verified_token_cache(1_000)
        .build()
        .expect("valid configuration");
    let mut rows = Vec::new();

    for (name, alg, bound) in [
        ("JWT HS256", Algorithm::HS256, 32),
        ("JWT RS256", Algorithm::RS256, 34),
        ("JWT ES256", Algorithm::ES256, 34),
        ("JWT EdDSA", Algorithm::EdDSA, 34),
    ] {
        let parts = parts("authorization", &format!("Bearer {}", token(alg)));
        rows.push(measure(
            runtime,
            name,
            bound,
            || auth.authenticate::<(Jwt,)>(&parts),
            is_alice,
        ));
    }

    let hs256 = parts("authorization", &format!("Bearer {}", token(Algorithm::HS256)));
    rows.push(measure(
        runtime,
        "JWT HS256, verified-token cache hit",
        10,
        || cached.authenticate::<(Jwt,)>(&hs256),
        is_alice,
    ));

    let key = parts("x-api-key", API_KEY);
    rows.push(measure(
        runtime,
        "API key",
        8,
        || auth.authenticate::<(ApiKey,)>(&key),
        is_alice,
    ));

    let session = runtime.block_on(async {
        let (empty, ()) = Request::new(()).into_parts();
        let alice = auth.users().find_by_id(&1).await.unwrap().unwrap();
        auth.start_session(&empty, &alice).await.unwrap()
    });
    let cookie = session.set_cookie.to_str().unwrap().split(';').next().unwrap();
    let session = parts("cookie", cookie);
    rows.push(measure(
        runtime,
        "Session",
        13,
        || auth.authenticate::<(Session,)>(&session),
        is_alice,
    ));

    let credentials = base64_encode(format!("alice:{PASSWORD}").as_bytes());
    let basic = parts("authorization", &format!("Basic {credentials}"));
    rows.push(measure(
        runtime,
        "Basic (argon2id)",
        // 28 measured, + 1: the hashing threads' channel allocates a block every 31 jobs.
        30,
        || auth.authenticate::<(Basic,)>(&basic),
        is_alice,
    ));
    rows
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The declared checks: each must allocate nothing.
fn checks(runtime: &tokio::runtime::Runtime) -> Vec<Row> {
    const MODERATOR: NameCheck = NameCheck::role::<User>("moderator");
    const DELETE: NameCheck = NameCheck::permission::<User>("posts:delete");
    const TYPED_MODERATOR: NameCheck = NameCheck::role::<TypedUser>("moderator");
    const PLAIN_MODERATOR: NameCheck = NameCheck::role::<PlainUser>("moderator");
    const PLAIN_DELETE: NameCheck = NameCheck::permission::<PlainUser>("posts:delete");
    let text = User {
        id: 1,
        username: "alice".into(),
        role: "user, moderator".into(),
        password_hash: None,
        active: true,
    };
    let typed = TypedUser {
        id: 1,
        roles: vec![Staff::User, Staff::Moderator],
    };
    let plain = PlainUser {
        id: 1,
        roles: "user, moderator".into(),
        permissions: vec!["posts:read".into(), "posts:delete".into()],
    };
    let held = |held: &bool| *held;
    let zero = 0;
    let check = |name, f: &dyn Fn() -> bool| measure(runtime, name, zero, || async { black_box(f()) }, held);
    vec![
        check("role, String column", &|| {
            let user = black_box(&text);
            MODERATOR.role_held(user, user.role_mask())
        }),
        check("permission, String column", &|| {
            let user = black_box(&text);
            DELETE.permission_held(user, user.permission_mask())
        }),
        check("role, Vec<enum>", &|| {
            let user = black_box(&typed);
            TYPED_MODERATOR.role_held(user, user.role_mask())
                && user.role_mask() & (1 << portcullis::TypedRole::index(Staff::Moderator)) != 0
        }),
        check("role, undeclared (by name)", &|| {
            let user = black_box(&plain);
            PLAIN_MODERATOR.role_held(user, user.role_mask())
        }),
        check("permission, undeclared (by name)", &|| {
            let user = black_box(&plain);
            PLAIN_DELETE.permission_held(user, user.permission_mask())
        }),
    ]
}

fn print(title: &str, rows: &[Row]) {
    println!("\n{title}");
    println!("| {:<36} | {:>11} | {:>7} |", "request", "allocations", "bytes");
    println!("|{:-<38}|{:->12}:|{:->8}:|", "", "", "");
    for row in rows {
        println!("| {:<36} | {:>11} | {:>7} |", row.name, row.blocks, row.bytes);
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    let requests = requests(&runtime);
    let checks = checks(&runtime);
    print("One authenticated request through the guard:", &requests);
    print("Declared checks:", &checks);
    let mut failed = 0;
    for row in requests.iter().chain(&checks) {
        if row.blocks > row.bound {
            eprintln!(
                "FAILED: {}: {} allocations, more than the documented {}",
                row.name, row.blocks, row.bound
            );
            failed += 1;
        }
    }
    let total = requests.len() + checks.len();
    println!("\n{} passed, {} failed", total - failed, failed);
    if failed > 0 {
        std::process::exit(1);
    }
}

//! The reference server (`examples/reference`) against its HTTP contract (DESIGN §5),
//! end to end: the real example binary on a free loopback port, driven over real TCP
//! by a small HTTP/1.1 client. Every row of the contract table is exercised with its
//! status codes, headers and bodies — register, login (with throttling), refresh
//! rotation and reuse detection, logout, sessions with CSRF, `/me` for every scheme,
//! API keys, roles and permissions, posts with owner checks, username changes and
//! e-mail confirmation — and the access-token claims are checked byte for byte.
//!
//! The same suite runs three times: in-memory stores over SQLite, Redis stores (a
//! fresh key prefix) and PostgreSQL (a fresh schema). Redis and PostgreSQL runs skip
//! loudly when the local server is unreachable, unless `PORTCULLIS_REQUIRE_REDIS=1` /
//! `PORTCULLIS_REQUIRE_POSTGRES=1`.
//!
//! The binary is the one `cargo test` builds beside the tests; when running this file
//! alone (`cargo test --test reference_e2e`), cargo does not rebuild examples: run
//! `cargo build --example reference` first, or the whole suite.

mod support_e2e;

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use support_e2e::backends::{PgSchema, REDIS_URL, RedisPrefix, redis_keys};
use support_e2e::http::{Request, Response, fresh_source};
use support_e2e::jwt::{mint_hs256, verify_hs256};
use support_e2e::server::{JWT_SECRET, Server};

const ISSUER: &str = "portcullis-reference";
const AUDIENCE: &str = "reference-api";
const ACCESS_TTL: i64 = 900;
const COOKIE: &str = "portcullis_session";
/// An id no row has.
const MISSING_ID: i64 = 987_654_321;

fn now() -> i64 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs();
    i64::try_from(secs).expect("seconds fit i64")
}

/// A logged-in user: id from `/me`, a token pair from `/auth/login`.
#[derive(Debug, Clone)]
struct Account {
    id: i64,
    name: String,
    password: String,
    access: String,
    refresh: String,
}

/// A session from `/session/login`: the `Cookie` to send and the CSRF token.
#[derive(Debug, Clone)]
struct Session {
    cookie: String,
    csrf: String,
}

/// The contract suite over one running server.
struct Suite<'a> {
    label: &'a str,
    server: &'a Server,
}

impl Suite<'_> {
    fn send(&self, request: Request) -> Response {
        self.server.send(request)
    }

    fn at(&self, what: &str) -> String {
        format!("[{}] {what}", self.label)
    }

    /// `POST /auth/login`, asserting the token response.
    fn login(&self, name: &str, password: &str) -> (String, String) {
        let what = self.at(&format!("login {name}"));
        let response =
            self.send(Request::post("/auth/login").json(&json!({ "username": name, "password": password })));
        response.expect(200, &what);
        let body = response.json();
        assert_eq!(body["token_type"], "Bearer", "{what}: {body}");
        assert_eq!(body["expires_in"], ACCESS_TTL, "{what}: {body}");
        let access = body["access_token"].as_str().expect("access_token").to_owned();
        let refresh = body["refresh_token"].as_str().expect("refresh_token").to_owned();
        assert_eq!(access.split('.').count(), 3, "{what}: the access token is a JWS");
        assert!(
            refresh.len() >= 32 && !refresh.contains('.'),
            "{what}: the refresh token is opaque, not a JWT: {refresh}"
        );
        (access, refresh)
    }

    /// `GET /me` with `request`'s credentials: 200 with `scheme`; the body.
    fn me(&self, request: Request, scheme: &str, what: &str) -> Value {
        let what = self.at(what);
        let response = self.send(request);
        response.expect(200, &what);
        let body = response.json();
        assert_eq!(body["scheme"], scheme, "{what}: {body}");
        body
    }

    /// Logs in and reads the id through `/me`, checking the roles.
    fn account(&self, name: &str, password: &str, role: &str) -> Account {
        let (access, refresh) = self.login(name, password);
        let body = self.me(
            Request::get("/me").bearer(&access),
            "jwt",
            &format!("/me of {name}"),
        );
        assert_eq!(body["username"], name, "{body}");
        assert_eq!(body["roles"], json!([role]), "{body}");
        Account {
            id: body["id"].as_i64().expect("an integer id"),
            name: name.to_owned(),
            password: password.to_owned(),
            access,
            refresh,
        }
    }

    /// `POST /auth/register`, asserting 201 `{id, username}`.
    fn register(&self, name: &str, password: &str) -> i64 {
        let what = self.at(&format!("register {name}"));
        let response = self.send(Request::post("/auth/register").json(&json!({
            "username": name, "email": format!("{name}@example.com"), "password": password
        })));
        response.expect(201, &what);
        let body = response.json();
        assert_eq!(body["username"], name, "{what}: {body}");
        body["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("{what}: an integer id in {body}"))
    }

    /// `POST /session/login`, asserting the cookie attributes of development mode.
    fn session(&self, name: &str, password: &str) -> Session {
        let what = self.at(&format!("session login {name}"));
        let response = self
            .send(Request::post("/session/login").json(&json!({ "username": name, "password": password })));
        response.expect(200, &what);
        let csrf = response.json()["csrf_token"]
            .as_str()
            .unwrap_or_else(|| panic!("{what}: csrf_token in {}", response.text()))
            .to_owned();
        assert!(csrf.len() >= 32, "{what}: a random CSRF token: {csrf}");
        let cookies = response.headers_all("set-cookie");
        assert_eq!(cookies.len(), 1, "{what}: one Set-Cookie: {cookies:?}");
        let set_cookie = cookies[0];
        let mut parts = set_cookie.split(';').map(str::trim);
        let pair = parts.next().expect("name=value");
        let attributes: Vec<&str> = parts.collect();
        let (cookie_name, value) = pair.split_once('=').expect("name=value");
        assert_eq!(
            cookie_name, COOKIE,
            "{what}: the dev-mode cookie name: {set_cookie}"
        );
        assert!(value.len() >= 32, "{what}: a random session id: {set_cookie}");
        for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
            assert!(
                attributes.iter().any(|a| a.eq_ignore_ascii_case(attribute)),
                "{what}: {attribute} in {set_cookie}"
            );
        }
        assert!(
            !attributes.iter().any(|a| a.eq_ignore_ascii_case("Secure")),
            "{what}: no Secure in development mode (plain HTTP): {set_cookie}"
        );
        assert_ne!(csrf, value, "{what}: the CSRF token is not the session id");
        Session {
            cookie: pair.to_owned(),
            csrf,
        }
    }

    fn post_json(title: &str, published: bool) -> Value {
        json!({ "title": title, "body": format!("the body of {title}"), "published": published })
    }

    /// `POST /posts` with `request`'s credentials, asserting 201 and the author.
    fn create_post(&self, request: Request, title: &str, published: bool, author: i64) -> i64 {
        let what = self.at(&format!("create post {title}"));
        let response = self.send(request.json(&Self::post_json(title, published)));
        response.expect(201, &what);
        let body = response.json();
        assert_eq!(body["author_id"], author, "{what}: {body}");
        assert_eq!(body["title"], title, "{what}: {body}");
        assert_eq!(body["published"], published, "{what}: {body}");
        body["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("{what}: an integer id in {body}"))
    }

    /// `POST /api-keys` with `request`'s credentials: 201 `{id, key}`.
    fn create_api_key(&self, request: Request, what: &str) -> (i64, String) {
        let what = self.at(what);
        let response = self.send(request);
        response.expect(201, &what);
        let body = response.json();
        let id = body["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("{what}: an integer id in {body}"));
        let key = body["key"]
            .as_str()
            .unwrap_or_else(|| panic!("{what}: key in {body}"));
        assert!(key.len() >= 32, "{what}: a long random key: {key}");
        (id, key.to_owned())
    }

    /// The mails `GET /dev/outbox` holds for `to`.
    fn mails_to(&self, to: &str) -> Vec<Value> {
        let response = self.send(Request::get("/dev/outbox"));
        response.expect(200, &self.at("GET /dev/outbox"));
        let mails = response.json();
        mails
            .as_array()
            .unwrap_or_else(|| panic!("the outbox is an array: {mails}"))
            .iter()
            .filter(|m| m["to"] == to)
            .cloned()
            .collect()
    }

    /// The confirmation token of the newest mail to `to`.
    fn confirmation_token(&self, to: &str) -> String {
        let mails = self.mails_to(to);
        let mail = mails
            .last()
            .unwrap_or_else(|| panic!("{}", self.at(&format!("a mail to {to}"))));
        let body = mail["body"].as_str().expect("a mail body");
        let (_, rest) = body
            .split_once("/auth/confirm/")
            .unwrap_or_else(|| panic!("a confirmation link in {body:?}"));
        rest.split(|c: char| c.is_whitespace())
            .next()
            .expect("a token")
            .to_owned()
    }
}

/// An error answer with the Bearer `insufficient_scope` challenge of RFC 6750.
#[track_caller]
fn assert_insufficient_scope(response: &Response, what: &str) {
    response.expect_error(403, "forbidden", what);
    let challenges = response.headers_all("www-authenticate");
    assert!(
        challenges
            .iter()
            .any(|c| c.starts_with("Bearer ") && c.contains("error=\"insufficient_scope\"")),
        "{what}: WWW-Authenticate: Bearer ... error=\"insufficient_scope\", got {challenges:?}"
    );
}

/// A 401 whose `Bearer` challenge names `invalid_token`.
#[track_caller]
fn assert_invalid_token(response: &Response, what: &str) {
    response.expect_error(401, "invalid_token", what);
    let challenges = response.headers_all("www-authenticate");
    assert!(
        challenges
            .iter()
            .any(|c| c.starts_with("Bearer ") && c.contains("error=\"invalid_token\"")),
        "{what}: WWW-Authenticate: Bearer ... error=\"invalid_token\", got {challenges:?}"
    );
}

/// Runs every row of the contract table against `server`.
fn contract(label: &str, server: &Server) {
    let t = Suite { label, server };

    // ---- seed users, login, token claims
    let alice = t.account("alice", "alice-password-1", "admin");
    let carol = t.account("carol", "carol-password-1", "moderator");
    let bob = t.account("bob", "bob-password-1", "user");
    access_token_claims(&t, &alice);
    register_rows(&t);
    login_failures_answer_alike(&t, &bob);
    roles_come_from_the_database(&t, &bob);

    // ---- /me for every scheme, sessions, refresh, logout
    me_for_every_scheme(&t, &bob);
    session_rows(&t, &carol);
    refresh_rows(&t, &bob);
    logout_rows(&t, &bob);

    // ---- the application's routes
    api_key_rows(&t, &alice, &bob, &carol);
    admin_and_users_rows(&t, &alice, &bob, &carol);
    post_rows(&t, &alice, &bob, &carol);
    let dave = {
        t.register("dave", "dave-password-1");
        t.account("dave", "dave-password-1", "user")
    };
    change_username_rows(&t, &alice, &bob, &dave);
    confirmation_rows(&t, &bob, &dave);

    throttle_rows(&t, &alice);
}

/// The access token carries `sub` (the id as a string), `iss`, `aud`, `typ`, `jti`,
/// `exp`, `iat`, signed HS256 with `PORTCULLIS_JWT_SECRET`.
fn access_token_claims(t: &Suite<'_>, alice: &Account) {
    let what = t.at("access-token claims");
    let (header, claims) = verify_hs256(&alice.access, JWT_SECRET);
    assert_eq!(header["alg"], "HS256", "{what}: header {header}");
    assert!(
        header.get("jku").is_none() && header.get("jwk").is_none(),
        "{what}: {header}"
    );
    let sub = claims["sub"]
        .as_str()
        .unwrap_or_else(|| panic!("{what}: sub is a string in {claims}"));
    assert_eq!(
        sub.parse::<i64>().ok(),
        Some(alice.id),
        "{what}: sub is alice's id: {claims}"
    );
    assert_eq!(claims["iss"], ISSUER, "{what}: {claims}");
    let aud_ok = claims["aud"] == AUDIENCE
        || claims["aud"]
            .as_array()
            .is_some_and(|a| a.iter().any(|v| v == AUDIENCE));
    assert!(aud_ok, "{what}: aud {AUDIENCE} in {claims}");
    assert_eq!(claims["typ"], "access", "{what}: {claims}");
    let jti = claims["jti"]
        .as_str()
        .unwrap_or_else(|| panic!("{what}: jti in {claims}"));
    assert!(jti.len() >= 16, "{what}: a random jti: {claims}");
    let iat = claims["iat"]
        .as_i64()
        .unwrap_or_else(|| panic!("{what}: integer iat in {claims}"));
    let exp = claims["exp"]
        .as_i64()
        .unwrap_or_else(|| panic!("{what}: integer exp in {claims}"));
    assert!((iat - now()).abs() <= 60, "{what}: iat is now: {claims}");
    assert_eq!(
        exp - iat,
        ACCESS_TTL,
        "{what}: exp = iat + PORTCULLIS_ACCESS_TTL: {claims}"
    );
    for forbidden in ["roles", "role", "permissions", "password_hash", "email"] {
        assert!(
            claims.get(forbidden).is_none(),
            "{what}: no {forbidden} in {claims}"
        );
    }
    // Two logins give two different jti.
    let (other, _) = t.login(&alice.name, &alice.password);
    let (_, other_claims) = verify_hs256(&other, JWT_SECRET);
    assert_ne!(
        other_claims["jti"], claims["jti"],
        "{what}: a fresh jti per token"
    );
}

/// `POST /auth/register`: 201, 400 (short password, bad e-mail), 409 (taken).
fn register_rows(t: &Suite<'_>) {
    let id = t.register("erin", "erin-password-1");
    let erin = t.account("erin", "erin-password-1", "user");
    assert_eq!(erin.id, id, "{}", t.at("the registered id is the user's id"));

    let register = |body: Value| t.send(Request::post("/auth/register").json(&body));
    register(json!({ "username": "frank", "email": "frank@example.com", "password": "short-pw-11" }))
        .expect_error(400, "invalid_input", &t.at("register: an 11-character password"));
    for email in [
        "not-an-email",
        "frank@",
        "@example.com",
        "frank@localhost",
        "fr ank@example.com",
    ] {
        register(json!({ "username": "frank", "email": email, "password": "frank-password-1" }))
            .expect_error(
                400,
                "invalid_input",
                &t.at(&format!("register: bad e-mail {email:?}")),
            );
    }
    register(json!({ "username": "frank" })).expect_error(
        400,
        "invalid_input",
        &t.at("register: missing fields"),
    );
    register(json!({ "username": "erin", "email": "erin2@example.com", "password": "erin-password-2" }))
        .expect_error(409, "conflict", &t.at("register: the user name is taken"));
    register(json!({ "username": "alice", "email": "other@example.com", "password": "alice-password-2" }))
        .expect_error(409, "conflict", &t.at("register: a seed user's name is taken"));
    register(json!({ "username": "erin2", "email": "erin@example.com", "password": "erin-password-2" }))
        .expect_error(409, "conflict", &t.at("register: the e-mail address is taken"));
    // None of the refused registrations created a user.
    t.send(
        Request::post("/auth/login")
            .source(fresh_source())
            .json(&json!({ "username": "frank", "password": "frank-password-1" })),
    )
    .expect(401, &t.at("no user frank after refused registrations"));
    // The original password still works: the 409 did not overwrite erin.
    t.login("erin", "erin-password-1");
}

/// `POST /auth/login`: 401 with the same body for an unknown user and a wrong password.
fn login_failures_answer_alike(t: &Suite<'_>, bob: &Account) {
    let unknown = t.send(
        Request::post("/auth/login")
            .source(fresh_source())
            .json(&json!({ "username": "nobody-here", "password": "bob-password-1" })),
    );
    unknown.expect_error(401, "invalid_credentials", &t.at("login: unknown user"));
    let wrong = t.send(
        Request::post("/auth/login")
            .source(fresh_source())
            .json(&json!({ "username": bob.name, "password": "wrong-password-1" })),
    );
    wrong.expect_error(401, "invalid_credentials", &t.at("login: wrong password"));
    assert_eq!(unknown.body, wrong.body, "{}", t.at("the same body for both"));
    assert_eq!(
        unknown.headers_all("www-authenticate"),
        wrong.headers_all("www-authenticate"),
        "{}",
        t.at("the same challenges for both")
    );
    assert!(unknown.json().get("access_token").is_none());
    // The right password still works.
    t.login(&bob.name, &bob.password);
}

/// Roles and permissions come from the database: a token claiming `admin` gives bob
/// nothing more (it is accepted — it is signed with the server's secret — as bob).
fn roles_come_from_the_database(t: &Suite<'_>, bob: &Account) {
    let what = t.at("a token claiming the admin role");
    let iat = now();
    let forged = mint_hs256(
        &json!({
            "sub": bob.id.to_string(), "iss": ISSUER, "aud": AUDIENCE, "typ": "access",
            "jti": "e2e-forged-roles-0001", "iat": iat, "exp": iat + 300,
            "roles": ["admin"], "role": "admin", "permissions": ["*", "users:read"], "scope": "admin users:read"
        }),
        JWT_SECRET,
    );
    let body = t.me(Request::get("/me").bearer(&forged), "jwt", &what);
    assert_eq!(
        body["roles"],
        json!(["user"]),
        "{what}: roles from the database: {body}"
    );
    assert_insufficient_scope(&t.send(Request::get("/admin/users").bearer(&forged)), &what);
    assert_insufficient_scope(&t.send(Request::get("/users").bearer(&forged)), &what);

    // A refresh-typed or untyped JWT is not an access token; a wrong secret is refused.
    for (claim, value) in [("typ", json!("refresh")), ("typ", Value::Null)] {
        let mut claims = json!({
            "sub": bob.id.to_string(), "iss": ISSUER, "aud": AUDIENCE,
            "jti": "e2e-typ-0001", "iat": iat, "exp": iat + 300
        });
        if !value.is_null() {
            claims[claim] = value.clone();
        }
        let token = mint_hs256(&claims, JWT_SECRET);
        assert_invalid_token(
            &t.send(Request::get("/me").bearer(&token)),
            &t.at(&format!("/me with typ {value}")),
        );
    }
    let other_secret = mint_hs256(
        &json!({
            "sub": bob.id.to_string(), "iss": ISSUER, "aud": AUDIENCE, "typ": "access",
            "jti": "e2e-secret-0001", "iat": iat, "exp": iat + 300
        }),
        "another-secret-of-more-than-32-bytes-0123456789",
    );
    assert_invalid_token(
        &t.send(Request::get("/me").bearer(&other_secret)),
        &t.at("/me with a token of another secret"),
    );
}

/// `GET /me` for jwt, api_key (header and query), session and basic, and 401 without.
fn me_for_every_scheme(t: &Suite<'_>, bob: &Account) {
    let check = |body: &Value, what: &str| {
        assert_eq!(body["id"], bob.id, "{what}: {body}");
        assert_eq!(body["username"], bob.name, "{what}: {body}");
        assert_eq!(body["roles"], json!(["user"]), "{what}: {body}");
    };
    check(
        &t.me(Request::get("/me").bearer(&bob.access), "jwt", "/me jwt"),
        "/me jwt",
    );
    check(
        &t.me(
            Request::get("/me").basic(&bob.name, &bob.password),
            "basic",
            "/me basic",
        ),
        "/me basic",
    );
    let session = t.session(&bob.name, &bob.password);
    check(
        &t.me(
            Request::get("/me").cookie(&session.cookie),
            "session",
            "/me session",
        ),
        "/me session",
    );
    let (_, key) = t.create_api_key(Request::post("/api-keys").bearer(&bob.access), "bob's key");
    check(
        &t.me(Request::get("/me").api_key(&key), "api_key", "/me api_key header"),
        "/me api_key",
    );
    check(
        &t.me(
            Request::get(&format!("/me?api_key={key}")),
            "api_key",
            "/me ?api_key=",
        ),
        "/me ?api_key=",
    );

    let what = t.at("/me without credentials");
    let response = t.send(Request::get("/me"));
    response.expect_error(401, "missing_credentials", &what);
    let challenges = response.headers_all("www-authenticate");
    assert_eq!(
        challenges.len(),
        4,
        "{what}: one challenge per scheme: {challenges:?}"
    );
    for scheme in ["Bearer ", "ApiKey ", "Session ", "Basic "] {
        assert!(
            challenges.iter().any(|c| c.starts_with(scheme)),
            "{what}: {scheme}in {challenges:?}"
        );
    }
    assert!(
        !challenges.iter().any(|c| c.contains("error=")),
        "{what}: no error= {challenges:?}"
    );

    t.send(
        Request::get("/me")
            .source(fresh_source())
            .basic(&bob.name, "wrong-password-1"),
    )
    .expect_error(
        401,
        "invalid_credentials",
        &t.at("/me basic with a wrong password"),
    );
    t.send(Request::get("/me").api_key("pk_0000000000000000000000000000000000000000000000"))
        .expect(401, &t.at("/me with an unknown API key"));
    t.send(
        Request::get("/me")
            .bearer(&bob.access)
            .api_key("pk_0000000000000000000000000000000000000000000000"),
    )
    .expect(
        401,
        &t.at("/me with a valid token and an invalid API key (fail closed)"),
    );
    // Basic with the right password still works.
    t.me(
        Request::get("/me").basic(&bob.name, &bob.password),
        "basic",
        "/me basic again",
    );
}

/// `POST /session/login`, `POST /session/logout`, and CSRF on unsafe session requests.
fn session_rows(t: &Suite<'_>, carol: &Account) {
    t.send(
        Request::post("/session/login")
            .source(fresh_source())
            .json(&json!({ "username": carol.name, "password": "nope-nope-nope" })),
    )
    .expect_error(
        401,
        "invalid_credentials",
        &t.at("session login with a wrong password"),
    );
    let session = t.session(&carol.name, &carol.password);
    let me = t.me(
        Request::get("/me").cookie(&session.cookie),
        "session",
        "/me with the session",
    );
    assert_eq!(me["username"], carol.name);

    // Unsafe requests need X-CSRF-Token (the right one) and a same-site Origin.
    t.send(Request::post("/session/logout").cookie(&session.cookie))
        .expect_error(403, "csrf_rejected", &t.at("session logout without X-CSRF-Token"));
    t.send(
        Request::post("/session/logout")
            .cookie(&session.cookie)
            .csrf("wrong-token"),
    )
    .expect_error(
        403,
        "csrf_rejected",
        &t.at("session logout with a wrong X-CSRF-Token"),
    );
    let other = t.session(&carol.name, &carol.password);
    t.send(
        Request::post("/session/logout")
            .cookie(&session.cookie)
            .csrf(&other.csrf),
    )
    .expect_error(
        403,
        "csrf_rejected",
        &t.at("session logout with another session's CSRF token"),
    );
    t.send(
        Request::post("/posts")
            .cookie(&session.cookie)
            .json(&Suite::post_json("no csrf", true)),
    )
    .expect_error(
        403,
        "csrf_rejected",
        &t.at("POST /posts over a session without X-CSRF-Token"),
    );
    t.send(
        Request::post("/posts")
            .cookie(&session.cookie)
            .csrf(&session.csrf)
            .header("Origin", "http://evil.example")
            .json(&Suite::post_json("cross site", true)),
    )
    .expect_error(
        403,
        "csrf_rejected",
        &t.at("POST /posts over a session from another Origin"),
    );
    t.send(
        Request::post("/posts")
            .cookie(&session.cookie)
            .csrf(&session.csrf)
            .header("Sec-Fetch-Site", "cross-site")
            .json(&Suite::post_json("cross site", true)),
    )
    .expect_error(
        403,
        "csrf_rejected",
        &t.at("POST /posts over a session, Sec-Fetch-Site: cross-site"),
    );
    t.send(Request::new("DELETE", &format!("/posts/{MISSING_ID}")).cookie(&session.cookie))
        .expect_error(
            403,
            "csrf_rejected",
            &t.at("DELETE over a session without X-CSRF-Token"),
        );
    // The refused requests did not end the session.
    t.me(
        Request::get("/me").cookie(&session.cookie),
        "session",
        "/me after refused requests",
    );

    let what = t.at("session logout");
    let response = t.send(
        Request::post("/session/logout")
            .cookie(&session.cookie)
            .csrf(&session.csrf),
    );
    response.expect(204, &what);
    assert!(response.body.is_empty(), "{what}: no body");
    let cleared = response
        .header("set-cookie")
        .unwrap_or_else(|| panic!("{what}: Set-Cookie"));
    assert!(
        cleared.starts_with(&format!("{COOKIE}=;")),
        "{what}: the cookie is emptied: {cleared}"
    );
    assert!(
        cleared
            .split(';')
            .any(|a| a.trim().eq_ignore_ascii_case("Max-Age=0")),
        "{what}: and expires now: {cleared}"
    );
    let response = t.send(Request::get("/me").cookie(&session.cookie));
    response.expect_error(401, "invalid_credentials", &t.at("/me with the ended session"));
    t.send(
        Request::post("/session/logout")
            .cookie(&session.cookie)
            .csrf(&session.csrf),
    )
    .expect(401, &t.at("session logout of an ended session"));
    t.send(Request::post("/session/logout").bearer(&carol.access))
        .expect(401, &t.at("session logout with a bearer token only"));
    // The other session lives on.
    t.me(
        Request::get("/me").cookie(&other.cookie),
        "session",
        "/me with the other session",
    );
}

/// `POST /auth/refresh`: rotation; reuse revokes the family; access tokens refused.
fn refresh_rows(t: &Suite<'_>, bob: &Account) {
    let (_, first) = t.login(&bob.name, &bob.password);
    let refresh =
        |token: &str| t.send(Request::post("/auth/refresh").json(&json!({ "refresh_token": token })));

    let what = t.at("refresh");
    let response = refresh(&first);
    response.expect(200, &what);
    let pair = response.json();
    assert_eq!(pair["token_type"], "Bearer", "{what}: {pair}");
    assert_eq!(pair["expires_in"], ACCESS_TTL, "{what}: {pair}");
    let second = pair["refresh_token"].as_str().expect("refresh_token").to_owned();
    let access = pair["access_token"].as_str().expect("access_token").to_owned();
    assert_ne!(second, first, "{what}: a new refresh token (rotation)");
    let (_, claims) = verify_hs256(&access, JWT_SECRET);
    assert_eq!(claims["sub"], bob.id.to_string(), "{what}: {claims}");
    assert_eq!(claims["typ"], "access", "{what}: {claims}");
    t.me(
        Request::get("/me").bearer(&access),
        "jwt",
        "/me with the refreshed access token",
    );

    let response = refresh(&second);
    response.expect(200, &t.at("refresh the rotated token"));
    let third = response.json()["refresh_token"]
        .as_str()
        .expect("refresh_token")
        .to_owned();

    // The token endpoint answers 401 `invalid_token` (a body, no challenge: the
    // refresh token is not an HTTP credential).
    let refused = |response: Response, what: &str| {
        response.expect_error(401, "invalid_token", what);
    };
    // Reuse of a spent token: 401, and the whole family is revoked.
    refused(refresh(&first), &t.at("reuse of a spent refresh token"));
    refused(refresh(&third), &t.at("the family's newest token after reuse"));
    refused(refresh(&second), &t.at("the family's middle token after reuse"));

    // An access token, garbage, or nothing are not refresh tokens.
    refused(refresh(&bob.access), &t.at("an access token as refresh token"));
    refused(refresh("0123456789"), &t.at("a short refresh token"));
    refused(
        refresh("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        &t.at("an unknown refresh token"),
    );
    t.send(Request::post("/auth/refresh").json(&json!({})))
        .expect_error(400, "invalid_input", &t.at("refresh without refresh_token"));
    // Other families are untouched.
    let response = refresh(&bob.refresh);
    response.expect(200, &t.at("another family still refreshes"));
}

/// `POST /auth/logout`: 204; the refresh family and the access token stop working.
fn logout_rows(t: &Suite<'_>, bob: &Account) {
    let (access, refresh) = t.login(&bob.name, &bob.password);
    let (other_access, other_refresh) = t.login(&bob.name, &bob.password);
    t.send(Request::post("/auth/logout").json(&json!({ "refresh_token": refresh })))
        .expect_error(401, "missing_credentials", &t.at("logout without a bearer token"));
    let what = t.at("logout");
    let response = t.send(
        Request::post("/auth/logout")
            .bearer(&access)
            .json(&json!({ "refresh_token": refresh })),
    );
    response.expect(204, &what);
    assert!(response.body.is_empty(), "{what}: no body");
    assert_invalid_token(
        &t.send(Request::get("/me").bearer(&access)),
        &t.at("/me after logout"),
    );
    assert_invalid_token(
        &t.send(
            Request::post("/posts")
                .bearer(&access)
                .json(&Suite::post_json("after logout", true)),
        ),
        &t.at("POST /posts after logout"),
    );
    t.send(Request::post("/auth/refresh").json(&json!({ "refresh_token": refresh })))
        .expect_error(401, "invalid_token", &t.at("refresh after logout"));
    assert_invalid_token(
        &t.send(
            Request::post("/auth/logout")
                .bearer(&access)
                .json(&json!({ "refresh_token": refresh })),
        ),
        &t.at("logout again with the revoked access token"),
    );
    // Another login of the same user is a separate family and token.
    t.me(
        Request::get("/me").bearer(&other_access),
        "jwt",
        "/me with another login",
    );
    t.send(Request::post("/auth/refresh").json(&json!({ "refresh_token": other_refresh })))
        .expect(200, &t.at("refresh of another login"));
}

/// `POST /api-keys` and `DELETE /api-keys/{id}`.
fn api_key_rows(t: &Suite<'_>, alice: &Account, bob: &Account, carol: &Account) {
    let (bob_key_id, bob_key) = t.create_api_key(
        Request::post("/api-keys").bearer(&bob.access),
        "bob creates a key (jwt)",
    );
    let body = t.me(
        Request::get("/me").api_key(&bob_key),
        "api_key",
        "bob's new key as X-API-Key",
    );
    assert_eq!(body["username"], bob.name, "{body}");
    let body = t.me(
        Request::get(&format!("/me?api_key={bob_key}")),
        "api_key",
        "bob's key as ?api_key=",
    );
    assert_eq!(body["username"], bob.name, "{body}");

    let session = t.session(&carol.name, &carol.password);
    t.send(Request::post("/api-keys").cookie(&session.cookie))
        .expect_error(
            403,
            "csrf_rejected",
            &t.at("POST /api-keys over a session without X-CSRF-Token"),
        );
    let (carol_key_id, carol_key) = t.create_api_key(
        Request::post("/api-keys")
            .cookie(&session.cookie)
            .csrf(&session.csrf),
        "carol creates a key (session)",
    );
    assert_ne!(carol_key_id, bob_key_id);
    let body = t.me(Request::get("/me").api_key(&carol_key), "api_key", "carol's key");
    assert_eq!(body["username"], carol.name, "{body}");

    t.send(Request::post("/api-keys")).expect_error(
        401,
        "missing_credentials",
        &t.at("POST /api-keys anonymously"),
    );
    t.send(Request::post("/api-keys").api_key(&bob_key))
        .expect(401, &t.at("POST /api-keys with an API key (jwt, session only)"));
    t.send(Request::post("/api-keys").basic(&bob.name, &bob.password))
        .expect(401, &t.at("POST /api-keys with Basic (jwt, session only)"));

    // DELETE: another user's key (even the admin's attempt) 403; unknown 404.
    assert_insufficient_scope(
        &t.send(Request::delete(&format!("/api-keys/{bob_key_id}")).bearer(&carol.access)),
        &t.at("carol deletes bob's key"),
    );
    assert_insufficient_scope(
        &t.send(Request::delete(&format!("/api-keys/{bob_key_id}")).bearer(&alice.access)),
        &t.at("alice (admin) deletes bob's key: owner only"),
    );
    t.send(Request::delete(&format!("/api-keys/{MISSING_ID}")).bearer(&bob.access))
        .expect_error(404, "not_found", &t.at("delete an unknown key"));
    t.send(Request::delete(&format!("/api-keys/{bob_key_id}")).api_key(&bob_key))
        .expect(401, &t.at("delete a key with the key itself (jwt only)"));
    t.send(Request::delete(&format!("/api-keys/{bob_key_id}")))
        .expect_error(401, "missing_credentials", &t.at("delete a key anonymously"));
    let bob_session = t.session(&bob.name, &bob.password);
    t.send(
        Request::delete(&format!("/api-keys/{bob_key_id}"))
            .cookie(&bob_session.cookie)
            .csrf(&bob_session.csrf),
    )
    .expect(401, &t.at("delete a key over the owner's session (jwt only)"));
    // Still working after the refused attempts.
    t.me(
        Request::get("/me").api_key(&bob_key),
        "api_key",
        "bob's key after refused deletes",
    );

    let what = t.at("bob deletes his key");
    let response = t.send(Request::delete(&format!("/api-keys/{bob_key_id}")).bearer(&bob.access));
    response.expect(204, &what);
    assert!(response.body.is_empty(), "{what}: no body");
    t.send(Request::get("/me").api_key(&bob_key)).expect_error(
        401,
        "invalid_credentials",
        &t.at("the deleted key as X-API-Key"),
    );
    t.send(Request::get(&format!("/me?api_key={bob_key}")))
        .expect_error(401, "invalid_credentials", &t.at("the deleted key as ?api_key="));
    t.send(Request::delete(&format!("/api-keys/{bob_key_id}")).bearer(&bob.access))
        .expect_error(404, "not_found", &t.at("delete the deleted key again"));
    // Carol's key is untouched.
    t.me(
        Request::get("/me").api_key(&carol_key),
        "api_key",
        "carol's key after bob's delete",
    );
}

/// `GET /admin/users` (jwt, role admin) and `GET /users` (jwt, api_key; `users:read`).
fn admin_and_users_rows(t: &Suite<'_>, alice: &Account, bob: &Account, carol: &Account) {
    let check_list = |response: &Response, what: &str| {
        response.expect(200, what);
        let users = response.json();
        let users = users
            .as_array()
            .unwrap_or_else(|| panic!("{what}: a list: {users}"));
        for name in ["alice", "bob", "carol"] {
            assert!(
                users.iter().any(|u| u["username"] == name),
                "{what}: {name} listed: {users:?}"
            );
        }
        for user in users {
            assert!(
                user.get("password_hash").is_none() && !user.to_string().contains("$argon2"),
                "{what}: no password hashes in the list: {user}"
            );
        }
    };
    check_list(
        &t.send(Request::get("/admin/users").bearer(&alice.access)),
        &t.at("alice GET /admin/users"),
    );
    assert_insufficient_scope(
        &t.send(Request::get("/admin/users").bearer(&bob.access)),
        &t.at("bob GET /admin/users"),
    );
    assert_insufficient_scope(
        &t.send(Request::get("/admin/users").bearer(&carol.access)),
        &t.at("carol (moderator) GET /admin/users"),
    );
    t.send(Request::get("/admin/users")).expect_error(
        401,
        "missing_credentials",
        &t.at("GET /admin/users anonymously"),
    );
    let (_, alice_key) = t.create_api_key(Request::post("/api-keys").bearer(&alice.access), "alice's key");
    t.send(Request::get("/admin/users").api_key(&alice_key))
        .expect(401, &t.at("GET /admin/users with alice's API key (jwt only)"));
    t.send(Request::get("/users").basic(&carol.name, &carol.password))
        .expect(401, &t.at("GET /users with Basic (jwt, api_key only)"));

    check_list(
        &t.send(Request::get("/users").bearer(&carol.access)),
        &t.at("carol GET /users (jwt)"),
    );
    check_list(
        &t.send(Request::get("/users").bearer(&alice.access)),
        &t.at("alice GET /users (jwt)"),
    );
    let (_, carol_key) = t.create_api_key(Request::post("/api-keys").bearer(&carol.access), "carol's key");
    check_list(
        &t.send(Request::get("/users").api_key(&carol_key)),
        &t.at("carol GET /users (api_key)"),
    );
    check_list(
        &t.send(Request::get(&format!("/users?api_key={carol_key}"))),
        &t.at("carol GET /users (?api_key=)"),
    );
    assert_insufficient_scope(
        &t.send(Request::get("/users").bearer(&bob.access)),
        &t.at("bob GET /users"),
    );
    let (_, bob_key) = t.create_api_key(Request::post("/api-keys").bearer(&bob.access), "bob's key");
    t.send(Request::get("/users").api_key(&bob_key)).expect_error(
        403,
        "forbidden",
        &t.at("bob GET /users (api_key)"),
    );
    let session = t.session(&carol.name, &carol.password);
    t.send(Request::get("/users").cookie(&session.cookie))
        .expect_error(
            401,
            "missing_credentials",
            &t.at("GET /users with a session (jwt, api_key only)"),
        );
    t.send(Request::get("/users"))
        .expect_error(401, "missing_credentials", &t.at("GET /users anonymously"));
}

/// `GET/POST /posts`, `PUT/DELETE /posts/{id}`.
fn post_rows(t: &Suite<'_>, alice: &Account, bob: &Account, carol: &Account) {
    // POST: jwt, session + CSRF, api_key; 401 anonymous.
    let published = t.create_post(
        Request::post("/posts").bearer(&bob.access),
        "bob published",
        true,
        bob.id,
    );
    let session = t.session(&bob.name, &bob.password);
    let draft = t.create_post(
        Request::post("/posts")
            .cookie(&session.cookie)
            .csrf(&session.csrf),
        "bob draft",
        false,
        bob.id,
    );
    let same_origin = format!("http://127.0.0.1:{}", t.server.port());
    t.create_post(
        Request::post("/posts")
            .cookie(&session.cookie)
            .csrf(&session.csrf)
            .header("Origin", &same_origin),
        "bob same-origin",
        true,
        bob.id,
    );
    let (_, carol_key) = t.create_api_key(Request::post("/api-keys").bearer(&carol.access), "carol's key");
    let carol_post = t.create_post(
        Request::post("/posts").api_key(&carol_key),
        "carol via key",
        true,
        carol.id,
    );
    t.send(Request::post("/posts").json(&Suite::post_json("anonymous", true)))
        .expect_error(401, "missing_credentials", &t.at("POST /posts anonymously"));
    t.send(
        Request::post("/posts")
            .basic(&bob.name, &bob.password)
            .json(&Suite::post_json("basic", true)),
    )
    .expect(401, &t.at("POST /posts with Basic (not accepted there)"));
    t.send(
        Request::post("/posts")
            .bearer(&bob.access)
            .json(&json!({ "title": "", "body": "x" })),
    )
    .expect_error(400, "invalid_input", &t.at("POST /posts with an empty title"));

    // GET: anonymous sees published posts only; authenticated sees drafts too.
    let ids = |response: &Response, what: &str| -> Vec<i64> {
        response.expect(200, what);
        let posts = response.json();
        posts
            .as_array()
            .unwrap_or_else(|| panic!("{what}: a list: {posts}"))
            .iter()
            .map(|p| p["id"].as_i64().expect("post id"))
            .collect()
    };
    let what = t.at("GET /posts anonymously");
    let response = t.send(Request::get("/posts"));
    let anonymous = ids(&response, &what);
    assert!(
        anonymous.contains(&published) && anonymous.contains(&carol_post),
        "{what}: {anonymous:?}"
    );
    assert!(!anonymous.contains(&draft), "{what}: no drafts: {anonymous:?}");
    assert!(
        response
            .json()
            .as_array()
            .expect("list")
            .iter()
            .all(|p| p["published"] == true),
        "{what}: published only"
    );
    let what = t.at("GET /posts authenticated");
    let all = ids(&t.send(Request::get("/posts").bearer(&carol.access)), &what);
    assert!(
        all.contains(&draft) && all.contains(&published),
        "{what}: drafts too: {all:?}"
    );
    t.send(Request::get("/posts").bearer("not.a.token")).expect(
        401,
        &t.at("GET /posts with a broken token (fail closed, not anonymous)"),
    );

    // PUT: owner or admin; 403 other user; 404 missing.
    let update = |request: Request, title: &str| {
        t.send(request.json(&json!({ "title": title, "body": "edited", "published": true })))
    };
    let what = t.at("bob edits his post");
    let response = update(
        Request::put(&format!("/posts/{draft}")).bearer(&bob.access),
        "bob edited",
    );
    response.expect(200, &what);
    let body = response.json();
    assert_eq!(
        (
            body["id"].as_i64(),
            body["title"].as_str(),
            body["author_id"].as_i64(),
            body["published"].as_bool()
        ),
        (Some(draft), Some("bob edited"), Some(bob.id), Some(true)),
        "{what}: {body}"
    );
    let response = update(
        Request::put(&format!("/posts/{draft}"))
            .cookie(&session.cookie)
            .csrf(&session.csrf),
        "bob edited by session",
    );
    response.expect(200, &t.at("bob edits his post over the session"));
    let response = update(
        Request::put(&format!("/posts/{draft}")).bearer(&alice.access),
        "alice edited",
    );
    response.expect(200, &t.at("alice (admin) edits bob's post"));
    assert_eq!(response.json()["author_id"], bob.id, "the author stays bob");
    assert_insufficient_scope(
        &update(
            Request::put(&format!("/posts/{draft}")).bearer(&carol.access),
            "carol edited",
        ),
        &t.at("carol (moderator, not owner) edits bob's post"),
    );
    assert_insufficient_scope(
        &update(
            Request::put(&format!("/posts/{carol_post}")).bearer(&bob.access),
            "bob edited",
        ),
        &t.at("bob edits carol's post"),
    );
    update(
        Request::put(&format!("/posts/{MISSING_ID}")).bearer(&bob.access),
        "nothing",
    )
    .expect_error(404, "not_found", &t.at("PUT a missing post"));
    update(
        Request::put(&format!("/posts/{draft}")).api_key(&carol_key),
        "by key",
    )
    .expect(401, &t.at("PUT with an API key (jwt, session only)"));
    update(Request::put(&format!("/posts/{draft}")), "anonymous").expect_error(
        401,
        "missing_credentials",
        &t.at("PUT anonymously"),
    );
    let what = t.at("the post after the edits");
    let all = t.send(Request::get("/posts")).json();
    let post = all
        .as_array()
        .expect("list")
        .iter()
        .find(|p| p["id"] == draft)
        .unwrap_or_else(|| panic!("{what}: published now: {all}"))
        .clone();
    assert_eq!(post["title"], "alice edited", "{what}: {post}");

    // DELETE: owner, moderator or admin; 403 other user; 404.
    let mk = |title: &str| t.create_post(Request::post("/posts").bearer(&bob.access), title, true, bob.id);
    let (by_owner, by_session, by_moderator, by_admin) = (mk("d1"), mk("d2"), mk("d3"), mk("d4"));
    let delete = |id: i64, request: Request, status: u16, what: &str| {
        let what = t.at(what);
        let response = t.send(request);
        response.expect(status, &what);
        if status == 204 {
            assert!(response.body.is_empty(), "{what}: no body");
            assert!(
                !ids(&t.send(Request::get("/posts")), &what).contains(&id),
                "{what}: gone"
            );
        }
        response
    };
    assert_insufficient_scope(
        &delete(
            carol_post,
            Request::delete(&format!("/posts/{carol_post}")).bearer(&bob.access),
            403,
            "bob deletes carol's post",
        ),
        &t.at("bob deletes carol's post"),
    );
    delete(
        by_owner,
        Request::delete(&format!("/posts/{by_owner}")).bearer(&bob.access),
        204,
        "owner deletes",
    );
    delete(
        by_session,
        Request::delete(&format!("/posts/{by_session}"))
            .cookie(&session.cookie)
            .csrf(&session.csrf),
        204,
        "owner deletes over the session",
    );
    delete(
        by_moderator,
        Request::delete(&format!("/posts/{by_moderator}")).bearer(&carol.access),
        204,
        "moderator deletes",
    );
    delete(
        by_admin,
        Request::delete(&format!("/posts/{by_admin}")).bearer(&alice.access),
        204,
        "admin deletes",
    );
    delete(
        by_owner,
        Request::delete(&format!("/posts/{by_owner}")).bearer(&bob.access),
        404,
        "delete again",
    )
    .expect_error(404, "not_found", &t.at("delete again"));
    delete(
        MISSING_ID,
        Request::delete(&format!("/posts/{MISSING_ID}")).bearer(&alice.access),
        404,
        "delete missing",
    )
    .expect_error(404, "not_found", &t.at("delete missing"));
    delete(
        carol_post,
        Request::delete(&format!("/posts/{carol_post}")),
        401,
        "delete anonymously",
    );
    assert!(
        ids(&t.send(Request::get("/posts")), "posts").contains(&carol_post),
        "{}",
        t.at("carol's post survived the refused deletes")
    );
}

/// `POST /users/{id}/change_username`: 200 owner/admin, 400 same name, 409 taken,
/// 403 another user, 404 unknown.
fn change_username_rows(t: &Suite<'_>, alice: &Account, bob: &Account, dave: &Account) {
    let rename = |id: i64, token: &str, name: &str| {
        t.send(
            Request::post(&format!("/users/{id}/change_username"))
                .bearer(token)
                .json(&json!({ "username": name })),
        )
    };
    let what = t.at("dave renames himself");
    let response = rename(dave.id, &dave.access, "david");
    response.expect(200, &what);
    assert_eq!(
        response.json(),
        json!({ "id": dave.id, "username": "david" }),
        "{what}"
    );
    let body = t.me(
        Request::get("/me").bearer(&dave.access),
        "jwt",
        "/me after the rename",
    );
    assert_eq!(body["username"], "david", "{body}");
    t.send(
        Request::post("/auth/login")
            .source(fresh_source())
            .json(&json!({ "username": "dave", "password": dave.password })),
    )
    .expect_error(401, "invalid_credentials", &t.at("login with the old name"));
    t.login("david", &dave.password);

    rename(dave.id, &dave.access, "david").expect_error(
        400,
        "invalid_input",
        &t.at("rename to the same name"),
    );
    rename(dave.id, &dave.access, "bob").expect_error(409, "conflict", &t.at("rename to a taken name"));
    rename(dave.id, &dave.access, "x").expect_error(400, "invalid_input", &t.at("rename to an invalid name"));
    assert_insufficient_scope(&rename(bob.id, &dave.access, "bobby"), &t.at("dave renames bob"));
    rename(MISSING_ID, &dave.access, "ghost").expect_error(404, "not_found", &t.at("rename an unknown user"));
    rename(MISSING_ID, &alice.access, "ghost").expect_error(
        404,
        "not_found",
        &t.at("admin renames an unknown user"),
    );
    t.send(
        Request::post(&format!("/users/{}/change_username", dave.id)).json(&json!({ "username": "dave3" })),
    )
    .expect_error(401, "missing_credentials", &t.at("rename anonymously"));

    let what = t.at("alice (admin) renames dave back");
    let response = rename(dave.id, &alice.access, "dave");
    response.expect(200, &what);
    assert_eq!(response.json()["username"], "dave", "{what}");
    let body = t.me(Request::get("/me").bearer(&bob.access), "jwt", "bob is still bob");
    assert_eq!(body["username"], "bob", "{body}");
}

/// AuthX e-mail confirmation: status, request (202, 429 within 60 s, 400 once
/// confirmed), confirm (200; 403 reused or unknown).
fn confirmation_rows(t: &Suite<'_>, bob: &Account, dave: &Account) {
    let email = format!("{}@example.com", dave.name);
    let status = |what: &str| {
        let response = t.send(Request::get("/auth/confirm").bearer(&dave.access));
        response.expect(200, &t.at(what));
        response.json()
    };
    assert_eq!(
        status("status before"),
        json!({ "email": email, "confirmed": false })
    );
    t.send(Request::get("/auth/confirm")).expect_error(
        401,
        "missing_credentials",
        &t.at("GET /auth/confirm anonymously"),
    );
    t.send(Request::post("/auth/confirm")).expect_error(
        401,
        "missing_credentials",
        &t.at("POST /auth/confirm anonymously"),
    );

    assert!(
        t.mails_to(&email).is_empty(),
        "{}",
        t.at("no mail before the request")
    );
    t.send(Request::post("/auth/confirm").bearer(&dave.access))
        .expect(202, &t.at("request a confirmation mail"));
    let what = t.at("a second request within 60 s");
    let response = t.send(Request::post("/auth/confirm").bearer(&dave.access));
    response.expect_error(429, "too_many_attempts", &what);
    let retry: u64 = response
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{what}: Retry-After seconds in {:?}", response.headers));
    assert!((1..=60).contains(&retry), "{what}: Retry-After {retry}");
    let mails = t.mails_to(&email);
    assert_eq!(mails.len(), 1, "{}: one mail only: {mails:?}", t.at("outbox"));
    let token = t.confirmation_token(&email);
    assert_eq!(token.len(), 43, "{}: a 256-bit token: {token}", t.at("the link"));

    let confirm = |token: &str| t.send(Request::post(&format!("/auth/confirm/{token}")));
    confirm("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").expect_error(
        403,
        "forbidden",
        &t.at("confirm with an unknown token"),
    );
    confirm("short").expect_error(403, "forbidden", &t.at("confirm with a malformed token"));
    // A session id is no confirmation token, and a confirmation token no session id.
    let session = t.session(&bob.name, &bob.password);
    let session_id = session.cookie.split_once('=').expect("name=value").1.to_owned();
    confirm(&session_id).expect_error(403, "forbidden", &t.at("confirm with a session id"));
    t.me(
        Request::get("/me").cookie(&session.cookie),
        "session",
        "the session after that",
    );
    t.send(Request::get("/me").cookie(&format!("{COOKIE}={token}")))
        .expect(401, &t.at("a confirmation token as session cookie"));
    assert_eq!(
        status("status still unconfirmed"),
        json!({ "email": email, "confirmed": false })
    );

    let what = t.at("confirm");
    let response = confirm(&token);
    response.expect(200, &what);
    assert_eq!(response.json()["confirmed"], true, "{what}");
    confirm(&token).expect_error(403, "forbidden", &t.at("confirm with a used token"));
    assert_eq!(
        status("status after"),
        json!({ "email": email, "confirmed": true })
    );
    t.send(Request::post("/auth/confirm").bearer(&dave.access))
        .expect_error(400, "already_confirmed", &t.at("request after confirmation"));

    // Bob's address is unaffected.
    let response = t.send(Request::get("/auth/confirm").bearer(&bob.access));
    response.expect(200, &t.at("bob's status"));
    assert_eq!(response.json()["confirmed"], false, "{}", t.at("bob's status"));
}

/// Five failed logins of one user name answer 401, the sixth attempt 429 with
/// `Retry-After`, even with the right password — from any address; other users are
/// unaffected.
fn throttle_rows(t: &Suite<'_>, alice: &Account) {
    let name = "mallory";
    t.register(name, "mallory-password-1");
    let attempt = |password: &str, source| {
        t.send(
            Request::post("/auth/login")
                .source(source)
                .json(&json!({ "username": name, "password": password })),
        )
    };
    let attacker = fresh_source();
    for n in 1..=5 {
        attempt(&format!("wrong-password-{n}"), attacker).expect_error(
            401,
            "invalid_credentials",
            &t.at(&format!("failed login {n}")),
        );
    }
    let throttled = |response: &Response, what: &str| {
        let what = t.at(what);
        response.expect_error(429, "too_many_attempts", &what);
        let retry: u64 = response
            .header("retry-after")
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{what}: Retry-After seconds in {:?}", response.headers));
        assert!(
            (1..=900).contains(&retry),
            "{what}: Retry-After {retry} within the 15-minute window"
        );
        assert!(response.json().get("access_token").is_none(), "{what}");
    };
    throttled(
        &attempt("mallory-password-1", attacker),
        "6th attempt, right password",
    );
    throttled(&attempt("wrong-password-7", attacker), "7th attempt");
    // Per user name: another address does not help.
    throttled(
        &attempt("mallory-password-1", fresh_source()),
        "right password from another address",
    );
    throttled(
        &t.send(
            Request::post("/session/login")
                .source(fresh_source())
                .json(&json!({ "username": name, "password": "mallory-password-1" })),
        ),
        "session login while throttled",
    );
    throttled(
        &t.send(
            Request::get("/me")
                .source(fresh_source())
                .basic(name, "mallory-password-1"),
        ),
        "Basic while throttled",
    );
    // Other users log in; tokens issued before still work.
    t.login(&alice.name, &alice.password);
    t.me(
        Request::get("/me").bearer(&alice.access),
        "jwt",
        "a token after the throttling",
    );
}

#[test]
fn contract_in_memory_stores_over_sqlite() {
    let server = Server::start("sqlite", None, &[]);
    contract("sqlite", &server);
}

#[test]
fn contract_with_redis_stores() {
    let Some(prefix) = RedisPrefix::acquire("reference e2e with Redis stores") else {
        return;
    };
    let server = Server::start(
        "redis",
        None,
        &[
            ("PORTCULLIS_REDIS_URL", REDIS_URL),
            ("PORTCULLIS_REDIS_PREFIX", prefix.as_str()),
        ],
    );
    contract("redis", &server);
    // The state really lived in Redis, under this run's prefix.
    let keys = redis_keys(prefix.as_str());
    for kind in ["rv", "rt", "rf", "ss", "th"] {
        let infix = format!("{}:{kind}:", prefix.as_str());
        assert!(
            keys.iter().any(|k| k.starts_with(&infix)),
            "revocations, refresh families, sessions and throttle counters live in Redis: no {infix}* in {keys:?}"
        );
    }
    drop(server);
}

#[test]
fn contract_on_postgres() {
    let Some(schema) = PgSchema::create("reference e2e on PostgreSQL") else {
        return;
    };
    let server = Server::start("postgres", Some(&schema.url()), &[]);
    contract("postgres", &server);
    drop(server);
    // The rows are in this run's schema (the search_path option took effect).
    let users = schema.scalar("SELECT COUNT(*) FROM users");
    assert!(
        users >= 6,
        "seed and registered users in schema {}: {users}",
        schema.name()
    );
    let qualified = schema.scalar(&format!(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '{}'",
        schema.name()
    ));
    assert_eq!(qualified, 3, "users, api_keys and posts in {}", schema.name());
}

/// The other configuration variables of §5: issuer, audience and TTLs from the
/// environment, refresh tokens that expire, production-mode cookies (`__Host-` prefix,
/// `Secure`) without `/dev/outbox`, and `PORTCULLIS_SEED=0`.
#[test]
fn configuration_from_the_environment() {
    let server = Server::start(
        "config",
        None,
        &[
            ("PORTCULLIS_DEV", "0"),
            ("PORTCULLIS_JWT_ISSUER", "e2e-issuer"),
            ("PORTCULLIS_JWT_AUDIENCE", "e2e-audience"),
            ("PORTCULLIS_ACCESS_TTL", "60"),
            ("PORTCULLIS_REFRESH_TTL", "1"),
        ],
    );
    let login = |server: &Server, name: &str| {
        server.send(
            Request::post("/auth/login")
                .json(&json!({ "username": name, "password": format!("{name}-password-1") })),
        )
    };
    let response = login(&server, "alice");
    response.expect(200, "login with short TTLs");
    let pair = response.json();
    assert_eq!(pair["expires_in"], 60, "{pair}");
    let access = pair["access_token"].as_str().expect("access_token");
    let refresh = pair["refresh_token"].as_str().expect("refresh_token").to_owned();
    let (_, claims) = verify_hs256(access, JWT_SECRET);
    assert_eq!(claims["iss"], "e2e-issuer", "{claims}");
    assert!(
        claims["aud"] == "e2e-audience" || claims["aud"] == json!(["e2e-audience"]),
        "{claims}"
    );
    let (iat, exp) = (
        claims["iat"].as_i64().expect("iat"),
        claims["exp"].as_i64().expect("exp"),
    );
    assert_eq!(exp - iat, 60, "{claims}");
    server
        .send(Request::get("/me").bearer(access))
        .expect(200, "the configured issuer and audience are accepted");
    let iat = now();
    let default_issuer = mint_hs256(
        &json!({
            "sub": claims["sub"], "iss": ISSUER, "aud": AUDIENCE, "typ": "access",
            "jti": "e2e-config-0001", "iat": iat, "exp": iat + 60
        }),
        JWT_SECRET,
    );
    assert_invalid_token(
        &server.send(Request::get("/me").bearer(&default_issuer)),
        "a token with the default issuer and audience",
    );

    // Production mode: `__Host-portcullis_session` with `Secure`; no outbox.
    let what = "session login outside development mode";
    let response = server.send(
        Request::post("/session/login").json(&json!({ "username": "bob", "password": "bob-password-1" })),
    );
    response.expect(200, what);
    let set_cookie = response.header("set-cookie").expect("Set-Cookie");
    assert!(
        set_cookie.starts_with("__Host-portcullis_session="),
        "{what}: {set_cookie}"
    );
    let attributes: Vec<&str> = set_cookie.split(';').map(str::trim).collect();
    for attribute in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(
            attributes.contains(&attribute),
            "{what}: {attribute} in {set_cookie}"
        );
    }
    assert!(
        !attributes.iter().any(|a| a.starts_with("Domain")),
        "{what}: no Domain: {set_cookie}"
    );
    let cookie = attributes[0];
    let body = server.send(Request::get("/me").cookie(cookie)).json();
    assert_eq!(body["scheme"], "session", "{body}");
    let dev_name = cookie.replacen("__Host-", "", 1);
    server.send(Request::get("/me").cookie(&dev_name)).expect_error(
        401,
        "missing_credentials",
        "the dev-mode cookie name outside dev mode",
    );
    server
        .send(Request::get("/dev/outbox"))
        .expect(404, "no /dev/outbox outside development mode");

    // PORTCULLIS_REFRESH_TTL=1: the refresh token is dead two seconds later.
    std::thread::sleep(std::time::Duration::from_millis(2100));
    server
        .send(Request::post("/auth/refresh").json(&json!({ "refresh_token": refresh })))
        .expect_error(401, "invalid_token", "an expired refresh token");
    drop(server);

    // PORTCULLIS_SEED=0: no seed users.
    let server = Server::start("no-seed", None, &[("PORTCULLIS_SEED", "0")]);
    login(&server, "alice").expect_error(401, "invalid_credentials", "alice without seeding");
    let response = server.send(Request::get("/users").basic("alice", "alice-password-1"));
    response.expect(401, "Basic for alice without seeding");
}

/// DESIGN §5: "the first 5 failures *per username* in 15 min answer 401, from the 6th
/// attempt on 429". A user without any failure must be able to log in.
#[test]
fn five_failures_of_other_users_do_not_lock_out_a_user() {
    let server = Server::start("throttle-address", None, &[]);
    let shared_address = fresh_source();
    for name in ["ann", "ben", "cid", "dan", "eve"] {
        server
            .send(
                Request::post("/auth/login")
                    .source(shared_address)
                    .json(&json!({ "username": name, "password": "a-wrong-password" })),
            )
            .expect_error(401, "invalid_credentials", &format!("one failed login of {name}"));
    }
    server
        .send(
            Request::post("/auth/login")
                .source(shared_address)
                .json(&json!({ "username": "alice", "password": "alice-password-1" })),
        )
        .expect(200, "alice (no failure of her own) logs in from the same address");
}

/// DESIGN §5, `PORTCULLIS_JWKS_FILE`: tokens of an external identity provider, signed
/// with its RSA and EC keys (each pinned to its `kid` and `alg` in the JWKS), are
/// accepted with the server's own `iss`/`aud` and a local user id as `sub`; a token
/// signed by another key under a known `kid`, or naming an unknown `kid`, is refused.
#[test]
fn external_identity_provider_tokens_through_a_jwks_file() {
    use jsonwebtoken::jwk::{Jwk, JwkSet, KeyAlgorithm};
    use jsonwebtoken::{Algorithm, EncodingKey, Header};

    portcullis::install_crypto_provider();
    let rsa = EncodingKey::from_rsa_pem(include_bytes!("keys/rsa2048.pem")).unwrap();
    let ec = EncodingKey::from_ec_pem(include_bytes!("keys/ec256.pem")).unwrap();
    let attacker = EncodingKey::from_rsa_pem(include_bytes!("keys/attacker_rsa.pem")).unwrap();
    let public = |key: &EncodingKey, alg: Algorithm, kid: &str| {
        let mut jwk = Jwk::from_encoding_key(key, alg).unwrap();
        jwk.common.key_id = Some(kid.to_owned());
        jwk.common.key_algorithm = Some(match alg {
            Algorithm::RS256 => KeyAlgorithm::RS256,
            _ => KeyAlgorithm::ES256,
        });
        jwk
    };
    let jwks = JwkSet {
        keys: vec![
            public(&rsa, Algorithm::RS256, "idp-rsa"),
            public(&ec, Algorithm::ES256, "idp-ec"),
        ],
    };
    let dir = std::env::temp_dir().join(format!("portcullis-jwks-{}-{}", std::process::id(), now()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("jwks.json");
    std::fs::write(&file, serde_json::to_string(&jwks).unwrap()).unwrap();

    let server = Server::start("jwks", None, &[("PORTCULLIS_JWKS_FILE", file.to_str().unwrap())]);
    let token = |alg: Algorithm, kid: &str, key: &EncodingKey| {
        let mut header = Header::new(alg);
        header.kid = Some(kid.to_owned());
        let claims = json!({
            "sub": "2", "iss": "portcullis-reference", "aud": "reference-api", "typ": "access",
            "iat": now(), "exp": now() + 300, "jti": format!("idp-{kid}-{}", now()),
        });
        jsonwebtoken::encode(&header, &claims, key).unwrap()
    };
    for (alg, kid, key) in [
        (Algorithm::RS256, "idp-rsa", &rsa),
        (Algorithm::ES256, "idp-ec", &ec),
    ] {
        let response = server.send(Request::get("/me").bearer(&token(alg, kid, key)));
        response.expect(200, &format!("an IdP token signed with {kid}"));
        let body = response.json();
        assert_eq!(
            (body["username"].clone(), body["scheme"].clone()),
            (json!("carol"), json!("jwt")),
            "{body}"
        );
    }
    server
        .send(Request::get("/me").bearer(&token(Algorithm::RS256, "idp-rsa", &attacker)))
        .expect_error(401, "invalid_token", "another key under the IdP's kid");
    server
        .send(Request::get("/me").bearer(&token(Algorithm::RS256, "nobody", &rsa)))
        .expect_error(401, "invalid_token", "an unknown kid");
    server
        .send(Request::get("/me").bearer(&token(Algorithm::PS256, "idp-rsa", &rsa)))
        .expect_error(401, "invalid_token", "an algorithm the kid is not pinned to");
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

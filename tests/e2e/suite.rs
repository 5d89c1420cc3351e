//! The contract suite's vocabulary: a [`Suite`] over one running reference server,
//! the seed accounts, and assertions shared by the row groups.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::client::{Request, Response};
use crate::server::Server;

pub const ISSUER: &str = "portcullis-reference";
pub const AUDIENCE: &str = "reference-api";
pub const ACCESS_TTL: i64 = 900;
pub const COOKIE: &str = "portcullis_session";
/// An id no row has.
pub const MISSING_ID: i64 = 987_654_321;

pub fn now() -> i64 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs();
    i64::try_from(secs).expect("seconds fit i64")
}

/// A logged-in user: id from `/me`, a token pair from `/auth/login`.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: i64,
    pub name: String,
    pub password: String,
    pub access: String,
    pub refresh: String,
}

/// A session from `/session/login`: the `Cookie` to send and the CSRF token.
#[derive(Debug, Clone)]
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

/// The contract suite over one running server.
pub struct Suite<'a> {
    pub label: &'a str,
    pub server: &'a Server,
}

impl Suite<'_> {
    pub fn send(&self, request: Request) -> Response {
        self.server.send(request)
    }

    pub fn at(&self, what: &str) -> String {
        format!("[{}] {what}", self.label)
    }

    /// `POST /auth/login`, asserting the token response.
    pub fn login(&self, name: &str, password: &str) -> (String, String) {
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
    pub fn me(&self, request: Request, scheme: &str, what: &str) -> Value {
        let what = self.at(what);
        let response = self.send(request);
        response.expect(200, &what);
        let body = response.json();
        assert_eq!(body["scheme"], scheme, "{what}: {body}");
        body
    }

    /// Logs in and reads the id through `/me`, checking the roles.
    pub fn account(&self, name: &str, password: &str, role: &str) -> Account {
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
    pub fn register(&self, name: &str, password: &str) -> i64 {
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
    pub fn session(&self, name: &str, password: &str) -> Session {
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

    pub fn post_json(title: &str, published: bool) -> Value {
        json!({ "title": title, "body": format!("the body of {title}"), "published": published })
    }

    /// `POST /posts` with `request`'s credentials, asserting 201 and the author.
    pub fn create_post(&self, request: Request, title: &str, published: bool, author: i64) -> i64 {
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
    pub fn create_api_key(&self, request: Request, what: &str) -> (i64, String) {
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
    pub fn mails_to(&self, to: &str) -> Vec<Value> {
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
    pub fn confirmation_token(&self, to: &str) -> String {
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

/// The seed users of the reference server (`PORTCULLIS_SEED` defaults to on), logged
/// in: alice (admin), carol (moderator), bob (user).
pub struct Seeds {
    pub alice: Account,
    pub bob: Account,
    pub carol: Account,
}

impl Suite<'_> {
    /// Logs the seed users in, checking their roles.
    pub fn seeds(&self) -> Seeds {
        let alice = self.account("alice", "alice-password-1", "admin");
        let carol = self.account("carol", "carol-password-1", "moderator");
        let bob = self.account("bob", "bob-password-1", "user");
        Seeds { alice, bob, carol }
    }

    /// Registers dave (a user) and logs him in.
    pub fn dave(&self) -> Account {
        self.register("dave", "dave-password-1");
        self.account("dave", "dave-password-1", "user")
    }
}

/// An error answer with the Bearer `insufficient_scope` challenge of RFC 6750.
#[track_caller]
pub fn assert_insufficient_scope(response: &Response, what: &str) {
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
pub fn assert_invalid_token(response: &Response, what: &str) {
    response.expect_error(401, "invalid_token", what);
    let challenges = response.headers_all("www-authenticate");
    assert!(
        challenges
            .iter()
            .any(|c| c.starts_with("Bearer ") && c.contains("error=\"invalid_token\"")),
        "{what}: WWW-Authenticate: Bearer ... error=\"invalid_token\", got {challenges:?}"
    );
}

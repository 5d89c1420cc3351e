//! The auth router's account features over HTTP, written once over any stores: login
//! by user name or e-mail address, sign-in on registration, tokens in `HttpOnly`
//! cookies with CSRF, and an administrator disabling an account.
//! `tests/it/auth_router/accounts.rs` runs the scenarios on the in-memory stores,
//! `tests/services/redis_accounts.rs` with every store in Redis. Each scenario takes
//! the choice of stores as a function of the builder.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use axum::Router;
use axum::body::Body;
use http::header::{COOKIE, SET_COOKIE};
use http::{Request, StatusCode};
use portcullis::{
    AuthRouter, EmailStatus, InMemoryUserStore, Mailer, NewAccount, PortcullisBuilder, Registrar, Rename,
    SessionConfig, StoreError, ThrottleConfig, TokenCookies, UserStore, async_trait,
};
use serde_json::{Value, json};

use super::app::{ALICE_PASSWORD, AppState, User, builder, users};
use super::assertions::{assert_invalid_token, expect_error};
use super::requests::{Reply, RequestExt, cookie_attributes, credentials, post_json, req, send};
use super::tokens::issued_tokens;

/// Dave (5, user): a password, an API key and the address `dave@example.com`.
pub const DAVE_PASSWORD: &str = "dave-password-1";
pub const DAVE_KEY: &str = "pk_dave_0123456789abcdefghij";

/// The application's accounts over the in-memory users the gate reads.
#[derive(Clone)]
struct Accounts {
    users: InMemoryUserStore<User>,
    next_id: Arc<AtomicI64>,
}

#[async_trait]
impl Registrar<User> for Accounts {
    async fn register(&self, account: &NewAccount) -> Result<Option<User>, StoreError> {
        if self.users.find_by_username(&account.username).await?.is_some()
            || self.users.find_by_email(&account.email).await?.is_some()
        {
            return Ok(None);
        }
        let user = User {
            id: self.next_id.fetch_add(1, Ordering::SeqCst),
            username: account.username.clone(),
            roles: "user".into(),
            password_hash: Some(account.password_hash.clone()),
            active: true,
        };
        self.users.insert(user.clone());
        self.users.set_email(&user.id, &account.email);
        Ok(Some(user))
    }

    async fn rename(&self, _: &i64, _: &str) -> Result<Rename<User>, StoreError> {
        Ok(Rename::NotFound)
    }

    async fn email(&self, _: &i64) -> Result<Option<EmailStatus>, StoreError> {
        Ok(None)
    }

    async fn confirm_email(&self, _: &i64) -> Result<(), StoreError> {
        Ok(())
    }

    async fn set_active(&self, id: &i64, active: bool) -> Result<bool, StoreError> {
        let Some(mut user) = self.users.find_by_id(id).await? else {
            return Ok(false);
        };
        user.active = active;
        self.users.insert(user);
        Ok(true)
    }

    async fn set_password_hash(&self, id: &i64, hash: &str) -> Result<(), StoreError> {
        if let Some(mut user) = self.users.find_by_id(id).await? {
            user.password_hash = Some(hash.to_owned());
            self.users.insert(user);
        }
        Ok(())
    }
}

struct NoMail;

#[async_trait]
impl Mailer for NoMail {
    async fn send(&self, _: &str, _: &str, _: &str) -> Result<(), StoreError> {
        Ok(())
    }
}

type Configure<T> = Box<dyn FnOnce(T) -> T>;

/// The support's users plus dave, alice with `alice@example.com`; the gate with issued
/// tokens and development sessions over `stores`, then `configure`; the auth router
/// after `route`.
fn app(
    stores: impl FnOnce(PortcullisBuilder<User>) -> PortcullisBuilder<User>,
    configure: Configure<PortcullisBuilder<User>>,
    route: Configure<AuthRouter<User>>,
) -> Router {
    let users = users();
    users.insert(User {
        id: 5,
        username: "dave".into(),
        roles: "user".into(),
        password_hash: Some(portcullis::hash_password(DAVE_PASSWORD).unwrap()),
        active: true,
    });
    users.add_api_key(&5, DAVE_KEY);
    users.set_email(&5, "dave@example.com");
    users.set_email(&1, "alice@example.com");
    let base = builder(users.clone())
        .tokens(issued_tokens())
        .sessions(SessionConfig::new().development(true));
    let auth = configure(stores(base)).build().expect("valid configuration");
    let accounts = Accounts {
        users,
        next_id: Arc::new(AtomicI64::new(100)),
    };
    Router::new()
        .merge(route(AuthRouter::new(accounts, NoMail)).routes())
        .with_state(AppState { auth })
}

async fn login(app: &Router, name: &str, password: &str) -> Reply {
    send(app, post_json("/auth/login", &credentials(name, password))).await
}

async fn access_token(app: &Router, name: &str, password: &str) -> String {
    let r = login(app, name, password).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["access_token"].as_str().unwrap().to_owned()
}

fn with_cookie(method: &str, uri: &str, cookie: &str, csrf: Option<&str>) -> Request<Body> {
    let mut request = Request::builder().method(method).uri(uri).header(COOKIE, cookie);
    if let Some(csrf) = csrf {
        request = request.header("x-csrf-token", csrf);
    }
    request.empty()
}

/// The `Set-Cookie` values of a response.
fn set_cookies(r: &Reply) -> Vec<String> {
    let all = r.headers.get_all(SET_COOKIE).iter();
    all.map(|v| v.to_str().unwrap().to_owned()).collect()
}

/// `name=value` of the `Set-Cookie` for `name`.
fn cookie_pair(r: &Reply, name: &str) -> String {
    let found = set_cookies(r)
        .into_iter()
        .find(|c| c.starts_with(&format!("{name}=")));
    let set_cookie = found.unwrap_or_else(|| panic!("no cookie {name}: {:?}", r.headers));
    set_cookie.split(';').next().unwrap().to_owned()
}

fn keys(body: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    keys
}

/// `POST /auth/login` and `/session/login` take a user name or an e-mail address (any
/// case) for the same account; a wrong password for a known address and an unknown
/// address get the same answer and the same number of attempts before 429, and
/// locking the address out leaves the user name alone (sharing the counter would tell
/// whose address it is).
pub async fn login_by_name_or_email(stores: impl FnOnce(PortcullisBuilder<User>) -> PortcullisBuilder<User>) {
    let throttle = ThrottleConfig::new().max_failures(3);
    let app = app(stores, Box::new(move |b| b.throttle(throttle)), Box::new(|r| r));
    for name in ["dave", "dave@example.com", "DAVE@Example.COM"] {
        let token = access_token(&app, name, DAVE_PASSWORD).await;
        let me = send(&app, req("/me").bearer(&token).empty()).await;
        assert_eq!(me.status, StatusCode::OK, "{name}: {:?}", me.body);
        assert_eq!(
            (me.body["id"].clone(), me.body["username"].clone()),
            (json!(5), json!("dave"))
        );
    }
    let session = send(
        &app,
        post_json("/session/login", &credentials("dave@example.com", DAVE_PASSWORD)),
    )
    .await;
    assert_eq!(session.status, StatusCode::OK, "{:?}", session.body);
    let cookie = cookie_pair(&session, "portcullis_session");
    let me = send(&app, with_cookie("GET", "/me", &cookie, None)).await;
    assert_eq!((me.status, me.body["id"].clone()), (StatusCode::OK, json!(5)));

    let known = login(&app, "dave@example.com", "wrong-password-1").await;
    let unknown = login(&app, "nobody@example.com", DAVE_PASSWORD).await;
    for r in [&known, &unknown] {
        expect_error(r, StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    assert_eq!(known.body, unknown.body);
    assert_eq!(known.challenges(), unknown.challenges());
    let mut refused_after = Vec::new();
    for (name, password) in [
        ("Dave@example.com", "wrong-password-1"),
        ("nobody@example.com", DAVE_PASSWORD),
    ] {
        let mut attempts = 1; // the failure above
        loop {
            attempts += 1;
            let r = login(&app, name, password).await;
            if r.status == StatusCode::TOO_MANY_REQUESTS {
                expect_error(&r, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
                break;
            }
            expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
            assert!(attempts < 10, "{name} is never throttled");
        }
        refused_after.push(attempts);
    }
    assert_eq!(refused_after, [4, 4], "3 failures allowed for either address");
    let locked = login(&app, "dave@example.com", DAVE_PASSWORD).await;
    assert_eq!(
        locked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the right password too"
    );
    access_token(&app, "dave", DAVE_PASSWORD).await;
}

/// Without sign-in on registration, 201 is `{id, username}`; with it, the answer also
/// carries a working token pair; with token cookies too, the cookies and `csrf_token`.
pub async fn sign_in_on_registration(stores: impl Fn(PortcullisBuilder<User>) -> PortcullisBuilder<User>) {
    let form = |name: &str| json!({"username": name, "email": format!("{name}@example.org"), "password": "a-long-password-1"});
    let off = app(&stores, Box::new(|b| b), Box::new(|r| r));
    let r = send(&off, post_json("/auth/register", &form("erin"))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body, json!({"id": 100, "username": "erin"}));
    assert!(r.headers.get(SET_COOKIE).is_none());
    // The new account logs in by its address.
    access_token(&off, "erin@example.org", "a-long-password-1").await;

    let on = app(
        &stores,
        Box::new(|b| b),
        Box::new(|r| r.sign_in_on_register(true)),
    );
    let r = send(&on, post_json("/auth/register", &form("fred"))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let expected = [
        "access_token",
        "expires_in",
        "id",
        "refresh_token",
        "token_type",
        "username",
    ];
    assert_eq!(keys(&r.body), expected);
    assert_eq!(
        (r.body["id"].clone(), r.body["username"].clone()),
        (json!(100), json!("fred"))
    );
    let access = r.body["access_token"].as_str().unwrap();
    let me = send(&on, req("/me").bearer(access).empty()).await;
    assert_eq!(
        (me.status, me.body["username"].clone()),
        (StatusCode::OK, json!("fred"))
    );
    let refresh = json!({"refresh_token": r.body["refresh_token"]});
    let refreshed = send(&on, post_json("/auth/refresh", &refresh)).await;
    assert_eq!(refreshed.status, StatusCode::OK, "{:?}", refreshed.body);
    // A taken name is still 409, without tokens.
    let taken = send(&on, post_json("/auth/register", &form("fred"))).await;
    expect_error(&taken, StatusCode::CONFLICT, "conflict");

    let cookies = TokenCookies::new().development(true);
    let in_cookies = app(
        &stores,
        Box::new(move |b| b.token_cookies(cookies)),
        Box::new(|r| r.sign_in_on_register(true)),
    );
    let r = send(&in_cookies, post_json("/auth/register", &form("gail"))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(keys(&r.body), ["csrf_token", "expires_in", "id", "username"]);
    assert_eq!(set_cookies(&r).len(), 2, "{:?}", r.headers);
    let access = cookie_pair(&r, "portcullis_access");
    let me = send(&in_cookies, with_cookie("GET", "/me", &access, None)).await;
    assert_eq!(
        (me.status, me.body["username"].clone()),
        (StatusCode::OK, json!("gail"))
    );
}

/// Token cookies: attributes and names (`__Host-`, `__Secure-`), the access cookie
/// authenticates, unsafe methods need the CSRF token, refresh by cookie rotates (with
/// the CSRF token, same-site), a spent refresh cookie revokes the family, logout
/// clears both cookies.
pub async fn tokens_in_cookies(stores: impl FnOnce(PortcullisBuilder<User>) -> PortcullisBuilder<User>) {
    let app = app(
        stores,
        Box::new(|b| b.token_cookies(TokenCookies::new())),
        Box::new(|r| r),
    );
    let (access_name, refresh_name) = ("__Host-portcullis_access", "__Secure-portcullis_refresh");
    let r = login(&app, "dave", DAVE_PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        keys(&r.body),
        ["csrf_token", "expires_in"],
        "no token in the body"
    );
    assert_eq!(r.body["expires_in"], 900);
    let csrf = r.body["csrf_token"].as_str().unwrap().to_owned();
    assert_eq!(csrf.len(), 43);
    let cookies = set_cookies(&r);
    assert_eq!(cookies.len(), 2, "{cookies:?}");
    let access_cookie = cookies.iter().find(|c| c.starts_with(access_name)).unwrap();
    let refresh_cookie = cookies.iter().find(|c| c.starts_with(refresh_name)).unwrap();
    let access_attributes = cookie_attributes(access_cookie);
    for expected in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/", "Max-Age=900"] {
        assert!(
            access_attributes.iter().any(|a| a == expected),
            "{expected}: {access_cookie}"
        );
    }
    let refresh_attributes = cookie_attributes(refresh_cookie);
    let max_age = format!("Max-Age={}", 14 * 24 * 3600);
    for expected in [
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        "Path=/auth/refresh",
        &max_age,
    ] {
        assert!(
            refresh_attributes.iter().any(|a| a == expected),
            "{expected}: {refresh_cookie}"
        );
    }
    let access = cookie_pair(&r, access_name);
    let refresh = cookie_pair(&r, refresh_name);

    // A protected route with the cookie; an unsafe method needs the CSRF token.
    let me = send(&app, with_cookie("GET", "/me", &access, None)).await;
    assert_eq!(
        (me.status, me.body["scheme"].clone()),
        (StatusCode::OK, json!("jwt"))
    );
    for sent in [None, Some("wrong"), Some(&*"A".repeat(43))] {
        let r = send(&app, with_cookie("POST", "/auth/logout", &access, sent)).await;
        expect_error(&r, StatusCode::FORBIDDEN, "csrf_rejected");
    }

    // Refresh by cookie: the CSRF token and a same-site request, else 403 (not spent).
    for (sent, site) in [
        (None, None),
        (Some("wrong"), None),
        (Some(&*csrf), Some("cross-site")),
    ] {
        let mut request = Request::post("/auth/refresh").header(COOKIE, &refresh);
        if let Some(sent) = sent {
            request = request.header("x-csrf-token", sent);
        }
        if let Some(site) = site {
            request = request.header("sec-fetch-site", site);
        }
        let r = send(&app, request.empty()).await;
        expect_error(&r, StatusCode::FORBIDDEN, "csrf_rejected");
    }
    let r = send(&app, with_cookie("POST", "/auth/refresh", &refresh, Some(&csrf))).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body, json!({"csrf_token": csrf, "expires_in": 900}));
    let (new_access, new_refresh) = (cookie_pair(&r, access_name), cookie_pair(&r, refresh_name));
    assert_ne!((&new_access, &new_refresh), (&access, &refresh));
    let me = send(&app, with_cookie("GET", "/me", &new_access, None)).await;
    assert_eq!(me.status, StatusCode::OK, "{:?}", me.body);

    // The spent refresh cookie again: reuse, the whole family ends.
    let reused = send(&app, with_cookie("POST", "/auth/refresh", &refresh, Some(&csrf))).await;
    assert_invalid_token(&reused);
    let after = send(
        &app,
        with_cookie("POST", "/auth/refresh", &new_refresh, Some(&csrf)),
    )
    .await;
    assert_invalid_token(&after);
    let me = send(&app, with_cookie("GET", "/me", &new_access, None)).await;
    expect_error(&me, StatusCode::UNAUTHORIZED, "invalid_token");

    // Logout (no body) clears both cookies and ends the family.
    let r = login(&app, "dave", DAVE_PASSWORD).await;
    let csrf = r.body["csrf_token"].as_str().unwrap().to_owned();
    let (access, refresh) = (cookie_pair(&r, access_name), cookie_pair(&r, refresh_name));
    let out = send(&app, with_cookie("POST", "/auth/logout", &access, Some(&csrf))).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT, "{:?}", out.body);
    let cleared = set_cookies(&out);
    assert_eq!(cleared.len(), 2, "{cleared:?}");
    for (name, path) in [(access_name, "Path=/"), (refresh_name, "Path=/auth/refresh")] {
        let cookie = cleared
            .iter()
            .find(|c| c.starts_with(&format!("{name}=;")))
            .unwrap();
        let attributes = cookie_attributes(cookie);
        assert!(attributes.iter().any(|a| a == "Max-Age=0"), "{cookie}");
        assert!(attributes.iter().any(|a| a == path), "{cookie}");
    }
    let me = send(&app, with_cookie("GET", "/me", &access, None)).await;
    expect_error(&me, StatusCode::UNAUTHORIZED, "invalid_token");
    let again = send(&app, with_cookie("POST", "/auth/refresh", &refresh, Some(&csrf))).await;
    assert_invalid_token(&again);

    // Logout everywhere by cookie clears them too.
    let r = login(&app, "dave", DAVE_PASSWORD).await;
    let csrf = r.body["csrf_token"].as_str().unwrap().to_owned();
    let access = cookie_pair(&r, access_name);
    let out = send(
        &app,
        with_cookie("POST", "/auth/logout_all", &access, Some(&csrf)),
    )
    .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT, "{:?}", out.body);
    let cleared = set_cookies(&out);
    assert_eq!(cleared.len(), 2, "{cleared:?}");
    assert!(
        cleared
            .iter()
            .all(|c| cookie_attributes(c).iter().any(|a| a == "Max-Age=0"))
    );
}

/// Status of `GET /me` with dave's credentials: the access token, the session cookie,
/// the API key.
async fn dave_can(app: &Router, access: &str, session: &str) -> [StatusCode; 3] {
    let by_token = send(app, req("/me").bearer(access).empty()).await;
    let by_session = send(app, with_cookie("GET", "/me", session, None)).await;
    let by_key = send(app, req("/me").header("x-api-key", DAVE_KEY).empty()).await;
    [by_token.status, by_session.status, by_key.status]
}

/// An admin disables dave: at once his access token, refresh token and session are
/// revoked (401), his API key is refused (403, inactive) and so is his password (401,
/// like any failure); enabling him lets him log in again while the old credentials
/// stay revoked. Nobody else is touched.
pub async fn disable_ends_every_credential(
    stores: impl FnOnce(PortcullisBuilder<User>) -> PortcullisBuilder<User>,
) {
    let app = app(stores, Box::new(|b| b), Box::new(|r| r));
    let admin = access_token(&app, "alice", ALICE_PASSWORD).await;
    let r = login(&app, "dave", DAVE_PASSWORD).await;
    let (access, refresh) = (r.body["access_token"].clone(), r.body["refresh_token"].clone());
    let access = access.as_str().unwrap().to_owned();
    let session = send(
        &app,
        post_json("/session/login", &credentials("dave", DAVE_PASSWORD)),
    )
    .await;
    let session = cookie_pair(&session, "portcullis_session");
    assert_eq!(dave_can(&app, &access, &session).await, [StatusCode::OK; 3]);

    let r = send(&app, Request::post("/users/5/disable").bearer(&admin).empty()).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    assert_eq!(r.body, Value::Null);
    let refused = [
        StatusCode::UNAUTHORIZED,
        StatusCode::UNAUTHORIZED,
        StatusCode::FORBIDDEN,
    ];
    assert_eq!(dave_can(&app, &access, &session).await, refused);
    let by_key = send(&app, req("/me").header("x-api-key", DAVE_KEY).empty()).await;
    expect_error(&by_key, StatusCode::FORBIDDEN, "forbidden");
    let by_refresh = send(
        &app,
        post_json("/auth/refresh", &json!({"refresh_token": refresh})),
    )
    .await;
    assert_invalid_token(&by_refresh);
    for route in ["/auth/login", "/session/login"] {
        let r = send(&app, post_json(route, &credentials("dave", DAVE_PASSWORD))).await;
        expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    let me = send(&app, req("/me").bearer(&admin).empty()).await;
    assert_eq!(me.status, StatusCode::OK, "the admin's own token lives on");

    let r = send(&app, Request::post("/users/5/enable").bearer(&admin).empty()).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    let fresh = access_token(&app, "dave", DAVE_PASSWORD).await;
    let me = send(&app, req("/me").bearer(&fresh).empty()).await;
    assert_eq!((me.status, me.body["id"].clone()), (StatusCode::OK, json!(5)));
    let old = [StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED, StatusCode::OK];
    assert_eq!(
        dave_can(&app, &access, &session).await,
        old,
        "revoked stays revoked"
    );
    let by_refresh = send(
        &app,
        post_json("/auth/refresh", &json!({"refresh_token": refresh})),
    )
    .await;
    assert_invalid_token(&by_refresh);
}

//! The schemes end to end through an axum `Router`: API keys (stored, static, custom
//! header, query parameter only when enabled, header+query refused, percent-decoding),
//! HTTP Basic (argon2id, UTF-8 names, colons in passwords, case-insensitive scheme name,
//! identical answers for unknown user / wrong password / no password), `optional`,
//! `AuthInfo`, failing closed when several credentials are sent, scheme order, `#[auth]`
//! on associated functions, and the `crate = ...` override of both macros.

use crate::support::*;
use axum::body::Body;
use axum::extract::FromRef;
use axum::{Json, Router, routing::get};
use http::Request;
use portcullis::{ApiKeyConfig, AuthInfo, InMemoryUserStore, Portcullis, auth};
use serde_json::{Value, json};

fn view(user: &User, info: &AuthInfo) -> Json<Value> {
    Json(json!({"id": user.id, "name": user.username, "scheme": info.scheme().as_str()}))
}

fn routes() -> Router<AppState> {
    Router::new()
        .route("/key", get(key_only))
        .route("/basic", get(basic_only))
        .route("/maybe", get(maybe))
        .route("/token", get(token_info))
        .route("/jwt-key", get(jwt_then_key))
        .route("/key-jwt", get(key_then_jwt))
        .route("/method", get(Handlers::me))
        .route("/method-maybe", get(Handlers::maybe_me))
}

fn app_with(auth: Portcullis<User>) -> Router {
    routes().with_state(AppState { auth })
}

fn app() -> Router {
    app_with(portcullis())
}

fn with_headers(uri: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut request = req(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.body(Body::empty()).unwrap()
}

fn api_key(uri: &str, key: &str) -> Request<Body> {
    with_headers(uri, &[("x-api-key", key)])
}

fn basic_request(uri: &str, user: &str, password: &str) -> Request<Body> {
    with_headers(uri, &[("authorization", &basic(user, password))])
}

/// Basic credentials under another spelling of the scheme name.
fn basic_spelled(uri: &str, scheme: &str, user: &str, password: &str) -> Request<Body> {
    let value = basic(user, password).replacen("Basic", scheme, 1);
    with_headers(uri, &[("authorization", &value)])
}

fn assert_refused(r: &Reply, code: &str) {
    assert_eq!(r.status, 401, "{:?}", r.body);
    assert_eq!(r.body["error"], code, "{:?}", r.body);
    assert!(!r.challenges().is_empty());
}

// ---------------------------------------------------------------- api_key

#[auth(api_key)]
async fn key_only(user: User, info: AuthInfo) -> Json<Value> {
    view(&user, &info)
}

#[tokio::test]
async fn stored_api_key_in_the_header_authenticates_its_owner() {
    let r = send(&app(), api_key("/key", BOB_KEY)).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body, json!({"id": 2, "name": "bob", "scheme": "api_key"}));
}

#[tokio::test]
async fn static_api_key_authenticates_its_service_account() {
    let r = send(&app(), api_key("/key", STATIC_KEY)).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body, json!({"id": 3, "name": "svc", "scheme": "api_key"}));
}

#[tokio::test]
async fn surrounding_whitespace_of_a_header_key_is_ignored() {
    let r = send(&app(), api_key("/key", &format!("  {BOB_KEY}\t"))).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["id"], 2);
}

#[tokio::test]
async fn wrong_api_key_is_refused() {
    let app = app();
    for key in [
        "pk_bob_0123456789abcdefghiJ",
        "pk_bob_0123456789abcdefghi",
        "svc_static_key_0123456789abcdeF",
    ] {
        let r = send(&app, api_key("/key", key)).await;
        assert_refused(&r, "invalid_credentials");
    }
}

#[tokio::test]
async fn custom_api_key_header() {
    let store = users();
    let auth = Portcullis::builder(store)
        .api_key(ApiKeyConfig::new().header("X-Service-Key"))
        .build()
        .unwrap();
    let app = app_with(auth);
    let r = send(&app, with_headers("/key", &[("x-service-key", BOB_KEY)])).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["id"], 2);

    // The default header is no longer read; the challenge names the configured one.
    let r = send(&app, api_key("/key", BOB_KEY)).await;
    assert_refused(&r, "missing_credentials");
    assert_eq!(r.challenges(), [r#"ApiKey realm="api", header="X-Service-Key""#]);
}

#[tokio::test]
async fn query_parameter_key_works_when_enabled() {
    let r = send(
        &app(),
        req(&format!("/key?api_key={BOB_KEY}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["id"], 2);
    let r = send(
        &app(),
        req(&format!("/key?x=1&api_key={STATIC_KEY}&y"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["id"], 3);
}

#[tokio::test]
async fn query_parameter_key_is_ignored_unless_enabled() {
    let auth = Portcullis::builder(users())
        .jwt(jwt_config())
        .api_key(ApiKeyConfig::new().static_key(STATIC_KEY, 3))
        .build()
        .unwrap();
    let app = app_with(auth);
    for key in [BOB_KEY, STATIC_KEY] {
        let r = send(
            &app,
            req(&format!("/key?api_key={key}")).body(Body::empty()).unwrap(),
        )
        .await;
        assert_refused(&r, "missing_credentials");
        // The header still works on the same app.
        let r = send(&app, api_key("/key", key)).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
    }
}

#[tokio::test]
async fn key_in_header_and_query_is_invalid_request() {
    let app = app();
    for (header, query) in [(BOB_KEY, BOB_KEY), (BOB_KEY, STATIC_KEY)] {
        let request = req(&format!("/key?api_key={query}"))
            .header("x-api-key", header)
            .body(Body::empty())
            .unwrap();
        let r = send(&app, request).await;
        assert_refused(&r, "invalid_request");
        assert!(
            r.challenges()[0].contains(r#"error="invalid_request""#),
            "{:?}",
            r.challenges()
        );
    }
    // Twice in the query, too.
    let r = send(
        &app,
        req(&format!("/key?api_key={BOB_KEY}&api_key={BOB_KEY}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_refused(&r, "invalid_request");
}

#[tokio::test]
async fn query_key_is_percent_decoded() {
    const ODD_KEY: &str = "pk_odd/key+with=chars~0123456789";
    let store = users();
    store.add_api_key(&1, ODD_KEY);
    let app = app_with(builder(store).build().unwrap());
    let encoded = "pk_odd%2Fkey%2Bwith%3Dchars~0123456789";
    let r = send(
        &app,
        req(&format!("/key?api_key={encoded}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["id"], 1);
    // Even characters that need no escaping may be escaped.
    let r = send(
        &app,
        req("/key?api_key=%70k_bob_0123456789abcdefghij")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["id"], 2);
    // Undecoded, the raw `+` would be a space: a key with a space is malformed.
    let r = send(&app, req("/key?api_key=pk+bob").body(Body::empty()).unwrap()).await;
    assert_refused(&r, "invalid_request");
}

// ---------------------------------------------------------------- basic

#[auth(basic)]
async fn basic_only(user: User, info: AuthInfo) -> Json<Value> {
    view(&user, &info)
}

#[tokio::test]
async fn basic_with_the_right_password() {
    let r = send(&app(), basic_request("/basic", "alice", ALICE_PASSWORD)).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body, json!({"id": 1, "name": "alice", "scheme": "basic"}));
}

#[tokio::test]
async fn basic_failures_are_byte_identical() {
    // Wrong password, unknown user, and a user without a password hash (bob): the
    // same status, headers and body, so the answer does not reveal which users exist.
    // (That they also cost the same is a timing property, not tested here.)
    let app = app();
    let wrong_password = send_raw(&app, basic_request("/basic", "alice", "alice-password-2")).await;
    let unknown_user = send_raw(&app, basic_request("/basic", "alicia", ALICE_PASSWORD)).await;
    let no_password = send_raw(&app, basic_request("/basic", "bob", "anything-at-all")).await;
    let empty_password = send_raw(&app, basic_request("/basic", "bob", "")).await;
    assert_eq!(wrong_password.0.status, 401);
    for (what, other) in [
        ("unknown user", &unknown_user),
        ("no password hash", &no_password),
        ("empty password", &empty_password),
    ] {
        assert_eq!(other.0.status, wrong_password.0.status, "{what}");
        assert_eq!(other.0.headers, wrong_password.0.headers, "{what}");
        assert_eq!(other.1, wrong_password.1, "{what}");
    }
    let body: Value = serde_json::from_slice(&wrong_password.1).unwrap();
    assert_eq!(body["error"], "invalid_credentials");
    assert!(!String::from_utf8_lossy(&wrong_password.1).contains("alice"));
}

#[tokio::test]
async fn basic_with_utf8_name_and_colon_in_password() {
    let store = InMemoryUserStore::new();
    store.insert(User {
        id: 7,
        username: "zoë".into(),
        roles: "user".into(),
        password_hash: Some(portcullis::hash_password("pa:ss wörd").unwrap()),
        active: true,
    });
    let app = app_with(Portcullis::builder(store).build().unwrap());
    let r = send(&app, basic_request("/basic", "zoë", "pa:ss wörd")).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body, json!({"id": 7, "name": "zoë", "scheme": "basic"}));
    // The split is on the first colon: "zoë:pa" + "ss wörd" would be another user.
    let r = send(&app, basic_request("/basic", "zoë", "pa")).await;
    assert_refused(&r, "invalid_credentials");
}

#[tokio::test]
async fn basic_scheme_name_is_case_insensitive() {
    let app = app();
    for scheme in ["basic", "BASIC", "bAsIc"] {
        let r = send(&app, basic_spelled("/basic", scheme, "alice", ALICE_PASSWORD)).await;
        assert_eq!(r.status, 200, "{scheme}: {:?}", r.body);
        assert_eq!(r.body["scheme"], "basic");
    }
    for scheme in ["bearer", "BEARER"] {
        let value = format!("{scheme} {}", hs256(&claims("1")));
        let r = send(&app, with_headers("/token", &[("authorization", &value)])).await;
        assert_eq!(r.status, 200, "{scheme}: {:?}", r.body);
    }
}

// ---------------------------------------------------------------- optional

#[auth(jwt, optional)]
async fn maybe(user: Option<User>, info: Option<AuthInfo>) -> Json<Value> {
    Json(json!({
        "user": user.map(|u| u.username),
        "scheme": info.map(|i| i.scheme().as_str()),
    }))
}

#[tokio::test]
async fn optional_without_credentials_is_none() {
    let app = app();
    for uri in ["/maybe", "/method-maybe"] {
        let r = send(&app, req(uri).body(Body::empty()).unwrap()).await;
        assert_eq!(r.status, 200, "{uri}: {:?}", r.body);
        assert_eq!(r.body["user"], Value::Null, "{uri}");
        assert!(r.challenges().is_empty());
    }
}

#[tokio::test]
async fn optional_with_a_valid_token_is_some() {
    let app = app();
    let r = send(&app, bearer("/maybe", &hs256(&claims("2")))).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body, json!({"user": "bob", "scheme": "jwt"}));
    let r = send(&app, bearer("/method-maybe", &hs256(&claims("1")))).await;
    assert_eq!(r.body, json!({"user": 1}));
}

#[tokio::test]
async fn optional_with_present_but_invalid_credentials_is_refused() {
    let app = app();
    let mut expired = claims("1");
    expired["exp"] = json!(now() - 3600);
    expired["iat"] = json!(now() - 7200);
    let r = send(&app, bearer("/maybe", &hs256(&expired))).await;
    assert_refused(&r, "invalid_token");
    // A structurally broken token is malformed (DESIGN §4: bad base64 -> invalid_request).
    let r = send(&app, bearer("/maybe", "not.a.jwt")).await;
    assert_refused(&r, "invalid_request");
    let r = send(&app, with_headers("/maybe", &[("authorization", "Bearer a b")])).await;
    assert_refused(&r, "invalid_request");
    // An inactive user is not silently anonymous either.
    let r = send(&app, bearer("/maybe", &hs256(&claims("4")))).await;
    assert_eq!(r.status, 403, "{:?}", r.body);
}

// ---------------------------------------------------------------- AuthInfo

#[auth(jwt)]
async fn token_info(user: User, info: AuthInfo) -> Json<Value> {
    let claims = info.claims().expect("a JWT has claims");
    Json(json!({
        "id": user.id,
        "scheme": info.scheme().as_str(),
        "sub": claims.sub(),
        "jti": info.token_id(),
        "tenant": claims.get("tenant"),
        "scope_write": claims.has_scope("posts:write"),
    }))
}

#[tokio::test]
async fn auth_info_exposes_scheme_and_claims() {
    let mut c = claims("2");
    c["tenant"] = json!("acme");
    c["scope"] = json!("posts:read posts:write");
    c["jti"] = json!("token-42");
    let r = send(&app(), bearer("/token", &hs256(&c))).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        r.body,
        json!({"id": 2, "scheme": "jwt", "sub": "2", "jti": "token-42", "tenant": "acme", "scope_write": true})
    );
}

// ---------------------------------------------------------------- several credentials: fail closed

#[auth(jwt, api_key)]
async fn jwt_then_key(user: User, info: AuthInfo) -> Json<Value> {
    view(&user, &info)
}

#[auth(api_key, jwt)]
async fn key_then_jwt(user: User, info: AuthInfo) -> Json<Value> {
    view(&user, &info)
}

fn token_and_key(uri: &str, token: &str, key: &str) -> Request<Body> {
    req(uri)
        .header("authorization", format!("Bearer {token}"))
        .header("x-api-key", key)
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn valid_token_with_invalid_key_is_refused() {
    let app = app();
    for uri in ["/jwt-key", "/key-jwt"] {
        let r = send(
            &app,
            token_and_key(uri, &hs256(&claims("2")), "pk_wrong_0123456789abcdefgh"),
        )
        .await;
        assert_refused(&r, "invalid_credentials");
    }
}

#[tokio::test]
async fn invalid_token_with_valid_key_is_refused() {
    let app = app();
    let mut expired = claims("2");
    expired["exp"] = json!(now() - 3600);
    expired["iat"] = json!(now() - 7200);
    for uri in ["/jwt-key", "/key-jwt"] {
        let r = send(&app, token_and_key(uri, &hs256(&expired), BOB_KEY)).await;
        assert_refused(&r, "invalid_token");
        let r = send(&app, token_and_key(uri, "a.b.c", BOB_KEY)).await;
        assert_refused(&r, "invalid_request");
    }
}

#[tokio::test]
async fn valid_credentials_of_different_users_are_invalid_request() {
    let app = app();
    for uri in ["/jwt-key", "/key-jwt"] {
        let r = send(&app, token_and_key(uri, &hs256(&claims("1")), BOB_KEY)).await;
        assert_refused(&r, "invalid_request");
    }
}

#[tokio::test]
async fn valid_credentials_of_the_same_user_pass_and_order_decides_the_scheme() {
    let app = app();
    let r = send(&app, token_and_key("/jwt-key", &hs256(&claims("2")), BOB_KEY)).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body, json!({"id": 2, "name": "bob", "scheme": "jwt"}));
    let r = send(&app, token_and_key("/key-jwt", &hs256(&claims("2")), BOB_KEY)).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body, json!({"id": 2, "name": "bob", "scheme": "api_key"}));
}

// ---------------------------------------------------------------- associated functions

/// Handlers grouped as associated functions.
struct Handlers;

impl Handlers {
    #[auth(jwt, api_key)]
    async fn me(user: User, info: AuthInfo) -> Json<Value> {
        view(&user, &info)
    }

    #[auth(jwt, optional)]
    async fn maybe_me(#[user] who: Option<User>) -> Json<Value> {
        Json(json!({"user": who.map(|u| u.id)}))
    }
}

#[tokio::test]
async fn auth_on_an_associated_function() {
    let app = app();
    let r = send(&app, bearer("/method", &hs256(&claims("1")))).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body, json!({"id": 1, "name": "alice", "scheme": "jwt"}));
    let r = send(&app, api_key("/method", BOB_KEY)).await;
    assert_eq!(r.body, json!({"id": 2, "name": "bob", "scheme": "api_key"}));
    let r = send(&app, req("/method").body(Body::empty()).unwrap()).await;
    assert_refused(&r, "missing_credentials");
}

// ---------------------------------------------------------------- crate = ... override

mod reexport {
    pub use portcullis;
}

#[derive(Debug, Clone, portcullis::AuthUser)]
#[auth_user(crate = reexport::portcullis, roles("member"))]
struct Account {
    #[auth_user(id)]
    id: u32,
    #[auth_user(name)]
    login: String,
    #[auth_user(roles)]
    roles: Vec<String>,
}

#[derive(Clone, FromRef)]
struct AccountState {
    auth: reexport::portcullis::Portcullis<Account>,
}

#[reexport::portcullis::auth(jwt, api_key, crate = reexport::portcullis)]
async fn account(user: Account, info: AuthInfo) -> Json<Value> {
    use reexport::portcullis::AuthUser as _;
    Json(json!({
        "id": user.id,
        "name": user.name(),
        "roles": user.role_names(),
        "scheme": info.scheme().as_str(),
    }))
}

#[reexport::portcullis::auth(jwt, optional, crate = reexport::portcullis)]
async fn maybe_account(user: Option<Account>) -> Json<Value> {
    Json(json!({"id": user.map(|u| u.id)}))
}

#[tokio::test]
async fn crate_override_of_both_macros() {
    use reexport::portcullis::__private::DeclaredNames;
    assert_eq!(<Account as DeclaredNames>::DECLARED_ROLES, Some(&["member"][..]));

    let store = InMemoryUserStore::new();
    store.insert(Account {
        id: 9,
        login: "acct".into(),
        roles: vec!["member".into()],
    });
    store.add_api_key(&9, "acct_key_0123456789abcdefgh");
    let auth = reexport::portcullis::Portcullis::builder(store)
        .jwt(jwt_config())
        .build()
        .unwrap();
    let app = Router::new()
        .route("/account", get(account))
        .route("/maybe-account", get(maybe_account))
        .with_state(AccountState { auth });

    let r = send(&app, bearer("/account", &hs256(&claims("9")))).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        r.body,
        json!({"id": 9, "name": "acct", "roles": ["member"], "scheme": "jwt"})
    );
    let r = send(&app, api_key("/account", "acct_key_0123456789abcdefgh")).await;
    assert_eq!(r.body["scheme"], "api_key", "{:?}", r.body);
    let r = send(&app, req("/account").body(Body::empty()).unwrap()).await;
    assert_refused(&r, "missing_credentials");
    let r = send(&app, req("/maybe-account").body(Body::empty()).unwrap()).await;
    assert_eq!(r.body, json!({"id": null}));
    let r = send(&app, bearer("/maybe-account", &hs256(&claims("9")))).await;
    assert_eq!(r.body, json!({"id": 9}));
}

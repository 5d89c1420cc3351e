//! DESIGN.md §4 (HTTP semantics) for authentication, proved through an axum `Router`:
//! the 401 challenges (one per accepted scheme, in the route's order, `error=` only on
//! the failing non-Basic challenge), `invalid_request` for malformed credentials,
//! `invalid_token` / `invalid_credentials` for refused ones, 403 without challenges for
//! inactive accounts, 503 + `Retry-After` (never 200) when the user or revocation store
//! cannot answer, the replaceable renderer, the configured realm, and that an
//! `Authorization` scheme the route does not accept counts as no credentials.

use std::time::{Duration, SystemTime};

use crate::support::*;
use axum::body::{Body, Bytes};
use axum::{Json, Router, routing::get};
use http::{HeaderValue, Request, Response, StatusCode};
use portcullis::{
    AuthInfo, ErrorRenderer, InMemoryRevocationStore, InMemoryUserStore, Portcullis, Rejection,
    RevocationStore, auth,
};
use serde_json::{Value, json};

const MALLORY_KEY: &str = "pk_mallory_0123456789abcdef";

#[auth(jwt)]
async fn jwt_only(user: User) -> Json<Value> {
    Json(json!({"id": user.id}))
}

#[auth(api_key, basic)]
async fn key_or_basic(user: User) -> Json<Value> {
    Json(json!({"id": user.id}))
}

#[auth(jwt, api_key, basic)]
async fn any_scheme(user: User, info: AuthInfo) -> Json<Value> {
    Json(json!({"id": user.id, "scheme": info.scheme().as_str()}))
}

#[auth(basic, jwt)]
async fn basic_then_jwt(user: User) -> Json<Value> {
    Json(json!({"id": user.id}))
}

fn app_with(auth: Portcullis<User>) -> Router {
    Router::new()
        .route("/jwt", get(jwt_only))
        .route("/key-basic", get(key_or_basic))
        .route("/any", get(any_scheme))
        .route("/basic-jwt", get(basic_then_jwt))
        .with_state(AppState { auth })
}

fn app() -> Router {
    app_with(portcullis())
}

const BEARER: &str = r#"Bearer realm="api""#;
const API_KEY: &str = r#"ApiKey realm="api", header="X-API-Key""#;
const BASIC: &str = r#"Basic realm="api", charset="UTF-8""#;

/// Header name/value pairs; values may be arbitrary bytes.
type Headers<'a> = Vec<(&'a str, &'a [u8])>;

/// A GET with the given headers (values may be arbitrary bytes).
fn get_with(uri: &str, headers: &[(&str, &[u8])]) -> Request<Body> {
    let mut request = req(uri);
    for (name, value) in headers {
        request = request.header(*name, HeaderValue::from_bytes(value).unwrap());
    }
    request.body(Body::empty()).unwrap()
}

/// A 401 whose challenges are `expected` in this order, where exactly the challenge
/// starting with `failing` (if any) carries `error="<error>"`.
fn assert_challenges(r: &Reply, expected: &[&str], failing: Option<(&str, &str)>) {
    let challenges = r.challenges();
    assert_eq!(challenges.len(), expected.len(), "{challenges:?}");
    for (challenge, base) in challenges.iter().zip(expected) {
        assert!(
            challenge.starts_with(base),
            "challenge {challenge:?} should start with {base:?} (all: {challenges:?})"
        );
        match failing {
            Some((scheme, error)) if base.starts_with(scheme) => {
                assert!(
                    challenge.contains(&format!("error=\"{error}\"")),
                    "{challenge:?} should carry error=\"{error}\""
                );
                assert!(challenge.contains("error_description=\""), "{challenge:?}");
            }
            _ => assert_eq!(challenge, base, "only the failing challenge may carry parameters"),
        }
    }
}

// ---------------------------------------------------------------- no credentials

#[tokio::test]
async fn no_credentials_gives_one_challenge_per_scheme_in_route_order() {
    let app = app();
    let cases: [(&str, &[&str]); 4] = [
        ("/jwt", &[BEARER]),
        ("/key-basic", &[API_KEY, BASIC]),
        ("/any", &[BEARER, API_KEY, BASIC]),
        ("/basic-jwt", &[BASIC, BEARER]),
    ];
    for (uri, expected) in cases {
        let r = send(&app, get_with(uri, &[])).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{uri}");
        assert_eq!(r.challenges(), *expected, "{uri}");
        assert!(r.challenges().iter().all(|c| !c.contains("error=")), "{uri}");
        assert_error_body(&r, "missing_credentials");
        assert!(r.headers.get("retry-after").is_none());
    }
}

#[tokio::test]
async fn missing_credentials_message_names_the_accepted_schemes() {
    let r = send(&app(), get_with("/key-basic", &[])).await;
    let message = r.body["message"].as_str().unwrap();
    assert!(
        message.contains("api_key") && message.contains("basic"),
        "{message}"
    );
    assert!(!message.contains("jwt"), "{message}");
}

#[tokio::test]
async fn authorization_for_a_scheme_the_route_does_not_accept_counts_as_absent() {
    let app = app();
    let basic = basic_credentials(format!("alice:{ALICE_PASSWORD}"));
    let r = send(&app, get_with("/jwt", &[("authorization", basic.as_bytes())])).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.challenges(), [BEARER]);
    assert_error_body(&r, "missing_credentials");

    // And a Bearer token on a route without `jwt`.
    let token = format!("Bearer {}", hs256(&claims("1")));
    let r = send(
        &app,
        get_with("/key-basic", &[("authorization", token.as_bytes())]),
    )
    .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.challenges(), [API_KEY, BASIC]);
    assert_error_body(&r, "missing_credentials");
}

// ---------------------------------------------------------------- malformed credentials

#[tokio::test]
async fn malformed_bearer_is_invalid_request_on_the_bearer_challenge() {
    let app = app();
    let token = hs256(&claims("1"));
    let cases = [
        "Bearer abc$def".to_owned(),
        "Bearer a b".to_owned(),
        "Bearer".to_owned(),
        format!("Bearer {token} {token}"),
        "Bearer ===".to_owned(),
    ];
    for header in &cases {
        for (uri, expected) in [("/jwt", &[BEARER][..]), ("/any", &[BEARER, API_KEY, BASIC][..])] {
            let r = send(&app, get_with(uri, &[("authorization", header.as_bytes())])).await;
            assert_eq!(r.status, 401, "{header:?} on {uri}: {:?}", r.body);
            assert_challenges(&r, expected, Some(("Bearer", "invalid_request")));
            assert_error_body(&r, "invalid_request");
        }
    }
}

#[tokio::test]
async fn malformed_basic_is_invalid_request_without_error_on_the_basic_challenge() {
    let app = app();
    let cases = [
        ("bad base64 (no padding)", "Basic YWxpY2U6eA".to_owned()),
        ("not token68", "Basic ***".to_owned()),
        ("no colon", basic_credentials("alice")),
        ("not UTF-8", basic_credentials([0xff, b':', b'x'])),
        ("empty user", basic_credentials(":password")),
        ("empty", "Basic".to_owned()),
    ];
    for (what, header) in &cases {
        for (uri, expected) in [
            ("/key-basic", &[API_KEY, BASIC][..]),
            ("/any", &[BEARER, API_KEY, BASIC][..]),
        ] {
            let r = send(&app, get_with(uri, &[("authorization", header.as_bytes())])).await;
            assert_eq!(r.status, 401, "{what} on {uri}: {:?}", r.body);
            // Basic (RFC 7617) defines no error parameter: no challenge carries one.
            assert_challenges(&r, expected, None);
            assert_error_body(&r, "invalid_request");
        }
    }
}

#[tokio::test]
async fn malformed_api_key_is_invalid_request_on_the_api_key_challenge() {
    let app = app();
    let too_long = "k".repeat(513);
    let cases: [(&str, Headers<'_>); 5] = [
        ("inner space", vec![("x-api-key", b"pk_bob 0123456789abcdefghij")]),
        ("too long", vec![("x-api-key", too_long.as_bytes())]),
        (
            "not ASCII",
            vec![("x-api-key", b"pk_\xffbob_0123456789abcdefghij")],
        ),
        (
            "two headers",
            vec![
                ("x-api-key", BOB_KEY.as_bytes()),
                ("x-api-key", BOB_KEY.as_bytes()),
            ],
        ),
        ("empty", vec![("x-api-key", b"  ")]),
    ];
    for (what, headers) in &cases {
        for (uri, expected) in [
            ("/key-basic", &[API_KEY, BASIC][..]),
            ("/any", &[BEARER, API_KEY, BASIC][..]),
        ] {
            let r = send(&app, get_with(uri, headers)).await;
            assert_eq!(r.status, 401, "{what} on {uri}: {:?}", r.body);
            assert_challenges(&r, expected, Some(("ApiKey", "invalid_request")));
            assert_error_body(&r, "invalid_request");
        }
    }
}

#[tokio::test]
async fn two_authorization_headers_are_invalid_request() {
    let app = app();
    let token = format!("Bearer {}", hs256(&claims("1")));
    let headers: [(&str, &[u8]); 2] = [
        ("authorization", token.as_bytes()),
        ("authorization", token.as_bytes()),
    ];
    for (uri, expected) in [("/jwt", &[BEARER][..]), ("/any", &[BEARER, API_KEY, BASIC][..])] {
        let r = send(&app, get_with(uri, &headers)).await;
        assert_eq!(r.status, 401, "{uri}: {:?}", r.body);
        assert_challenges(&r, expected, Some(("Bearer", "invalid_request")));
        assert_error_body(&r, "invalid_request");
    }
    // Also with two valid Basic headers: refused, no error= on Basic.
    let basic = basic_credentials(format!("alice:{ALICE_PASSWORD}"));
    let headers: [(&str, &[u8]); 2] = [
        ("authorization", basic.as_bytes()),
        ("authorization", basic.as_bytes()),
    ];
    let r = send(&app, get_with("/key-basic", &headers)).await;
    assert_eq!(r.status, 401, "{:?}", r.body);
    assert_challenges(&r, &[API_KEY, BASIC], None);
    assert_error_body(&r, "invalid_request");
}

#[tokio::test]
async fn authorization_header_with_non_ascii_bytes_is_invalid_request() {
    let r = send(
        &app(),
        get_with("/jwt", &[("authorization", b"Bearer abc\xe9def")]),
    )
    .await;
    assert_eq!(r.status, 401, "{:?}", r.body);
    assert_challenges(&r, &[BEARER], Some(("Bearer", "invalid_request")));
    assert_error_body(&r, "invalid_request");
}

// ---------------------------------------------------------------- refused credentials

#[tokio::test]
async fn refused_tokens_are_invalid_token() {
    let revoked_jti = "revoked-token-1";
    let revocations = InMemoryRevocationStore::default();
    revocations
        .revoke(revoked_jti, SystemTime::now() + Duration::from_secs(600))
        .await
        .unwrap();
    let app = app_with(builder(users()).revocations(revocations).build().unwrap());

    let mut expired = claims("1");
    expired["exp"] = json!(now() - 3600);
    expired["iat"] = json!(now() - 7200);
    let mut wrong_iss = claims("1");
    wrong_iss["iss"] = json!("https://evil.test");
    let mut wrong_aud = claims("1");
    wrong_aud["aud"] = json!("other-api");
    let mut revoked = claims("1");
    revoked["jti"] = json!(revoked_jti);
    let good = hs256(&claims("1"));
    let (signing_input, _) = good.rsplit_once('.').unwrap();
    let bad_signature = format!("{signing_input}.{}", b64([0u8; 32]));
    let cases = [
        ("bad signature", bad_signature),
        ("expired", hs256(&expired)),
        ("wrong iss", hs256(&wrong_iss)),
        ("wrong aud", hs256(&wrong_aud)),
        ("unknown subject", hs256(&claims("99"))),
        ("revoked", hs256(&revoked)),
        ("unknown kid", {
            let header = r#"{"alg":"HS256","typ":"JWT","kid":"nope"}"#;
            hs256_raw(header, &claims("1").to_string())
        }),
    ];
    // Sanity: the unaltered token is accepted by this app.
    assert_eq!(send(&app, bearer("/any", &good)).await.status, 200);
    for (what, token) in &cases {
        for (uri, expected) in [("/jwt", &[BEARER][..]), ("/any", &[BEARER, API_KEY, BASIC][..])] {
            let r = send(&app, bearer(uri, token)).await;
            assert_eq!(r.status, 401, "{what} on {uri}: {:?}", r.body);
            assert_challenges(&r, expected, Some(("Bearer", "invalid_token")));
            assert_error_body(&r, "invalid_token");
        }
    }
}

#[tokio::test]
async fn refused_api_key_is_invalid_credentials() {
    let app = app();
    let r = send(
        &app,
        get_with("/any", &[("x-api-key", b"pk_unknown_0123456789abcdef")]),
    )
    .await;
    assert_eq!(r.status, 401, "{:?}", r.body);
    assert_error_body(&r, "invalid_credentials");
    let challenges = r.challenges();
    assert_eq!(challenges.len(), 3, "{challenges:?}");
    assert_eq!(challenges[0], BEARER);
    assert!(challenges[1].starts_with(API_KEY), "{challenges:?}");
    assert!(challenges[1].contains("error=\""), "{challenges:?}");
    assert!(!challenges[1].contains("invalid_request"), "{challenges:?}");
    assert_eq!(challenges[2], BASIC);
}

#[tokio::test]
async fn refused_basic_is_invalid_credentials_without_error_parameter() {
    let app = app();
    let wrong = basic_credentials("alice:not-the-password");
    let r = send(
        &app,
        get_with("/key-basic", &[("authorization", wrong.as_bytes())]),
    )
    .await;
    assert_eq!(r.status, 401, "{:?}", r.body);
    assert_challenges(&r, &[API_KEY, BASIC], None);
    assert_error_body(&r, "invalid_credentials");
}

// ---------------------------------------------------------------- inactive users: 403

#[tokio::test]
async fn inactive_user_is_forbidden_without_challenges() {
    let app = app_with(builder(users_with_mallory_key()).build().unwrap());

    let requests = [
        ("jwt", bearer("/any", &hs256(&claims("4")))),
        (
            "api_key",
            get_with("/any", &[("x-api-key", MALLORY_KEY.as_bytes())]),
        ),
    ];
    for (what, request) in requests {
        let r = send(&app, request).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{what}: {:?}", r.body);
        assert!(r.challenges().is_empty(), "{what}: {:?}", r.challenges());
        assert_error_body(&r, "forbidden");
    }
}

/// An inactive account's right password answers like a wrong one by default (a
/// guesser learns nothing, issue 14), and 403 with `reveal_inactive_accounts(true)`.
#[tokio::test]
async fn inactive_user_with_a_password_over_basic() {
    let store = || {
        let store = users();
        store.insert(User {
            id: 4,
            username: "mallory".into(),
            roles: "user".into(),
            password_hash: Some(portcullis::hash_password("mallory-password-1").unwrap()),
            active: false,
        });
        store
    };
    let header = basic_credentials("mallory:mallory-password-1");
    let request = || get_with("/key-basic", &[("authorization", header.as_bytes())]);
    let app = app_with(builder(store()).build().unwrap());
    let r = send(&app, request()).await;
    let wrong = send(
        &app,
        get_with(
            "/key-basic",
            &[("authorization", basic_credentials("mallory:wrong").as_bytes())],
        ),
    )
    .await;
    assert_eq!(
        (r.status, &r.body),
        (wrong.status, &wrong.body),
        "like a wrong password"
    );
    assert_eq!(r.status, 401, "{:?}", r.body);

    let app = app_with(builder(store()).reveal_inactive_accounts(true).build().unwrap());
    let r = send(&app, request()).await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    assert!(r.challenges().is_empty());
    assert_error_body(&r, "forbidden");
}

// ---------------------------------------------------------------- stores unavailable: 503

#[tokio::test]
async fn user_store_down_gives_503_for_every_scheme() {
    let app = app_with(builder(Faulty::down(users())).build().unwrap());
    let basic = basic_credentials(format!("alice:{ALICE_PASSWORD}"));
    let requests = [
        ("jwt", bearer("/any", &hs256(&claims("1")))),
        (
            "stored api key",
            get_with("/any", &[("x-api-key", BOB_KEY.as_bytes())]),
        ),
        (
            "static api key",
            get_with("/any", &[("x-api-key", STATIC_KEY.as_bytes())]),
        ),
        ("basic", get_with("/any", &[("authorization", basic.as_bytes())])),
        ("basic, unknown user", {
            let h = basic_credentials("nobody:whatever");
            get_with("/key-basic", &[("authorization", h.as_bytes())])
        }),
    ];
    for (what, request) in requests {
        let r = send(&app, request).await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{what}: {:?}", r.body);
        assert_unavailable(&r);
    }
    // Without credentials the store is not needed: still the plain 401.
    let r = send(&app, get_with("/any", &[])).await;
    assert_eq!(r.status, 401);
    assert_error_body(&r, "missing_credentials");
}

#[tokio::test]
async fn revocation_store_down_gives_503_for_a_token_with_jti() {
    let app = app_with(
        builder(users())
            .revocations(Faulty::down(InMemoryRevocationStore::default()))
            .build()
            .unwrap(),
    );
    let r = send(&app, bearer("/jwt", &hs256(&claims("1")))).await;
    assert_unavailable(&r);
    let r = send(&app, bearer("/any", &hs256(&claims("2")))).await;
    assert_unavailable(&r);

    // A token without a `jti` still meets the store: its user's cut-off ("everything
    // issued before") is read for every token.
    let mut no_jti = claims("1");
    no_jti.as_object_mut().unwrap().remove("jti");
    let r = send(&app, bearer("/jwt", &hs256(&no_jti))).await;
    assert_unavailable(&r);
    // API keys do not touch the revocation store.
    let r = send(&app, get_with("/any", &[("x-api-key", BOB_KEY.as_bytes())])).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

// ---------------------------------------------------------------- replaceable renderer

/// RFC 9457 problem details; copies status and headers as documented.
struct ProblemJson;

impl ErrorRenderer for ProblemJson {
    fn render(&self, rejection: &Rejection) -> Response<Bytes> {
        let body = json!({
            "type": format!("https://errors.test/{}", rejection.error().code()),
            "title": rejection.error().code(),
            "status": rejection.status().as_u16(),
            "detail": rejection.message(),
        });
        let mut response = Response::new(Bytes::from(body.to_string()));
        *response.status_mut() = rejection.status();
        response.headers_mut().extend(rejection.headers());
        response.headers_mut().insert(
            "content-type",
            HeaderValue::from_static("application/problem+json"),
        );
        response
    }
}

/// Plain text, and it only writes a body: it forgets status and challenges.
struct NaivePlainText;

impl ErrorRenderer for NaivePlainText {
    fn render(&self, rejection: &Rejection) -> Response<Bytes> {
        let mut response = Response::new(Bytes::from(format!("nope: {}", rejection.message())));
        response
            .headers_mut()
            .insert("content-type", HeaderValue::from_static("text/plain"));
        response
    }
}

/// The requests of the renderer test: name, request, expected status and code.
fn renderer_cases() -> Vec<(&'static str, Request<Body>, u16, &'static str)> {
    vec![
        ("missing", get_with("/any", &[]), 401, "missing_credentials"),
        (
            "malformed",
            get_with("/any", &[("authorization", b"Bearer a b")]),
            401,
            "invalid_request",
        ),
        (
            "refused",
            bearer("/any", &hs256(&claims("99"))),
            401,
            "invalid_token",
        ),
        (
            "inactive",
            get_with("/any", &[("x-api-key", MALLORY_KEY.as_bytes())]),
            403,
            "forbidden",
        ),
    ]
}

fn users_with_mallory_key() -> InMemoryUserStore<User> {
    let store = users();
    store.add_api_key(&4, MALLORY_KEY);
    store
}

#[tokio::test]
async fn custom_renderer_changes_the_body_but_not_status_or_challenges() {
    let default_app = app_with(builder(users_with_mallory_key()).build().unwrap());
    let custom_app = app_with(
        builder(users_with_mallory_key())
            .renderer(ProblemJson)
            .build()
            .unwrap(),
    );
    let default_down = app_with(builder(Faulty::down(users())).build().unwrap());
    let custom_down = app_with(
        builder(Faulty::down(users()))
            .renderer(ProblemJson)
            .build()
            .unwrap(),
    );

    let unavailable = |app| {
        (
            "unavailable",
            app,
            bearer("/any", &hs256(&claims("1"))),
            503,
            "temporarily_unavailable",
        )
    };
    let custom = renderer_cases()
        .into_iter()
        .map(|(what, request, status, code)| (what, &custom_app, request, status, code))
        .chain([unavailable(&custom_down)]);
    let default = renderer_cases()
        .into_iter()
        .map(|(what, request, status, code)| (what, &default_app, request, status, code))
        .chain([unavailable(&default_down)]);
    for ((what, app, request, status, code), (_, default_app, default_request, ..)) in custom.zip(default) {
        let r = send(app, request).await;
        let d = send(default_app, default_request).await;
        assert_eq!(d.status, status, "{what}: default renderer {:?}", d.body);
        assert_eq!(d.body["error"], code, "{what}");

        assert_eq!(r.status, status, "{what}: {:?}", r.body);
        assert_eq!(r.header("content-type"), "application/problem+json", "{what}");
        assert_eq!(r.body["title"], code, "{what}: {:?}", r.body);
        assert_eq!(r.body["status"], status, "{what}");
        assert!(r.body["detail"].as_str().is_some_and(|d| !d.is_empty()), "{what}");
        assert!(r.body.get("error").is_none(), "{what}: default body leaked");
        assert_eq!(r.challenges(), d.challenges(), "{what}: challenges changed");
        assert_eq!(
            r.headers.get("retry-after"),
            d.headers.get("retry-after"),
            "{what}"
        );
    }
}

#[tokio::test]
async fn renderer_cannot_change_status_or_drop_challenges() {
    let app = app_with(builder(users()).renderer(NaivePlainText).build().unwrap());
    let r = send(&app, get_with("/any", &[])).await;
    assert_eq!(
        r.body,
        json!("nope: authentication required: send credentials for one of: jwt, api_key, basic")
    );
    assert_eq!(r.header("content-type"), "text/plain");
    assert_eq!(r.status, 401, "an unauthenticated request must never get a 2xx");
    assert_eq!(r.challenges(), [BEARER, API_KEY, BASIC]);

    let down = app_with(
        builder(Faulty::down(users()))
            .renderer(NaivePlainText)
            .build()
            .unwrap(),
    );
    let r = send(&down, bearer("/any", &hs256(&claims("1")))).await;
    assert_eq!(r.status, 503, "store unavailable must never be 200");
    assert!(r.headers.get("retry-after").is_some());
}

// ---------------------------------------------------------------- realm

#[tokio::test]
async fn configured_realm_appears_in_every_challenge() {
    let app = app_with(builder(users()).realm("x").build().unwrap());
    let r = send(&app, get_with("/any", &[])).await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.challenges(),
        [
            r#"Bearer realm="x""#,
            r#"ApiKey realm="x", header="X-API-Key""#,
            r#"Basic realm="x", charset="UTF-8""#,
        ]
    );
    let r = send(&app, bearer("/any", &hs256(&claims("99")))).await;
    assert!(
        r.challenges()[0].starts_with(r#"Bearer realm="x", error="invalid_token""#),
        "{:?}",
        r.challenges()
    );
}

#[test]
fn realm_that_would_break_the_challenge_is_refused_at_start_up() {
    for realm in ["", "a\"b", "a\\b", "line\nbreak"] {
        assert!(builder(users()).realm(realm).build().is_err(), "{realm:?}");
    }
}

// ---------------------------------------------------------------- sanity: the good paths

#[tokio::test]
async fn valid_credentials_pass_on_the_same_routes() {
    let app = app();
    let r = send(&app, bearer("/any", &hs256(&claims("1")))).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body, json!({"id": 1, "scheme": "jwt"}));
    assert!(r.challenges().is_empty());
    let r = send(&app, get_with("/any", &[("x-api-key", BOB_KEY.as_bytes())])).await;
    assert_eq!(r.body, json!({"id": 2, "scheme": "api_key"}));
    let basic = basic_credentials(format!("alice:{ALICE_PASSWORD}"));
    let r = send(&app, get_with("/any", &[("authorization", basic.as_bytes())])).await;
    assert_eq!(r.body, json!({"id": 1, "scheme": "basic"}));
}

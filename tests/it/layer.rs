//! Middleware mode: `AuthLayer` authenticates every request of a router, handlers read
//! the finding as `RequestUser`, bad credentials get 401 even on open routes, and
//! `#[auth]` guards under the layer reuse its verification instead of repeating it.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::routing::get;
use http::StatusCode;
use portcullis::schemes::{ApiKey, Jwt};
use portcullis::{AuthInfo, AuthLayer, RequestUser, auth, require};

use crate::support::*;

async fn open(who: RequestUser<User>) -> String {
    match &who {
        RequestUser::Authenticated { user, info } => format!("{} via {}", user.username, info.scheme()),
        RequestUser::Anonymous => "anonymous".into(),
    }
}

#[auth(jwt)]
async fn jwt_only(user: User) -> String {
    format!("jwt {}", user.username)
}

#[auth(jwt, api_key)]
#[require(role = "admin")]
async fn admins(user: User, info: AuthInfo) -> String {
    format!("admin {} via {}", user.username, info.scheme())
}

/// The app behind the layer, and how many times a user was authenticated.
fn app() -> (Router, Arc<AtomicUsize>) {
    let verified = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&verified);
    let auth = builder(users())
        .after_authentication(move |_: &http::request::Parts, _: &User, _: &AuthInfo| {
            count.fetch_add(1, Ordering::SeqCst);
            Ok(())
        })
        .build()
        .unwrap();
    let app = Router::new()
        .route("/open", get(open))
        .route("/jwt", get(jwt_only))
        .route("/admins", get(admins))
        .layer(AuthLayer::<User, (Jwt, ApiKey)>::new(auth.clone()))
        .with_state(AppState { auth });
    (app, verified)
}

fn alice_token() -> String {
    hs256(&claims("1"))
}

#[tokio::test]
async fn open_routes_see_who_is_there() {
    let (app, _) = app();
    let r = send(&app, req("/open").empty()).await;
    assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, Some("anonymous")));
    let r = send(&app, bearer("/open", &alice_token())).await;
    assert_eq!(
        (r.status, r.body.as_str()),
        (StatusCode::OK, Some("alice via jwt"))
    );
    let r = send(&app, req("/open").header("x-api-key", BOB_KEY).empty()).await;
    assert_eq!(
        (r.status, r.body.as_str()),
        (StatusCode::OK, Some("bob via api_key"))
    );
}

#[tokio::test]
async fn bad_credentials_are_refused_on_open_routes_too() {
    let (app, _) = app();
    let r = send(&app, bearer("/open", "not.a.token")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{:?}", r.body);
    assert_eq!(r.body["error"], "invalid_request");
    assert_eq!(
        r.challenges(),
        [
            "Bearer realm=\"api\", error=\"invalid_request\", error_description=\"the token is not valid base64url\"",
            "ApiKey realm=\"api\", header=\"X-API-Key\"",
        ]
    );
    let r = send(
        &app,
        req("/open")
            .header("x-api-key", "pk_unknown_0123456789abcdef")
            .empty(),
    )
    .await;
    expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
    let mut expired = claims("1");
    expired["exp"] = (now() - 3600).into();
    let r = send(&app, bearer("/open", &hs256(&expired))).await;
    expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_token");
}

#[tokio::test]
async fn guards_under_the_layer_reuse_its_verification() {
    let (app, verified) = app();
    let r = send(&app, bearer("/jwt", &alice_token())).await;
    assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, Some("jwt alice")));
    assert_eq!(verified.load(Ordering::SeqCst), 1, "verified once, by the layer");

    let r = send(&app, bearer("/admins", &alice_token())).await;
    assert_eq!(
        (r.status, r.body.as_str()),
        (StatusCode::OK, Some("admin alice via jwt"))
    );
    assert_eq!(verified.load(Ordering::SeqCst), 2);

    // Requirements still decide: bob is no admin.
    let r = send(&app, req("/admins").header("x-api-key", BOB_KEY).empty()).await;
    expect_error(&r, StatusCode::FORBIDDEN, "forbidden");

    // The layer's user came from a scheme the route does not accept: the guard
    // decides by its own schemes (no JWT here: 401 with the route's challenge).
    let r = send(&app, req("/jwt").header("x-api-key", BOB_KEY).empty()).await;
    expect_error(&r, StatusCode::UNAUTHORIZED, "missing_credentials");
    assert_eq!(r.challenges(), ["Bearer realm=\"api\""]);

    // No credentials: open routes answer, guarded ones refuse.
    let r = send(&app, req("/jwt").empty()).await;
    expect_error(&r, StatusCode::UNAUTHORIZED, "missing_credentials");
}

#[tokio::test]
async fn request_user_without_the_layer_is_a_server_error() {
    let auth = portcullis();
    let app = Router::new()
        .route("/open", get(open))
        .with_state(AppState { auth });
    let r = send(&app, bearer("/open", &alice_token())).await;
    expect_error(&r, StatusCode::INTERNAL_SERVER_ERROR, "server_error");
}

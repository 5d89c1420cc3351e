//! Requirements that need only the user are decided before the other extractors run:
//! an unauthorised request with a malformed JSON body gets 403, not 400 or 422.

use axum::body::Body;
use axum::extract::{FromRef, Path};
use axum::routing::post;
use axum::{Json, Router};
use http::StatusCode;
use portcullis::__private::{Deferred, DeferredBody};
use portcullis::schemes::Jwt;
use portcullis::{AuthError, Authenticated, Portcullis, Refusal, auth, permissions, require};
use serde_json::Value;

use crate::support::{self, User};

#[derive(Clone, FromRef)]
struct State {
    auth: Portcullis<User>,
}

/// What `#[auth(jwt)] #[require(role = "admin")]` expands to, written by hand.
async fn hand_written(
    auth: Authenticated<User, (Jwt,)>,
    id: Deferred<Path<i64>>,
    body: DeferredBody<Json<Value>>,
) -> Result<String, Refusal> {
    if !portcullis::AuthUser::has_role(&auth.user, "admin") {
        return Err(auth.refuse(AuthError::Denied {
            scheme: auth.info.scheme(),
            requirement: "role = \"admin\"",
        }));
    }
    let Path(id) = id.resolve().await?;
    let Json(body) = body.resolve().await?;
    Ok(format!("{id} {body}"))
}

#[auth(jwt)]
#[require(role = "admin")]
async fn generated(user: User, Path(id): Path<i64>, Json(body): Json<Value>) -> String {
    format!("{id} {body} by {}", user.username)
}

#[auth(jwt)]
#[permissions(any("posts:delete", "users:delete"))]
async fn by_permission(user: User, Json(body): Json<Value>) -> String {
    format!("{body} by {}", user.username)
}

fn app() -> Router {
    let auth = Portcullis::builder(support::users())
        .jwt(support::jwt_config())
        .build()
        .unwrap();
    Router::new()
        .route("/items/{id}", post(hand_written))
        .route("/generated/{id}", post(generated))
        .route("/permission", post(by_permission))
        .with_state(State { auth })
}

fn post_json(uri: &str, sub: &str, body: &'static str) -> http::Request<Body> {
    support::req(uri)
        .method("POST")
        .header(
            "authorization",
            format!("Bearer {}", support::hs256(&support::claims(sub))),
        )
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn hand_written_deferral_answers_403_before_400() {
    let app = app();
    let reply = support::send(&app, post_json("/items/7", "2", "{not json")).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let reply = support::send(&app, post_json("/items/x", "2", "{}")).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let reply = support::send(&app, post_json("/items/7", "1", "{not json")).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let reply = support::send(&app, post_json("/items/x", "1", "{}")).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let reply = support::send(&app, post_json("/items/7", "1", "{\"a\":1}")).await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (StatusCode::OK, Some("7 {\"a\":1}"))
    );
}

#[tokio::test]
async fn require_answers_403_before_the_body_or_path_is_read() {
    let app = app();
    // bob is no admin: his malformed body and path are never looked at.
    let reply = support::send(&app, post_json("/generated/7", "2", "{not json")).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{:?}", reply.body);
    assert_eq!(reply.body["error"], "forbidden");
    let reply = support::send(&app, post_json("/generated/x", "2", "[]")).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    // No credentials: 401 first, whatever the body.
    let request = support::req("/generated/7")
        .method("POST")
        .header("content-type", "application/json")
        .body(Body::from("{not json"))
        .unwrap();
    assert_eq!(
        support::send(&app, request).await.status,
        StatusCode::UNAUTHORIZED
    );
    // alice is admin: now the extractors speak, with their own answers.
    let reply = support::send(&app, post_json("/generated/7", "1", "{not json")).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let reply = support::send(&app, post_json("/generated/x", "1", "{}")).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let reply = support::send(&app, post_json("/generated/7", "1", "{\"a\":1}")).await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (StatusCode::OK, Some("7 {\"a\":1} by alice"))
    );
}

#[tokio::test]
async fn permissions_answer_403_before_the_body_is_read() {
    let app = app();
    let reply = support::send(&app, post_json("/permission", "2", "{not json")).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let request = support::req("/permission")
        .method("POST")
        .header(
            "authorization",
            format!("Bearer {}", support::hs256(&support::claims("2"))),
        )
        .body(Body::from("{}"))
        .unwrap();
    assert_eq!(
        support::send(&app, request).await.status,
        StatusCode::FORBIDDEN,
        "no content type either"
    );
    // The support users hold no permissions at all (no permission set is declared).
    let reply = support::send(&app, post_json("/permission", "1", "{not json")).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(
        reply.body["message"],
        "missing requirement: permission = \"posts:delete\" || permission = \"users:delete\""
    );
}

//! Requirements that need only the user are decided before the other extractors run:
//! an unauthorised request with a malformed JSON body gets 403, not 400 or 422.

use axum::body::Body;
use axum::extract::{FromRef, Path};
use axum::routing::post;
use axum::{Json, Router};
use http::StatusCode;
use portcullis::schemes::Jwt;
use portcullis::__private::{Deferred, DeferredBody};
use portcullis::{AuthError, Authenticated, Portcullis, Refusal};
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

fn app() -> Router {
    let auth = Portcullis::builder(support::users())
        .jwt(support::jwt_config())
        .build()
        .unwrap();
    Router::new()
        .route("/items/{id}", post(hand_written))
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

//! Handler bodies keep their `return` and `?` and any return type; inactive accounts are
//! refused before any requirement.

use std::collections::HashMap;

use axum::extract::Query;
use axum::response::IntoResponse;
use axum::routing::post;

use super::*;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/early", get(early))
        .route("/posts", post(create_post))
        .route("/opaque", get(opaque))
        .route("/unit", get(unit))
        .route("/status", get(status_only))
}

/// A body with an early `return` and `?`: it runs unchanged once the checks pass.
#[auth(jwt)]
#[require(role = "user" || role = "admin")]
async fn early(
    user: Member,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, (StatusCode, Json<Value>)> {
    let bad = |what: &str| (StatusCode::BAD_REQUEST, Json(json!({"bad": what})));
    if query.contains_key("early") {
        return Ok(Json(json!({"user": user.id, "early": true})));
    }
    let n: i64 = query
        .get("n")
        .ok_or_else(|| bad("missing n"))?
        .parse()
        .map_err(|_| bad("n"))?;
    Ok(Json(json!({"user": user.id, "double": n * 2})))
}

/// A body-consuming extractor last, after the requirement-checked user.
#[auth(jwt)]
#[permissions("posts:write")]
async fn create_post(user: Member, Json(body): Json<Value>) -> (StatusCode, Json<Value>) {
    (
        StatusCode::CREATED,
        Json(json!({"user": user.id, "title": body["title"]})),
    )
}

/// An opaque `impl IntoResponse` return type.
#[auth(jwt)]
#[require(role = "user" || role = "admin")]
async fn opaque(user: Member) -> impl IntoResponse {
    if user.email_verified {
        return (
            StatusCode::CREATED,
            Json(json!({"user": user.id, "verified": true})),
        );
    }
    (
        StatusCode::ACCEPTED,
        Json(json!({"user": user.id, "verified": false})),
    )
}

/// No return type at all, with a bare `return;`.
#[auth(jwt)]
#[require(role = "user" || role = "admin")]
async fn unit(user: Member) {
    if user.email_verified {
        return;
    }
    tokio::task::yield_now().await;
}

/// A plain status return with an early `return`.
#[auth(jwt)]
#[require(role = "user" || role = "admin")]
async fn status_only(user: Member) -> StatusCode {
    if user.email_verified {
        return StatusCode::NO_CONTENT;
    }
    StatusCode::ACCEPTED
}

// ------------------------------------------------------------------------------------------------
// Handler bodies and inactive accounts

#[tokio::test]
async fn handler_body_keeps_return_and_question_mark() {
    let app = app();
    assert_ok(
        &get_as(&app, "/early?early=1", ULF).await,
        json!({"user": ULF, "early": true}),
    );
    assert_ok(
        &get_as(&app, "/early?n=21", ADA).await,
        json!({"user": ADA, "double": 42}),
    );
    let r = get_as(&app, "/early?n=x", ULF).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body, json!({"bad": "n"}));
    let r = get_as(&app, "/early", ULF).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body, json!({"bad": "missing n"}));
    // The checks run before the body.
    assert_denied(
        &get_as(&app, "/early?early=1", MIA).await,
        r#"role = "user" || role = "admin""#,
    );

    let r = get_as(&app, "/status", UMA).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = get_as(&app, "/status", ULF).await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    assert_denied(
        &get_as(&app, "/status", REX).await,
        r#"role = "user" || role = "admin""#,
    );

    let create = |id: i64, body: &str| {
        req("/posts")
            .method("POST")
            .header("authorization", format!("Bearer {}", jwt(id)))
            .header("content-type", "application/json")
            .body(Body::from(body.to_owned()))
            .unwrap()
    };
    let r = send(&app, create(ULF, r#"{"title": "hello"}"#)).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.body, json!({"user": ULF, "title": "hello"}));
    assert_denied(
        &send(&app, create(REX, r#"{"title": "hello"}"#)).await,
        r#"permission = "posts:write""#,
    );
    let r = send(&app, create(ULF, "not json")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    let r = get_as(&app, "/opaque", UMA).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.body, json!({"user": UMA, "verified": true}));
    let r = get_as(&app, "/opaque", ULF).await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    assert_eq!(r.body, json!({"user": ULF, "verified": false}));
    assert_denied(
        &get_as(&app, "/opaque", REX).await,
        r#"role = "user" || role = "admin""#,
    );

    for id in [UMA, ULF] {
        let r = get_as(&app, "/unit", id).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body, Value::Null);
    }
    assert_denied(
        &get_as(&app, "/unit", REX).await,
        r#"role = "user" || role = "admin""#,
    );
}

#[tokio::test]
async fn inactive_accounts_are_refused_before_any_requirement() {
    let app = app();
    let inactive = json!({"error": "forbidden", "message": "the account is inactive"});
    // A requirement she fails, one she would pass, and a missing resource: always inactive.
    for uri in ["/role/admin", "/all", "/perms/all", "/posts/99", "/posts/10"] {
        let r = get_as(&app, uri, INA).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri}");
        assert_eq!(r.body, inactive, "{uri}");
        assert!(r.challenges().is_empty(), "{uri}: {:?}", r.challenges());
    }
    // The same requirement lets an active user with the same roles in.
    assert_let_in(&get_as(&app, "/all", UMA).await, UMA);
}

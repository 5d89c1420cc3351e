//! The app built with `crate = gate` answers like any other.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use portcullis_renamed_test::{ADMIN_KEY, EDITOR_KEY, app};
use tower::ServiceExt;

async fn get(path: &str, key: Option<&str>) -> (StatusCode, String) {
    let mut request = Request::get(path);
    if let Some(key) = key {
        request = request.header("X-API-Key", key);
    }
    send(request.body(Body::empty()).expect("a request")).await
}

async fn put_json(path: &str, key: &str, body: &'static str) -> (StatusCode, String) {
    let request = Request::put(path)
        .header("X-API-Key", key)
        .header("content-type", "application/json")
        .body(Body::from(body))
        .expect("a request");
    send(request).await
}

async fn send(request: Request<Body>) -> (StatusCode, String) {
    let response = app().oneshot(request).await.expect("infallible");
    let status = response.status();
    let body = response.into_body().collect().await.expect("a body").to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn an_admin_passes_the_typed_role_check() {
    assert_eq!(
        get("/admin", Some(ADMIN_KEY)).await,
        (StatusCode::OK, "admin alice".to_owned())
    );
}

#[tokio::test]
async fn the_generated_checks_refuse_and_authenticate() {
    assert_eq!(get("/admin", Some(EDITOR_KEY)).await.0, StatusCode::FORBIDDEN);
    assert_eq!(get("/admin", None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        get("/write", Some(EDITOR_KEY)).await,
        (StatusCode::OK, "write eve".to_owned())
    );
    assert_eq!(
        get("/maybe", None).await,
        (StatusCode::OK, "anonymous".to_owned())
    );
    assert_eq!(get("/write", Some(ADMIN_KEY)).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        get("/edit", Some(EDITOR_KEY)).await,
        (StatusCode::OK, "edit eve".to_owned())
    );
    assert_eq!(get("/me", Some(ADMIN_KEY)).await.0, StatusCode::OK);
}

#[tokio::test]
async fn the_checks_come_before_the_path_and_the_body() {
    assert_eq!(
        put_json("/items/7", EDITOR_KEY, "\"unterminated").await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        put_json("/items/x", EDITOR_KEY, "\"bob\"").await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        put_json("/items/7", ADMIN_KEY, "\"unterminated").await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        put_json("/items/x", ADMIN_KEY, "\"bob\"").await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        put_json("/items/7", ADMIN_KEY, "\"bob\"").await,
        (StatusCode::OK, "alice renamed 7 to bob".to_owned())
    );
}

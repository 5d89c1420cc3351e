//! The shortest path through the library: one `#[auth]` route, a valid token of each
//! algorithm, and the 401 without credentials.

use axum::{Json, Router, routing::get};
use http::StatusCode;
use jsonwebtoken::Algorithm;
use portcullis::{AuthInfo, auth};
use serde_json::{Value, json};

use crate::support::*;

#[auth(jwt, api_key, basic)]
async fn me(user: User, info: AuthInfo) -> Json<Value> {
    Json(json!({"id": user.id, "scheme": info.scheme().as_str()}))
}

fn app() -> Router {
    Router::new()
        .route("/me", get(me))
        .with_state(AppState { auth: portcullis() })
}

#[tokio::test]
async fn smoke() {
    let app = app();
    let r = send(&app, bearer("/me", &hs256(&claims("1")))).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body, json!({"id": 1, "scheme": "jwt"}));
    let r = send(&app, req("/me").empty()).await;
    expect_error(&r, StatusCode::UNAUTHORIZED, "missing_credentials");
    assert_eq!(
        r.challenges(),
        [
            r#"Bearer realm="api""#,
            r#"ApiKey realm="api", header="X-API-Key""#,
            r#"Basic realm="api", charset="UTF-8""#,
        ]
    );
    for alg in [
        Algorithm::RS256,
        Algorithm::PS256,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::EdDSA,
    ] {
        let r = send(&app, bearer("/me", &sign(alg, &claims("2")))).await;
        assert_eq!(r.status, 200, "{alg:?} {:?}", r.body);
        assert_eq!(r.body, json!({"id": 2, "scheme": "jwt"}), "{alg:?}");
    }
}

mod support;

use axum::{Json, Router, routing::get};
use portcullis::{AuthInfo, auth};
use serde_json::{Value, json};
use support::*;

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
    let r = send(&app, req("/me").body(axum::body::Body::empty()).unwrap()).await;
    assert_eq!(r.status, 401);
    println!("{:?} {:?}", r.challenges(), r.body);
    for alg in [
        jsonwebtoken::Algorithm::RS256,
        jsonwebtoken::Algorithm::PS256,
        jsonwebtoken::Algorithm::ES256,
        jsonwebtoken::Algorithm::ES384,
        jsonwebtoken::Algorithm::EdDSA,
    ] {
        let r = send(&app, bearer("/me", &sign(alg, &claims("2")))).await;
        assert_eq!(r.status, 200, "{alg:?} {:?}", r.body);
    }
}

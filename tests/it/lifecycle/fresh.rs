//! Fresh tokens (AuthX): with `TokenConfig::fresh_tokens`, the access token of a password
//! login carries `"fresh": true`, a refreshed one does not; `#[require(fresh)]` answers a
//! non-fresh credential 401 `insufficient_user_authentication` (RFC 9470), on its own or
//! in `&&`, and a plain denial when combined with `||`.

use axum::Router;
use axum::routing::get;
use http::StatusCode;
use portcullis::{AuthInfo, auth, require};

use super::*;

#[auth(jwt, api_key, basic)]
#[require(fresh)]
async fn change_email(user: User, info: AuthInfo) -> String {
    format!("{} via {}", user.username, info.scheme())
}

#[auth(jwt, api_key)]
#[require(fresh && role = "admin")]
async fn delete_account(_user: User) -> &'static str {
    "deleted"
}

#[auth(jwt, api_key)]
#[require(fresh || role = "admin")]
async fn either(_user: User) -> &'static str {
    "either"
}

fn fresh_app() -> Router {
    let auth = Portcullis::builder(users())
        .jwt(jwt_config())
        .tokens(token_config().fresh_tokens())
        .api_key(portcullis::ApiKeyConfig::new())
        .build()
        .unwrap();
    Router::new()
        .merge(super::tokens::routes())
        .route("/email", get(change_email))
        .route("/delete", get(delete_account))
        .route("/either", get(either))
        .with_state(AppState { auth })
}

#[tokio::test]
async fn a_login_token_is_fresh_and_a_refreshed_one_is_not() {
    let app = fresh_app();
    let login = login_tokens(&app).await;
    assert_eq!(payload(&login.access)["fresh"], true);
    let r = send(&app, bearer("/email", &login.access)).await;
    assert_eq!(
        (r.status, r.body.as_str()),
        (StatusCode::OK, Some("alice via jwt"))
    );
    let r = send(&app, bearer("/delete", &login.access)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

    let refreshed = rotate(&app, &login.refresh).await;
    assert!(payload(&refreshed.access).get("fresh").is_none());
    for route in ["/email", "/delete"] {
        let r = send(&app, bearer(route, &refreshed.access)).await;
        expect_error(&r, StatusCode::UNAUTHORIZED, "insufficient_user_authentication");
        let challenges = r.challenges();
        assert_eq!(
            challenges[0],
            "Bearer realm=\"api\", error=\"insufficient_user_authentication\", error_description=\"a fresh login is required\"",
            "{route}"
        );
        assert_eq!(
            challenges.len(),
            if route == "/email" { 3 } else { 2 },
            "{challenges:?}"
        );
    }
    // `||`: the admin passes without a fresh token; the requirement as a whole is a 403.
    let r = send(&app, bearer("/either", &refreshed.access)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

#[tokio::test]
async fn basic_is_fresh_and_api_keys_are_not() {
    let app = fresh_app();
    let r = send(&app, req("/email").basic("alice", ALICE_PASSWORD).empty()).await;
    assert_eq!(
        (r.status, r.body.as_str()),
        (StatusCode::OK, Some("alice via basic"))
    );
    let r = send(&app, req("/email").header("x-api-key", BOB_KEY).empty()).await;
    expect_error(&r, StatusCode::UNAUTHORIZED, "insufficient_user_authentication");
    // bob is no admin and not fresh: `fresh || role = "admin"` is a plain 403.
    let r = send(&app, req("/either").header("x-api-key", BOB_KEY).empty()).await;
    expect_error(&r, StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
async fn without_fresh_tokens_no_token_is_fresh() {
    let app = token_app_with(super::tokens::routes().route("/email", get(change_email)));
    let login = login_tokens(&app).await;
    assert!(payload(&login.access).get("fresh").is_none());
    let r = send(&app, bearer("/email", &login.access)).await;
    expect_error(&r, StatusCode::UNAUTHORIZED, "insufficient_user_authentication");
}

fn token_app_with(routes: Router<AppState>) -> Router {
    routes.with_state(AppState {
        auth: token_builder().build().unwrap(),
    })
}

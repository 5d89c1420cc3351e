//! Hooks before and after authentication: their 401 and 403 go through the renderer.

use axum::Router;
use axum::body::Body;
use axum::extract::FromRef;
use axum::routing::get;
use http::StatusCode;
use http::request::Parts;
use portcullis::{
    AfterAuthentication, AuthError, AuthInfo, AuthUser, BeforeAuthentication, Portcullis, async_trait, auth,
};

use crate::support::{self, User};

#[derive(Clone, FromRef)]
struct State {
    auth: Portcullis<User>,
}

#[auth(jwt)]
async fn me(user: User) -> String {
    user.username
}

/// Sync: a request from a blocked network is refused before any credential is read.
fn tenant_required(parts: &Parts) -> Result<(), AuthError> {
    match parts.headers.get("x-tenant").map(|v| v.as_bytes()) {
        Some(b"blocked") => Err(AuthError::Forbidden {
            reason: "this tenant is suspended",
        }),
        Some(_) => Ok(()),
        None => Err(AuthError::Refused {
            reason: "send X-Tenant",
        }),
    }
}

/// Async: the user must belong to the tenant (a lookup elsewhere, say).
struct TenantMembership;

#[async_trait]
impl AfterAuthentication<User> for TenantMembership {
    async fn after(&self, parts: &Parts, user: &User, _: &AuthInfo) -> Result<(), AuthError> {
        tokio::task::yield_now().await;
        let tenant = parts.headers.get("x-tenant").and_then(|v| v.to_str().ok());
        match (tenant, user.username.as_str()) {
            (Some("acme"), _) => Ok(()),
            (Some("globex"), "alice") => Ok(()),
            (Some("globex"), _) => Err(AuthError::Forbidden {
                reason: "not a member of this tenant",
            }),
            _ => Err(AuthError::Refused {
                reason: "this token is not valid for the tenant",
            }),
        }
    }
}

fn app() -> Router {
    fn takes_before(hook: impl BeforeAuthentication) -> impl BeforeAuthentication {
        hook
    }
    let auth = Portcullis::builder(support::users())
        .jwt(support::jwt_config())
        .before_authentication(takes_before(tenant_required))
        .after_authentication(TenantMembership)
        .build()
        .unwrap();
    Router::new().route("/me", get(me)).with_state(State { auth })
}

fn request(tenant: Option<&str>, sub: &str) -> http::Request<Body> {
    let mut request = support::bearer("/me", &support::hs256(&support::claims(sub)));
    if let Some(tenant) = tenant {
        request.headers_mut().insert("x-tenant", tenant.parse().unwrap());
    }
    request
}

#[tokio::test]
async fn both_hooks_pass_a_member() {
    let reply = support::send(&app(), request(Some("acme"), "2")).await;
    assert_eq!((reply.status, reply.body.as_str()), (StatusCode::OK, Some("bob")));
    let reply = support::send(&app(), request(Some("globex"), "1")).await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (StatusCode::OK, Some("alice"))
    );
}

#[tokio::test]
async fn before_hook_refuses_with_401_and_the_routes_challenge() {
    let reply = support::send(&app(), request(None, "2")).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.body["error"], "unauthorized");
    assert_eq!(reply.body["message"], "send X-Tenant");
    assert_eq!(reply.challenges(), ["Bearer realm=\"api\""]);
}

#[tokio::test]
async fn before_hook_refuses_with_403_even_for_a_valid_token() {
    let reply = support::send(&app(), request(Some("blocked"), "1")).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.body["error"], "forbidden");
    assert_eq!(reply.body["message"], "this tenant is suspended");
}

#[tokio::test]
async fn after_hook_refuses_with_403_for_a_non_member() {
    let reply = support::send(&app(), request(Some("globex"), "2")).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.body["message"], "not a member of this tenant");
}

#[tokio::test]
async fn after_hook_refuses_with_401() {
    let reply = support::send(&app(), request(Some("initech"), "2")).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.body["error"], "unauthorized");
    assert_eq!(reply.challenges(), ["Bearer realm=\"api\""]);
}

#[tokio::test]
async fn after_hook_does_not_run_for_a_bad_token() {
    let mut expired = support::claims("2");
    expired["exp"] = serde_json::json!(support::now() - 3600);
    let mut request = support::bearer("/me", &support::hs256(&expired));
    request
        .headers_mut()
        .insert("x-tenant", "initech".parse().unwrap());
    let reply = support::send(&app(), request).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.body["error"], "invalid_token");
    let _ = User::has_role;
}

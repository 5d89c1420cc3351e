//! Identity resolution: claims-only users (no database) with nested claim paths and
//! string scopes, a custom resolver function, and a configurable subject claim.

use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;
use http::StatusCode;
use portcullis::identity::IdentityResolver;
use portcullis::identity::{ClaimsMapping, ClaimsUser, Identity};
use portcullis::{
    AuthInfo, AuthUser, Portcullis, StoreError, UserStore, async_trait, auth, permissions, require,
};
use serde_json::json;

use crate::support::{self, User};

#[derive(Clone, FromRef)]
struct ClaimsState {
    auth: Portcullis<ClaimsUser>,
}

#[auth(jwt)]
async fn whoami(user: ClaimsUser) -> String {
    format!("{} {:?} {:?}", user.id(), user.name(), user.role_names())
}

#[auth(jwt)]
#[require(role = "admin")]
async fn admin(user: ClaimsUser) -> &'static str {
    let _ = user;
    "admin"
}

#[auth(jwt)]
#[permissions("reports:read")]
async fn reports(user: ClaimsUser) -> &'static str {
    let _ = user;
    "reports"
}

#[auth(jwt)]
#[require(scope = "posts:write")]
async fn write(user: ClaimsUser, info: AuthInfo) -> String {
    format!("{} {}", user.id(), info.scheme())
}

/// A provider's token: Keycloak-style nested roles, Entra-style `scp` string, no `typ`.
fn provider_claims(sub: &str, roles: &[&str], scp: &str) -> serde_json::Value {
    json!({
        "sub": sub, "iss": support::ISSUER, "aud": support::AUDIENCE,
        "iat": support::now(), "exp": support::now() + 600,
        "preferred_username": format!("user-{sub}"),
        "realm_access": { "roles": roles },
        "resource_access": { "reports": { "roles": ["reports:read"] } },
        "scp": scp,
    })
}

fn claims_app() -> Router {
    let mapping = ClaimsMapping::new()
        .roles("realm_access.roles")
        .permissions("resource_access.reports.roles");
    let auth = Portcullis::claims_only(mapping)
        .jwt(support::jwt_config().token_type(None))
        .build()
        .unwrap();
    Router::new()
        .route("/whoami", get(whoami))
        .route("/admin", get(admin))
        .route("/reports", get(reports))
        .route("/write", get(write))
        .with_state(ClaimsState { auth })
}

#[tokio::test]
async fn a_claims_only_user_needs_no_store() {
    let token = support::hs256(&provider_claims("f81d4fae-7dec", &["admin", "staff"], "openid"));
    let reply = support::send(&claims_app(), support::bearer("/whoami", &token)).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(
        reply.body,
        "f81d4fae-7dec Some(\"user-f81d4fae-7dec\") [\"admin\", \"staff\"]"
    );
}

#[tokio::test]
async fn roles_from_a_nested_path_decide_require() {
    let app = claims_app();
    let admin = support::hs256(&provider_claims("a", &["admin"], ""));
    let reply = support::send(&app, support::bearer("/admin", &admin)).await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (StatusCode::OK, Some("admin"))
    );
    let staff = support::hs256(&provider_claims("s", &["staff"], ""));
    let reply = support::send(&app, support::bearer("/admin", &staff)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.body["message"], "missing requirement: role = \"admin\"");
}

#[tokio::test]
async fn permissions_from_a_nested_path_decide_permissions() {
    let token = support::hs256(&provider_claims("s", &[], ""));
    let reply = support::send(&claims_app(), support::bearer("/reports", &token)).await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (StatusCode::OK, Some("reports"))
    );
    let mut claims = provider_claims("t", &[], "");
    claims["resource_access"] = json!({});
    let reply = support::send(
        &claims_app(),
        support::bearer("/reports", &support::hs256(&claims)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_space_separated_scp_string_grants_scopes() {
    let app = claims_app();
    let token = support::hs256(&provider_claims("w", &[], "openid posts:write"));
    let reply = support::send(&app, support::bearer("/write", &token)).await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (StatusCode::OK, Some("w jwt"))
    );
    let token = support::hs256(&provider_claims("r", &[], "openid posts:read"));
    let reply = support::send(&app, support::bearer("/write", &token)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(
        reply.challenges(),
        ["Bearer realm=\"api\", error=\"insufficient_scope\""]
    );
}

#[tokio::test]
async fn a_claims_only_service_still_verifies_the_token() {
    let mut claims = provider_claims("x", &["admin"], "");
    claims["iss"] = json!("https://someone-else.example");
    let reply = support::send(&claims_app(), support::bearer("/admin", &support::hs256(&claims))).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.body["error"], "invalid_token");
}

#[derive(Clone, FromRef)]
struct StoreState {
    auth: Portcullis<User>,
}

#[auth(jwt)]
async fn name(user: User) -> String {
    user.username
}

/// Users by their e-mail claim, through the application's own lookup (Nexios'
/// `user_loader`).
struct ByEmail;

#[async_trait]
impl IdentityResolver<User> for ByEmail {
    async fn resolve(
        &self,
        identity: &Identity,
        users: &dyn UserStore<User>,
    ) -> Result<Option<User>, StoreError> {
        let email = identity
            .claims()
            .and_then(|c| c.get("email"))
            .and_then(|v| v.as_str());
        match email.and_then(|e| e.strip_suffix("@example.com")) {
            Some(name) => users.find_by_username(name).await,
            None => Ok(None),
        }
    }
}

fn resolver_app() -> Router {
    let auth = Portcullis::builder(support::users())
        .jwt(support::jwt_config().subject_claim("oid"))
        .resolver(ByEmail)
        .build()
        .unwrap();
    Router::new()
        .route("/name", get(name))
        .with_state(StoreState { auth })
}

/// A sync resolver is a closure: service accounts named by the subject.
fn closure_app() -> Router {
    let service_accounts = |identity: &Identity| -> Option<User> {
        (identity.subject() == "svc:backup").then(|| User {
            id: 99,
            username: "backup".into(),
            roles: String::new(),
            password_hash: None,
            active: true,
        })
    };
    let auth = Portcullis::builder(support::users())
        .jwt(support::jwt_config())
        .resolver(service_accounts)
        .build()
        .unwrap();
    Router::new()
        .route("/name", get(name))
        .with_state(StoreState { auth })
}

#[tokio::test]
async fn a_closure_resolver_replaces_the_store_lookup() {
    let app = closure_app();
    let reply = support::send(
        &app,
        support::bearer("/name", &support::hs256(&support::claims("svc:backup"))),
    )
    .await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (StatusCode::OK, Some("backup"))
    );
    let reply = support::send(
        &app,
        support::bearer("/name", &support::hs256(&support::claims("2"))),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::UNAUTHORIZED,
        "the store is not asked any more"
    );
}

#[tokio::test]
async fn a_custom_resolver_and_subject_claim_load_the_user() {
    let app = resolver_app();
    let mut claims = support::claims("ignored");
    claims.as_object_mut().unwrap().remove("sub");
    claims["oid"] = json!("00000000-0000-0000-0000-000000000002");
    claims["email"] = json!("bob@example.com");
    let reply = support::send(&app, support::bearer("/name", &support::hs256(&claims))).await;
    assert_eq!((reply.status, reply.body.as_str()), (StatusCode::OK, Some("bob")));

    claims["email"] = json!("nobody@example.com");
    let reply = support::send(&app, support::bearer("/name", &support::hs256(&claims))).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.body["message"], "the token's subject is not a known user");

    // Without the configured subject claim the token is refused.
    claims.as_object_mut().unwrap().remove("oid");
    claims["sub"] = json!("2");
    let reply = support::send(&app, support::bearer("/name", &support::hs256(&claims))).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.body["error"], "invalid_token");
}

//! Each preset with tokens in its provider's documented shape (signed by the
//! fixture): where roles, permissions, scopes and the name come from, and how
//! `#[require(role = ...)]`, `#[permissions(...)]` and `scope = ...` then decide.

use portcullis::identity::{IdentityProvider, Preset};
use serde_json::{Value, json};

use super::*;
use crate::support::Reply;

const ROLE: &str = r#"role = "admin""#;
const PERMISSION: &str = r#"permission = "reports:read""#;
const SCOPE: &str = r#"scope = "posts:write""#;

/// A fixture and a service whose provider `start` configured (a preset); the
/// fixture's key signs the claims each test writes.
struct Setup {
    idp: Fixture,
    key: Key,
    app: Router,
}

impl Setup {
    async fn start(configure: impl FnOnce(IdentityProvider) -> IdentityProvider) -> Self {
        let key = Key::rsa("idp-1");
        let idp = Fixture::start(&[&key]).await;
        let app = app(&idp, configure(provider(&idp))).await;
        Setup { idp, key, app }
    }

    fn token(&self, claims: Value) -> String {
        self.key.token(&claims)
    }

    /// The replies of `/me`, `/admin`, `/reports` and `/write` for `claims`.
    async fn visit(&self, claims: Value) -> [Reply; 4] {
        let token = self.token(claims);
        [
            get_with(&self.app, "/me", &token).await,
            get_with(&self.app, "/admin", &token).await,
            get_with(&self.app, "/reports", &token).await,
            get_with(&self.app, "/write", &token).await,
        ]
    }
}

#[tokio::test]
async fn keycloak_realm_and_client_roles() {
    let p = Setup::start(|p| p.preset(Preset::parse("keycloak:my-api").unwrap())).await;
    // A Keycloak access token: `typ: "Bearer"` claim, `azp`, audience list.
    let claims = with(
        p.idp.claims("f81d4fae-7dec"),
        json!({
            "typ": "Bearer", "azp": API, "aud": [API, "account"],
            "preferred_username": "ada", "email": "ada@example.com",
            "realm_access": {"roles": ["admin", "offline_access"]},
            "resource_access": {API: {"roles": ["editor"]}, "account": {"roles": ["manage-account"]}},
            "scope": "openid profile posts:write",
        }),
    );
    let [me, admin, reports, write] = p.visit(claims.clone()).await;
    let body = assert_user(&me, "f81d4fae-7dec", &p.idp.issuer);
    assert_eq!(body["name"], "ada");
    assert_eq!(body["roles"], json!(["admin", "offline_access", "editor"]));
    assert_eq!(body["permissions"], json!([]));
    assert_eq!(body["scopes"], json!(["openid", "profile", "posts:write"]));
    assert_text(&admin, "admin f81d4fae-7dec");
    assert_denied(&reports, PERMISSION);
    assert_text(&write, "write f81d4fae-7dec");

    // `admin` only as another client's role, or as a plain `roles` claim: not a role.
    let elsewhere = with(
        claims,
        json!({
            "realm_access": {"roles": ["offline_access"]},
            "resource_access": {"account": {"roles": ["admin"]}},
            "roles": ["admin"], "scope": "openid posts:read",
        }),
    );
    let [me, admin, _, write] = p.visit(elsewhere).await;
    assert_eq!(me.body["roles"], json!(["offline_access"]));
    assert_denied(&admin, ROLE);
    assert_denied(&write, SCOPE);
}

#[tokio::test]
async fn keycloak_client_roles_of_a_client_id_with_dots() {
    let client = "shop.example.com";
    let p = Setup::start(|p| p.audience(client).preset(Preset::keycloak(client))).await;
    let claims = with(
        p.idp.claims("u"),
        json!({"aud": client, "azp": client, "resource_access": {client: {"roles": ["admin"]}}}),
    );
    let [me, admin, ..] = p.visit(claims).await;
    assert_eq!(me.body["roles"], json!(["admin"]), "{:?}", me.body);
    assert_text(&admin, "admin u");
}

#[tokio::test]
async fn auth0_permissions_and_namespaced_roles() {
    const ROLES_CLAIM: &str = "https://example.com/roles";
    let key = Key::rsa("idp-1");
    let idp = Fixture::start(&[&key]).await;
    // Auth0's issuer ends with a slash; its discovery document names it so.
    let issuer = format!("{}/", idp.issuer);
    let mut document = idp.discovery_document();
    document["issuer"] = json!(issuer);
    idp.serve_discovery(Answer::json(&document));
    let provider = IdentityProvider::discover(&issuer)
        .audience(API)
        .allow_http_on_loopback()
        .preset(Preset::auth0(ROLES_CLAIM));
    let app = app(&idp, provider).await;
    let claims = with(
        claims_of(&issuer, "auth0|42"),
        json!({
            "aud": [API, format!("{issuer}userinfo")], "azp": "spa-client",
            "scope": "openid profile posts:write",
            "permissions": ["reports:read", "posts:write"],
            ROLES_CLAIM: ["admin"],
        }),
    );
    let token = key.token(&claims);
    let body = assert_user(&me_with(&app, &token).await, "auth0|42", &issuer);
    assert_eq!(body["permissions"], json!(["reports:read", "posts:write"]));
    assert_eq!(body["scopes"], json!(["openid", "profile", "posts:write"]));
    assert_text(&get_with(&app, "/reports", &token).await, "reports auth0|42");
    assert_text(&get_with(&app, "/write", &token).await, "write auth0|42");
    assert_eq!(
        body["roles"],
        json!(["admin"]),
        "the namespaced roles claim: {body:?}"
    );
    assert_text(&get_with(&app, "/admin", &token).await, "admin auth0|42");
}

#[tokio::test]
async fn auth0_roles_come_only_from_the_namespaced_claim() {
    let p = Setup::start(|p| p.preset(Preset::auth0("https://example.com/roles"))).await;
    // A plain `roles` claim and a permission-less token.
    let claims = with(
        p.idp.claims("auth0|7"),
        json!({"roles": ["admin"], "scope": "openid"}),
    );
    let [me, admin, reports, write] = p.visit(claims).await;
    assert_eq!(me.body["roles"], json!([]));
    assert_denied(&admin, ROLE);
    assert_denied(&reports, PERMISSION);
    assert_denied(&write, SCOPE);
}

#[tokio::test]
async fn entra_id_app_roles_and_delegated_scopes() {
    let p = Setup::start(|p| p.audience("api://my-api").preset(Preset::entra_id())).await;
    let tid = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    let claims = with(
        p.idp.claims("AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ"),
        json!({
            "aud": "api://my-api", "tid": tid, "oid": "00000000-0000-0000-66f3-3332eca7ea81",
            "azp": "spa-client", "ver": "2.0", "preferred_username": "ada@contoso.com",
            "roles": ["admin"], "scp": "posts:write User.Read",
        }),
    );
    let sub = "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ";
    let [me, admin, reports, write] = p.visit(claims.clone()).await;
    let body = assert_user(&me, sub, &p.idp.issuer);
    assert_eq!(body["name"], "ada@contoso.com");
    assert_eq!(body["scopes"], json!(["posts:write", "User.Read"]));
    assert_text(&admin, &format!("admin {sub}"));
    assert_denied(&reports, PERMISSION);
    assert_text(&write, &format!("write {sub}"));
    // `scp` without the scope: 403.
    let [_, _, _, write] = p.visit(with(claims, json!({"scp": "User.Read"}))).await;
    assert_denied(&write, SCOPE);
}

/// The preset says where the scopes are (`scp` for Entra ID), and the handler's
/// `user.scopes()` follows it; `scope = ...` must decide on the same scopes.
#[tokio::test]
async fn entra_id_scope_requirements_read_only_scp() {
    let p = Setup::start(|p| p.preset(Preset::entra_id())).await;
    let claims = with(
        p.idp.claims("u"),
        json!({"scp": "User.Read", "scope": "posts:write"}),
    );
    let [me, _, _, write] = p.visit(claims).await;
    assert_eq!(me.body["scopes"], json!(["User.Read"]));
    assert_denied(&write, SCOPE);
}

#[tokio::test]
async fn cognito_groups_client_id_and_token_use() {
    let p = Setup::start(|p| p.preset(Preset::cognito())).await;
    // A Cognito access token: no `aud`, the app client in `client_id`.
    let claims = with(
        p.idp.claims("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"),
        json!({
            "aud": null, "client_id": API, "token_use": "access", "version": 2,
            "username": "ada", "cognito:groups": ["admin", "staff"],
            "scope": "posts:write openid", "auth_time": crate::support::now(),
        }),
    );
    let sub = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    let [me, admin, reports, write] = p.visit(claims.clone()).await;
    let body = assert_user(&me, sub, &p.idp.issuer);
    assert_eq!(body["name"], "ada");
    assert_eq!(body["roles"], json!(["admin", "staff"]));
    assert_eq!(body["scopes"], json!(["posts:write", "openid"]));
    assert_text(&admin, &format!("admin {sub}"));
    assert_denied(&reports, PERMISSION);
    assert_text(&write, &format!("write {sub}"));

    let refused = |changes: Value| p.token(with(claims.clone(), changes));
    // An ID token of the same pool and client.
    for token_use in [json!("id"), json!(null), json!("ACCESS"), json!(["access"])] {
        let r = me_with(&p.app, &refused(json!({ "token_use": token_use }))).await;
        assert_refused(&r, NOT_PROVIDER_ACCESS);
    }
    // The ID token's shape: `aud` = the client, no `client_id`.
    let id_token = refused(json!({"client_id": null, "aud": API, "token_use": "id"}));
    assert_refused(&me_with(&p.app, &id_token).await, BAD_AUDIENCE);
    for client_id in [json!("other-client"), json!([API])] {
        let r = me_with(&p.app, &refused(json!({ "client_id": client_id }))).await;
        assert_refused(&r, BAD_AUDIENCE);
    }
}

#[tokio::test]
async fn google_email_as_name_and_no_roles() {
    let p = Setup::start(|p| p.preset(Preset::google())).await;
    let claims = with(
        p.idp.claims("110169484474386276334"),
        json!({
            "azp": "client.apps.googleusercontent.com", "email": "ada@gmail.com",
            "email_verified": true, "name": "Ada Lovelace", "scope": "openid email posts:write",
        }),
    );
    let sub = "110169484474386276334";
    let [me, admin, reports, write] = p.visit(claims).await;
    let body = assert_user(&me, sub, &p.idp.issuer);
    assert_eq!(body["name"], "ada@gmail.com");
    assert_eq!(body["scopes"], json!(["openid", "email", "posts:write"]));
    assert_text(&write, &format!("write {sub}"));
    // Google tokens carry no roles or permissions.
    assert_eq!((&body["roles"], &body["permissions"]), (&json!([]), &json!([])));
    assert_denied(&admin, ROLE);
    assert_denied(&reports, PERMISSION);
}

#[tokio::test]
async fn generic_roles_permissions_and_both_scope_claims() {
    let p = Setup::start(|p| p.preset(Preset::generic())).await;
    let claims = with(
        p.idp.claims("u"),
        json!({"roles": "admin staff", "permissions": ["reports:read"], "scp": ["posts:write"]}),
    );
    let [me, admin, reports, write] = p.visit(claims).await;
    assert_eq!(me.body["roles"], json!(["admin", "staff"]));
    assert_eq!(me.body["scopes"], json!(["posts:write"]));
    assert_text(&admin, "admin u");
    assert_text(&reports, "reports u");
    assert_text(&write, "write u");
    let [me, admin, reports, write] = p.visit(p.idp.claims("v")).await;
    assert_eq!(me.body["roles"], json!([]));
    assert_denied(&admin, ROLE);
    assert_denied(&reports, PERMISSION);
    assert_denied(&write, SCOPE);
}

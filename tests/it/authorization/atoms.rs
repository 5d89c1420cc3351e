//! The atoms of `#[require]`: `role` (by name and typed), `permission` (direct, granted,
//! wildcard), `scope` and `claim` of string, number and bool.

use super::*;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/role/admin", get(role_admin))
        .route("/role/moderator", get(role_moderator))
        .route("/perm/delete", get(perm_delete))
        .route("/perm/users", get(perm_users))
        .route("/scope", get(scoped))
        .route("/claim/tenant", get(claim_tenant))
        .route("/claim/level", get(claim_level))
        .route("/claim/beta", get(claim_beta))
        .route("/claim/signed", get(claim_signed))
        .route("/claim/raw", get(claim_raw))
        .route("/typed/admin", get(typed_admin))
        .route("/typed/staff", get(typed_staff))
        .route("/typed/by-name", get(typed_by_name))
        .route("/typed/not-user", get(typed_not_user))
}

/// A role enum: typed roles.
#[derive(Debug, Clone, Copy, PartialEq, portcullis::Role)]
pub(super) enum Role {
    Admin,
    Moderator,
    User,
}

/// Roles as a `Vec<Role>`: the enum declares the set.
#[derive(Debug, Clone, AuthUser)]
pub(super) struct TypedUser {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<Role>,
}

pub(super) fn typed_users() -> InMemoryUserStore<TypedUser> {
    let store = InMemoryUserStore::new();
    for (id, roles) in [
        (1, vec![Role::Admin]),
        (2, vec![Role::Moderator, Role::User]),
        (3, vec![Role::User]),
        (4, vec![]),
    ] {
        store.insert(TypedUser { id, roles });
    }
    store
}

fn typed_who(user: &TypedUser) -> Json<Value> {
    Json(json!({"user": user.id}))
}

#[auth(jwt, api_key, basic)]
#[require(role = "admin")]
async fn role_admin(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt)]
#[require(role = "moderator")]
async fn role_moderator(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt)]
#[require(permission = "posts:delete")]
async fn perm_delete(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt, api_key)]
#[require(permission = "users:read")]
async fn perm_users(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt, api_key, basic)]
#[require(scope = "posts:read")]
async fn scoped(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt, api_key)]
#[require(claim(tenant = "acme"))]
async fn claim_tenant(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt)]
#[require(claim(level = 3))]
async fn claim_level(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt)]
#[require(claim(beta = true))]
async fn claim_beta(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt)]
#[require(claim(balance = -5) || claim(ratio = 0.5))]
async fn claim_signed(user: Member) -> Json<Value> {
    who(&user)
}

/// A claim whose name is a Rust keyword, written as a raw identifier.
#[auth(jwt)]
#[require(claim(r#type = "staff"))]
async fn claim_raw(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt)]
#[require(role = Role::Admin)]
async fn typed_admin(user: TypedUser) -> Json<Value> {
    typed_who(&user)
}

#[auth(jwt)]
#[require(role = Role::Admin || role = Role::Moderator)]
async fn typed_staff(user: TypedUser) -> Json<Value> {
    typed_who(&user)
}

#[auth(jwt)]
#[require(role = "moderator")]
async fn typed_by_name(user: TypedUser) -> Json<Value> {
    typed_who(&user)
}

#[auth(jwt)]
#[require(!role = Role::User)]
async fn typed_not_user(user: TypedUser) -> Json<Value> {
    typed_who(&user)
}

// ------------------------------------------------------------------------------------------------
// Atoms: roles, permissions, scopes, claims

#[tokio::test]
async fn role_string_declared() {
    let app = app();
    assert_let_in(&get_as(&app, "/role/admin", ADA).await, ADA);
    assert_let_in(&get_as(&app, "/role/admin", ABE).await, ABE);
    assert_denied(&get_as(&app, "/role/admin", MIA).await, r#"role = "admin""#);
    assert_denied(&get_as(&app, "/role/admin", REX).await, r#"role = "admin""#);

    assert_let_in(&get_as(&app, "/role/moderator", MIA).await, MIA);
    // Roles are not a hierarchy: an admin is not a moderator unless granted the role.
    assert_denied(
        &get_as(&app, "/role/moderator", ADA).await,
        r#"role = "moderator""#,
    );
    assert_denied(
        &get_as(&app, "/role/moderator", ULF).await,
        r#"role = "moderator""#,
    );
}

#[tokio::test]
async fn role_typed_enum() {
    let app = app();
    assert_let_in(&get_as(&app, "/typed/admin", 1).await, 1);
    assert_denied(&get_as(&app, "/typed/admin", 2).await, "role = Role::Admin");
    assert_denied(&get_as(&app, "/typed/admin", 4).await, "role = Role::Admin");

    assert_let_in(&get_as(&app, "/typed/staff", 1).await, 1);
    assert_let_in(&get_as(&app, "/typed/staff", 2).await, 2);
    assert_denied(
        &get_as(&app, "/typed/staff", 3).await,
        "role = Role::Admin || role = Role::Moderator",
    );

    // A string role on a typed user is checked against the enum's snake_case names.
    assert_let_in(&get_as(&app, "/typed/by-name", 2).await, 2);
    assert_denied(&get_as(&app, "/typed/by-name", 1).await, r#"role = "moderator""#);

    assert_let_in(&get_as(&app, "/typed/not-user", 1).await, 1);
    assert_let_in(&get_as(&app, "/typed/not-user", 4).await, 4);
    assert_denied(&get_as(&app, "/typed/not-user", 2).await, "!role = Role::User");
}

#[tokio::test]
async fn permission_direct_granted_and_wildcard() {
    let app = app();
    // Granted by the moderator role.
    assert_let_in(&get_as(&app, "/perm/delete", MIA).await, MIA);
    // Granted by admin("*").
    assert_let_in(&get_as(&app, "/perm/delete", ADA).await, ADA);
    // The user role grants read and write only.
    assert_denied(
        &get_as(&app, "/perm/delete", ULF).await,
        r#"permission = "posts:delete""#,
    );
    // A direct permission is not a wildcard.
    assert_denied(
        &get_as(&app, "/perm/delete", REX).await,
        r#"permission = "posts:delete""#,
    );

    // Held directly, without any role.
    assert_let_in(&get_as(&app, "/perm/users", REX).await, REX);
    assert_let_in(&get_as(&app, "/perm/users", MIA).await, MIA);
    assert_let_in(&get_as(&app, "/perm/users", ADA).await, ADA);
    assert_denied(
        &get_as(&app, "/perm/users", ULF).await,
        r#"permission = "users:read""#,
    );
    // By API key: same decision, no challenge.
    assert_let_in(&send(&app, with_api_key("/perm/users", ADA_KEY)).await, ADA);
    assert_denied_without_challenge(
        &send(&app, with_api_key("/perm/users", ULF_KEY)).await,
        r#"permission = "users:read""#,
    );
}

#[tokio::test]
async fn scope_from_the_token() {
    let app = app();
    let token = jwt_with(ULF, json!({"scope": "profile posts:read"}));
    assert_let_in(&send(&app, bearer("/scope", &token)).await, ULF);
    let token = jwt_with(ULF, json!({"scp": ["posts:read"]}));
    assert_let_in(&send(&app, bearer("/scope", &token)).await, ULF);

    // Absent, other scopes, or a mere prefix: denied.
    assert_denied(&get_as(&app, "/scope", ADA).await, r#"scope = "posts:read""#);
    let token = jwt_with(ADA, json!({"scope": "posts:write"}));
    assert_denied(
        &send(&app, bearer("/scope", &token)).await,
        r#"scope = "posts:read""#,
    );
    let token = jwt_with(ADA, json!({"scope": "posts:readonly"}));
    assert_denied(
        &send(&app, bearer("/scope", &token)).await,
        r#"scope = "posts:read""#,
    );

    // API keys and Basic carry no token, so no scope: even an admin is refused.
    assert_denied_without_challenge(
        &send(&app, with_api_key("/scope", ADA_KEY)).await,
        r#"scope = "posts:read""#,
    );
    assert_denied_without_challenge(
        &send(&app, with_basic("/scope", "ada", PASSWORD)).await,
        r#"scope = "posts:read""#,
    );
}

#[tokio::test]
async fn claim_string_number_and_bool() {
    let app = app();
    let with = |claims: Value| bearer("/claim/tenant", &jwt_with(ULF, claims));
    assert_let_in(&send(&app, with(json!({"tenant": "acme"}))).await, ULF);
    for other in [
        json!({"tenant": "acme-corp"}),
        json!({"tenant": "ACME"}),
        json!({}),
    ] {
        assert_denied(&send(&app, with(other)).await, r#"claim(tenant = "acme")"#);
    }
    // No token, no claims.
    assert_denied_without_challenge(
        &send(&app, with_api_key("/claim/tenant", ADA_KEY)).await,
        r#"claim(tenant = "acme")"#,
    );

    let with = |claims: Value| bearer("/claim/level", &jwt_with(ULF, claims));
    assert_let_in(&send(&app, with(json!({"level": 3}))).await, ULF);
    for other in [json!({"level": 4}), json!({"level": "3"}), json!({})] {
        assert_denied(&send(&app, with(other)).await, "claim(level = 3)");
    }

    let with = |claims: Value| bearer("/claim/beta", &jwt_with(ULF, claims));
    assert_let_in(&send(&app, with(json!({"beta": true}))).await, ULF);
    for other in [
        json!({"beta": false}),
        json!({"beta": "true"}),
        json!({"beta": 1}),
        json!({}),
    ] {
        assert_denied(&send(&app, with(other)).await, "claim(beta = true)");
    }
}

#[tokio::test]
async fn claim_negative_and_float_literals() {
    let app = app();
    let with = |claims: Value| bearer("/claim/signed", &jwt_with(ULF, claims));
    assert_let_in(&send(&app, with(json!({"balance": -5}))).await, ULF);
    assert_let_in(&send(&app, with(json!({"ratio": 0.5}))).await, ULF);
    for other in [json!({"balance": 5}), json!({"ratio": 0.25}), json!({})] {
        assert_denied(
            &send(&app, with(other)).await,
            "claim(balance = -5) || claim(ratio = 0.5)",
        );
    }
}

/// Bug: the claim name is taken from `Ident::to_string()`, which keeps the `r#` prefix of a raw
/// identifier, so `claim(r#type = "staff")` looks up a claim literally named `r#type` and never
/// matches the `type` claim (and the only way to name a keyword claim is a raw identifier).
#[tokio::test]
async fn claim_named_by_a_raw_identifier() {
    let app = app();
    let r = send(
        &app,
        bearer("/claim/raw", &jwt_with(ULF, json!({"type": "staff"}))),
    )
    .await;
    assert_let_in(&r, ULF);
}

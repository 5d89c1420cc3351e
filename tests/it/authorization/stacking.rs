//! `#[permissions(...)]`, with `#[require]`, and the attributes stacked in any order.

use super::*;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/perms/all", get(perms_all))
        .route("/perms/any", get(perms_any))
        .route("/perms/and-require", get(perms_and_require))
        .route("/stack/auth-require", get(stack_auth_require))
        .route("/stack/require-auth", get(stack_require_auth))
        .route(
            "/stack/permissions-require-auth",
            get(stack_permissions_require_auth),
        )
        .route(
            "/stack/auth-permissions-require",
            get(stack_auth_permissions_require),
        )
}

#[auth(jwt)]
#[permissions("posts:write", "users:read")]
async fn perms_all(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt)]
#[permissions(any("posts:delete", "users:read"))]
async fn perms_any(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt)]
#[require(verified_email)]
#[permissions("posts:write")]
async fn perms_and_require(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt)]
#[require(role = "moderator")]
async fn stack_auth_require(user: Member) -> Json<Value> {
    who(&user)
}

#[require(role = "moderator")]
#[auth(jwt)]
async fn stack_require_auth(user: Member) -> Json<Value> {
    who(&user)
}

#[permissions("posts:delete")]
#[require(role = "moderator")]
#[auth(jwt)]
async fn stack_permissions_require_auth(user: Member) -> Json<Value> {
    who(&user)
}

#[auth(jwt)]
#[permissions("posts:delete")]
#[require(role = "moderator")]
async fn stack_auth_permissions_require(user: Member) -> Json<Value> {
    who(&user)
}

// ------------------------------------------------------------------------------------------------
// #[permissions]

#[tokio::test]
async fn permissions_all_listed() {
    let app = app();
    assert_let_in(&get_as(&app, "/perms/all", MIA).await, MIA);
    assert_let_in(&get_as(&app, "/perms/all", ADA).await, ADA);
    assert_denied(
        &get_as(&app, "/perms/all", ULF).await,
        r#"permission = "users:read""#,
    );
    assert_denied(
        &get_as(&app, "/perms/all", REX).await,
        r#"permission = "posts:write""#,
    );
}

#[tokio::test]
async fn permissions_any_of() {
    let app = app();
    assert_let_in(&get_as(&app, "/perms/any", REX).await, REX);
    assert_let_in(&get_as(&app, "/perms/any", MIA).await, MIA);
    assert_let_in(&get_as(&app, "/perms/any", ADA).await, ADA);
    assert_denied(
        &get_as(&app, "/perms/any", ULF).await,
        r#"permission = "posts:delete" || permission = "users:read""#,
    );
}

#[tokio::test]
async fn require_and_permissions_must_both_hold() {
    let app = app();
    assert_let_in(&get_as(&app, "/perms/and-require", UMA).await, UMA);
    // Has posts:write, not verified.
    assert_denied(&get_as(&app, "/perms/and-require", ULF).await, "verified_email");
    // Verified, no posts:write.
    assert_denied(
        &get_as(&app, "/perms/and-require", REX).await,
        r#"permission = "posts:write""#,
    );
}

#[tokio::test]
async fn attribute_order_does_not_matter() {
    let app = app();
    let routes = [
        "/stack/auth-require",
        "/stack/require-auth",
        "/stack/permissions-require-auth",
        "/stack/auth-permissions-require",
    ];
    for route in routes {
        assert_unauthenticated(&send(&app, anonymous(route)).await);
        assert_let_in(&get_as(&app, route, MIA).await, MIA);
        // Holds posts:delete (by "*") but is no moderator: the role is named everywhere.
        assert_denied(&get_as(&app, route, ADA).await, r#"role = "moderator""#);
        let r = send(&app, bearer(route, &expired(MIA))).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{route}");
        assert_eq!(r.body["error"], "invalid_token", "{route}");
    }
    // Without either: the first unmet part in the handler's attribute order.
    assert_denied(&get_as(&app, routes[0], ULF).await, r#"role = "moderator""#);
    assert_denied(&get_as(&app, routes[1], ULF).await, r#"role = "moderator""#);
    assert_denied(
        &get_as(&app, routes[2], ULF).await,
        r#"permission = "posts:delete""#,
    );
    assert_denied(
        &get_as(&app, routes[3], ULF).await,
        r#"permission = "posts:delete""#,
    );
}

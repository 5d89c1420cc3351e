//! `POST /users/{id}/change_username` by the owner or an admin.

use super::*;

// ---------------------------------------------------------------------------------------------
// POST /users/{id}/change_username
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_owner_changes_their_user_name() {
    let w = world();
    let t = tokens(&w.app, "bob", BOB_PASSWORD).await;
    let r = rename(&w.app, &t.access, "2", "robert").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.headers[CONTENT_TYPE], "application/json");
    assert_eq!(r.body, json!({"id": 2, "username": "robert"}));
    assert_eq!(w.db.user(2).unwrap().name, "robert");

    // The token names the id: it still works and shows the new name.
    let r = me(&w.app, &t.access).await;
    assert_eq!(r.body, me_body(2, "robert", &["user"], "jwt"));
    // Login works under the new name only.
    assert_token_pair(&login(&w.app, "robert", BOB_PASSWORD).await);
    expect_error(
        &login(&w.app, "bob", BOB_PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    );
    // The old name is free again.
    let r = send(
        &w.app,
        post_json(
            "/auth/register",
            &registration("bob", "other-bob@example.com", "new-bob-password"),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
}

#[tokio::test]
async fn change_username_refusals() {
    let w = world();
    let bob = tokens(&w.app, "bob", BOB_PASSWORD).await;

    // The current name: 400.
    let r = rename(&w.app, &bob.access, "2", "bob").await;
    assert_invalid_input(&r);
    // Taken by carol: 409.
    let r = rename(&w.app, &bob.access, "2", "carol").await;
    expect_error(&r, StatusCode::CONFLICT, "conflict");
    // Invalid names: 400.
    for name in ["ab", "has space", "x/y", "", &"n".repeat(33)] {
        assert_invalid_input(&rename(&w.app, &bob.access, "2", name).await);
    }
    // Malformed bodies: 400.
    let r = send(
        &w.app,
        post_json_bearer("/users/2/change_username", &bob.access, &json!({})),
    )
    .await;
    assert_invalid_input(&r);
    let r = send(
        &w.app,
        post_json_bearer("/users/2/change_username", &bob.access, &json!({"username": 7})),
    )
    .await;
    assert_invalid_input(&r);

    // Another user's id: 403 forbidden, with the RFC 6750 challenge.
    let r = rename(&w.app, &bob.access, "3", "caroline").await;
    expect_error(&r, StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(
        r.challenges(),
        ["Bearer realm=\"api\", error=\"insufficient_scope\""]
    );
    let r = rename(&w.app, &bob.access, "1", "root").await;
    expect_error(&r, StatusCode::FORBIDDEN, "forbidden");

    // Unknown ids: 404, for a non-admin too (404 before 403).
    for id in ["99", "0", "-1", "abc", "9223372036854775808"] {
        let r = rename(&w.app, &bob.access, id, "robert").await;
        expect_error(&r, StatusCode::NOT_FOUND, "not_found");
        assert!(r.challenges().is_empty(), "{id}: {:?}", r.challenges());
    }

    // Nothing changed.
    let names: Vec<String> = w.db.table().users.iter().map(|u| u.name.clone()).collect();
    assert_eq!(names, ["alice", "bob", "carol"]);

    // Without a bearer token: 401 (Basic and API keys are not accepted).
    let r = send(
        &w.app,
        post_json("/users/2/change_username", &json!({"username": "robert"})),
    )
    .await;
    assert_bearer_required(&r);
    let r = send(
        &w.app,
        Request::post("/users/2/change_username")
            .header(CONTENT_TYPE, "application/json")
            .header("x-api-key", BOB_KEY)
            .body(Body::from(json!({"username": "robert"}).to_string()))
            .unwrap(),
    )
    .await;
    assert_bearer_required(&r);
}

#[tokio::test]
async fn an_admin_renames_someone_else() {
    let w = world();
    let alice = tokens(&w.app, "alice", ALICE_PASSWORD).await;
    let r = rename(&w.app, &alice.access, "3", "caroline").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body, json!({"id": 3, "username": "caroline"}));
    assert_eq!(w.db.user(3).unwrap().name, "caroline");
    assert_token_pair(&login(&w.app, "caroline", CAROL_PASSWORD).await);

    // The admin gets the same answers otherwise.
    expect_error(
        &rename(&w.app, &alice.access, "99", "ghost").await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    expect_error(
        &rename(&w.app, &alice.access, "3", "bob").await,
        StatusCode::CONFLICT,
        "conflict",
    );
    assert_invalid_input(&rename(&w.app, &alice.access, "3", "caroline").await);
    assert_invalid_input(&rename(&w.app, &alice.access, "3", "no way").await);
}

#[tokio::test]
async fn the_admin_role_is_configurable() {
    let w = world_with(|r| r.admin_role("user"), |b| b);
    // bob has the role "user", which is now the renaming role; alice (admin) is not.
    let bob = tokens(&w.app, "bob", BOB_PASSWORD).await;
    let r = rename(&w.app, &bob.access, "3", "caroline").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let alice = tokens(&w.app, "alice", ALICE_PASSWORD).await;
    let r = rename(&w.app, &alice.access, "2", "robert").await;
    expect_error(&r, StatusCode::FORBIDDEN, "forbidden");
}

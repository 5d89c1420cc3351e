//! Row groups of the application's access rules: API keys, `/admin/users` and `/users`.

use crate::client::{Request, Response};
use crate::suite::*;

/// `POST /api-keys` and `DELETE /api-keys/{id}`.
pub fn api_key_rows(t: &Suite<'_>, alice: &Account, bob: &Account, carol: &Account) {
    let (bob_key_id, bob_key) = t.create_api_key(
        Request::post("/api-keys").bearer(&bob.access),
        "bob creates a key (jwt)",
    );
    let body = t.me(
        Request::get("/me").api_key(&bob_key),
        "api_key",
        "bob's new key as X-API-Key",
    );
    assert_eq!(body["username"], bob.name, "{body}");
    let body = t.me(
        Request::get(&format!("/me?api_key={bob_key}")),
        "api_key",
        "bob's key as ?api_key=",
    );
    assert_eq!(body["username"], bob.name, "{body}");

    let session = t.session(&carol.name, &carol.password);
    t.send(Request::post("/api-keys").cookie(&session.cookie))
        .expect_error(
            403,
            "csrf_rejected",
            &t.at("POST /api-keys over a session without X-CSRF-Token"),
        );
    let (carol_key_id, carol_key) = t.create_api_key(
        Request::post("/api-keys")
            .cookie(&session.cookie)
            .csrf(&session.csrf),
        "carol creates a key (session)",
    );
    assert_ne!(carol_key_id, bob_key_id);
    let body = t.me(Request::get("/me").api_key(&carol_key), "api_key", "carol's key");
    assert_eq!(body["username"], carol.name, "{body}");

    t.send(Request::post("/api-keys")).expect_error(
        401,
        "missing_credentials",
        &t.at("POST /api-keys anonymously"),
    );
    t.send(Request::post("/api-keys").api_key(&bob_key))
        .expect(401, &t.at("POST /api-keys with an API key (jwt, session only)"));
    t.send(Request::post("/api-keys").basic(&bob.name, &bob.password))
        .expect(401, &t.at("POST /api-keys with Basic (jwt, session only)"));

    // DELETE: another user's key (even the admin's attempt) 403; unknown 404.
    assert_insufficient_scope(
        &t.send(Request::delete(&format!("/api-keys/{bob_key_id}")).bearer(&carol.access)),
        &t.at("carol deletes bob's key"),
    );
    assert_insufficient_scope(
        &t.send(Request::delete(&format!("/api-keys/{bob_key_id}")).bearer(&alice.access)),
        &t.at("alice (admin) deletes bob's key: owner only"),
    );
    t.send(Request::delete(&format!("/api-keys/{MISSING_ID}")).bearer(&bob.access))
        .expect_error(404, "not_found", &t.at("delete an unknown key"));
    t.send(Request::delete(&format!("/api-keys/{bob_key_id}")).api_key(&bob_key))
        .expect(401, &t.at("delete a key with the key itself (jwt only)"));
    t.send(Request::delete(&format!("/api-keys/{bob_key_id}")))
        .expect_error(401, "missing_credentials", &t.at("delete a key anonymously"));
    let bob_session = t.session(&bob.name, &bob.password);
    t.send(
        Request::delete(&format!("/api-keys/{bob_key_id}"))
            .cookie(&bob_session.cookie)
            .csrf(&bob_session.csrf),
    )
    .expect(401, &t.at("delete a key over the owner's session (jwt only)"));
    // Still working after the refused attempts.
    t.me(
        Request::get("/me").api_key(&bob_key),
        "api_key",
        "bob's key after refused deletes",
    );

    let what = t.at("bob deletes his key");
    let response = t.send(Request::delete(&format!("/api-keys/{bob_key_id}")).bearer(&bob.access));
    response.expect(204, &what);
    assert!(response.body.is_empty(), "{what}: no body");
    t.send(Request::get("/me").api_key(&bob_key)).expect_error(
        401,
        "invalid_credentials",
        &t.at("the deleted key as X-API-Key"),
    );
    t.send(Request::get(&format!("/me?api_key={bob_key}")))
        .expect_error(401, "invalid_credentials", &t.at("the deleted key as ?api_key="));
    t.send(Request::delete(&format!("/api-keys/{bob_key_id}")).bearer(&bob.access))
        .expect_error(404, "not_found", &t.at("delete the deleted key again"));
    // Carol's key is untouched.
    t.me(
        Request::get("/me").api_key(&carol_key),
        "api_key",
        "carol's key after bob's delete",
    );
}

/// `GET /admin/users` (jwt, role admin) and `GET /users` (jwt, api_key; `users:read`).
pub fn admin_and_users_rows(t: &Suite<'_>, alice: &Account, bob: &Account, carol: &Account) {
    let check_list = |response: &Response, what: &str| {
        response.expect(200, what);
        let users = response.json();
        let users = users
            .as_array()
            .unwrap_or_else(|| panic!("{what}: a list: {users}"));
        for name in ["alice", "bob", "carol"] {
            assert!(
                users.iter().any(|u| u["username"] == name),
                "{what}: {name} listed: {users:?}"
            );
        }
        for user in users {
            assert!(
                user.get("password_hash").is_none() && !user.to_string().contains("$argon2"),
                "{what}: no password hashes in the list: {user}"
            );
        }
    };
    check_list(
        &t.send(Request::get("/admin/users").bearer(&alice.access)),
        &t.at("alice GET /admin/users"),
    );
    assert_insufficient_scope(
        &t.send(Request::get("/admin/users").bearer(&bob.access)),
        &t.at("bob GET /admin/users"),
    );
    assert_insufficient_scope(
        &t.send(Request::get("/admin/users").bearer(&carol.access)),
        &t.at("carol (moderator) GET /admin/users"),
    );
    t.send(Request::get("/admin/users")).expect_error(
        401,
        "missing_credentials",
        &t.at("GET /admin/users anonymously"),
    );
    let (_, alice_key) = t.create_api_key(Request::post("/api-keys").bearer(&alice.access), "alice's key");
    t.send(Request::get("/admin/users").api_key(&alice_key))
        .expect(401, &t.at("GET /admin/users with alice's API key (jwt only)"));
    t.send(Request::get("/users").basic(&carol.name, &carol.password))
        .expect(401, &t.at("GET /users with Basic (jwt, api_key only)"));

    check_list(
        &t.send(Request::get("/users").bearer(&carol.access)),
        &t.at("carol GET /users (jwt)"),
    );
    check_list(
        &t.send(Request::get("/users").bearer(&alice.access)),
        &t.at("alice GET /users (jwt)"),
    );
    let (_, carol_key) = t.create_api_key(Request::post("/api-keys").bearer(&carol.access), "carol's key");
    check_list(
        &t.send(Request::get("/users").api_key(&carol_key)),
        &t.at("carol GET /users (api_key)"),
    );
    check_list(
        &t.send(Request::get(&format!("/users?api_key={carol_key}"))),
        &t.at("carol GET /users (?api_key=)"),
    );
    assert_insufficient_scope(
        &t.send(Request::get("/users").bearer(&bob.access)),
        &t.at("bob GET /users"),
    );
    let (_, bob_key) = t.create_api_key(Request::post("/api-keys").bearer(&bob.access), "bob's key");
    t.send(Request::get("/users").api_key(&bob_key)).expect_error(
        403,
        "forbidden",
        &t.at("bob GET /users (api_key)"),
    );
    let session = t.session(&carol.name, &carol.password);
    t.send(Request::get("/users").cookie(&session.cookie))
        .expect_error(
            401,
            "missing_credentials",
            &t.at("GET /users with a session (jwt, api_key only)"),
        );
    t.send(Request::get("/users"))
        .expect_error(401, "missing_credentials", &t.at("GET /users anonymously"));
}

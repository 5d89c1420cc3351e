//! `POST /auth/register`.

use super::*;

// ---------------------------------------------------------------------------------------------
// POST /auth/register
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn register_creates_the_account_and_its_password_logs_in() {
    let w = world();
    let r = send(
        &w.app,
        post_json(
            "/auth/register",
            &registration("dave", "dave@example.com", "twelve-chars"),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.headers[CONTENT_TYPE], "application/json");
    assert_eq!(r.body, json!({"id": 4, "username": "dave"}));

    // The registrar got an argon2id hash, never the password.
    let dave = w.db.user(4).expect("dave was stored");
    assert_eq!(dave.email, "dave@example.com");
    assert!(!dave.confirmed);
    let hash = dave.password_hash.as_deref().unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains("twelve-chars"));

    // The new password logs in (exactly 12 characters: the minimum is accepted).
    let r = login(&w.app, "dave", "twelve-chars").await;
    assert_token_pair(&r);
    let t = tokens_of(&r);
    let r = me(&w.app, &t.access).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body, me_body(4, "dave", &["user"], "jwt"));
    // A wrong one does not.
    expect_error(
        &login(&w.app, "dave", "twelve-charz").await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    );
}

#[tokio::test]
async fn register_refuses_invalid_input_with_400_before_reaching_the_registrar() {
    let w = world();
    let long_password = "x".repeat(1025);
    let long_name = "n".repeat(33);
    let invalid = [
        // Passwords: 12 to 1024 characters.
        registration("dave", "dave@example.com", "short-pw-11"),
        registration("dave", "dave@example.com", ""),
        registration("dave", "dave@example.com", &long_password),
        // E-mail addresses.
        registration("dave", "not-an-email", "dave-password"),
        registration("dave", "dave@localhost", "dave-password"),
        registration("dave", "@example.com", "dave-password"),
        registration("dave", "dave@example..com", "dave-password"),
        registration("dave", "da ve@example.com", "dave-password"),
        registration("dave", "dave@a@example.com", "dave-password"),
        registration("dave", "", "dave-password"),
        // User names: 3 to 32 of letters, digits, '_', '.', '-'.
        registration("da", "dave@example.com", "dave-password"),
        registration(&long_name, "dave@example.com", "dave-password"),
        registration("da ve", "dave@example.com", "dave-password"),
        registration("dave:x", "dave@example.com", "dave-password"),
        registration("dävé", "dave@example.com", "dave-password"),
        registration("", "dave@example.com", "dave-password"),
        // Missing fields and wrong types.
        json!({"username": "dave", "email": "dave@example.com"}),
        json!({"username": "dave", "password": "dave-password"}),
        json!({"email": "dave@example.com", "password": "dave-password"}),
        json!({"username": 4, "email": "dave@example.com", "password": "dave-password"}),
        json!(null),
    ];
    for body in &invalid {
        let r = send(&w.app, post_json("/auth/register", body)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {:?}", r.body);
        assert_invalid_input(&r);
    }
    // Malformed JSON, an empty body, another content type.
    for (content_type, body) in [
        ("application/json", "{\"username\": \"dave\","),
        ("application/json", ""),
        ("application/json", "not json"),
        (
            "text/plain",
            "{\"username\":\"dave\",\"email\":\"dave@example.com\",\"password\":\"dave-password\"}",
        ),
    ] {
        let r = send(&w.app, post_raw("/auth/register", content_type, body)).await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "{content_type} {body:?}: {:?}",
            r.body
        );
        assert_invalid_input(&r);
    }
    // The messages say what was wrong.
    let r = send(
        &w.app,
        post_json(
            "/auth/register",
            &registration("dave", "dave@example.com", "short-pw-11"),
        ),
    )
    .await;
    assert!(r.body["message"].as_str().unwrap().contains("12"), "{:?}", r.body);
    let r = send(
        &w.app,
        post_json("/auth/register", &registration("dave", "nope", "dave-password")),
    )
    .await;
    assert!(
        r.body["message"].as_str().unwrap().contains("e-mail"),
        "{:?}",
        r.body
    );

    assert_eq!(w.db.table().register_calls, 0);
    assert_eq!(w.db.table().users.len(), 3);
    expect_error(
        &login(&w.app, "dave", "dave-password").await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    );
}

#[tokio::test]
async fn register_answers_409_when_the_name_or_the_address_is_taken() {
    let w = world();
    for body in [
        registration("bob", "new-bob@example.com", "another-password"),
        registration("bobby", "bob@example.com", "another-password"),
    ] {
        let r = send(&w.app, post_json("/auth/register", &body)).await;
        expect_error(&r, StatusCode::CONFLICT, "conflict");
        assert!(r.challenges().is_empty());
    }
    assert_eq!(w.db.table().users.len(), 3);
    // Bob's password is unchanged.
    assert_token_pair(&login(&w.app, "bob", BOB_PASSWORD).await);

    // Registering twice: the second one conflicts.
    let dave = registration("dave", "dave@example.com", "dave-password");
    let r = send(&w.app, post_json("/auth/register", &dave)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let r = send(&w.app, post_json("/auth/register", &dave)).await;
    expect_error(&r, StatusCode::CONFLICT, "conflict");
}

#[tokio::test]
async fn register_answers_503_when_the_registrar_fails() {
    let w = world();
    w.database.fail_all();
    let r = send(
        &w.app,
        post_json(
            "/auth/register",
            &registration("dave", "dave@example.com", "dave-password"),
        ),
    )
    .await;
    assert_unavailable(&r);
    w.database.heal();
    assert!(w.db.table().users.iter().all(|u| u.name != "dave"));
}

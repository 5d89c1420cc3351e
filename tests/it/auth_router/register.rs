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

fn registration_from(address: &str, n: usize) -> Request<Body> {
    let mut request = post_json(
        "/auth/register",
        &registration(
            &format!("user{n}"),
            &format!("user{n}@example.com"),
            "long-enough-password",
        ),
    );
    request
        .extensions_mut()
        .insert(portcullis::ClientAddr(address.parse().unwrap()));
    request
}

/// Issue 14: registration is throttled per address (before any hashing), and the
/// hashing itself runs under a concurrency bound that answers 503 + `Retry-After`.
#[tokio::test]
async fn registrations_are_throttled_per_address() {
    let w = world_with(
        |r| r,
        |b| b.throttle(portcullis::ThrottleConfig::new().max_registrations_per_address(3)),
    );
    for n in 0..3 {
        let r = send(&w.app, registration_from("203.0.113.5", n)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    }
    let r = send(&w.app, registration_from("203.0.113.5", 3)).await;
    expect_error(&r, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    assert!(r.header("retry-after").parse::<u64>().unwrap() > 0);
    let r = send(&w.app, registration_from("2001:db8::1", 4)).await;
    assert_eq!(r.status, StatusCode::CREATED, "another address: {:?}", r.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_registration_flood_gets_503_past_the_hashing_bound() {
    let w = world_with(
        |r| r,
        |b| b.throttle(portcullis::ThrottleConfig::new().concurrent_password_hashes(1)),
    );
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..24 {
        let app = w.app.clone();
        tasks.spawn(async move { send(&app, registration_from(&format!("198.51.100.{n}"), n)).await });
    }
    let (mut created, mut unavailable) = (0, 0);
    while let Some(r) = tasks.join_next().await {
        let r = r.unwrap();
        match r.status {
            StatusCode::CREATED => created += 1,
            StatusCode::SERVICE_UNAVAILABLE => {
                assert_eq!(r.header("retry-after"), "1");
                unavailable += 1;
            }
            other => panic!("{other}: {:?}", r.body),
        }
    }
    // One hash at a time, four waiting: most of the flood is refused at once.
    assert!(
        created >= 1 && unavailable >= 1,
        "{created} created, {unavailable} refused"
    );
    assert_eq!(created + unavailable, 24);
}

//! `POST /auth/password`, `POST /auth/password/reset`, `POST /auth/password/reset/{token}`
//! and the upgrade of legacy hashes on login. The scenarios shared with Redis
//! (`tests/support/password_suite.rs`) run here on the in-memory stores; the cases below
//! are the ones whose state is the application's (its table, its mailer) or the input.

use std::time::Duration;

use portcullis::{MailTemplate, MailTemplates};

use super::*;
use crate::support::password_suite::{self, change, change_by_token, change_in_session, session_of};

const NEW: &str = "bob-new-password-2";

macro_rules! in_memory {
    ($($name:ident),+ $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                password_suite::$name(|b| b).await;
            }
        )+
    };
}

in_memory![
    change_by_token_ends_every_other_credential,
    change_in_session_renews_the_session,
    reset_link_sets_the_password_once,
    expired_or_unknown_reset_links_are_refused,
];

async fn change_password(app: &Router, token: &str, current: &str, new: &str) -> Reply {
    send(app, change_by_token(token, &change(current, new))).await
}

async fn request_reset(app: &Router, email: &str) -> Reply {
    send(app, post_json("/auth/password/reset", &json!({"email": email}))).await
}

async fn reset(app: &Router, token: &str, password: &str) -> Reply {
    let body = json!({"new_password": password});
    send(app, post_json(&format!("/auth/password/reset/{token}"), &body)).await
}

// ---------------------------------------------------------------------------------------------
// POST /auth/password
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_weak_new_password_is_400_and_changes_nothing() {
    let w = world();
    let t = tokens(&w.app, "bob", BOB_PASSWORD).await;
    for weak in ["short", &"x".repeat(1025)] {
        let r = change_password(&w.app, &t.access, BOB_PASSWORD, weak).await;
        assert_invalid_input(&r);
        assert_eq!(r.body["message"], "the password needs 12 to 1024 characters");
    }
    assert_eq!(w.db.user(2).unwrap().password_hash, Some(hash_of(BOB_PASSWORD)));
    assert_eq!(me(&w.app, &t.access).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_wrong_current_password_is_401_and_counts_toward_the_lock_out() {
    let w = world();
    let t = tokens(&w.app, "bob", BOB_PASSWORD).await;
    // The lock-out allows 5 failures per user name and address.
    for _ in 0..5 {
        let r = change_password(&w.app, &t.access, "not-bobs-password", NEW).await;
        expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
        assert_eq!(r.body["message"], "the current password is wrong");
    }
    // The sixth attempt is refused before the password is looked at, also the right one,
    // and so is a login.
    let r = change_password(&w.app, &t.access, BOB_PASSWORD, NEW).await;
    assert_throttled(&r, 15 * 60);
    assert_throttled(&login(&w.app, "bob", BOB_PASSWORD).await, 15 * 60);
    assert_eq!(w.db.user(2).unwrap().password_hash, Some(hash_of(BOB_PASSWORD)));
    // The token was not revoked by the failures.
    assert_eq!(me(&w.app, &t.access).await.status, StatusCode::OK);
}

#[tokio::test]
async fn password_change_needs_credentials_and_the_csrf_token() {
    let w = world();
    let r = send(&w.app, post_json("/auth/password", &change(BOB_PASSWORD, NEW))).await;
    expect_error(&r, StatusCode::UNAUTHORIZED, "missing_credentials");
    // A session without its CSRF token: 403, and nothing changes.
    let (_, session) = session_login(&w.app, "bob", BOB_PASSWORD).await;
    let r = send(
        &w.app,
        change_in_session(&session.cookie, "wrong", &change(BOB_PASSWORD, NEW)),
    )
    .await;
    expect_error(&r, StatusCode::FORBIDDEN, "csrf_rejected");
    assert_eq!(w.db.user(2).unwrap().password_hash, Some(hash_of(BOB_PASSWORD)));
    // With it: 200, a new session.
    let r = send(
        &w.app,
        change_in_session(&session.cookie, &session.csrf, &change(BOB_PASSWORD, NEW)),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let (cookie, _) = session_of(&r);
    assert_ne!(cookie, session.cookie);
    assert_eq!(login(&w.app, "bob", NEW).await.status, StatusCode::OK);
}

#[tokio::test]
async fn password_change_answers_503_when_the_database_is_down_and_keeps_the_password() {
    let w = world();
    let t = tokens(&w.app, "bob", BOB_PASSWORD).await;
    w.database.fail("set_password_hash");
    let r = change_password(&w.app, &t.access, BOB_PASSWORD, NEW).await;
    assert_unavailable(&r);
    w.database.heal();
    // Fail closed: the credentials were revoked before the hash was to be stored; the
    // old password still logs in.
    assert_eq!(me(&w.app, &t.access).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(w.db.user(2).unwrap().password_hash, Some(hash_of(BOB_PASSWORD)));
    assert_eq!(login(&w.app, "bob", BOB_PASSWORD).await.status, StatusCode::OK);
}

// ---------------------------------------------------------------------------------------------
// POST /auth/password/reset, POST /auth/password/reset/{token}
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn reset_requests_answer_the_same_whatever_the_address() {
    let w = world();
    let known = request_reset(&w.app, "bob@example.com").await;
    let unknown = request_reset(&w.app, "nobody@example.com").await;
    for r in [&known, &unknown] {
        assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
        assert_eq!(r.body, json!({"accepted": true}));
        assert_eq!(r.headers.len(), known.headers.len(), "{:?}", r.headers);
        assert!(r.headers.get(SET_COOKIE).is_none());
    }
    let mails = w.outbox.wait_for(1).await;
    assert_eq!(mails[0].to, "bob@example.com");
    // Within a minute, the same address (whatever its case) is 429 — known or not.
    for email in ["Bob@Example.com", "nobody@example.com"] {
        assert_throttled(&request_reset(&w.app, email).await, 60);
    }
    // A malformed address or body: 400.
    assert_invalid_input(&request_reset(&w.app, "not an address").await);
    assert_invalid_input(&send(&w.app, post_raw("/auth/password/reset", "application/json", "{}")).await);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(w.outbox.mails().len(), 1);
}

#[tokio::test]
async fn a_weak_password_keeps_the_reset_link() {
    let w = world();
    assert_eq!(
        request_reset(&w.app, "carol@example.com").await.status,
        StatusCode::ACCEPTED
    );
    let token = w.outbox.wait_for(1).await[0].token("/auth/password/reset/");
    assert_invalid_input(&reset(&w.app, &token, "short").await);
    let r = reset(&w.app, &token, "carol-new-password-2").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    assert_eq!(
        login(&w.app, "carol", "carol-new-password-2").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_reset_that_cannot_be_stored_keeps_the_link_for_a_retry() {
    let w = world();
    assert_eq!(
        request_reset(&w.app, "carol@example.com").await.status,
        StatusCode::ACCEPTED
    );
    let token = w.outbox.wait_for(1).await[0].token("/auth/password/reset/");
    w.database.fail("set_password_hash");
    assert_unavailable(&reset(&w.app, &token, "carol-new-password-2").await);
    w.database.heal();
    let r = reset(&w.app, &token, "carol-new-password-2").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    assert_eq!(
        login(&w.app, "carol", "carol-new-password-2").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn no_reset_mail_when_the_mailer_or_database_fails_and_the_answer_is_still_202() {
    let w = world();
    w.smtp.fail("send");
    assert_eq!(
        request_reset(&w.app, "bob@example.com").await.status,
        StatusCode::ACCEPTED
    );
    w.database.fail("find_by_email");
    assert_eq!(
        request_reset(&w.app, "carol@example.com").await.status,
        StatusCode::ACCEPTED
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(w.outbox.mails().is_empty());
}

#[tokio::test]
async fn mail_templates_replace_the_confirmation_and_reset_mails() {
    let templates = MailTemplates {
        confirmation: MailTemplate::new("Welcome, {username}", "Confirm: {link} ({minutes} min)"),
        password_reset: MailTemplate::new("Example: new password for {username}", "Go to {link} {unknown}"),
    };
    let w = world_with(
        |r| {
            r.mail_templates(templates)
                .reset_url("https://app.example/reset/")
        },
        |b| b,
    );
    let t = tokens(&w.app, "bob", BOB_PASSWORD).await;
    assert_eq!(
        send(&w.app, post_bearer("/auth/confirm", &t.access)).await.status,
        StatusCode::ACCEPTED
    );
    assert_eq!(
        request_reset(&w.app, "bob@example.com").await.status,
        StatusCode::ACCEPTED
    );
    let mails = w.outbox.wait_for(2).await;
    assert_eq!(mails[0].subject, "Welcome, bob");
    let token = mails[0].token("/auth/confirm/");
    assert_eq!(
        mails[0].body,
        format!("Confirm: /auth/confirm/{token} (1440 min)")
    );
    assert_eq!(mails[1].subject, "Example: new password for bob");
    let token = mails[1].token("https://app.example/reset/");
    assert_eq!(
        mails[1].body,
        format!("Go to https://app.example/reset/{token} {{unknown}}")
    );
}

// ---------------------------------------------------------------------------------------------
// Legacy hashes, upgraded on login
// ---------------------------------------------------------------------------------------------

/// Dave (id 4), whose stored hash is `hash`.
fn with_dave(w: &World, hash: String) {
    w.db.table().users.push(Member {
        id: 4,
        name: "dave".into(),
        roles: "user".into(),
        password_hash: Some(hash),
        confirmed: true,
        email: "dave@example.com".into(),
        active: true,
    });
}

const DAVE_PASSWORD: &str = "dave-legacy-password";

fn legacy_hashes() -> Vec<(&'static str, String)> {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let salt = SaltString::from_b64("c2FsdHNhbHRzYWx0c2FsdA").unwrap();
    let scrypt = scrypt::Scrypt
        .hash_password_customized(
            DAVE_PASSWORD.as_bytes(),
            None,
            None,
            scrypt::Params::new(10, 8, 1, 32).unwrap(),
            &salt,
        )
        .unwrap()
        .to_string();
    let pbkdf2 = pbkdf2::Pbkdf2
        .hash_password_customized(
            DAVE_PASSWORD.as_bytes(),
            Some(pbkdf2::Algorithm::Pbkdf2Sha256.ident()),
            None,
            pbkdf2::Params {
                rounds: 10_000,
                output_length: 32,
            },
            &salt,
        )
        .unwrap()
        .to_string();
    vec![
        ("bcrypt", bcrypt::hash(DAVE_PASSWORD, 6).unwrap()),
        ("scrypt", scrypt),
        ("pbkdf2", pbkdf2),
    ]
}

#[tokio::test]
async fn legacy_hashes_log_in_and_are_upgraded_to_argon2id() {
    for (kind, hash) in legacy_hashes() {
        let w = world();
        with_dave(&w, hash.clone());
        // The wrong password: 401, the hash stays.
        let r = login(&w.app, "dave", "not-daves-password").await;
        expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
        assert_eq!(
            w.db.user(4).unwrap().password_hash.as_ref(),
            Some(&hash),
            "{kind}"
        );
        // The right one: 200, and the stored hash is argon2id now.
        assert_token_pair(&login(&w.app, "dave", DAVE_PASSWORD).await);
        let upgraded = w.db.user(4).unwrap().password_hash.unwrap();
        assert!(
            upgraded.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{kind}: {upgraded}"
        );
        assert!(!portcullis::needs_rehash(&upgraded));
        // ... and still logs in (in a session too).
        let (r, _) = session_login(&w.app, "dave", DAVE_PASSWORD).await;
        assert_eq!(r.status, StatusCode::OK, "{kind}");
        assert_eq!(
            w.db.user(4).unwrap().password_hash.unwrap(),
            upgraded,
            "{kind}: no second upgrade"
        );
    }
}

#[tokio::test]
async fn a_failing_upgrade_does_not_fail_the_login() {
    let w = world();
    let (_, hash) = legacy_hashes().remove(0);
    with_dave(&w, hash.clone());
    w.database.fail("set_password_hash");
    assert_token_pair(&login(&w.app, "dave", DAVE_PASSWORD).await);
    assert_eq!(w.db.user(4).unwrap().password_hash, Some(hash));
}

#[tokio::test]
async fn unknown_and_oversized_hash_formats_never_log_in() {
    for hash in [
        "$md5$salt$hash".to_owned(),
        format!("$2b$04${}", "a".repeat(600)),
        // bcrypt at cost 31 would take days: refused unverified.
        "$2b$31$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234".to_owned(),
        DAVE_PASSWORD.to_owned(),
    ] {
        let w = world();
        with_dave(&w, hash.clone());
        let r = login(&w.app, "dave", DAVE_PASSWORD).await;
        expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
        assert_eq!(w.db.user(4).unwrap().password_hash, Some(hash));
    }
}

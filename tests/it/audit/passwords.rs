//! The auth router's password routes, audited: a refused current password is
//! `login.failed` (it counts toward the lock-out), a change is `credentials.revoked` then
//! `password.changed`, a reset request is `password.reset_requested` (with the user only
//! when a mail went out; written after the answer, with the request's id), a reset is
//! `credentials.revoked` then `password.reset`. No password, hash or link token is logged.

use std::time::Duration;

use super::capture::Capture;
use super::*;

const NEW_PASSWORD: &str = "alice-new-audit-password-2";

fn with_bearer(uri: &str, token: &str, body: &Value) -> Request<Body> {
    let mut request = post_json(uri, body);
    request
        .headers_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    request
}

/// Waits (up to 5 s) for the audit event `event` of the request `request_id`.
async fn settled(capture: &Capture, request_id: &str, event: &str) {
    for _ in 0..500 {
        if capture.events_of(request_id).iter().any(|e| e == event) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("no {event} for {request_id}: {:#?}", capture.audit());
}

#[tokio::test]
async fn password_change_and_reset_are_audited_without_secrets() {
    let w = world();
    let (capture, _guard) = Capture::start();
    let client = ("client", CLIENT);
    let login = post_json("/auth/login", &credentials("alice", ALICE_PASSWORD));
    let (access, _) = pair(&call(&w, "req-login", login).await);

    // A wrong current password: a failed login of the caller.
    let wrong = json!({"current_password": "not-alice-password", "new_password": NEW_PASSWORD});
    let r = call(
        &w,
        "req-change-wrong",
        with_bearer("/auth/password", &access, &wrong),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{:?}", r.body);
    assert_eq!(
        capture.events_of("req-change-wrong"),
        ["auth.succeeded", "login.failed"]
    );
    let failed = [
        ("scheme", "jwt"),
        ("reason", "invalid_credentials"),
        ("detail", "the current password is wrong"),
        ("user", "1"),
        client,
    ];
    capture.expect("login.failed", "req-change-wrong", INFO, &failed);

    // The change: every credential revoked, then the change itself.
    let change = json!({"current_password": ALICE_PASSWORD, "new_password": NEW_PASSWORD});
    let r = call(&w, "req-change", with_bearer("/auth/password", &access, &change)).await;
    let (new_access, new_refresh) = pair(&r);
    assert_eq!(
        capture.events_of("req-change"),
        ["auth.succeeded", "credentials.revoked", "password.changed"]
    );
    let changed = [("scheme", "jwt"), ("user", "1"), client];
    capture.expect("password.changed", "req-change", INFO, &changed);

    // Reset requests: with the user when a mail went out, without for an unknown address.
    let known = post_json("/auth/password/reset", &json!({"email": "user1@example.com"}));
    assert_eq!(call(&w, "req-reset", known).await.status, StatusCode::ACCEPTED);
    let unknown = post_json("/auth/password/reset", &json!({"email": "nobody@example.com"}));
    assert_eq!(
        call(&w, "req-reset-unknown", unknown).await.status,
        StatusCode::ACCEPTED
    );
    settled(&capture, "req-reset", "password.reset_requested").await;
    settled(&capture, "req-reset-unknown", "password.reset_requested").await;
    capture.expect(
        "password.reset_requested",
        "req-reset",
        INFO,
        &[("user", "1"), client],
    );
    capture.expect("password.reset_requested", "req-reset-unknown", INFO, &[client]);

    // The reset by the mailed link.
    let mail = w
        .accounts
        .mails
        .lock()
        .unwrap()
        .last()
        .cloned()
        .expect("the reset mail");
    let (_, rest) = mail.split_once("/auth/password/reset/").expect("a reset link");
    let token = rest.split_whitespace().next().unwrap().to_owned();
    let body = json!({"new_password": ALICE_PASSWORD});
    let reset = post_json(&format!("/auth/password/reset/{token}"), &body);
    assert_eq!(
        call(&w, "req-reset-link", reset).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        capture.events_of("req-reset-link"),
        ["credentials.revoked", "password.reset"]
    );
    capture.expect("password.reset", "req-reset-link", INFO, &[("user", "1"), client]);

    let hash = w
        .accounts
        .users
        .find_by_id(&1)
        .await
        .unwrap()
        .unwrap()
        .password_hash
        .unwrap();
    capture.assert_free_of(&[
        ("the old password", ALICE_PASSWORD),
        ("the new password", NEW_PASSWORD),
        ("the reset token", &token),
        ("the stored hash", &hash),
        ("an access token", &access),
        ("the new access token", &new_access),
        ("the new refresh token", &new_refresh),
        ("the reset address", "user1@example.com"),
    ]);
}

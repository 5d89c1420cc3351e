//! Checks of the error responses every topic makes (DESIGN.md §4).

use http::StatusCode;
use http::header::RETRY_AFTER;

use super::requests::Reply;

/// The default error body: `application/json`, exactly `{"error": code, "message": <non-empty>}`.
#[track_caller]
pub fn assert_error_body(r: &Reply, code: &str) {
    assert_eq!(r.header("content-type"), "application/json", "{:?}", r.headers);
    let object = r
        .body
        .as_object()
        .unwrap_or_else(|| panic!("not a JSON object: {:?}", r.body));
    assert_eq!(object.len(), 2, "{:?}", r.body);
    assert_eq!(object["error"], code, "{:?}", r.body);
    let message = object["message"].as_str().expect("message is a string");
    assert!(!message.is_empty(), "{:?}", r.body);
}

/// An error response of this status with the default body of [`assert_error_body`].
#[track_caller]
pub fn expect_error(r: &Reply, status: StatusCode, code: &str) {
    assert_eq!(r.status, status, "{:?}", r.body);
    assert_error_body(r, code);
}

/// 401 `invalid_token` on a Bearer-only route: the one challenge carries the error and a
/// description.
#[track_caller]
pub fn assert_invalid_token(r: &Reply) {
    expect_error(r, StatusCode::UNAUTHORIZED, "invalid_token");
    let challenges = r.challenges();
    assert_eq!(challenges.len(), 1, "{challenges:?}");
    assert!(
        challenges[0].starts_with("Bearer realm=\"api\", error=\"invalid_token\", error_description=\""),
        "{challenges:?}"
    );
}

/// 503 `temporarily_unavailable` with `Retry-After: 1` and no challenge (a store that
/// cannot answer never lets anyone in, and the client may retry); the message does not
/// leak the store's error.
#[track_caller]
pub fn assert_unavailable(r: &Reply) {
    expect_error(r, StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable");
    assert_eq!(r.header(RETRY_AFTER.as_str()), "1", "{:?}", r.headers);
    assert!(r.challenges().is_empty(), "{:?}", r.challenges());
    let message = r.body["message"].as_str().unwrap();
    assert!(
        !message.contains(super::faulty::FAULT) && !message.contains("connection refused"),
        "the store's error leaks: {message}"
    );
}

/// 429 `too_many_attempts` without challenges, whose `Retry-After` is whole seconds in
/// `1..=max`; returns it.
#[track_caller]
pub fn assert_throttled(r: &Reply, max: u64) -> u64 {
    expect_error(r, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    let value = r.header(RETRY_AFTER.as_str());
    let seconds: u64 = value
        .parse()
        .unwrap_or_else(|_| panic!("Retry-After {value:?} is not seconds"));
    assert!(
        (1..=max).contains(&seconds),
        "Retry-After {seconds} not in 1..={max}"
    );
    assert!(r.challenges().is_empty(), "{:?}", r.challenges());
    seconds
}

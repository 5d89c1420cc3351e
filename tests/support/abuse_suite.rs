//! Abuse scenarios that involve state (issue 14), written once over any set of stores:
//! `tests/it/abuse/` runs them on the in-memory stores, `tests/services/redis_abuse.rs`
//! on Redis. Each takes a [`PortcullisBuilder`] whose stores are already chosen.

use std::time::Duration;

use http::Request;
use portcullis::TokenConfig;
use portcullis::schemes::Jwt;
use portcullis::{Algorithm, AuthError, Portcullis, PortcullisBuilder, SessionConfig, ThrottleConfig};
use serde_json::json;

use super::app::{ALICE_PASSWORD, User};
use super::tokens::{AUDIENCE, ISSUER, SECRET, claims, hs256, now};

/// The gate's verdict on `Authorization: Bearer <token>`.
pub async fn verdict(
    auth: &Portcullis<User>,
    token: &str,
) -> Result<Option<(User, portcullis::AuthInfo)>, AuthError> {
    let request = Request::get("/")
        .header("authorization", format!("Bearer {token}"))
        .body(())
        .unwrap();
    let (parts, ()) = request.into_parts();
    auth.authenticate::<(Jwt,)>(&parts).await
}

/// A validly signed token whose `exp` is absurdly far ahead (up to the largest finite
/// JSON number) is accepted and logs out without a panic; afterwards it is revoked.
pub async fn far_future_exp_logs_out(builder: PortcullisBuilder<User>) {
    let auth = builder.build().unwrap();
    for (n, exp) in [json!(1e15), json!(u64::MAX), json!(1.7e308)]
        .into_iter()
        .enumerate()
    {
        let mut c = claims("1");
        c["exp"] = exp.clone();
        c["jti"] = json!(format!("far-{n}-{}", now()));
        let token = hs256(&c);
        let (_, info) = verdict(&auth, &token).await.unwrap().expect("a valid token");
        auth.logout(None, &info)
            .await
            .unwrap_or_else(|e| panic!("logout with exp {exp}: {e}"));
        let after = verdict(&auth, &token).await;
        assert!(after.is_err(), "exp {exp}: the token still works after logout");
    }
}

/// Lifetimes configured at their maximum never overflow: tokens, refresh families,
/// sessions and throttle windows work.
pub async fn absurd_lifetimes_do_not_panic(builder: PortcullisBuilder<User>) {
    let forever = Duration::MAX;
    let auth = builder
        .tokens(
            TokenConfig::hmac(SECRET, Algorithm::HS256)
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .access_ttl(forever)
                .refresh_ttl(forever),
        )
        .sessions(
            SessionConfig::new()
                .idle_timeout(forever)
                .absolute_timeout(forever),
        )
        .throttle(ThrottleConfig::new().window(forever))
        .build()
        .expect("maximal lifetimes are a valid (if unwise) configuration");
    let _ = auth.login("alice", "wrong password", None).await;
    let alice = auth.login("alice", ALICE_PASSWORD, None).await.unwrap().user;
    let pair = auth.issue_tokens(&alice, None).await.unwrap();
    let (_, pair) = auth.refresh_tokens(&pair.refresh_token).await.unwrap();
    let (_, info) = verdict(&auth, &pair.access_token).await.unwrap().unwrap();
    auth.logout(Some(&pair.refresh_token), &info).await.unwrap();
    assert!(verdict(&auth, &pair.access_token).await.is_err());
    let (parts, ()) = Request::new(()).into_parts();
    let session = auth.start_session(&parts, &alice).await.unwrap();
    assert!(!session.csrf_token.is_empty());
}

fn ip(text: &str) -> std::net::IpAddr {
    text.parse().unwrap()
}

fn is_throttled(outcome: &Result<portcullis::LoggedIn<User>, AuthError>) -> bool {
    matches!(outcome, Err(AuthError::Throttled { .. }))
}

/// One address trying fresh user names is stopped at its own limit, before any
/// per-name counter is created; another client still logs in.
pub async fn name_flood_from_one_address(builder: PortcullisBuilder<User>) {
    let auth = builder.throttle(ThrottleConfig::new()).build().unwrap();
    let attacker = ip("203.0.113.66");
    let mut throttled = 0;
    for n in 0..60 {
        let outcome = auth.login(&format!("fresh-{n}"), "guess", Some(attacker)).await;
        if is_throttled(&outcome) {
            throttled += 1;
        } else {
            assert!(
                matches!(outcome, Err(AuthError::InvalidCredentials { .. })),
                "{n}: {outcome:?}"
            );
        }
    }
    assert_eq!(throttled, 40, "the address is refused from its 21st attempt");
    let owner = auth
        .login("alice", ALICE_PASSWORD, Some(ip("198.51.100.1")))
        .await;
    assert!(owner.is_ok(), "{owner:?}");
    assert!(auth.login("alice", ALICE_PASSWORD, None).await.is_ok());
}

/// A stranger's wrong guesses lock out the stranger's address only: the owner logs
/// in from elsewhere.
pub async fn stranger_cannot_lock_out_the_owner(builder: PortcullisBuilder<User>) {
    let auth = builder
        .throttle(ThrottleConfig::new().max_delay(Duration::from_millis(20)))
        .build()
        .unwrap();
    let stranger = ip("203.0.113.7");
    for _ in 0..5 {
        assert!(!is_throttled(&auth.login("alice", "wrong", Some(stranger)).await));
    }
    assert!(is_throttled(&auth.login("alice", "wrong", Some(stranger)).await));
    assert!(is_throttled(
        &auth.login("alice", ALICE_PASSWORD, Some(stranger)).await
    ));
    let owner = auth
        .login("alice", ALICE_PASSWORD, Some(ip("198.51.100.1")))
        .await;
    assert!(owner.is_ok(), "the owner is locked out: {owner:?}");
}

/// Guessing one name from many addresses hits the per-name ceiling; the owner's
/// usual address (a successful login within the window) keeps working.
pub async fn distributed_guessing_hits_the_ceiling(builder: PortcullisBuilder<User>) {
    let auth = builder
        .throttle(
            ThrottleConfig::new()
                .max_failures(3)
                .max_failures_per_name(6)
                .max_delay(Duration::from_millis(10)),
        )
        .build()
        .unwrap();
    let home = ip("198.51.100.1");
    assert!(auth.login("alice", ALICE_PASSWORD, Some(home)).await.is_ok());
    for n in 0..8 {
        let _ = auth
            .login("alice", "wrong", Some(ip(&format!("203.0.113.{}", 10 + n))))
            .await;
    }
    let elsewhere = auth.login("alice", ALICE_PASSWORD, Some(ip("192.0.2.200"))).await;
    assert!(
        is_throttled(&elsewhere),
        "a new address past the ceiling: {elsewhere:?}"
    );
    let owner = auth.login("alice", ALICE_PASSWORD, Some(home)).await;
    assert!(owner.is_ok(), "the owner's usual address: {owner:?}");
}

/// Every address of one IPv6 /64 counts as the same client.
pub async fn ipv6_addresses_of_one_64_are_one_client(builder: PortcullisBuilder<User>) {
    let auth = builder.build().unwrap();
    let mut throttled = 0;
    for n in 0..25u32 {
        let address = ip(&format!("2001:db8:aa:bb:{:x}::{:x}", n + 1, n * 7 + 1));
        if is_throttled(&auth.login(&format!("v6-{n}"), "guess", Some(address)).await) {
            throttled += 1;
        }
    }
    assert_eq!(throttled, 5, "the /64 is refused from its 21st attempt");
    assert!(
        auth.login("alice", ALICE_PASSWORD, Some(ip("2001:db8:aa:bc::1")))
            .await
            .is_ok()
    );
}

/// One client refreshing in a loop: every rotation works, the previous token is
/// spent each time, and the state stays one family (checked by the caller).
pub async fn refresh_loop(builder: PortcullisBuilder<User>, rotations: usize) -> Portcullis<User> {
    let auth = builder
        .tokens(
            TokenConfig::hmac(SECRET, Algorithm::HS256)
                .issuer(ISSUER)
                .audience(AUDIENCE),
        )
        .build()
        .unwrap();
    let alice = auth.login("alice", ALICE_PASSWORD, None).await.unwrap().user;
    let mut refresh = auth.issue_tokens(&alice, None).await.unwrap().refresh_token;
    let first = refresh.clone();
    for n in 0..rotations {
        let (_, pair) = auth
            .refresh_tokens(&refresh)
            .await
            .unwrap_or_else(|e| panic!("rotation {n}: {e}"));
        refresh = pair.refresh_token;
    }
    // The very first token, spent thousands of rotations ago, is still a reuse.
    assert!(auth.refresh_tokens(&first).await.is_err());
    assert!(
        auth.refresh_tokens(&refresh).await.is_err(),
        "the reuse revoked the family"
    );
    auth
}

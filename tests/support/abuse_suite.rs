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

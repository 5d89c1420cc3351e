//! The verified-token cache (`PortcullisBuilder::verified_token_cache`) over HTTP: a
//! remembered token still meets revocation (its `jti`, its family, its user's cut-off)
//! on every request, is never used past its `exp`, is the whole token (one changed
//! byte is a different token), never lends one user's verdict to another, and stays
//! correct when full. (Its speed is in `benches/schemes.rs`; identity-provider tokens
//! and withdrawn keys in `oidc/cached.rs`.)

use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use http::StatusCode;
use portcullis::{AuthInfo, Portcullis, PortcullisBuilder, auth};
use serde_json::json;

use crate::support::*;

#[auth(jwt)]
async fn who(user: User) -> String {
    user.username
}

#[auth(jwt)]
async fn logout(State(auth): State<Portcullis<User>>, _user: User, info: AuthInfo) -> StatusCode {
    auth.logout(None, &info).await.unwrap();
    StatusCode::NO_CONTENT
}

fn cached(builder: PortcullisBuilder<User>, capacity: usize) -> (Portcullis<User>, Router) {
    let auth = builder.verified_token_cache(capacity).build().unwrap();
    let router = Router::new()
        .route("/who", get(who))
        .route("/logout", axum::routing::post(logout))
        .with_state(AppState { auth: auth.clone() });
    (auth, router)
}

async fn who_is(app: &Router, token: &str) -> Reply {
    send(app, bearer("/who", token)).await
}

fn assert_user(r: &Reply, name: &str) {
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body, json!(name));
}

#[tokio::test]
async fn a_remembered_token_is_revoked_at_once() {
    let (_, app) = cached(builder(users()), 100);
    let token = hs256(&claims("1"));
    for _ in 0..3 {
        assert_user(&who_is(&app, &token).await, "alice");
    }
    let r = send(
        &app,
        http::Request::post("/logout")
            .header("authorization", format!("Bearer {token}"))
            .empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    assert_invalid_token(&who_is(&app, &token).await);
}

#[tokio::test]
async fn a_remembered_token_meets_its_users_cut_off() {
    let (auth, app) = cached(builder(users()).tokens(issued_tokens()), 100);
    let alice = auth.users().find_by_id(&1).await.unwrap().unwrap();
    let pair = auth.issue_tokens(&alice, None).await.unwrap();
    assert_user(&who_is(&app, &pair.access_token).await, "alice");
    assert_user(&who_is(&app, &pair.access_token).await, "alice");
    auth.revoke_user_credentials(&1).await.unwrap();
    expect_error(
        &who_is(&app, &pair.access_token).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    );
    let again = auth.issue_tokens(&alice, None).await.unwrap();
    assert_user(&who_is(&app, &again.access_token).await, "alice");
}

#[tokio::test]
async fn a_remembered_token_is_not_used_past_its_exp() {
    // No leeway: an expired token is refused as soon as it expires.
    let (_, app) = cached(builder(users()).jwt(jwt_config().leeway(Duration::ZERO)), 100);
    let mut short = claims("1");
    short["exp"] = json!(now() + 2);
    let token = hs256(&short);
    assert_user(&who_is(&app, &token).await, "alice");
    tokio::time::sleep(Duration::from_millis(3100)).await;
    expect_error(
        &who_is(&app, &token).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    );
}

#[tokio::test]
async fn the_whole_token_is_the_key() {
    let (_, app) = cached(builder(users()), 100);
    let alices = hs256(&claims("1"));
    let bobs = hs256(&claims("2"));
    assert_user(&who_is(&app, &alices).await, "alice");
    assert_user(&who_is(&app, &bobs).await, "bob");
    assert_user(&who_is(&app, &alices).await, "alice");
    // One byte of the signature changed: not the remembered token, and refused.
    let mut tampered = alices.clone().into_bytes();
    let last = tampered.len() - 2;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    assert_invalid_token(&who_is(&app, &tampered).await);
    // A token signed with another key, claims equal to a remembered one: refused.
    let forged = hs256_with(b"another-secret-0123456789-abcdefghijklmn", &payload(&alices));
    assert_invalid_token(&who_is(&app, &forged).await);
    assert_user(&who_is(&app, &alices).await, "alice");
}

#[tokio::test]
async fn a_full_cache_stays_correct() {
    let (_, app) = cached(builder(users()), 2);
    let tokens: Vec<(String, &str)> = (0..20)
        .map(|n| {
            let (sub, name) = if n % 2 == 0 { ("1", "alice") } else { ("2", "bob") };
            let mut c = claims(sub);
            c["jti"] = json!(format!("cache-{n}"));
            (hs256(&c), name)
        })
        .collect();
    for _ in 0..3 {
        for (token, name) in &tokens {
            assert_user(&who_is(&app, token).await, name);
        }
    }
}

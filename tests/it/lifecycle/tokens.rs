//! Token issuance, refresh rotation with reuse detection, logout and revocation.

use std::time::Duration;

use axum::extract::State;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portcullis::{AuthInfo, auth, client_addr};

use crate::support::*;

use super::*;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", post(token_login))
        .route("/login/scoped", post(scoped_login))
        .route("/refresh", post(refresh))
        .route("/logout", post(logout))
        .route("/revoke", post(revoke))
        .route("/me", get(me))
}

/// `POST /login {username, password}`: password login, then a token pair.
async fn token_login(State(p): State<Portcullis<User>>, parts: Parts, Json(body): Json<Value>) -> Response {
    let issued = async {
        let login = p
            .login(
                text(&body, "username"),
                text(&body, "password"),
                client_addr(&parts),
            )
            .await?;
        p.issue_tokens(&login.user, None).await
    }
    .await;
    match issued {
        Ok(pair) => Json(pair).into_response(),
        Err(e) => refuse(&p, e, JWT),
    }
}

/// `POST /login/scoped {username, password}`: like `/login`, with the scope `posts:read`.
async fn scoped_login(State(p): State<Portcullis<User>>, Json(body): Json<Value>) -> Response {
    let issued = async {
        let login = p
            .login(text(&body, "username"), text(&body, "password"), None)
            .await?;
        p.issue_tokens(&login.user, Some("posts:read")).await
    }
    .await;
    match issued {
        Ok(pair) => Json(pair).into_response(),
        Err(e) => refuse(&p, e, JWT),
    }
}

/// `POST /refresh {refresh_token}`: rotation.
async fn refresh(State(p): State<Portcullis<User>>, Json(body): Json<Value>) -> Response {
    match p.refresh_tokens(text(&body, "refresh_token")).await {
        Ok((user, pair)) => {
            let mut value = serde_json::to_value(pair).unwrap();
            value["user"] = json!(user.id);
            Json(value).into_response()
        }
        Err(e) => refuse(&p, e, JWT),
    }
}

/// `POST /logout {refresh_token}`: revokes the refresh family and the presented access token.
#[auth(jwt)]
async fn logout(
    user: User,
    info: AuthInfo,
    State(p): State<Portcullis<User>>,
    Json(body): Json<Value>,
) -> Response {
    let _ = user;
    match p.logout(body["refresh_token"].as_str(), &info).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => refuse(&p, e, JWT),
    }
}

/// `POST /revoke`: revokes only the presented access token.
#[auth(jwt)]
async fn revoke(user: User, info: AuthInfo, State(p): State<Portcullis<User>>) -> Response {
    let _ = user;
    match p.revoke_access(&info).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => refuse(&p, e, JWT),
    }
}

#[auth(jwt)]
async fn me(user: User, info: AuthInfo) -> Json<Value> {
    Json(json!({"id": user.id, "scheme": info.scheme().as_str(), "jti": info.token_id()}))
}

// ---------------------------------------------------------------------------------------------
// Issuance
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn login_issues_an_oauth_token_pair() {
    let app = token_app();
    let r = send(&app, login_request("alice", ALICE_PASSWORD)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let body = r.body.as_object().unwrap();
    let mut keys: Vec<&str> = body.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["access_token", "expires_in", "refresh_token", "token_type"]
    );
    assert_eq!(r.body["token_type"], "Bearer");
    assert_eq!(r.body["expires_in"], 900);
    let tokens = tokens_of(&r);

    // The access token: a JWT with the server's claims.
    let claims = payload(&tokens.access);
    assert_eq!(claims["sub"], "1");
    assert_eq!(claims["iss"], ISSUER);
    assert_eq!(claims["aud"], AUDIENCE);
    assert_eq!(claims["typ"], "access");
    let (iat, exp) = (claims["iat"].as_i64().unwrap(), claims["exp"].as_i64().unwrap());
    assert!((iat - now()).abs() <= 5, "iat {iat} is not now");
    assert_eq!(exp - iat, 900);
    let jti = claims["jti"].as_str().unwrap();
    assert!(jti.len() >= 16, "jti {jti:?} is too short to be unique");
    let header: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(tokens.access.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header["alg"], "HS256");

    // The refresh token: its family's and its own 256 random bits and the generation,
    // as base64url, not a JWT.
    assert_eq!(tokens.refresh.len(), 96);
    assert!(!tokens.refresh.contains('.'));
    assert_eq!(URL_SAFE_NO_PAD.decode(&tokens.refresh).unwrap().len(), 72);

    // The access token works on a `#[auth(jwt)]` route; the refresh token does not.
    let r = send(&app, bearer("/me", &tokens.access)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body, json!({"id": 1, "scheme": "jwt", "jti": jti}));
    let r = send(&app, bearer("/me", &tokens.refresh)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{:?}", r.body);

    // Every login gets its own token id and refresh token.
    let again = login_tokens(&app).await;
    assert_ne!(payload(&again.access)["jti"], claims["jti"]);
    assert_ne!(again.refresh, tokens.refresh);
}

#[tokio::test]
async fn tokens_signed_with_an_rsa_key_and_kid_are_accepted() {
    let config = TokenConfig::private_pem(RSA_PRIVATE, Algorithm::RS256)
        .unwrap()
        .kid("rsa-1")
        .issuer(ISSUER)
        .audience(AUDIENCE);
    let app = app(Portcullis::builder(users())
        .jwt(jwt_config())
        .tokens(config)
        .build()
        .unwrap());
    let tokens = login_tokens(&app).await;
    let header: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(tokens.access.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["kid"], "rsa-1");
    assert_eq!(me_status(&app, &tokens.access).await, StatusCode::OK);
}

// ---------------------------------------------------------------------------------------------
// Rotation and reuse detection
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn refresh_rotates_the_pair() {
    let app = token_app();
    let first = login_tokens(&app).await;

    let r = send(&app, refresh_request(&first.refresh)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["token_type"], "Bearer");
    assert_eq!(r.body["expires_in"], 900);
    assert_eq!(r.body["user"], 1);
    let second = tokens_of(&r);
    assert_eq!(second.refresh.len(), 96);
    assert_ne!(second.refresh, first.refresh);
    assert_ne!(second.access, first.access);
    let claims = payload(&second.access);
    assert_eq!(claims["sub"], "1");
    assert_eq!(claims["typ"], "access");
    assert_ne!(claims["jti"], payload(&first.access)["jti"]);
    assert_eq!(me_status(&app, &second.access).await, StatusCode::OK);

    // The new refresh token works in turn, and so does the access token it brings.
    let third = rotate(&app, &second.refresh).await;
    assert_eq!(me_status(&app, &third.access).await, StatusCode::OK);
    // A refresh does not revoke earlier access tokens (they expire on their own).
    assert_eq!(me_status(&app, &first.access).await, StatusCode::OK);

    // The spent token no longer works.
    assert_invalid_token(&send(&app, refresh_request(&second.refresh)).await);
}

#[tokio::test]
async fn a_reused_refresh_token_revokes_its_whole_family() {
    let app = token_app();
    let first = login_tokens(&app).await;
    let other = login_tokens(&app).await;
    let second = rotate(&app, &first.refresh).await;
    let newest = rotate(&app, &second.refresh).await;

    // Presenting the spent first token again: refused, and the family is revoked.
    let r = send(&app, refresh_request(&first.refresh)).await;
    assert_invalid_token(&r);
    assert!(
        r.body["message"].as_str().unwrap().contains("already used"),
        "{:?}",
        r.body
    );
    // The newest token of the family (never used) is refused too.
    assert_invalid_token(&send(&app, refresh_request(&newest.refresh)).await);
    assert_invalid_token(&send(&app, refresh_request(&second.refresh)).await);

    // Another login of the same user is another family: unaffected.
    let next = rotate(&app, &other.refresh).await;
    let last = rotate(&app, &next.refresh).await;
    assert_eq!(me_status(&app, &last.access).await, StatusCode::OK);
}

#[tokio::test]
async fn refresh_refuses_garbage_access_tokens_and_unknown_tokens() {
    let app = token_app();
    let tokens = login_tokens(&app).await;
    let unknown = URL_SAFE_NO_PAD.encode([7u8; 32]);
    let with_dot = format!("{}.", &tokens.refresh[..42]);
    for garbage in [
        "",
        "garbage",
        &tokens.access,
        &unknown,
        &with_dot,
        &"A".repeat(4000),
    ] {
        assert_invalid_token(&send(&app, refresh_request(garbage)).await);
    }
    // None of that disturbed the real family.
    let next = rotate(&app, &tokens.refresh).await;
    assert_eq!(me_status(&app, &next.access).await, StatusCode::OK);
}

#[tokio::test]
async fn an_expired_refresh_family_is_refused() {
    let tokens = token_config().refresh_ttl(Duration::from_secs(1));
    let app = app(Portcullis::builder(users())
        .jwt(jwt_config())
        .tokens(tokens)
        .build()
        .unwrap());
    let first = login_tokens(&app).await;
    let stale = login_tokens(&app).await;
    // Within the lifetime, a rotation works and extends the family.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let second = rotate(&app, &first.refresh).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    // 1.2 s after login: the family rotated 0.6 s ago lives; the untouched one expired.
    assert_invalid_token(&send(&app, refresh_request(&stale.refresh)).await);
    let third = rotate(&app, &second.refresh).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_invalid_token(&send(&app, refresh_request(&third.refresh)).await);
}

#[tokio::test]
async fn refresh_for_a_user_who_became_inactive_is_forbidden() {
    let store = controlled_users();
    let app = app(Portcullis::builder(store.clone())
        .jwt(jwt_config())
        .tokens(token_config())
        .build()
        .unwrap());
    let tokens = login_tokens(&app).await;
    set_active(&store, "alice", false).await;

    let r = send(&app, refresh_request(&tokens.refresh)).await;
    expect_error(&r, StatusCode::FORBIDDEN, "forbidden");
    assert!(r.challenges().is_empty(), "{:?}", r.challenges());
    // Her access token is refused as well, and her right password answers like a
    // wrong one (issue 14: the default does not reveal that the password was right).
    expect_error(
        &send(&app, bearer("/me", &tokens.access)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    let r = send(&app, login_request("alice", ALICE_PASSWORD)).await;
    expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
}

#[tokio::test]
async fn a_refresh_keeps_the_granted_scope() {
    let app = token_app();
    let r = send(
        &app,
        post_json("/login/scoped", &credentials("alice", ALICE_PASSWORD)),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let first = tokens_of(&r);
    assert_eq!(payload(&first.access)["scope"], "posts:read");
    let second = rotate(&app, &first.refresh).await;
    assert_eq!(payload(&second.access)["scope"], "posts:read");
}

#[tokio::test]
async fn a_refresh_that_fails_with_503_does_not_spend_the_token() {
    let store = controlled_users();
    let app = app(Portcullis::builder(store.clone())
        .jwt(jwt_config())
        .tokens(token_config())
        .build()
        .unwrap());
    let tokens = login_tokens(&app).await;
    store.switch().fail("find_by_id");
    assert_unavailable(&send(&app, refresh_request(&tokens.refresh)).await);
    store.switch().heal();
    // The client never received a new token: retrying with the one it has must work.
    let r = send(&app, refresh_request(&tokens.refresh)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

// ---------------------------------------------------------------------------------------------
// Logout and revocation
// ---------------------------------------------------------------------------------------------

pub(super) fn logout_request(access: &str, refresh_token: Option<&str>) -> Request<Body> {
    json_post("/logout")
        .header("authorization", format!("Bearer {access}"))
        .body(Body::from(json!({"refresh_token": refresh_token}).to_string()))
        .unwrap()
}

#[tokio::test]
async fn logout_revokes_the_refresh_family_and_the_access_token() {
    let app = token_app();
    let phone = login_tokens(&app).await;
    let laptop = login_tokens(&app).await;
    // Logout with the family's current token, after a rotation.
    let phone_now = rotate(&app, &phone.refresh).await;

    let r = send(&app, logout_request(&phone_now.access, Some(&phone_now.refresh))).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);

    let r = send(&app, bearer("/me", &phone_now.access)).await;
    assert_invalid_token(&r);
    assert!(
        r.body["message"].as_str().unwrap().contains("revoked"),
        "{:?}",
        r.body
    );
    assert_invalid_token(&send(&app, refresh_request(&phone_now.refresh)).await);
    // Logging out again with the revoked token is refused.
    let r = send(&app, logout_request(&phone_now.access, Some(&phone_now.refresh))).await;
    assert_invalid_token(&r);

    // The other session of the same user keeps working.
    assert_eq!(me_status(&app, &laptop.access).await, StatusCode::OK);
    let laptop_now = rotate(&app, &laptop.refresh).await;
    assert_eq!(me_status(&app, &laptop_now.access).await, StatusCode::OK);
}

#[tokio::test]
async fn logout_with_a_spent_refresh_token_still_revokes_the_family() {
    let app = token_app();
    let first = login_tokens(&app).await;
    let second = rotate(&app, &first.refresh).await;
    let r = send(&app, logout_request(&second.access, Some(&first.refresh))).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    assert_invalid_token(&send(&app, refresh_request(&second.refresh)).await);
}

#[tokio::test]
async fn revoke_access_revokes_only_the_token() {
    let app = token_app();
    let tokens = login_tokens(&app).await;
    let other = login_tokens(&app).await;
    let r = send(
        &app,
        Request::post("/revoke")
            .header("authorization", format!("Bearer {}", tokens.access))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    assert_invalid_token(&send(&app, bearer("/me", &tokens.access)).await);
    assert_eq!(me_status(&app, &other.access).await, StatusCode::OK);
    // The refresh family is intact: it still gives working access tokens.
    let next = rotate(&app, &tokens.refresh).await;
    assert_eq!(me_status(&app, &next.access).await, StatusCode::OK);
}

//! `Debug` of every type that holds a secret leaves it out: formatting each one
//! (`{:?}` and `{:#?}`) never shows the secret.

use std::time::SystemTime;

use axum::http::Request;
use portcullis::schemes::{AuthScheme, Basic};
use portcullis::{
    Algorithm, ApiKeyConfig, JwtConfig, JwtKey, NewAccount, SessionRecord, TokenConfig, TokenPair,
};

use crate::support::*;

#[path = "../../../examples/reference/user.rs"]
#[allow(dead_code, unreachable_pub)]
mod reference_user;

const SECRET_TEXT: &str = "s3cr3t-Value-that-must-never-be-printed";

fn assert_redacted(what: &str, value: &dyn std::fmt::Debug, secrets: &[&str]) {
    for text in [format!("{value:?}"), format!("{value:#?}")] {
        for secret in secrets {
            assert!(
                !text.contains(secret),
                "{what}: Debug shows the secret {secret:?}: {text}"
            );
        }
    }
}

#[tokio::test]
async fn debug_never_prints_a_secret() {
    let pair = TokenPair {
        access_token: format!("eyJ.{SECRET_TEXT}.sig"),
        refresh_token: SECRET_TEXT.into(),
        token_type: "Bearer",
        expires_in: 900,
    };
    assert_redacted("TokenPair", &pair, &[SECRET_TEXT]);

    let record = SessionRecord {
        user_id: "7".into(),
        csrf_token: SECRET_TEXT.into(),
        created: SystemTime::now(),
    };
    assert_redacted("SessionRecord", &record, &[SECRET_TEXT]);

    let account = NewAccount {
        username: "dana".into(),
        email: "dana@example.com".into(),
        password_hash: format!("$argon2id$v=19$m=19456,t=2,p=1${SECRET_TEXT}"),
    };
    assert_redacted("NewAccount", &account, &[SECRET_TEXT]);

    let static_key = format!("svc_{SECRET_TEXT}");
    let keys = ApiKeyConfig::new().static_key(&static_key, 1);
    assert_redacted("ApiKeyConfig", &keys, &[SECRET_TEXT]);

    let tokens = TokenConfig::hmac(SECRET_TEXT, Algorithm::HS256).issuer("me");
    assert_redacted("TokenConfig", &tokens, &[SECRET_TEXT]);
    let key = JwtKey::hmac(SECRET_TEXT, Algorithm::HS256);
    assert_redacted("JwtKey", &key, &[SECRET_TEXT]);
    assert_redacted("JwtConfig", &JwtConfig::new().key(key), &[SECRET_TEXT]);

    // A session and its cookie, as the gate hands them out.
    let auth = builder(users()).build().unwrap();
    let (parts, ()) = Request::new(()).into_parts();
    let alice = auth.users().find_by_username("alice").await.unwrap().unwrap();
    let session = auth.start_session(&parts, &alice).await.unwrap();
    let cookie = session.set_cookie.to_str().unwrap().to_owned();
    let id = cookie.split(['=', ';']).nth(1).unwrap().to_owned();
    assert_redacted("NewSession", &session, &[&session.csrf_token, &id]);
    assert_redacted("Portcullis", &auth, &[&session.csrf_token, &id]);

    // Basic credentials as the scheme reads them.
    let request = Request::get("/")
        .header("authorization", basic("alice", SECRET_TEXT))
        .body(())
        .unwrap();
    let (parts, ()) = request.into_parts();
    let basic_scheme = auth.scheme::<Basic>().unwrap();
    let credentials = AuthScheme::<User>::extract(basic_scheme, &parts)
        .unwrap()
        .unwrap();
    assert_redacted("BasicCredentials", &credentials, &[SECRET_TEXT]);

    // The users of the test app and of the reference server, with their hash.
    let logged_in = auth.login("alice", ALICE_PASSWORD, None).await.unwrap();
    let hash = logged_in.user.password_hash.clone().unwrap();
    let salt_and_hash = hash.rsplitn(3, '$').take(2).collect::<Vec<_>>();
    let reference = reference_user::User {
        id: reference_user::UserId::Local(1),
        username: "alice".into(),
        email: "alice@example.com".into(),
        role: "admin".into(),
        granted: Vec::new(),
        password_hash: Some(hash.clone()),
        active: true,
        email_confirmed: true,
    };
    assert_redacted("reference User", &reference, &salt_and_hash);
}

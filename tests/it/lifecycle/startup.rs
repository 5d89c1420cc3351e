//! Start-up validation of the lifecycle settings.

use std::time::Duration;

use portcullis::{ConfigError, JwtConfig, JwtKey, SessionConfig, ThrottleConfig};

use crate::support::*;

use super::*;

// ---------------------------------------------------------------------------------------------
// Start-up validation
// ---------------------------------------------------------------------------------------------

fn build_error(builder: PortcullisBuilder<User>) -> ConfigError {
    builder.build().expect_err("the configuration must be refused")
}

/// Secret, issuer and audience given once: the issued tokens verify without a
/// `JwtConfig`, and tokens of another issuer do not.
#[tokio::test]
async fn issued_tokens_are_verified_with_their_own_settings() {
    let auth = Portcullis::builder(users())
        .tokens(token_config())
        .build()
        .unwrap();
    let alice = auth.users().find_by_username("alice").await.unwrap().unwrap();
    let pair = auth.issue_tokens(&alice, None).await.unwrap();
    let request = |token: &str| {
        http::Request::get("/")
            .header("authorization", format!("Bearer {token}"))
            .body(())
            .unwrap()
            .into_parts()
            .0
    };
    let (user, info) = auth
        .authenticate::<(portcullis::schemes::Jwt,)>(&request(&pair.access_token))
        .await
        .unwrap()
        .expect("the issued token is accepted");
    assert_eq!(user.id, alice.id);
    assert_eq!(info.scheme(), portcullis::Scheme::JWT);
    let mut foreign = claims(&alice.id.to_string());
    foreign["iss"] = "https://someone-else.test".into();
    let refused = auth
        .authenticate::<(portcullis::schemes::Jwt,)>(&request(&hs256(&foreign)))
        .await;
    assert!(refused.is_err(), "another issuer: {refused:?}");
    // Tokens signed with a private key need the public key given to JwtConfig.
    let private = TokenConfig::private_pem(RSA_PRIVATE, Algorithm::RS256).unwrap();
    let error = build_error(Portcullis::builder(users()).tokens(private));
    assert!(matches!(error, ConfigError::NoJwtKeys), "{error:?}");
}

/// A mismatch between what is issued and what is accepted names both values.
#[test]
fn a_token_settings_mismatch_names_both_values() {
    let error = build_error(
        Portcullis::builder(users())
            .jwt(jwt_config())
            .tokens(token_config().issuer("https://someone-else.test")),
    );
    let message = error.to_string();
    assert!(
        message.contains("https://someone-else.test") && message.contains(ISSUER),
        "{message}"
    );
    let error = build_error(
        Portcullis::builder(users())
            .jwt(jwt_config())
            .tokens(token_config().audience("another-api")),
    );
    let message = error.to_string();
    assert!(
        message.contains("another-api") && message.contains(AUDIENCE),
        "{message}"
    );
}

#[test]
fn tokens_the_server_would_refuse_are_a_startup_error() {
    let refused = [
        ("issuer", token_config().issuer("https://someone-else.test")),
        (
            "no issuer",
            TokenConfig::hmac(SECRET, Algorithm::HS256).audience(AUDIENCE),
        ),
        ("audience", token_config().audience("another-api")),
        (
            "no audience",
            TokenConfig::hmac(SECRET, Algorithm::HS256).issuer(ISSUER),
        ),
        (
            "secret",
            TokenConfig::hmac(b"another-secret-0123456789-abcdefghij-KLM", Algorithm::HS256)
                .issuer(ISSUER)
                .audience(AUDIENCE),
        ),
        (
            "algorithm",
            TokenConfig::hmac(SECRET, Algorithm::HS512)
                .issuer(ISSUER)
                .audience(AUDIENCE),
        ),
        ("unknown kid", token_config().kid("nobody")),
    ];
    for (what, tokens) in refused {
        let error = build_error(Portcullis::builder(users()).jwt(jwt_config()).tokens(tokens));
        assert!(
            matches!(error, ConfigError::IssuedTokensRejected(_)),
            "{what}: {error:?}"
        );
    }
    // A JWT configuration that only knows a public key cannot verify HMAC-issued tokens.
    let rsa_only = JwtConfig::new()
        .key(JwtKey::pem(RSA_PUBLIC, Algorithm::RS256).with_kid("rsa-1"))
        .issuer(ISSUER)
        .audience(AUDIENCE);
    let error = build_error(Portcullis::builder(users()).jwt(rsa_only).tokens(token_config()));
    assert!(matches!(error, ConfigError::IssuedTokensRejected(_)), "{error:?}");
}

#[test]
fn lifecycle_settings_out_of_range_are_startup_errors() {
    let invalid = [
        (
            "zero access ttl",
            token_builder().tokens(token_config().access_ttl(Duration::ZERO)),
        ),
        (
            "zero refresh ttl",
            token_builder().tokens(token_config().refresh_ttl(Duration::ZERO)),
        ),
        (
            "zero failures",
            token_builder().throttle(ThrottleConfig::new().max_failures(0)),
        ),
        (
            "zero window",
            token_builder().throttle(ThrottleConfig::new().window(Duration::ZERO)),
        ),
        (
            "empty cookie name",
            token_builder().sessions(SessionConfig::new().cookie_name("")),
        ),
        (
            "cookie name with ;",
            token_builder().sessions(SessionConfig::new().cookie_name("a;b")),
        ),
        (
            "zero idle",
            token_builder().sessions(SessionConfig::new().idle_timeout(Duration::ZERO)),
        ),
        (
            "idle above absolute",
            token_builder().sessions(
                SessionConfig::new()
                    .idle_timeout(Duration::from_secs(60))
                    .absolute_timeout(Duration::from_secs(30)),
            ),
        ),
    ];
    for (what, builder) in invalid {
        let error = build_error(builder);
        assert!(matches!(error, ConfigError::Invalid(_)), "{what}: {error:?}");
    }
    // The defaults and a custom cookie name are fine.
    let p = token_builder()
        .sessions(SessionConfig::new().cookie_name("app-sid"))
        .build()
        .unwrap();
    assert_eq!(p.session_cookie_name(), "__Host-app-sid");
}

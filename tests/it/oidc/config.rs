//! Start-up mistakes `build()` reports (`ConfigError::InvalidProvider` naming the
//! issuer, or the overlap with the application's own issuer) before anything is
//! fetched.

use std::time::Duration;

use jsonwebtoken::Algorithm;
use portcullis::identity::{ClaimsMapping, IdentityProvider};
use portcullis::{ConfigError, Portcullis};

use super::API;
use crate::support::{ISSUER, jwt_config};

fn build(provider: IdentityProvider) -> Result<(), ConfigError> {
    Portcullis::claims_only(ClaimsMapping::new())
        .identity_provider(provider)
        .build()
        .map(drop)
}

/// The message of the `InvalidProvider` error `provider` gets; it names `issuer`.
#[track_caller]
fn invalid(provider: IdentityProvider, issuer: &str) -> String {
    match build(provider) {
        Err(ConfigError::InvalidProvider(message)) => {
            let prefix = format!("{issuer}: ");
            assert!(message.starts_with(&prefix), "{message:?} does not name {issuer}");
            message[prefix.len()..].to_owned()
        }
        Err(other) => panic!("another error: {other:?}"),
        Ok(()) => panic!("accepted"),
    }
}

#[track_caller]
fn assert_contains(message: &str, part: &str) {
    assert!(message.contains(part), "{message:?} lacks {part:?}");
}

#[tokio::test]
async fn plain_http_needs_allow_http_on_loopback() {
    let issuer = "http://127.0.0.1:9";
    let message = invalid(IdentityProvider::discover(issuer).audience(API), issuer);
    assert_contains(&message, "plain HTTP");
    assert_contains(&message, "allow_http_on_loopback");
    // Allowed, it builds (nothing listens there: its tokens will be 503).
    build(
        IdentityProvider::discover(issuer)
            .audience(API)
            .allow_http_on_loopback(),
    )
    .unwrap();
    for loopback in [
        "http://localhost:9",
        "http://[::1]:9",
        "http://127.1.2.3:9/realms/x",
    ] {
        let provider = IdentityProvider::discover(loopback).audience(API);
        build(provider.allow_http_on_loopback()).unwrap();
    }
}

#[tokio::test]
async fn plain_http_elsewhere_is_refused_even_when_allowed() {
    for issuer in [
        "http://idp.example.com",
        "http://10.0.0.1:8080",
        "http://127.0.0.1.nip.io",
        "http://localhost.example.com",
        "http://[::ffff:8.8.8.8]",
    ] {
        let provider = IdentityProvider::discover(issuer).audience(API);
        let message = invalid(provider.allow_http_on_loopback(), issuer);
        assert_contains(&message, "not a loopback address");
    }
    // The key-set URL is checked the same way.
    let issuer = "https://idp.example.com";
    let provider = IdentityProvider::jwks_url(issuer, "http://idp.example.com/keys").audience(API);
    let message = invalid(provider.allow_http_on_loopback(), issuer);
    assert_contains(&message, "http://idp.example.com/keys");
    let provider = IdentityProvider::jwks_url(issuer, "http://127.0.0.1:9/keys").audience(API);
    assert_contains(&invalid(provider, issuer), "plain HTTP");
}

#[tokio::test]
async fn other_schemes_and_non_urls_are_refused() {
    for issuer in ["ftp://idp.example.com", "file:///etc/idp", "idp.example.com", ""] {
        let provider = IdentityProvider::discover(issuer).audience(API);
        invalid(provider.allow_http_on_loopback(), issuer);
    }
}

#[tokio::test]
async fn an_audience_is_required() {
    let issuer = "https://idp.example.com";
    let message = invalid(IdentityProvider::discover(issuer), issuer);
    assert_contains(&message, "no audience");
}

#[tokio::test]
async fn intervals_and_algorithms_are_checked() {
    let issuer = "https://idp.example.com";
    let provider = || IdentityProvider::discover(issuer).audience(API);
    let message = invalid(provider().refetch_interval(Duration::from_millis(999)), issuer);
    assert_contains(&message, "at least 1 s");
    let message = invalid(
        provider()
            .refetch_interval(Duration::from_secs(60))
            .refresh_interval(Duration::from_secs(30)),
        issuer,
    );
    assert_contains(&message, "refresh interval");
    for alg in [Algorithm::ES256, Algorithm::HS256, Algorithm::EdDSA] {
        let message = invalid(provider().rsa_algorithms(&[Algorithm::RS256, alg]), issuer);
        assert_contains(&message, "rsa_algorithms");
    }
    let provider = IdentityProvider::jwks_url(issuer, "https://idp.example.com/keys")
        .audience(API)
        .introspection("client", "secret");
    assert_contains(&invalid(provider, issuer), "introspection needs discovery");
}

#[tokio::test]
async fn a_provider_may_not_share_the_applications_issuer() {
    let result = Portcullis::claims_only(ClaimsMapping::new())
        .jwt(jwt_config())
        .identity_provider(IdentityProvider::discover(ISSUER).audience(API))
        .build();
    match result {
        Err(ConfigError::Invalid(message)) => assert_contains(message, "application's own JWT issuer"),
        Err(other) => panic!("another error: {other:?}"),
        Ok(_) => panic!("accepted"),
    }
}

#[test]
fn build_needs_a_tokio_runtime() {
    let issuer = "https://idp.example.com";
    let message = invalid(IdentityProvider::discover(issuer).audience(API), issuer);
    assert_contains(&message, "no tokio runtime");
}

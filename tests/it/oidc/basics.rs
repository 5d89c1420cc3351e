//! A provider's tokens through discovery: the mapped user, the claim checks of
//! RFC 9068 access tokens (no `typ` claim, header `typ` `at+jwt`), and a discovery
//! document that does not name the configured issuer.

use std::time::Duration;

use portcullis::AuthError;
use serde_json::{Value, json};

use super::*;
use crate::support::{assert_unavailable, now};

#[tokio::test]
async fn a_provider_token_gives_the_mapped_user() {
    let key = Key::rsa("idp-1");
    let idp = Fixture::start(&[&key]).await;
    let app = app(&idp, provider(&idp)).await;
    let token = key.token(&with(
        idp.claims("user-7"),
        json!({
            "preferred_username": "ada",
            "roles": ["admin", "staff"],
            "permissions": ["reports:read"],
            "scope": "openid posts:write",
        }),
    ));
    let body = assert_user(&me_with(&app, &token).await, "user-7", &idp.issuer);
    assert_eq!(
        body,
        json!({
            "id": "user-7", "name": "ada", "roles": ["admin", "staff"],
            "permissions": ["reports:read"], "scopes": ["openid", "posts:write"],
            "provider": idp.issuer,
        })
    );
    assert_text(&get_with(&app, "/admin", &token).await, "admin user-7");
    assert_text(&get_with(&app, "/reports", &token).await, "reports user-7");
    assert_text(&get_with(&app, "/write", &token).await, "write user-7");
    // The first fetch was discovery then the key set; verifying fetched nothing more.
    assert_eq!(
        (idp.discovery_hits(), idp.jwks_hits(), idp.other_hits()),
        (1, 1, 0)
    );
}

#[tokio::test]
async fn claims_that_do_not_fit_the_provider_are_refused() {
    let key = Key::rsa("idp-1");
    let idp = Fixture::start(&[&key]).await;
    let app = app(&idp, provider(&idp)).await;
    let changed = |changes: Value| key.token(&with(idp.claims("u"), changes));
    let cases = [
        (json!({"aud": "other-api"}), BAD_AUDIENCE),
        (json!({"aud": null}), BAD_AUDIENCE),
        (json!({"aud": [API, 7]}), BAD_AUDIENCE),
        (json!({"iat": now() - 7200, "exp": now() - 3600}), EXPIRED),
        (json!({"exp": null}), NO_EXPIRY),
        (json!({"sub": null}), NO_SUBJECT),
        (json!({"sub": ""}), NO_SUBJECT),
        // Another issuer, even with this provider's key and kid: not this provider's
        // token, so the application's own keys decide (it has none).
        (json!({"iss": "https://elsewhere.example"}), UNKNOWN_KEY),
        (json!({"iss": null}), UNKNOWN_KEY),
        (json!({"iss": format!("{}/", idp.issuer)}), UNKNOWN_KEY),
        (json!({"iss": [idp.issuer]}), UNKNOWN_KEY),
    ];
    for (changes, message) in cases {
        assert_refused(&me_with(&app, &changed(changes)).await, message);
    }
    // Controls: an audience list naming the API, and expiry within the leeway.
    let r = me_with(&app, &changed(json!({"aud": ["other-api", API]}))).await;
    assert_user(&r, "u", &idp.issuer);
    let r = me_with(&app, &changed(json!({"exp": now() - 5}))).await;
    assert_user(&r, "u", &idp.issuer);
}

#[tokio::test]
async fn rfc_9068_header_types_are_accepted_and_no_typ_claim_is_needed() {
    let key = Key::rsa("idp-1");
    let idp = Fixture::start(&[&key]).await;
    let app = app(&idp, provider(&idp)).await;
    let claims = idp.claims("u");
    assert!(claims.get("typ").is_none());
    for typ in [
        json!("at+jwt"),
        json!("application/at+jwt"),
        json!("JWT"),
        json!("AT+JWT"),
        json!(null),
    ] {
        let token = key.token_with(json!({ "typ": typ }), &claims);
        assert_user(&me_with(&app, &token).await, "u", &idp.issuer);
    }
    for typ in [
        json!("foo"),
        json!("JOSE"),
        json!("at+jwt; v=2"),
        json!(7),
        json!(""),
    ] {
        let token = key.token_with(json!({ "typ": typ }), &claims);
        assert_refused(&me_with(&app, &token).await, BAD_TYP);
    }
    // The application's `typ: "access"` rule is not applied to provider tokens, and a
    // `typ` claim of another value does not matter either.
    let token = key.token(&with(claims, json!({"typ": "Bearer"})));
    assert_user(&me_with(&app, &token).await, "u", &idp.issuer);
}

/// The provider never gets keys: its tokens are 503 with `Retry-After`, and
/// `wait_for_identity_providers` gives up at its deadline.
async fn assert_never_keyed(idp: &Fixture, key: &Key) {
    let auth = build(provider(idp));
    eventually("a discovery attempt", || async { idp.discovery_hits() >= 1 }).await;
    let waited = auth.wait_for_identity_providers(Duration::from_millis(300)).await;
    assert_eq!(waited, Err(AuthError::Unavailable));
    let app = router(auth);
    assert_unavailable(&me_with(&app, &key.token(&idp.claims("u"))).await);
    assert_eq!(idp.jwks_hits(), 0, "the key set was fetched");
}

#[tokio::test]
async fn a_discovery_document_naming_another_issuer_is_refused() {
    let key = Key::rsa("idp-1");
    let idp = Fixture::start(&[&key]).await;
    // A trailing slash is another issuer (OIDC Discovery §4.3: exact match).
    idp.serve_discovery(document_with(&idp, "issuer", json!(format!("{}/", idp.issuer))));
    assert_never_keyed(&idp, &key).await;
}

#[tokio::test]
async fn a_discovery_document_of_another_provider_is_refused() {
    let key = Key::rsa("idp-1");
    let idp = Fixture::start(&[&key]).await;
    idp.serve_discovery(document_with(&idp, "issuer", json!("https://attacker.example")));
    assert_never_keyed(&idp, &key).await;
}

/// The default document with one member changed (`null` removes it).
fn document_with(idp: &Fixture, name: &str, value: Value) -> Answer {
    let mut document = idp.discovery_document();
    match value {
        Value::Null => document.as_object_mut().unwrap().remove(name),
        value => document.as_object_mut().unwrap().insert(name.to_owned(), value),
    };
    Answer::json(&document)
}

#[tokio::test]
async fn unusable_discovery_documents_never_lead_to_keys() {
    let key = Key::rsa("idp-1");
    let variants: [fn(&Fixture) -> Answer; 7] = [
        |idp| document_with(idp, "jwks_uri", json!(null)),
        // Plain HTTP to a host that is not a loopback address.
        |idp| document_with(idp, "jwks_uri", json!("http://keys.example.com/jwks")),
        |idp| document_with(idp, "jwks_uri", json!([idp.jwks_url()])),
        |idp| document_with(idp, "jwks_uri", json!("file:///etc/passwd")),
        |idp| document_with(idp, "issuer", json!(null)),
        |_| Answer::raw(http::StatusCode::OK, "<html>not JSON</html>"),
        |_| Answer::raw(http::StatusCode::NOT_FOUND, "{}"),
    ];
    for variant in variants {
        let idp = Fixture::start(&[&key]).await;
        idp.serve_discovery(variant(&idp));
        assert_never_keyed(&idp, &key).await;
    }
}

#[tokio::test]
async fn a_provider_configured_by_jwks_url_skips_discovery() {
    let key = Key::rsa("idp-1");
    let idp = Fixture::start(&[&key]).await;
    // Discovery would fail: the JWKS URL is used directly.
    idp.serve_discovery(Answer::raw(http::StatusCode::INTERNAL_SERVER_ERROR, "{}"));
    let provider = IdentityProvider::jwks_url(&idp.issuer, idp.jwks_url())
        .audience(API)
        .allow_http_on_loopback();
    let app = app(&idp, provider).await;
    let r = me_with(&app, &key.token(&idp.claims("u"))).await;
    assert_user(&r, "u", &idp.issuer);
    assert_eq!((idp.discovery_hits(), idp.jwks_hits()), (0, 1));
}

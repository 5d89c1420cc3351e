//! Per-provider options: only RFC 9068 access tokens (`require_access_token_type`), and
//! only tokens issued to listed clients (`authorized_party`).

use serde_json::json;

use super::*;

#[tokio::test]
async fn only_at_jwt_tokens_when_the_provider_requires_them() {
    let key = Key::rsa("idp-1");
    let idp = Fixture::start(&[&key]).await;
    let app = app(&idp, provider(&idp).require_access_token_type()).await;
    let claims = idp.claims("u");
    for typ in ["at+jwt", "application/at+jwt", "AT+JWT"] {
        let token = key.token_with(json!({ "typ": typ }), &claims);
        assert_user(&me_with(&app, &token).await, "u", &idp.issuer);
    }
    // An ID token (`JWT`) or a token without `typ`: refused.
    for typ in [json!("JWT"), json!(null)] {
        let token = key.token_with(json!({ "typ": typ }), &claims);
        assert_refused(
            &me_with(&app, &token).await,
            "the token is not an access token (header typ at+jwt)",
        );
    }
}

#[tokio::test]
async fn only_tokens_issued_to_an_authorized_party() {
    let key = Key::rsa("idp-1");
    let idp = Fixture::start(&[&key]).await;
    let app = app(
        &idp,
        provider(&idp)
            .authorized_party("web-app")
            .authorized_party("batch-job"),
    )
    .await;
    let accepted = [
        json!({"azp": "web-app"}),
        json!({"client_id": "batch-job"}),
        json!({"appid": "web-app"}),
    ];
    for party in accepted {
        let token = key.token(&with(idp.claims("u"), party.clone()));
        assert_user(&me_with(&app, &token).await, "u", &idp.issuer);
    }
    let refused = [
        json!({"azp": "another-app"}),
        json!({"client_id": "another-app"}),
        json!({"azp": 7}),
        json!({}),
    ];
    for party in refused {
        let token = key.token(&with(idp.claims("u"), party.clone()));
        assert_refused(
            &me_with(&app, &token).await,
            "the token was issued to a client this server does not accept (azp)",
        );
    }
}

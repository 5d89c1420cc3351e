//! Identity-provider tokens through the verified-token cache: a remembered token is
//! re-verified once the provider's key set is replaced, so a withdrawn key or a kid
//! reused for new key material ends it on the next request; the cut-off of every user
//! ends provider tokens too, a local user's cut-off does not.

use super::*;

async fn cached_app(idp: &Fixture) -> (Portcullis<ClaimsUser>, Router) {
    let auth = Portcullis::claims_only(ClaimsMapping::new())
        .identity_provider(provider(idp))
        .verified_token_cache(64)
        .build()
        .unwrap();
    ready(&auth, &[idp]).await;
    (auth.clone(), router(auth))
}

#[tokio::test]
async fn a_withdrawn_key_ends_its_remembered_tokens() {
    let old = Key::rsa("2024");
    let new = Key::rsa_next("2025");
    let idp = Fixture::start(&[&old, &new]).await;
    let (_, app) = cached_app(&idp).await;
    let old_token = old.token(&idp.claims("old"));
    let new_token = new.token(&idp.claims("new"));
    for _ in 0..2 {
        assert_user(&me_with(&app, &old_token).await, "old", &idp.issuer);
        assert_user(&me_with(&app, &new_token).await, "new", &idp.issuer);
    }
    idp.serve_keys(&[&new]);
    force_refetch(&app, &idp, &new).await;
    assert_refused(&me_with(&app, &old_token).await, UNKNOWN_KEY);
    assert_user(&me_with(&app, &new_token).await, "new", &idp.issuer);
}

#[tokio::test]
async fn a_kid_reused_for_new_key_material_ends_remembered_tokens() {
    let before = Key::rsa("main");
    let after = Key::rsa_next("main");
    let idp = Fixture::start(&[&before]).await;
    let (_, app) = cached_app(&idp).await;
    let old_token = before.token(&idp.claims("u"));
    assert_user(&me_with(&app, &old_token).await, "u", &idp.issuer);
    assert_user(&me_with(&app, &old_token).await, "u", &idp.issuer);
    idp.serve_keys(&[&after]);
    force_refetch(&app, &idp, &after).await;
    assert_refused(&me_with(&app, &old_token).await, BAD_SIGNATURE);
}

#[tokio::test]
async fn only_the_cut_off_of_every_user_ends_provider_tokens() {
    let key = Key::rsa("idp-1");
    let idp = Fixture::start(&[&key]).await;
    let (auth, app) = cached_app(&idp).await;
    let token = key.token(&idp.claims("user-7"));
    assert_user(&me_with(&app, &token).await, "user-7", &idp.issuer);
    // A local user's cut-off: provider subjects are not local user ids.
    auth.revoke_user_credentials(&"user-7".to_owned()).await.unwrap();
    assert_user(&me_with(&app, &token).await, "user-7", &idp.issuer);
    auth.revoke_all_credentials().await.unwrap();
    assert_refused(
        &me_with(&app, &token).await,
        "the credential was revoked with every one issued before it",
    );
    let fresh = key.token(&idp.claims("user-7"));
    assert_user(&me_with(&app, &fresh).await, "user-7", &idp.issuer);
}

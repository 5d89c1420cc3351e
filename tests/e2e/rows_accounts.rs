//! Row groups of accounts and tokens: the access token's claims, `POST /auth/register`,
//! failed logins, and roles that come from the database whatever a token claims.
use serde_json::{Value, json};

use crate::client::{Request, fresh_source};
use crate::jwt::{mint_hs256, verify_hs256};
use crate::server::JWT_SECRET;
use crate::suite::*;

/// The access token carries `sub` (the id as a string), `iss`, `aud`, `typ`, `jti`,
/// `exp`, `iat`, signed HS256 with `PORTCULLIS_JWT_SECRET`.
pub fn access_token_claims(t: &Suite<'_>, alice: &Account) {
    let what = t.at("access-token claims");
    let (header, claims) = verify_hs256(&alice.access, JWT_SECRET);
    assert_eq!(header["alg"], "HS256", "{what}: header {header}");
    assert!(
        header.get("jku").is_none() && header.get("jwk").is_none(),
        "{what}: {header}"
    );
    let sub = claims["sub"]
        .as_str()
        .unwrap_or_else(|| panic!("{what}: sub is a string in {claims}"));
    assert_eq!(
        sub.parse::<i64>().ok(),
        Some(alice.id),
        "{what}: sub is alice's id: {claims}"
    );
    assert_eq!(claims["iss"], ISSUER, "{what}: {claims}");
    let aud_ok = claims["aud"] == AUDIENCE
        || claims["aud"]
            .as_array()
            .is_some_and(|a| a.iter().any(|v| v == AUDIENCE));
    assert!(aud_ok, "{what}: aud {AUDIENCE} in {claims}");
    assert_eq!(claims["typ"], "access", "{what}: {claims}");
    let jti = claims["jti"]
        .as_str()
        .unwrap_or_else(|| panic!("{what}: jti in {claims}"));
    assert!(jti.len() >= 16, "{what}: a random jti: {claims}");
    let iat = claims["iat"]
        .as_i64()
        .unwrap_or_else(|| panic!("{what}: integer iat in {claims}"));
    let exp = claims["exp"]
        .as_i64()
        .unwrap_or_else(|| panic!("{what}: integer exp in {claims}"));
    assert!((iat - now()).abs() <= 60, "{what}: iat is now: {claims}");
    assert_eq!(
        exp - iat,
        ACCESS_TTL,
        "{what}: exp = iat + PORTCULLIS_ACCESS_TTL: {claims}"
    );
    for forbidden in ["roles", "role", "permissions", "password_hash", "email"] {
        assert!(
            claims.get(forbidden).is_none(),
            "{what}: no {forbidden} in {claims}"
        );
    }
    // Two logins give two different jti.
    let (other, _) = t.login(&alice.name, &alice.password);
    let (_, other_claims) = verify_hs256(&other, JWT_SECRET);
    assert_ne!(
        other_claims["jti"], claims["jti"],
        "{what}: a fresh jti per token"
    );
}

/// `POST /auth/register`: 201, 400 (short password, bad e-mail), 409 (taken).
pub fn register_rows(t: &Suite<'_>) {
    let id = t.register("erin", "erin-password-1");
    let erin = t.account("erin", "erin-password-1", "user");
    assert_eq!(erin.id, id, "{}", t.at("the registered id is the user's id"));

    let register = |body: Value| t.send(Request::post("/auth/register").json(&body));
    register(json!({ "username": "frank", "email": "frank@example.com", "password": "short-pw-11" }))
        .expect_error(400, "invalid_input", &t.at("register: an 11-character password"));
    for email in [
        "not-an-email",
        "frank@",
        "@example.com",
        "frank@localhost",
        "fr ank@example.com",
    ] {
        register(json!({ "username": "frank", "email": email, "password": "frank-password-1" }))
            .expect_error(
                400,
                "invalid_input",
                &t.at(&format!("register: bad e-mail {email:?}")),
            );
    }
    register(json!({ "username": "frank" })).expect_error(
        400,
        "invalid_input",
        &t.at("register: missing fields"),
    );
    register(json!({ "username": "erin", "email": "erin2@example.com", "password": "erin-password-2" }))
        .expect_error(409, "conflict", &t.at("register: the user name is taken"));
    register(json!({ "username": "alice", "email": "other@example.com", "password": "alice-password-2" }))
        .expect_error(409, "conflict", &t.at("register: a seed user's name is taken"));
    register(json!({ "username": "erin2", "email": "erin@example.com", "password": "erin-password-2" }))
        .expect_error(409, "conflict", &t.at("register: the e-mail address is taken"));
    // None of the refused registrations created a user.
    t.send(
        Request::post("/auth/login")
            .source(fresh_source())
            .json(&json!({ "username": "frank", "password": "frank-password-1" })),
    )
    .expect(401, &t.at("no user frank after refused registrations"));
    // The original password still works: the 409 did not overwrite erin.
    t.login("erin", "erin-password-1");
}

/// `POST /auth/login`: 401 with the same body for an unknown user and a wrong password.
pub fn login_failures_answer_alike(t: &Suite<'_>, bob: &Account) {
    let unknown = t.send(
        Request::post("/auth/login")
            .source(fresh_source())
            .json(&json!({ "username": "nobody-here", "password": "bob-password-1" })),
    );
    unknown.expect_error(401, "invalid_credentials", &t.at("login: unknown user"));
    let wrong = t.send(
        Request::post("/auth/login")
            .source(fresh_source())
            .json(&json!({ "username": bob.name, "password": "wrong-password-1" })),
    );
    wrong.expect_error(401, "invalid_credentials", &t.at("login: wrong password"));
    assert_eq!(unknown.body, wrong.body, "{}", t.at("the same body for both"));
    assert_eq!(
        unknown.headers_all("www-authenticate"),
        wrong.headers_all("www-authenticate"),
        "{}",
        t.at("the same challenges for both")
    );
    assert!(unknown.json().get("access_token").is_none());
    // The right password still works.
    t.login(&bob.name, &bob.password);
}

/// Roles and permissions come from the database: a token claiming `admin` gives bob
/// nothing more (it is accepted — it is signed with the server's secret — as bob).
pub fn roles_come_from_the_database(t: &Suite<'_>, bob: &Account) {
    let what = t.at("a token claiming the admin role");
    let iat = now();
    let forged = mint_hs256(
        &json!({
            "sub": bob.id.to_string(), "iss": ISSUER, "aud": AUDIENCE, "typ": "access",
            "jti": "e2e-forged-roles-0001", "iat": iat, "exp": iat + 300,
            "roles": ["admin"], "role": "admin", "permissions": ["*", "users:read"], "scope": "admin users:read"
        }),
        JWT_SECRET,
    );
    let body = t.me(Request::get("/me").bearer(&forged), "jwt", &what);
    assert_eq!(
        body["roles"],
        json!(["user"]),
        "{what}: roles from the database: {body}"
    );
    assert_insufficient_scope(&t.send(Request::get("/admin/users").bearer(&forged)), &what);
    assert_insufficient_scope(&t.send(Request::get("/users").bearer(&forged)), &what);

    // A refresh-typed or untyped JWT is not an access token; a wrong secret is refused.
    for (claim, value) in [("typ", json!("refresh")), ("typ", Value::Null)] {
        let mut claims = json!({
            "sub": bob.id.to_string(), "iss": ISSUER, "aud": AUDIENCE,
            "jti": "e2e-typ-0001", "iat": iat, "exp": iat + 300
        });
        if !value.is_null() {
            claims[claim] = value.clone();
        }
        let token = mint_hs256(&claims, JWT_SECRET);
        assert_invalid_token(
            &t.send(Request::get("/me").bearer(&token)),
            &t.at(&format!("/me with typ {value}")),
        );
    }
    let other_secret = mint_hs256(
        &json!({
            "sub": bob.id.to_string(), "iss": ISSUER, "aud": AUDIENCE, "typ": "access",
            "jti": "e2e-secret-0001", "iat": iat, "exp": iat + 300
        }),
        "another-secret-of-more-than-32-bytes-0123456789",
    );
    assert_invalid_token(
        &t.send(Request::get("/me").bearer(&other_secret)),
        &t.at("/me with a token of another secret"),
    );
}

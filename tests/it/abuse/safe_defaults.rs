//! Safe defaults: low-variety HMAC secrets are refused with a hint; the server's own
//! tokens carry `jti` and `iat` and are refused without them; a successful login
//! upgrades an outdated password hash; an inactive account's right password answers
//! like a wrong one.

use portcullis::{Algorithm, ConfigError, JwtConfig, JwtKey, Portcullis};

use crate::support::*;

fn hs256(secret: &[u8]) -> Result<Portcullis<User>, ConfigError> {
    builder(users())
        .jwt(JwtConfig::new().key(JwtKey::hmac(secret, Algorithm::HS256)))
        .build()
}

#[test]
fn low_variety_hmac_secrets_are_refused_with_a_hint() {
    for weak in [
        &b"correct horse battery staple 123"[..], // a 32-character passphrase
        &[b'k'; 64][..],
        &b"abababababababababababababababababababab"[..],
    ] {
        let error = hs256(weak).unwrap_err();
        assert!(matches!(error, ConfigError::LowVarietySecret { .. }), "{error:?}");
        assert!(error.to_string().contains("openssl rand -base64 48"), "{error}");
    }
    // What `openssl rand -base64 48` and `openssl rand -hex 32` print, and raw bytes.
    for strong in [
        &b"q3J0vH8w2mY+T1kPz6cR9sLx4bN7eD5aG0fU2iO8lK1jM3hW6tE9yV4uB7nQ2rS5"[..],
        &b"5f2b9c0e7a1d4e8f3b6c9a2d5e8f1b4c7a0d3e6f9b2c5a8d1e4f7b0c3a6d9e2f"[..],
        &(0..32u8).collect::<Vec<u8>>()[..],
    ] {
        assert!(hs256(strong).is_ok());
    }
}

fn issuing() -> Portcullis<User> {
    builder(users())
        .tokens(
            portcullis::TokenConfig::hmac(SECRET, Algorithm::HS256)
                .issuer(ISSUER)
                .audience(AUDIENCE),
        )
        .build()
        .unwrap()
}

/// The server's own tokens carry `jti` and `iat`; when it issues tokens, a token
/// without them (revocable by nothing, older than any "revoke before") is refused.
#[tokio::test]
async fn own_tokens_without_jti_or_iat_are_refused() {
    let auth = issuing();
    let alice = auth.login("alice", ALICE_PASSWORD, None).await.unwrap().user;
    let pair = auth.issue_tokens(&alice, None).await.unwrap();
    let claims = payload(&pair.access_token);
    assert!(
        claims["jti"].is_string() && claims["iat"].is_u64() && claims["fid"].is_string(),
        "{claims}"
    );
    for missing in ["jti", "iat"] {
        let mut c = crate::support::claims("1");
        c.as_object_mut().unwrap().remove(missing);
        let outcome = crate::support::abuse_suite::verdict(&auth, &crate::support::hs256(&c)).await;
        assert!(outcome.is_err(), "a token without {missing} was accepted");
    }
    let full = crate::support::hs256(&crate::support::claims("1"));
    assert!(
        crate::support::abuse_suite::verdict(&auth, &full)
            .await
            .unwrap()
            .is_some()
    );
}

/// An inactive account with the right password answers like a wrong password, so a
/// guesser cannot tell that the password was right.
#[tokio::test]
async fn an_inactive_accounts_right_password_answers_like_a_wrong_one() {
    let store = users();
    store.insert(User {
        id: 5,
        username: "dormant".into(),
        roles: "user".into(),
        password_hash: Some(portcullis::hash_password("dormant-password").unwrap()),
        active: false,
    });
    let auth = builder(store).build().unwrap();
    let right = auth.login("dormant", "dormant-password", None).await.unwrap_err();
    let wrong = auth.login("dormant", "not-the-password", None).await.unwrap_err();
    assert_eq!(right.to_string(), wrong.to_string());
    assert_eq!(right.status(), http::StatusCode::UNAUTHORIZED);
}

/// A password longer than the cap is refused without hashing it.
#[tokio::test]
async fn overlong_passwords_are_refused_without_hashing() {
    let auth = builder(users()).build().unwrap();
    let long = "x".repeat(64 * 1024);
    let started = std::time::Instant::now();
    let error = auth.login("alice", &long, None).await.unwrap_err();
    assert_eq!(error.status(), http::StatusCode::UNAUTHORIZED);
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
}

/// A user store that records the hashes Portcullis asks it to store.
struct Upgrading {
    users: portcullis::InMemoryUserStore<User>,
    stored: std::sync::Arc<std::sync::Mutex<Vec<(i64, String)>>>,
}

#[portcullis::async_trait]
impl portcullis::UserStore<User> for Upgrading {
    async fn find_by_id(&self, id: &i64) -> Result<Option<User>, portcullis::StoreError> {
        self.users.find_by_id(id).await
    }
    async fn find_by_username(&self, name: &str) -> Result<Option<User>, portcullis::StoreError> {
        self.users.find_by_username(name).await
    }
    async fn find_by_api_key_hash(
        &self,
        hash: &portcullis::ApiKeyHash,
    ) -> Result<Option<User>, portcullis::StoreError> {
        self.users.find_by_api_key_hash(hash).await
    }
    async fn update_password_hash(&self, id: &i64, hash: &str) -> Result<bool, portcullis::StoreError> {
        self.stored.lock().unwrap().push((*id, hash.to_owned()));
        Ok(true)
    }
}

/// A successful login with a hash of outdated parameters stores a new one (the
/// `needs_rehash` that used to be reported and never acted on).
#[tokio::test]
async fn a_login_upgrades_an_outdated_hash() {
    use argon2::PasswordHasher;
    let params = argon2::Params::new(8, 1, 1, None).unwrap();
    let old = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password(
            b"legacy-password-1",
            &argon2::password_hash::SaltString::from_b64("c2FsdHNhbHRzYWx0").unwrap(),
        )
        .unwrap()
        .to_string();
    let users = users();
    users.insert(User {
        id: 6,
        username: "legacy".into(),
        roles: "user".into(),
        password_hash: Some(old),
        active: true,
    });
    let stored = std::sync::Arc::default();
    let store = Upgrading {
        users,
        stored: std::sync::Arc::clone(&stored),
    };
    let auth = builder(store).build().unwrap();
    let logged_in = auth.login("legacy", "legacy-password-1", None).await.unwrap();
    assert!(!logged_in.needs_rehash, "stored, nothing left to do");
    let stored = stored.lock().unwrap().clone();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].0, 6);
    assert!(
        stored[0].1.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{}",
        stored[0].1
    );
    // A current hash is left alone.
    let current = auth.login("alice", ALICE_PASSWORD, None).await.unwrap();
    assert!(!current.needs_rehash);
}

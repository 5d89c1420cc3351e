//! Issue → verify for every algorithm `TokenConfig` signs with and `JwtKey` verifies.

use axum::routing::get;
use axum::{Json, Router};
use http::StatusCode;
use portcullis::{Algorithm, AuthInfo, InMemoryRevocationStore, JwtKey, Portcullis, TokenConfig, auth};
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::support::*;

/// A 64-byte secret (HS512's minimum), random-looking.
const HMAC_SECRET: &[u8] = b"Zq4w9Xr2Lm7Tb1Vn8Kc3Yd6Hs0Jf5Pg2Ra9We4Ux7Io1Qz3Sm8Nb6Vc0Xl5Kt2Yh";

const ALGORITHMS: [Algorithm; 12] = [
    Algorithm::HS256,
    Algorithm::HS384,
    Algorithm::HS512,
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

#[auth(jwt)]
async fn me(user: User, info: AuthInfo) -> Json<Value> {
    Json(json!({"id": user.id, "scopes": info.scopes()}))
}

/// Tokens signed with `alg`, verified with its public key (or the same secret).
fn app(alg: Algorithm) -> (Portcullis<User>, Router) {
    let (private, public): (&[u8], &[u8]) = match alg {
        Algorithm::ES256 => (EC256_PRIVATE, EC256_PUBLIC),
        Algorithm::ES384 => (EC384_PRIVATE, EC384_PUBLIC),
        Algorithm::EdDSA => (ED_PRIVATE, ED_PUBLIC),
        _ => (RSA_PRIVATE, RSA_PUBLIC),
    };
    let tokens = match alg {
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => TokenConfig::hmac(HMAC_SECRET, alg),
        _ => TokenConfig::private_pem(private, alg).unwrap(),
    }
    .issuer(ISSUER)
    .audience(AUDIENCE);
    let mut jwt = tokens.verification();
    if !matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512) {
        jwt = jwt.key(JwtKey::pem(public, alg));
    }
    let auth = Portcullis::builder(users())
        .jwt(jwt)
        .tokens(tokens)
        .revocations(InMemoryRevocationStore::default())
        .build()
        .unwrap();
    let router = Router::new()
        .route("/me", get(me))
        .with_state(AppState { auth: auth.clone() });
    (auth, router)
}

/// A scope: one to four names of letters, digits, `:` and `_`.
fn scope() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec("[a-z0-9_:]{1,12}", 1..=4)
}

#[test]
fn issued_tokens_verify_and_altered_ones_do_not() {
    let rt = crate::runtime();
    let apps: Vec<_> = ALGORITHMS.iter().map(|&alg| (alg, app(alg))).collect();
    let alice = User {
        id: 1,
        username: "alice".into(),
        roles: "admin".into(),
        password_hash: None,
        active: true,
    };
    proptest!(crate::config(8), |(scopes in scope(), flip in any::<proptest::sample::Index>())| {
        for (alg, (auth, router)) in &apps {
            let scope = scopes.join(" ");
            let pair = rt.block_on(auth.issue_tokens(&alice, Some(&scope))).unwrap();
            let header: Value = serde_json::from_slice(&unb64(pair.access_token.split('.').next().unwrap()).unwrap()).unwrap();
            prop_assert_eq!(&header["alg"], &json!(format!("{alg:?}")));
            let r = rt.block_on(send(router, bearer("/me", &pair.access_token)));
            prop_assert_eq!(r.status, StatusCode::OK, "{:?}: {:?}", alg, r.body);
            prop_assert_eq!(r.body, json!({"id": 1, "scopes": scopes}));

            // One byte of the signature changed (decoded, flipped, re-encoded: canonical).
            let (signed, signature) = pair.access_token.rsplit_once('.').unwrap();
            let mut bytes = unb64(signature).unwrap();
            let at = flip.index(bytes.len());
            bytes[at] ^= 0x01;
            let altered = format!("{signed}.{}", b64(&bytes));
            let r = rt.block_on(send(router, bearer("/me", &altered)));
            assert_invalid_token(&r);
            prop_assert!(r.challenges()[0].contains("signature is invalid"), "{:?}: {:?}", alg, r.challenges());
        }
    });
}

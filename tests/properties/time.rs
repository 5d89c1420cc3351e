//! `exp`, `nbf` and `iat` around `now ± leeway`: two seconds inside the leeway (or
//! more) is accepted, two seconds outside (or more) refused. Two seconds of margin:
//! the token is minted at a whole second and checked a moment later.

use axum::Router;
use axum::routing::get;
use http::StatusCode;
use portcullis::{InMemoryRevocationStore, Portcullis, auth};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::time::Duration;

use crate::support::*;

#[auth(jwt)]
async fn me(user: User) -> String {
    user.id.to_string()
}

/// The leeways tried: none, one second, the default, the largest allowed.
const LEEWAYS: [u64; 4] = [0, 1, 30, 60];

fn app(leeway: u64) -> Router {
    let auth = Portcullis::builder(users())
        .jwt(jwt_config().leeway(Duration::from_secs(leeway)))
        .revocations(InMemoryRevocationStore::default())
        .build()
        .unwrap();
    Router::new().route("/me", get(me)).with_state(AppState { auth })
}

/// Which claim is moved, and the refusal that names it.
#[derive(Debug, Clone, Copy)]
enum Claim {
    Exp,
    Nbf,
    Iat,
}

impl Claim {
    /// The claim's value `margin` seconds inside (`inside`) or outside the leeway.
    fn at(self, now: i64, leeway: i64, margin: i64, inside: bool) -> (String, i64) {
        let value = match (self, inside) {
            // Expired when now > exp + leeway.
            (Claim::Exp, true) => now - leeway + margin,
            (Claim::Exp, false) => now - leeway - margin,
            // Not yet valid when now + leeway < nbf; issued in the future when iat > now + leeway.
            (Claim::Nbf | Claim::Iat, true) => now + leeway - margin,
            (Claim::Nbf | Claim::Iat, false) => now + leeway + margin,
        };
        let name = match self {
            Claim::Exp => "exp",
            Claim::Nbf => "nbf",
            Claim::Iat => "iat",
        };
        (name.to_owned(), value)
    }

    fn refusal(self) -> &'static str {
        match self {
            Claim::Exp => "the token has expired",
            Claim::Nbf => "the token is not valid yet (nbf)",
            Claim::Iat => "the token was issued in the future (iat)",
        }
    }
}

fn claim() -> impl Strategy<Value = Claim> {
    prop_oneof![Just(Claim::Exp), Just(Claim::Nbf), Just(Claim::Iat)]
}

#[test]
fn time_claims_around_the_leeway() {
    let rt = crate::runtime();
    let apps: Vec<Router> = LEEWAYS.iter().map(|&l| app(l)).collect();
    // Mostly just past the margin, sometimes far from it.
    let margin = prop_oneof![3 => 2i64..=4, 1 => 2i64..=7200];
    let strategy = (0..LEEWAYS.len(), claim(), margin, any::<bool>());
    proptest!(crate::config(64), |((which, claim, margin, inside) in strategy)| {
        let leeway = LEEWAYS[which] as i64;
        let now = now();
        let mut token: Value = claims("1");
        // A valid lifetime unless `exp` itself is what is tested; `iat` left out
        // unless tested (it would be now).
        token["exp"] = json!(now + 600);
        token.as_object_mut().unwrap().remove("iat");
        let (name, value) = claim.at(now, leeway, margin, inside);
        token[name.as_str()] = json!(value);
        let r = rt.block_on(send(&apps[which], bearer("/me", &hs256(&token))));
        if inside {
            prop_assert_eq!(r.status, StatusCode::OK, "{} = now {:+}, leeway {}: {:?}", name, value - now, leeway, r.body);
            prop_assert_eq!(r.body, json!(1));
        } else {
            assert_invalid_token(&r);
            let expected = format!("error_description=\"{}\"", claim.refusal());
            prop_assert!(r.challenges()[0].contains(&expected), "{} = now {:+}, leeway {}: {:?}", name, value - now, leeway, r.challenges());
        }
    });
}

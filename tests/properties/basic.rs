//! HTTP Basic with arbitrary UTF-8: the first colon splits the user name from the
//! password (which may hold colons); a user name with a control character is refused.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::StatusCode;
use portcullis::PasswordVerifier;
use portcullis::{Portcullis, StoreError, async_trait, auth};
use proptest::prelude::*;
use serde_json::json;

use crate::support::*;

/// What the application's verifier was last asked.
pub type Seen = Arc<Mutex<Option<(String, String)>>>;

/// Accepts every password for user 1 and records the pair it was given.
struct Recorder(Seen);

#[async_trait]
impl PasswordVerifier for Recorder {
    async fn verify(&self, username: &str, password: &str) -> Result<Option<String>, StoreError> {
        *self.0.lock().unwrap() = Some((username.to_owned(), password.to_owned()));
        Ok(Some("1".to_owned()))
    }
}

#[auth(basic)]
async fn me(user: User) -> String {
    user.id.to_string()
}

/// A `/me` route behind Basic, checked by a [`Recorder`].
pub fn app() -> (Router, Seen) {
    let seen = Seen::default();
    let auth = Portcullis::builder(users())
        .jwt(jwt_config())
        .password_verifier(Recorder(seen.clone()))
        .build()
        .unwrap();
    let router = Router::new().route("/me", get(me)).with_state(AppState { auth });
    (router, seen)
}

/// A user name: any characters but `:` and control characters.
pub fn user_name() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[^:\\x00-\\x1f\\x7f-\\u{9f}]{1,16}").unwrap()
}

/// A password: any characters, colons frequent.
pub fn password() -> impl Strategy<Value = String> {
    proptest::collection::vec(prop_oneof![3 => any::<char>(), 1 => Just(':')], 0..24)
        .prop_map(|chars| chars.into_iter().collect())
}

/// `Authorization: Basic <value>`.
pub fn with_basic(value: &str) -> http::Request<axum::body::Body> {
    req("/me")
        .header("authorization", format!("Basic {value}"))
        .empty()
}

#[test]
fn the_first_colon_splits_utf8_credentials() {
    let rt = crate::runtime();
    let (router, seen) = app();
    proptest!(crate::config(64), |(user in user_name(), pass in password())| {
        let encoded = STANDARD.encode(format!("{user}:{pass}"));
        let r = rt.block_on(send(&router, with_basic(&encoded)));
        prop_assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        prop_assert_eq!(r.body, json!(1));
        prop_assert_eq!(seen.lock().unwrap().take(), Some((user, pass)));
    });
}

#[test]
fn a_control_character_in_the_user_name_is_refused() {
    let rt = crate::runtime();
    let (router, seen) = app();
    let control = prop_oneof![0u32..0x20, 0x7fu32..0xa0].prop_map(|c| char::from_u32(c).unwrap());
    proptest!(crate::config(32), |(user in user_name(), at in any::<proptest::sample::Index>(), c in control, pass in password())| {
        let mut chars: Vec<char> = user.chars().collect();
        chars.insert(at.index(chars.len() + 1), c);
        let user: String = chars.into_iter().collect();
        let encoded = STANDARD.encode(format!("{user}:{pass}"));
        let r = rt.block_on(send(&router, with_basic(&encoded)));
        expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_request");
        prop_assert_eq!(seen.lock().unwrap().take(), None, "the verifier was not asked");
    });
}

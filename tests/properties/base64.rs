//! The base64 the parsers must refuse. Basic (`credentials.rs`) decodes the standard
//! alphabet with canonical padding and no stray bits; a JWT's segments
//! (`jwt/compact.rs`) are unpadded base64url, also without stray bits. Each variant
//! of a valid credential gets 401 `invalid_request`, the credential itself 200.

use axum::Router;
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::StatusCode;
use portcullis::{InMemoryRevocationStore, auth};
use proptest::prelude::*;
use serde_json::json;

use crate::basic::{app as basic_app, password, user_name, with_basic};
use crate::support::*;

#[derive(Debug, Clone, Copy)]
enum Variant {
    /// `-` and `_` for `+` and `/` (Basic), or the reverse (JWT).
    OtherAlphabet,
    /// The `=` padding removed (Basic).
    MissingPadding,
    /// `=` padding added: one too many (Basic), or any (JWT).
    ExtraPadding,
    /// A space or a tab inside.
    Whitespace { tab: bool },
    /// A bit set in the last character's unused low bits (non-canonical).
    TrailingBits,
}

fn variant() -> impl Strategy<Value = Variant> {
    prop_oneof![
        Just(Variant::OtherAlphabet),
        Just(Variant::MissingPadding),
        Just(Variant::ExtraPadding),
        any::<bool>().prop_map(|tab| Variant::Whitespace { tab }),
        Just(Variant::TrailingBits),
    ]
}

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// Sets the lowest bit of the last data character of `text` (its length without
/// padding, `data_len`, leaves 2 or 4 unused bits there), keeping its alphabet.
fn set_unused_bit(text: &str, data_len: usize, url_safe: bool) -> Option<String> {
    if data_len % 4 < 2 {
        return None;
    }
    let last = text.as_bytes()[data_len - 1];
    let value = match last {
        b'+' | b'-' => 62,
        b'/' | b'_' => 63,
        c => ALPHABET.iter().position(|&a| a == c)?,
    };
    let bumped = match value | 1 {
        62 if url_safe => '-',
        62 => '+',
        63 if url_safe => '_',
        63 => '/',
        v => char::from(ALPHABET[v]),
    };
    let mut out = text.to_owned();
    out.replace_range(data_len - 1..data_len, &bumped.to_string());
    Some(out)
}

fn whitespace(text: &str, at: usize, tab: bool) -> Option<String> {
    if text.len() < 2 {
        return None;
    }
    let mut out = text.to_owned();
    out.insert(1 + at % (text.len() - 1), if tab { '\t' } else { ' ' });
    Some(out)
}

/// The variant of a standard base64 encoding, or `None` when it does not apply.
fn basic_variant(encoded: &str, variant: Variant, at: usize) -> Option<String> {
    let data_len = encoded.trim_end_matches('=').len();
    match variant {
        Variant::OtherAlphabet if encoded.contains(['+', '/']) => {
            Some(encoded.replace('+', "-").replace('/', "_"))
        }
        Variant::MissingPadding if data_len < encoded.len() => Some(encoded[..data_len].to_owned()),
        Variant::ExtraPadding => Some(format!("{encoded}=")),
        Variant::Whitespace { tab } => whitespace(encoded, at, tab),
        Variant::TrailingBits => set_unused_bit(encoded, data_len, false),
        _ => None,
    }
}

/// The variant of one unpadded base64url segment, or `None` when it does not apply.
fn jwt_variant(segment: &str, variant: Variant, at: usize) -> Option<String> {
    match variant {
        Variant::OtherAlphabet if segment.contains(['-', '_']) => {
            Some(segment.replace('-', "+").replace('_', "/"))
        }
        Variant::ExtraPadding if !segment.len().is_multiple_of(4) => {
            Some(format!("{segment}{}", "=".repeat(4 - segment.len() % 4)))
        }
        Variant::Whitespace { tab } => whitespace(segment, at, tab),
        Variant::TrailingBits => set_unused_bit(segment, segment.len(), true),
        _ => None,
    }
}

#[test]
fn basic_refuses_every_variant_of_its_base64() {
    let rt = crate::runtime();
    let (router, _) = basic_app();
    proptest!(crate::config(64), |(user in user_name(), pass in password(), variant in variant(), at in any::<usize>())| {
        let encoded = STANDARD.encode(format!("{user}:{pass}"));
        let changed = basic_variant(&encoded, variant, at);
        prop_assume!(changed.is_some());
        let r = rt.block_on(send(&router, with_basic(&encoded)));
        prop_assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let r = rt.block_on(send(&router, with_basic(&changed.unwrap())));
        expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_request");
    });
}

#[auth(jwt)]
async fn me(user: User) -> String {
    user.id.to_string()
}

#[test]
fn jwt_segments_refuse_every_variant_of_base64url() {
    let rt = crate::runtime();
    let auth = builder(users())
        .revocations(InMemoryRevocationStore::default())
        .build()
        .unwrap();
    let router: Router = Router::new().route("/me", get(me)).with_state(AppState { auth });
    let strategy = ("\\PC{0,40}", 0..3usize, variant(), any::<usize>());
    proptest!(crate::config(64), |((note, segment, variant, at) in strategy)| {
        let mut claims = claims("1");
        claims["note"] = json!(note);
        let token = hs256(&claims);
        let mut segments: Vec<String> = token.split('.').map(str::to_owned).collect();
        let changed = jwt_variant(&segments[segment], variant, at);
        prop_assume!(changed.is_some());
        let r = rt.block_on(send(&router, bearer("/me", &token)));
        prop_assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        segments[segment] = changed.unwrap();
        let r = rt.block_on(send(&router, bearer("/me", &segments.join("."))));
        expect_error(&r, StatusCode::UNAUTHORIZED, "invalid_request");
    });
}

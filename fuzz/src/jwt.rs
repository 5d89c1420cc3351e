//! The whole JWT verification path with the fixed key set: tokens are built from a
//! structured input (`arbitrary`) and signed with the gate's own keys, so that the
//! checks after the signature (header, claims, time, audience, issuer, type, realm,
//! revocation, user) are reached, not only the parser; or taken verbatim.

use arbitrary::{Arbitrary, Unstructured};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::Method;
use http::header::{AUTHORIZATION, COOKIE};
use serde_json::{Map, Value, json};

use crate::gate::{self, AUDIENCE, ISSUER, KEYS};

#[derive(Arbitrary, Debug)]
enum Input {
    /// A token as given (with `{token}` replaced).
    Raw(Vec<u8>, Place),
    /// A header and claims built from choices, signed by a key of the set.
    Built {
        header: Box<Header>,
        claims: Box<Claims>,
        key: u8,
        tamper: Tamper,
        place: Place,
    },
    /// A header and claims as given (any bytes), signed by a key of the set.
    Signed {
        header: Vec<u8>,
        claims: Vec<u8>,
        key: u8,
        place: Place,
    },
}

#[derive(Arbitrary, Debug)]
enum Place {
    Bearer,
    Cookie,
    Query,
}

#[derive(Arbitrary, Debug)]
struct Header {
    alg: Alg,
    kid: Kid,
    typ: Field,
    extra: Vec<(String, Field)>,
}

#[derive(Arbitrary, Debug)]
enum Alg {
    /// The signing key's algorithm.
    Own,
    /// One of [`ALGS`].
    Named(u8),
    Other(String),
    Absent,
    NotAString(Field),
}

#[derive(Arbitrary, Debug)]
enum Kid {
    Own,
    OtherKey(u8),
    Absent,
    Other(Field),
}

#[derive(Arbitrary, Debug)]
struct Claims {
    sub: Field,
    iss: Field,
    aud: Field,
    exp: Time,
    nbf: Time,
    iat: Time,
    typ: Field,
    jti: Field,
    extra: Vec<(String, Field)>,
}

/// A claim's value: the expected one, absent, or something else.
#[derive(Arbitrary, Debug)]
enum Field {
    Good,
    Absent,
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<String>),
    Object(Vec<(String, String)>),
}

#[derive(Arbitrary, Debug)]
enum Time {
    /// Seconds from now.
    Offset(i32),
    At(i64),
    Float(f64),
    Absent,
    Other(Field),
}

#[derive(Arbitrary, Debug)]
enum Tamper {
    None,
    FlipSignatureBit(u16),
    DropSignature,
    /// The signature of another key of the set.
    SignWith(u8),
    /// Padding, whitespace or a fourth segment appended.
    Append(String),
}

const ALGS: [&str; 14] = [
    "none", "None", "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA",
    "hs256", "ES256K",
];

/// See the module documentation; the first byte-level split is `arbitrary`'s.
pub fn jwt(data: &[u8]) {
    let Ok(input) = Input::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let (token, place) = match input {
        Input::Raw(bytes, place) => (gate::substitute(&bytes), place),
        Input::Built {
            header,
            claims,
            key,
            tamper,
            place,
        } => (built(&header, &claims, key, tamper).into_bytes(), place),
        Input::Signed {
            header,
            claims,
            key,
            place,
        } => (signed(&header, &claims, key, None).into_bytes(), place),
    };
    let parts = match place {
        Place::Bearer => {
            let mut value = b"Bearer ".to_vec();
            value.extend_from_slice(&token);
            gate::head(Method::GET, "/", &[(AUTHORIZATION, &value)])
        }
        Place::Cookie => {
            let mut value = format!("{}=", gate::TOKEN_COOKIE).into_bytes();
            value.extend_from_slice(&token);
            gate::head(Method::GET, "/", &[(COOKIE, &value)])
        }
        Place::Query => {
            let uri = format!("/?{}={}", gate::TOKEN_QUERY, String::from_utf8_lossy(&token));
            gate::head(Method::GET, &uri, &[])
        }
    };
    gate::authenticate(&parts);
}

fn built(header: &Header, claims: &Claims, key: u8, tamper: Tamper) -> String {
    let (alg, _, _) = KEYS[usize::from(key) % KEYS.len()];
    let mut h = Map::new();
    match &header.alg {
        Alg::Own => put(&mut h, "alg", Some(json!(format!("{alg:?}")))),
        Alg::Named(name) => put(&mut h, "alg", Some(json!(ALGS[usize::from(*name) % ALGS.len()]))),
        Alg::Other(name) => put(&mut h, "alg", Some(json!(name))),
        Alg::Absent => {}
        Alg::NotAString(field) => put(&mut h, "alg", field.value(json!("HS256"))),
    }
    match &header.kid {
        Kid::Own => put(&mut h, "kid", Some(json!(gate::kid(alg)))),
        Kid::OtherKey(other) => put(
            &mut h,
            "kid",
            Some(json!(gate::kid(KEYS[usize::from(*other) % KEYS.len()].0))),
        ),
        Kid::Absent => {}
        Kid::Other(field) => put(&mut h, "kid", field.value(json!(gate::kid(alg)))),
    }
    put(&mut h, "typ", header.typ.value(json!("JWT")));
    for (name, field) in header.extra.iter().take(8) {
        put(&mut h, name, field.value(json!("x")));
    }

    let now = gate::now();
    let mut c = Map::new();
    put(&mut c, "sub", claims.sub.value(json!("1")));
    put(&mut c, "iss", claims.iss.value(json!(ISSUER)));
    put(&mut c, "aud", claims.aud.value(json!(AUDIENCE)));
    put(&mut c, "exp", claims.exp.value(now, 3600));
    put(&mut c, "nbf", claims.nbf.value(now, -60));
    put(&mut c, "iat", claims.iat.value(now, 0));
    put(&mut c, "typ", claims.typ.value(json!("access")));
    put(&mut c, "jti", claims.jti.value(json!("fuzz-jti")));
    for (name, field) in claims.extra.iter().take(8) {
        put(&mut c, name, field.value(json!("x")));
    }
    let header = serde_json::to_vec(&h).expect("JSON");
    let claims = serde_json::to_vec(&c).expect("JSON");
    match tamper {
        Tamper::None => signed(&header, &claims, key, None),
        Tamper::FlipSignatureBit(bit) => {
            let token = signed(&header, &claims, key, None);
            let (message, signature) = token.rsplit_once('.').expect("three segments");
            let mut signature = URL_SAFE_NO_PAD.decode(signature).unwrap_or_default();
            if !signature.is_empty() {
                let index = usize::from(bit / 8) % signature.len();
                signature[index] ^= 1 << (bit % 8);
            }
            format!("{message}.{}", URL_SAFE_NO_PAD.encode(signature))
        }
        Tamper::DropSignature => {
            let token = signed(&header, &claims, key, None);
            let message = token.rsplit_once('.').expect("three segments").0;
            format!("{message}.")
        }
        Tamper::SignWith(other) => signed(&header, &claims, key, Some(other)),
        Tamper::Append(tail) => signed(&header, &claims, key, None) + &tail,
    }
}

/// `header.claims.signature`, signed by key `key` of the set (or `other`).
fn signed(header: &[u8], claims: &[u8], key: u8, other: Option<u8>) -> String {
    let message = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims)
    );
    let (alg, private, _) = KEYS[usize::from(other.unwrap_or(key)) % KEYS.len()];
    let signature = jsonwebtoken::crypto::sign(message.as_bytes(), &gate::encoding_key(alg, private), alg)
        .expect("signing");
    format!("{message}.{signature}")
}

fn put(map: &mut Map<String, Value>, name: &str, value: Option<Value>) {
    if let Some(value) = value {
        map.insert(name.to_owned(), value);
    }
}

impl Field {
    fn value(&self, good: Value) -> Option<Value> {
        Some(match self {
            Field::Good => good,
            Field::Absent => return None,
            Field::Null => Value::Null,
            Field::Bool(b) => json!(b),
            Field::Int(n) => json!(n),
            Field::Float(x) => json!(x),
            Field::Str(s) => json!(s),
            Field::List(items) => json!(items),
            Field::Object(pairs) => Value::Object(pairs.iter().map(|(k, v)| (k.clone(), json!(v))).collect()),
        })
    }
}

impl Time {
    fn value(&self, now: i64, good: i64) -> Option<Value> {
        match self {
            Time::Offset(seconds) => Some(json!(now.saturating_add(i64::from(*seconds)))),
            Time::At(at) => Some(json!(at)),
            Time::Float(x) => Some(json!(x)),
            Time::Absent => None,
            Time::Other(field) => field.value(json!(now + good)),
        }
    }
}

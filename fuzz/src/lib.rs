//! The fuzz targets' bodies, one `pub fn <target>(data: &[u8])` each: the
//! `fuzz_targets/*.rs` binaries (libFuzzer, `cargo fuzz run <target>`) and the corpus
//! replay test (`tests/replay.rs`, every file of `corpus/<target>/`) call the same
//! function. A target returns on every input; a panic, a hang or an unbounded
//! allocation is a finding.
//!
//! The request targets authenticate a request head made from the input through one
//! gate with every built-in scheme (`gate.rs`). In their inputs `{token}`, `{session}`
//! and `{csrf}` stand for a valid access token, a live session id and its CSRF token,
//! so that the paths past verification are reached too.

pub mod gate;
mod jwt;
mod require;
mod stack;
#[path = "../../auth-macros/src/suggest.rs"]
mod suggest;

use http::Method;
use http::header::{AUTHORIZATION, COOKIE, HeaderName, ORIGIN};

pub use jwt::jwt;
pub use require::require_expr;
pub use stack::report_stack_overflows;

/// `Authorization` headers (Bearer, Basic, anything else): one per input line.
pub fn authorization(data: &[u8]) {
    let data = gate::substitute(data);
    let headers: Vec<_> = data
        .split(|&b| b == b'\n')
        .map(|line| (AUTHORIZATION, line))
        .collect();
    gate::authenticate(&gate::head(Method::GET, "/", &headers));
}

/// `Cookie` headers (session ids, the token cookie): one per input line after the
/// first; the first line picks the method (`GET`, else an unsafe `POST`) and the
/// `Origin` and `X-CSRF-Token` the same-site and CSRF checks read (`origin|csrf`).
pub fn cookies(data: &[u8]) {
    let data = gate::substitute(data);
    let mut lines = data.split(|&b| b == b'\n');
    let first = lines.next().unwrap_or_default();
    let (method, first) = match first.strip_prefix(b"GET ") {
        Some(rest) => (Method::GET, rest),
        None => (Method::POST, first),
    };
    let mut fields = first.splitn(2, |&b| b == b'|');
    let origin = fields.next().unwrap_or_default();
    let csrf = fields.next();
    let mut headers = vec![(ORIGIN, origin)];
    if let Some(csrf) = csrf {
        headers.push((HeaderName::from_static("x-csrf-token"), csrf));
    }
    headers.extend(lines.map(|line| (COOKIE, line)));
    gate::authenticate(&gate::head(method, "/", &headers));
}

/// API keys: the first input line is the request target (path and query: `?api_key=`,
/// `?access_token=`), each further line an `X-API-Key` header.
pub fn api_key(data: &[u8]) {
    let data = gate::substitute(data);
    let mut lines = data.split(|&b| b == b'\n');
    let target = String::from_utf8_lossy(lines.next().unwrap_or_default()).into_owned();
    let target = if target.starts_with('/') {
        target
    } else {
        format!("/{target}")
    };
    let name = HeaderName::from_static("x-api-key");
    let headers: Vec<_> = lines.map(|line| (name.clone(), line)).collect();
    gate::authenticate(&gate::head(Method::GET, &target, &headers));
}

/// JWKS documents: the lenient reader of identity providers' key sets, and the
/// strict one of `JwtKey::jwks_json`/`jwk_json` with each key built for checking.
pub fn jwks(data: &[u8]) {
    use portcullis::jsonwebtoken::Algorithm;
    let _ = portcullis_runtime::fuzzing::provider_key_set(data, &[Algorithm::RS256, Algorithm::PS256]);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(keys) = portcullis::JwtKey::jwks_json(text) {
        for key in keys {
            let _ = key.signature_check();
        }
    }
    if let Ok(key) = portcullis::JwtKey::jwk_json(text) {
        let _ = key.signature_check();
    }
}

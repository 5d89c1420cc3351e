//! What the benchmarks share: the tokens' settings and the pinned `jsonwebtoken`
//! validation that the hand-written extractors use (included with `#[path]`).

use jsonwebtoken::{Algorithm, Validation};

pub const SECRET: &[u8] = b"bench-secret-0123456789-abcdefghijklmnop";
pub const ISSUER: &str = "bench-issuer";
pub const AUDIENCE: &str = "bench-api";

/// What people write by hand: the algorithm pinned, issuer, audience and the
/// registered claims required, 30 s of leeway.
pub fn validation(alg: Algorithm) -> Validation {
    let mut v = Validation::new(alg);
    v.set_issuer(&[ISSUER]);
    v.set_audience(&[AUDIENCE]);
    v.set_required_spec_claims(&["exp", "sub", "iss", "aud"]);
    v.leeway = 30;
    v
}

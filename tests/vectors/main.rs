//! Standard vectors, kept as data beside this file, run through the code Portcullis
//! verifies tokens with ([`portcullis::SignatureCheck`]: the key built as the
//! builder builds it, the compact parser of the token path, the same `aws-lc-rs`
//! verification):
//!
//! * `rfc/jws_examples.json`: RFC 7515 appendix A, RFC 7520 §4, RFC 8037 A.4 ([`rfc`]);
//! * `wycheproof/json_web_signature_test.json`: Wycheproof's JWS vectors ([`jws`]);
//! * `wycheproof/{ecdsa,ed25519,rsa,hmac}_*.json`: Wycheproof's vectors of the
//!   primitives behind ES256/ES384, EdDSA, RS*/PS*, HS* ([`primitives`]).
//!
//! Every file's counts (valid verified, invalid refused, refused for a documented
//! reason) are printed (`--nocapture`) and asserted: nothing is skipped silently.
//! `docs/RELIABILITY.md` lists them and says why each documented refusal is right.

mod jws;
mod primitives;
mod rfc;
mod tally;

//! The verified-token cache (opt-in, [`PortcullisBuilder::verified_token_cache`]): a
//! token whose signature and claims were verified is remembered, keyed by the SHA-256
//! of the whole token, until its `exp` at the latest. A repeated token then skips
//! parsing, the signature and the claim checks; revocation (`jti`, family, cut-offs),
//! user loading and the handler's requirements still run on every request, after it.
//!
//! Bounded: at most `capacity` tokens, evicted by `quick_cache` (S3-FIFO: a flood of
//! tokens seen once does not push out the ones in use). An identity provider's token
//! is remembered with the key set that verified it and re-verified once that set is
//! replaced (a key the provider withdrew stops working on the next request).
//!
//! [`PortcullisBuilder::verified_token_cache`]: crate::PortcullisBuilder::verified_token_cache

use std::sync::Arc;

use quick_cache::sync::Cache;
use sha2::{Digest, Sha256};

use super::claims::Claims;
use super::keys::KeySet;

/// What a verified token proved.
#[derive(Clone)]
pub(crate) struct Remembered {
    pub(crate) claims: Claims,
    /// The identity provider that vouched for it (its index), none for the
    /// application's own tokens.
    pub(crate) provider: Option<usize>,
    /// The provider's key set it was verified with.
    pub(crate) keys: Option<Arc<KeySet>>,
    /// Its `exp` (seconds since the epoch): never used at or after it.
    pub(crate) expires: f64,
}

/// The SHA-256 of a token: the cache never holds the token itself.
pub(crate) type TokenDigest = [u8; 32];

pub(crate) fn digest(token: &str) -> TokenDigest {
    Sha256::digest(token.as_bytes()).into()
}

pub(crate) struct VerifiedTokens {
    cache: Cache<TokenDigest, Remembered>,
}

impl VerifiedTokens {
    pub(crate) fn new(capacity: usize) -> Self {
        VerifiedTokens {
            cache: Cache::new(capacity),
        }
    }

    /// The verdict on `token` if it is remembered and not expired at `now`.
    pub(crate) fn get(&self, token: &TokenDigest, now: f64) -> Option<Remembered> {
        let remembered = self.cache.get(token)?;
        if now < remembered.expires {
            return Some(remembered);
        }
        self.cache.remove(token);
        None
    }

    pub(crate) fn insert(&self, token: TokenDigest, remembered: Remembered) {
        self.cache.insert(token, remembered);
    }

    pub(crate) fn forget(&self, token: &TokenDigest) {
        self.cache.remove(token);
    }
}

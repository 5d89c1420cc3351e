//! API-key hashing.

use sha2::{Digest, Sha256};

use crate::store::ApiKeyHash;

/// The SHA-256 of an API key: what stores keep and look up.
///
/// ```
/// let hash = portcullis::hash_api_key("pk_live_0123456789");
/// assert_eq!(hash.len(), 32);
/// assert_ne!(hash, portcullis::hash_api_key("pk_live_0123456788"));
/// ```
pub fn hash_api_key(key: &str) -> ApiKeyHash {
    Sha256::digest(key.as_bytes()).into()
}

//! Random secrets (refresh tokens, session ids, CSRF tokens) and their stored hashes.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::error::AuthError;

/// SHA-256 of a refresh token or session id.
pub type SecretHash = [u8; 32];

/// SHA-256 of an API key: the only form in which keys are stored and looked up.
pub type ApiKeyHash = [u8; 32];

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

/// Length of the base64url text of a 256-bit secret.
pub(crate) const SECRET_TEXT_LEN: usize = 43;

/// 256 random bits as base64url text.
pub(crate) fn random_secret() -> Result<String, AuthError> {
    let mut bytes = [0u8; 32];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| AuthError::Unavailable)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// The SHA-256 a store keeps instead of the secret.
pub(crate) fn hash_secret(secret: &str) -> SecretHash {
    Sha256::digest(secret.as_bytes()).into()
}

/// The public handle of a refresh family: the key of its record in the refresh store
/// and the `fid` claim of the access tokens issued in it. A hash of the family's
/// secret part, so neither a store nor an access token reveals a usable refresh token.
pub(crate) fn family_handle(family: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"portcullis refresh family\n");
    hasher.update(family);
    URL_SAFE_NO_PAD.encode(hasher.finalize())
}

/// The revocation-store key that ends every access token of the family `fid`.
pub(crate) fn family_revocation_key(fid: &str) -> String {
    format!("family:{fid}")
}

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

/// A freshly generated API key: [`key`](Self::key) to show the user once,
/// [`hash`](Self::hash) to store. `Debug` never prints the key.
///
/// ```
/// let generated = portcullis::generate_api_key("pk_live_").unwrap();
/// assert!(generated.key().starts_with("pk_live_"));
/// assert_eq!(generated.hash(), portcullis::hash_api_key(generated.key()));
/// assert!(!format!("{generated:?}").contains(generated.key()));
/// ```
pub struct GeneratedApiKey {
    key: String,
    hash: ApiKeyHash,
}

impl GeneratedApiKey {
    /// The key: show it once, never store it.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Its SHA-256, what the store keeps and looks up.
    pub fn hash(&self) -> ApiKeyHash {
        self.hash
    }

    /// The key, consuming the value (to put it in the response).
    pub fn into_key(self) -> String {
        self.key
    }
}

impl std::fmt::Debug for GeneratedApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeneratedApiKey").finish_non_exhaustive()
    }
}

/// A new API key: `prefix` (up to 16 ASCII letters, digits, `_` or `-`, e.g.
/// `pk_live_`, so that leaked keys are recognisable) followed by 256 random bits in
/// base64url, and its hash to store.
///
/// # Errors
/// A 400 input error (`invalid_input`) for a bad prefix; 503 when the system has no
/// randomness.
pub fn generate_api_key(prefix: &str) -> Result<GeneratedApiKey, AuthError> {
    if prefix.len() > 16
        || !prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(AuthError::input(
            http::StatusCode::BAD_REQUEST,
            "invalid_input",
            "an API key prefix has at most 16 ASCII letters, digits, '_' or '-'",
        ));
    }
    let key = format!("{prefix}{}", random_secret()?);
    let hash = hash_api_key(&key);
    Ok(GeneratedApiKey { key, hash })
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

/// A refresh token as sent: base64url of the family's 256 random bits, the
/// generation (8 bytes, big-endian) and the token's own 256 random bits — 96 opaque
/// characters, no dots (never mistaken for a JWT). Only its hash and the family's
/// handle are stored.
pub(crate) struct RefreshToken {
    family: [u8; 32],
    pub(crate) generation: u64,
}

impl RefreshToken {
    /// The text length of every refresh token.
    const TEXT_LEN: usize = 96;

    pub(crate) fn new_family() -> Result<Self, AuthError> {
        let mut family = [0u8; 32];
        aws_lc_rs::rand::fill(&mut family).map_err(|_| AuthError::Unavailable)?;
        Ok(RefreshToken {
            family,
            generation: 0,
        })
    }

    /// A fresh token of this family at `generation`.
    pub(crate) fn text(&self, generation: u64) -> Result<String, AuthError> {
        let mut bytes = [0u8; 72];
        bytes[..32].copy_from_slice(&self.family);
        bytes[32..40].copy_from_slice(&generation.to_be_bytes());
        aws_lc_rs::rand::fill(&mut bytes[40..]).map_err(|_| AuthError::Unavailable)?;
        Ok(URL_SAFE_NO_PAD.encode(bytes))
    }

    pub(crate) fn parse(text: &str) -> Option<Self> {
        if text.len() != Self::TEXT_LEN {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
        let bytes: [u8; 72] = bytes.try_into().ok()?;
        let mut family = [0u8; 32];
        family.copy_from_slice(&bytes[..32]);
        let mut generation = [0u8; 8];
        generation.copy_from_slice(&bytes[32..40]);
        Some(RefreshToken {
            family,
            generation: u64::from_be_bytes(generation),
        })
    }

    /// The family's public handle (store key, `fid` claim).
    pub(crate) fn handle(&self) -> String {
        family_handle(&self.family)
    }
}

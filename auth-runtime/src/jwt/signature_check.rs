//! One configured key checking signatures on its own, exactly as a token's signature
//! is checked: for standard test vectors and detached signatures, never for
//! authentication (no claim is looked at).

use super::DEFAULT_MAX_TOKEN_BYTES;
use super::compact::Signed;
use super::keys::{JwtKey, VerifyingKey};
use crate::error::{AuthError, ConfigError};
use jsonwebtoken::Algorithm;

/// A [`JwtKey`] built once (validated like the builder validates it) that checks
/// signatures with the same parsed key and the same `aws-lc-rs` algorithms as the
/// token path. It reads no claims: it answers whether a signature is right, which
/// is what standard test vectors (RFC 7515, RFC 7520, Wycheproof) ask.
///
/// ```
/// use portcullis::{Algorithm, JwtKey};
/// # portcullis::install_crypto_provider();
/// let secret = b"k7Hq2vX9pLm4Rt8Wz3Yc6Nb1Jd5Fg0Sa";
/// let check = JwtKey::hmac(secret, Algorithm::HS256).signature_check().unwrap();
/// let token = jsonwebtoken::encode(
///     &jsonwebtoken::Header::new(Algorithm::HS256),
///     &serde_json::json!({"sub": "1"}),
///     &jsonwebtoken::EncodingKey::from_secret(secret),
/// )
/// .unwrap();
/// assert_eq!(check.verify_compact(&token).unwrap(), br#"{"sub":"1"}"#);
/// assert!(check.verify_compact(&format!("{token}x")).is_err());
/// ```
pub struct SignatureCheck {
    key: VerifyingKey,
}

impl std::fmt::Debug for SignatureCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        f.debug_struct("SignatureCheck").finish_non_exhaustive()
    }
}

impl JwtKey {
    /// Builds this key alone, with the checks of
    /// [`PortcullisBuilder::build`](crate::PortcullisBuilder::build), into a
    /// [`SignatureCheck`].
    ///
    /// # Errors
    /// The [`ConfigError`] the builder would return for this key (weak secret,
    /// RSA key under 2048 bits, algorithm of another family, malformed key).
    ///
    /// ```
    /// use portcullis::{Algorithm, JwtKey};
    /// # portcullis::install_crypto_provider();
    /// assert!(JwtKey::hmac(b"short", Algorithm::HS256).signature_check().is_err());
    /// ```
    pub fn signature_check(&self) -> Result<SignatureCheck, ConfigError> {
        Ok(SignatureCheck { key: self.build()? })
    }
}

impl SignatureCheck {
    /// Whether `signature` is a valid `alg` signature of `message` with this key;
    /// `false` also when `alg` is not one the key allows.
    ///
    /// ```
    /// use portcullis::{Algorithm, JwtKey};
    /// # portcullis::install_crypto_provider();
    /// let check = JwtKey::pem(include_bytes!("../../../tests/keys/ec256.pub.pem"), Algorithm::ES256)
    ///     .signature_check()
    ///     .unwrap();
    /// assert!(!check.verify(Algorithm::ES256, b"message", &[0; 64]));
    /// assert!(!check.verify(Algorithm::ES384, b"message", &[0; 96]));
    /// ```
    pub fn verify(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> bool {
        self.key.verify(alg, message, signature) == Some(true)
    }

    /// Checks a JWS in compact serialization as a token is checked (at most
    /// [`DEFAULT_MAX_TOKEN_BYTES`], strict unpadded base64url segments, the header's
    /// rules: `alg` a supported algorithm and not `none`, `typ` absent, `JWT` or `at+jwt`,
    /// no `jku`/`jwk`/`x5u`/`x5c`/`crit`)
    /// and returns its payload, which may be any bytes. The header's `kid` is not
    /// matched: this key is the one tried.
    ///
    /// # Errors
    /// [`AuthError::InvalidRequest`] for a malformed serialization,
    /// [`AuthError::InvalidCredentials`] for a refused header, an algorithm
    /// the key does not allow, or a wrong signature.
    ///
    /// ```
    /// use portcullis::{Algorithm, JwtKey};
    /// # portcullis::install_crypto_provider();
    /// let check = JwtKey::hmac(b"k7Hq2vX9pLm4Rt8Wz3Yc6Nb1Jd5Fg0Sa", Algorithm::HS256)
    ///     .signature_check()
    ///     .unwrap();
    /// // RFC 7515 A.5: an unsecured JWS is refused.
    /// assert!(check.verify_compact("eyJhbGciOiJub25lIn0.e30.").is_err());
    /// ```
    pub fn verify_compact(&self, compact: &str) -> Result<Vec<u8>, AuthError> {
        Signed::parse(compact, DEFAULT_MAX_TOKEN_BYTES)?.verify(&self.key)
    }
}

//! Verification keys, validated and parsed once at start-up.

use std::collections::HashMap;

use aws_lc_rs::hmac;
use aws_lc_rs::signature::{self, ParsedPublicKey, RsaPublicKeyComponents, VerificationAlgorithm};
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, DecodingKeyKind};

use crate::error::ConfigError;

/// Longest `kid` accepted in configuration and in tokens.
pub(crate) const MAX_KID_LEN: usize = 256;

/// One verification key with the algorithms it may be used with, as configured.
///
/// Nothing is parsed until [`PortcullisBuilder::build`](crate::PortcullisBuilder::build),
/// which validates every key and returns a [`ConfigError`] for a weak or malformed one.
///
/// ```
/// use portcullis::{Algorithm, JwtKey};
/// let key = JwtKey::hmac(b"a-32-byte-or-longer-secret-value!!", Algorithm::HS256);
/// let rsa = JwtKey::pem(include_bytes!("../../../tests/keys/rsa2048.pub.pem"), Algorithm::RS256)
///     .with_kid("rsa-1")
///     .also_allow(Algorithm::PS256);
/// ```
#[derive(Clone)]
pub struct JwtKey {
    source: KeySource,
    algorithms: Vec<Algorithm>,
    kid: Option<String>,
}

#[derive(Clone)]
enum KeySource {
    Secret(Vec<u8>),
    Pem(Vec<u8>),
    Der(Vec<u8>),
    Jwk(Box<Jwk>),
}

impl std::fmt::Debug for JwtKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        f.debug_struct("JwtKey")
            .field("algorithms", &self.algorithms)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl JwtKey {
    /// An HMAC secret for `alg` (HS256/384/512). At least 32 bytes, and at least the
    /// hash size for HS384/HS512; a PEM or JWK pasted by mistake is refused.
    pub fn hmac(secret: impl AsRef<[u8]>, alg: Algorithm) -> Self {
        Self::from_source(KeySource::Secret(secret.as_ref().to_vec()), alg)
    }

    /// A public key in PEM form (`PUBLIC KEY`, or `RSA PUBLIC KEY`) for `alg`
    /// (RS*, PS*, ES256, ES384 or EdDSA).
    pub fn pem(pem: impl AsRef<[u8]>, alg: Algorithm) -> Self {
        Self::from_source(KeySource::Pem(pem.as_ref().to_vec()), alg)
    }

    /// A public key in DER form (RSA: PKCS#1 or SubjectPublicKeyInfo; EC: SPKI or the
    /// uncompressed point; Ed25519: SPKI or the raw 32 bytes) for `alg`.
    pub fn der(der: impl AsRef<[u8]>, alg: Algorithm) -> Self {
        Self::from_source(KeySource::Der(der.as_ref().to_vec()), alg)
    }

    /// A JWK. Its `alg` pins the algorithm and its `kid`, if any, becomes the key id.
    ///
    /// # Errors
    /// [`ConfigError::InvalidJwk`] when the JWK has no `alg` (the algorithm must be
    /// pinned per key) or an `alg` that is not a JWS algorithm.
    pub fn jwk(jwk: &Jwk) -> Result<Self, ConfigError> {
        let alg = match jwk.common.key_algorithm {
            Some(alg) => jws_algorithm(alg)?,
            None => {
                return Err(ConfigError::InvalidJwk(
                    "the JWK has no \"alg\"; every key must pin its algorithm".into(),
                ));
            }
        };
        let mut key = Self::from_source(KeySource::Jwk(Box::new(jwk.clone())), alg);
        key.kid = jwk.common.key_id.clone();
        Ok(key)
    }

    /// Parses a JWK from JSON text.
    ///
    /// # Errors
    /// [`ConfigError::InvalidJwk`] when the text is not a JWK with an `alg`.
    pub fn jwk_json(json: &str) -> Result<Self, ConfigError> {
        let jwk: Jwk = serde_json::from_str(json).map_err(|e| ConfigError::InvalidJwk(e.to_string()))?;
        Self::jwk(&jwk)
    }

    /// Every key of a JWKS document. Each key must carry a `kid` and an `alg`.
    ///
    /// # Errors
    /// [`ConfigError::InvalidJwk`] for a malformed document or a key without `kid`/`alg`.
    pub fn jwks_json(json: &str) -> Result<Vec<Self>, ConfigError> {
        let set: JwkSet = serde_json::from_str(json).map_err(|e| ConfigError::InvalidJwk(e.to_string()))?;
        set.keys
            .iter()
            .map(|jwk| {
                if jwk.common.key_id.is_none() {
                    return Err(ConfigError::InvalidJwk(
                        "every key of a JWKS needs a \"kid\"".into(),
                    ));
                }
                Self::jwk(jwk)
            })
            .collect()
    }

    /// A provider's JWK for these algorithms (the first one is the key's own), with
    /// its `kid`; nothing is parsed until [`build`](Self::build).
    #[cfg(feature = "oidc")]
    pub(crate) fn provider_jwk(jwk: Jwk, algorithms: &[Algorithm]) -> Self {
        let kid = jwk.common.key_id.clone();
        let mut key = Self::from_source(KeySource::Jwk(Box::new(jwk)), algorithms[0]);
        for &alg in &algorithms[1..] {
            key = key.also_allow(alg);
        }
        key.kid = kid;
        key
    }

    fn from_source(source: KeySource, alg: Algorithm) -> Self {
        JwtKey {
            source,
            algorithms: vec![alg],
            kid: None,
        }
    }

    /// Sets the key id that tokens must name in their `kid` header to use this key.
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// Also accepts `alg` with this key (it must belong to the same family, for
    /// example PS256 beside RS256).
    pub fn also_allow(mut self, alg: Algorithm) -> Self {
        if !self.algorithms.contains(&alg) {
            self.algorithms.push(alg);
        }
        self
    }

    pub(crate) fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    pub(crate) fn build(&self) -> Result<VerifyingKey, ConfigError> {
        if let Some(kid) = &self.kid
            && (kid.is_empty() || kid.len() > MAX_KID_LEN)
        {
            return Err(ConfigError::InvalidKid);
        }
        let family = self.algorithms[0].family();
        if let Some(&alg) = self.algorithms.iter().find(|a| a.family() != family) {
            return Err(ConfigError::AlgorithmMismatch {
                alg,
                reason: "all algorithms of one key must belong to the same family",
            });
        }
        let verifiers = self
            .algorithms
            .iter()
            .map(|&alg| Ok((alg, self.verifier(alg)?)))
            .collect::<Result<Vec<_>, ConfigError>>()?;
        Ok(VerifyingKey { verifiers })
    }

    fn verifier(&self, alg: Algorithm) -> Result<Verifier, ConfigError> {
        match (&self.source, alg.family()) {
            (KeySource::Secret(secret), AlgorithmFamily::Hmac) => hmac_verifier(secret, alg),
            (KeySource::Secret(_), _) => Err(ConfigError::AlgorithmMismatch {
                alg,
                reason: "an HMAC secret can only be used with HS256, HS384 or HS512",
            }),
            (_, AlgorithmFamily::Hmac) => Err(ConfigError::AlgorithmMismatch {
                alg,
                reason: "HMAC algorithms need a secret (JwtKey::hmac), never a public key",
            }),
            (KeySource::Pem(pem), family) => {
                let key = match family {
                    AlgorithmFamily::Rsa => DecodingKey::from_rsa_pem(pem),
                    AlgorithmFamily::Ec => DecodingKey::from_ec_pem(pem),
                    _ => DecodingKey::from_ed_pem(pem),
                }
                .map_err(|e| ConfigError::InvalidKey(format!("{alg:?} PEM: {e}")))?;
                public_verifier(&key, alg)
            }
            (KeySource::Der(der), family) => {
                let key = match family {
                    AlgorithmFamily::Rsa => DecodingKey::from_rsa_der(der),
                    AlgorithmFamily::Ec => DecodingKey::from_ec_der(der),
                    _ => DecodingKey::from_ed_der(der),
                };
                public_verifier(&key, alg)
            }
            (KeySource::Jwk(jwk), _) => {
                if matches!(jwk.algorithm, AlgorithmParameters::OctetKey(_)) {
                    return Err(ConfigError::AlgorithmMismatch {
                        alg,
                        reason: "symmetric (\"oct\") JWKs are refused; configure HMAC secrets with JwtKey::hmac",
                    });
                }
                let key = DecodingKey::from_jwk(jwk).map_err(|e| ConfigError::InvalidJwk(format!("{e}")))?;
                public_verifier(&key, alg)
            }
        }
    }
}

pub(crate) fn jws_algorithm(alg: KeyAlgorithm) -> Result<Algorithm, ConfigError> {
    let name = format!("{alg:?}");
    name.parse::<Algorithm>()
        .map_err(|_| ConfigError::InvalidJwk(format!("\"alg\": \"{name}\" is not a JWS signing algorithm")))
}

fn hmac_verifier(secret: &[u8], alg: Algorithm) -> Result<Verifier, ConfigError> {
    let (algorithm, min) = match alg {
        Algorithm::HS256 => (hmac::HMAC_SHA256, 32),
        Algorithm::HS384 => (hmac::HMAC_SHA384, 48),
        _ => (hmac::HMAC_SHA512, 64),
    };
    if secret.len() < min {
        return Err(ConfigError::WeakSecret {
            alg,
            min_bytes: min,
            actual_bytes: secret.len(),
        });
    }
    if looks_like_key(secret) {
        return Err(ConfigError::SecretLooksLikeKey);
    }
    let estimated_bits = estimated_entropy_bits(secret);
    if estimated_bits < 128 {
        return Err(ConfigError::LowVarietySecret { estimated_bits });
    }
    Ok(Verifier::Hmac(Box::new(hmac::Key::new(algorithm, secret))))
}

/// The Shannon entropy of the secret's bytes times its length: random bytes, or
/// their base64 or hex text, score far above 128 bits; a 32-character passphrase or
/// a repeated byte far below.
fn estimated_entropy_bits(secret: &[u8]) -> u32 {
    let mut counts = [0u32; 256];
    for &b in secret {
        counts[usize::from(b)] += 1;
    }
    let len = secret.len() as f64;
    let per_byte: f64 = counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum();
    // Truncation is the intent: a whole number of bits, rounded down.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let bits = (per_byte * len) as u32;
    bits
}

/// A PEM block or a JSON object (a JWK) pasted where a random secret belongs.
fn looks_like_key(secret: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(secret) else {
        return false;
    };
    let text = text.trim();
    text.starts_with("-----BEGIN")
        || (text.starts_with('{') && serde_json::from_str::<serde_json::Value>(text).is_ok())
}

fn verification_algorithm(alg: Algorithm) -> &'static dyn VerificationAlgorithm {
    match alg {
        Algorithm::RS256 => &signature::RSA_PKCS1_2048_8192_SHA256,
        Algorithm::RS384 => &signature::RSA_PKCS1_2048_8192_SHA384,
        Algorithm::RS512 => &signature::RSA_PKCS1_2048_8192_SHA512,
        Algorithm::PS256 => &signature::RSA_PSS_2048_8192_SHA256,
        Algorithm::PS384 => &signature::RSA_PSS_2048_8192_SHA384,
        Algorithm::PS512 => &signature::RSA_PSS_2048_8192_SHA512,
        Algorithm::ES256 => &signature::ECDSA_P256_SHA256_FIXED,
        Algorithm::ES384 => &signature::ECDSA_P384_SHA384_FIXED,
        _ => &signature::ED25519,
    }
}

fn rsa_params(alg: Algorithm) -> &'static signature::RsaParameters {
    match alg {
        Algorithm::RS256 => &signature::RSA_PKCS1_2048_8192_SHA256,
        Algorithm::RS384 => &signature::RSA_PKCS1_2048_8192_SHA384,
        Algorithm::RS512 => &signature::RSA_PKCS1_2048_8192_SHA512,
        Algorithm::PS256 => &signature::RSA_PSS_2048_8192_SHA256,
        Algorithm::PS384 => &signature::RSA_PSS_2048_8192_SHA384,
        _ => &signature::RSA_PSS_2048_8192_SHA512,
    }
}

const MIN_RSA_BITS: usize = 2048;

fn public_verifier(key: &DecodingKey, alg: Algorithm) -> Result<Verifier, ConfigError> {
    if key.family() != alg.family() {
        return Err(ConfigError::AlgorithmMismatch {
            alg,
            reason: "the key's type does not fit this algorithm (RSA keys: RS*/PS*, EC keys: ES*, OKP keys: EdDSA)",
        });
    }
    let rejected =
        |e: aws_lc_rs::error::KeyRejected| ConfigError::InvalidKey(format!("{alg:?} key rejected: {e}"));
    let parsed = match (key.kind(), alg.family()) {
        (DecodingKeyKind::RsaModulusExponent { n, e }, _) => {
            let n = strip_leading_zeros(n);
            if n.len() * 8 < MIN_RSA_BITS {
                return Err(ConfigError::WeakRsaKey { bits: n.len() * 8 });
            }
            RsaPublicKeyComponents {
                n,
                e: strip_leading_zeros(e),
            }
            .to_parsed_public_key(rsa_params(alg))
            .map_err(rejected)?
        }
        (DecodingKeyKind::SecretOrDer(der), AlgorithmFamily::Rsa) => {
            let public = aws_lc_rs::rsa::PublicKey::from_der(der).map_err(rejected)?;
            let bits = public.modulus_len() * 8;
            if bits < MIN_RSA_BITS {
                return Err(ConfigError::WeakRsaKey { bits });
            }
            ParsedPublicKey::new(verification_algorithm(alg), der).map_err(rejected)?
        }
        (DecodingKeyKind::SecretOrDer(bytes), AlgorithmFamily::Ed) => {
            // Raw Ed25519 public keys are exactly 32 bytes; SPKI DER is 44.
            if bytes.len() != 32 && bytes.len() != 44 {
                return Err(ConfigError::InvalidKey(format!(
                    "an Ed25519 public key has 32 bytes, this one has {}",
                    bytes.len()
                )));
            }
            ParsedPublicKey::new(verification_algorithm(alg), bytes).map_err(rejected)?
        }
        (DecodingKeyKind::SecretOrDer(bytes), _) => {
            ParsedPublicKey::new(verification_algorithm(alg), bytes).map_err(rejected)?
        }
    };
    Ok(Verifier::Public(parsed))
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

/// A parsed key: verification never re-parses key material.
pub(crate) enum Verifier {
    Hmac(Box<hmac::Key>),
    Public(ParsedPublicKey),
}

impl Verifier {
    fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        match self {
            // `hmac::verify` compares in constant time.
            Verifier::Hmac(key) => hmac::verify(key, message, signature).is_ok(),
            Verifier::Public(key) => key.verify_sig(message, signature).is_ok(),
        }
    }
}

/// A configured key with its allowed algorithms.
pub(crate) struct VerifyingKey {
    verifiers: Vec<(Algorithm, Verifier)>,
}

impl VerifyingKey {
    /// `None` when `alg` is not allowed for this key; else whether the signature is valid.
    pub(crate) fn verify(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> Option<bool> {
        self.verifiers
            .iter()
            .find(|(a, _)| *a == alg)
            .map(|(_, verifier)| verifier.verify(message, signature))
    }
}

/// Keys addressed by `kid`, plus at most one key for tokens without `kid`.
pub(crate) struct KeySet {
    by_kid: HashMap<String, VerifyingKey>,
    default: Option<VerifyingKey>,
}

impl KeySet {
    pub(crate) fn build(keys: &[JwtKey]) -> Result<Self, ConfigError> {
        if keys.is_empty() {
            return Err(ConfigError::NoJwtKeys);
        }
        let mut by_kid = HashMap::new();
        let mut default = None;
        for key in keys {
            let built = key.build()?;
            match key.kid() {
                Some(kid) => {
                    if by_kid.insert(kid.to_owned(), built).is_some() {
                        return Err(ConfigError::DuplicateKid(kid.to_owned()));
                    }
                }
                None => {
                    if default.replace(built).is_some() {
                        return Err(ConfigError::SeveralKeysWithoutKid);
                    }
                }
            }
        }
        Ok(KeySet { by_kid, default })
    }

    /// Keys already built (a provider's set, where unusable keys were skipped).
    #[cfg(feature = "oidc")]
    pub(crate) fn from_built(by_kid: HashMap<String, VerifyingKey>, default: Option<VerifyingKey>) -> Self {
        KeySet { by_kid, default }
    }

    /// How many keys the set holds.
    #[cfg(feature = "oidc")]
    pub(crate) fn len(&self) -> usize {
        self.by_kid.len() + usize::from(self.default.is_some())
    }

    /// An empty set: the application's own tokens are refused, only identity
    /// providers' keys verify.
    pub(crate) fn empty() -> Self {
        KeySet {
            by_kid: HashMap::new(),
            default: None,
        }
    }

    /// The one key a token may use: named by its `kid`, or the key without `kid`.
    pub(crate) fn select(&self, kid: Option<&str>) -> Option<&VerifyingKey> {
        match kid {
            Some(kid) => self.by_kid.get(kid),
            None => self.default.as_ref(),
        }
    }
}

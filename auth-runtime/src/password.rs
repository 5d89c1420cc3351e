//! Password hashing with argon2id (OWASP parameters: 19 MiB, t=2, p=1); legacy hashes
//! (bcrypt, scrypt, PBKDF2: `legacy_hash.rs`) are verified too, never made.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::legacy_hash;

/// Memory cost in KiB (19 MiB).
pub const ARGON2_MEMORY_KIB: u32 = 19 * 1024;
/// Iterations.
pub const ARGON2_ITERATIONS: u32 = 2;
/// Lanes.
pub const ARGON2_PARALLELISM: u32 = 1;

fn argon2() -> Argon2<'static> {
    let params = Params::new(ARGON2_MEMORY_KIB, ARGON2_ITERATIONS, ARGON2_PARALLELISM, None)
        .expect("constant argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashing failed (only when the system random source fails).
#[derive(Debug, Clone, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct PasswordError(String);

/// Hashes `password` with argon2id and a fresh 16-byte salt; returns a PHC string.
///
/// ```
/// let hash = portcullis::hash_password("correct horse battery").unwrap();
/// assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
/// assert!(portcullis::verify_password("correct horse battery", &hash));
/// assert!(!portcullis::verify_password("wrong", &hash));
/// ```
///
/// # Errors
/// [`PasswordError`] when no random salt could be drawn.
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    let mut salt = [0u8; 16];
    aws_lc_rs::rand::fill(&mut salt).map_err(|_| PasswordError("no randomness".into()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| PasswordError(e.to_string()))?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PasswordError(e.to_string()))
}

/// Whether `password` matches `hash`: an argon2id PHC string, or a legacy hash
/// imported from another system — bcrypt (`$2a$`, `$2b$`, `$2y$`), scrypt (`$scrypt$`)
/// or PBKDF2 (`$pbkdf2-sha256$`, `$pbkdf2-sha512$`), which [`needs_rehash`] reports so
/// that a login replaces them with argon2id. Other algorithms, malformed hashes, hashes
/// over 512 bytes and hashes whose parameters would cost more than the limits
/// (bcrypt cost 16, scrypt 128 MiB, PBKDF2 5 000 000 rounds) never match.
///
/// ```
/// assert!(!portcullis::verify_password("anything", "$2b$12$not-a-bcrypt-hash"));
/// assert!(!portcullis::verify_password("anything", "$md5$salt$hash"));
/// ```
pub fn verify_password(password: &str, hash: &str) -> bool {
    if legacy_hash::is_legacy(hash) {
        return legacy_hash::verify(password, hash);
    }
    if hash.len() > legacy_hash::MAX_HASH_BYTES {
        return false;
    }
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    if parsed.algorithm != Algorithm::Argon2id.ident() {
        return false;
    }
    // Verification uses the parameters recorded in the hash.
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

/// Whether `hash` was made with other parameters than the current ones, or is no
/// argon2id hash at all (a legacy bcrypt, scrypt or PBKDF2 hash): then hash the
/// password again after a successful login.
///
/// ```
/// let hash = portcullis::hash_password("pw-pw-pw-pw-pw").unwrap();
/// assert!(!portcullis::needs_rehash(&hash));
/// assert!(portcullis::needs_rehash("$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"));
/// assert!(portcullis::needs_rehash("$argon2id$v=19$m=4096,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"));
/// ```
pub fn needs_rehash(hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return true;
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return true;
    };
    parsed.algorithm != Algorithm::Argon2id.ident()
        || params.m_cost() != ARGON2_MEMORY_KIB
        || params.t_cost() != ARGON2_ITERATIONS
        || params.p_cost() != ARGON2_PARALLELISM
}

/// Working memory for argon2id, owned by a password-hashing thread and reused for
/// every hash it computes: nothing of 19 MiB is allocated (and left behind in an
/// allocator arena) per request.
pub(crate) struct Scratch(Vec<argon2::Block>);

impl Scratch {
    /// Memory for the OWASP parameters, allocated once.
    pub(crate) fn new() -> Self {
        Scratch(vec![argon2::Block::default(); ARGON2_MEMORY_KIB as usize])
    }

    /// Runs `f` on at least `blocks` blocks: the scratch itself, or (for an unusually
    /// large stored hash) a temporary allocation, so the scratch never grows; `None`
    /// past 16 times the OWASP memory.
    fn with_blocks<T>(&mut self, blocks: usize, f: impl FnOnce(&mut [argon2::Block]) -> T) -> Option<T> {
        if blocks <= self.0.len() {
            Some(f(&mut self.0[..blocks]))
        } else if blocks <= 16 * ARGON2_MEMORY_KIB as usize {
            Some(f(&mut vec![argon2::Block::default(); blocks]))
        } else {
            None
        }
    }
}

/// [`hash_password`] in `scratch`'s memory.
pub(crate) fn hash_password_in(password: &str, scratch: &mut Scratch) -> Result<String, PasswordError> {
    let fail = |e: &dyn std::fmt::Display| PasswordError(e.to_string());
    let mut salt = [0u8; 16];
    aws_lc_rs::rand::fill(&mut salt).map_err(|_| PasswordError("no randomness".into()))?;
    let params =
        Params::new(ARGON2_MEMORY_KIB, ARGON2_ITERATIONS, ARGON2_PARALLELISM, None).map_err(|e| fail(&e))?;
    let mut out = [0u8; 32];
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    scratch
        .with_blocks(params.block_count(), |blocks| {
            argon2.hash_password_into_with_memory(password.as_bytes(), &salt, &mut out, blocks)
        })
        .ok_or_else(|| fail(&"memory"))?
        .map_err(|e| fail(&e))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| fail(&e))?;
    let out = argon2::password_hash::Output::new(&out).map_err(|e| fail(&e))?;
    Ok(format!(
        "$argon2id$v=19$m={ARGON2_MEMORY_KIB},t={ARGON2_ITERATIONS},p={ARGON2_PARALLELISM}${}${out}",
        salt.as_str()
    ))
}

/// [`verify_password`] in `scratch`'s memory (the comparison is constant-time).
pub(crate) fn verify_password_in(password: &str, hash: &str, scratch: &mut Scratch) -> bool {
    if legacy_hash::is_legacy(hash) {
        return legacy_hash::verify(password, hash);
    }
    if hash.len() > legacy_hash::MAX_HASH_BYTES {
        return false;
    }
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    if parsed.algorithm != Algorithm::Argon2id.ident() {
        return false;
    }
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let Ok(version) = parsed.version.map_or(Ok(Version::V0x13), Version::try_from) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    let argon2 = Argon2::new(Algorithm::Argon2id, version, params.clone());
    let computed = scratch.with_blocks(params.block_count(), |blocks| {
        argon2.hash_password_into_with_memory(password.as_bytes(), salt, &mut out, blocks)
    });
    // `Output`'s equality is constant-time.
    matches!(computed, Some(Ok(())))
        && argon2::password_hash::Output::new(&out).is_ok_and(|out| out == expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scratch_hashes_interoperate_with_the_allocating_ones() {
        let mut scratch = Scratch::new();
        let hash = hash_password_in("correct horse battery", &mut scratch).unwrap();
        assert!(verify_password("correct horse battery", &hash), "{hash}");
        assert!(!needs_rehash(&hash));
        let other = hash_password("correct horse battery").unwrap();
        assert!(verify_password_in("correct horse battery", &other, &mut scratch));
        assert!(!verify_password_in("wrong", &other, &mut scratch));
        assert!(!verify_password_in(
            "correct horse battery",
            "$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
            &mut scratch
        ));
    }
}

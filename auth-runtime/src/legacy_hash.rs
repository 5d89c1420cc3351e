//! Legacy password hashes, verified so that users imported from another system can
//! log in (and get an argon2id hash then): bcrypt (`$2a$`, `$2b$`, `$2y$`), scrypt
//! (`$scrypt$`, PHC) and PBKDF2 (`$pbkdf2-sha256$`, `$pbkdf2-sha512$`, PHC).
//!
//! Parsing is bounded: a hash longer than [`MAX_HASH_BYTES`] or with parameters past
//! the limits below (a stored hash must not be able to take a hashing thread for
//! minutes or gigabytes) never matches; neither does an unknown or malformed format.
//! Every comparison is constant-time (`subtle` in `bcrypt`, `password-hash`'s `Output`).

use argon2::password_hash::{PasswordHash, PasswordVerifier};

/// The longest stored hash looked at (bytes); longer ones never match.
pub(crate) const MAX_HASH_BYTES: usize = 512;
/// The highest bcrypt cost verified (2^16 rounds: about 5 s on one core).
const MAX_BCRYPT_COST: u32 = 16;
/// The most memory an scrypt hash may ask for (128 MiB: N = 2^17, r = 8).
const MAX_SCRYPT_BYTES: u64 = 128 * 1024 * 1024;
/// The highest scrypt parallelism verified (the work is sequential here).
const MAX_SCRYPT_P: u32 = 4;
/// The most PBKDF2 iterations verified (OWASP asks 600 000 for SHA-256).
const MAX_PBKDF2_ROUNDS: u32 = 5_000_000;
/// The longest PBKDF2 output verified (bytes).
const MAX_PBKDF2_OUTPUT: usize = 64;

/// Whether `hash` has one of the legacy formats (its parameters are not checked).
pub(crate) fn is_legacy(hash: &str) -> bool {
    [
        "$2a$",
        "$2b$",
        "$2y$",
        "$scrypt$",
        "$pbkdf2-sha256$",
        "$pbkdf2-sha512$",
    ]
    .iter()
    .any(|prefix| hash.starts_with(prefix))
}

/// Whether `password` matches the legacy `hash`; `false` for anything else.
pub(crate) fn verify(password: &str, hash: &str) -> bool {
    if hash.len() > MAX_HASH_BYTES {
        return false;
    }
    if hash.starts_with("$2") {
        return verify_bcrypt(password, hash);
    }
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    match parsed.algorithm.as_str() {
        "scrypt" => verify_scrypt(password, &parsed),
        "pbkdf2-sha256" | "pbkdf2-sha512" => verify_pbkdf2(password, &parsed),
        _ => false,
    }
}

/// `$2b$12$` + 22 characters of salt + 31 of hash: 60 in all.
fn verify_bcrypt(password: &str, hash: &str) -> bool {
    if hash.len() != 60 || !hash.is_ascii() {
        return false;
    }
    let Ok(cost) = hash[4..6].parse::<u32>() else {
        return false;
    };
    if !(4..=MAX_BCRYPT_COST).contains(&cost) || &hash[6..7] != "$" {
        return false;
    }
    // bcrypt reads at most 72 bytes of the password, as the systems that hashed them did.
    bcrypt::verify(password, hash).unwrap_or(false)
}

fn verify_scrypt(password: &str, parsed: &PasswordHash<'_>) -> bool {
    let Ok(params) = scrypt::Params::try_from(parsed) else {
        return false;
    };
    let memory = 128u64
        .saturating_mul(u64::from(params.r()))
        .saturating_mul(1u64 << params.log_n().min(63));
    if memory > MAX_SCRYPT_BYTES || params.p() > MAX_SCRYPT_P {
        return false;
    }
    scrypt::Scrypt
        .verify_password(password.as_bytes(), parsed)
        .is_ok()
}

fn verify_pbkdf2(password: &str, parsed: &PasswordHash<'_>) -> bool {
    let Ok(params) = pbkdf2::Params::try_from(parsed) else {
        return false;
    };
    if params.rounds > MAX_PBKDF2_ROUNDS || params.output_length > MAX_PBKDF2_OUTPUT {
        return false;
    }
    pbkdf2::Pbkdf2
        .verify_password(password.as_bytes(), parsed)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHasher, SaltString};

    const SALT: &str = "c2FsdHNhbHRzYWx0c2FsdA";

    #[test]
    fn each_format_verifies_its_password_only() {
        let salt = SaltString::from_b64(SALT).unwrap();
        let scrypt_params = scrypt::Params::new(10, 8, 1, 32).unwrap();
        let scrypt = scrypt::Scrypt
            .hash_password_customized(b"pw-legacy-1234", None, None, scrypt_params, &salt)
            .unwrap()
            .to_string();
        let pbkdf2_params = pbkdf2::Params {
            rounds: 1000,
            output_length: 32,
        };
        let pbkdf2 = pbkdf2::Pbkdf2
            .hash_password_customized(
                b"pw-legacy-1234",
                Some(pbkdf2::Algorithm::Pbkdf2Sha256.ident()),
                None,
                pbkdf2_params,
                &salt,
            )
            .unwrap()
            .to_string();
        let bcrypt = bcrypt::hash("pw-legacy-1234", 4).unwrap();
        for hash in [&scrypt, &pbkdf2, &bcrypt] {
            assert!(is_legacy(hash), "{hash}");
            assert!(verify("pw-legacy-1234", hash), "{hash}");
            assert!(!verify("pw-legacy-1235", hash), "{hash}");
        }
    }

    #[test]
    fn costly_malformed_and_unknown_hashes_never_match() {
        for hash in [
            // bcrypt cost 31
            "$2b$31$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234",
            "$2b$xx$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234",
            "$2b$04$short",
            // scrypt N = 2^20, r = 8: 1 GiB
            "$scrypt$ln=20,r=8,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
            "$pbkdf2-sha256$i=100000000,l=32$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
            "$pbkdf2-sha1$i=1000,l=20$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
            "$md5$whatever",
            "",
            "$",
            "$$$$",
        ] {
            assert!(!verify("pw", hash), "{hash}");
        }
        let long = format!("$scrypt$ln=4,r=8,p=1${}$aGFzaA", "c".repeat(600));
        assert!(!verify("pw", &long));
    }
}

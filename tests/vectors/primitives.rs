//! Wycheproof's vectors of the primitives behind the JWS algorithms Portcullis
//! accepts: each group's public key configured with `JwtKey::der` (HMAC:
//! `JwtKey::hmac`), each signature checked by [`SignatureCheck::verify`].

use portcullis::jsonwebtoken::Algorithm;
use portcullis::{ConfigError, JwtKey, SignatureCheck};
use serde_json::Value;

use crate::tally::{Tally, hex, load, text};

/// How one file's groups become keys.
struct Family {
    alg: Algorithm,
    /// The group's key as the application would configure it (`None`: an HMAC
    /// secret per test).
    key: Option<fn(&Value, Algorithm) -> JwtKey>,
    /// The member holding the signature (`sig`, or `tag` for MACs).
    signature: &'static str,
}

fn ec_point(group: &Value, alg: Algorithm) -> JwtKey {
    JwtKey::der(hex(text(&group["publicKey"], "uncompressed")), alg)
}

fn ed_raw(group: &Value, alg: Algorithm) -> JwtKey {
    JwtKey::der(hex(text(&group["publicKey"], "pk")), alg)
}

fn spki(group: &Value, alg: Algorithm) -> JwtKey {
    JwtKey::der(hex(text(group, "publicKeyDer")), alg)
}

fn config_reason(e: &ConfigError) -> &'static str {
    match e {
        ConfigError::WeakSecret { .. } => SHORT_SECRET,
        ConfigError::WeakRsaKey { .. } => "key refused at configuration: RSA key under 2048 bits",
        ConfigError::InvalidKey(_) => "key refused at configuration: malformed public key",
        other => panic!("unexpected configuration error: {other}"),
    }
}

/// Runs every vector of `file`; `Err(reason)` of a group's key refuses its vectors.
fn run(file: &str, family: &Family) -> Tally {
    portcullis::install_crypto_provider();
    let data = load(&format!("wycheproof/{file}"));
    let mut tally = Tally::new(file);
    let full_tag_bits = match family.alg {
        Algorithm::HS256 => 256,
        Algorithm::HS384 => 384,
        _ => 512,
    };
    for group in data["testGroups"].as_array().unwrap() {
        let truncated = family.key.is_none() && group["tagSize"].as_u64() != Some(full_tag_bits);
        let group_key = family.key.map(|key| key(group, family.alg).signature_check());
        for test in group["tests"].as_array().unwrap() {
            let id = format!("{file} tcId {} ({})", test["tcId"], text(test, "comment"));
            let per_test: Result<SignatureCheck, ConfigError>;
            let key = match &group_key {
                Some(built) => built.as_ref(),
                None => {
                    per_test = JwtKey::hmac(hex(text(test, "key")), family.alg).signature_check();
                    per_test.as_ref()
                }
            };
            let verified = match key {
                Ok(check) => check.verify(
                    family.alg,
                    &hex(text(test, "msg")),
                    &hex(text(test, family.signature)),
                ),
                Err(e) => {
                    tally.rule(config_reason(e));
                    continue;
                }
            };
            match (text(test, "result"), verified) {
                ("valid", true) => tally.valid_verified += 1,
                ("valid", false) if truncated => tally.rule(TRUNCATED),
                ("valid", false) => tally.fail(format!("{id}: valid but refused")),
                ("invalid", false) => tally.invalid_refused += 1,
                ("invalid", true) => tally.fail(format!("{id}: invalid but verified")),
                // Wycheproof leaves these to the implementation: the count is asserted.
                ("acceptable", true) => tally.rule(format!("acceptable {}: accepted", test["flags"])),
                ("acceptable", false) => tally.rule(format!("acceptable {}: refused", test["flags"])),
                (other, _) => panic!("{id}: result {other:?} has no policy"),
            }
        }
    }
    tally
}

/// PKCS#1 v1.5 with a DigestInfo whose algorithm has no NULL parameter: Wycheproof
/// leaves it to the implementation; aws-lc-rs refuses it (the stricter choice).
const MISSING_NULL: &str = "acceptable [\"MissingNull\"]: refused";
const SHORT_SECRET: &str = "key refused at configuration: HMAC secret shorter than its algorithm's minimum";
const TRUNCATED: &str = "truncated tag: a JWS HMAC is the full-length tag";

fn family(alg: Algorithm, key: fn(&Value, Algorithm) -> JwtKey) -> Family {
    Family {
        alg,
        key: Some(key),
        signature: "sig",
    }
}

fn hmac(alg: Algorithm) -> Family {
    Family {
        alg,
        key: None,
        signature: "tag",
    }
}

#[test]
fn wycheproof_ecdsa_p256_sha256_p1363() {
    run(
        "ecdsa_secp256r1_sha256_p1363_test.json",
        &family(Algorithm::ES256, ec_point),
    )
    .finish(173, 89, &[]);
}

#[test]
fn wycheproof_ecdsa_p384_sha384_p1363() {
    run(
        "ecdsa_secp384r1_sha384_p1363_test.json",
        &family(Algorithm::ES384, ec_point),
    )
    .finish(193, 87, &[]);
}

#[test]
fn wycheproof_ed25519() {
    run("ed25519_test.json", &family(Algorithm::EdDSA, ed_raw)).finish(88, 63, &[]);
}

#[test]
fn wycheproof_rsa_pkcs1_2048() {
    run(
        "rsa_signature_2048_sha256_test.json",
        &family(Algorithm::RS256, spki),
    )
    .finish(9, 249, &[(MISSING_NULL, 1)]);
    run(
        "rsa_signature_2048_sha384_test.json",
        &family(Algorithm::RS384, spki),
    )
    .finish(7, 250, &[(MISSING_NULL, 1)]);
    run(
        "rsa_signature_2048_sha512_test.json",
        &family(Algorithm::RS512, spki),
    )
    .finish(8, 250, &[(MISSING_NULL, 1)]);
}

#[test]
fn wycheproof_rsa_pss_2048() {
    run(
        "rsa_pss_2048_sha256_mgf1_32_test.json",
        &family(Algorithm::PS256, spki),
    )
    .finish(63, 45, &[]);
    run(
        "rsa_pss_2048_sha384_mgf1_48_test.json",
        &family(Algorithm::PS384, spki),
    )
    .finish(95, 46, &[]);
}

#[test]
fn wycheproof_hmac() {
    run("hmac_sha256_test.json", &hmac(Algorithm::HS256)).finish(
        30,
        108,
        &[(SHORT_SECRET, 6), (TRUNCATED, 30)],
    );
    run("hmac_sha384_test.json", &hmac(Algorithm::HS384)).finish(
        30,
        108,
        &[(SHORT_SECRET, 6), (TRUNCATED, 30)],
    );
    run("hmac_sha512_test.json", &hmac(Algorithm::HS512)).finish(
        30,
        108,
        &[(SHORT_SECRET, 6), (TRUNCATED, 30)],
    );
}

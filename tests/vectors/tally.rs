//! Counting outcomes per vector file; loading the data files.

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

/// What happened to the vectors of one file.
#[derive(Default)]
pub struct Tally {
    file: String,
    /// Valid vectors that verified.
    pub valid_verified: usize,
    /// Invalid vectors that were refused.
    pub invalid_refused: usize,
    /// Vectors refused for a documented reason (a rule stricter than the vector's
    /// source, or an algorithm Portcullis does not accept), by reason.
    pub refused_by_rule: BTreeMap<String, usize>,
    /// Vectors whose outcome contradicts their expected result: must stay empty.
    failures: Vec<String>,
}

impl Tally {
    pub fn new(file: &str) -> Self {
        Tally {
            file: file.to_owned(),
            ..Tally::default()
        }
    }

    pub fn rule(&mut self, reason: impl Into<String>) {
        *self.refused_by_rule.entry(reason.into()).or_default() += 1;
    }

    pub fn fail(&mut self, what: String) {
        self.failures.push(what);
    }

    /// Prints the counts, fails on any contradicted vector, and checks the counts.
    #[track_caller]
    pub fn finish(self, valid_verified: usize, invalid_refused: usize, by_rule: &[(&str, usize)]) {
        println!("{self}");
        assert!(
            self.failures.is_empty(),
            "{}: {} vectors contradict their expected result:\n{}",
            self.file,
            self.failures.len(),
            self.failures.join("\n")
        );
        let expected: BTreeMap<String, usize> = by_rule.iter().map(|(r, n)| ((*r).to_owned(), *n)).collect();
        assert_eq!(
            (self.valid_verified, self.invalid_refused, &self.refused_by_rule),
            (valid_verified, invalid_refused, &expected),
            "{}: counts changed",
            self.file
        );
    }
}

impl fmt::Display for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} valid verified, {} invalid refused",
            self.file, self.valid_verified, self.invalid_refused
        )?;
        for (reason, n) in &self.refused_by_rule {
            write!(f, "\n    {n} refused by rule: {reason}")?;
        }
        Ok(())
    }
}

/// A JSON file under `tests/vectors/`.
pub fn load(path: &str) -> Value {
    let full = format!("{}/tests/vectors/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// A string member of a vector, which must be there.
#[track_caller]
pub fn text<'v>(value: &'v Value, member: &str) -> &'v str {
    value[member]
        .as_str()
        .unwrap_or_else(|| panic!("no string {member:?} in {value}"))
}

/// Hex (Wycheproof's encoding of bytes).
#[track_caller]
pub fn hex(text: &str) -> Vec<u8> {
    assert!(text.len().is_multiple_of(2), "odd hex length: {text}");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap_or_else(|_| panic!("not hex: {text}")))
        .collect()
}

/// Unpadded base64url (JWK members).
#[track_caller]
pub fn b64url(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD
        .decode(text)
        .unwrap_or_else(|_| panic!("not base64url: {text}"))
}

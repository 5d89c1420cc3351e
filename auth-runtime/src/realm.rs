//! The realm of a gate: the name its challenges give, and the marker that keeps the
//! credentials of one user type apart from another's in the same application (issue 13
//! item 5): the `realm` claim of the tokens it issues, the namespace of its records in
//! shared stores and the default name of its session cookie.
//!
//! Without [`PortcullisBuilder::realm`](crate::PortcullisBuilder::realm), the challenges
//! say `realm="api"` as before, and the marker is derived from the user type's name, so
//! that two user types never share one by accident. An explicit realm is both.

use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::error::ConfigError;

/// The name challenges give when the application names no realm.
const DEFAULT_CHALLENGE: &str = "api";
/// The longest realm accepted (it is copied into every token the gate issues).
const MAX_REALM_BYTES: usize = 64;
/// The claim naming the realm (user type) a token was issued for: a gate refuses a
/// token whose `realm` is another's (`jwt/rules.rs`).
pub(crate) const REALM_CLAIM: &str = "realm";
/// The session cookie's base name when neither the realm nor `SessionConfig` name one.
pub(crate) const DEFAULT_SESSION_COOKIE: &str = "portcullis_session";

/// A gate's realm, decided once by the builder.
#[derive(Debug, Clone)]
pub(crate) struct Realm {
    /// Named in every challenge (`Bearer realm="…"`).
    pub(crate) challenge: Arc<str>,
    /// The `realm` claim of issued tokens; what a token's `realm` claim must equal.
    pub(crate) marker: Arc<str>,
    /// Fixed-length text put before every key this gate's records have in a store:
    /// 16 hex digits of the marker's SHA-256 (fixed length, so `namespace:key` can never
    /// be read two ways whatever the realm and the key contain).
    pub(crate) namespace: Arc<str>,
    /// Whether the application named it (then a gate that only verifies tokens checks
    /// their `realm` claim too, and the session cookie is named after it).
    pub(crate) explicit: bool,
}

impl Realm {
    /// The realm `explicit` names, or the default of the user type `U`.
    ///
    /// # Errors
    /// A realm that is empty, longer than 64 bytes, or not visible ASCII without quotes
    /// and backslashes (it is written into challenges and tokens).
    pub(crate) fn new<U: 'static>(explicit: Option<String>) -> Result<Realm, ConfigError> {
        let Some(name) = explicit else {
            let marker = format!("type:{}", digest_hex(std::any::type_name::<U>(), 16));
            return Ok(Realm::with(DEFAULT_CHALLENGE, marker, false));
        };
        if name.is_empty()
            || name.len() > MAX_REALM_BYTES
            || !name.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
            || name.contains(['"', '\\'])
        {
            return Err(ConfigError::Invalid(
                "the realm must be 1 to 64 bytes of visible ASCII without quotes or backslashes",
            ));
        }
        Ok(Realm::with(&name, name.clone(), true))
    }

    fn with(challenge: &str, marker: String, explicit: bool) -> Realm {
        Realm {
            challenge: Arc::from(challenge),
            namespace: Arc::from(digest_hex(&marker, 16)),
            marker: Arc::from(marker),
            explicit,
        }
    }

    /// The session cookie's base name when `SessionConfig` names none:
    /// `portcullis_session` for the default realm, `portcullis_session_<realm>` for an
    /// explicit one (characters a cookie name cannot hold become `_`).
    pub(crate) fn session_cookie(&self) -> String {
        if !self.explicit {
            return DEFAULT_SESSION_COOKIE.to_owned();
        }
        let suffix: String = self
            .marker
            .chars()
            .map(|c| match c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                true => c,
                false => '_',
            })
            .collect();
        format!("{DEFAULT_SESSION_COOKIE}_{suffix}")
    }
}

/// The first `len` hex digits of the SHA-256 of `text`.
fn digest_hex(text: &str, len: usize) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let mut hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    hex.truncate(len);
    hex
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Customer;
    struct Staff;

    #[test]
    fn default_realms_differ_per_type_and_keep_the_challenge() {
        let (a, b) = (
            Realm::new::<Customer>(None).unwrap(),
            Realm::new::<Staff>(None).unwrap(),
        );
        assert_ne!(a.marker, b.marker);
        assert_ne!(a.namespace, b.namespace);
        assert_eq!((&*a.challenge, &*b.challenge), ("api", "api"));
        assert_eq!(a.session_cookie(), "portcullis_session");
        assert!(
            a.marker.starts_with("type:") && a.marker.len() == 21,
            "{}",
            a.marker
        );
        assert!(!a.marker.contains("Customer"), "the type's path stays private");
    }

    #[test]
    fn an_explicit_realm_is_the_marker_and_names_the_cookie() {
        let staff = Realm::new::<Staff>(Some("staff".into())).unwrap();
        assert_eq!((&*staff.challenge, &*staff.marker), ("staff", "staff"));
        assert_eq!(staff.session_cookie(), "portcullis_session_staff");
        let spaced = Realm::new::<Staff>(Some("back office".into())).unwrap();
        assert_eq!(spaced.session_cookie(), "portcullis_session_back_office");
        // The same name for two types is the same realm: the application asked for it.
        let customer = Realm::new::<Customer>(Some("staff".into())).unwrap();
        assert_eq!(customer.namespace, staff.namespace);
        assert_eq!(staff.namespace.len(), 16);
    }

    #[test]
    fn realms_that_would_break_challenges_or_bloat_tokens_are_refused() {
        for bad in ["", "a\"b", "a\\b", "line\nbreak", &"x".repeat(65)] {
            assert!(Realm::new::<Staff>(Some(bad.to_owned())).is_err(), "{bad:?}");
        }
        assert!(Realm::new::<Staff>(Some("x".repeat(64))).is_ok());
    }
}

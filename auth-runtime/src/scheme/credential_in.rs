//! Where a scheme's credential travels, as API descriptions state it (OpenAPI
//! security schemes): framework- and generator-neutral.

/// One place a scheme reads its credential from:
/// [`AuthScheme::credential_in`](crate::AuthScheme::credential_in) lists them, and the
/// `utoipa` feature turns each into an OpenAPI security scheme (`http` for
/// [`Authorization`](Self::Authorization), `apiKey` for the others).
///
/// ```
/// use portcullis::schemes::CredentialIn;
/// let bearer = CredentialIn::authorization("bearer").format("JWT");
/// assert_eq!(bearer, CredentialIn::Authorization { scheme: "bearer".into(), format: Some("JWT".into()) });
/// assert_eq!(CredentialIn::Cookie("sid".into()).location(), "cookie");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialIn {
    /// `Authorization: <scheme> ...`: `scheme` is the HTTP authentication scheme
    /// (`bearer`, `basic`, ...), `format` a hint at the credential's format (`JWT`).
    Authorization {
        /// The HTTP authentication scheme, lower-case.
        scheme: String,
        /// What the credential is (`JWT`), for bearer credentials.
        format: Option<String>,
    },
    /// A request header of this name.
    Header(String),
    /// A query parameter of this name.
    Query(String),
    /// A cookie of this name.
    Cookie(String),
}

impl CredentialIn {
    /// `Authorization: <scheme> ...` (the scheme is stored lower-case).
    pub fn authorization(scheme: &str) -> Self {
        CredentialIn::Authorization {
            scheme: scheme.to_ascii_lowercase(),
            format: None,
        }
    }

    /// With a format hint (`JWT`), for [`Authorization`](Self::Authorization); the
    /// other places have none and are returned unchanged.
    pub fn format(self, hint: &str) -> Self {
        match self {
            CredentialIn::Authorization { scheme, .. } => CredentialIn::Authorization {
                scheme,
                format: Some(hint.to_owned()),
            },
            other => other,
        }
    }

    /// Where: `authorization`, `header`, `query` or `cookie`.
    pub fn location(&self) -> &'static str {
        match self {
            CredentialIn::Authorization { .. } => "authorization",
            CredentialIn::Header(_) => "header",
            CredentialIn::Query(_) => "query",
            CredentialIn::Cookie(_) => "cookie",
        }
    }

    /// What a scheme that says nothing is taken to read: `Authorization` with the
    /// authentication scheme its challenge names (`Service realm="api"` → `service`).
    pub(crate) fn from_challenge(challenge: &str) -> Vec<CredentialIn> {
        match challenge.split_whitespace().next() {
            Some(token) if !token.is_empty() => vec![CredentialIn::authorization(token)],
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CredentialIn;

    #[test]
    fn a_challenge_names_the_authorization_scheme() {
        assert_eq!(
            CredentialIn::from_challenge("Service realm=\"api\""),
            vec![CredentialIn::authorization("service")]
        );
        assert_eq!(CredentialIn::from_challenge("  "), Vec::new());
    }
}

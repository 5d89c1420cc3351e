//! The mails of the auth router (e-mail confirmation, password reset) as templates the
//! application can replace: a subject and a body each, with `{link}`, `{username}` and
//! `{minutes}` placeholders.

use std::borrow::Cow;

/// One mail: its subject and body, with placeholders filled in by the router.
///
/// The placeholders are `{link}` (the single-use link), `{username}` (the user's
/// login name; empty when the user type has none) and `{minutes}` (how long the link
/// works). Anything else between braces is kept as it is. Values are inserted once:
/// a value that contains a placeholder is not expanded again. Line breaks and other
/// control characters are removed from the rendered subject (it is a mail header).
///
/// ```
/// use portcullis::MailTemplate;
/// let reset = MailTemplate::new(
///     "Your password, {username}",
///     "Choose a new password: {link}\nThe link works once, for {minutes} minutes.",
/// );
/// assert_eq!(reset.subject(), "Your password, {username}");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailTemplate {
    subject: String,
    body: String,
}

impl MailTemplate {
    /// A template of `subject` and `body` (plain text).
    pub fn new(subject: impl Into<String>, body: impl Into<String>) -> Self {
        MailTemplate {
            subject: subject.into(),
            body: body.into(),
        }
    }

    /// The subject, placeholders unfilled.
    ///
    /// ```
    /// let t = portcullis::MailTemplate::new("Hello {username}", "{link}");
    /// assert_eq!(t.subject(), "Hello {username}");
    /// ```
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The body, placeholders unfilled.
    ///
    /// ```
    /// let t = portcullis::MailTemplate::new("Hello", "Click {link}");
    /// assert_eq!(t.body(), "Click {link}");
    /// ```
    pub fn body(&self) -> &str {
        &self.body
    }

    /// The subject and body with `values` (`(name, value)`, names without braces)
    /// filled in.
    #[cfg_attr(not(feature = "axum"), allow(dead_code))] // used by the auth router
    pub(crate) fn render(&self, values: &[(&str, &str)]) -> (String, String) {
        let subject: String = fill(&self.subject, values)
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        (subject, fill(&self.body, values).into_owned())
    }
}

/// One pass over `text`: each `{name}` of `values` is replaced, everything else kept.
fn fill<'a>(text: &'a str, values: &[(&str, &str)]) -> Cow<'a, str> {
    if !text.contains('{') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            values.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v, close))
        });
        match value {
            Some((value, close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The mails the auth router sends; replace any of them with
/// `AuthRouter::mail_templates`.
///
/// ```
/// use portcullis::{MailTemplate, MailTemplates};
/// let templates = MailTemplates {
///     password_reset: MailTemplate::new(
///         "Reset your Example password",
///         "Hello {username},\nchoose a new password at {link} (valid {minutes} minutes).",
///     ),
///     ..MailTemplates::default()
/// };
/// assert!(templates.confirmation.body().contains("{link}"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailTemplates {
    /// The e-mail confirmation mail (`POST /auth/confirm`).
    pub confirmation: MailTemplate,
    /// The password-reset mail (`POST /auth/password/reset`).
    pub password_reset: MailTemplate,
}

impl Default for MailTemplates {
    fn default() -> Self {
        MailTemplates {
            confirmation: MailTemplate::new(
                "Confirm your e-mail address",
                "Confirm your e-mail address: {link}\nThe link works once, for {minutes} minutes.",
            ),
            password_reset: MailTemplate::new(
                "Reset your password",
                "Hello {username},\n\nchoose a new password here: {link}\nThe link works once, for {minutes} \
                 minutes. If you did not ask for it, ignore this mail: your password is unchanged.",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_once_and_unknown_ones_kept() {
        let t = MailTemplate::new("Hi {username}\r\nBcc: x@y", "{link} {other} {link} {");
        let (subject, body) = t.render(&[("link", "L{username}"), ("username", "ann")]);
        assert_eq!(subject, "Hi ann  Bcc: x@y");
        assert_eq!(body, "L{username} {other} L{username} {");
    }
}

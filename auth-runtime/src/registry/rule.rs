//! A handler's requirement as the registry keeps it: the tree `#[require]`,
//! `#[permissions]` and `#[policy]` were compiled from, with names rather than bits.

use std::fmt;

/// A requirement, as written in `#[require(...)]` / `#[permissions(...)]`.
///
/// ```
/// use portcullis::registry::{Name, Rule};
/// const ADMIN: Rule = Rule::Role(Name::literal("admin"));
/// let rule = Rule::Any(&[Rule::Owner("post.author_id"), ADMIN]);
/// assert_eq!(rule.to_string(), r#"owner(post.author_id) || role = "admin""#);
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Rule {
    /// One of them (`||`).
    Any(&'static [Rule]),
    /// All of them (`&&`).
    All(&'static [Rule]),
    /// `!rule`.
    Not(&'static Rule),
    /// `role = "name"` or `role = Enum::Variant`.
    Role(Name),
    /// `permission = "name"` (and each name of `#[permissions(...)]`).
    Permission(Name),
    /// `scope = "name"`: a scope of the token.
    Scope(&'static str),
    /// `claim(name = value)`, as written.
    Claim(&'static str),
    /// `owner(param.field...)`: the user owns the resource (the text inside the parentheses).
    Owner(&'static str),
    /// `verified_email`.
    VerifiedEmail,
    /// `fresh`: a password entered just now.
    Fresh,
    /// `fn = path::to::check`: the application's own code decides.
    Predicate(&'static str),
    /// `policy(param, ...)`: a named `#[policy]`.
    Policy(PolicyRef),
}

/// A role or permission name: a literal, or a typed enum variant's name.
///
/// ```
/// use portcullis::registry::Name;
/// assert_eq!(Name::literal("admin").as_str(), "admin");
/// ```
#[derive(Clone, Copy)]
pub struct Name(NameSource);

#[derive(Clone, Copy)]
enum NameSource {
    Literal(&'static str),
    Typed(fn() -> &'static str),
}

impl Name {
    /// A name written as a string literal.
    pub const fn literal(name: &'static str) -> Self {
        Name(NameSource::Literal(name))
    }

    /// A typed role's or permission's name, read from the enum. Not public API.
    #[doc(hidden)]
    pub const fn __typed(name: fn() -> &'static str) -> Self {
        Name(NameSource::Typed(name))
    }

    /// The name.
    pub fn as_str(&self) -> &'static str {
        match self.0 {
            NameSource::Literal(name) => name,
            NameSource::Typed(name) => name(),
        }
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// A named `#[policy]` a requirement calls: its name, the parameters passed, and its
/// own rule when it was declared with one (`#[policy(owner(post.author_id) || role = "admin")]`).
///
/// ```
/// use portcullis::registry::{PolicyRef, Rule};
/// const EDIT: PolicyRef = PolicyRef::new("can_edit", "user, post", None);
/// assert_eq!(Rule::Policy(EDIT).to_string(), "can_edit(user, post)");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct PolicyRef {
    name: &'static str,
    args: &'static str,
    rule: Option<&'static Rule>,
}

impl PolicyRef {
    /// A policy called as `name(args)`, with its rule if it has one.
    pub const fn new(name: &'static str, args: &'static str, rule: Option<&'static Rule>) -> Self {
        PolicyRef { name, args, rule }
    }

    /// The policy's path as written at the call.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The policy's rule: given, or the one its `#[policy(...)]` registered (found by
    /// the name as written, when exactly one registered policy has that name); `None`
    /// for a policy with a body of its own code.
    pub fn rule(&self) -> Option<&'static Rule> {
        self.rule.or_else(|| {
            let written = self
                .name
                .trim_start_matches("crate::")
                .trim_start_matches("self::");
            let mut found = inventory::iter::<PolicyEntry>.into_iter().filter(|p| {
                let path = p.path();
                path == written || path.ends_with(&format!("::{written}"))
            });
            match (found.next(), found.next()) {
                (Some(one), None) => Some(one.rule),
                _ => None,
            }
        })
    }
}

/// A `#[policy(...)]` with a requirement, as it registers itself: its path and rule.
/// Not public API.
#[doc(hidden)]
#[derive(Debug)]
pub struct PolicyEntry {
    here: fn() -> &'static str,
    rule: &'static Rule,
}

impl PolicyEntry {
    /// The entry of the policy whose body holds the function `here`.
    pub const fn __new(here: fn() -> &'static str, rule: &'static Rule) -> Self {
        PolicyEntry { here, rule }
    }

    fn path(&self) -> &'static str {
        super::strip_here((self.here)())
    }
}

inventory::collect!(PolicyEntry);

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, rules: &[Rule], op: &str| -> fmt::Result {
            for (i, rule) in rules.iter().enumerate() {
                if i > 0 {
                    write!(f, " {op} ")?;
                }
                match rule {
                    Rule::Any(_) | Rule::All(_) => write!(f, "({rule})")?,
                    _ => write!(f, "{rule}")?,
                }
            }
            Ok(())
        };
        match self {
            Rule::Any(rules) => list(f, rules, "||"),
            Rule::All(rules) => list(f, rules, "&&"),
            Rule::Not(rule) => match rule {
                Rule::Any(_) | Rule::All(_) => write!(f, "!({rule})"),
                _ => write!(f, "!{rule}"),
            },
            Rule::Role(name) => write!(f, "role = {:?}", name.as_str()),
            Rule::Permission(name) => write!(f, "permission = {:?}", name.as_str()),
            Rule::Scope(name) => write!(f, "scope = {name:?}"),
            Rule::Claim(text) => write!(f, "claim({text})"),
            Rule::Owner(text) => write!(f, "owner({text})"),
            Rule::VerifiedEmail => f.write_str("verified_email"),
            Rule::Fresh => f.write_str("fresh"),
            Rule::Predicate(path) => write!(f, "fn = {path}"),
            Rule::Policy(policy) => write!(f, "{}({})", policy.name, policy.args),
        }
    }
}

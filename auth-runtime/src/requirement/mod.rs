//! Requirements: the run-time pieces of the checks `#[require]` and
//! `#[permissions]` compile to, and the compile-time lookups of declared names.
//!
//! The expression itself is turned into Rust code by the macro; these are the
//! leaves it calls. None of them allocates.

use std::future::{Future, Ready, ready};

mod names;
mod returned;

use crate::error::AuthError;
use crate::info::AuthInfo;
use crate::scheme::name::Scheme;
use crate::user::AuthUser;
pub use names::NameCheck;
pub use returned::ReturnedItems;

impl NameCheck {
    /// Whether the roles in `mask` (from [`AuthUser::role_mask`], computed once per
    /// request) or, for undeclared sets, the user's role names, contain this role.
    pub fn role_held<U: AuthUser>(self, user: &U, mask: u64) -> bool {
        match self {
            NameCheck::Bit(bit) => mask & bit != 0,
            NameCheck::Name(name) => user.has_role(name),
        }
    }

    /// Like [`role_held`](Self::role_held), for permissions (role grants included).
    pub fn permission_held<U: AuthUser>(self, user: &U, mask: u64) -> bool {
        match self {
            NameCheck::Bit(bit) => mask & bit != 0,
            NameCheck::Name(name) => user.has_permission(name),
        }
    }
}

/// A resource field compared with the user's id by `owner(...)`.
///
/// Implemented for the id type itself and for `Option` of it (a missing owner owns
/// nothing).
#[diagnostic::on_unimplemented(
    message = "`owner(...)` compares `{Self}` with the user id of type `{Id}`",
    label = "this field is a `{Self}`, the `#[auth_user(id)]` field is a `{Id}`",
    note = "name a field of the same type as the user's id (or `Option` of it)"
)]
pub trait OwnerId<Id> {
    /// Whether this field names the user `id`.
    fn is_owner(&self, id: &Id) -> bool;
}

impl<Id: PartialEq> OwnerId<Id> for Id {
    fn is_owner(&self, id: &Id) -> bool {
        self == id
    }
}

impl<Id: PartialEq> OwnerId<Id> for Option<Id> {
    fn is_owner(&self, id: &Id) -> bool {
        self.as_ref() == Some(id)
    }
}

/// Whether the user is verified by `#[require(verified_email)]`.
pub fn email_verified<U: AuthUser>(user: &U) -> bool {
    user.email_verified()
}

/// `scope = "..."`: the verified token grants the scope (false without a token).
///
/// ```
/// use portcullis::{AuthInfo, Claims, Scheme};
/// let claims = Claims::from_json(serde_json::json!({ "scope": "read:posts" })).unwrap();
/// let info = AuthInfo::new(Scheme::JWT, Some(claims));
/// assert!(portcullis::__private::has_scope(&info, "read:posts"));
/// assert!(!portcullis::__private::has_scope(&AuthInfo::new(Scheme::API_KEY, None), "read:posts"));
/// ```
pub fn has_scope(info: &AuthInfo, scope: &str) -> bool {
    info.has_scope(scope)
}

/// `fresh`: the credential comes from a password entered just now.
pub fn is_fresh(info: &AuthInfo) -> bool {
    info.is_fresh()
}

/// The refusal for an unmet requirement: 401 for an unmet `fresh` on its own (or in
/// `&&`), else 403 naming the requirement.
///
/// ```
/// use portcullis::{AuthError, Scheme};
/// let stale = portcullis::__private::unmet(Scheme::JWT, "fresh");
/// assert!(matches!(stale, AuthError::FreshLoginRequired { .. }));
/// let denied = portcullis::__private::unmet(Scheme::JWT, "role = \"admin\"");
/// assert!(matches!(denied, AuthError::Denied { .. }));
/// ```
pub fn unmet(scheme: Scheme, requirement: &'static str) -> AuthError {
    match requirement {
        "fresh" => AuthError::FreshLoginRequired { scheme },
        _ => AuthError::Denied { scheme, requirement },
    }
}

/// [`unmet`] for `#[auth(..., hide_existence)]`: a denial answers 404, as a missing
/// resource does, so that a user cannot learn what exists beyond what they may see; an
/// unmet `fresh` stays 401.
///
/// ```
/// use portcullis::{AuthError, Scheme};
/// let hidden = portcullis::__private::unmet_hidden(Scheme::JWT, "owner(post.author_id)");
/// assert!(matches!(hidden, AuthError::NotFound));
/// ```
pub fn unmet_hidden(scheme: Scheme, requirement: &'static str) -> AuthError {
    match unmet(scheme, requirement) {
        AuthError::Denied { .. } => AuthError::NotFound,
        other => other,
    }
}

/// `claim(name = value)`: the verified token has the claim with this value.
///
/// ```
/// use portcullis::{AuthInfo, Claims, Scheme};
/// let claims = Claims::from_json(serde_json::json!({ "tenant": "acme", "level": 3 })).unwrap();
/// let info = AuthInfo::new(Scheme::JWT, Some(claims));
/// assert!(portcullis::__private::claim_is(&info, "tenant", "acme"));
/// assert!(portcullis::__private::claim_is(&info, "level", 3));
/// assert!(!portcullis::__private::claim_is(&info, "level", "3"));
/// ```
pub fn claim_is<V>(info: &AuthInfo, name: &str, value: V) -> bool
where
    serde_json::Value: PartialEq<V>,
{
    info.claims()
        .and_then(|c| c.get(name))
        .is_some_and(|v| *v == value)
}

/// The result of a `fn = path` predicate, sync (`bool`) or async (a future of `bool`).
///
/// The generated code calls `PredicateOutput(result).verdict().await` with both
/// [`SyncPredicate`] and [`AsyncPredicate`] in scope; method resolution picks the
/// one that applies to the predicate's return type.
pub struct PredicateOutput<T>(pub T);

/// `fn = path` predicates returning `bool`.
pub trait SyncPredicate {
    /// The verdict as an (immediately ready) future.
    fn verdict(&self) -> Ready<bool>;
}

impl SyncPredicate for PredicateOutput<bool> {
    fn verdict(&self) -> Ready<bool> {
        ready(self.0)
    }
}

/// `fn = path` predicates returning a future of `bool` (async fns).
pub trait AsyncPredicate {
    /// The predicate's future.
    type Verdict: Future<Output = bool>;
    /// The verdict.
    fn verdict(self) -> Self::Verdict;
}

impl<F: Future<Output = bool>> AsyncPredicate for PredicateOutput<F> {
    type Verdict = F;
    fn verdict(self) -> F {
        self.0
    }
}

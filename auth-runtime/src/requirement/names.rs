//! Compile-time lookups of declared role and permission names.
//!
//! `#[require(role = "admin")]` expands to a `const` calling these functions, so a
//! misspelt name fails the build (spanned on the literal, with the derive's hint)
//! and a declared one becomes a bit test. The lookups the macros call return the
//! message and the generated `const` panics with it, so rustc's error names only the
//! user's literal (no notes into this file).

use crate::user::DeclaredNames;

/// A requirement on a name, resolved at compile time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameCheck {
    /// The name is declared: test this bit of the user's mask.
    Bit(u64),
    /// The user type declares no set: compare names at run time.
    Name(&'static str),
}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Levenshtein distance of two short names (longer than 64 bytes: "far").
const fn distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() > 64 || b.len() > 64 {
        return usize::MAX;
    }
    let mut previous = [0usize; 65];
    let mut current = [0usize; 65];
    let mut j = 0;
    while j <= b.len() {
        previous[j] = j;
        j += 1;
    }
    let mut i = 1;
    while i <= a.len() {
        current[0] = i;
        let mut j = 1;
        while j <= b.len() {
            let substitution = previous[j - 1] + if a[i - 1] == b[j - 1] { 0 } else { 1 };
            let deletion = previous[j] + 1;
            let insertion = current[j - 1] + 1;
            let mut best = substitution;
            if deletion < best {
                best = deletion;
            }
            if insertion < best {
                best = insertion;
            }
            current[j] = best;
            j += 1;
        }
        let mut k = 0;
        while k <= b.len() {
            previous[k] = current[k];
            k += 1;
        }
        i += 1;
    }
    previous[b.len()]
}

const fn check(
    declared: Option<&'static [&'static str]>,
    hints: &'static [&'static str],
    name: &'static str,
) -> NameCheck {
    match lookup(declared, hints, name) {
        Ok(found) => found,
        Err(hint) => panic!("{}", hint),
    }
}

/// The name's check, or the message for a name the user type does not declare.
const fn lookup(
    declared: Option<&'static [&'static str]>,
    hints: &'static [&'static str],
    name: &'static str,
) -> Result<NameCheck, &'static str> {
    let Some(declared) = declared else {
        return Ok(NameCheck::Name(name));
    };
    let mut best = declared.len();
    let mut best_distance = usize::MAX;
    let mut i = 0;
    while i < declared.len() {
        if str_eq(declared[i], name) {
            return Ok(NameCheck::Bit(1 << i));
        }
        let d = distance(declared[i], name);
        if d < best_distance {
            best_distance = d;
            best = i;
        }
        i += 1;
    }
    let close = best_distance <= 2 || best_distance * 3 <= name.len();
    let hint = if close { best } else { declared.len() };
    if hint < hints.len() {
        return Err(hints[hint]);
    }
    Err(
        "this name is not declared by the user type: check the spelling against its `roles(...)` / `permissions(...)` (or its role or permission enum)",
    )
}

impl NameCheck {
    /// `role = "name"` for user type `U`, resolved at compile time when used in a
    /// `const`: a bit of `U::DECLARED_ROLES`, or a build error naming the closest
    /// declared role; a run-time name when `U` declares no roles.
    pub const fn role<U: DeclaredNames>(name: &'static str) -> NameCheck {
        check(U::DECLARED_ROLES, U::ROLE_HINTS, name)
    }

    /// `permission = "name"` for user type `U` (see [`NameCheck::role`]).
    pub const fn permission<U: DeclaredNames>(name: &'static str) -> NameCheck {
        check(U::DECLARED_PERMISSIONS, U::PERMISSION_HINTS, name)
    }

    /// Like [`NameCheck::role`], but a misspelt name is `Err(message)`: the macros
    /// panic with it in the `const` they generate, on the literal, so that rustc's
    /// error names only the user's code.
    ///
    /// # Errors
    /// The message naming the closest declared role.
    pub const fn lookup_role<U: DeclaredNames>(name: &'static str) -> Result<NameCheck, &'static str> {
        lookup(U::DECLARED_ROLES, U::ROLE_HINTS, name)
    }

    /// Like [`NameCheck::lookup_role`], for permissions.
    ///
    /// # Errors
    /// The message naming the closest declared permission.
    pub const fn lookup_permission<U: DeclaredNames>(name: &'static str) -> Result<NameCheck, &'static str> {
        lookup(U::DECLARED_PERMISSIONS, U::PERMISSION_HINTS, name)
    }
}

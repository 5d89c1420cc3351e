//! The access matrix: for each route and each declared role, whether a user with that
//! role alone may call it — evaluated from the registry's requirement trees.

use std::fmt::Write as _;

use super::{HandlerEntry, RouteTable, Rule, ServedBy};
use crate::user::{AuthUser, granted, name_bit};

/// One cell of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Every user with the role (or anyone, for a public route).
    Allowed,
    /// Only on resources the user owns (`owner(...)`).
    OwnOnly,
    /// 403 (or 404 with `hide_existence`).
    Denied,
    /// Decided by something else than the role: a scope, a claim, `fresh`, code.
    Depends,
}

impl Access {
    /// `allowed`, `own-only`, `denied`, `depends`.
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Allowed => "allowed",
            Access::OwnOnly => "own-only",
            Access::Denied => "denied",
            Access::Depends => "depends",
        }
    }
}

/// A row: one route, one cell per role of [`AccessMatrix::roles`].
#[derive(Debug, Clone)]
pub struct Row {
    /// The HTTP method.
    pub method: String,
    /// The path as served.
    pub path: String,
    /// The handler's entry.
    pub entry: &'static HandlerEntry,
    /// One cell per role.
    pub cells: Vec<Access>,
}

/// Who may call what: the annotated routes of a [`RouteTable`] × the roles user type
/// `U` declares (`#[auth_user(roles(...))]`) and the column `(no role)`.
///
/// ```
/// use portcullis::registry::{Access, AccessMatrix, RouteTable};
/// use portcullis::{AuthUser, auth, require};
/// #[derive(Clone, AuthUser)]
/// #[auth_user(roles("admin", "user"))]
/// struct User { #[auth_user(id)] id: i64, #[auth_user(roles)] role: String }
/// #[auth(jwt)]
/// #[require(role = "admin")]
/// async fn purge(_user: User) {}
///
/// let table = RouteTable::from_handlers([("DELETE", "/all", std::any::type_name_of_val(&purge::<(), ()>))]);
/// let matrix = AccessMatrix::new::<User>(&table);
/// assert_eq!(matrix.roles(), ["admin", "user", "(no role)"]);
/// assert_eq!(matrix.rows()[0].cells, [Access::Allowed, Access::Denied, Access::Denied]);
/// assert!(matrix.to_csv().ends_with("DELETE,/all,jwt,allowed,denied,denied\n"));
/// ```
#[derive(Debug, Clone)]
pub struct AccessMatrix {
    roles: Vec<String>,
    rows: Vec<Row>,
}

/// The column of users without any role.
pub const NO_ROLE: &str = "(no role)";

impl AccessMatrix {
    /// The matrix of `table`'s annotated routes for user type `U` (the library's own
    /// routes and handlers of other user types are left out).
    pub fn new<U: AuthUser>(table: &RouteTable) -> Self {
        let declared = U::DECLARED_ROLES.unwrap_or(&[]);
        let permissions = U::DECLARED_PERMISSIONS.unwrap_or(&[]);
        let mut roles: Vec<String> = declared.iter().map(|r| (*r).to_owned()).collect();
        roles.push(NO_ROLE.to_owned());
        let user_type = std::any::TypeId::of::<U>();
        let rows = table
            .routes()
            .iter()
            .filter_map(|route| match route.served_by {
                ServedBy::Annotated(entry) if entry.user_type().is_none_or(|t| t == user_type) => {
                    Some((route, entry))
                }
                _ => None,
            })
            .map(|(route, entry)| {
                let cells = roles
                    .iter()
                    .map(|role| {
                        let role_bit = name_bit(declared, role);
                        let granted = granted(U::GRANTS, role_bit);
                        let has_permission = |name: &str| granted & name_bit(permissions, name) != 0;
                        cell(entry, role, &has_permission)
                    })
                    .collect();
                Row {
                    method: route.method.to_string(),
                    path: route.path.clone(),
                    entry,
                    cells,
                }
            })
            .collect();
        AccessMatrix { roles, rows }
    }

    /// The role columns, `(no role)` last.
    pub fn roles(&self) -> &[String] {
        &self.roles
    }

    /// The rows, in the route table's order.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// The cell of `role` for `method path`, if both are in the matrix.
    pub fn cell(&self, method: &str, path: &str, role: &str) -> Option<Access> {
        let column = self.roles.iter().position(|r| r == role)?;
        let row = self.rows.iter().find(|r| r.method == method && r.path == path)?;
        row.cells.get(column).copied()
    }

    fn schemes(entry: &HandlerEntry) -> String {
        if entry.is_public() {
            return "public".to_owned();
        }
        let mut names = entry.scheme_names().join(" ");
        if entry.is_optional() {
            names.push_str(" (optional)");
        }
        names
    }

    /// A Markdown table: method, path, schemes, one column per role.
    pub fn to_markdown(&self) -> String {
        let mut out = format!("| method | path | schemes | {} |\n", self.roles.join(" | "));
        out.push_str(&"|---".repeat(3 + self.roles.len()));
        out.push_str("|\n");
        for row in &self.rows {
            let cells: Vec<&str> = row.cells.iter().map(|c| c.as_str()).collect();
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} |",
                row.method,
                row.path,
                Self::schemes(row.entry),
                cells.join(" | ")
            );
        }
        out
    }

    /// CSV (RFC 4180, fields quoted when needed): the same columns as the Markdown.
    pub fn to_csv(&self) -> String {
        let field = |s: &str| {
            if s.contains([',', '"', '\n']) {
                format!("\"{}\"", s.replace('"', "\"\""))
            } else {
                s.to_owned()
            }
        };
        let mut header = vec!["method".to_owned(), "path".to_owned(), "schemes".to_owned()];
        header.extend(self.roles.iter().map(|r| field(r)));
        let mut out = header.join(",");
        out.push('\n');
        for row in &self.rows {
            let mut fields = vec![
                field(&row.method),
                field(&row.path),
                field(&Self::schemes(row.entry)),
            ];
            fields.extend(row.cells.iter().map(|c| c.as_str().to_owned()));
            out.push_str(&fields.join(","));
            out.push('\n');
        }
        out
    }
}

fn cell(entry: &HandlerEntry, role: &str, has_permission: &dyn Fn(&str) -> bool) -> Access {
    if entry.is_public() {
        return Access::Allowed;
    }
    let rules = [entry.requirement(), entry.returned_requirement()];
    let verdicts: Vec<Access> = rules
        .into_iter()
        .flatten()
        .map(|rule| evaluate(rule, role, has_permission))
        .collect();
    all(&verdicts)
}

fn evaluate(rule: &Rule, role: &str, has_permission: &dyn Fn(&str) -> bool) -> Access {
    let each =
        |rules: &[Rule]| -> Vec<Access> { rules.iter().map(|r| evaluate(r, role, has_permission)).collect() };
    match rule {
        Rule::Any(rules) => any(&each(rules)),
        Rule::All(rules) => all(&each(rules)),
        Rule::Not(inner) => match evaluate(inner, role, has_permission) {
            Access::Allowed => Access::Denied,
            Access::Denied => Access::Allowed,
            _ => Access::Depends,
        },
        Rule::Role(name) if name.as_str() == role => Access::Allowed,
        Rule::Role(_) => Access::Denied,
        Rule::Permission(name) if has_permission(name.as_str()) => Access::Allowed,
        Rule::Permission(_) => Access::Denied,
        Rule::Owner(_) => Access::OwnOnly,
        Rule::Policy(policy) => policy
            .rule()
            .map_or(Access::Depends, |rule| evaluate(rule, role, has_permission)),
        _ => Access::Depends,
    }
}

/// `||`: allowed if one is; denied if all are; own-only if the others are denied.
fn any(verdicts: &[Access]) -> Access {
    if verdicts.contains(&Access::Allowed) {
        Access::Allowed
    } else if verdicts.contains(&Access::Depends) {
        Access::Depends
    } else if verdicts.contains(&Access::OwnOnly) {
        Access::OwnOnly
    } else {
        Access::Denied
    }
}

/// `&&` (an empty list is allowed): denied if one is; allowed if all are; own-only if
/// the others are allowed.
fn all(verdicts: &[Access]) -> Access {
    if verdicts.contains(&Access::Denied) {
        Access::Denied
    } else if verdicts.contains(&Access::Depends) {
        Access::Depends
    } else if verdicts.contains(&Access::OwnOnly) {
        Access::OwnOnly
    } else {
        Access::Allowed
    }
}

#[cfg(test)]
mod tests {
    use super::{Access, evaluate};
    use crate::registry::{Name, PolicyRef, Rule};

    const ADMIN: Rule = Rule::Role(Name::literal("admin"));
    const WRITE: Rule = Rule::Permission(Name::literal("posts:write"));
    const OWNER: Rule = Rule::Owner("post.author_id");

    fn as_role(rule: &Rule, role: &str) -> Access {
        evaluate(rule, role, &|p| role == "editor" && p == "posts:write")
    }

    #[test]
    fn roles_permissions_and_owners() {
        assert_eq!(as_role(&ADMIN, "admin"), Access::Allowed);
        assert_eq!(as_role(&ADMIN, "editor"), Access::Denied);
        assert_eq!(as_role(&WRITE, "editor"), Access::Allowed);
        assert_eq!(as_role(&WRITE, "admin"), Access::Denied);
        assert_eq!(as_role(&OWNER, "admin"), Access::OwnOnly);
        assert_eq!(as_role(&Rule::Scope("read"), "admin"), Access::Depends);
    }

    #[test]
    fn combinations_are_conservative() {
        let either = Rule::Any(&[OWNER, ADMIN]);
        assert_eq!(as_role(&either, "admin"), Access::Allowed);
        assert_eq!(as_role(&either, "editor"), Access::OwnOnly);
        let both = Rule::All(&[OWNER, WRITE]);
        assert_eq!(as_role(&both, "editor"), Access::OwnOnly);
        assert_eq!(as_role(&both, "admin"), Access::Denied);
        assert_eq!(
            as_role(&Rule::Any(&[OWNER, Rule::Fresh]), "admin"),
            Access::Depends
        );
        assert_eq!(as_role(&Rule::Not(&ADMIN), "admin"), Access::Denied);
        assert_eq!(as_role(&Rule::Not(&ADMIN), "editor"), Access::Allowed);
        assert_eq!(as_role(&Rule::Not(&OWNER), "admin"), Access::Depends);
        // A policy with code decides itself; one with a rule is expanded.
        let code = Rule::Policy(PolicyRef::new("is_published", "user, post", None));
        assert_eq!(as_role(&code, "admin"), Access::Depends);
        let ruled = Rule::Policy(PolicyRef::new(
            "can_edit",
            "user, post",
            Some(&Rule::Any(&[OWNER, ADMIN])),
        ));
        assert_eq!(as_role(&ruled, "editor"), Access::OwnOnly);
    }
}

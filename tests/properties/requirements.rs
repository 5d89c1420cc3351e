//! `#[require]` expressions against a reference interpreter. The macro needs literal
//! source, so the expressions are fixed handlers covering every shape (atoms, `!`,
//! `&&`, `||`, their precedence, nesting, double negation) and the user is generated:
//! random roles and permissions (any subset, in any order, with repeats) of the
//! declared sets. Each handler's answer (200 or 403) must be what [`Expr::eval`]
//! says. Compiling generated source instead would cost a build per run; this runs in
//! well under a second.

use std::sync::atomic::{AtomicI64, Ordering};

use axum::extract::FromRef;
use axum::routing::get;
use axum::{Json, Router};
use http::StatusCode;
use portcullis::{AuthUser, InMemoryUserStore, Portcullis, auth, require};
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::support::*;

const ROLES: [&str; 3] = ["admin", "editor", "viewer"];
const PERMISSIONS: [&str; 3] = ["posts:read", "posts:write", "users:manage"];

#[derive(Debug, Clone, AuthUser)]
#[auth_user(
    roles("admin", "editor", "viewer"),
    permissions("posts:read", "posts:write", "users:manage")
)]
struct Member {
    #[auth_user(id)]
    id: i64,
    #[auth_user(roles)]
    roles: Vec<String>,
    #[auth_user(permissions)]
    permissions: Vec<String>,
}

#[derive(Clone, FromRef)]
struct State {
    members: Portcullis<Member>,
}

/// The reference interpreter's expressions.
enum Expr {
    Role(&'static str),
    Perm(&'static str),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

use Expr::{Perm, Role};

fn not(e: Expr) -> Expr {
    Expr::Not(Box::new(e))
}
fn and(a: Expr, b: Expr) -> Expr {
    Expr::And(Box::new(a), Box::new(b))
}
fn or(a: Expr, b: Expr) -> Expr {
    Expr::Or(Box::new(a), Box::new(b))
}

impl Expr {
    fn eval(&self, m: &Member) -> bool {
        match self {
            Role(r) => m.roles.iter().any(|x| x == r),
            Perm(p) => m.permissions.iter().any(|x| x == p),
            Expr::Not(e) => !e.eval(m),
            Expr::And(a, b) => a.eval(m) && b.eval(m),
            Expr::Or(a, b) => a.eval(m) || b.eval(m),
        }
    }
}

fn ok(user: &Member) -> Json<Value> {
    Json(json!({"id": user.id}))
}

macro_rules! handlers {
    ($($name:ident: #[require($($req:tt)*)] => $expr:expr;)*) => {
        $(
            #[auth(jwt)]
            #[require($($req)*)]
            async fn $name(user: Member) -> Json<Value> {
                ok(&user)
            }
        )*

        /// Every handler's path and the interpreter's version of its expression.
        fn routes() -> (Router<State>, Vec<(String, Expr)>) {
            let mut router = Router::new();
            let mut exprs = Vec::new();
            $(
                let path = concat!("/", stringify!($name));
                router = router.route(path, get($name));
                exprs.push((path.to_owned(), $expr));
            )*
            (router, exprs)
        }
    };
}

handlers! {
    role_atom: #[require(role = "admin")] => Role("admin");
    permission_atom: #[require(permission = "posts:write")] => Perm("posts:write");
    negation: #[require(!(role = "viewer"))] => not(Role("viewer"));
    either: #[require(role = "admin" || permission = "users:manage")] => or(Role("admin"), Perm("users:manage"));
    both: #[require(role = "editor" && permission = "posts:write")] => and(Role("editor"), Perm("posts:write"));
    and_binds_tighter: #[require(role = "admin" || role = "editor" && permission = "posts:write")]
        => or(Role("admin"), and(Role("editor"), Perm("posts:write")));
    and_then_or: #[require(role = "viewer" && permission = "posts:read" || role = "admin")]
        => or(and(Role("viewer"), Perm("posts:read")), Role("admin"));
    grouped: #[require((role = "admin" || role = "editor") && !(permission = "posts:read"))]
        => and(or(Role("admin"), Role("editor")), not(Perm("posts:read")));
    negated_group: #[require(!(role = "admin" && permission = "users:manage") || role = "viewer" && permission = "posts:read")]
        => or(not(and(Role("admin"), Perm("users:manage"))), and(Role("viewer"), Perm("posts:read")));
    double_negation: #[require(!(!(role = "editor") || permission = "posts:write"))]
        => not(or(not(Role("editor")), Perm("posts:write")));
    three_terms: #[require((role = "viewer" || permission = "posts:read") && (role = "editor" || permission = "users:manage") && !(role = "admin"))]
        => and(and(or(Role("viewer"), Perm("posts:read")), or(Role("editor"), Perm("users:manage"))), not(Role("admin")));
    left_to_right_or: #[require(permission = "posts:read" || permission = "posts:write" || permission = "users:manage")]
        => or(or(Perm("posts:read"), Perm("posts:write")), Perm("users:manage"));
}

fn names(set: &'static [&'static str; 3]) -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec(proptest::sample::select(&set[..]).prop_map(str::to_owned), 0..5)
}

#[test]
fn requirements_agree_with_the_reference_interpreter() {
    let rt = crate::runtime();
    let store = InMemoryUserStore::new();
    let members = Portcullis::builder(store.clone())
        .jwt(jwt_config())
        .build()
        .unwrap();
    let (router, exprs) = routes();
    let router = router.with_state(State { members });
    let next_id = AtomicI64::new(1);
    // (allowed, denied) per handler: each must have been seen both ways.
    let outcomes = std::sync::Mutex::new(vec![(0u32, 0u32); exprs.len()]);
    proptest!(crate::config(96), |(roles in names(&ROLES), permissions in names(&PERMISSIONS))| {
        let member = Member { id: next_id.fetch_add(1, Ordering::Relaxed), roles, permissions };
        store.insert(member.clone());
        let token = hs256(&claims(&member.id.to_string()));
        for (i, (path, expr)) in exprs.iter().enumerate() {
            let r = rt.block_on(send(&router, bearer(path, &token)));
            let allowed = expr.eval(&member);
            let mut seen = outcomes.lock().unwrap();
            if allowed { seen[i].0 += 1 } else { seen[i].1 += 1 }
            drop(seen);
            if allowed {
                prop_assert_eq!(r.status, StatusCode::OK, "{} {:?}: {:?}", path, member, r.body);
                prop_assert_eq!(r.body, json!({"id": member.id}));
            } else {
                prop_assert_eq!(r.status, StatusCode::FORBIDDEN, "{} {:?}: {:?}", path, member, r.body);
                assert_error_body(&r, "forbidden");
            }
        }
    });
    for ((path, _), (allowed, denied)) in exprs.iter().zip(outcomes.into_inner().unwrap()) {
        assert!(
            allowed > 0 && denied > 0,
            "{path}: {allowed} allowed, {denied} denied"
        );
    }
}
